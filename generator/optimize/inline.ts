/**
 * `@spgen inline`: calls to a small pure function are replaced by its body.
 * SourcePawn has no inliner and a call costs a frame; in SHA-1's rounds the
 * call to `rotl` is most of the time.
 *
 * A function qualifies when its JSDoc holds `@spgen inline`, its body is a
 * single `return expr;` (or a chain of `if (test) { return …; }` that always
 * returns, read as `test ? … : …`), every parameter is an int, bool or array used at least
 * once, and `expr` reads nothing but its parameters, elements of its array
 * parameters, constants, enum members and literals (no calls, records, other
 * arrays or strings): the value then depends on the arguments (and the
 * elements they name) only, and evaluating it in place, where the call was,
 * computes the same 32 bits.
 *
 * At a call site each argument is substituted for its parameter. An argument
 * that the body reads more than once and that is not a plain name or literal
 * is computed once into a temporary local declared just before the statement,
 * when that is allowed: the statement calls no other function (so the
 * argument is evaluated before nothing that could change what it reads) and
 * the call is not under `?:`, `&&` or `||` (where it might not run: an array
 * read hoisted out of it could fail where the original did not). Elsewhere
 * the argument, which has no call and so no side effect, is repeated, unless
 * the body reads it more than twice: then the call is kept.
 * Arguments that contain a call keep the call as it is. An array argument
 * must name its array (a local or parameter, a constant table, or a field of
 * a local record), which is substituted as it is; otherwise the call stays.
 * The function itself is still emitted (a `stock`, compiled only when still used).
 */

import type { Diagnostic } from "../diagnostics.js";
import type { Expr, FunctionDecl, LocalVar, SpecModel, Stmt } from "../model.js";
import { eliminateReturns } from "./helpers.js";
import { foldLiteral, hasCall, hasHint, LocalFactory, mapChildren, mapExpr, someExpr } from "./ir.js";

export interface Inlinable {
  readonly params: readonly LocalVar[];
  /** How many times the body reads each parameter (by local id). */
  readonly uses: ReadonlyMap<number, number>;
  readonly body: Expr;
}

/**
 * The value a body returns, as one expression: `return e;` is `e`, and
 * `if (t) { A } else { B }` or `if (t) { A } rest` (A, B, rest themselves
 * such chains, so every path returns) is `t ? A : B`. Only the branch taken
 * runs in both forms; the caller checks that the tests read nothing but the
 * parameters (no calls), so evaluating them in place changes nothing else.
 * Null when the body has another shape.
 */
function chainExpr(stmts: readonly Stmt[]): Expr | null {
  const ss = stmts.filter((s) => s.kind !== "comment");
  const first = ss[0];
  if (first === undefined) {
    return null;
  }
  if (first.kind === "return") {
    return ss.length === 1 ? first.value : null;
  }
  if (first.kind !== "if") {
    return null;
  }
  const whenTrue = chainExpr(first.then);
  const whenFalse = first.else !== null ? (ss.length === 1 ? chainExpr(first.else) : null) : chainExpr(ss.slice(1));
  if (whenTrue === null || whenFalse === null) {
    return null;
  }
  return { kind: "conditional", test: first.test, whenTrue, whenFalse };
}

/** Why `f` cannot be inlined, or its inlinable form. */
export function inlinable(f: FunctionDecl): Inlinable | string {
  const body = chainExpr(f.body);
  if (body === null) {
    return "its body must be a single `return <expression>;` or a chain of `if (test) { return …; }` ending in a return";
  }
  if (
    f.params.some((p) => p.local.type.kind !== "int" && p.local.type.kind !== "bool" && p.local.type.kind !== "array")
  ) {
    return "its parameters must be ints, booleans or arrays";
  }
  const ids = new Set(f.params.map((p) => p.local.id));
  const arrays = new Set(f.params.filter((p) => p.local.type.kind === "array").map((p) => p.local.id));
  const bad = someExpr(
    body,
    (x) =>
      x.kind === "call" ||
      (x.kind === "index" && !(x.array.kind === "local" && arrays.has(x.array.local.id))) ||
      x.kind === "field" ||
      x.kind === "strLength" ||
      x.kind === "strCharAt" ||
      x.kind === "string" ||
      (x.kind === "local" && !ids.has(x.local.id)),
  );
  if (bad) {
    return "its expression may read only its parameters, elements of its array parameters, constants and literals (no calls, records, other arrays or strings)";
  }
  const uses = new Map<number, number>();
  let indexed = 0;
  mapExpr(body, (x) => {
    if (x.kind === "local") {
      uses.set(x.local.id, (uses.get(x.local.id) ?? 0) + 1);
    } else if (x.kind === "index" && x.array.kind === "local" && arrays.has(x.array.local.id)) {
      indexed++;
    }
    return x;
  });
  const arrayUses = [...arrays].reduce((n, id) => n + (uses.get(id) ?? 0), 0);
  if (arrayUses !== indexed) {
    return "its array parameters may only be indexed";
  }
  const unused = f.params.find((p) => !uses.has(p.local.id));
  if (unused !== undefined) {
    return `its parameter \`${unused.local.name}\` is never read (the argument would be dropped)`;
  }
  return { params: f.params.map((p) => p.local), uses, body };
}

function isPlain(e: Expr): boolean {
  return (
    e.kind === "local" ||
    e.kind === "int" ||
    e.kind === "bool" ||
    e.kind === "char" ||
    e.kind === "const" ||
    e.kind === "enumMember"
  );
}

/** True for an array argument that names its array: substituted as it is, it reads the same elements. */
function namesArray(e: Expr): boolean {
  return e.kind === "local" || e.kind === "table" || (e.kind === "field" && e.record.kind === "local");
}

class FunctionInliner {
  private readonly locals: LocalFactory;

  constructor(
    f: FunctionDecl,
    private readonly targets: ReadonlyMap<string, Inlinable>,
  ) {
    this.locals = new LocalFactory(f);
  }

  /** True when `e` calls a function that is not inlined. */
  private callsOther(e: Expr): boolean {
    return someExpr(e, (x) => x.kind === "call" && !this.targets.has(x.callee));
  }

  /** `e` with inlinable calls expanded; temporaries go to `hoist` when it is not null. */
  private expr(e: Expr, hoist: Stmt[] | null): Expr {
    if (e.kind === "conditional") {
      return {
        ...e,
        test: this.expr(e.test, hoist),
        whenTrue: this.expr(e.whenTrue, null),
        whenFalse: this.expr(e.whenFalse, null),
      };
    }
    if (e.kind === "binary" && (e.op === "&&" || e.op === "||")) {
      return { ...e, left: this.expr(e.left, hoist), right: this.expr(e.right, null) };
    }
    const rebuilt = mapChildren(e, (c) => this.expr(c, hoist));
    if (rebuilt.kind !== "call") {
      return rebuilt;
    }
    const target = this.targets.get(rebuilt.callee);
    if (target === undefined || rebuilt.args.some(hasCall)) {
      return rebuilt;
    }
    const isArray = (p: LocalVar): boolean => p.type.kind === "array";
    if (target.params.some((p, i) => isArray(p) && !namesArray(rebuilt.args[i]))) {
      return rebuilt;
    }
    // Where no temporary can be declared, an argument is repeated; more than twice (the chains of `?:`) costs more than the call.
    const repeated = (p: LocalVar, i: number): boolean =>
      !isArray(p) && !isPlain(rebuilt.args[i]) && (target.uses.get(p.id) ?? 0) > 2;
    if (hoist === null && target.params.some(repeated)) {
      return rebuilt;
    }
    const subst = new Map<number, Expr>();
    target.params.forEach((p, i) => {
      const arg = rebuilt.args[i];
      if (isArray(p) || isPlain(arg) || (target.uses.get(p.id) ?? 0) <= 1 || hoist === null) {
        subst.set(p.id, arg);
      } else {
        const temp = this.locals.fresh(p.name, p);
        hoist.push({ kind: "local", local: temp, init: arg });
        subst.set(p.id, { kind: "local", local: temp });
      }
    });
    // Literal arithmetic of the body folds once arguments are in (`32 - n` with n = 1 is `31`); arguments are leaves here.
    return mapExpr(target.body, (x) => (x.kind === "local" ? (subst.get(x.local.id) ?? x) : foldLiteral(x)));
  }

  /** A statement with its calls expanded; temporaries are pushed to `out` before it. */
  private stmt(s: Stmt, out: Stmt[]): void {
    const hoist: Stmt[] = [];
    const h = (es: readonly Expr[]): Stmt[] | null => (es.some((e) => this.callsOther(e)) ? null : hoist);
    switch (s.kind) {
      case "local": {
        const init = s.init === null ? null : this.expr(s.init, h([s.init]));
        out.push(...hoist, { ...s, init });
        return;
      }
      case "assign": {
        const hh = h([s.target, s.value]);
        const target = this.expr(s.target, hh) as typeof s.target;
        const value = this.expr(s.value, hh);
        out.push(...hoist, { ...s, target, value });
        return;
      }
      case "update":
        out.push({ ...s, target: this.expr(s.target, null) as typeof s.target });
        return;
      case "call": {
        const hh = s.call.args.some((a) => this.callsOther(a)) ? null : hoist;
        const call = mapChildren(s.call, (c) => this.expr(c, hh)) as typeof s.call;
        out.push(...hoist, { ...s, call });
        return;
      }
      case "return": {
        const value = s.value === null ? null : this.expr(s.value, h([s.value]));
        out.push(...hoist, { ...s, value });
        return;
      }
      case "if": {
        const test = this.expr(s.test, h([s.test]));
        out.push(...hoist, {
          ...s,
          test,
          then: this.stmts(s.then),
          else: s.else === null ? null : this.stmts(s.else),
        });
        return;
      }
      case "switch": {
        const subject = this.expr(s.subject, h([s.subject]));
        out.push(...hoist, {
          ...s,
          subject,
          cases: s.cases.map((c) => ({ ...c, body: this.stmts(c.body) })),
        });
        return;
      }
      case "for": {
        // Nothing can be declared before a loop's test or update (they run on every iteration).
        const init: Stmt[] = [];
        for (const i of s.init) {
          this.stmtNoHoist(i, init);
        }
        const update: Stmt[] = [];
        for (const u of s.update) {
          this.stmtNoHoist(u, update);
        }
        const test = s.test === null ? null : this.expr(s.test, null);
        out.push({ ...s, init, test, update, body: this.stmts(s.body) });
        return;
      }
      case "while":
        out.push({ ...s, test: this.expr(s.test, null), body: this.stmts(s.body) });
        return;
      case "doWhile":
        out.push({ ...s, test: this.expr(s.test, null), body: this.stmts(s.body) });
        return;
      case "block":
        out.push({ ...s, body: this.stmts(s.body) });
        return;
      case "comment":
      case "break":
      case "continue":
        out.push(s);
        return;
    }
  }

  /** A simple statement of a `for` header: expanded without temporaries. */
  private stmtNoHoist(s: Stmt, out: Stmt[]): void {
    switch (s.kind) {
      case "local":
        out.push({ ...s, init: s.init === null ? null : this.expr(s.init, null) });
        return;
      case "assign":
        out.push({ ...s, target: this.expr(s.target, null) as typeof s.target, value: this.expr(s.value, null) });
        return;
      case "update":
        out.push({ ...s, target: this.expr(s.target, null) as typeof s.target });
        return;
      case "call":
        out.push({ ...s, call: mapChildren(s.call, (c) => this.expr(c, null)) as typeof s.call });
        return;
      default:
        out.push(s);
        return;
    }
  }

  stmts(stmts: readonly Stmt[]): Stmt[] {
    const out: Stmt[] = [];
    for (const s of stmts) {
      this.stmt(s, out);
    }
    return out;
  }
}

/** Expands the calls to `@spgen inline` functions everywhere in the model. */
export function inlineCalls(model: SpecModel, diagnostics: Diagnostic[]): SpecModel {
  const targets = new Map<string, Inlinable>();
  for (const m of model.modules) {
    for (const d of m.decls) {
      if (d.kind !== "function" || !hasHint(d.doc, "inline")) {
        continue;
      }
      if (d.returnType.kind === "void") {
        // Its call statements are inlined with the private helpers (helpers.ts), whatever its size.
        const why = d.exported
          ? "a void function is inlined as statements, by the private-helper pass: it must not be exported"
          : eliminateReturns(d.body) === null
            ? "its `return;` statements must be removable (at the end of an `if` branch, not in a loop or switch)"
            : null;
        if (why !== null) {
          diagnostics.push({
            file: d.pos.file,
            line: d.pos.line,
            column: d.pos.column,
            severity: "error",
            message: `\`${d.name}\` is marked @spgen inline but cannot be inlined: ${why}`,
          });
        }
        continue;
      }
      const r = inlinable(d);
      if (typeof r === "string") {
        diagnostics.push({
          file: d.pos.file,
          line: d.pos.line,
          column: d.pos.column,
          severity: "error",
          message: `\`${d.name}\` is marked @spgen inline but cannot be inlined: ${r}`,
        });
      } else {
        targets.set(d.name, r);
      }
    }
  }
  if (targets.size === 0) {
    return model;
  }
  return {
    modules: model.modules.map((m) => ({
      ...m,
      decls: m.decls.map((d) =>
        d.kind === "function" && !targets.has(d.name)
          ? { ...d, body: new FunctionInliner(d, targets).stmts(d.body) }
          : d,
      ),
    })),
  };
}
