import { describe, expect, it } from "vitest";
import { closeCodeInvitesReconnect } from "../core/close.js";

describe("closeCodeInvitesReconnect", () => {
  it("is true exactly for going away and the temporary server failures 1011-1014", () => {
    const yes: number[] = [];
    for (let code = 0; code < 5100; code++) if (closeCodeInvitesReconnect(code)) yes.push(code);
    expect(yes).toEqual([1001, 1011, 1012, 1013, 1014]);
  });
});
