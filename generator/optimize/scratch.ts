/**
 * `@spgen scratch` in the doc of a record's `Int32Array` field: the field is
 * working storage of the one function that uses it, meaningless between
 * calls (SHA-1's message schedule). In SourcePawn the field leaves the enum
 * struct and each of its elements becomes an int local of that function: a
 * local is one load or store, where an element of a record's array is an
 * address computation and a checked memory access. The oracle keeps the field
 * (Node reuses it and allocates nothing per call).
 *
 * The hint applies when exactly one function reads or writes the field, only
 * as `r.f[k]` with k an int literal (after `// @spgen unroll full` folded the
 * indices), and every element it reads was written before in the same call:
 * the function's statements are followed in order (into blocks, not into
 * branches or loops, whose writes might not run), and a read must come after
 * a write of that element. Then no value ever flows through the field from
 * one call to the next, nor to another function, so keeping it in locals
 * computes the same results.
 */

import type { Diagnostic } from "../diagnostics.js";
import {
  type Expr,
  type FunctionDecl,
  type LocalVar,
  type RecordDecl,
  recordTypeOf,
  type SpecModel,
  type Stmt,
} from "../model.js";
import { hasHint, LocalFactory, mapChildren, mapNestedBodies, mapStmts, someExpr, stmtExprs, walkStmts } from "./ir.js";

interface Scratch {
  readonly record: RecordDecl;
  readonly field: string;
}

/** True when `e` is `<record of type rec>.field` (the array itself). */
function isScratchArray(e: Expr, s: Scratch): boolean {
  if (e.kind !== "field" || e.field !== s.field) {
    return false;
  }
  return recordTypeOf(e.record) === s.record.name;
}

function mentions(e: Expr, s: Scratch): boolean {
  return someExpr(e, (x) => isScratchArray(x, s));
}

function stmtMentions(stmts: readonly Stmt[], s: Scratch): boolean {
  let found = false;
  walkStmts(stmts, (x) => {
    found ||= stmtExprs(x).some((e) => mentions(e, s));
  });
  return found;
}

/** The literal element indices `e` reads of the scratch array, or null when some access is not `r.f[literal]`. */
function reads(e: Expr, s: Scratch, out: number[]): boolean {
  if (e.kind === "index" && isScratchArray(e.array, s)) {
    if (e.index.kind !== "int") {
      return false;
    }
    out.push(e.index.value);
    return reads((e.array as Extract<Expr, { kind: "field" }>).record, s, out);
  }
  if (isScratchArray(e, s)) {
    return false;
  }
  let ok = true;
  mapChildren(e, (c) => {
    ok &&= reads(c, s, out);
    return c;
  });
  return ok;
}

/**
 * Checks the accesses of `stmts` in order; `written` holds the elements
 * written so far on every path. `straight` is false inside branches and loops
 * (their writes are not counted). Returns why the hint does not apply, or null.
 */
function check(stmts: readonly Stmt[], s: Scratch, written: Set<number>, straight: boolean): string | null {
  for (const st of stmts) {
    const rs: number[] = [];
    let target: number | null = null;
    if (st.kind === "assign" && st.target.kind === "index" && isScratchArray(st.target.array, s)) {
      if (st.target.index.kind !== "int") {
        return "an element is written at an index that is not a literal (unroll the loop fully)";
      }
      target = st.target.index.value;
      if (st.op !== "=") {
        rs.push(target);
      }
      if (!reads(st.target.index, s, rs) || !reads(st.value, s, rs)) {
        return "the field is used other than as `r.f[literal]`";
      }
    } else if (st.kind === "update" && st.target.kind === "index" && isScratchArray(st.target.array, s)) {
      return "an element is incremented";
    } else {
      for (const e of stmtExprs(st)) {
        if (!reads(e, s, rs)) {
          return "the field is used other than as `r.f[literal]` (or at an index that is not a literal: unroll the loop fully)";
        }
      }
    }
    const unwritten = rs.find((k) => !written.has(k));
    if (unwritten !== undefined) {
      return `element ${unwritten} is read before the function writes it`;
    }
    if (target !== null && straight) {
      written.add(target);
    }
    if (st.kind === "block") {
      const why = check(st.body, s, written, straight);
      if (why !== null) {
        return why;
      }
      continue;
    }
    let why: string | null = null;
    if (st.kind === "for") {
      why = check([...st.init, ...st.update], s, new Set(written), false);
    }
    mapNestedBodies(st, (body) => {
      why ??= check(body, s, new Set(written), false);
      return [...body];
    });
    if (why !== null) {
      return why;
    }
  }
  return null;
}

/** `f` with the scratch array's elements in int locals declared at its start. */
function localise(f: FunctionDecl, s: Scratch): FunctionDecl {
  const factory = new LocalFactory(f);
  const elems = new Map<number, LocalVar>();
  const readSet = new Set<number>();
  const pos = f.pos;
  const local = (k: number): LocalVar => {
    let l = elems.get(k);
    if (l === undefined) {
      l = factory.fresh(`${s.field}${k}`);
      l = { ...l, pos };
      elems.set(k, l);
    }
    return l;
  };
  const rw = (e: Expr): Expr => {
    if (e.kind === "index" && isScratchArray(e.array, s) && e.index.kind === "int") {
      readSet.add(e.index.value);
      return { kind: "local", local: local(e.index.value) };
    }
    return mapChildren(e, rw);
  };
  const rewrite = (stmts: readonly Stmt[]): Stmt[] =>
    stmts.map((st0) => {
      const st = mapNestedBodies(st0, rewrite);
      if (st.kind === "assign" && st.target.kind === "index" && isScratchArray(st.target.array, s)) {
        const k = (st.target.index as Extract<Expr, { kind: "int" }>).value;
        if (st.op !== "=") {
          readSet.add(k);
        }
        return { ...st, target: { kind: "local", local: local(k) }, value: rw(st.value) };
      }
      return mapStmts([st], rw, (l) => l)[0];
    });
  const rewritten = rewrite(f.body);
  const ks = [...elems.keys()].sort((a, b) => a - b);
  const decls: Stmt[] = ks.map((k) => ({
    kind: "local",
    local: elems.get(k) as LocalVar,
    init: { kind: "int", value: 0, radix: 10 },
  }));
  const unused = ks.filter((k) => !readSet.has(k)).map((k) => (elems.get(k) as LocalVar).id);
  return { ...f, body: [...decls, ...rewritten], unusedLocals: [...f.unusedLocals, ...unused] };
}

/** Applies every `@spgen scratch` field hint of the model. */
export function localiseScratchFields(model: SpecModel, diagnostics: Diagnostic[]): SpecModel {
  let out = model;
  for (const m of model.modules) {
    for (const d of m.decls) {
      if (d.kind !== "record") {
        continue;
      }
      for (const field of d.fields) {
        if (!hasHint(field.doc, "scratch")) {
          continue;
        }
        const fail = (why: string): void => {
          diagnostics.push({
            file: field.pos.file,
            line: field.pos.line,
            column: field.pos.column,
            severity: "error",
            message: `the @spgen scratch hint on \`${d.name}.${field.name}\` does not apply: ${why}`,
          });
        };
        if (field.type.kind !== "array" || field.type.element !== "int") {
          fail("the field must be an Int32Array");
          continue;
        }
        const s: Scratch = { record: d, field: field.name };
        const users = out.modules.flatMap((mm) =>
          mm.decls.filter((x): x is FunctionDecl => x.kind === "function" && stmtMentions(x.body, s)),
        );
        if (users.length !== 1) {
          fail(
            users.length === 0
              ? "no function uses the field"
              : `it is used by more than one function (${users.map((u) => u.name).join(", ")})`,
          );
          continue;
        }
        const user = users[0];
        const why = check(user.body, s, new Set(), true);
        if (why !== null) {
          fail(`in \`${user.name}\`, ${why}`);
          continue;
        }
        const current = out.modules.flatMap((mm) => mm.decls).find((x) => x.kind === "record" && x.name === d.name);
        if (current?.kind === "record" && current.fields.length === 1) {
          fail(
            "it is the record's last field, and SourcePawn refuses an enum struct with no fields (spcomp error 119): give the record another field or drop the hint",
          );
          continue;
        }
        out = {
          modules: out.modules.map((mm) => ({
            ...mm,
            decls: mm.decls.map((x) => {
              if (x === user) {
                return localise(user, s);
              }
              if (x.kind === "record" && x.name === d.name) {
                return { ...x, fields: x.fields.filter((ff) => ff.name !== field.name) };
              }
              return x;
            }),
          })),
        };
      }
    }
  }
  return out;
}
