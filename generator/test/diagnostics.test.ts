/**
 * Refused constructs: each fixtures/refused/<name>.ts holds one construct
 * outside the SourcePawn subset and must give exactly these diagnostics
 * (`file:line:col: error: …`), with no follow-up noise, and no output.
 */

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DiagnosticsError } from "../diagnostics.js";
import { transpileFiles } from "../transpile.js";
import { FIXTURES, fixtureDiagnostics, ROOT, transpileFixture } from "./helpers.js";

/** Fixture name → expected diagnostics without the `generator/test/fixtures/refused/<name>.ts:` prefix. */
const EXPECTED: readonly (readonly [string, readonly string[]])[] = [
  [
    "self-assignment",
    [
      "3:3: error: assigning a variable to itself is not supported in the SourcePawn subset (drop the statement: spcomp warns about it with warning 226)",
    ],
  ],
  [
    "constant-condition",
    [
      "4:7: error: a condition that is a compile-time constant is not supported in the SourcePawn subset (spcomp warns about a redundant test, warnings 206 and 205: decide it without a test, or test a value known at run time)",
      "7:19: error: a condition that is a compile-time constant is not supported in the SourcePawn subset (spcomp warns about a redundant test, warnings 206 and 205: decide it without a test, or test a value known at run time)",
    ],
  ],
  [
    "unreachable",
    [
      "7:3: error: unreachable code is not supported in the SourcePawn subset (remove it: spcomp warns about it with warning 225)",
    ],
  ],
  [
    "missing-return",
    [
      "1:17: error: a function that can reach its end without returning a value is not supported in the SourcePawn subset (return a value on every path: JavaScript would return undefined, spcomp warns with warning 209)",
    ],
  ],
  [
    "any",
    [
      "1:22: error: `any` is not supported in the SourcePawn subset (annotate number, boolean, string, Uint8Array, Int32Array or a record)",
    ],
  ],
  [
    "array-literal",
    [
      "2:13: error: an array literal outside a constant table is not supported in the SourcePawn subset (only module-level constant tables (`export const T: readonly number[] = [...]`) may use them)",
    ],
  ],
  [
    "array-param-length",
    [
      "2:10: error: `.length` on an array parameter is not supported in the SourcePawn subset (SourcePawn arrays do not know their length: pass it as a parameter)",
    ],
  ],
  [
    "arrow-function",
    [
      "2:13: error: an arrow function or closure is not supported in the SourcePawn subset (write a module-level function and pass what it needs as parameters)",
    ],
  ],
  [
    "assignment-in-expression",
    [
      "3:14: error: an assignment inside an expression is not supported in the SourcePawn subset (assign in a statement of its own)",
    ],
  ],
  [
    "bare-division",
    [
      "2:12: error: `/` outside `(a / b) | 0` is not supported in the SourcePawn subset (JavaScript division gives a fraction: write `(a / b) | 0` for integer division)",
    ],
  ],
  [
    "big-literal",
    [
      "2:10: error: the integer literal 0xffffffff (above 2^31-1) is not supported in the SourcePawn subset (write `0xffffffff | 0` for its 32-bit pattern: SourcePawn ints are signed)",
    ],
  ],
  [
    "class-constructor",
    [
      "3:3: error: a constructor is not supported in the SourcePawn subset (records are zero-initialised: set their fields in an init function)",
    ],
  ],
  [
    "class-method",
    [
      "3:3: error: a class method is not supported in the SourcePawn subset (records are data only: write a module-level function that takes the record)",
    ],
  ],
  [
    "closure",
    ["2:3: error: a nested function is not supported in the SourcePawn subset (declare functions at module level)"],
  ],
  [
    "console",
    [
      "2:3: error: calling `console.log` is not supported in the SourcePawn subset (the core has no I/O or libraries: only core functions can be called)",
    ],
  ],
  [
    "destructuring",
    ["6:9: error: destructuring is not supported in the SourcePawn subset (declare one local per value)"],
  ],
  [
    "enum-type",
    [
      "6:25: error: the parameter type `Mode` (an enum) is not supported in the SourcePawn subset (annotate `number`: a member of Mode is an int in SourcePawn)",
      "10:34: error: the return type `Mode` (an enum) is not supported in the SourcePawn subset (annotate `number`: a member of Mode is an int in SourcePawn)",
    ],
  ],
  [
    "enum-no-value",
    [
      "2:3: error: an enum member without an explicit value is not supported in the SourcePawn subset (give every member an integer value, e.g. `A = 1`)",
    ],
  ],
  [
    "fall-through",
    [
      "4:5: error: fall-through from one case into the next is not supported in the SourcePawn subset (end every non-empty case with break, return or continue; SourcePawn cases never fall through)",
    ],
  ],
  [
    "field-initialiser",
    [
      "2:7: error: a field initialiser other than the zero of its type is not supported in the SourcePawn subset (SourcePawn zero-fills enum structs: initialise to 0, false, a new array or a new record, and set other values in an init function)",
      "3:8: error: a field initialiser other than the zero of its type is not supported in the SourcePawn subset (SourcePawn zero-fills enum structs: initialise to 0, false, a new array or a new record, and set other values in an init function)",
    ],
  ],
  [
    "float-literal",
    [
      "2:10: error: a floating-point literal is not supported in the SourcePawn subset (the core computes with 32-bit ints only)",
    ],
  ],
  [
    "for-in",
    [
      "3:3: error: for\u2026in is not supported in the SourcePawn subset (loop over an index: `for (let i = 0; i < n; i++)`)",
    ],
  ],
  [
    "for-of",
    [
      "3:3: error: for\u2026of is not supported in the SourcePawn subset (loop over an index: `for (let i = 0; i < n; i++)`)",
    ],
  ],
  [
    "import-outside",
    [
      "1:30: error: an import from outside the core is not supported in the SourcePawn subset (core modules import only each other; the generator has no I/O or libraries)",
    ],
  ],
  [
    "increment-in-expression",
    [
      "3:17: error: `++`/`--` inside an expression is not supported in the SourcePawn subset (use it as a statement of its own)",
    ],
  ],
  ["index-string", ["2:10: error: indexing a string is not supported in the SourcePawn subset (use s.charCodeAt(i))"]],
  [
    "interface",
    [
      "1:1: error: an interface or type alias is not supported in the SourcePawn subset (use records (field-only classes) and the types of the subset)",
    ],
  ],
  [
    "logical-number",
    [
      "2:10: error: `&&` on a number is not supported in the SourcePawn subset (JavaScript then yields one of the numbers, not a boolean: compare it, e.g. `x !== 0`)",
    ],
  ],
  [
    "compare-types",
    [
      "2:10: error: `===` between Uint8Array and Uint8Array is not supported in the SourcePawn subset (on arrays and records `===` tests identity, which SourcePawn cannot: compare the elements or fields, or pass along which one is meant)",
      "6:10: error: `<` between boolean and boolean is not supported in the SourcePawn subset (`<`, `<=`, `>` and `>=` compare two numbers: turn a boolean into one first (`b ? 1 : 0`))",
      "10:10: error: `===` between boolean and number is not supported in the SourcePawn subset (compare two numbers or two booleans: a boolean against a number is always unequal in TypeScript; test the boolean itself (`b`, `!b`) or turn it into a number (`b ? 1 : 0`))",
    ],
  ],
  [
    "loose-equality",
    [
      "2:12: error: `==` is not supported in the SourcePawn subset (use `===`: loose equality converts types)",
      "2:22: error: `!=` is not supported in the SourcePawn subset (use `!==`: loose equality converts types)",
    ],
  ],
  [
    "math-other",
    [
      "2:10: error: Math.floor is not supported in the SourcePawn subset (only Math.imul is in the subset)",
      "2:26: error: Math.max is not supported in the SourcePawn subset (only Math.imul is in the subset)",
    ],
  ],
  [
    "missing-return-type",
    [
      "1:17: error: a function without a return type annotation is not supported in the SourcePawn subset (annotate it `: number`, `: boolean` or `: void`)",
    ],
  ],
  [
    "module-let",
    [
      "1:1: error: module-level `let`/`var` is not supported in the SourcePawn subset (the core has no globals that change: keep state in records passed as parameters)",
    ],
  ],
  [
    "module-side-effect",
    [
      "5:1: error: a module-level statement is not supported in the SourcePawn subset (a core module only declares constants, enums, records and functions: no side effects)",
    ],
  ],
  [
    "nested-break",
    [
      "6:9: error: `break` that leaves a switch from inside a nested statement is not supported in the SourcePawn subset (SourcePawn cases end by themselves and its `break` would leave the enclosing loop: end the case with its only break, or use a flag)",
    ],
  ],
  [
    "non-const-enum",
    [
      "1:1: error: an enum that is not a `const enum` is not supported in the SourcePawn subset (write `export const enum E { \u2026 }`)",
    ],
  ],
  [
    "non-constant-size",
    [
      "2:28: error: an array size that is not a compile-time constant is not supported in the SourcePawn subset (use literals, exported constants, enum members and arithmetic of those)",
    ],
  ],
  [
    "non-literal-case",
    [
      "3:10: error: a case value that is not a literal, character code, enum member or constant is not supported in the SourcePawn subset (SourcePawn case labels are constants; use if/else for computed values)",
    ],
  ],
  ["null", ["2:13: error: `null` is not supported in the SourcePawn subset (use a sentinel int such as -1)"]],
  [
    "object-literal",
    [
      "2:13: error: an object literal is not supported in the SourcePawn subset (declare a record class and create it with `const r = new X()`)",
    ],
  ],
  [
    "optional-chaining",
    [
      "6:10: error: optional chaining is not supported in the SourcePawn subset (null and undefined are not in the subset)",
    ],
  ],
  [
    "optional-param",
    [
      "1:19: error: an optional parameter without a default is not supported in the SourcePawn subset (give it a default value, e.g. `n: number = 0`)",
    ],
  ],
  [
    "readonly-to-mutable",
    [
      "6:5: error: argument `b` of `g` may be modified but the array passed is read-only (declare the parameter `Readonly<Uint8Array>`)",
    ],
  ],
  [
    "record-assignment",
    [
      "6:3: error: assigning a whole array or record is not supported in the SourcePawn subset (SourcePawn copies where JavaScript shares: copy the fields or elements one by one)",
    ],
  ],
  [
    "spread",
    ["6:12: error: spread is not supported in the SourcePawn subset (pass arrays with explicit offsets and lengths)"],
  ],
  [
    "string-concat",
    [
      "6:12: error: string concatenation is not supported in the SourcePawn subset (strings are never built at run time: write the pieces into a byte array one after the other)",
    ],
  ],
  [
    "string-local",
    [
      "2:9: error: a string local is not supported in the SourcePawn subset (pass string literals or constants directly where they are needed)",
    ],
  ],
  [
    "template-string",
    [
      "6:12: error: a template string is not supported in the SourcePawn subset (strings are never built at run time: use a string literal)",
    ],
  ],
  [
    "this",
    [
      "2:10: error: `this` is not supported in the SourcePawn subset (records have no methods: pass the record as a parameter)",
    ],
  ],
  [
    "throw",
    [
      "3:5: error: `throw` is not supported in the SourcePawn subset (the core has no exceptions: return an error code)",
    ],
  ],
  [
    "try-catch",
    [
      "2:3: error: try/catch is not supported in the SourcePawn subset (the core has no exceptions: return an error code)",
    ],
  ],
  [
    "type-assertion",
    [
      "2:10: error: a type assertion is not supported in the SourcePawn subset (values of the subset need none: declare the right type instead)",
    ],
  ],
  [
    "typeof",
    ["2:10: error: `typeof` is not supported in the SourcePawn subset (every value of the subset has a static type)"],
  ],
  ["undefined", ["2:11: error: `undefined` is not supported in the SourcePawn subset (use a sentinel int such as -1)"]],
  [
    "unsigned-value",
    [
      "2:13: error: the result of `>>>` by 0 or by a variable count used as a number is not supported in the SourcePawn subset (JavaScript reads it as unsigned (up to 2^32-1) where SourcePawn has a negative int: feed it to a bit-wise operator, `| 0` or a typed-array store)",
    ],
  ],
  ["var", ["2:3: error: `var` is not supported in the SourcePawn subset (use let or const)"]],
];

describe("refused constructs", () => {
  it("covers every fixture", () => {
    const files = readdirSync(path.join(FIXTURES, "refused"))
      .filter((f) => f.endsWith(".ts"))
      .map((f) => f.slice(0, -3))
      .sort();
    expect(EXPECTED.map(([n]) => n).sort()).toEqual(files);
  });

  for (const [name, expected] of EXPECTED) {
    it(name, () => {
      const prefix = `generator/test/fixtures/refused/${name}.ts:`;
      expect(fixtureDiagnostics(`refused/${name}.ts`)).toEqual(expected.map((e) => prefix + e));
    });
  }

  it("reports every problem of a run at once, in file order, and throws before producing output", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "spgen-refused-"));
    try {
      writeFileSync(path.join(dir, "b.ts"), "export function g(): number {\n  return 1.5;\n}\n");
      writeFileSync(
        path.join(dir, "a.ts"),
        "export function f(x: number): number {\n  const o = { x };\n  return x == 1 ? 0 : this.y;\n}\n",
      );
      let error: unknown = null;
      try {
        transpileFiles([path.join(dir, "a.ts"), path.join(dir, "b.ts")], { cwd: dir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DiagnosticsError);
      const lines = (error as DiagnosticsError).diagnostics.map(
        (d) => `${d.file}:${d.line}:${d.column}: ${d.severity}`,
      );
      expect(lines).toEqual(["a.ts:2:13: error", "a.ts:3:12: error", "a.ts:3:23: error", "b.ts:2:10: error"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reports names that collide in SourcePawn's single namespace", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "spgen-collide-"));
    try {
      writeFileSync(
        path.join(dir, "a.ts"),
        "function helper(): number {\n  return 1;\n}\n\nexport function a(): number {\n  return helper();\n}\n",
      );
      writeFileSync(
        path.join(dir, "b.ts"),
        "function helper(): number {\n  return 2;\n}\n\nexport function b(): number {\n  return helper();\n}\n",
      );
      let error: unknown = null;
      try {
        transpileFiles([path.join(dir, "a.ts"), path.join(dir, "b.ts")], { cwd: dir });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(DiagnosticsError);
      expect((error as DiagnosticsError).message).toBe(
        "b.ts:1:1: error: the function `helper` becomes `helper` in SourcePawn, which the function `helper` (a.ts:1) already is: all core modules share one SourcePawn namespace, rename one of them",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("warns about large locals on the plugin stack, and still generates", () => {
    const prefix = "generator/test/fixtures/warnings/big-local.ts:";
    expect(fixtureDiagnostics("warnings/big-local.ts")).toEqual([
      `${prefix}11:9: warning: the local \`buf\` takes 4096 bytes of the plugin's stack (SourcePawn locals live on a stack sized by #pragma dynamic): keep large buffers in records owned by the caller`,
      `${prefix}12:9: warning: the local \`b\` takes 8196 bytes of the plugin's stack (SourcePawn locals live on a stack sized by #pragma dynamic): keep large buffers in records owned by the caller`,
    ]);
    const out = transpileFixture("warnings/big-local.ts");
    expect(out).toContain("\tchar buf[BIG / 2];\n\tBig b;\n");
  });

  it("leaves no trace of a refused fixture in the project", () => {
    expect(existsSync(path.join(ROOT, "generator/test/fixtures/refused/any.inc"))).toBe(false);
    expect(readFileSync(path.join(FIXTURES, "refused/this.ts"), "utf8")).toContain("this.x");
  });
});
