/**
 * `// @spgen scalarize` right before a loop (scalar replacement of aggregates):
 * while the loop runs, the int and bool fields it reads or writes through a
 * record local or parameter (`z.bitBuf`) live in locals, read before the loop
 * and, when the loop writes them, stored back after it. In SourcePawn a field
 * of an enum struct parameter is an address computation and a memory access
 * (`a = z.f` is 7 x86 instructions in the JIT, `a = b` 2; `z.f += b` 21,
 * `a += b` 8); Node keeps both in registers alike, so this is SourcePawn-only
 * work the spec should not be rewritten for.
 *
 * It applies to every record R declared before the loop that the loop names
 * only through field accesses (`R.f`, `R.arr[i]`, `R.sub.g`: never R alone, so no call receives
 * it), when no call in the loop receives a record of R's type and the loop
 * names no other record of that type (either could be R itself under another
 * name: a caller may pass one record twice), and the loop does not `return` (a `break`
 * leaves to the stores after it). Then nothing but the loop's own statements
 * can read or write those fields while it runs, and the locals hold exactly
 * what the fields would. Runs last, after the private helpers are inlined,
 * so that the fields a helper used inside the loop are replaced too.
 */

import type { Diagnostic } from "../diagnostics.js";
import type { Expr, FunctionDecl, LocalVar, SpecModel, Stmt } from "../model.js";
import {
  hasHintComment,
  hintFailure,
  LocalFactory,
  mapChildren,
  mapFunctions,
  mapNestedBodies,
  mapStmts,
  someExpr,
  stmtExprs,
  walkStmts,
} from "./ir.js";

const HINT = /(?:^|\s)@spgen\s+scalarize(?:[:\s]|$)/;

type Loop = Extract<Stmt, { kind: "for" | "while" | "doWhile" }>;

/** A promoted field: its record, its name, and the local that holds it while the loop runs. */
interface Promoted {
  readonly record: LocalVar;
  readonly field: string;
  readonly local: LocalVar;
  written: boolean;
}

/** `R.f` with R a record local or parameter and f an int or bool field, or null. */
function scalarField(e: Expr): { record: LocalVar; field: string } | null {
  if (e.kind !== "field" || e.record.kind !== "local" || e.record.local.type.kind !== "record") {
    return null;
  }
  return e.type.kind === "int" || e.type.kind === "bool" ? { record: e.record.local, field: e.field } : null;
}

/** The block replacing `loop`, or why the hint does not apply. */
function scalarize(loop: Loop, locals: LocalFactory): Stmt | string {
  let returns = false;
  walkStmts([loop], (s) => {
    returns ||= s.kind === "return";
  });
  if (returns) {
    return "the loop must not return (the fields are stored back after it)";
  }
  const exprs: Expr[] = [];
  walkStmts([loop], (s) => exprs.push(...stmtExprs(s)));
  // Records declared in the loop, or named other than through a field access: left alone.
  const whole = new Set<number>();
  walkStmts([loop], (s) => {
    if (s.kind === "local") {
      whole.add(s.local.id);
    }
  });
  const visitWhole = (e: Expr): void => {
    if (e.kind === "field" && e.record.kind === "local") {
      return;
    }
    if (e.kind === "local" && e.local.type.kind === "record") {
      whole.add(e.local.id);
      return;
    }
    mapChildren(e, (c) => {
      visitWhole(c);
      return c;
    });
  };
  exprs.forEach(visitWhole);
  // Record types a call receives: a record of that type may be any of them.
  const passed = new Set<string>();
  for (const e of exprs) {
    someExpr(e, (x) => {
      if (x.kind === "call") {
        for (const a of x.args) {
          const t = argType(a);
          if (t !== null) {
            passed.add(t);
          }
        }
      }
      return false;
    });
  }
  // Two records of one type that the loop names may be the same record (a caller may pass it twice): left alone.
  const named = new Map<string, Set<number>>();
  for (const e of exprs) {
    someExpr(e, (x) => {
      if (x.kind === "field" && x.record.kind === "local" && x.record.local.type.kind === "record") {
        const t = x.record.local.type.name;
        named.set(t, (named.get(t) ?? new Set()).add(x.record.local.id));
      }
      return false;
    });
  }
  for (const [t, ids] of named) {
    if (ids.size > 1) {
      passed.add(t);
    }
  }
  const promoted = new Map<string, Promoted>();
  for (const e of exprs) {
    someExpr(e, (x) => {
      const f = scalarField(x);
      const r = f?.record;
      if (f !== null && r !== undefined && r.type.kind === "record" && !whole.has(r.id) && !passed.has(r.type.name)) {
        const key = `${r.id}.${f.field}`;
        if (!promoted.has(key)) {
          const l = locals.fresh(`${r.name}_${f.field}`, r);
          promoted.set(key, {
            record: r,
            field: f.field,
            local: { ...l, type: (x as Expr & { kind: "field" }).type },
            written: false,
          });
        }
      }
      return false;
    });
  }
  if (promoted.size === 0) {
    return "the loop reads no int or bool field of a record it names only through fields, passes to no call, and is the only one of its type in the loop";
  }
  const keyOf = (e: Expr): string | null => {
    const f = scalarField(e);
    return f === null ? null : `${f.record.id}.${f.field}`;
  };
  walkStmts([loop], (s) => {
    if (s.kind === "assign" || s.kind === "update") {
      const k = keyOf(s.target);
      const p = k === null ? undefined : promoted.get(k);
      if (p !== undefined) {
        p.written = true;
      }
    }
  });
  const rw = (e: Expr): Expr => {
    const k = keyOf(e);
    const p = k === null ? undefined : promoted.get(k);
    return p !== undefined ? { kind: "local", local: p.local } : mapChildren(e, rw);
  };
  const fieldOf = (p: Promoted): Expr & { kind: "field" } => ({
    kind: "field",
    record: { kind: "local", local: p.record },
    field: p.field,
    type: p.local.type,
  });
  const list = [...promoted.values()];
  return {
    kind: "block",
    body: [
      ...list.map((p): Stmt => ({ kind: "local", local: p.local, init: fieldOf(p) })),
      ...mapStmts([loop], rw, (l) => l),
      ...list
        .filter((p) => p.written)
        .map((p): Stmt => ({ kind: "assign", op: "=", target: fieldOf(p), value: { kind: "local", local: p.local } })),
    ],
  };
}

/** The record type name of a call argument, or null when it is not a record. */
function argType(a: Expr): string | null {
  const t = a.kind === "local" ? a.local.type : a.kind === "field" || a.kind === "index" ? a.type : null;
  return t !== null && t.kind === "record" ? t.name : null;
}

function scalarizeFunction(f: FunctionDecl, diagnostics: Diagnostic[]): FunctionDecl {
  if (!hasHintComment(f, HINT)) {
    return f;
  }
  const locals = new LocalFactory(f);
  const fail = hintFailure(f, "scalarize", diagnostics);
  const visit = (stmts: readonly Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    let pending = false;
    for (const s0 of stmts) {
      const s = mapNestedBodies(s0, visit);
      if (s.kind === "comment") {
        pending ||= s.lines.some((l) => HINT.test(l));
        out.push(s);
        continue;
      }
      if (pending) {
        pending = false;
        if (s.kind !== "for" && s.kind !== "while" && s.kind !== "doWhile") {
          fail("it must stand right before a loop");
        } else {
          const r = scalarize(s, locals);
          if (typeof r === "string") {
            fail(r);
          } else {
            out.push(r);
            continue;
          }
        }
      }
      out.push(s);
    }
    if (pending) {
      fail("it must stand right before a loop");
    }
    return out;
  };
  return { ...f, body: visit(f.body) };
}

/** Applies every `// @spgen scalarize` hint of the model. */
export function scalarizeLoops(model: SpecModel, diagnostics: Diagnostic[]): SpecModel {
  return mapFunctions(model, (f) => scalarizeFunction(f, diagnostics));
}
