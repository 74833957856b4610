/**
 * Expressions of the subset → IR expressions with their value type.
 * Anything outside the subset is reported (with the construct and a hint)
 * and yields null, so that reading goes on and every problem is reported in
 * one run.
 */

import { ts } from "../typescript.js";
import {
  type ArrayType,
  type BinaryOp,
  BOOL,
  type Expr,
  INT,
  type LocalVar,
  type ReturnType,
  STRING,
  type ValueType,
} from "../model.js";
import { isConstantExpr } from "./constant.js";
import { parentSkippingParens, type ReaderContext, skipParens } from "./reader-context.js";

/** An IR expression and the type of its value. */
export interface TExpr {
  readonly expr: Expr;
  readonly type: ValueType;
}

/** The locals of the function being read; null while reading module-level constants. */
export interface FunctionScope {
  readonly locals: Map<ts.Node, LocalVar>;
  /** How many times each local (by id) is read. */
  readonly reads: Map<number, number>;
  /** Declarations that were refused: their uses are not reported again. */
  readonly poisoned: Set<ts.Node>;
  /**
   * Block scopes, innermost last: name → local, or null for a refused
   * declaration. Locals are resolved here without asking the checker, which
   * only resolves module-level names.
   */
  readonly names: Map<string, LocalVar | null>[];
  nextId: number;
}

/** The local a name refers to in the current block scopes: a LocalVar, null when its declaration was refused, undefined when none. */
export function lookupLocal(scope: FunctionScope, name: string): LocalVar | null | undefined {
  for (let i = scope.names.length - 1; i >= 0; i--) {
    const hit = scope.names[i].get(name);
    if (hit !== undefined) {
      return hit;
    }
  }
  return undefined;
}

/** The return type of `Math.imul` and `.charCodeAt`. */
const INT_RETURN: ReturnType = { kind: "int" };

/** Human name of a value type, for messages. */
export function typeName(t: ValueType | ReturnType): string {
  switch (t.kind) {
    case "int":
      return "number";
    case "bool":
      return "boolean";
    case "string":
      return "string";
    case "void":
      return "void";
    case "array":
      return t.element === "byte" ? "Uint8Array" : "Int32Array";
    case "record":
      return t.name;
  }
}

const ARITHMETIC: ReadonlyMap<ts.SyntaxKind, BinaryOp> = new Map([
  [ts.SyntaxKind.PlusToken, "+"],
  [ts.SyntaxKind.MinusToken, "-"],
  [ts.SyntaxKind.AsteriskToken, "*"],
  [ts.SyntaxKind.PercentToken, "%"],
  [ts.SyntaxKind.AmpersandToken, "&"],
  [ts.SyntaxKind.BarToken, "|"],
  [ts.SyntaxKind.CaretToken, "^"],
  [ts.SyntaxKind.LessThanLessThanToken, "<<"],
  [ts.SyntaxKind.GreaterThanGreaterThanToken, ">>"],
  [ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken, ">>>"],
]);

const COMPARISON: ReadonlyMap<ts.SyntaxKind, BinaryOp> = new Map([
  [ts.SyntaxKind.EqualsEqualsEqualsToken, "==="],
  [ts.SyntaxKind.ExclamationEqualsEqualsToken, "!=="],
  [ts.SyntaxKind.LessThanToken, "<"],
  [ts.SyntaxKind.LessThanEqualsToken, "<="],
  [ts.SyntaxKind.GreaterThanToken, ">"],
  [ts.SyntaxKind.GreaterThanEqualsToken, ">="],
]);

const BITWISE_CONSUMERS = new Set<ts.SyntaxKind>([
  ts.SyntaxKind.AmpersandToken,
  ts.SyntaxKind.BarToken,
  ts.SyntaxKind.CaretToken,
  ts.SyntaxKind.LessThanLessThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanToken,
  ts.SyntaxKind.AmpersandEqualsToken,
  ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
]);

/** True for the literal `0` (possibly in parentheses). */
export function isZeroLiteral(node: ts.Expression): boolean {
  const n = skipParens(node);
  return ts.isNumericLiteral(n) && n.text === "0";
}

/** True for `1 … 31` written as a literal. */
function isShiftCountLiteral(node: ts.Expression): boolean {
  const n = skipParens(node);
  if (!ts.isNumericLiteral(n)) {
    return false;
  }
  const v = Number(n.text);
  return v >= 1 && v <= 31;
}

/** True for `x | 0` (`node` is the `|` expression). */
function isWrapZero(node: ts.Node): node is ts.BinaryExpression {
  return ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.BarToken && isZeroLiteral(node.right);
}

/** True when `node`'s 32-bit result is consumed bit-wise, so an unsigned JavaScript value behaves like SourcePawn's int. */
function feedsBitwise(node: ts.Node): boolean {
  const p = parentSkippingParens(node);
  if (ts.isBinaryExpression(p)) {
    if (BITWISE_CONSUMERS.has(p.operatorToken.kind)) {
      return true;
    }
    if (
      p.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      skipParens(p.right) === skipParens(node as ts.Expression)
    ) {
      // A store into a typed array keeps the low 32 (or 8) bits in both languages.
      return ts.isElementAccessExpression(skipParens(p.left));
    }
    return false;
  }
  return ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.TildeToken;
}

/** Reads expressions of one function body (or of module-level constants when `scope` is null). */
export class ExpressionReader {
  constructor(
    protected readonly ctx: ReaderContext,
    protected readonly scope: FunctionScope | null,
  ) {}

  /** Counts a read of a local. */
  protected markRead(local: LocalVar): void {
    if (this.scope !== null) {
      this.scope.reads.set(local.id, (this.scope.reads.get(local.id) ?? 0) + 1);
    }
  }

  /** An int or bool expression (a value SourcePawn keeps in one cell). */
  scalar(node: ts.Expression, what: string): TExpr | null {
    const e = this.expr(node);
    if (e === null) {
      return null;
    }
    if (e.type.kind !== "int" && e.type.kind !== "bool") {
      this.typeError(node, e.type, what);
      return null;
    }
    return e;
  }

  /** An int expression. */
  int(node: ts.Expression, what: string): TExpr | null {
    const e = this.expr(node);
    if (e === null) {
      return null;
    }
    if (e.type.kind !== "int") {
      this.typeError(node, e.type, what);
      return null;
    }
    return e;
  }

  /** A condition: a boolean, or an int tested against zero (the same truth rule in both languages). */
  condition(node: ts.Expression): TExpr | null {
    return this.scalar(node, "a condition");
  }

  /**
   * The test of an if, a loop or `?:`. A compile-time constant there makes spcomp warn "redundant test" (206, 205),
   * except the literal `true` of an endless loop (`allowTrue`), which prints as `for (;;)`.
   */
  testCondition(node: ts.Expression, allowTrue = false): TExpr | null {
    const e = this.condition(node);
    if (e !== null && isConstantExpr(e.expr) && !(allowTrue && e.expr.kind === "bool" && e.expr.value)) {
      this.constantTest(node);
      return null;
    }
    return e;
  }

  private constantTest(node: ts.Node): void {
    this.ctx.unsupported(
      node,
      "a condition that is a compile-time constant",
      "spcomp warns about a redundant test, warnings 206 and 205: decide it without a test, or test a value known at run time",
    );
  }

  protected typeError(node: ts.Node, got: ValueType, what: string): void {
    if (got.kind === "string") {
      this.ctx.unsupported(
        node,
        `a string used as ${what}`,
        "strings are read-only text: pass them to string parameters, or use .length / .charCodeAt(i)",
      );
    } else if (got.kind === "array" || got.kind === "record") {
      this.ctx.unsupported(
        node,
        `a ${typeName(got)} used as ${what}`,
        "arrays and records can only be indexed, passed to functions or have their fields read",
      );
    } else {
      this.ctx.report(node, `${typeName(got)} used as ${what}`);
    }
  }

  expr(node: ts.Expression): TExpr | null {
    const k = ts.SyntaxKind;
    switch (node.kind) {
      case k.NumericLiteral:
        return this.numeric(node as ts.NumericLiteral);
      case k.TrueKeyword:
        return { expr: { kind: "bool", value: true }, type: BOOL };
      case k.FalseKeyword:
        return { expr: { kind: "bool", value: false }, type: BOOL };
      case k.StringLiteral:
        return this.stringLiteral(node as ts.StringLiteral);
      case k.NoSubstitutionTemplateLiteral:
      case k.TemplateExpression:
      case k.TaggedTemplateExpression:
        this.ctx.unsupported(node, "a template string", "strings are never built at run time: use a string literal");
        return null;
      case k.Identifier:
        return this.identifier(node as ts.Identifier);
      case k.ParenthesizedExpression:
        return this.expr((node as ts.ParenthesizedExpression).expression);
      case k.PrefixUnaryExpression:
        return this.prefixUnary(node as ts.PrefixUnaryExpression);
      case k.PostfixUnaryExpression:
        this.ctx.unsupported(node, "`++`/`--` inside an expression", "use it as a statement of its own");
        return null;
      case k.BinaryExpression:
        return this.binary(node as ts.BinaryExpression);
      case k.ConditionalExpression:
        return this.conditional(node as ts.ConditionalExpression);
      case k.CallExpression:
        return this.callValue(node as ts.CallExpression);
      case k.ElementAccessExpression:
        return this.elementAccess(node as ts.ElementAccessExpression);
      case k.PropertyAccessExpression:
        return this.propertyAccess(node as ts.PropertyAccessExpression);
      case k.ThisKeyword:
        this.ctx.unsupported(node, "`this`", "records have no methods: pass the record as a parameter");
        return null;
      case k.SuperKeyword:
        this.ctx.unsupported(node, "`super`", "records have no methods or inheritance");
        return null;
      case k.NullKeyword:
        this.ctx.unsupported(node, "`null`", "use a sentinel int such as -1");
        return null;
      case k.ArrowFunction:
      case k.FunctionExpression:
        this.ctx.unsupported(
          node,
          "an arrow function or closure",
          "write a module-level function and pass what it needs as parameters",
        );
        return null;
      case k.ObjectLiteralExpression:
        this.ctx.unsupported(
          node,
          "an object literal",
          "declare a record class and create it with `const r = new X()`",
        );
        return null;
      case k.ArrayLiteralExpression:
        this.ctx.unsupported(
          node,
          "an array literal outside a constant table",
          "only module-level constant tables (`export const T: readonly number[] = [...]`) may use them",
        );
        return null;
      case k.SpreadElement:
        this.ctx.unsupported(node, "spread", "pass arrays with explicit offsets and lengths");
        return null;
      case k.TypeOfExpression:
        this.ctx.unsupported(node, "`typeof`", "every value of the subset has a static type");
        return null;
      case k.DeleteExpression:
        this.ctx.unsupported(node, "`delete`", "records have a fixed shape");
        return null;
      case k.VoidExpression:
        this.ctx.unsupported(node, "`void`", "`undefined` is not in the subset");
        return null;
      case k.AwaitExpression:
      case k.YieldExpression:
        this.ctx.unsupported(node, "`await`/`yield`", "the core is synchronous and has no I/O");
        return null;
      case k.AsExpression:
      case k.TypeAssertionExpression:
      case k.SatisfiesExpression:
      case k.NonNullExpression:
        this.ctx.unsupported(
          node,
          "a type assertion",
          "values of the subset need none: declare the right type instead",
        );
        return null;
      case k.NewExpression:
        this.ctx.unsupported(
          node,
          "`new` inside an expression",
          "create arrays and records in a local declaration: `const b = new Uint8Array(N);`, `const r = new X();`",
        );
        return null;
      case k.RegularExpressionLiteral:
        this.ctx.unsupported(node, "a regular expression", "scan the bytes in a loop");
        return null;
      case k.BigIntLiteral:
        this.ctx.unsupported(node, "a BigInt literal", "values are 32-bit ints");
        return null;
      case k.ClassExpression:
        this.ctx.unsupported(node, "a class expression", "declare records at module level");
        return null;
      default:
        this.ctx.unsupported(
          node,
          `the expression \`${ts.SyntaxKind[node.kind]}\``,
          "see spec/README.md for the subset",
        );
        return null;
    }
  }

  private numeric(node: ts.NumericLiteral): TExpr | null {
    const raw = node.getText().replace(/_/g, "");
    let radix: 2 | 10 | 16 = 10;
    if (/^0[xX]/.test(raw)) {
      radix = 16;
    } else if (/^0[bB]/.test(raw)) {
      radix = 2;
    } else if (/[.eE]/.test(raw)) {
      this.ctx.unsupported(node, "a floating-point literal", "the core computes with 32-bit ints only");
      return null;
    }
    const value = Number(raw);
    if (!Number.isSafeInteger(value)) {
      this.ctx.unsupported(node, `the integer literal ${raw}`, "it does not fit in 32 bits");
      return null;
    }
    if (value > 0x7fffffff) {
      const p = parentSkippingParens(node);
      const wrapped = isWrapZero(p) && skipParens(p.left) === node && value <= 0xffffffff;
      const negatedMin =
        value === 0x80000000 && ts.isPrefixUnaryExpression(p) && p.operator === ts.SyntaxKind.MinusToken;
      if (!wrapped && !negatedMin) {
        this.ctx.unsupported(
          node,
          `the integer literal ${raw} (above 2^31-1)`,
          "write `" + raw + " | 0` for its 32-bit pattern: SourcePawn ints are signed",
        );
        return null;
      }
    }
    return { expr: { kind: "int", value, radix: radix === 2 ? 2 : radix === 16 ? 16 : 10 }, type: INT };
  }

  private stringLiteral(node: ts.StringLiteral): TExpr | null {
    const s = node.text;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 0 || c > 127) {
        this.ctx.unsupported(
          node,
          c === 0 ? "a NUL character in a string" : "a non-ASCII character in a string",
          c === 0
            ? "SourcePawn strings end at NUL: use a byte array"
            : "strings are ASCII: write the UTF-8 bytes into a byte array",
        );
        return null;
      }
    }
    return { expr: { kind: "string", value: s }, type: STRING };
  }

  private identifier(node: ts.Identifier): TExpr | null {
    const name = node.text;
    if (name === "undefined") {
      this.ctx.unsupported(node, "`undefined`", "use a sentinel int such as -1");
      return null;
    }
    if (name === "NaN" || name === "Infinity") {
      this.ctx.unsupported(node, `\`${name}\``, "the core computes with 32-bit ints only");
      return null;
    }
    if (this.scope !== null) {
      const hit = lookupLocal(this.scope, name);
      if (hit === null) {
        return null;
      }
      if (hit !== undefined) {
        this.markRead(hit);
        return { expr: { kind: "local", local: hit }, type: hit.type };
      }
    }
    const decl = this.ctx.declarationOf(node);
    if (decl !== undefined && ts.isEnumMember(decl)) {
      return this.enumMember(decl);
    }
    const g = decl === undefined ? undefined : this.ctx.globals.get(decl);
    if (g === undefined) {
      this.ctx.unsupported(
        node,
        `the name \`${name}\``,
        "only locals, parameters and the core's own constants, enums, records and functions are in scope",
      );
      return null;
    }
    switch (g.kind) {
      case "const":
        return { expr: { kind: "const", name: g.info.name, type: g.info.type }, type: g.info.type };
      case "table": {
        const type: ArrayType = {
          kind: "array",
          element: "int",
          readonly: true,
          size: { kind: "table", name: g.info.name },
        };
        return { expr: { kind: "table", name: g.info.name, type }, type };
      }
      case "function":
        this.ctx.unsupported(
          node,
          "a function used as a value",
          "call the function; the subset has no function references",
        );
        return null;
      case "record":
        this.ctx.unsupported(node, "a class used as a value", "create records with `const r = new X()`");
        return null;
      case "enum":
        this.ctx.unsupported(node, "an enum used as a value", "use its members, e.g. `E.A`");
        return null;
    }
  }

  private enumMember(decl: ts.EnumMember): TExpr | null {
    const enumDecl = decl.parent;
    if (!ts.isIdentifier(decl.name)) {
      this.ctx.unsupported(decl, "an enum member with a non-identifier name", "name members with identifiers");
      return null;
    }
    return { expr: { kind: "enumMember", enumName: enumDecl.name.text, member: decl.name.text }, type: INT };
  }

  private prefixUnary(node: ts.PrefixUnaryExpression): TExpr | null {
    const k = ts.SyntaxKind;
    switch (node.operator) {
      case k.MinusToken:
      case k.TildeToken: {
        const e = this.int(node.operand, node.operator === k.MinusToken ? "the operand of `-`" : "the operand of `~`");
        return e === null
          ? null
          : { expr: { kind: "unary", op: node.operator === k.MinusToken ? "-" : "~", operand: e.expr }, type: INT };
      }
      case k.ExclamationToken: {
        const e = this.condition(node.operand);
        return e === null ? null : { expr: { kind: "unary", op: "!", operand: e.expr }, type: BOOL };
      }
      case k.PlusToken:
        this.ctx.unsupported(node, "unary `+`", "it converts to a number; values are already ints");
        return null;
      default:
        this.ctx.unsupported(node, "`++`/`--` inside an expression", "use it as a statement of its own");
        return null;
    }
  }

  private binary(node: ts.BinaryExpression): TExpr | null {
    const k = ts.SyntaxKind;
    const opKind = node.operatorToken.kind;
    const opText = node.operatorToken.getText();
    if (opKind >= k.FirstAssignment && opKind <= k.LastAssignment) {
      this.ctx.unsupported(node, "an assignment inside an expression", "assign in a statement of its own");
      return null;
    }
    switch (opKind) {
      case k.EqualsEqualsToken:
      case k.ExclamationEqualsToken:
        this.ctx.unsupported(node.operatorToken, `\`${opText}\``, `use \`${opText}=\`: loose equality converts types`);
        return null;
      case k.SlashToken:
        this.ctx.unsupported(
          node.operatorToken,
          "`/` outside `(a / b) | 0`",
          "JavaScript division gives a fraction: write `(a / b) | 0` for integer division",
        );
        return null;
      case k.AsteriskAsteriskToken:
        this.ctx.unsupported(
          node.operatorToken,
          "`**`",
          "multiply explicitly (Math.imul when the product may overflow)",
        );
        return null;
      case k.QuestionQuestionToken:
        this.ctx.unsupported(node.operatorToken, "`??`", "null and undefined are not in the subset");
        return null;
      case k.CommaToken:
        this.ctx.unsupported(node.operatorToken, "the comma operator", "write separate statements");
        return null;
      case k.InKeyword:
      case k.InstanceOfKeyword:
        this.ctx.unsupported(node.operatorToken, `\`${opText}\``, "records have a fixed shape and type");
        return null;
      case k.AmpersandAmpersandToken:
      case k.BarBarToken:
        return this.logical(node, opKind === k.AmpersandAmpersandToken ? "&&" : "||");
      default:
        break;
    }
    if (opKind === k.BarToken && isZeroLiteral(node.right)) {
      const inner = skipParens(node.left);
      if (ts.isBinaryExpression(inner) && inner.operatorToken.kind === k.SlashToken) {
        const a = this.int(inner.left, "a dividend");
        const b = this.int(inner.right, "a divisor");
        return a === null || b === null ? null : { expr: { kind: "div", left: a.expr, right: b.expr }, type: INT };
      }
      const e = this.int(node.left, "the operand of `| 0`");
      return e === null ? null : { expr: { kind: "wrap", operand: e.expr }, type: INT };
    }
    if (opKind === k.GreaterThanGreaterThanGreaterThanToken && isZeroLiteral(node.right)) {
      this.checkUnsignedUse(node);
      const e = this.int(node.left, "the operand of `>>> 0`");
      return e === null ? null : { expr: { kind: "toUint32", operand: e.expr }, type: INT };
    }
    const arith = ARITHMETIC.get(opKind);
    if (arith !== undefined) {
      if (arith === "<<" || arith === ">>" || arith === ">>>") {
        const right = skipParens(node.right);
        if (ts.isNumericLiteral(right) && Number(right.text) > 31) {
          this.ctx.unsupported(right, "a shift count above 31", "JavaScript takes the count modulo 32; shift by 0..31");
          return null;
        }
        if (arith === ">>>" && !isShiftCountLiteral(node.right)) {
          this.checkUnsignedUse(node);
        }
      }
      const left = this.expr(node.left);
      const right = this.expr(node.right);
      if (left === null || right === null) {
        return null;
      }
      if (arith === "+" && (left.type.kind === "string" || right.type.kind === "string")) {
        this.ctx.unsupported(
          node,
          "string concatenation",
          "strings are never built at run time: write the pieces into a byte array one after the other",
        );
        return null;
      }
      if (left.type.kind !== "int") {
        this.typeError(node.left, left.type, `an operand of \`${opText}\``);
        return null;
      }
      if (right.type.kind !== "int") {
        this.typeError(node.right, right.type, `an operand of \`${opText}\``);
        return null;
      }
      return { expr: { kind: "binary", op: arith, left: left.expr, right: right.expr }, type: INT };
    }
    const cmp = COMPARISON.get(opKind);
    if (cmp !== undefined) {
      const left = this.expr(node.left);
      const right = this.expr(node.right);
      if (left === null || right === null) {
        return null;
      }
      if (left.type.kind === "string" || right.type.kind === "string") {
        this.ctx.unsupported(
          node,
          "comparing strings",
          "compare bytes, e.g. with a helper that loops over .charCodeAt(i)",
        );
        return null;
      }
      const okTypes =
        cmp === "===" || cmp === "!=="
          ? (left.type.kind === "int" && right.type.kind === "int") ||
            (left.type.kind === "bool" && right.type.kind === "bool")
          : left.type.kind === "int" && right.type.kind === "int";
      if (!okTypes) {
        const isAggregate = (k: string): boolean => k === "array" || k === "record";
        const both = isAggregate(left.type.kind) && isAggregate(right.type.kind);
        const either = isAggregate(left.type.kind) || isAggregate(right.type.kind);
        this.ctx.unsupported(
          node,
          `\`${opText}\` between ${typeName(left.type)} and ${typeName(right.type)}`,
          both && (cmp === "===" || cmp === "!==")
            ? "on arrays and records `===` tests identity, which SourcePawn cannot: compare the elements or fields, or pass along which one is meant"
            : either
              ? "compare an element or a field, a number or a boolean"
              : cmp === "===" || cmp === "!=="
                ? "compare two numbers or two booleans: a boolean against a number is always unequal in TypeScript; test the boolean itself (`b`, `!b`) or turn it into a number (`b ? 1 : 0`)"
                : "`<`, `<=`, `>` and `>=` compare two numbers: turn a boolean into one first (`b ? 1 : 0`)",
        );
        return null;
      }
      return { expr: { kind: "binary", op: cmp, left: left.expr, right: right.expr }, type: BOOL };
    }
    this.ctx.unsupported(
      node.operatorToken,
      `the operator \`${opText}\``,
      "see spec/README.md for the operators of the subset",
    );
    return null;
  }

  /** `>>>` by 0 or by a variable count can give JavaScript a value ≥ 2^31: only bit-wise consumers see the same bits. */
  private checkUnsignedUse(node: ts.BinaryExpression): void {
    if (!feedsBitwise(node)) {
      this.ctx.unsupported(
        node,
        "the result of `>>>` by 0 or by a variable count used as a number",
        "JavaScript reads it as unsigned (up to 2^32-1) where SourcePawn has a negative int: feed it to a bit-wise operator, `| 0` or a typed-array store",
      );
    }
  }

  private logical(node: ts.BinaryExpression, op: "&&" | "||"): TExpr | null {
    const left = this.expr(node.left);
    const right = this.expr(node.right);
    if (left === null || right === null) {
      return null;
    }
    for (const [n, e] of [
      [node.left, left],
      [node.right, right],
    ] as const) {
      if (isConstantExpr(e.expr)) {
        this.constantTest(n);
        return null;
      }
    }
    if (left.type.kind !== "bool" || right.type.kind !== "bool") {
      const bad = left.type.kind !== "bool" ? node.left : node.right;
      const badType = left.type.kind !== "bool" ? left.type : right.type;
      if (badType.kind === "int") {
        this.ctx.unsupported(
          bad,
          `\`${op}\` on a number`,
          "JavaScript then yields one of the numbers, not a boolean: compare it, e.g. `x !== 0`",
        );
      } else {
        this.typeError(bad, badType, `an operand of \`${op}\``);
      }
      return null;
    }
    return { expr: { kind: "binary", op, left: left.expr, right: right.expr }, type: BOOL };
  }

  private conditional(node: ts.ConditionalExpression): TExpr | null {
    const test = this.testCondition(node.condition);
    const a = this.scalar(node.whenTrue, "a branch of `?:`");
    const b = this.scalar(node.whenFalse, "a branch of `?:`");
    if (test === null || a === null || b === null) {
      return null;
    }
    if (a.type.kind !== b.type.kind) {
      this.ctx.report(node, `the branches of \`?:\` have different types (${typeName(a.type)}, ${typeName(b.type)})`);
      return null;
    }
    return { expr: { kind: "conditional", test: test.expr, whenTrue: a.expr, whenFalse: b.expr }, type: a.type };
  }

  private callValue(node: ts.CallExpression): TExpr | null {
    const c = this.call(node);
    if (c === null) {
      return null;
    }
    if (c.returnType.kind === "void") {
      this.ctx.report(node, "the result of a void function used as a value");
      return null;
    }
    return { expr: c.expr, type: c.returnType.kind === "int" ? INT : BOOL };
  }

  /** A call of a core function, `Math.imul` or `.charCodeAt`; `returnType` says what it yields. */
  call(node: ts.CallExpression): { expr: Expr; returnType: ReturnType } | null {
    if (node.questionDotToken !== undefined) {
      this.ctx.unsupported(node, "optional chaining", "null and undefined are not in the subset");
      return null;
    }
    if (node.typeArguments !== undefined) {
      this.ctx.unsupported(node, "a type argument", "the subset has no generics");
      return null;
    }
    for (const a of node.arguments) {
      if (ts.isSpreadElement(a)) {
        this.ctx.unsupported(a, "spread", "pass arrays with explicit offsets and lengths");
        return null;
      }
    }
    const callee = skipParens(node.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      return this.methodCall(node, callee);
    }
    if (!ts.isIdentifier(callee)) {
      this.ctx.unsupported(node.expression, "calling an expression", "call a core function by name");
      return null;
    }
    const g = this.ctx.globalOf(callee);
    if (g === undefined || g.kind !== "function") {
      if (this.scope === null && g === undefined && this.ctx.declarationOf(callee) !== undefined) {
        this.ctx.unsupported(node, "a call in a constant expression", "constants must be evaluated at compile time");
      } else {
        this.ctx.unsupported(callee, `calling \`${callee.text}\``, "only functions of the core can be called");
      }
      return null;
    }
    if (this.scope === null) {
      this.ctx.unsupported(node, "a call in a constant expression", "constants must be evaluated at compile time");
      return null;
    }
    const fn = g.info;
    if (node.arguments.length > fn.params.length) {
      this.ctx.report(node, `\`${fn.name}\` takes ${fn.params.length} arguments, got ${node.arguments.length}`);
      return null;
    }
    const args: Expr[] = [];
    let ok = true;
    fn.params.forEach((p, i) => {
      const argNode = node.arguments[i];
      if (argNode === undefined) {
        if (!p.hasDefault) {
          this.ctx.report(node, `\`${fn.name}\`: missing argument \`${p.name}\``);
          ok = false;
        }
        return;
      }
      const a = this.expr(argNode);
      if (a === null) {
        ok = false;
        return;
      }
      if (!this.checkArgument(argNode, a, p.type, fn.name, p.name)) {
        ok = false;
        return;
      }
      args.push(a.expr);
    });
    if (!ok) {
      return null;
    }
    return { expr: { kind: "call", callee: fn.name, args, type: fn.returnType }, returnType: fn.returnType };
  }

  /** Checks what TypeScript's structural typing lets through but SourcePawn refuses. */
  private checkArgument(node: ts.Node, arg: TExpr, param: ValueType, fn: string, pname: string): boolean {
    const got = arg.type;
    const where = `argument \`${pname}\` of \`${fn}\``;
    switch (param.kind) {
      case "int":
      case "bool":
      case "string":
        if (got.kind !== param.kind) {
          this.ctx.report(node, `${where} expects ${typeName(param)}, got ${typeName(got)}`);
          return false;
        }
        return true;
      case "array":
        if (got.kind !== "array" || got.element !== param.element) {
          this.ctx.report(node, `${where} expects ${typeName(param)}, got ${typeName(got)}`);
          return false;
        }
        if (got.readonly && !param.readonly) {
          this.ctx.report(
            node,
            `${where} may be modified but the array passed is read-only (declare the parameter \`Readonly<${typeName(param)}>\`)`,
          );
          return false;
        }
        return true;
      case "record":
        if (got.kind !== "record" || got.name !== param.name) {
          this.ctx.report(node, `${where} expects ${param.name}, got ${typeName(got)}`);
          return false;
        }
        if (got.readonly && !param.readonly) {
          this.ctx.report(
            node,
            `${where} may be modified but the record passed is read-only (declare the parameter \`Readonly<${param.name}>\`)`,
          );
          return false;
        }
        return true;
    }
  }

  private methodCall(
    node: ts.CallExpression,
    callee: ts.PropertyAccessExpression,
  ): { expr: Expr; returnType: ReturnType } | null {
    const method = callee.name.text;
    const receiver = skipParens(callee.expression);
    if (ts.isIdentifier(receiver) && receiver.text === "Math" && this.ctx.globalOf(receiver) === undefined) {
      if (method !== "imul") {
        this.ctx.unsupported(node, `Math.${method}`, "only Math.imul is in the subset");
        return null;
      }
      if (node.arguments.length !== 2) {
        this.ctx.report(node, "Math.imul takes two arguments");
        return null;
      }
      const a = this.int(node.arguments[0], "an operand of Math.imul");
      const b = this.int(node.arguments[1], "an operand of Math.imul");
      return a === null || b === null
        ? null
        : { expr: { kind: "imul", left: a.expr, right: b.expr }, returnType: INT_RETURN };
    }
    if (method === "charCodeAt") {
      if (node.arguments.length !== 1) {
        this.ctx.report(node, "charCodeAt takes one argument");
        return null;
      }
      if (ts.isStringLiteral(receiver)) {
        const idx = skipParens(node.arguments[0]);
        if (!ts.isNumericLiteral(idx)) {
          this.ctx.unsupported(
            node,
            "`.charCodeAt(i)` on a string literal with a variable index",
            "declare the text as a string constant, or index a byte array",
          );
          return null;
        }
        const i = Number(idx.text);
        const s = this.stringLiteral(receiver);
        if (s === null) {
          return null;
        }
        if (!(i >= 0 && i < receiver.text.length && Number.isInteger(i))) {
          this.ctx.report(idx, `index ${idx.text} is outside the string literal`);
          return null;
        }
        return { expr: { kind: "char", code: receiver.text.charCodeAt(i) }, returnType: INT_RETURN };
      }
      const s = this.expr(callee.expression);
      const i = this.int(node.arguments[0], "a string index");
      if (s === null || i === null) {
        return null;
      }
      if (s.type.kind !== "string") {
        this.ctx.unsupported(node, `.charCodeAt on a ${typeName(s.type)}`, "index arrays with a[i]");
        return null;
      }
      return { expr: { kind: "strCharAt", string: s.expr, index: i.expr }, returnType: INT_RETURN };
    }
    if (ts.isIdentifier(receiver) && this.ctx.declarationOf(receiver) === undefined) {
      this.ctx.unsupported(
        node,
        `calling \`${receiver.text}.${method}\``,
        "the core has no I/O or libraries: only core functions can be called",
      );
      return null;
    }
    this.ctx.unsupported(
      node,
      `the method call \`.${method}()\``,
      "records have no methods: call a module-level core function",
    );
    return null;
  }

  private elementAccess(node: ts.ElementAccessExpression): TExpr | null {
    if (node.questionDotToken !== undefined) {
      this.ctx.unsupported(node, "optional chaining", "null and undefined are not in the subset");
      return null;
    }
    const arr = this.expr(node.expression);
    const idx = this.int(node.argumentExpression, "an index");
    if (arr === null || idx === null) {
      return null;
    }
    if (arr.type.kind === "string") {
      this.ctx.unsupported(node, "indexing a string", "use s.charCodeAt(i)");
      return null;
    }
    if (arr.type.kind !== "array") {
      this.ctx.unsupported(
        node,
        `indexing a ${typeName(arr.type)}`,
        "only Uint8Array, Int32Array and constant tables can be indexed",
      );
      return null;
    }
    return { expr: { kind: "index", array: arr.expr, index: idx.expr, type: INT }, type: INT };
  }

  private propertyAccess(node: ts.PropertyAccessExpression): TExpr | null {
    if (node.questionDotToken !== undefined) {
      this.ctx.unsupported(node, "optional chaining", "null and undefined are not in the subset");
      return null;
    }
    if (ts.isPrivateIdentifier(node.name)) {
      this.ctx.unsupported(node, "a private name", "records are plain data");
      return null;
    }
    const name = node.name.text;
    const receiver = skipParens(node.expression);
    // `E.A` and `Math.x`: resolved from the receiver's name, which costs the checker a scope lookup, where asking
    // for the property's symbol would make it compute the receiver's type for every field access.
    if (ts.isIdentifier(receiver) && (this.scope === null || lookupLocal(this.scope, receiver.text) === undefined)) {
      const g = this.ctx.globalOf(receiver);
      if (g !== undefined && g.kind === "enum") {
        const member = g.info.members.get(name);
        if (member === undefined) {
          this.ctx.report(node.name, `\`${g.info.name}\` has no member \`${name}\``);
          return null;
        }
        return this.enumMember(member);
      }
      if (receiver.text === "Math" && g === undefined) {
        this.ctx.unsupported(node, `Math.${name}`, "only Math.imul is in the subset");
        return null;
      }
    }
    const obj = this.expr(node.expression);
    if (obj === null) {
      return null;
    }
    if (name === "length" && obj.type.kind === "string") {
      return this.stringLength(obj);
    }
    if (name === "length" && obj.type.kind === "array") {
      if (obj.type.size === null) {
        this.ctx.unsupported(
          node,
          "`.length` on an array parameter",
          "SourcePawn arrays do not know their length: pass it as a parameter",
        );
        return null;
      }
      return { expr: { kind: "arrayLength", size: obj.type.size }, type: INT };
    }
    if (obj.type.kind === "record") {
      const rec = this.ctx.recordsByName.get(obj.type.name);
      const ft = rec?.fields.get(name);
      if (ft === undefined) {
        this.ctx.report(node.name, `\`${obj.type.name}\` has no field \`${name}\``);
        return null;
      }
      const readonly = obj.type.readonly;
      const type: ValueType =
        ft.kind === "array"
          ? { ...ft, readonly: readonly || ft.readonly }
          : ft.kind === "record"
            ? { ...ft, readonly: readonly || ft.readonly }
            : ft;
      return { expr: { kind: "field", record: obj.expr, field: name, type }, type };
    }
    this.ctx.unsupported(
      node,
      `the property \`.${name}\` of a ${typeName(obj.type)}`,
      "records have fields; arrays and strings have .length",
    );
    return null;
  }

  /** `s.length`: folded to a literal for string literals and constants, SpStrLen(s) otherwise. */
  private stringLength(s: TExpr): TExpr {
    const folded = this.constantString(s.expr);
    if (folded !== null) {
      return { expr: { kind: "int", value: folded.length, radix: 10 }, type: INT };
    }
    return { expr: { kind: "strLength", string: s.expr }, type: INT };
  }

  /** The text of a string literal or string constant, or null. */
  protected constantString(e: Expr): string | null {
    if (e.kind === "string") {
      return e.value;
    }
    if (e.kind === "const") {
      for (const g of this.ctx.globals.values()) {
        if (g.kind === "const" && g.info.name === e.name) {
          return g.info.text;
        }
      }
    }
    return null;
  }

  /** An int expression SourcePawn can evaluate at compile time (array sizes, case labels). */
  constantInt(node: ts.Expression, what: string): TExpr | null {
    const e = this.int(node, what);
    if (e === null) {
      return null;
    }
    if (!isConstantExpr(e.expr)) {
      this.ctx.unsupported(
        node,
        `${what} that is not a compile-time constant`,
        "use literals, exported constants, enum members and arithmetic of those",
      );
      return null;
    }
    return e;
  }

  /** The type of `new Uint8Array(N)`, `new Int32Array(N)` or `new X()`. */
  newLocalType(node: ts.NewExpression): ValueType | null {
    const callee = node.expression;
    if (!ts.isIdentifier(callee)) {
      this.ctx.unsupported(node, "`new` of an expression", "create Uint8Array, Int32Array or records");
      return null;
    }
    const args = node.arguments ?? [];
    if (callee.text === "Uint8Array" || callee.text === "Int32Array") {
      if (args.length !== 1 || ts.isSpreadElement(args[0])) {
        this.ctx.unsupported(
          node,
          `\`new ${callee.text}\` without a single size argument`,
          "write `new " + callee.text + "(N)` with a constant N",
        );
        return null;
      }
      const size = this.constantInt(args[0], "an array size");
      if (size === null) {
        return null;
      }
      return {
        kind: "array",
        element: callee.text === "Uint8Array" ? "byte" : "int",
        readonly: false,
        size: { kind: "expr", expr: size.expr },
      };
    }
    const g = this.ctx.globalOf(callee);
    if (g !== undefined && g.kind === "record") {
      if (args.length > 0) {
        this.ctx.unsupported(node, "a constructor argument", "records are zero-initialised: set the fields afterwards");
        return null;
      }
      return { kind: "record", name: g.info.name, readonly: false };
    }
    this.ctx.unsupported(
      node,
      `\`new ${callee.text}\``,
      "only Uint8Array, Int32Array and records of the core can be created",
    );
    return null;
  }

  /** The local a scalar assignment target names, if it is one. */
  protected localOf(node: ts.Identifier): LocalVar | undefined {
    return this.scope === null ? undefined : (lookupLocal(this.scope, node.text) ?? undefined);
  }
}
