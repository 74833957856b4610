/**
 * The hinted optimisations of generator/optimize: `@spgen inline` and
 * `// @spgen unroll N` (with `outline`). Their output shape is pinned by the constructs
 * goldens (fixtures/constructs/inline.ts, unroll.ts, outline.ts); here: a hint that
 * cannot apply is an error naming the function and the reason, and the
 * transformed SourcePawn computes what the TypeScript computes, run in
 * spshell (JIT and interpreter) over lengths, offsets and phases that hit
 * every remainder of the unrolled loops.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DiagnosticsError, formatDiagnostic } from "../diagnostics.js";
import { printDecls } from "../sourcepawn/printer.js";
import { transpileFiles } from "../transpile.js";
import { findCompilers, findShells, runModesFor } from "../toolchain/index.js";
import { skipWithReason } from "./skip.js";
import * as inlineFx from "./fixtures/constructs/inline.js";
import * as outlineFx from "./fixtures/constructs/outline.js";
import * as scalarizeFx from "./fixtures/constructs/scalarize.js";
import * as tableFx from "./fixtures/constructs/table.js";
import * as unrollFx from "./fixtures/constructs/unroll.js";
import { FIXTURES, ROOT } from "./helpers.js";

const work = mkdtempSync(path.join(tmpdir(), "spgen-optimize-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Diagnostics of transpiling one source text (as `x.ts` in the temp dir), without the path prefix. */
function diagnosticsOf(source: string): string[] {
  const file = path.join(work, "x.ts");
  writeFileSync(file, source);
  try {
    transpileFiles([file], { cwd: work });
    return [];
  } catch (e) {
    if (e instanceof DiagnosticsError) {
      return e.diagnostics.map((d) => formatDiagnostic(d).replace(/^x\.ts:/, ""));
    }
    throw e;
  }
}

describe("hints that cannot apply are errors", () => {
  const unrollCase = (loop: string): string =>
    `export function f(a: Uint8Array, n: number, g: number): number {\n  let s = 0;\n  // @spgen unroll 4\n  ${loop}\n  return s;\n}\nexport function h(x: number): number {\n  return x;\n}\n`;
  const cases: readonly (readonly [string, string, string])[] = [
    ["not a power of two", unrollCase("for (let i = 0; i < n; i++) {\n    s += a[i];\n  }"), "`4`"],
    ["a while loop", unrollCase("while (s < n) {\n    s++;\n  }"), "it must stand right before a `for` loop"],
    ["a break", unrollCase("for (let i = 0; i < n; i++) {\n    if (a[i] === 0) {\n      break;\n    }\n  }"), "break"],
    ["a call", unrollCase("for (let i = 0; i < n; i++) {\n    s += h(a[i]);\n  }"), "must not call functions"],
    [
      "a return that is not the end of a branch",
      unrollCase("for (let i = 0; i < n; i++) {\n    if (a[i] === 0) {\n      return i;\n    }\n    return s;\n  }"),
      "nor return but at the end of an if branch",
    ],
    [
      "a call outside an exit branch",
      unrollCase("for (let i = 0; i < n; i++) {\n    if (a[i] === 0) {\n      s = h(i);\n    }\n  }"),
      "(but in a branch that ends in return; private helpers, even `@spgen inline` ones, are inlined after unrolling)",
    ],
    ["a changing bound", unrollCase("for (let i = 0; i < n; i++) {\n    n--;\n  }"), "the bound must not change"],
    ["a counter written", unrollCase("for (let i = 0; i < n; i++) {\n    i += g;\n  }"), "must not change `i`"],
    ["a step of 2", unrollCase("for (let i = 0; i < n; i += 2) {\n    s += a[i];\n  }"), "the update must be `i++`"],
    ["a <= test", unrollCase("for (let i = 0; i <= n; i++) {\n    s += a[i];\n  }"), "the test must be `i < bound`"],
  ];
  const splitCase = (loop: string): string =>
    `export function f(a: Uint8Array, n: number): number {\n  let s = 0;\n  // @spgen split\n  ${loop}\n  return s;\n}\n`;
  const splitCases: readonly (readonly [string, string, string])[] = [
    [
      "a bound that is not a literal",
      splitCase("for (let i = 0; i < n; i++) {\n    if (i < 4) {\n      s++;\n    }\n  }"),
      "the test must be `i < literal`",
    ],
    [
      "no test of the counter",
      splitCase("for (let i = 0; i < 8; i++) {\n    if (n < 4) {\n      s++;\n    }\n  }"),
      "no `if (i < literal)`",
    ],
    [
      "a return",
      splitCase("for (let i = 0; i < 8; i++) {\n    if (i < 4) {\n      return s;\n    }\n  }"),
      "break, continue or return",
    ],
  ];
  for (const [name, source, reason] of splitCases) {
    it(`split: ${name}`, () => {
      const d = diagnosticsOf(source);
      expect(d).toHaveLength(1);
      // At the loop the hint stands before (line 4, column 3), not at the function.
      expect(d[0]).toMatch(/^4:3: error: the @spgen split hint in `f` does not apply: /);
      expect(d[0]).toContain(reason);
    });
  }
  for (const [name, source, reason] of cases) {
    it(`unroll: ${name}`, () => {
      const src = name === "not a power of two" ? source.replace("unroll 4", "unroll 3") : source;
      const d = diagnosticsOf(src);
      expect(d).toHaveLength(1);
      expect(d[0]).toMatch(/^4:3: error: the @spgen unroll hint in `f` does not apply: /);
      expect(d[0]).toContain(name === "not a power of two" ? "`3` is not a power of two" : reason);
    });
  }

  it("unroll full: a bound that is not a literal; scratch: a read before a write, two users", () => {
    expect(
      diagnosticsOf(
        "export function f(a: Uint8Array, n: number): number {\n  let s = 0;\n  // @spgen unroll full\n  for (let i = 0; i < n; i++) {\n    s += a[i];\n  }\n  return s;\n}\n",
      ),
    ).toEqual(["4:3: error: the @spgen unroll hint in `f` does not apply: the test must be `i < literal`"]);
    const rec = "export class R {\n  /** @spgen scratch */\n  w = new Int32Array(4);\n}\n";
    expect(diagnosticsOf(`${rec}export function f(r: R): number {\n  r.w[1] = 2;\n  return r.w[0];\n}\n`)).toEqual([
      "3:3: error: the @spgen scratch hint on `R.w` does not apply: in `f`, element 0 is read before the function writes it",
    ]);
    expect(
      diagnosticsOf(
        `${rec}export function f(r: R): void {\n  r.w[0] = 1;\n}\nexport function g(r: R): void {\n  r.w[0] = 2;\n}\n`,
      ),
    ).toEqual([
      "3:3: error: the @spgen scratch hint on `R.w` does not apply: it is used by more than one function (f, g)",
    ]);
    // Its only field: the enum struct would be left empty, which spcomp refuses.
    expect(diagnosticsOf(`${rec}export function f(r: R): number {\n  r.w[0] = 2;\n  return r.w[0];\n}\n`)).toEqual([
      "3:3: error: the @spgen scratch hint on `R.w` does not apply: it is the record's last field, and SourcePawn refuses an enum struct with no fields (spcomp error 119): give the record another field or drop the hint",
    ]);
    expect(
      diagnosticsOf(
        `export class R {\n  n = 0;\n  /** @spgen scratch */\n  w = new Int32Array(4);\n}\nexport function f(r: R): number {\n  r.w[0] = 2;\n  return r.w[0] + r.n;\n}\n`,
      ),
    ).toEqual([]);
  });

  it("inline: a body that is not a single return", () => {
    const d = diagnosticsOf(
      "/** @spgen inline */\nfunction g(x: number): number {\n  const y = x + 1;\n  return y;\n}\nexport function f(x: number): number {\n  return g(x);\n}\n",
    );
    expect(d).toEqual([
      "2:1: error: `g` is marked @spgen inline but cannot be inlined: its body must be a single `return <expression>;` or a chain of `if (test) { return …; }` ending in a return",
    ]);
  });

  it("inline: a string parameter, an unread parameter", () => {
    const d = diagnosticsOf(
      '/** @spgen inline */\nfunction g(s: string): number {\n  return 1;\n}\n/** @spgen inline */\nfunction k(x: number, y: number): number {\n  return x;\n}\nexport function f(a: Uint8Array): number {\n  return g("a") + k(1, 2);\n}\n',
    );
    expect(d).toEqual([
      "2:1: error: `g` is marked @spgen inline but cannot be inlined: its parameters must be ints, booleans or arrays",
      "6:1: error: `k` is marked @spgen inline but cannot be inlined: its parameter `y` is never read (the argument would be dropped)",
    ]);
  });

  it("inline on a void function: exported, or with a return the helper pass cannot remove", () => {
    const d = diagnosticsOf(
      "export class R {\n  v = 0;\n}\n/** @spgen inline */\nexport function g(r: R): void {\n  r.v++;\n}\n/** @spgen inline */\nfunction k(r: R, n: number): void {\n  for (let i = 0; i < n; i++) {\n    if (r.v > 3) {\n      return;\n    }\n    r.v++;\n  }\n}\nexport function f(r: R): void {\n  g(r);\n  k(r, 2);\n}\n",
    );
    expect(d).toEqual([
      "5:1: error: `g` is marked @spgen inline but cannot be inlined: a void function is inlined as statements, by the private-helper pass: it must not be exported",
      "9:1: error: `k` is marked @spgen inline but cannot be inlined: its `return;` statements must be removable (at the end of an `if` branch, not in a loop or switch)",
    ]);
  });

  it("table: a missing size, two parameters, a body that reads an array", () => {
    const d = diagnosticsOf(
      "/** @spgen table */\nfunction g(x: number): number {\n  return x + 1;\n}\n/** @spgen table 16 */\nfunction k(x: number, y: number): number {\n  return x + y;\n}\n/** @spgen table 9999 */\nfunction m(x: number): number {\n  return x;\n}\nexport function f(x: number): number {\n  return g(x & 3) + k(x & 3, 1) + m(x & 3);\n}\n",
    );
    expect(d).toEqual([
      "2:1: error: `g` is marked @spgen table but cannot be tabulated: the hint needs the table size, an integer from 1 to 4096 (`@spgen table 64`)",
      "6:1: error: `k` is marked @spgen table but cannot be tabulated: it must have exactly one int parameter",
      "10:1: error: `m` is marked @spgen table but cannot be tabulated: the hint needs the table size, an integer from 1 to 4096 (`@spgen table 64`)",
    ]);
  });

  it("unroll outline: what it refuses", () => {
    const fx = (
      hint: string,
      body: string,
      params = "out: Uint8Array, o: number, src: Readonly<Uint8Array>, n: number",
    ): string =>
      `export class R {\n  v = 0;\n}\nexport function f(${params}): void {\n  // @spgen unroll ${hint}\n  for (let i = 0; i < n; i++) {\n    ${body}\n  }\n}\n`;
    const why = (src: string): string[] =>
      diagnosticsOf(src).map((d) => d.replace(/^\d+:\d+: error: the @spgen unroll hint in `f` does not apply: /, ""));
    expect(why(fx("32", "out[o + i] = src[o + i];"))).toEqual([
      "`32` is not a power of two from 2 to 16 (up to 64 with `outline`), nor `full`",
    ]);
    expect(why(fx("4 8 outline", "out[o + i] = src[o + i];"))).toEqual(["the factors must decrease (4 8)"]);
    expect(why(fx("4 outline", "out[o + i] = i;"))).toEqual([
      "outline: the body reads `i` other than through `X + i` indices",
    ]);
    expect(why(fx("4 outline", "out[o + i] = src[(o + i) >> 1];"))).toEqual([
      "outline: each index of `src` must be `X + i` or `X + s * i` plus a literal (X unchanged by the loop, s a literal from 1 to 64)",
    ]);
    expect(why(fx("4 outline", "out[o + i] = r.v;", "out: Uint8Array, o: number, r: Readonly<R>, n: number"))).toEqual([
      "outline: the body must not read records or strings but their array elements and characters",
    ]);
    expect(
      why(
        "const T: readonly number[] = [1, 2, 3, 4];\n" +
          fx("4 outline", "out[o + i] = T[(o + i) >> 8];").replace("export class R", "class R"),
      ),
    ).toEqual(["outline: a table's index must not depend on `i`"]);
    // Exit branches: a lone `return`, one per body, with a value the caller can compute.
    expect(why(fx("4 outline", "if (src[o + i] === 0) {\n      out[o] = 1;\n      return;\n    }"))).toEqual([
      "outline: an exit branch must hold only its `return`",
    ]);
    expect(
      why(
        fx(
          "4 outline",
          "if (src[o + i] === 0) {\n      return;\n    }\n    if (src[o + i] === 1) {\n      return;\n    }",
        ),
      ),
    ).toEqual(["outline: the body may have one exit branch"]);
    expect(
      why(
        "export function f(src: Readonly<Uint8Array>, o: number, n: number): number {\n  // @spgen unroll 4 outline\n  for (let i = 0; i < n; i++) {\n    const b = src[o + i];\n    if (b === 0) {\n      return b;\n    }\n  }\n  return -1;\n}\n",
      ),
    ).toEqual(["outline: an exit branch must return a value without calls, locals of the body or hoisted reads"]);
    // key[(p + i) & 3] is read once per phase before the loop: copy 0's local is not copy j's element.
    expect(
      why(
        "export function f(out: Uint8Array, src: Readonly<Uint8Array>, o: number, key: Readonly<Uint8Array>, p: number, n: number): number {\n  // @spgen unroll 4 outline\n  for (let i = 0; i < n; i++) {\n    if (src[o + i] === 0) {\n      return key[(p + i) & 3];\n    }\n    out[o + i] = key[(p + i) & 3];\n  }\n  return -1;\n}\n",
      ),
    ).toEqual(["outline: an exit branch must return a value without calls, locals of the body or hoisted reads"]);
  });

  it("scalarize: what it refuses", () => {
    const why = (src: string): string[] =>
      diagnosticsOf(src).map((d) =>
        d.replace(/^\d+:\d+: error: the @spgen scalarize hint in `f` does not apply: /, ""),
      );
    const rec = "export class R {\n  v = 0;\n}\nexport function g(r: R): void {\n  r.v = 1;\n}\n";
    expect(
      why(
        `${rec}export function f(r: R, n: number): number {\n  // @spgen scalarize\n  for (let i = 0; i < n; i++) {\n    if (r.v > 3) {\n      return i;\n    }\n    r.v++;\n  }\n  return -1;\n}\n`,
      ),
    ).toEqual(["the loop must not return (the fields are stored back after it)"]);
    const loopOf = (params: string, body: string): string =>
      `export function f(${params}, n: number): void {\n  // @spgen scalarize\n  for (let i = 0; i < n; i++) {\n    ${body}\n  }\n}\n`;
    expect(why(rec + loopOf("r: R", "r.v++;\n    g(r);"))).toEqual([
      "no field can stay in a local: `r` is used whole (passed to a call or assigned)",
    ]);
    // Another record of the type a call receives may be the same record.
    expect(why(rec + loopOf("r: R, q: R", "r.v++;\n    g(q);"))).toEqual([
      "no field can stay in a local: a call in the loop receives a record of type R or one that holds it, which may be `r`",
    ]);
    // Two records of one type may be one record passed twice (f(x, x)).
    expect(why(rec + loopOf("a: R, b: R", "a.v++;\n    b.v++;"))).toEqual([
      "no field can stay in a local: the loop names `a` and `b`, records of type R that may be one record (a caller may pass one twice)",
    ]);
    // A record and a record field of the same type may be one record (f(x.s, x)).
    const nest =
      "export class S {\n  v = 0;\n}\nexport class T {\n  s = new S();\n}\nexport function h(t: T): void {\n  t.s.v = 1;\n}\n";
    expect(why(nest + loopOf("a: S, t: T", "a.v++;\n    t.s.v++;"))).toEqual([
      "no field can stay in a local: the loop names `a` and `t.s`, records of type S that may be one record (a caller may pass one twice)",
    ]);
    // A call receiving a record can change the records inside it (f(x.s, x) with h(x) in the loop).
    expect(why(nest + loopOf("a: S, t: T", "a.v++;\n    h(t);"))).toEqual([
      "no field can stay in a local: a call in the loop receives a record of type S or one that holds it, which may be `a`",
    ]);
    expect(why(rec + loopOf("r: R", "const q = new R();\n    q.v++;"))).toEqual([
      "no field can stay in a local: `q` is declared in the loop",
    ]);
    expect(why(rec + loopOf("r: R", "g(r);"))).toEqual([
      "the loop uses no int or bool field of a record local or parameter",
    ]);
    expect(why(`${rec}export function f(r: R): void {\n  // @spgen scalarize\n  r.v = 2;\n}\n`)).toEqual([
      "it must stand right before a loop",
    ]);
  });

  it("an @spgen comment that stands before nothing, or names no hint, is an error", () => {
    const stray =
      "this @spgen comment stands before no statement or declaration (after the last statement of a block, after code on its line, between `}` and `else`, or inside an expression), so it applies to nothing: put it on the line before the loop or declaration it is for";
    expect(
      diagnosticsOf(
        "export function f(a: Uint8Array, n: number): number {\n  let s = 0;\n  for (let i = 0; i < n; i++) {\n    s += a[i];\n    // @spgen unroll 2\n  }\n  if (n > 2) {\n    s += 1; // @spgen unroll 4\n  }\n  for (let i = 0; i < n; i++) { // @spgen unroll 2\n    s += a[i];\n  }\n  return s;\n}\n",
      ),
    ).toEqual([`5:8: error: ${stray}`, `8:16: error: ${stray}`, `10:36: error: ${stray}`]);
    // In a string it is text, not a hint.
    expect(
      diagnosticsOf(
        'function len(s: string): number {\n  return s.length;\n}\nexport function f(): number {\n  return len("// @spgen unroll 2");\n}\n',
      ),
    ).toEqual([]);
    expect(
      diagnosticsOf(
        "export function f(a: Uint8Array, n: number): number {\n  let s = 0;\n  // @spgen\n  for (let i = 0; i < n; i++) {\n    s += a[i];\n  }\n  return s;\n}\n",
      ),
    ).toEqual(["3:6: error: `@spgen` names no hint (the hints are inline, scalarize, scratch, split, table, unroll)"]);
  });

  it("an @spgen word that names no hint is an error (a misspelled hint would ask for nothing)", () => {
    const known = "(the hints are inline, scalarize, scratch, split, table, unroll)";
    expect(
      diagnosticsOf(
        "/** @spgen inlined */\nfunction g(x: number): number {\n  const y = x + 1;\n  return y;\n}\nexport function f(x: number, n: number): number {\n  let s = g(x);\n  // @spgen unrol 4\n  for (let i = 0; i < n; i++) {\n    s = (s + i) | 0;\n  }\n  // @spgen scalarise: a typo\n  for (let i = 0; i < n; i++) {\n    s = (s + i) | 0;\n  }\n  return s;\n}\n",
      ),
    ).toEqual([
      `1:5: error: \`@spgen inlined\` is not a hint ${known}`,
      `8:6: error: \`@spgen unrol\` is not a hint ${known}`,
      `12:6: error: \`@spgen scalarise\` is not a hint ${known}`,
    ]);
    // At the @spgen itself, on whichever line of a doc comment it stands (a record field's too); the word must be
    // on the same line.
    expect(
      diagnosticsOf(
        "export class R {\n  /**\n   * Scratch space.\n   * @spgen scratchy\n   */\n  w = new Int32Array(4);\n}\n/**\n * Adds one.\n * @spgen\n * inline\n */\nfunction g(x: number): number {\n  return x + 1;\n}\nexport function f(r: R, x: number): number {\n  r.w[0] = x;\n  return g(r.w[0]);\n}\n",
      ),
    ).toEqual([
      `4:6: error: \`@spgen scratchy\` is not a hint ${known}`,
      `10:4: error: \`@spgen\` names no hint ${known}`,
    ]);
  });

  it("a hint where its pass does not read it is an error at the @spgen (it would ask for nothing)", () => {
    const fnDoc = "in the doc comment (`/** … */`) right before a function, with no blank line between";
    const loop = "in a comment right before a loop inside a function";
    const field = "in the doc comment (`/** … */`) right before a record's array field, with no blank line between";
    const src = [
      "/** The module. @spgen inline */", // 1: the file's own doc (a blank line follows)
      "",
      "/** Adds one. @spgen inline */", // 3: a blank line before its function
      "",
      "function one(x: number): number {",
      "  return x + 1;",
      "}",
      "// @spgen inline", // 8: a `//` comment is no doc comment
      "function two(x: number): number {",
      "  return x + 2;",
      "}",
      "/** Sums. @spgen unroll 4 */", // 12: unroll is read before a loop, not in a doc
      "export function f(a: Uint8Array, n: number): number {",
      "  let s = one(n) + two(n);",
      "  // @spgen unroll", // 15: no factor (the pass's own error, at the loop)
      "  for (let i = 0; i < n; i++) {",
      "    s = (s + a[i]) | 0;",
      "  }",
      "  /** @spgen inline */", // 19: inline is read in a function's doc only
      "  const t = s + 1;",
      "  return t;",
      "}",
      "export class R {",
      "  // @spgen scratch", // 24: a `//` comment before a field
      "  w = new Int32Array(4);",
      "  /** @spgen scratch */", // 26: read
      "  v = new Int32Array(4);",
      "}",
      "/** see (@spgen inline) */", // 29: no pass reads a hint after `(`
      "export function g(r: R): number {",
      "  r.v[0] = 1;",
      "  return r.v[0];",
      "}",
      "",
    ].join("\n");
    expect(diagnosticsOf(src)).toEqual([
      `1:17: error: \`@spgen inline\` is read only ${fnDoc}: here it asks for nothing`,
      `3:15: error: \`@spgen inline\` is read only ${fnDoc}: here it asks for nothing`,
      `8:4: error: \`@spgen inline\` is read only ${fnDoc}: here it asks for nothing`,
      `12:11: error: \`@spgen unroll\` is read only ${loop}: here it asks for nothing`,
      `19:7: error: \`@spgen inline\` is read only ${fnDoc}: here it asks for nothing`,
      `24:6: error: \`@spgen scratch\` is read only ${field}: here it asks for nothing`,
      "29:10: error: this @spgen follows `(`, and hints are read only at the start of a comment line or after a space: put a space before it (or quote it in backticks if it is documentation)",
    ]);
    // Once those are gone, the bare `unroll` is the pass's error, at the loop.
    const fixed = src
      .split("\n")
      .map((l, i) => ([0, 2, 7, 11, 18, 23, 28].includes(i) ? "" : l))
      .join("\n");
    expect(diagnosticsOf(fixed)).toEqual([
      "16:3: error: the @spgen unroll hint in `f` does not apply: it needs `full` or factors (`unroll 4`, `unroll 16 4 outline`)",
    ]);
    // The file's doc before an import (a statement too); a no-break space is white space to the passes as well.
    writeFileSync(path.join(work, "lib.ts"), "export function inc(x: number): number {\n  return x + 1;\n}\n");
    writeFileSync(
      path.join(work, "m.ts"),
      '/** The module. @spgen inline */\n\nimport { inc } from "./lib.js";\n/** Twice.\u00a0@spgen\u00a0inline */\nfunction twice(x: number): number {\n  return x * 2;\n}\nexport function f(x: number): number {\n  return twice(inc(x));\n}\n',
    );
    let got: string[] = [];
    try {
      transpileFiles([path.join(work, "m.ts"), path.join(work, "lib.ts")], { cwd: work });
    } catch (e) {
      got = e instanceof DiagnosticsError ? e.diagnostics.map(formatDiagnostic) : [String(e)];
    }
    expect(got).toEqual([`m.ts:1:17: error: \`@spgen inline\` is read only ${fnDoc}: here it asks for nothing`]);
    // Quoted in backticks it is documentation: neither checked nor applied.
    const quoted =
      "/** Writes `@spgen inlined` or `// @spgen unroll 4` to mean them. */\nexport function h(a: Uint8Array, n: number): number {\n  let s = 0;\n  // Not `// @spgen unroll 4`:\n  for (let i = 0; i < n; i++) {\n    s = (s + a[i]) | 0;\n  }\n  return s;\n}\n";
    expect(diagnosticsOf(quoted)).toEqual([]);
    writeFileSync(path.join(work, "q.ts"), quoted);
    const printed = printDecls(transpileFiles([path.join(work, "q.ts")], { cwd: work }).decls);
    expect(printed).toContain("for (int i = 0; i < n; i++)");
    expect(printed).not.toContain("iEnd");
  });
});

// ---------------------------------------------------------------- the same results in SourcePawn

const KEY = [0x37, 0xfa, 0x21, 0x3d, 0x99];

/** Inputs of the `scan` fixture (private helpers inlined). */
const SCAN_INPUTS: readonly (readonly number[])[] = [
  [1, 2, 3, 3, 4],
  [0, 1, 2],
  [5, 0, 6, 0xf3, 7],
  [9, 8, 7, 6, 5, 4],
  [0xf0],
  [],
];

/** The cases run on both sides: one output line each. */
function nodeLines(): string[] {
  const lines: string[] = [];
  for (let len = 0; len <= 11; len++) {
    for (let off = 0; off <= 2; off++) {
      for (let phase = 0; phase <= 5; phase++) {
        const buf = new Uint8Array(16);
        for (let i = 0; i < 16; i++) {
          buf[i] = (i * 37 + 11) & 255;
        }
        unrollFx.maskRange(buf, off, len, Uint8Array.from(KEY), phase & 1, phase);
        lines.push(`mask ${len} ${off} ${phase}: ${[...buf].join(",")}`);
      }
    }
  }
  for (let from = 0; from <= 3; from++) {
    for (let to = 0; to <= 9; to++) {
      const src = new Uint8Array(12);
      for (let i = 0; i < 12; i++) {
        src[i] = (i * 91 + 200) & 255;
      }
      const dst = new Uint8Array(12);
      const sum = unrollFx.copySum(dst, 1, src, from, to);
      lines.push(`copy ${from} ${to}: ${sum} ${[...dst].join(",")}`);
    }
  }
  for (let t = 8; t < 12; t++) {
    const w = new Int32Array(16);
    for (let i = 0; i < 16; i++) {
      w[i] = Math.imul(i + 1, -1640531535);
    }
    const r = inlineFx.mixWords(w, t);
    lines.push(`mix ${t}: ${r} ${w[t]} ${inlineFx.countRotations(t * 12345)}`);
  }
  const w24 = new Int32Array(24);
  for (let i = 0; i < 24; i++) {
    w24[i] = Math.imul(i + 1, -1640531535);
  }
  lines.push(`phased: ${unrollFx.phasedSum(w24)}`);
  const src16 = new Int32Array(16);
  for (let i = 0; i < 16; i++) {
    src16[i] = Math.imul(i + 3, -1640531535);
  }
  lines.push(`full: ${unrollFx.mixFull(new unrollFx.Mix(), src16)}`);
  lines.push(`rotate: ${unrollFx.rotateFull(src16)}`);
  for (const bytes of SCAN_INPUTS) {
    const st = new inlineFx.Scan();
    const r = inlineFx.scan(st, Uint8Array.from([...bytes, 0, 0, 0, 0, 0, 0, 0, 0]), 0, bytes.length);
    lines.push(`scan ${bytes.length}: ${r} ${st.state} ${st.count} ${st.err} ${st.last}`);
  }
  for (let stop = 0; stop <= 12; stop++) {
    const src = new Uint8Array(12);
    for (let i = 0; i < 12; i++) {
      src[i] = i === stop ? 0 : i + 1;
    }
    const dst = new Uint8Array(16);
    const st = new unrollFx.Stop();
    const r = unrollFx.copyUntilZero(st, dst, 2, src, 1, 11);
    lines.push(`stop ${stop}: ${r} ${st.at} ${[...dst].join(",")}`);
  }
  for (let pick = 0; pick <= 1; pick++) {
    const s = new Uint8Array(16);
    for (let i = 0; i < 16; i++) {
      s[i] = (i * 5 + 44) & 255;
    }
    lines.push(`digits ${pick}: ${inlineFx.digitSum(s, 16, pick === 1)}`);
  }
  const words = new inlineFx.Words();
  const wbuf = new Uint8Array(12);
  for (let i = 0; i < 12; i++) {
    wbuf[i] = (i * 73 + 29) & 255;
    if (i < 8) {
      words.data[i] = (i * 151 + 3) & 255;
    }
  }
  lines.push(`words: ${inlineFx.wordSum(words, wbuf, 9)}`);
  lines.push(`picks: ${inlineFx.picks(words, wbuf, 12)}`);
  return lines;
}

/** Inputs of the outline fixture: lengths that hit every level and remainder, at several offsets and phases. */
const OUTLINE_LENS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 19, 20, 31, 33, 37];
const OUTLINE_TEXT = "The quick brown fox jumps over the lazy dog 0123";

function outlineNodeLines(): string[] {
  const lines: string[] = [];
  for (const len of OUTLINE_LENS) {
    for (let off = 0; off <= 2; off++) {
      const phase = (len + off) % 5;
      const buf = new Uint8Array(48);
      const out = new Uint8Array(48);
      for (let i = 0; i < 48; i++) {
        buf[i] = (i * 37 + 11) & 255;
      }
      outlineFx.xorCopy(out, off + 1, buf, off, len, Uint8Array.from(KEY.slice(off)));
      outlineFx.maskOutlined(buf, off, len, Uint8Array.from(KEY), phase & 1, phase);
      const dst = new Int32Array(48);
      const src = new Int32Array(48);
      for (let i = 0; i < 48; i++) {
        src[i] = Math.imul(i + 7, -1640531535);
      }
      outlineFx.addInts(dst, off, src, 2, off, len, -5 - off);
      const sum = outlineFx.sumBytes(buf, off, off + len);
      const text = new outlineFx.Buf();
      const end = outlineFx.putText(text, off, OUTLINE_TEXT.slice(0, len));
      lines.push(
        `outline ${len} ${off}: ${[...buf].join(",")} ${[...out].join(",")} ${[...dst].join(",")} ${end} ${[...text.data].join(",")} ${sum}`,
      );
      lines.push(outlineExitLine(len, off));
    }
  }
  return lines;
}

/** The exit-branch and overlapping-copy functions of the outline fixture for one length and offset (Node). */
function outlineExitLine(len: number, off: number): string {
  // d: the position of the first difference / of the byte looked for (len: none in range).
  const d = (len * 7 + off) % (len + 1);
  const dist = 1 + ((len + off) % 5);
  const a = new Uint8Array(48);
  for (let i = 0; i < 48; i++) {
    a[i] = (i * 37 + 11) & 255;
  }
  const b = Uint8Array.from(a);
  b[off + d] ^= 1;
  const c = d < len ? a[off + d] : 999;
  const z = Uint8Array.from(a);
  outlineFx.zeroUntil(z, off, len, c);
  const r = Uint8Array.from(a);
  outlineFx.repeatBack(r, off + dist, dist, len);
  const hex = new Uint8Array(48);
  outlineFx.hexEncode(a, off, len >> 1, hex, off + 1);
  return `exits ${len} ${off}: ${outlineFx.commonPrefix(a, off, b, off, len)} ${outlineFx.indexOfByte(a, off, len, c)} ${[...z].join(",")} ${[...r].join(",")} ${[...hex].join(",")}`;
}

function outlineSpProgram(): string {
  return `#pragma semicolon 1
#pragma newdecls required
native void printnum(int n);
#include "outline.inc"

public int main()
{
	char key[8];
${KEY.map((k, i) => `\tkey[${i}] = ${k};`).join("\n")}
	int lens[] = { ${OUTLINE_LENS.join(", ")} };
	char buf[48];
	char out[48];
	int dst[48];
	int src[48];
	for (int l = 0; l < sizeof(lens); l++)
	{
		int len = lens[l];
		for (int off = 0; off <= 2; off++)
		{
			int phase = (len + off) % 5;
			for (int i = 0; i < 48; i++)
			{
				buf[i] = (i * 37 + 11) & 255;
				out[i] = 0;
				dst[i] = 0;
				src[i] = (i + 7) * -1640531535;
			}
			xorCopy(out, off + 1, buf, off, len, key[off]);
			maskOutlined(buf, off, len, key, phase & 1, phase);
			int sum = sumBytes(buf, off, off + len);
			addInts(dst, off, src, 2, off, len, -5 - off);
			char text[49] = "${OUTLINE_TEXT}";
			text[len] = 0;
			Buf tb;
			int end = putText(tb, off, text);
			for (int i = 0; i < 48; i++)
			{
				printnum(buf[i]);
			}
			for (int i = 0; i < 48; i++)
			{
				printnum(out[i]);
			}
			for (int i = 0; i < 48; i++)
			{
				printnum(dst[i]);
			}
			printnum(end);
			for (int i = 0; i < 48; i++)
			{
				printnum(tb.data[i]);
			}
			printnum(sum);
			int d = (len * 7 + off) % (len + 1);
			int dist = 1 + ((len + off) % 5);
			char a[48];
			char b[48];
			char z[48];
			char r[48];
			for (int i = 0; i < 48; i++)
			{
				a[i] = (i * 37 + 11) & 255;
				b[i] = a[i];
				z[i] = a[i];
				r[i] = a[i];
			}
			b[off + d] ^= 1;
			int c = d < len ? view_as<int>(a[off + d]) : 999;
			zeroUntil(z, off, len, c);
			repeatBack(r, off + dist, dist, len);
			printnum(commonPrefix(a, off, b, off, len));
			printnum(indexOfByte(a, off, len, c));
			for (int i = 0; i < 48; i++)
			{
				printnum(z[i]);
			}
			for (int i = 0; i < 48; i++)
			{
				printnum(r[i]);
			}
			char hex[48];
			hexEncode(a, off, len >> 1, hex, off + 1);
			for (int i = 0; i < 48; i++)
			{
				printnum(hex[i]);
			}
		}
	}
	return 0;
}
`;
}

function outlineSpLines(numbers: number[]): string[] {
  const lines: string[] = [];
  let p = 0;
  for (const len of OUTLINE_LENS) {
    for (let off = 0; off <= 2; off++) {
      const part = (k: number): string => numbers.slice(p + k * 48, p + (k + 1) * 48).join(",");
      const text = numbers.slice(p + 145, p + 193).join(",");
      lines.push(
        `outline ${len} ${off}: ${part(0)} ${part(1)} ${part(2)} ${numbers[p + 144]} ${text} ${numbers[p + 193]}`,
      );
      p += 194;
      const z = numbers.slice(p + 2, p + 50).join(",");
      const r = numbers.slice(p + 50, p + 98).join(",");
      const hex = numbers.slice(p + 98, p + 146).join(",");
      lines.push(`exits ${len} ${off}: ${numbers[p]} ${numbers[p + 1]} ${z} ${r} ${hex}`);
      p += 146;
    }
  }
  expect(p).toBe(numbers.length);
  return lines;
}

/** spshell has no Format: the program prints numbers with printnums and Node formats them. */
function spProgram(): string {
  return `#pragma semicolon 1
#pragma newdecls required
native void printnum(int n);
#include "fixtures.inc"

public int main()
{
	char key[8];
${KEY.map((k, i) => `\tkey[${i}] = ${k};`).join("\n")}
	char buf[16];
	char src[12];
	char dst[12];
	int w[16];
	for (int len = 0; len <= 11; len++)
	{
		for (int off = 0; off <= 2; off++)
		{
			for (int phase = 0; phase <= 5; phase++)
			{
				for (int i = 0; i < 16; i++)
				{
					buf[i] = (i * 37 + 11) & 255;
				}
				maskRange(buf, off, len, key, phase & 1, phase);
				for (int i = 0; i < 16; i++)
				{
					printnum(buf[i]);
				}
			}
		}
	}
	for (int from = 0; from <= 3; from++)
	{
		for (int to = 0; to <= 9; to++)
		{
			for (int i = 0; i < 12; i++)
			{
				src[i] = (i * 91 + 200) & 255;
				dst[i] = 0;
			}
			printnum(copySum(dst, 1, src, from, to));
			for (int i = 0; i < 12; i++)
			{
				printnum(dst[i]);
			}
		}
	}
	for (int t = 8; t < 12; t++)
	{
		for (int i = 0; i < 16; i++)
		{
			w[i] = (i + 1) * -1640531535;
		}
		printnum(mixWords(w, t));
		printnum(w[t]);
		printnum(countRotations(t * 12345));
	}
	int w24[24];
	for (int i = 0; i < 24; i++)
	{
		w24[i] = (i + 1) * -1640531535;
	}
	printnum(phasedSum(w24));
	int src16[16];
	for (int i = 0; i < 16; i++)
	{
		src16[i] = (i + 3) * -1640531535;
	}
	Mix mx;
	printnum(mixFull(mx, src16));
	printnum(rotateFull(src16));
${SCAN_INPUTS.map((bytes) => `\t{\n\t\tchar sb[16];\n${bytes.map((b, k) => `\t\tsb[${k}] = ${b};\n`).join("")}\t\tScan sc;\n\t\tprintnum(scan(sc, sb, 0, ${bytes.length}));\n\t\tprintnum(sc.state);\n\t\tprintnum(sc.count);\n\t\tprintnum(sc.err);\n\t\tprintnum(sc.last);\n\t}`).join("\n")}
	for (int stop = 0; stop <= 12; stop++)
	{
		char zsrc[12];
		char zdst[16];
		for (int i = 0; i < 12; i++)
		{
			zsrc[i] = i == stop ? 0 : i + 1;
		}
		for (int i = 0; i < 16; i++)
		{
			zdst[i] = 0;
		}
		Stop st;
		printnum(copyUntilZero(st, zdst, 2, zsrc, 1, 11));
		printnum(st.at);
		for (int i = 0; i < 16; i++)
		{
			printnum(zdst[i]);
		}
	}
	char digits[16];
	for (int pick = 0; pick <= 1; pick++)
	{
		for (int i = 0; i < 16; i++)
		{
			digits[i] = (i * 5 + 44) & 255;
		}
		printnum(digitSum(digits, 16, pick == 1));
	}
	Words words;
	char wbuf[12];
	for (int i = 0; i < 12; i++)
	{
		wbuf[i] = (i * 73 + 29) & 255;
		if (i < 8)
		{
			words.data[i] = (i * 151 + 3) & 255;
		}
	}
	printnum(wordSum(words, wbuf, 9));
	printnum(picks(words, wbuf, 12));
	return 0;
}
`;
}

/** Rebuilds the Node lines' layout from the flat numbers spshell printed. */
function spLines(numbers: number[]): string[] {
  const lines: string[] = [];
  let p = 0;
  const take = (n: number): number[] => {
    const r = numbers.slice(p, p + n);
    p += n;
    return r;
  };
  for (let len = 0; len <= 11; len++) {
    for (let off = 0; off <= 2; off++) {
      for (let phase = 0; phase <= 5; phase++) {
        lines.push(`mask ${len} ${off} ${phase}: ${take(16).join(",")}`);
      }
    }
  }
  for (let from = 0; from <= 3; from++) {
    for (let to = 0; to <= 9; to++) {
      const [sum] = take(1);
      lines.push(`copy ${from} ${to}: ${sum} ${take(12).join(",")}`);
    }
  }
  for (let t = 8; t < 12; t++) {
    const [r, wt, n] = take(3);
    lines.push(`mix ${t}: ${r} ${wt} ${n}`);
  }
  lines.push(`phased: ${take(1)[0]}`);
  lines.push(`full: ${take(1)[0]}`);
  lines.push(`rotate: ${take(1)[0]}`);
  for (const bytes of SCAN_INPUTS) {
    const [r, state, count, err, last] = take(5);
    lines.push(`scan ${bytes.length}: ${r} ${state} ${count} ${err} ${last}`);
  }
  for (let stop = 0; stop <= 12; stop++) {
    const [r, at] = take(2);
    lines.push(`stop ${stop}: ${r} ${at} ${take(16).join(",")}`);
  }
  for (let pick = 0; pick <= 1; pick++) {
    lines.push(`digits ${pick}: ${take(1)[0]}`);
  }
  lines.push(`words: ${take(1)[0]}`);
  lines.push(`picks: ${take(1)[0]}`);
  expect(p).toBe(numbers.length);
  return lines;
}

/** The table fixture's cases (Node side), one line each. */
function tableNodeLines(): string[] {
  const lines: string[] = [];
  for (let seed = 0; seed < 8; seed++) {
    const src = new Int32Array(8);
    for (let i = 0; i < 8; i++) {
      src[i] = Math.imul(i + seed, -1640531535);
    }
    const out = new Uint8Array(16);
    const sum = tableFx.hexBytes(src, 8, out);
    lines.push(`hex ${seed}: ${sum} ${[...out].join(",")}`);
  }
  const s = new Uint8Array(256);
  for (let i = 0; i < 256; i++) {
    s[i] = i;
  }
  for (const x of [-5, 0, 9, 32, 48, 65, 97, 300, -2147483648, 2147483647]) {
    lines.push(`blanks ${x}: ${tableFx.blanks(s, 256, x)}`);
  }
  return lines;
}

/** Inputs of the scalarize fixture: value widths, counts and byte limits (some reached mid-loop). */
const SCALARIZE_CASES: readonly (readonly [number, number, number])[] = [
  [3, 0, 16],
  [3, 20, 16],
  [5, 11, 4],
  [7, 40, 16],
  [8, 9, 9],
  [13, 12, 5],
  [16, 5, 16],
  [16, 9, 3],
];

/** One line per case: returned count, the writer's fields and bytes, the counter (Node). */
function scalarizeNodeLines(): string[] {
  return SCALARIZE_CASES.map(([n, count, limit]) => {
    const w = new scalarizeFx.BitWriter();
    w.limit = limit;
    const c = new scalarizeFx.Counter();
    const vals = Int32Array.from({ length: 40 }, (_, i) => Math.imul(i + 3, 40503) - 70000);
    const r = scalarizeFx.packBits(w, c, vals, n, count);
    return `pack ${n} ${count} ${limit}: ${r} ${w.buf} ${w.cnt} ${w.pos} ${w.full ? 1 : 0} ${c.n} ${[...w.out].join(",")}`;
  });
}

function scalarizeSpProgram(): string {
  return `#pragma semicolon 1
#pragma newdecls required
native void printnum(int n);
#include "scalarize.inc"

public int main()
{
	int cases[][3] = { ${SCALARIZE_CASES.map((c) => `{ ${c.join(", ")} }`).join(", ")} };
	int vals[40];
	for (int i = 0; i < 40; i++)
	{
		vals[i] = (i + 3) * 40503 - 70000;
	}
	for (int k = 0; k < sizeof(cases); k++)
	{
		BitWriter w;
		w.limit = cases[k][2];
		Counter c;
		printnum(packBits(w, c, vals, cases[k][0], cases[k][1]));
		printnum(w.buf);
		printnum(w.cnt);
		printnum(w.pos);
		printnum(w.full ? 1 : 0);
		printnum(c.n);
		for (int i = 0; i < 16; i++)
		{
			printnum(w.out[i]);
		}
	}
	return 0;
}
`;
}

function scalarizeSpLines(numbers: number[]): string[] {
  expect(numbers.length).toBe(SCALARIZE_CASES.length * 22);
  return SCALARIZE_CASES.map(([n, count, limit], k) => {
    const v = numbers.slice(k * 22, (k + 1) * 22);
    return `pack ${n} ${count} ${limit}: ${v.slice(0, 6).join(" ")} ${v.slice(6).join(",")}`;
  });
}

function tableSpProgram(): string {
  return `#pragma semicolon 1
#pragma newdecls required
native void printnum(int n);
#include "table.inc"

public int main()
{
	int src[8];
	char out[16];
	for (int seed = 0; seed < 8; seed++)
	{
		for (int i = 0; i < 8; i++)
		{
			src[i] = (i + seed) * -1640531535;
		}
		printnum(hexBytes(src, 8, out));
		for (int i = 0; i < 16; i++)
		{
			printnum(out[i]);
		}
	}
	char s[256];
	for (int i = 0; i < 256; i++)
	{
		s[i] = i;
	}
	int xs[10] = { -5, 0, 9, 32, 48, 65, 97, 300, -2147483648, 2147483647 };
	for (int k = 0; k < 10; k++)
	{
		printnum(blanks(s, 256, xs[k]));
	}
	return 0;
}
`;
}

function tableSpLines(numbers: number[]): string[] {
  const lines: string[] = [];
  let p = 0;
  for (let seed = 0; seed < 8; seed++) {
    lines.push(`hex ${seed}: ${numbers[p]} ${numbers.slice(p + 1, p + 17).join(",")}`);
    p += 17;
  }
  for (const x of [-5, 0, 9, 32, 48, 65, 97, 300, -2147483648, 2147483647]) {
    lines.push(`blanks ${x}: ${numbers[p++]}`);
  }
  expect(p).toBe(numbers.length);
  return lines;
}

describe("optimised code computes what the spec computes (spshell)", () => {
  const compilers = findCompilers();
  const shells = findShells();
  if (compilers.length === 0) {
    skipWithReason(import.meta.url, "optimised fixtures run in spshell", "no spcomp found (see npm run toolchain)");
  }
  /**
   * Writes `name`.inc (the transpiled `fixtures`) and `name`.sp (`program`), compiles it with every
   * compiler, runs it in every VM that loads it, and expects `toLines` of its printed numbers to
   * equal Node's `expected`.
   */
  function expectSameInEveryVm(
    name: string,
    fixtures: readonly string[],
    program: string,
    expected: readonly string[],
    toLines: (numbers: number[]) => string[],
  ): void {
    const decls = transpileFiles(
      fixtures.map((f) => path.join(FIXTURES, f)),
      { cwd: ROOT },
    ).decls;
    writeFileSync(path.join(work, `${name}.inc`), printDecls(decls));
    writeFileSync(path.join(work, `${name}.sp`), program);
    let runs = 0;
    for (const c of compilers) {
      const smx = path.join(work, `${name}-${c.version}.smx`);
      const comp = spawnSync(c.path, ["-p", "none", "-E", "-v", "0", `${name}.sp`, `-o${smx}`], {
        cwd: work,
        encoding: "utf8",
      });
      expect(comp.status, `${c.banner}:\n${comp.stdout}${comp.stderr}`).toBe(0);
      for (const mode of runModesFor(c, shells)) {
        const out = execFileSync(mode.shell.path, [...mode.args, smx], { encoding: "utf8" });
        const numbers = out
          .trim()
          .split("\n")
          .map((l) => Number(l));
        expect(toLines(numbers), `${c.banner}, ${mode.label}`).toEqual(expected);
        runs++;
      }
    }
    expect(runs).toBeGreaterThan(0);
  }

  it.skipIf(compilers.length === 0)("the fixtures' unrolled and inlined functions match Node in every VM", () => {
    expectSameInEveryVm(
      "fixtures",
      ["constructs/inline.ts", "constructs/unroll.ts"],
      spProgram(),
      nodeLines(),
      spLines,
    );
  });

  it.skipIf(compilers.length === 0)("the outlined unrolled loops (unroll … outline) match Node in every VM", () => {
    expectSameInEveryVm("outline", ["constructs/outline.ts"], outlineSpProgram(), outlineNodeLines(), outlineSpLines);
  });

  it.skipIf(compilers.length === 0)("the scalarized loop (@spgen scalarize) matches Node in every VM", () => {
    expectSameInEveryVm(
      "scalarize",
      ["constructs/scalarize.ts"],
      scalarizeSpProgram(),
      scalarizeNodeLines(),
      scalarizeSpLines,
    );
  });

  it.skipIf(compilers.length === 0)("the tabulated functions (@spgen table) match Node in every VM", () => {
    expectSameInEveryVm("table", ["constructs/table.ts"], tableSpProgram(), tableNodeLines(), tableSpLines);
  });
});
