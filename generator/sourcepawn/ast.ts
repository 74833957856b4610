/**
 * A small SourcePawn syntax tree: exactly the constructs the generator
 * emits. It says nothing about layout; generator/sourcepawn/printer.ts owns
 * tabs, braces, spacing, parentheses and comments.
 */

/** Doc comment text lines (without comment markers); empty for none. */
export type SpDoc = readonly string[];

/** A type as written before a name: `int`, `bool`, `char`, `void` or an enum struct name. */
export type SpType = string;

export type SpBinaryOp =
  | "*"
  | "/"
  | "%"
  | "+"
  | "-"
  | "<<"
  | ">>"
  | ">>>"
  | "&"
  | "^"
  | "|"
  | "<"
  | "<="
  | ">"
  | ">="
  | "=="
  | "!="
  | "&&"
  | "||";

export type SpAssignOp = "=" | "+=" | "-=" | "*=" | "%=" | "|=" | "&=" | "^=" | "<<=" | ">>=" | ">>>=";

export type SpExpr =
  /** An integer literal, already spelled (`42`, `-1` is a unary minus, `0x8f1bbcdc`). */
  | { readonly kind: "int"; readonly text: string }
  | { readonly kind: "bool"; readonly value: boolean }
  /** A character literal `'A'` (or its code when it has no plain spelling). */
  | { readonly kind: "char"; readonly code: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "index"; readonly array: SpExpr; readonly index: SpExpr }
  | { readonly kind: "field"; readonly object: SpExpr; readonly field: string }
  | { readonly kind: "unary"; readonly op: "-" | "~" | "!"; readonly operand: SpExpr }
  | { readonly kind: "binary"; readonly op: SpBinaryOp; readonly left: SpExpr; readonly right: SpExpr }
  | { readonly kind: "ternary"; readonly test: SpExpr; readonly whenTrue: SpExpr; readonly whenFalse: SpExpr }
  | { readonly kind: "call"; readonly callee: string; readonly args: readonly SpExpr[] }
  | { readonly kind: "sizeof"; readonly name: string }
  | { readonly kind: "assign"; readonly op: SpAssignOp; readonly target: SpExpr; readonly value: SpExpr }
  /** Postfix `x++` / `x--`. */
  | { readonly kind: "update"; readonly op: "++" | "--"; readonly target: SpExpr }
  /** `view_as<int>(x)`: a `char` element read as an int, where spcomp wants both sides of `?:` of one type. */
  | { readonly kind: "viewAs"; readonly type: "int"; readonly operand: SpExpr };

/** `type name[dim]… = init` (one declarator). */
export interface SpDeclarator {
  readonly name: string;
  readonly dims: readonly SpExpr[];
  readonly init: SpExpr | null;
}

export interface SpCase {
  /** null for `default`. */
  readonly labels: readonly SpExpr[] | null;
  readonly body: readonly SpStmt[];
}

export type SpStmt =
  | { readonly kind: "comment"; readonly lines: readonly string[] }
  | { readonly kind: "local"; readonly type: SpType; readonly decl: SpDeclarator }
  | { readonly kind: "expr"; readonly expr: SpExpr }
  | {
      readonly kind: "if";
      readonly test: SpExpr;
      readonly then: readonly SpStmt[];
      readonly else: readonly SpStmt[] | null;
    }
  | {
      readonly kind: "for";
      /** Declarations of one type, or expressions, or nothing. */
      readonly init:
        | { readonly kind: "decls"; readonly type: SpType; readonly decls: readonly SpDeclarator[] }
        | { readonly kind: "exprs"; readonly exprs: readonly SpExpr[] }
        | null;
      readonly test: SpExpr | null;
      readonly update: readonly SpExpr[];
      readonly body: readonly SpStmt[];
    }
  | { readonly kind: "while"; readonly test: SpExpr; readonly body: readonly SpStmt[] }
  | { readonly kind: "doWhile"; readonly body: readonly SpStmt[]; readonly test: SpExpr }
  | { readonly kind: "break" }
  | { readonly kind: "continue" }
  | { readonly kind: "return"; readonly value: SpExpr | null }
  | { readonly kind: "switch"; readonly subject: SpExpr; readonly cases: readonly SpCase[] }
  | { readonly kind: "block"; readonly body: readonly SpStmt[] }
  | { readonly kind: "pragmaUnused"; readonly names: readonly string[] };

export interface SpParam {
  readonly isConst: boolean;
  readonly type: SpType;
  readonly name: string;
  /** `[]` after the name. */
  readonly isArray: boolean;
  readonly defaultValue: SpExpr | null;
}

export interface SpEnumMember {
  readonly name: string;
  readonly value: SpExpr;
  readonly doc: SpDoc;
}

export interface SpField {
  readonly type: SpType;
  readonly name: string;
  readonly dims: readonly SpExpr[];
  readonly doc: SpDoc;
}

/** Top-level declarations and directives. */
export type SpDecl =
  | { readonly kind: "comment"; readonly lines: readonly string[] }
  | { readonly kind: "directive"; readonly text: string }
  | { readonly kind: "define"; readonly name: string; readonly value: SpExpr; readonly doc: SpDoc }
  /** An untagged `enum { … };` so that members are plain ints. */
  | { readonly kind: "enum"; readonly members: readonly SpEnumMember[]; readonly doc: SpDoc }
  | { readonly kind: "enumStruct"; readonly name: string; readonly fields: readonly SpField[]; readonly doc: SpDoc }
  /** `stock const int NAME[] = { … };` with rows as in the source and an optional comment per row. */
  | {
      readonly kind: "constArray";
      readonly name: string;
      readonly rows: readonly { readonly values: readonly SpExpr[]; readonly comment: string | null }[];
      readonly doc: SpDoc;
    }
  | {
      readonly kind: "function";
      readonly storage: "stock" | "public" | null;
      readonly returnType: SpType;
      readonly name: string;
      readonly params: readonly SpParam[];
      readonly body: readonly SpStmt[];
      readonly doc: SpDoc;
    };

/** Declarations printed in order, separated by one blank line (directives stay together). */
export interface SpFile {
  readonly decls: readonly SpDecl[];
}
