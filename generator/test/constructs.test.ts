/**
 * Per-construct goldens: each fixtures/constructs/<name>.ts is transpiled and
 * must print exactly fixtures/constructs/<name>.sp. Set SPGEN_UPDATE_GOLDENS=1
 * to rewrite the goldens after an intended change (then review the diff).
 */

import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FIXTURES, fixtureDiagnostics, transpileFixture } from "./helpers.js";

const dir = path.join(FIXTURES, "constructs");
const cases = readdirSync(dir)
  .filter((f) => f.endsWith(".ts"))
  .sort();

describe("per-construct goldens", () => {
  it("has a golden for every fixture", () => {
    expect(cases.length).toBeGreaterThanOrEqual(14);
  });

  for (const file of cases) {
    const name = file.slice(0, -3);
    it(name, () => {
      expect(fixtureDiagnostics(`constructs/${file}`)).toEqual([]);
      const actual = transpileFixture(`constructs/${file}`);
      const goldenPath = path.join(dir, `${name}.sp`);
      if (process.env.SPGEN_UPDATE_GOLDENS === "1") {
        writeFileSync(goldenPath, actual);
      }
      expect(actual).toBe(readFileSync(goldenPath, "utf8"));
    });
  }
});
