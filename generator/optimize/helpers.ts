/**
 * Inlining of private helpers: a call statement to a void function that its
 * module does not export is replaced by the helper's body, in a block, when
 * the helper has one call site in the whole spec, is tiny (at most
 * TINY_HELPER statements), or carries `@spgen inline` (any size). SourcePawn has no inliner; the frame decoder
 * calls one small helper per header byte.
 *
 * The helper's `return;` statements are first removed (return elimination):
 * `if (t) { A; return; } rest` becomes `if (t) { A } else { rest }`, and
 * `rest` also goes into a branch that does not always return (when it
 * declares no locals and the whole stays small). Returns inside loops or
 * switches, or in other shapes, leave the helper a call.
 *
 * Arguments: an array, record or string argument that names its object
 * (a local, constant, table, or a field of one) and an int or bool argument
 * that is a caller's local the helper never assigns are substituted for the
 * parameter; any other argument is evaluated once into a local declared at
 * the top of the block (in the order of the parameters, as the call would).
 * An argument with a call keeps the call. Locals of the helper get fresh
 * identities (lowering renames them if they would shadow a name).
 */

import type { BinaryOp, Expr, FunctionDecl, LocalVar, SpecModel, Stmt } from "../model.js";
import {
  children,
  hasCall,
  hasHint,
  LocalFactory,
  mapChildren,
  mapFunctions,
  mapNestedBodies,
  mapStmts,
  stmtExprs,
  walkStmts,
} from "./ir.js";

/** A helper of at most this many statements (after return elimination, nested ones counted) is inlined everywhere. */
export const TINY_HELPER = 3;

/** Statements a helper may add to the program when inlined at all its call sites (size × (sites − 1)). */
export const MAX_GROWTH = 16;

/** Growth allowed to return elimination (statements copied into branches). */
const MAX_COPIED = 8;

function size(stmts: readonly Stmt[]): number {
  let n = 0;
  walkStmts(stmts, (s) => {
    if (s.kind !== "comment") {
      n++;
    }
  });
  return n;
}

function hasReturn(stmts: readonly Stmt[]): boolean {
  let r = false;
  walkStmts(stmts, (s) => {
    r ||= s.kind === "return";
  });
  return r;
}

function declares(stmts: readonly Stmt[]): boolean {
  let r = false;
  walkStmts(stmts, (s) => {
    r ||= s.kind === "local";
  });
  return r;
}

/** True when every path through `stmts` ends in `return` (at this level or in both branches of an if). */
function alwaysReturns(stmts: readonly Stmt[]): boolean {
  return stmts.some(
    (s) =>
      s.kind === "return" || (s.kind === "if" && s.else !== null && alwaysReturns(s.then) && alwaysReturns(s.else)),
  );
}

/** The comparison operator that is true exactly when `op` is false (ints only: the subset has no NaN). */
const INVERSE: Readonly<Record<string, BinaryOp>> = {
  "<": ">=",
  "<=": ">",
  ">": "<=",
  ">=": "<",
  "===": "!==",
  "!==": "===",
};

/** A test true exactly when `e` is false: an inverted comparison, `x` for `!x`, De Morgan for `&&`/`||`, else `!(e)`. */
function negated(e: Expr): Expr {
  if (e.kind === "binary" && INVERSE[e.op] !== undefined) {
    return { ...e, op: INVERSE[e.op] };
  }
  if (e.kind === "unary" && e.op === "!") {
    return e.operand;
  }
  if (e.kind === "binary" && (e.op === "&&" || e.op === "||")) {
    // De Morgan: `!(!a && !b)` reads better as `a || b` (both short-circuit left to right, so the same operands run).
    return { kind: "binary", op: e.op === "&&" ? "||" : "&&", left: negated(e.left), right: negated(e.right) };
  }
  return { kind: "unary", op: "!", operand: e };
}

/** A void body without `return` statements, computing the same; null when its shape does not allow it. */
export function eliminateReturns(stmts: readonly Stmt[]): Stmt[] | null {
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i];
    if (s.kind === "return") {
      return s.value === null ? stmts.slice(0, i) : null;
    }
    if (!hasReturn([s])) {
      continue;
    }
    if (s.kind !== "if") {
      return null;
    }
    const rest = stmts.slice(i + 1);
    const thenExits = alwaysReturns(s.then);
    const elseExits = s.else !== null && alwaysReturns(s.else);
    const copies = (thenExits ? 0 : 1) + (elseExits ? 0 : 1);
    if (copies > 1 && rest.length > 0 && (declares(rest) || size(rest) > MAX_COPIED)) {
      return null;
    }
    const then = eliminateReturns([...s.then, ...(thenExits ? [] : rest)]);
    const els = eliminateReturns([...(s.else ?? []), ...(elseExits ? [] : rest)]);
    if (then === null || els === null) {
      return null;
    }
    if (then.length === 0 && els.length > 0) {
      // `if (t) { return; } rest` reads as `if (!t) { rest }`, not as an empty branch and an else.
      return [...stmts.slice(0, i), { kind: "if", test: negated(s.test), then: els, else: null }];
    }
    return [...stmts.slice(0, i), { kind: "if", test: s.test, then, else: els.length === 0 ? null : els }];
  }
  return [...stmts];
}

/** An argument that names an array, record or string (substituting it reads the same object). */
function namesObject(e: Expr): boolean {
  switch (e.kind) {
    case "local":
    case "const":
    case "table":
    case "string":
      return true;
    case "field":
      return namesObject(e.record);
    default:
      return false;
  }
}

interface Helper {
  readonly f: FunctionDecl;
  readonly body: readonly Stmt[];
  readonly assigned: ReadonlySet<number>;
  /** Locals and parameters read in a test (a constant there would make spcomp warn of a constant condition). */
  readonly tested: ReadonlySet<number>;
}

/** A literal, constant or enum member: substituted as it is (when not in a test). */
function isConstant(e: Expr): boolean {
  return (
    e.kind === "int" ||
    e.kind === "char" ||
    e.kind === "const" ||
    e.kind === "enumMember" ||
    (e.kind === "unary" && e.op === "-" && e.operand.kind === "int")
  );
}

/** Ids of the locals read in tests of `stmts` (conditions, `?:` tests, operands of `&&`, `||`, `!`, switch subjects). */
function testedLocals(stmts: readonly Stmt[]): Set<number> {
  const out = new Set<number>();
  const all = (e: Expr): void => {
    if (e.kind === "local") {
      out.add(e.local.id);
    }
    mapChildren(e, (c) => {
      all(c);
      return c;
    });
  };
  const visit = (e: Expr): void => {
    if (e.kind === "conditional") {
      all(e.test);
    } else if ((e.kind === "binary" && (e.op === "&&" || e.op === "||")) || (e.kind === "unary" && e.op === "!")) {
      all(e);
    }
    mapChildren(e, (c) => {
      visit(c);
      return c;
    });
  };
  walkStmts(stmts, (s) => {
    if (s.kind === "if" || s.kind === "while" || s.kind === "doWhile") {
      all(s.test);
    } else if (s.kind === "for" && s.test !== null) {
      all(s.test);
    } else if (s.kind === "switch") {
      all(s.subject);
    }
    stmtExprs(s).forEach(visit);
  });
  return out;
}

function callsIn(f: FunctionDecl, counts: Map<string, number>): void {
  const visit = (e: Expr): void => {
    if (e.kind === "call") {
      counts.set(e.callee, (counts.get(e.callee) ?? 0) + 1);
    }
    children(e).forEach(visit);
  };
  walkStmts(f.body, (s) => stmtExprs(s).forEach(visit));
}

/** Calls made by each function (callee → count), cached by function object (the model is immutable). */
const callCache = new WeakMap<FunctionDecl, Map<string, number>>();

function callsOf(f: FunctionDecl): Map<string, number> {
  let own = callCache.get(f);
  if (own === undefined) {
    own = new Map<string, number>();
    callsIn(f, own);
    callCache.set(f, own);
  }
  return own;
}

function helpersOf(model: SpecModel): Map<string, Helper> {
  const fns: FunctionDecl[] = [];
  for (const m of model.modules) {
    for (const d of m.decls) {
      if (d.kind === "function") {
        fns.push(d);
      }
    }
  }
  // Call sites, not counting calls from private functions nobody calls any more (helpers inlined in a round before).
  const calls = new Map<string, Map<string, number>>(fns.map((f) => [f.name, callsOf(f)]));
  let live = fns;
  let counts = new Map<string, number>();
  for (let pass = 0; pass < 4; pass++) {
    counts = new Map<string, number>();
    for (const f of live) {
      for (const [callee, n] of calls.get(f.name) ?? []) {
        counts.set(callee, (counts.get(callee) ?? 0) + n);
      }
    }
    const next = live.filter((f) => f.exported || (counts.get(f.name) ?? 0) > 0);
    if (next.length === live.length) {
      break;
    }
    live = next;
  }
  const out = new Map<string, Helper>();
  for (const f of fns) {
    if (f.exported || f.returnType.kind !== "void") {
      continue;
    }
    if (calls.get(f.name)?.has(f.name) === true) {
      continue;
    }
    const body = eliminateReturns(f.body);
    if (body === null) {
      continue;
    }
    const n = counts.get(f.name) ?? 0;
    const hinted = hasHint(f.doc, "inline");
    if (n === 0 || (!hinted && size(body) > TINY_HELPER && size(body) * (n - 1) > MAX_GROWTH)) {
      continue;
    }
    const assigned = new Set<number>();
    walkStmts(body, (s) => {
      if ((s.kind === "assign" || s.kind === "update") && s.target.kind === "local") {
        assigned.add(s.target.local.id);
      }
    });
    out.set(f.name, { f, body, assigned, tested: testedLocals(body) });
  }
  return out;
}

/** The block replacing `h(args);` in `caller`, or null when an argument does not allow it. */
function expand(h: Helper, args: readonly Expr[], locals: LocalFactory, unused: number[]): Stmt | null {
  if (args.some(hasCall)) {
    return null;
  }
  const by = new Map<number, Expr>();
  const decls: Stmt[] = [];
  h.f.params.forEach((p, k) => {
    const arg = k < args.length ? args[k] : p.defaultValue;
    if (arg === null) {
      return;
    }
    const t = p.local.type.kind;
    if ((t === "array" || t === "record" || t === "string") && namesObject(arg)) {
      by.set(p.local.id, arg);
    } else if (t !== "array" && t !== "record" && t !== "string") {
      if (
        (arg.kind === "local" || (isConstant(arg) && !h.tested.has(p.local.id))) &&
        !h.assigned.has(p.local.id) &&
        p.used
      ) {
        by.set(p.local.id, arg);
      } else if (p.used || h.assigned.has(p.local.id)) {
        const l = locals.fresh(p.local.name, p.local);
        decls.push({ kind: "local", local: l, init: arg });
        by.set(p.local.id, { kind: "local", local: l });
        if (!p.used) {
          unused.push(l.id);
        }
      }
    }
  });
  if (
    h.f.params.some(
      (p) =>
        (p.local.type.kind === "array" || p.local.type.kind === "record" || p.local.type.kind === "string") &&
        !by.has(p.local.id) &&
        p.used,
    )
  ) {
    return null;
  }
  const renamed = new Map<number, LocalVar>();
  walkStmts(h.body, (s) => {
    if (s.kind === "local") {
      const l = locals.fresh(s.local.name, s.local);
      renamed.set(s.local.id, l);
      if (h.f.unusedLocals.includes(s.local.id)) {
        unused.push(l.id);
      }
    }
  });
  const rw = (e: Expr): Expr => {
    if (e.kind === "local") {
      const sub = by.get(e.local.id);
      if (sub !== undefined) {
        return sub;
      }
      const r = renamed.get(e.local.id);
      return r === undefined ? e : { kind: "local", local: r };
    }
    return mapChildren(e, rw);
  };
  const body = mapStmts(h.body, rw, (l) => renamed.get(l.id) ?? l);
  return { kind: "block", body: [...decls, ...body] };
}

function inlineInto(f: FunctionDecl, helpers: ReadonlyMap<string, Helper>): FunctionDecl {
  const locals = new LocalFactory(f);
  const unused: number[] = [];
  let changed = false;
  const visit = (stmts: readonly Stmt[]): Stmt[] =>
    stmts.flatMap((s0): Stmt[] => {
      const s = mapNestedBodies(s0, visit);
      if (s.kind === "call") {
        const h = helpers.get(s.call.callee);
        if (h !== undefined && h.f.name !== f.name) {
          const b = expand(h, s.call.args, locals, unused);
          if (b !== null) {
            changed = true;
            // A block only when it declares locals.
            return b.kind === "block" && !b.body.some((x) => x.kind === "local") ? [...b.body] : [b];
          }
        }
      }
      return [s];
    });
  const body = visit(f.body);
  return changed ? { ...f, body, unusedLocals: [...f.unusedLocals, ...unused] } : f;
}

/** Inlines the private void helpers of the model (three rounds: a helper's helpers, and theirs). */
export function inlineHelpers(model: SpecModel): SpecModel {
  let m = model;
  for (let round = 0; round < 3; round++) {
    const helpers = helpersOf(m);
    if (helpers.size === 0) {
      break;
    }
    m = mapFunctions(m, (f) => ([...callsOf(f).keys()].some((c) => helpers.has(c)) ? inlineInto(f, helpers) : f));
  }
  return m;
}
