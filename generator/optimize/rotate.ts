/**
 * Two rewrites of the copies made by `// @spgen unroll full` (see unroll.ts),
 * both exact, that remove stores and loads spcomp would otherwise compile as
 * written (it keeps every local in memory):
 *
 * - forwarding: a local of a copy declared with an initialiser X (no call),
 *   never assigned and read once, in the very next statement, is replaced by
 *   X there (`int f = b & c; int t = a + f;` is `int t = a + (b & c);`).
 *   Nothing runs between the two points, and X has no side effect.
 *
 * - rotate renaming: when the copies end with moves between locals declared
 *   before the loop (`e = d; d = c; c = rotl(b, 30); b = a; a = temp;` in
 *   SHA-1's rounds), the moves are not emitted: each such local is mapped to
 *   the variable that holds its value, copy after copy, and a new value goes
 *   into a variable whose old value is dead (its next access in the copy is
 *   a plain assignment). After the last copy the locals get their values
 *   back (nothing to do when the mapping has come full circle: 80 rounds of a
 *   5-cycle).
 */

import type { Expr, LocalVar, Stmt } from "../model.js";
import { children, hasCall, LocalFactory, mapChildren, mapStmts, someExpr, stmtExprs, walkStmts } from "./ir.js";

function countReads(stmts: readonly Stmt[], id: number): number {
  let n = 0;
  const visit = (e: Expr): void => {
    if (e.kind === "local" && e.local.id === id) {
      n++;
    }
    children(e).forEach(visit);
  };
  walkStmts(stmts, (s) => {
    if ((s.kind === "assign" || s.kind === "update") && s.target.kind === "local") {
      // The target itself is not a read (an `update` or compound assignment is refused below).
      if (s.kind === "assign") {
        visit(s.value);
      }
      return;
    }
    for (const e of stmtExprs(s)) {
      visit(e);
    }
  });
  return n;
}

function assignedLocals(stmts: readonly Stmt[]): Set<number> {
  const out = new Set<number>();
  walkStmts(stmts, (s) => {
    if ((s.kind === "assign" || s.kind === "update") && s.target.kind === "local") {
      out.add(s.target.local.id);
    }
  });
  return out;
}

function readsLocal(e: Expr, id: number): boolean {
  return someExpr(e, (x) => x.kind === "local" && x.local.id === id);
}

/** Replaces the locals `by` maps in `e`. */
function replaceLocals(e: Expr, by: ReadonlyMap<number, Expr>): Expr {
  if (e.kind === "local") {
    return by.get(e.local.id) ?? e;
  }
  return mapChildren(e, (c) => replaceLocals(c, by));
}

/** Single-use locals of one copy's top-level statements forwarded into the next statement. */
export function forwardSingleUse(stmts: readonly Stmt[]): Stmt[] {
  let out = [...stmts];
  let changed = true;
  while (changed) {
    changed = false;
    const assigned = assignedLocals(out);
    for (let i = 0; i + 1 < out.length; i++) {
      const d = out[i];
      if (
        d.kind !== "local" ||
        d.init === null ||
        d.local.type.kind === "array" ||
        d.local.type.kind === "record" ||
        assigned.has(d.local.id) ||
        hasCall(d.init)
      ) {
        continue;
      }
      const next = out[i + 1];
      const direct = next.kind === "local" || (next.kind === "assign" && next.target.kind === "local");
      if (!direct || countReads(out, d.local.id) !== 1 || countReads([next], d.local.id) !== 1) {
        continue;
      }
      const by = new Map<number, Expr>([[d.local.id, d.init]]);
      const replaced = mapStmts(
        [next],
        (e) => replaceLocals(e, by),
        (l) => l,
      )[0];
      out = [...out.slice(0, i), replaced, ...out.slice(i + 2)];
      changed = true;
      break;
    }
  }
  return out;
}

/**
 * Rotate renaming over the copies of a fully unrolled loop (each copy: its
 * top-level statements). `outer` are the int locals declared before the loop.
 * Returns the new statements, or null when the copies do not have the shape
 * (then they are kept as they are).
 */
export function rotateRenaming(
  copies: readonly (readonly Stmt[])[],
  outer: readonly LocalVar[],
  locals: LocalFactory,
): Stmt[][] | null {
  // Candidates: int locals from before the loop that the copies write only by top-level `x = …`.
  const cands = new Map<number, LocalVar>(outer.filter((l) => l.type.kind === "int").map((l) => [l.id, l]));
  for (const copy of copies) {
    walkStmts(copy, (s) => {
      if ((s.kind === "assign" || s.kind === "update") && s.target.kind === "local") {
        if (s.kind === "update" || s.op !== "=" || !copy.includes(s)) {
          cands.delete(s.target.local.id);
        }
      }
    });
  }
  const isMove = (s: Stmt): boolean =>
    s.kind === "assign" &&
    s.op === "=" &&
    s.target.kind === "local" &&
    cands.has(s.target.local.id) &&
    s.value.kind === "local" &&
    cands.has(s.value.local.id);
  if (cands.size < 2 || !copies.some((c) => c.some(isMove))) {
    return null;
  }
  // rho: logical local → the variable (one of cands) holding its value; null: dead until its next assignment.
  const rho = new Map<number, LocalVar | null>([...cands.values()].map((l) => [l.id, l]));
  const slot = (id: number): LocalVar => {
    const v = rho.get(id);
    if (v === undefined || v === null) {
      throw new Error("rotate: read of a dead local");
    }
    return v;
  };
  const rw = (e: Expr): Expr => {
    if (e.kind === "local" && cands.has(e.local.id)) {
      return { kind: "local", local: slot(e.local.id) };
    }
    return mapChildren(e, rw);
  };
  /** True when, in rest, the first statement mentioning `id` is `id = X` with X not reading it (at top level). */
  const deadIn = (rest: readonly Stmt[], id: number): boolean => {
    for (const s of rest) {
      const mentions = stmtExprs(s).some((e) => readsLocal(e, id));
      let nested = false;
      if (s.kind !== "assign" && s.kind !== "local" && s.kind !== "call") {
        walkStmts([s], (x) => {
          nested ||= x !== s && stmtExprs(x).some((e) => readsLocal(e, id));
        });
      }
      if (s.kind === "assign" && s.op === "=" && s.target.kind === "local" && s.target.local.id === id) {
        return !readsLocal(s.value, id);
      }
      if (mentions || nested) {
        return false;
      }
    }
    return false;
  };
  const out: Stmt[][] = [];
  try {
    for (const copy of copies) {
      const res: Stmt[] = [];
      /** Copy locals whose value sits in a variable of cands until their one `x = local`. */
      const held = new Map<number, LocalVar>();
      const inUse = (v: LocalVar, except: number, rest: readonly Stmt[]): boolean =>
        [...held.values()].some((h) => h.id === v.id) ||
        [...rho.entries()].some(([id, s]) => s !== null && s.id === v.id && id !== except && !deadIn(rest, id));
      const freeSlot = (except: number, rest: readonly Stmt[]): LocalVar | null => {
        const own = rho.get(except);
        if (own !== undefined && own !== null && !inUse(own, except, rest)) {
          return own;
        }
        return [...cands.values()].find((v) => !inUse(v, except, rest)) ?? null;
      };
      for (let j = 0; j < copy.length; j++) {
        const s = copy[j];
        const rest = copy.slice(j + 1);
        if (s.kind === "local" && s.init !== null && s.local.type.kind === "int" && !hasCall(s.init)) {
          const id = s.local.id;
          const uses = rest.filter((x) => x.kind === "assign" && x.value.kind === "local" && x.value.local.id === id);
          const user = uses.length === 1 ? uses[0] : null;
          if (
            user !== null &&
            isCandAssign(user, cands) &&
            countReads(rest, id) === 1 &&
            !assignedLocals(rest).has(id)
          ) {
            // A dead variable takes the value now.
            const dead = [...cands.keys()].find((c) => {
              const v = rho.get(c);
              return v !== null && v !== undefined && deadIn(rest, c) && !inUse(v, c, rest);
            });
            if (dead !== undefined) {
              const v = slot(dead);
              res.push({ kind: "assign", op: "=", target: { kind: "local", local: v }, value: rw(s.init) });
              rho.set(dead, null);
              held.set(id, v);
              continue;
            }
          }
        }
        if (s.kind === "assign" && s.op === "=" && s.target.kind === "local" && cands.has(s.target.local.id)) {
          const t = s.target.local.id;
          if (s.value.kind === "local" && held.has(s.value.local.id)) {
            rho.set(t, held.get(s.value.local.id) ?? null);
            held.delete(s.value.local.id);
            continue;
          }
          if (isMove(s) && s.value.kind === "local") {
            rho.set(t, slot(s.value.local.id));
            continue;
          }
          const value = rw(s.value);
          const v = freeSlot(t, rest);
          if (v === null) {
            return null;
          }
          res.push({ kind: "assign", op: "=", target: { kind: "local", local: v }, value });
          // Whoever else sat in v is dead (freeSlot checked): forget it.
          for (const [id, x] of rho) {
            if (x !== null && x.id === v.id && id !== t) {
              rho.set(id, null);
            }
          }
          rho.set(t, v);
          continue;
        }
        res.push(...mapStmts([s], rw, (l) => l));
      }
      if (held.size > 0 || [...rho.values()].some((v) => v === null)) {
        return null;
      }
      out.push(res);
    }
  } catch {
    return null;
  }
  // Give every local its value back.
  const moved = [...rho.entries()].filter(([id, v]) => v !== null && v.id !== id);
  if (moved.length > 0) {
    const tmp: Stmt[] = [];
    const back: Stmt[] = [];
    for (const [id, v] of moved) {
      const l = cands.get(id) as LocalVar;
      const t = locals.fresh(`${l.name}_r`, l);
      tmp.push({ kind: "local", local: t, init: { kind: "local", local: v as LocalVar } });
      back.push({ kind: "assign", op: "=", target: { kind: "local", local: l }, value: { kind: "local", local: t } });
    }
    out.push([{ kind: "block", body: [...tmp, ...back] }]);
  }
  return out;
}

function isCandAssign(s: Stmt, cands: ReadonlyMap<number, LocalVar>): boolean {
  return s.kind === "assign" && s.op === "=" && s.target.kind === "local" && cands.has(s.target.local.id);
}
