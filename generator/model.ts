/**
 * The typed model (IR) of a spec written in the SourcePawn subset: what the
 * frontend reads out of the TypeScript syntax tree, and all that lowering to
 * SourcePawn needs. Plain readonly data; every union is discriminated by `kind`.
 *
 * Names are the TypeScript names; SourcePawn naming is decided when lowering.
 * Integer idioms keep their meaning here (`wrap` for `x | 0`, `div` for
 * `(a / b) | 0`, ...): the IR says what the code computes, not how it prints.
 */

/** Where a declaration or statement came from (1-based line and column), for diagnostics and comments. */
export interface SourcePos {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A doc comment: its text lines, without the comment markers. */
export type Doc = readonly string[];

/** The value types of the subset. */
export type ValueType =
  { readonly kind: "int" } | { readonly kind: "bool" } | { readonly kind: "string" } | ArrayType | RecordType;

/** `Uint8Array` (element "byte") or `Int32Array`/a constant table (element "int"). */
export interface ArrayType {
  readonly kind: "array";
  readonly element: "byte" | "int";
  readonly readonly: boolean;
  /** The declared size when known (locals, fields, tables); null for parameters. */
  readonly size: ArraySize | null;
}

/** How the size of an array is known. */
export type ArraySize =
  { readonly kind: "expr"; readonly expr: Expr } | { readonly kind: "table"; readonly name: string };

/** A record (field-only class). */
export interface RecordType {
  readonly kind: "record";
  readonly name: string;
  readonly readonly: boolean;
}

/** What a function returns. */
export type ReturnType = { readonly kind: "int" } | { readonly kind: "bool" } | { readonly kind: "void" };

export const INT: ValueType = { kind: "int" };
export const BOOL: ValueType = { kind: "bool" };
export const STRING: ValueType = { kind: "string" };

/** A local variable or parameter of one function; `id` is unique within the function. */
export interface LocalVar {
  readonly id: number;
  readonly name: string;
  readonly type: ValueType;
  readonly pos: SourcePos;
}

// ---------------------------------------------------------------------------
// Expressions

export type BinaryOp =
  "+" | "-" | "*" | "%" | "&" | "|" | "^" | "<<" | ">>" | ">>>" | "===" | "!==" | "<" | "<=" | ">" | ">=" | "&&" | "||";

export type UnaryOp = "-" | "~" | "!";

export type Expr =
  /** An integer literal; `value` is the TypeScript value (up to 2^32-1 under `| 0`), `radix` how it was written. */
  | { readonly kind: "int"; readonly value: number; readonly radix: 2 | 10 | 16 }
  | { readonly kind: "bool"; readonly value: boolean }
  /** `"A".charCodeAt(0)`: a character code. */
  | { readonly kind: "char"; readonly code: number }
  /** A string literal (only where the subset allows strings). */
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "local"; readonly local: LocalVar }
  /** A module-level constant (`#define`). */
  | { readonly kind: "const"; readonly name: string; readonly type: ValueType }
  /** A constant table used as a whole (passed to a read-only int array parameter). */
  | { readonly kind: "table"; readonly name: string; readonly type: ArrayType }
  | { readonly kind: "enumMember"; readonly enumName: string; readonly member: string }
  | { readonly kind: "index"; readonly array: Expr; readonly index: Expr; readonly type: ValueType }
  | { readonly kind: "field"; readonly record: Expr; readonly field: string; readonly type: ValueType }
  | { readonly kind: "unary"; readonly op: UnaryOp; readonly operand: Expr }
  | { readonly kind: "binary"; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr }
  /** `x | 0`: the 32-bit wrap JavaScript needs and SourcePawn does by itself. */
  | { readonly kind: "wrap"; readonly operand: Expr }
  /** `x >>> 0`: the same 32 bits, read as unsigned by JavaScript. */
  | { readonly kind: "toUint32"; readonly operand: Expr }
  /** `(a / b) | 0`: integer division truncating toward zero. */
  | { readonly kind: "div"; readonly left: Expr; readonly right: Expr }
  /** `Math.imul(a, b)`: wrapping 32-bit multiplication. */
  | { readonly kind: "imul"; readonly left: Expr; readonly right: Expr }
  | { readonly kind: "conditional"; readonly test: Expr; readonly whenTrue: Expr; readonly whenFalse: Expr }
  | { readonly kind: "call"; readonly callee: string; readonly args: readonly Expr[]; readonly type: ReturnType }
  /** `s.length` on a string that is not a compile-time constant. */
  | { readonly kind: "strLength"; readonly string: Expr }
  /** `s.charCodeAt(i)` on a string. */
  | { readonly kind: "strCharAt"; readonly string: Expr; readonly index: Expr }
  /** `a.length` on an array of known size. */
  | { readonly kind: "arrayLength"; readonly size: ArraySize };

/** The expressions a value can be stored to. */
export type LValue =
  | { readonly kind: "local"; readonly local: LocalVar }
  | { readonly kind: "index"; readonly array: Expr; readonly index: Expr; readonly type: ValueType }
  | { readonly kind: "field"; readonly record: Expr; readonly field: string; readonly type: ValueType };

export type AssignOp = "=" | "+=" | "-=" | "*=" | "%=" | "|=" | "&=" | "^=" | "<<=" | ">>=" | ">>>=";

// ---------------------------------------------------------------------------
// Statements

/** One `case`/`default` group of a switch; empty cases before it are merged into `values`. */
export interface SwitchCase {
  readonly values: readonly Expr[];
  readonly isDefault: boolean;
  /** The body without its trailing `break`. */
  readonly body: readonly Stmt[];
}

export type Stmt =
  /** Comment lines; `pos` (from the frontend) is where the statement after them starts, for hint diagnostics. */
  | { readonly kind: "comment"; readonly lines: readonly string[]; readonly pos?: SourcePos }
  /** A local declaration: `init` is null for arrays and records (zero-filled). */
  | { readonly kind: "local"; readonly local: LocalVar; readonly init: Expr | null }
  | { readonly kind: "assign"; readonly op: AssignOp; readonly target: LValue; readonly value: Expr }
  | { readonly kind: "update"; readonly op: "++" | "--"; readonly target: LValue }
  | { readonly kind: "call"; readonly call: Expr & { readonly kind: "call" } }
  | { readonly kind: "if"; readonly test: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] | null }
  | {
      readonly kind: "for";
      readonly init: readonly Stmt[];
      readonly test: Expr | null;
      readonly update: readonly Stmt[];
      readonly body: readonly Stmt[];
    }
  | { readonly kind: "while"; readonly test: Expr; readonly body: readonly Stmt[] }
  | { readonly kind: "doWhile"; readonly body: readonly Stmt[]; readonly test: Expr }
  | { readonly kind: "break" }
  | { readonly kind: "continue" }
  | { readonly kind: "return"; readonly value: Expr | null }
  | { readonly kind: "switch"; readonly subject: Expr; readonly cases: readonly SwitchCase[] }
  | { readonly kind: "block"; readonly body: readonly Stmt[] };

// ---------------------------------------------------------------------------
// Declarations

/** `export const NAME = …` with an int, bool or string value. */
export interface ConstDecl {
  readonly kind: "const";
  readonly name: string;
  readonly type: ValueType;
  readonly value: Expr;
  readonly doc: Doc;
  readonly pos: SourcePos;
}

/** One member of a const enum. */
export interface EnumMember {
  readonly name: string;
  readonly value: Expr;
  readonly doc: Doc;
}

/** `const enum E { A = 1, … }`. */
export interface EnumDecl {
  readonly kind: "enum";
  readonly name: string;
  readonly members: readonly EnumMember[];
  readonly doc: Doc;
  readonly pos: SourcePos;
}

/** A field of a record: int, bool, byte/int array of constant size, or a nested record. */
export interface FieldDecl {
  readonly name: string;
  readonly type: ValueType;
  readonly doc: Doc;
  readonly pos: SourcePos;
}

/** A field-only class. */
export interface RecordDecl {
  readonly kind: "record";
  readonly name: string;
  readonly fields: readonly FieldDecl[];
  readonly doc: Doc;
  readonly pos: SourcePos;
}

/** `export const T: readonly number[] = [ … ]`; `rows` keep the source's line grouping and trailing comments. */
export interface TableDecl {
  readonly kind: "table";
  readonly name: string;
  readonly rows: readonly { readonly values: readonly Expr[]; readonly comment: string | null }[];
  readonly count: number;
  readonly doc: Doc;
  readonly pos: SourcePos;
}

export interface ParamDecl {
  readonly local: LocalVar;
  readonly defaultValue: Expr | null;
  /** False when the body never reads it (SourcePawn then needs `#pragma unused`). */
  readonly used: boolean;
}

export interface FunctionDecl {
  readonly kind: "function";
  readonly name: string;
  readonly exported: boolean;
  readonly params: readonly ParamDecl[];
  readonly returnType: ReturnType;
  readonly body: readonly Stmt[];
  /** Locals (not parameters) that are never read. */
  readonly unusedLocals: readonly number[];
  readonly doc: Doc;
  readonly pos: SourcePos;
}

export type Decl = ConstDecl | EnumDecl | RecordDecl | TableDecl | FunctionDecl;

/** One spec file. */
export interface Module {
  /** Path as shown in diagnostics (relative to the working directory when inside it, else absolute; `/` separators). */
  readonly path: string;
  /** Name as shown in generated headers and banners: relative to the spec root (TranspileOptions.root), `/` separators. */
  readonly name: string;
  /** The file's leading doc comment (not attached to a declaration). */
  readonly doc: Doc;
  readonly decls: readonly Decl[];
}

/** Everything read from the spec, modules in a stable order. */
export interface SpecModel {
  readonly modules: readonly Module[];
}

/**
 * The array type of an expression that names an array (a local or parameter, a record field, a constant table,
 * a constant), or null for anything else.
 */
export function arrayTypeOf(e: Expr): ArrayType | null {
  const t =
    e.kind === "local" ? e.local.type : e.kind === "field" || e.kind === "table" || e.kind === "const" ? e.type : null;
  return t !== null && t.kind === "array" ? t : null;
}

/** The record type name of an expression that names a record (a local or parameter, a field, an element), or null. */
export function recordTypeOf(e: Expr): string | null {
  const t = e.kind === "local" ? e.local.type : e.kind === "field" || e.kind === "index" ? e.type : null;
  return t !== null && t.kind === "record" ? t.name : null;
}
