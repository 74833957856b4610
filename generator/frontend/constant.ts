/**
 * Compile-time constants in the IR: which expressions SourcePawn can
 * evaluate at compile time (array sizes, case labels, `#define` values), and
 * their integer value with JavaScript's 32-bit semantics when the generator
 * itself needs it (stack sizes, duplicate case labels, string lengths).
 */

import type { Expr } from "../model.js";

/** Looks up the value expression of a module-level constant by name. */
export type ConstLookup = (name: string) => Expr | null;

/** Looks up the value of an enum member. */
export type EnumLookup = (enumName: string, member: string) => Expr | null;

/** True when SourcePawn can evaluate `e` at compile time. */
export function isConstantExpr(e: Expr): boolean {
  switch (e.kind) {
    case "int":
    case "bool":
    case "char":
    case "string":
    case "const":
    case "enumMember":
      return true;
    case "arrayLength":
      return e.size.kind === "table" || isConstantExpr(e.size.expr);
    case "unary":
    case "wrap":
    case "toUint32":
      return isConstantExpr(e.operand);
    case "binary":
    case "div":
    case "imul":
      return isConstantExpr(e.left) && isConstantExpr(e.right);
    case "conditional":
      return isConstantExpr(e.test) && isConstantExpr(e.whenTrue) && isConstantExpr(e.whenFalse);
    default:
      return false;
  }
}

/** Integer (or 0/1 for booleans) value of a constant expression, or null when it is not one or divides by zero. */
export function evalConst(
  e: Expr,
  consts: ConstLookup,
  enums: EnumLookup,
  tables: (name: string) => number | null,
  depth = 0,
): number | null {
  if (depth > 64) {
    return null;
  }
  const ev = (x: Expr): number | null => evalConst(x, consts, enums, tables, depth + 1);
  switch (e.kind) {
    case "int":
      return e.value;
    case "bool":
      return e.value ? 1 : 0;
    case "char":
      return e.code;
    case "const": {
      const v = consts(e.name);
      return v === null ? null : ev(v);
    }
    case "enumMember": {
      const v = enums(e.enumName, e.member);
      return v === null ? null : ev(v);
    }
    case "arrayLength":
      return e.size.kind === "table" ? tables(e.size.name) : ev(e.size.expr);
    case "wrap": {
      const v = ev(e.operand);
      return v === null ? null : v | 0;
    }
    case "toUint32": {
      const v = ev(e.operand);
      return v === null ? null : v >>> 0;
    }
    case "unary": {
      const v = ev(e.operand);
      if (v === null) {
        return null;
      }
      return e.op === "-" ? -v : e.op === "~" ? ~v : v === 0 ? 1 : 0;
    }
    case "div": {
      const a = ev(e.left);
      const b = ev(e.right);
      return a === null || b === null || b === 0 ? null : (a / b) | 0;
    }
    case "imul": {
      const a = ev(e.left);
      const b = ev(e.right);
      return a === null || b === null ? null : Math.imul(a, b);
    }
    case "conditional": {
      const t = ev(e.test);
      return t === null ? null : t !== 0 ? ev(e.whenTrue) : ev(e.whenFalse);
    }
    case "binary": {
      const a = ev(e.left);
      const b = ev(e.right);
      if (a === null || b === null) {
        return null;
      }
      return binaryValue(e.op, a, b);
    }
    default:
      return null;
  }
}

function binaryValue(op: string, a: number, b: number): number | null {
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "%":
      return b === 0 ? null : a % b;
    case "&":
      return a & b;
    case "|":
      return a | b;
    case "^":
      return a ^ b;
    case "<<":
      return a << b;
    case ">>":
      return a >> b;
    case ">>>":
      return a >>> b;
    case "===":
      return a === b ? 1 : 0;
    case "!==":
      return a !== b ? 1 : 0;
    case "<":
      return a < b ? 1 : 0;
    case "<=":
      return a <= b ? 1 : 0;
    case ">":
      return a > b ? 1 : 0;
    case ">=":
      return a >= b ? 1 : 0;
    case "&&":
      return a !== 0 && b !== 0 ? 1 : 0;
    case "||":
      return a !== 0 || b !== 0 ? 1 : 0;
    default:
      return null;
  }
}
