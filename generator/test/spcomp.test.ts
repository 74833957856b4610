/**
 * The real toolchain, where installed: the transpiled core (committed and
 * freshly generated) and every per-construct golden compile inside a pure
 * program (`public int main()`, no SourceMod includes) with
 * `spcomp -p noprefix -E`: zero warnings, since -E makes them errors. Runs
 * with every spcomp found (generator/toolchain/: spcomp 1.12 and 1.13).
 */

import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateFiles } from "../generate.js";
import { parseGenerateOptions } from "../options.js";
import { findCompilers } from "../toolchain/index.js";
import { FIXTURES, ROOT } from "./helpers.js";
import { skipWithReason } from "./skip.js";

const compilers = findCompilers().map((c) => c.path);
const spcomp = compilers.length === 0 ? null : compilers[0];
if (spcomp === null) {
  skipWithReason(import.meta.url, "the core compiles with spcomp", "no spcomp found (see npm run toolchain)");
}

const work = mkdtempSync(path.join(tmpdir(), "spgen-spcomp-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Compiles `#include "<include>"` inside a pure program; returns the compiler's exit code and output. */
function compilePure(compiler: string, dir: string, include: string): { code: number; output: string } {
  const name = `main-${include.replace(/[^A-Za-z0-9]/g, "_")}`;
  writeFileSync(
    path.join(dir, `${name}.sp`),
    `#pragma semicolon 1\n#pragma newdecls required\n\n#include "${include}"\n\npublic int main()\n{\n\treturn 0;\n}\n`,
  );
  const r = spawnSync(compiler, ["-p", "noprefix", "-E", `${name}.sp`, `-o${name}.smx`], {
    cwd: dir,
    encoding: "utf8",
  });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describe.runIf(spcomp !== null)(`spcomp (${compilers.map((c) => path.basename(c)).join(", ")})`, () => {
  for (const compiler of compilers) {
    const tag = path.basename(compiler);

    it(`${tag}: the committed core compiles in a pure program with zero warnings`, () => {
      const dir = path.join(work, `${tag}-committed`);
      mkdirSync(path.join(dir, "websocket"), { recursive: true });
      copyFileSync(path.join(ROOT, "out/scripting/websocket/core.inc"), path.join(dir, "websocket/core.inc"));
      const r = compilePure(compiler, dir, "websocket/core.inc");
      expect(r.code, r.output).toBe(0);
      expect(r.output).not.toMatch(/\b(warning|error) \d+/);
    });

    it(`${tag}: the core generated from the current spec compiles with zero warnings`, async () => {
      const dir = path.join(work, `${tag}-fresh`);
      mkdirSync(path.join(dir, "websocket"), { recursive: true });
      const gen = await generateFiles(parseGenerateOptions({}, ROOT));
      const core = gen.files.find((f) => f.path === "scripting/websocket/core.inc");
      writeFileSync(path.join(dir, "websocket/core.inc"), core?.content ?? "");
      const r = compilePure(compiler, dir, "websocket/core.inc");
      expect(r.code, r.output).toBe(0);
      expect(r.output).not.toMatch(/\b(warning|error) \d+/);
    });

    it(`${tag}: every per-construct golden compiles with zero warnings`, () => {
      const dir = path.join(work, `${tag}-constructs`);
      mkdirSync(dir, { recursive: true });
      const goldens = readdirSync(path.join(FIXTURES, "constructs")).filter((f) => f.endsWith(".sp"));
      expect(goldens.length).toBeGreaterThan(10);
      for (const g of goldens) {
        copyFileSync(path.join(FIXTURES, "constructs", g), path.join(dir, g));
        const r = compilePure(compiler, dir, g);
        expect(r.code, `${g}\n${r.output}`).toBe(0);
        expect(r.output, g).not.toMatch(/\b(warning|error) \d+/);
      }
    });
  }
});
