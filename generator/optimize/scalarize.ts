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
 * it), when no call in the loop receives a record of R's type or of a type
 * that holds one (a call can reach the records nested in what it receives),
 * and the loop names no other record of that type (`q`, `q.sub`: either could
 * be R itself under another name, a caller may pass one record twice or a
 * record and its field), and the loop does not `return` (a `break`
 * leaves to the stores after it). Then nothing but the loop's own statements
 * can read or write those fields while it runs, and the locals hold exactly
 * what the fields would. Runs last, after the private helpers are inlined,
 * so that the fields a helper used inside the loop are replaced too.
 */

import type { Diagnostic } from "../diagnostics.js";
import { type Expr, type FunctionDecl, type LocalVar, recordTypeOf, type SpecModel, type Stmt } from "../model.js";
import {
  exprKey,
  hasHintComment,
  hintFailure,
  LocalFactory,
  mapChildren,
  mapFunctions,
  mapStmts,
  matchHint,
  rewriteHinted,
  someExpr,
  stmtExprs,
  walkStmts,
} from "./ir.js";

const HINT = /(?:^|\s)@spgen\s+scalarize(?![\w-])/;

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

/** A record expression as the spec writes it (`r`, `r.sub`), for messages. */
function shownName(e: Expr): string {
  return e.kind === "local" ? e.local.name : e.kind === "field" ? `${shownName(e.record)}.${e.field}` : "…";
}

/** For each record type, the record types nested in it (its record fields, theirs, …). */
function nestedTypes(model: SpecModel): Map<string, Set<string>> {
  const direct = new Map<string, string[]>();
  for (const m of model.modules) {
    for (const d of m.decls) {
      if (d.kind === "record") {
        direct.set(
          d.name,
          d.fields.flatMap((f) => (f.type.kind === "record" ? [f.type.name] : [])),
        );
      }
    }
  }
  const out = new Map<string, Set<string>>();
  for (const name of direct.keys()) {
    const seen = new Set<string>();
    const todo = [...(direct.get(name) ?? [])];
    while (todo.length > 0) {
      const t = todo.pop() as string;
      if (!seen.has(t)) {
        seen.add(t);
        todo.push(...(direct.get(t) ?? []));
      }
    }
    out.set(name, seen);
  }
  return out;
}

/** The block replacing `loop`, or why the hint does not apply. */
function scalarize(loop: Loop, locals: LocalFactory, nested: ReadonlyMap<string, ReadonlySet<string>>): Stmt | string {
  let returns = false;
  const exprs: Expr[] = [];
  // Records declared in the loop, or named other than through a field access: left alone.
  const declared = new Set<number>();
  walkStmts([loop], (s) => {
    returns ||= s.kind === "return";
    exprs.push(...stmtExprs(s));
    if (s.kind === "local") {
      declared.add(s.local.id);
    }
  });
  if (returns) {
    return "the loop must not return (the fields are stored back after it)";
  }
  const whole = new Set<number>();
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
  // Record types a call receives, and those nested in them (a call can reach every record inside what it gets).
  const reached = new Set<string>();
  for (const e of exprs) {
    someExpr(e, (x) => {
      if (x.kind === "call") {
        for (const a of x.args) {
          const t = recordTypeOf(a);
          if (t !== null) {
            reached.add(t);
            nested.get(t)?.forEach((n) => reached.add(n));
          }
        }
      }
      return false;
    });
  }
  // Types of which the loop names two records (`r`, `q`, `q.sub`): they may be one record (a caller may pass one
  // record twice, or a record and its field).
  const named = new Map<string, Map<string, string>>();
  for (const e of exprs) {
    someExpr(e, (x) => {
      const t = x.kind === "field" ? recordTypeOf(x.record) : null;
      if (x.kind === "field" && t !== null) {
        const names = named.get(t) ?? new Map<string, string>();
        names.set(exprKey(x.record), shownName(x.record));
        named.set(t, names);
      }
      return false;
    });
  }
  /** Why the fields of record r stay fields, or null. */
  const leftAlone = (r: LocalVar & { type: { kind: "record" } }): string | null =>
    declared.has(r.id)
      ? `\`${r.name}\` is declared in the loop`
      : whole.has(r.id)
        ? `\`${r.name}\` is used whole (passed to a call or assigned)`
        : reached.has(r.type.name)
          ? `a call in the loop receives a record of type ${r.type.name} or one that holds it, which may be \`${r.name}\``
          : (named.get(r.type.name)?.size ?? 0) > 1
            ? `the loop names ${[...(named.get(r.type.name)?.values() ?? [])].map((n) => `\`${n}\``).join(" and ")}, records of type ${r.type.name} that may be one record (a caller may pass one twice)`
            : null;
  const promoted = new Map<string, Promoted>();
  const skipped = new Map<number, string>();
  for (const e of exprs) {
    someExpr(e, (x) => {
      const f = scalarField(x);
      const r = f?.record;
      if (f === null || r === undefined || r.type.kind !== "record") {
        return false;
      }
      const why = leftAlone(r as LocalVar & { type: { kind: "record" } });
      if (why !== null) {
        skipped.set(r.id, why);
        return false;
      }
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
      return false;
    });
  }
  if (promoted.size === 0) {
    return skipped.size === 0
      ? "the loop uses no int or bool field of a record local or parameter"
      : `no field can stay in a local: ${[...new Set(skipped.values())].join("; ")}`;
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

function scalarizeFunction(
  f: FunctionDecl,
  nested: ReadonlyMap<string, ReadonlySet<string>>,
  diagnostics: Diagnostic[],
): FunctionDecl {
  if (!hasHintComment(f, HINT)) {
    return f;
  }
  const locals = new LocalFactory(f);
  const fail = hintFailure(f, "scalarize", diagnostics);
  const body = rewriteHinted(
    f.body,
    (lines) => (matchHint(lines, HINT) !== null ? true : null),
    (_, s, at) => {
      if (s.kind !== "for" && s.kind !== "while" && s.kind !== "doWhile") {
        fail("it must stand right before a loop", at);
        return null;
      }
      const r = scalarize(s, locals, nested);
      if (typeof r === "string") {
        fail(r, at);
        return null;
      }
      return [r];
    },
    (at) => fail("it must stand right before a loop", at),
  );
  return { ...f, body };
}

/** Applies every `// @spgen scalarize` hint of the model. */
export function scalarizeLoops(model: SpecModel, diagnostics: Diagnostic[]): SpecModel {
  const nested = nestedTypes(model);
  return mapFunctions(model, (f) => scalarizeFunction(f, nested, diagnostics));
}
