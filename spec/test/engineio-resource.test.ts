import { describe, expect, it } from "vitest";
import { eioResource } from "../core/engineio.js";

function resource(path: string, cap = 256): string | null {
  const buf = new Uint8Array(cap);
  buf.set(Buffer.from(path, "latin1"));
  const n = eioResource(buf, path.length, cap);
  return n < 0 ? null : Buffer.from(buf.subarray(0, n)).toString("latin1");
}

describe("eioResource", () => {
  it("appends the websocket-only Engine.IO query", () => {
    expect(resource("/socket.io/")).toBe("/socket.io/?EIO=4&transport=websocket");
    expect(resource("/custom/path")).toBe("/custom/path?EIO=4&transport=websocket");
    expect(resource("/socket.io/?token=abc")).toBe("/socket.io/?token=abc&EIO=4&transport=websocket");
  });

  it("refuses what does not fit", () => {
    const full = "/socket.io/?EIO=4&transport=websocket";
    expect(resource("/socket.io/", full.length)).toBe(full);
    expect(resource("/socket.io/", full.length - 1)).toBeNull();
  });
});
