/**
 * Mutation: out/ really comes from spec/. In a temporary copy of the spec,
 * change a string constant, an enum value and one line of an algorithm,
 * regenerate, and check that the output changed exactly there.
 */

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateFiles } from "../generate.js";
import { parseGenerateOptions } from "../options.js";
import { ROOT } from "./helpers.js";

const work = mkdtempSync(path.join(tmpdir(), "spgen-mutation-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function mutate(file: string, from: string, to: string): void {
  const p = path.join(work, "spec/core", file);
  const text = readFileSync(p, "utf8");
  expect(text.split(from).length - 1, `${file} must contain ${from} exactly once`).toBe(1);
  writeFileSync(p, text.replace(from, to));
}

async function core(cwd: string): Promise<string[]> {
  const gen = await generateFiles(parseGenerateOptions({}, cwd));
  const f = gen.files.find((x) => x.path === "scripting/websocket/core.inc");
  return (f?.content ?? "").split("\n");
}

describe("mutation", () => {
  it("changes out/ exactly where the spec changed", async () => {
    cpSync(path.join(ROOT, "spec/core"), path.join(work, "spec/core"), { recursive: true });
    cpSync(path.join(ROOT, "templates"), path.join(work, "templates"), { recursive: true });
    const before = await core(work);

    mutate("handshake.ts", '"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"', '"00000000-1111-2222-3333-444444444444"');
    mutate("close.ts", "ProtocolError = 1002,", "ProtocolError = 1012,");
    mutate("sha1.ts", "rotl(a, 5)", "rotl(a, 7)");
    const after = await core(work);

    expect(after.length).toBe(before.length);
    const changed = before.map((line, i) => [line, after[i]]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([
      [
        '#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"',
        '#define WS_GUID "00000000-1111-2222-3333-444444444444"',
      ],
      ["\tCloseCode_ProtocolError = 1002,", "\tCloseCode_ProtocolError = 1012,"],
      // rotl is @spgen inline: the call is expanded, so the rotation amounts show in place (a shift left by a
      // literal prints as a multiplication); the rounds' loop is @spgen unroll full, so the line shows once per
      // round, and rotate renaming names a different variable (a, e, d, c, b, a, …) in each round.
      ...Array.from({ length: 80 }, (_, t) => {
        const v = "aedcb"[t % 5];
        return [
          expect.stringContaining(`((${v} * 32) | (${v} >>> 27)) + `),
          expect.stringContaining(`((${v} * 128) | (${v} >>> 25)) + `),
        ];
      }),
    ]);
    changed.slice(2).forEach(([was, line], t) => {
      const v = "aedcb"[t % 5];
      expect(line.replace(`((${v} * 128) | (${v} >>> 25))`, `((${v} * 32) | (${v} >>> 27))`)).toBe(was);
    });
  });
});
