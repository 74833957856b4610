/**
 * `@spgen table N` in a function's JSDoc: the function is computed at
 * generation time for every argument 0..N-1 into a constant table, and each
 * call whose argument is provably in 0..N-1 becomes a read of that table.
 * In SourcePawn a table read is a bounds check and a load, where a chain of
 * comparisons (base64's character classes) costs a branch per class.
 *
 * A function qualifies when it has the shape `@spgen inline` accepts (a
 * single `return expr;` or an if/return chain over its parameters, reading
 * nothing but them, constants and literals) and exactly one int parameter,
 * and returns an int or a boolean. Its values are those the TypeScript
 * computes (32-bit semantics of the IR), so the table is exact.
 *
 * A call is replaced only when a simple range analysis of its argument shows
 * it is in 0..N-1: `x & M` (M ≥ 0), a byte read (`Uint8Array` element or a
 * string's character), `x >>> k`, `x >> k` and `x % M` of non-negative
 * values, literals, and sums and `?:` of those. Other calls stay calls (and
 * can still be inlined when the function is also marked `@spgen inline`).
 * The table is named `<function>Table`; a boolean function's table holds 0
 * and 1 and its reads compare with 0.
 */

import type { Diagnostic } from "../diagnostics.js";
import { evalConst } from "../frontend/constant.js";
import {
  arrayTypeOf,
  type ArrayType,
  type Expr,
  type FunctionDecl,
  type Module,
  type SpecModel,
  type TableDecl,
} from "../model.js";
import { inlinable } from "./inline.js";
import { intLit, mapExpr, mapStmts, matchHint } from "./ir.js";

const HINT = /(?:^|\s)@spgen\s+table(?:\s+(\S+))?/;

/** Largest table a hint may ask for. */
export const MAX_TABLE = 4096;

interface Tabled {
  readonly table: string;
  readonly size: number;
  readonly bool: boolean;
}

type Range = readonly [number, number];

const INT32_MIN = -0x80000000;
const INT32_MAX = 0x7fffffff;

function fits(r: Range): Range | null {
  return r[0] >= INT32_MIN && r[1] <= INT32_MAX ? r : null;
}

/** The values `e` can take, when a simple analysis can bound them; null otherwise. */
export function intRange(e: Expr): Range | null {
  switch (e.kind) {
    case "int": {
      const v = e.value | 0;
      return [v, v];
    }
    case "char":
      return [e.code, e.code];
    case "strCharAt":
      return [0, 255];
    case "index":
      return arrayTypeOf(e.array)?.element === "byte" ? [0, 255] : null;
    case "wrap":
      return intRange(e.operand);
    case "conditional": {
      const a = intRange(e.whenTrue);
      const b = intRange(e.whenFalse);
      return a === null || b === null ? null : [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
    }
    case "binary": {
      const l = intRange(e.left);
      const r = intRange(e.right);
      switch (e.op) {
        case "&": {
          const his = [l, r].filter((x): x is Range => x !== null && x[0] >= 0).map((x) => x[1]);
          return his.length === 0 ? null : [0, Math.min(...his)];
        }
        case ">>>":
          if (r === null || r[0] !== r[1] || r[0] < 1 || r[0] > 31) {
            return null;
          }
          return l !== null && l[0] >= 0 ? [l[0] >>> r[0], l[1] >>> r[0]] : [0, 2 ** (32 - r[0]) - 1];
        case ">>":
          if (l === null || r === null || r[0] !== r[1] || r[0] < 0 || r[0] > 31) {
            return null;
          }
          return [l[0] >> r[0], l[1] >> r[0]];
        case "%":
          if (l === null || r === null || l[0] < 0 || r[0] !== r[1] || r[0] <= 0) {
            return null;
          }
          return [0, Math.min(l[1], r[0] - 1)];
        case "+":
          return l === null || r === null ? null : fits([l[0] + r[0], l[1] + r[1]]);
        case "-":
          return l === null || r === null ? null : fits([l[0] - r[1], l[1] - r[0]]);
        default:
          return null;
      }
    }
    default:
      return null;
  }
}

/** The values of `f` for 0..size-1, or why they cannot be computed. */
function tabulate(f: FunctionDecl, size: number, consts: (name: string) => Expr | null): number[] | string {
  const shape = inlinable(f);
  if (typeof shape === "string") {
    return shape;
  }
  if (f.params.length !== 1 || f.params[0].local.type.kind !== "int") {
    return "it must have exactly one int parameter";
  }
  if (f.returnType.kind === "void") {
    return "it must return an int or a boolean";
  }
  const param = f.params[0].local.id;
  const values: number[] = [];
  for (let v = 0; v < size; v++) {
    const body = mapExpr(shape.body, (x) => (x.kind === "local" && x.local.id === param ? intLit(v) : x));
    const value = evalConst(
      body,
      consts,
      () => null,
      () => null,
    );
    if (value === null) {
      return `its value for ${v} cannot be computed at generation time (it reads an enum member, a table, or divides by zero)`;
    }
    values.push(f.returnType.kind === "bool" ? (value !== 0 ? 1 : 0) : value | 0);
  }
  return values;
}

/** Replaces the calls to tabulated functions whose argument is provably in range. */
function rewriteCalls(e: Expr, tabled: ReadonlyMap<string, Tabled>): Expr {
  return mapExpr(e, (x) => {
    if (x.kind !== "call" || x.args.length !== 1) {
      return x;
    }
    const t = tabled.get(x.callee);
    const r = t === undefined ? null : intRange(x.args[0]);
    if (t === undefined || r === null || r[0] < 0 || r[1] >= t.size) {
      return x;
    }
    const type: ArrayType = { kind: "array", element: "int", readonly: true, size: { kind: "table", name: t.table } };
    const read: Expr = {
      kind: "index",
      array: { kind: "table", name: t.table, type },
      index: x.args[0],
      type: { kind: "int" },
    };
    return t.bool ? { kind: "binary", op: "!==", left: read, right: intLit(0) } : read;
  });
}

/** Applies every `@spgen table N` hint of the model. */
export function tabulateFunctions(model: SpecModel, diagnostics: Diagnostic[]): SpecModel {
  const constValues = new Map<string, Expr>();
  for (const m of model.modules) {
    for (const d of m.decls) {
      if (d.kind === "const") {
        constValues.set(d.name, d.value);
      }
    }
  }
  const tabled = new Map<string, Tabled>();
  const tables = new Map<Module, TableDecl[]>();
  for (const m of model.modules) {
    for (const d of m.decls) {
      if (d.kind !== "function") {
        continue;
      }
      const hint = matchHint(d.doc, HINT);
      if (hint === null) {
        continue;
      }
      const fail = (why: string): void => {
        diagnostics.push({
          file: d.pos.file,
          line: d.pos.line,
          column: d.pos.column,
          severity: "error",
          message: `\`${d.name}\` is marked @spgen table but cannot be tabulated: ${why}`,
        });
      };
      const size = Number((hint[1] ?? "").replace(/[:;,.]$/, ""));
      if (hint[1] === undefined || !Number.isInteger(size) || size < 1 || size > MAX_TABLE) {
        fail(`the hint needs the table size, an integer from 1 to ${MAX_TABLE} (\`@spgen table 64\`)`);
        continue;
      }
      const values = tabulate(d, size, (n) => constValues.get(n) ?? null);
      if (typeof values === "string") {
        fail(values);
        continue;
      }
      const name = `${d.name}Table`;
      tabled.set(d.name, { table: name, size, bool: d.returnType.kind === "bool" });
      const rows: { values: Expr[]; comment: string | null }[] = [];
      for (let i = 0; i < size; i += 16) {
        const chunk = values.slice(i, i + 16);
        rows.push({
          values: chunk.map((v) => (v < 0 ? { kind: "unary", op: "-", operand: intLit(-v) } : intLit(v))),
          comment: `${d.name}(${i}..${i + chunk.length - 1})`,
        });
      }
      const list = tables.get(m) ?? [];
      list.push({
        kind: "table",
        name,
        rows,
        count: size,
        doc: [`${d.name}(x) for x in 0..${size - 1} (@spgen table ${size}).`],
        pos: d.pos,
      });
      tables.set(m, list);
    }
  }
  if (tabled.size === 0) {
    return model;
  }
  const rw = (e: Expr): Expr => rewriteCalls(e, tabled);
  return {
    modules: model.modules.map((m) => ({
      ...m,
      decls: [
        ...m.decls.map((d) => (d.kind === "function" ? { ...d, body: mapStmts(d.body, rw, (l) => l) } : d)),
        ...(tables.get(m) ?? []),
      ],
    })),
  };
}
