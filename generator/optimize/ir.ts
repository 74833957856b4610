/**
 * Small helpers over the model (IR) shared by the optimisation passes:
 * rebuilding expressions and statements, structural keys, purity and
 * invariance questions, fresh locals.
 */

import type { Diagnostic } from "../diagnostics.js";
import type { Expr, FunctionDecl, LocalVar, LValue, SourcePos, SpecModel, Stmt } from "../model.js";

/**
 * `e` with each direct sub-expression replaced by `fn` of it. When `fn` returns every child
 * unchanged, `e` itself is returned: the model is immutable, and sharing untouched subtrees
 * spares the passes most of their allocations (they rebuild whole functions many times).
 */
export function mapChildren(e: Expr, fn: (x: Expr) => Expr): Expr {
  switch (e.kind) {
    case "index": {
      const array = fn(e.array);
      const index = fn(e.index);
      return array === e.array && index === e.index ? e : { ...e, array, index };
    }
    case "field": {
      const record = fn(e.record);
      return record === e.record ? e : { ...e, record };
    }
    case "unary":
    case "wrap":
    case "toUint32": {
      const operand = fn(e.operand);
      return operand === e.operand ? e : { ...e, operand };
    }
    case "binary":
    case "div":
    case "imul": {
      const left = fn(e.left);
      const right = fn(e.right);
      return left === e.left && right === e.right ? e : { ...e, left, right };
    }
    case "conditional": {
      const test = fn(e.test);
      const whenTrue = fn(e.whenTrue);
      const whenFalse = fn(e.whenFalse);
      return test === e.test && whenTrue === e.whenTrue && whenFalse === e.whenFalse
        ? e
        : { ...e, test, whenTrue, whenFalse };
    }
    case "call": {
      const args = e.args.map(fn);
      return args.every((a, i) => a === e.args[i]) ? e : { ...e, args };
    }
    case "strLength": {
      const string = fn(e.string);
      return string === e.string ? e : { ...e, string };
    }
    case "strCharAt": {
      const string = fn(e.string);
      const index = fn(e.index);
      return string === e.string && index === e.index ? e : { ...e, string, index };
    }
    default:
      return e;
  }
}

/** Rebuilds `e` bottom-up: `fn` sees each node after its children were rebuilt and returns its replacement. */
export function mapExpr(e: Expr, fn: (x: Expr) => Expr): Expr {
  return fn(mapChildren(e, (c) => mapExpr(c, fn)));
}

/** The direct sub-expressions of `e`. */
export function children(e: Expr): Expr[] {
  switch (e.kind) {
    case "index":
      return [e.array, e.index];
    case "field":
      return [e.record];
    case "unary":
    case "wrap":
    case "toUint32":
      return [e.operand];
    case "binary":
    case "div":
    case "imul":
      return [e.left, e.right];
    case "conditional":
      return [e.test, e.whenTrue, e.whenFalse];
    case "call":
      return [...e.args];
    case "strLength":
      return [e.string];
    case "strCharAt":
      return [e.string, e.index];
    default:
      return [];
  }
}

/** True when `pred` holds for `e` or any expression inside it (no child arrays: the passes ask this a lot). */
export function someExpr(e: Expr, pred: (x: Expr) => boolean): boolean {
  if (pred(e)) {
    return true;
  }
  switch (e.kind) {
    case "index":
      return someExpr(e.array, pred) || someExpr(e.index, pred);
    case "field":
      return someExpr(e.record, pred);
    case "unary":
    case "wrap":
    case "toUint32":
      return someExpr(e.operand, pred);
    case "binary":
    case "div":
    case "imul":
      return someExpr(e.left, pred) || someExpr(e.right, pred);
    case "conditional":
      return someExpr(e.test, pred) || someExpr(e.whenTrue, pred) || someExpr(e.whenFalse, pred);
    case "call":
      return e.args.some((a) => someExpr(a, pred));
    case "strLength":
      return someExpr(e.string, pred);
    case "strCharAt":
      return someExpr(e.string, pred) || someExpr(e.index, pred);
    default:
      return false;
  }
}

/** A string that is equal for structurally equal expressions (locals by id). */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case "int":
      return `${e.value}`;
    case "bool":
      return `${e.value}`;
    case "char":
      return `'${e.code}`;
    case "string":
      return JSON.stringify(e.value);
    case "local":
      return `$${e.local.id}`;
    case "const":
    case "table":
      return `@${e.name}`;
    case "enumMember":
      return `@${e.enumName}.${e.member}`;
    case "arrayLength":
      return e.size.kind === "table" ? `#${e.size.name}` : `#(${exprKey(e.size.expr)})`;
    case "index":
      return `${exprKey(e.array)}[${exprKey(e.index)}]`;
    case "field":
      return `${exprKey(e.record)}.${e.field}`;
    case "binary":
      return `(${exprKey(e.left)} ${e.op} ${exprKey(e.right)})`;
    case "call":
      return `${e.callee}(${e.args.map(exprKey).join(", ")})`;
    default:
      return `${e.kind}(${children(e).map(exprKey).join(", ")})`;
  }
}

/** True when `e` calls a function anywhere. */
export function hasCall(e: Expr): boolean {
  return someExpr(e, (x) => x.kind === "call");
}

/** An int literal. */
export function intLit(value: number): Expr {
  return { kind: "int", value, radix: 10 };
}

/** `a + b`, folded when both are literals and `b + 0` dropped. */
export function add(a: Expr, b: Expr): Expr {
  if (b.kind === "int" && b.value === 0) {
    return a;
  }
  if (a.kind === "int" && a.value === 0) {
    return b;
  }
  return { kind: "binary", op: "+", left: a, right: b };
}

/** `a + b` or `a - b` of two decimal literals as one literal when the result is a non-negative int; else `e`. */
export function foldLiteral(e: Expr): Expr {
  if (e.kind === "binary" && (e.op === "+" || e.op === "-") && e.left.kind === "int" && e.right.kind === "int") {
    const v = e.op === "+" ? e.left.value + e.right.value : e.left.value - e.right.value;
    if (v >= 0 && v <= 0x7fffffff && e.left.radix === 10 && e.right.radix === 10) {
      return intLit(v);
    }
  }
  return e;
}

/** Calls `fn` on every statement of `stmts`, nested ones included. */
export function walkStmts(stmts: readonly Stmt[], fn: (s: Stmt) => void): void {
  for (const s of stmts) {
    fn(s);
    switch (s.kind) {
      case "if":
        walkStmts(s.then, fn);
        if (s.else !== null) {
          walkStmts(s.else, fn);
        }
        break;
      case "for":
        walkStmts(s.init, fn);
        walkStmts(s.update, fn);
        walkStmts(s.body, fn);
        break;
      case "while":
      case "doWhile":
      case "block":
        walkStmts(s.body, fn);
        break;
      case "switch":
        for (const c of s.cases) {
          walkStmts(c.body, fn);
        }
        break;
      default:
        break;
    }
  }
}

/** Every expression directly held by a statement (not those of nested statements), lvalues included. */
export function stmtExprs(s: Stmt): Expr[] {
  switch (s.kind) {
    case "local":
      return s.init === null ? [] : [s.init];
    case "assign":
      return [s.target, s.value];
    case "update":
      return [s.target];
    case "call":
      return [s.call];
    case "if":
    case "while":
    case "doWhile":
      return [s.test];
    case "for":
      return s.test === null ? [] : [s.test];
    case "return":
      return s.value === null ? [] : [s.value];
    case "switch":
      return [s.subject, ...s.cases.flatMap((c) => c.values)];
    default:
      return [];
  }
}

/** What the statements write: locals assigned or declared, and whether any field or array element is stored. */
export interface Writes {
  readonly locals: ReadonlySet<number>;
  readonly fields: boolean;
  readonly elements: boolean;
  readonly calls: boolean;
}

/** The writes (and calls) of a list of statements. */
export function writesOf(stmts: readonly Stmt[]): Writes {
  const locals = new Set<number>();
  let fields = false;
  let elements = false;
  let calls = false;
  const target = (t: LValue): void => {
    if (t.kind === "local") {
      locals.add(t.local.id);
    } else if (t.kind === "field") {
      fields = true;
    } else {
      elements = true;
    }
  };
  walkStmts(stmts, (s) => {
    if (s.kind === "assign" || s.kind === "update") {
      target(s.target);
    } else if (s.kind === "local") {
      locals.add(s.local.id);
    }
    if (stmtExprs(s).some(hasCall)) {
      calls = true;
    }
  });
  return { locals, fields, elements, calls };
}

/** True when `e` has the same value before and after statements with these writes run (and is free of calls). */
export function invariantUnder(e: Expr, w: Writes): boolean {
  return !someExpr(e, (x) => {
    switch (x.kind) {
      case "local":
        return w.locals.has(x.local.id);
      case "field":
        return w.fields || w.calls;
      case "index":
        return w.elements || w.calls;
      case "call":
        return true;
      default:
        return false;
    }
  });
}

/** The largest local id of a function (parameters and every declared local), to number fresh locals after it. */
export function maxLocalId(f: FunctionDecl): number {
  let max = -1;
  for (const p of f.params) {
    max = Math.max(max, p.local.id);
  }
  walkStmts(f.body, (s) => {
    if (s.kind === "local") {
      max = Math.max(max, s.local.id);
    }
  });
  return max;
}

/** Hands out fresh int locals of one function (ids after every existing one; lowering resolves name clashes). */
export class LocalFactory {
  private next: number;

  constructor(private readonly f: FunctionDecl) {
    this.next = maxLocalId(f) + 1;
  }

  fresh(name: string, like?: LocalVar): LocalVar {
    const id = this.next++;
    return { id, name, type: like?.type ?? { kind: "int" }, pos: like?.pos ?? this.f.pos };
  }
}

/**
 * Gives every local declared in `body` a fresh copy, recorded in `renamed` (old id to copy), and
 * adds to `unused` the copies of the locals in `unusedIds`: what each copy of an unrolled or split
 * loop body needs so that its locals do not clash with the other copies'.
 */
export function freshBodyLocals(
  body: readonly Stmt[],
  locals: LocalFactory,
  unusedIds: ReadonlySet<number>,
  renamed: Map<number, LocalVar>,
  unused: number[],
): void {
  walkStmts(body, (s) => {
    if (s.kind === "local") {
      const c = locals.fresh(s.local.name, s.local);
      renamed.set(s.local.id, c);
      if (unusedIds.has(s.local.id)) {
        unused.push(c.id);
      }
    }
  });
}

/** Statements with every expression rewritten by `rw` and declared locals by `decl`. */
export function mapStmts(stmts: readonly Stmt[], rw: (e: Expr) => Expr, decl: (l: LocalVar) => LocalVar): Stmt[] {
  const ss = (xs: readonly Stmt[]): Stmt[] => mapStmts(xs, rw, decl);
  return stmts.map((s): Stmt => {
    switch (s.kind) {
      case "local":
        return { ...s, local: decl(s.local), init: s.init === null ? null : rw(s.init) };
      case "assign":
        return { ...s, target: rw(s.target) as typeof s.target, value: rw(s.value) };
      case "update":
        return { ...s, target: rw(s.target) as typeof s.target };
      case "call":
        return { ...s, call: rw(s.call) as typeof s.call };
      case "if":
        return { ...s, test: rw(s.test), then: ss(s.then), else: s.else === null ? null : ss(s.else) };
      case "for":
        return {
          ...s,
          init: ss(s.init),
          test: s.test === null ? null : rw(s.test),
          update: ss(s.update),
          body: ss(s.body),
        };
      case "while":
      case "doWhile":
        return { ...s, test: rw(s.test), body: ss(s.body) };
      case "return":
        return { ...s, value: s.value === null ? null : rw(s.value) };
      case "switch":
        return {
          ...s,
          subject: rw(s.subject),
          cases: s.cases.map((c) => ({ ...c, values: c.values.map(rw), body: ss(c.body) })),
        };
      case "block":
        return { ...s, body: ss(s.body) };
      default:
        return s;
    }
  });
}

/** `s` with `visit` applied to each statement list nested directly in it (branches, loop bodies, cases). */
export function mapNestedBodies(s: Stmt, visit: (stmts: readonly Stmt[]) => Stmt[]): Stmt {
  switch (s.kind) {
    case "if":
      return { ...s, then: visit(s.then), else: s.else === null ? null : visit(s.else) };
    case "for":
    case "while":
    case "doWhile":
    case "block":
      return { ...s, body: visit(s.body) };
    case "switch":
      return { ...s, cases: s.cases.map((c) => ({ ...c, body: visit(c.body) })) };
    default:
      return s;
  }
}

/** The model with `fn` applied to every function declaration (a whole-model pass over functions). */
export function mapFunctions(model: SpecModel, fn: (f: FunctionDecl) => FunctionDecl): SpecModel {
  return {
    modules: model.modules.map((m) => ({
      ...m,
      decls: m.decls.map((d) => (d.kind === "function" ? fn(d) : d)),
    })),
  };
}

/** True when a doc comment holds the tag `@spgen <word>`. */
export function hasHint(doc: readonly string[], word: string): boolean {
  return matchHint(doc, new RegExp(`(^|\\s)@spgen\\s+${word}(?![\\w-])`)) !== null;
}

/** True when comment line `line` matches a pass's hint pattern `re`, read as the passes read hints (hintText). */
export function isHintLine(line: string, re: RegExp): boolean {
  return re.test(hintText(line));
}

/** The first match of a pass's hint pattern `re` in comment lines (read through hintText), or null. */
export function matchHint(lines: readonly string[], re: RegExp): RegExpExecArray | null {
  for (const l of lines) {
    const m = re.exec(hintText(l));
    if (m !== null) {
      return m;
    }
  }
  return null;
}

/**
 * A comment line as the passes read hints in it: inline code spans (`` `…` ``) blanked, since a hint quoted in
 * backticks is documentation (frontend/stray-hints.ts skips the same `@spgen`s).
 */
export function hintText(line: string): string {
  return line.replace(/`[^`]*`/g, (m) => " ".repeat(m.length));
}

/** True when some comment statement of `f` has a line matching `hint` (a pass's hint pattern). */
export function hasHintComment(f: FunctionDecl, hint: RegExp): boolean {
  let hinted = false;
  walkStmts(f.body, (s) => {
    hinted ||= s.kind === "comment" && matchHint(s.lines, hint) !== null;
  });
  return hinted;
}

/**
 * A reporter for a hint of `f` that cannot apply: an error naming the hint and why, at `at` (the statement the hint
 * comment stands before) when known, else at the function.
 */
export function hintFailure(
  f: FunctionDecl,
  hint: string,
  diagnostics: Diagnostic[],
): (why: string, at?: SourcePos) => void {
  return (why, at) => {
    const pos = at ?? f.pos;
    diagnostics.push({
      file: pos.file,
      line: pos.line,
      column: pos.column,
      severity: "error",
      message: `the @spgen ${hint} hint in \`${f.name}\` does not apply: ${why}`,
    });
  };
}

/**
 * The statements with the statement after each hint comment rewritten, nested bodies first (the passes whose hint is
 * a `// @spgen …` line before a loop: unroll, scalarize). `hintOf` reads a comment's lines: the hint, or null when
 * they hold none (a hint it cannot read it reports itself). `rewrite` gives the statements replacing the one after
 * the hint, or null to keep it (having reported why). Comments between the hint and its statement stay; a hint
 * with no statement after it in its block goes to `dangling`.
 */
export function rewriteHinted<H>(
  stmts: readonly Stmt[],
  hintOf: (lines: readonly string[], at: SourcePos | undefined) => H | null,
  rewrite: (hint: H, s: Stmt, at: SourcePos | undefined) => Stmt[] | null,
  dangling: (at: SourcePos | undefined) => void,
): Stmt[] {
  const visit = (list: readonly Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    let pending: { hint: H; at: SourcePos | undefined } | null = null;
    for (const s0 of list) {
      const s = mapNestedBodies(s0, visit);
      if (s.kind === "comment") {
        const hint = hintOf(s.lines, s.pos);
        if (hint !== null) {
          pending = { hint, at: s.pos };
        }
        out.push(s);
        continue;
      }
      const p = pending;
      pending = null;
      const r = p === null ? null : rewrite(p.hint, s, p.at);
      out.push(...(r ?? [s]));
    }
    if (pending !== null) {
      dangling(pending.at);
    }
    return out;
  };
  return visit(stmts);
}

/** A `for` statement of the model. */
export type ForStmt = Extract<Stmt, { kind: "for" }>;

/** True when `e` reads exactly the local `i`. */
export function isLocal(e: Expr, i: LocalVar): boolean {
  return e.kind === "local" && e.local.id === i.id;
}

/** True when the loop's update is exactly `i++` (or `i += 1`), the shape the loop passes rely on. */
export function incrementsByOne(loop: ForStmt, i: LocalVar): boolean {
  const up = loop.update[0];
  return (
    loop.update.length === 1 &&
    ((up.kind === "update" && up.op === "++" && isLocal(up.target, i)) ||
      (up.kind === "assign" &&
        up.op === "+=" &&
        isLocal(up.target, i) &&
        up.value.kind === "int" &&
        up.value.value === 1))
  );
}

/** The 32-bit value of a literal operand (`int`, `char`), or null. */
function literalValue(e: Expr): number | null {
  if (e.kind === "int") {
    return e.value | 0;
  }
  if (e.kind === "char") {
    return e.code;
  }
  if (e.kind === "unary" && e.op === "-" && e.operand.kind === "int") {
    return -e.operand.value | 0;
  }
  return null;
}

/** A literal for a 32-bit value: negative values as `-n` (`-2147483648` as its hexadecimal pattern). */
export function int32Lit(v: number): Expr {
  if (v >= 0) {
    return intLit(v);
  }
  if (v === -0x80000000) {
    return { kind: "wrap", operand: { kind: "int", value: 0x80000000, radix: 16 } };
  }
  return { kind: "unary", op: "-", operand: intLit(-v) };
}

/**
 * `e` with integer arithmetic on literals folded bottom-up, with the 32-bit
 * results both languages compute: `+ - * & | ^ << >> ~ -` of literals, `| 0`
 * and `>>> 0` of a literal, `x + 0`, `x - 0`, `x * 1`, and `(x + a) + b` as
 * `x + (a + b)`. Only where the folded value is a plain int (a `>>>` result of
 * 2^31 or more is not folded: JavaScript would hold it as a larger number).
 */
export function foldConstants(e: Expr): Expr {
  return mapExpr(e, (x) => {
    if (x.kind === "wrap" || x.kind === "toUint32") {
      const v = literalValue(x.operand);
      return v === null || (x.kind === "toUint32" && v < 0) ? x : int32Lit(v);
    }
    if (x.kind === "unary" && x.op === "!" && x.operand.kind === "bool") {
      return { kind: "bool", value: !x.operand.value };
    }
    if (x.kind === "conditional" && x.test.kind === "bool") {
      return x.test.value ? x.whenTrue : x.whenFalse;
    }
    if (x.kind === "binary" && (x.op === "&&" || x.op === "||") && x.left.kind === "bool") {
      // `true && y` is y, `false && y` is false; `||` the other way round.
      return x.left.value === (x.op === "&&") ? x.right : x.left;
    }
    if (x.kind === "unary" && x.op !== "!") {
      const v = literalValue(x.operand);
      if (v === null || (x.op === "-" && x.operand.kind === "int")) {
        return x;
      }
      return int32Lit(x.op === "-" ? -v | 0 : ~v);
    }
    if (x.kind === "imul") {
      const a = literalValue(x.left);
      const b = literalValue(x.right);
      return a === null || b === null ? x : int32Lit(Math.imul(a, b));
    }
    if (x.kind !== "binary") {
      return x;
    }
    const a = literalValue(x.left);
    const b = literalValue(x.right);
    if (a !== null && b !== null) {
      let v: number | null = null;
      switch (x.op) {
        case "+":
          v = a + b;
          break;
        case "-":
          v = a - b;
          break;
        case "*":
          v = a * b;
          break;
        case "&":
          v = a & b;
          break;
        case "|":
          v = a | b;
          break;
        case "^":
          v = a ^ b;
          break;
        case "<<":
          v = b >= 0 && b <= 31 ? a << b : null;
          break;
        case ">>":
          v = b >= 0 && b <= 31 ? a >> b : null;
          break;
        case ">>>":
          v = b >= 1 && b <= 31 ? a >>> b : null;
          break;
        case "===":
        case "!==":
        case "<":
        case "<=":
        case ">":
        case ">=": {
          const r =
            x.op === "==="
              ? a === b
              : x.op === "!=="
                ? a !== b
                : x.op === "<"
                  ? a < b
                  : x.op === "<="
                    ? a <= b
                    : x.op === ">"
                      ? a > b
                      : a >= b;
          return { kind: "bool", value: r };
        }
        default:
          v = null;
      }
      // Only values both languages agree on without a wrap (`+`, `-`, `*` that leave the int range are kept).
      return v !== null && v >= -0x80000000 && v <= 0x7fffffff ? int32Lit(v) : x;
    }
    if ((x.op === "+" || x.op === "-" || x.op === "|" || x.op === "^") && b === 0) {
      return x.left;
    }
    if (x.op === "+" && a === 0) {
      return x.right;
    }
    if (x.op === "*" && b === 1) {
      return x.left;
    }
    if (x.op === "+" && b !== null && x.left.kind === "binary" && x.left.op === "+") {
      const inner = literalValue(x.left.right);
      const sum = inner === null ? null : inner + b;
      if (sum !== null && sum >= -0x80000000 && sum <= 0x7fffffff) {
        return sum === 0 ? x.left.left : { ...x, left: x.left.left, right: int32Lit(sum) };
      }
    }
    return x;
  });
}
