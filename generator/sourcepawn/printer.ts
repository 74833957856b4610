/**
 * The one SourcePawn printer: owns all layout of generated code. Tabs for
 * indentation, Allman braces, one space around binary operators, `/** … *\/`
 * doc comments, one blank line between top-level declarations, LF line ends.
 *
 * Parentheses come from SourcePawn's own precedence table (which differs
 * from C and JavaScript: `&`, `^` and `|` bind tighter than comparisons), plus
 * a few added for readers: around a bit-wise or shift operand that is another
 * operator, around a bit-wise or shift operand of arithmetic or comparison,
 * around a comparison inside `==`/`!=`, around `*` mixed with `/` or `%`,
 * and around `&&` inside `||`.
 */

import type { SpBinaryOp, SpCase, SpDecl, SpDoc, SpExpr, SpFile, SpParam, SpStmt } from "./ast.js";
import { spCharLiteral, spStringLiteral } from "./strings.js";

/** Binding strength of SourcePawn operators (compiler/parser.cpp, hier2 … hier14): higher binds tighter. */
const BINARY_PRECEDENCE: Readonly<Record<SpBinaryOp, number>> = {
  "*": 13,
  "/": 13,
  "%": 13,
  "+": 12,
  "-": 12,
  "<<": 11,
  ">>": 11,
  ">>>": 11,
  "&": 10,
  "^": 9,
  "|": 8,
  "<": 7,
  "<=": 7,
  ">": 7,
  ">=": 7,
  "==": 6,
  "!=": 6,
  "&&": 5,
  "||": 4,
};

const PREC_ATOM = 100;
const PREC_UNARY = 14;
const PREC_TERNARY = 3;
const PREC_ASSIGN = 2;

const BITWISE = new Set<SpBinaryOp>(["&", "^", "|", "<<", ">>", ">>>"]);
const RELATIONAL = new Set<SpBinaryOp>(["<", "<=", ">", ">="]);
const DIVISION = new Set<SpBinaryOp>(["/", "%"]);

function precedence(e: SpExpr): number {
  switch (e.kind) {
    case "binary":
      return BINARY_PRECEDENCE[e.op];
    case "unary":
      return PREC_UNARY;
    case "ternary":
      return PREC_TERNARY;
    case "assign":
      return PREC_ASSIGN;
    default:
      return PREC_ATOM;
  }
}

/** Whether the operand `child` of binary `op` needs parentheses; `right` for the right operand. */
function needsParens(op: SpBinaryOp, child: SpExpr, right: boolean): boolean {
  const p = BINARY_PRECEDENCE[op];
  const c = precedence(child);
  if (c < p || (right && c === p)) {
    return true;
  }
  if (child.kind !== "binary") {
    return false;
  }
  if (c === p && RELATIONAL.has(op)) {
    // SourcePawn chains `a < b < c`; never print that by accident.
    return true;
  }
  if (BITWISE.has(op) && child.op !== op) {
    return true;
  }
  if (BITWISE.has(child.op) && !BITWISE.has(op)) {
    return true;
  }
  if (RELATIONAL.has(child.op) && (op === "==" || op === "!=")) {
    return true;
  }
  if (c === p && p === BINARY_PRECEDENCE["*"] && child.op !== op && (DIVISION.has(op) || DIVISION.has(child.op))) {
    // `(a / b) * c`, `(a * b) / c`: integer division does not commute with multiplication.
    return true;
  }
  return op === "||" && child.op === "&&";
}

/** An expression as SourcePawn source text. */
export function printExpr(e: SpExpr): string {
  switch (e.kind) {
    case "int":
      return e.text;
    case "bool":
      return e.value ? "true" : "false";
    case "char":
      return spCharLiteral(e.code);
    case "string":
      return spStringLiteral(e.value);
    case "name":
      return e.name;
    case "index":
      return `${postfixOperand(e.array)}[${printExpr(e.index)}]`;
    case "field":
      return `${postfixOperand(e.object)}.${e.field}`;
    case "call":
      return `${e.callee}(${e.args.map(printExpr).join(", ")})`;
    case "sizeof":
      return `sizeof(${e.name})`;
    case "unary": {
      const inner = printExpr(e.operand);
      // `- -x` must not print as `--x`.
      const wrap =
        precedence(e.operand) < PREC_UNARY || (e.op === "-" && e.operand.kind === "unary" && e.operand.op === "-");
      return `${e.op}${wrap ? `(${inner})` : inner}`;
    }
    case "binary": {
      const l = printExpr(e.left);
      const r = printExpr(e.right);
      return `${needsParens(e.op, e.left, false) ? `(${l})` : l} ${e.op} ${needsParens(e.op, e.right, true) ? `(${r})` : r}`;
    }
    case "viewAs":
      return `view_as<${e.type}>(${printExpr(e.operand)})`;
    case "ternary": {
      const t = printExpr(e.test);
      const a = printExpr(e.whenTrue);
      const b = printExpr(e.whenFalse);
      const pt = precedence(e.test) <= PREC_TERNARY ? `(${t})` : t;
      const pa = precedence(e.whenTrue) <= PREC_TERNARY ? `(${a})` : a;
      const pb = precedence(e.whenFalse) < PREC_TERNARY ? `(${b})` : b;
      return `${pt} ? ${pa} : ${pb}`;
    }
    case "assign":
      return `${printExpr(e.target)} ${e.op} ${printExpr(e.value)}`;
    case "update":
      return `${postfixOperand(e.target)}${e.op}`;
  }
}

function postfixOperand(e: SpExpr): string {
  const s = printExpr(e);
  return precedence(e) < PREC_ATOM ? `(${s})` : s;
}

/** Collects lines with the current indentation. */
class Lines {
  readonly out: string[] = [];
  private depth = 0;

  line(text: string): void {
    this.out.push(text === "" ? "" : "\t".repeat(this.depth) + text);
  }

  indent(fn: () => void): void {
    this.depth++;
    fn();
    this.depth--;
  }

  /** `{`, the body one level deeper, `}` (Allman style). */
  block(fn: () => void, closing = "}"): void {
    this.line("{");
    this.indent(fn);
    this.line(closing);
  }
}

/**
 * A `//` comment. spcomp reads a backslash at the end of a line comment as a line continuation and rejects it
 * (error 49), so such a comment gets a closing `//`.
 */
export function lineComment(text: string): string {
  if (text === "") {
    return "//";
  }
  return /\\\s*$/.test(text) ? `// ${text} //` : `// ${text}`;
}

function printDoc(w: Lines, doc: SpDoc): void {
  if (doc.length === 0) {
    return;
  }
  if (doc.length === 1) {
    w.line(`/** ${doc[0]} */`);
    return;
  }
  w.line("/**");
  for (const l of doc) {
    w.line(l === "" ? " *" : ` * ${l}`);
  }
  w.line(" */");
}

function declarator(name: string, dims: readonly SpExpr[], init: SpExpr | null): string {
  const d = dims.map((x) => `[${printExpr(x)}]`).join("");
  return init === null ? `${name}${d}` : `${name}${d} = ${printExpr(init)}`;
}

function printStmts(w: Lines, stmts: readonly SpStmt[]): void {
  for (const s of stmts) {
    printStmt(w, s);
  }
}

function printBody(w: Lines, body: readonly SpStmt[]): void {
  w.block(() => printStmts(w, body));
}

function printStmt(w: Lines, s: SpStmt): void {
  switch (s.kind) {
    case "comment":
      for (const l of s.lines) {
        w.line(lineComment(l));
      }
      return;
    case "local":
      w.line(`${s.type} ${declarator(s.decl.name, s.decl.dims, s.decl.init)};`);
      return;
    case "expr":
      w.line(`${printExpr(s.expr)};`);
      return;
    case "if": {
      w.line(`if (${printExpr(s.test)})`);
      printBody(w, s.then);
      let els = s.else;
      while (els !== null) {
        const only = els.length === 1 ? els[0] : null;
        if (only !== null && only.kind === "if") {
          w.line(`else if (${printExpr(only.test)})`);
          printBody(w, only.then);
          els = only.else;
        } else {
          w.line("else");
          printBody(w, els);
          els = null;
        }
      }
      return;
    }
    case "for": {
      let init = "";
      if (s.init !== null && s.init.kind === "decls") {
        const type = s.init.type;
        init = `${type} ${s.init.decls.map((d) => declarator(d.name, d.dims, d.init)).join(", ")}`;
      } else if (s.init !== null) {
        init = s.init.exprs.map(printExpr).join(", ");
      }
      const test = s.test === null ? "" : printExpr(s.test);
      const update = s.update.map(printExpr).join(", ");
      w.line(init === "" && test === "" && update === "" ? "for (;;)" : `for (${init}; ${test}; ${update})`);
      printBody(w, s.body);
      return;
    }
    case "while":
      w.line(`while (${printExpr(s.test)})`);
      printBody(w, s.body);
      return;
    case "doWhile":
      w.line("do");
      printBody(w, s.body);
      w.line(`while (${printExpr(s.test)});`);
      return;
    case "break":
      w.line("break;");
      return;
    case "continue":
      w.line("continue;");
      return;
    case "return":
      w.line(s.value === null ? "return;" : `return ${printExpr(s.value)};`);
      return;
    case "switch":
      w.line(`switch (${printExpr(s.subject)})`);
      w.block(() => {
        for (const c of s.cases) {
          printCase(w, c);
        }
      });
      return;
    case "block":
      printBody(w, s.body);
      return;
    case "pragmaUnused":
      // One name per pragma: spcomp 1.12 ignores the names after the first in `#pragma unused a, b`.
      for (const n of s.names) {
        w.line(`#pragma unused ${n}`);
      }
      return;
  }
}

function printCase(w: Lines, c: SpCase): void {
  w.line(c.labels === null ? "default:" : `case ${c.labels.map(printExpr).join(", ")}:`);
  printBody(w, c.body);
}

function printParam(p: SpParam): string {
  const d = p.defaultValue === null ? "" : ` = ${printExpr(p.defaultValue)}`;
  return `${p.isConst ? "const " : ""}${p.type}${p.isArray ? "[]" : ""} ${p.name}${d}`;
}

/** A `#define` value: parenthesised unless it is a single token. */
function defineValue(e: SpExpr): string {
  const s = printExpr(e);
  const atomic = e.kind === "name" || e.kind === "string" || e.kind === "bool" || e.kind === "char" || e.kind === "int";
  return atomic ? s : `(${s})`;
}

function printDecl(w: Lines, d: SpDecl): void {
  switch (d.kind) {
    case "comment":
      for (const l of d.lines) {
        w.line(lineComment(l));
      }
      return;
    case "directive":
      w.line(d.text);
      return;
    case "define":
      printDoc(w, d.doc);
      w.line(`#define ${d.name} ${defineValue(d.value)}`);
      return;
    case "enum":
      printDoc(w, d.doc);
      w.line("enum");
      w.block(() => {
        d.members.forEach((m, i) => {
          printDoc(w, m.doc);
          w.line(`${m.name} = ${printExpr(m.value)}${i < d.members.length - 1 ? "," : ""}`);
        });
      }, "};");
      return;
    case "enumStruct":
      printDoc(w, d.doc);
      w.line(`enum struct ${d.name}`);
      w.block(() => {
        for (const f of d.fields) {
          printDoc(w, f.doc);
          w.line(`${f.type} ${declarator(f.name, f.dims, null)};`);
        }
      });
      return;
    case "constArray":
      printDoc(w, d.doc);
      w.line(`stock const int ${d.name}[] =`);
      w.block(() => {
        d.rows.forEach((row, i) => {
          const last = i === d.rows.length - 1;
          const text = row.values.map(printExpr).join(", ") + (last ? "" : ",");
          w.line(row.comment === null ? text : `${text} ${lineComment(row.comment)}`);
        });
      }, "};");
      return;
    case "function":
      printDoc(w, d.doc);
      w.line(
        `${d.storage === null ? "" : `${d.storage} `}${d.returnType} ${d.name}(${d.params.map(printParam).join(", ")})`,
      );
      printBody(w, d.body);
      return;
  }
}

/** Top-level declarations: one blank line between them, none between consecutive directives; ends with a newline. */
export function printDecls(decls: readonly SpDecl[]): string {
  const w = new Lines();
  decls.forEach((d, i) => {
    const prev = i > 0 ? decls[i - 1] : null;
    if (prev !== null && !(prev.kind === "directive" && d.kind === "directive")) {
      w.line("");
    }
    printDecl(w, d);
  });
  return w.out.length === 0 ? "" : `${w.out.join("\n")}\n`;
}

/** A whole file. */
export function printFile(file: SpFile): string {
  return printDecls(file.decls);
}

/** Statements at a given indentation depth (used by tests and templates). */
export function printStatements(stmts: readonly SpStmt[]): string {
  const w = new Lines();
  printStmts(w, stmts);
  return w.out.length === 0 ? "" : `${w.out.join("\n")}\n`;
}
