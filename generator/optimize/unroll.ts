/**
 * `// @spgen unroll N` before a counted loop: the loop is unrolled N times
 * (N a power of two, 2..16), with a remainder loop for the last iterations.
 * spcomp does no loop optimisation and the JIT compiles each operation as
 * written, so per-byte loops pay for the test, the increment and the index
 * arithmetic on every byte.
 *
 * Applies to `for (let i = A; i < B; i++) { body }` where B is loop-invariant
 * (it reads no local the body writes, no field or element the body may
 * write, and calls nothing), the body never writes `i`, has no `break` or
 * `continue`, and returns only at the end of an `if` branch (an exit branch:
 * it leaves the function, so it may call functions; elsewhere the body calls
 * nothing). The checks of invariance ignore exit branches, and each copy
 * keeps its own exit (`return i + 1` is `return i + 3` in the third copy).
 * The loop becomes
 *
 *     {
 *       int i = A;
 *       int iEnd = i + ((B - i) & ~(N - 1));   // B & ~(N - 1) when A is 0
 *       if (i < iEnd) {                          // only with hoisted reads
 *         int key0 = key[E(i)]; … int keyN_1 = key[E(i + N - 1)];
 *         for (; i < iEnd; i += N) {
 *           int off_i = off + i;                 // one per `X + i`, X invariant
 *           body(i); body(i + 1); … body(i + N - 1);
 *         }
 *       }
 *       for (; i < B; i++) { body }
 *     }
 *
 * Three rewrites make the copies cheap, each exact:
 * - `X + i` with X invariant is computed once per unrolled iteration into a
 *   local, and copy j uses `local + j`.
 * - A read `arr[E]` of a read-only array (a `Readonly<…>` parameter or a
 *   table) whose index E has period N in i (i only under `(… + i) & M` with
 *   M + 1 a power of two dividing N, other parts invariant) is the same in
 *   every unrolled iteration: i ≡ A (mod N) at the top of each one. Copy j's
 *   read is done once, before the loop, into a local (the masking key bytes
 *   rotated by the phase). These reads are guarded by `i < iEnd`, so they run
 *   only when the first unrolled iteration, which reads exactly those
 *   elements, would run. The hint also asserts what TypeScript's `Readonly`
 *   does not: the arrays the loop writes do not overlap the read-only arrays
 *   it reads (no aliasing), as in every caller of the spec.
 * - Locals declared in the body get one copy per unrolled copy.
 *
 * `B - i` must not overflow (ranges of array indices never do).
 */

import type { Diagnostic } from "../diagnostics.js";
import {
  arrayTypeOf,
  type Decl,
  type Expr,
  type FunctionDecl,
  type ReturnType,
  type LocalVar,
  type SpecModel,
  type Stmt,
  type ValueType,
} from "../model.js";
import {
  freshBodyLocals,
  add,
  exprKey,
  foldConstants,
  hasCall,
  intLit,
  invariantUnder,
  LocalFactory,
  hasHintComment,
  hintFailure,
  rewriteHinted,
  mapChildren,
  mapNestedBodies,
  mapStmts,
  someExpr,
  stmtExprs,
  walkStmts,
  writesOf,
  type Writes,
  type ForStmt,
  incrementsByOne,
  isLocal,
  matchHint,
} from "./ir.js";
import { forwardSingleUse, rotateRenaming } from "./rotate.js";

const HINT = /(?:^|\s)@spgen\s+unroll(?![\w-])(.*)$/;

function mentions(e: Expr, i: LocalVar): boolean {
  return someExpr(e, (x) => x.kind === "local" && x.local.id === i.id);
}

/** `i`, `i + X`, `X + i`, `i - X` (X invariant), possibly under `| 0`: i plus a loop-invariant amount. */
function isShiftOfI(e: Expr, i: LocalVar, w: Writes): boolean {
  if (isLocal(e, i)) {
    return true;
  }
  if (e.kind === "wrap") {
    return isShiftOfI(e.operand, i, w);
  }
  if (e.kind === "binary" && e.op === "+") {
    return (
      (isShiftOfI(e.left, i, w) && invariantUnder(e.right, w)) ||
      (isShiftOfI(e.right, i, w) && invariantUnder(e.left, w))
    );
  }
  if (e.kind === "binary" && e.op === "-") {
    return isShiftOfI(e.left, i, w) && invariantUnder(e.right, w);
  }
  return false;
}

/** True when `e`, as a function of i, repeats every n steps (and depends on nothing else that the loop changes). */
function periodic(e: Expr, i: LocalVar, n: number, w: Writes): boolean {
  if (!mentions(e, i)) {
    return invariantUnder(e, w);
  }
  if (e.kind === "binary" && e.op === "&") {
    const [mask, other] = e.right.kind === "int" ? [e.right, e.left] : [e.left, e.right];
    if (mask.kind === "int" && mask.value >= 0 && n % (mask.value + 1) === 0 && ((mask.value + 1) & mask.value) === 0) {
      return isShiftOfI(other, i, w);
    }
  }
  switch (e.kind) {
    case "binary":
    case "unary":
    case "wrap":
    case "toUint32":
    case "imul":
      return (e.kind === "binary" ? [e.left, e.right] : e.kind === "imul" ? [e.left, e.right] : [e.operand]).every(
        (c) => periodic(c, i, n, w),
      );
    default:
      return false;
  }
}

/** Read-only arrays (never written by this function, by the subset's rules). */
function isReadonlyArray(e: Expr): boolean {
  if (e.kind === "table") {
    return true;
  }
  return e.kind === "local" && e.local.type.kind === "array" && e.local.type.readonly;
}

/** Calls `fn` on the sub-expressions of `e` that run whenever `e` runs (not under `?:` branches, `&&`, `||`). */
function unconditional(e: Expr, fn: (x: Expr) => boolean): void {
  if (fn(e)) {
    return;
  }
  if (e.kind === "conditional") {
    unconditional(e.test, fn);
    return;
  }
  if (e.kind === "binary" && (e.op === "&&" || e.op === "||")) {
    unconditional(e.left, fn);
    return;
  }
  mapChildren(e, (c) => {
    unconditional(c, fn);
    return c;
  });
}

interface Unrolled {
  readonly stmt: Stmt;
  /** Copies of body locals that are never read (so lowering adds `#pragma unused`). */
  readonly unused: readonly number[];
}

/** True when the branch ends in `return` (so running it leaves the function). */
function exits(branch: readonly Stmt[]): boolean {
  return branch.length > 0 && branch[branch.length - 1].kind === "return";
}

/** `stmts` with every `if` branch that ends in `return` emptied. */
function withoutExits(stmts: readonly Stmt[]): Stmt[] {
  return stmts.map((s) => {
    if (s.kind === "if") {
      return {
        ...s,
        then: exits(s.then) ? [] : withoutExits(s.then),
        else: s.else === null ? null : exits(s.else) ? [] : withoutExits(s.else),
      };
    }
    return mapNestedBodies(s, withoutExits);
  });
}

/** `stmts` without comments (the copies after the first of an unrolled body). */
function withoutComments(stmts: readonly Stmt[]): Stmt[] {
  return stmts.filter((s) => s.kind !== "comment").map((s) => mapNestedBodies(s, withoutComments));
}

/** Returned values with their literal arithmetic folded (`return i + 2 + 1;` in a copy is `return i + 3;`). */
function foldReturns(stmts: readonly Stmt[]): Stmt[] {
  return stmts.map((s) =>
    s.kind === "return" && s.value !== null ? { ...s, value: foldConstants(s.value) } : mapNestedBodies(s, foldReturns),
  );
}

/** The stride s when `e` is `i` (1) or `s * i` / `i * s` with s a literal from 1 to 64, else null. */
function strideOf(e: Expr, i: LocalVar): number | null {
  if (isLocal(e, i)) {
    return 1;
  }
  if (e.kind !== "binary" || e.op !== "*") {
    return null;
  }
  const lit = isLocal(e.right, i) ? e.left : isLocal(e.left, i) ? e.right : null;
  return lit !== null && lit.kind === "int" && lit.value >= 1 && lit.value <= 64 ? lit.value : null;
}

/** Why the loop cannot be unrolled, or the unrolled statement. */
function unroll(
  loop: ForStmt,
  factors: readonly number[],
  locals: LocalFactory,
  unusedIds: ReadonlySet<number>,
  outline: Outliner | null,
): Unrolled | string {
  const init = loop.init[0];
  if (loop.init.length !== 1 || init.kind !== "local" || init.init === null || init.local.type.kind !== "int") {
    return "the loop must declare one int counter (`for (let i = A; …`)";
  }
  const i = init.local;
  const test = loop.test;
  if (test === null || test.kind !== "binary" || test.op !== "<" || !isLocal(test.left, i)) {
    return `the test must be \`${i.name} < bound\``;
  }
  if (!incrementsByOne(loop, i)) {
    return `the update must be \`${i.name}++\``;
  }
  const body = loop.body;
  // Exit branches (an `if` branch ending in `return`) leave the function: what they do (calls included) cannot
  // change the iterations that follow, so the checks below look at the body without them.
  const staying = withoutExits(body);
  const bodyWrites = writesOf(staying);
  if (bodyWrites.calls) {
    return "the body must not call functions (but in a branch that ends in return; private helpers, even `@spgen inline` ones, are inlined after unrolling)";
  }
  if (writesOf(body).locals.has(i.id)) {
    return `the body must not change \`${i.name}\``;
  }
  let jumps = false;
  walkStmts(body, (s) => {
    jumps ||= s.kind === "break" || s.kind === "continue";
  });
  walkStmts(staying, (s) => {
    jumps ||= s.kind === "return";
  });
  if (jumps) {
    return "the body must not contain break or continue, nor return but at the end of an if branch";
  }
  const w: Writes = { ...bodyWrites, locals: new Set([...bodyWrites.locals, i.id]) };
  const bound = test.right;
  if (!invariantUnder(bound, w)) {
    return "the bound must not change in the loop (no locals, fields or elements the body writes, no calls)";
  }

  const start = init.init;
  const unused: number[] = [];
  // The smallest factor: hoisted reads must repeat with its period, so that one set serves every level.
  const minN = factors[factors.length - 1];
  // Periodic reads of read-only arrays, hoisted before the loops.
  const hoistable = new Map<string, Expr & { kind: "index" }>();
  for (const s of body) {
    if (s.kind !== "assign" && s.kind !== "local" && s.kind !== "update") {
      continue;
    }
    for (const e of stmtExprs(s)) {
      unconditional(e, (x) => {
        if (x.kind === "index" && isReadonlyArray(x.array) && mentions(x.index, i) && periodic(x.index, i, minN, w)) {
          hoistable.set(exprKey(x), x);
          return true;
        }
        return false;
      });
    }
  }
  const hoisted = new Map<string, LocalVar[]>();
  const hoistDecls: Stmt[] = [];
  for (const [key, read] of hoistable) {
    const name =
      read.array.kind === "local" ? read.array.local.name : read.array.kind === "table" ? read.array.name : "v";
    // The read's own period (a power of two dividing minN: `& 3` repeats every 4 copies): one local per phase.
    let period = 1;
    while (period < minN && !periodic(read.index, i, period, w)) {
      period *= 2;
    }
    const phases: LocalVar[] = [];
    for (let j = 0; j < period; j++) {
      const l = locals.fresh(`${name}${j}`, i);
      phases.push(l);
      const at = add({ kind: "local", local: i }, intLit(j));
      hoistDecls.push({ kind: "local", local: l, init: substitute(read, i, at) });
    }
    hoisted.set(key, phases);
  }

  const iRef: Expr = { kind: "local", local: i };
  /** `s * i` (`i` for 1). */
  const strided = (stride: number): Expr =>
    stride === 1 ? iRef : { kind: "binary", op: "*", left: intLit(stride), right: iRef };
  /** The end of the iterations unrolled by n from the current i (from the loop's start when `first`). */
  const endValue = (n: number, first: boolean): Expr => {
    const notStep: Expr = { kind: "unary", op: "~", operand: intLit(n - 1) };
    return first && start.kind === "int" && start.value === 0
      ? { kind: "binary", op: "&", left: bound, right: notStep }
      : add(iRef, {
          kind: "binary",
          op: "&",
          left: { kind: "binary", op: "-", left: bound, right: iRef },
          right: notStep,
        });
  };

  /** One unrolled loop by n, ending at iEnd. */
  const level = (n: number, iEnd: LocalVar): Stmt | string => {
    // `X + i` (X invariant) anywhere else in the body: one local per unrolled iteration.
    // `X + i` and `X + s * i` (a literal stride s: 3 input bytes a group): copy j uses `local + s * j`.
    const bases = new Map<string, { x: Expr; stride: number; local: LocalVar }>();
    const findBases = (e: Expr): void => {
      if (hoistable.has(exprKey(e))) {
        return;
      }
      if (e.kind === "binary" && e.op === "+") {
        const sr = strideOf(e.right, i);
        const sl = sr === null ? strideOf(e.left, i) : null;
        const x = sr !== null ? e.left : sl !== null ? e.right : null;
        const stride = sr ?? sl ?? 1;
        if (x !== null && !mentions(x, i) && invariantUnder(x, w)) {
          const key = exprKey(e);
          if (!bases.has(key)) {
            const name = x.kind === "local" ? `${x.local.name}_${i.name}` : `${i.name}Base`;
            bases.set(key, { x, stride, local: locals.fresh(name, i) });
          }
          return;
        }
      }
      mapChildren(e, (c) => {
        findBases(c);
        return c;
      });
    };
    walkStmts(staying, (s) => stmtExprs(s).forEach(findBases));

    const copyBody = (j: number): Stmt[] => {
      const renamed = new Map<number, LocalVar>();
      if (j > 0) {
        freshBodyLocals(body, locals, unusedIds, renamed, unused);
      }
      const rw = (e: Expr): Expr => {
        const key = exprKey(e);
        const h = hoisted.get(key);
        if (h !== undefined) {
          return { kind: "local", local: h[j % h.length] };
        }
        const b = bases.get(key);
        if (b !== undefined) {
          return add({ kind: "local", local: b.local }, intLit(j * b.stride));
        }
        if (e.kind === "local") {
          if (e.local.id === i.id) {
            return add(e, intLit(j));
          }
          const r = renamed.get(e.local.id);
          return r === undefined ? e : { kind: "local", local: r };
        }
        return mapChildren(e, rw);
      };
      return foldReturns(mapStmts(j === 0 ? body : withoutComments(body), rw, (l) => renamed.get(l.id) ?? l));
    };

    const copies: Stmt[][] = [];
    for (let j = 0; j < n; j++) {
      copies.push(copyBody(j));
    }
    const unrolledBody: Stmt[] = [];
    if (outline === null) {
      for (const b of bases.values()) {
        unrolledBody.push({ kind: "local", local: b.local, init: add(b.x, strided(b.stride)) });
      }
      unrolledBody.push(...copies.flat());
    } else {
      // The bases go straight into the call's arguments.
      const baseValues = new Map([...bases.values()].map((b) => [b.local.id, add(b.x, strided(b.stride))]));
      baseValues.set(i.id, iRef);
      const hoistedIds = new Set([...hoisted.values()].flat().map((l) => l.id));
      const call = outline.outline(copies, baseValues, i, unused, hoistedIds);
      if (typeof call === "string") {
        return call;
      }
      unrolledBody.push(...call);
    }
    return {
      kind: "for",
      init: [],
      test: { kind: "binary", op: "<", left: iRef, right: { kind: "local", local: iEnd } },
      update: [{ kind: "assign", op: "+=", target: { kind: "local", local: i }, value: intLit(n) }],
      body: unrolledBody,
    };
  };

  // The end of the smallest factor's iterations: every level runs below it (the larger factors are its multiples).
  const iEnd = locals.fresh(`${i.name}End`, i);
  const loops: Stmt[] = [];
  for (const [k, n] of factors.entries()) {
    let end = iEnd;
    if (k < factors.length - 1) {
      end = locals.fresh(`${i.name}End${n}`, i);
      loops.push({ kind: "local", local: end, init: endValue(n, k === 0) });
    }
    const r = level(n, end);
    if (typeof r === "string") {
      return r;
    }
    loops.push(r);
  }
  const out: Stmt[] = [init, { kind: "local", local: iEnd, init: endValue(minN, true) }];
  if (hoistDecls.length === 0) {
    out.push(...loops);
  } else {
    out.push({
      kind: "if",
      test: { kind: "binary", op: "<", left: iRef, right: { kind: "local", local: iEnd } },
      then: [...hoistDecls, ...loops],
      else: null,
    });
  }
  out.push({ kind: "for", init: [], test, update: loop.update, body });
  return { stmt: { kind: "block", body: out }, unused };
}

/** Largest trip count `// @spgen unroll full` accepts. */
export const MAX_FULL_UNROLL = 128;

/** Statements with constant `if` tests resolved to the branch taken (a branch that declares locals stays a block). */
function resolveConstantIfs(stmts: readonly Stmt[]): Stmt[] {
  const out: Stmt[] = [];
  for (const s0 of stmts) {
    const s = mapNestedBodies(s0, resolveConstantIfs);
    if (s.kind === "if" && s.test.kind === "bool") {
      const branch = s.test.value ? s.then : (s.else ?? []);
      if (branch.some((x) => x.kind === "local")) {
        out.push({ kind: "block", body: branch });
      } else {
        out.push(...branch);
      }
      continue;
    }
    out.push(s);
  }
  return out;
}

/** True when `e` reads the local with id `id`. */
function readsLocal(e: Expr, id: number): boolean {
  return someExpr(e, (x) => x.kind === "local" && x.local.id === id);
}

/**
 * `int f = 0; int k = 0; f = X; k = Y;` in a list of statements becomes
 * `int f = X; int k = Y;`: an assignment is merged into the declaration of
 * its local (initialised with a literal) when only declarations stand
 * between them, none of them and not X reads the local, X reads none of the
 * locals they declare, and nothing there calls a function (so evaluating X
 * earlier changes nothing).
 */
function mergeFirstAssignments(stmts: readonly Stmt[]): Stmt[] {
  const out = [...stmts];
  for (let i = 0; i < out.length; i++) {
    const d = out[i];
    if (d.kind !== "local" || d.init === null || (d.init.kind !== "int" && d.init.kind !== "bool")) {
      continue;
    }
    const id = d.local.id;
    for (let j = i + 1; j < out.length; j++) {
      const s = out[j];
      if (s.kind === "local" && s.init !== null && !readsLocal(s.init, id) && !hasCall(s.init)) {
        continue;
      }
      if (
        s.kind === "assign" &&
        s.op === "=" &&
        s.target.kind === "local" &&
        s.target.local.id === id &&
        !readsLocal(s.value, id) &&
        !hasCall(s.value) &&
        out.slice(i + 1, j).every((x) => x.kind === "local" && !readsLocal(s.value, x.local.id))
      ) {
        out[i] = { ...d, init: s.value };
        out.splice(j, 1);
      }
      break;
    }
  }
  return out;
}

/**
 * Locals of `stmts` (top level) initialised with a literal and never assigned
 * afterwards are replaced by the literal, and the literal arithmetic folded
 * again (`const j = t * 4` in a fully unrolled copy: `b[j + 1]` is `b[5]`).
 */
function propagateLiterals(stmts: readonly Stmt[]): Stmt[] {
  const assigned = new Set<number>();
  walkStmts(stmts, (s) => {
    if ((s.kind === "assign" || s.kind === "update") && s.target.kind === "local") {
      assigned.add(s.target.local.id);
    }
  });
  const values = new Map<number, Expr>();
  for (const s of stmts) {
    if (
      s.kind === "local" &&
      s.init !== null &&
      (s.init.kind === "int" ||
        s.init.kind === "bool" ||
        (s.init.kind === "unary" && s.init.op === "-" && s.init.operand.kind === "int")) &&
      s.local.type.kind !== "array" &&
      !assigned.has(s.local.id)
    ) {
      values.set(s.local.id, s.init);
    }
  }
  if (values.size === 0) {
    return [...stmts];
  }
  const rw = (e: Expr): Expr => (e.kind === "local" ? (values.get(e.local.id) ?? e) : mapChildren(e, rw));
  return resolveConstantIfs(
    mapStmts(
      stmts.filter((s) => !(s.kind === "local" && values.has(s.local.id))),
      (e) => foldConstants(rw(e)),
      (l) => l,
    ),
  );
}

/**
 * `// @spgen unroll full`: `for (let i = A; i < B; i++)` with A and B literals
 * becomes B - A copies of the body, each with `i` replaced by its value and
 * the literal arithmetic folded (so `w[t - 3]` is `w[13]`: a constant index,
 * which spcomp compiles without a bounds check), and `if` tests that become
 * constants resolved. A copy that declares locals is a block of its own (its
 * locals are fresh per copy). The body must not write `i` or
 * `break`/`continue`, nor end in a `return` of its own.
 */
function unrollFull(loop: ForStmt, locals: LocalFactory, unusedIds: ReadonlySet<number>): Unrolled | string {
  const init = loop.init[0];
  if (loop.init.length !== 1 || init.kind !== "local" || init.init === null || init.init.kind !== "int") {
    return "the loop must declare one int counter starting at a literal (`for (let i = 0; …`)";
  }
  const i = init.local;
  const test = loop.test;
  if (
    test === null ||
    test.kind !== "binary" ||
    test.op !== "<" ||
    !isLocal(test.left, i) ||
    test.right.kind !== "int"
  ) {
    return `the test must be \`${i.name} < literal\``;
  }
  if (!incrementsByOne(loop, i)) {
    return `the update must be \`${i.name}++\``;
  }
  const from = init.init.value;
  const to = test.right.value;
  if (to - from > MAX_FULL_UNROLL) {
    return `it runs ${to - from} times, more than ${MAX_FULL_UNROLL}`;
  }
  const body = loop.body;
  if (writesOf(body).locals.has(i.id)) {
    return `the body must not change \`${i.name}\``;
  }
  let jumps = false;
  walkStmts(body, (s) => {
    jumps ||= s.kind === "break" || s.kind === "continue";
  });
  if (jumps || body.some((s) => s.kind === "return")) {
    return "the body must not contain break or continue, nor end in return";
  }
  const copies: Stmt[][] = [];
  const unused: number[] = [];
  for (let v = from; v < to; v++) {
    const renamed = new Map<number, LocalVar>();
    freshBodyLocals(body, locals, unusedIds, renamed, unused);
    const rw = (e: Expr): Expr => {
      if (e.kind === "local") {
        if (e.local.id === i.id) {
          return intLit(v);
        }
        const r = renamed.get(e.local.id);
        return r === undefined ? e : { kind: "local", local: r };
      }
      return mapChildren(e, rw);
    };
    const copy = forwardSingleUse(
      propagateLiterals(
        mergeFirstAssignments(
          resolveConstantIfs(
            mapStmts(
              body.filter((s) => v === from || s.kind !== "comment"),
              (e) => foldConstants(rw(e)),
              (l) => renamed.get(l.id) ?? l,
            ),
          ),
        ),
      ),
    );
    copies.push(copy);
  }
  // Locals from before the loop that the body assigns: candidates of rotate renaming.
  const declared = new Set<number>();
  const outer = new Map<number, LocalVar>();
  walkStmts(body, (s) => {
    if (s.kind === "local") {
      declared.add(s.local.id);
    }
    if (s.kind === "assign" && s.target.kind === "local") {
      outer.set(s.target.local.id, s.target.local);
    }
  });
  const rotated =
    rotateRenaming(
      copies,
      [...outer.values()].filter((l) => !declared.has(l.id)),
      locals,
    ) ?? copies;
  const out: Stmt[] = [];
  for (const copy of rotated) {
    if (copy.some((s) => s.kind === "local")) {
      out.push({ kind: "block", body: copy });
    } else {
      out.push(...copy);
    }
  }
  return { stmt: { kind: "block", body: out }, unused };
}

/** `e` with the local `i` replaced by `by`. */
function substitute(e: Expr, i: LocalVar, by: Expr): Expr {
  if (isLocal(e, i)) {
    return by;
  }
  return mapChildren(e, (c) => substitute(c, i, by));
}

const STRING_TYPE: ValueType = { kind: "string" };

/** The type of a slice parameter for elements of `array` (its array type, size unknown), or null when not an array. */
function sliceTypeOf(array: Expr): ValueType | null {
  const t = array.kind === "local" || array.kind === "field" ? arrayTypeOf(array) : null;
  return t !== null ? { ...t, size: null } : null;
}

/**
 * `b`, `b + k` or `b + k1 + k2 …` (literals adding up to a non-negative k; copy j of `X + 3 * i + 1` is
 * `b + 3 + 1`) with b one of the given locals: the base and the offset, or null.
 */
function baseOffset(e: Expr, baseIds: ReadonlySet<number>): { base: LocalVar; offset: number } | null {
  let offset = 0;
  let x = e;
  while (x.kind === "binary" && x.op === "+" && x.right.kind === "int") {
    offset += x.right.value;
    x = x.left;
  }
  if (x.kind === "local" && baseIds.has(x.local.id) && offset >= 0 && offset <= 0x7fffffff) {
    return { base: x.local, offset };
  }
  return null;
}

/**
 * `outline` after `// @spgen unroll N …`: the N copies of the body go into a private helper function that
 * takes each array the copies index, as `arr[X + i + k]`, as a slice starting at `X + i` (SourcePawn passes
 * `arr[base]` to a `char[]`/`int[]` parameter as the array from that element on), so that every index inside
 * is a literal: spcomp then emits no bounds check and no index arithmetic, and the JIT no push and pop of the
 * array's address around each index. The other locals the copies read are passed by value.
 */
class Outliner {
  readonly helpers: FunctionDecl[] = [];
  private readonly names = new Set<string>();

  constructor(
    private readonly f: FunctionDecl,
    private readonly locals: LocalFactory,
  ) {}

  /**
   * The copies with each exit branch (a branch that is only `return V;`) turned into `return j;`, and V as copy 0
   * has it (`undefined` when the body has no exit branch), or why not: one exit branch at most, with nothing but
   * the return in it, and a V that calls nothing and reads no local of the body.
   */
  private exitsOf(
    groups: readonly (readonly Stmt[])[],
    hoistedIds: ReadonlySet<number>,
  ): { copies: Stmt[]; value: Expr | null | undefined } | string {
    let value: Expr | null | undefined = undefined;
    let why: string | null = null;
    const copies: Stmt[] = [];
    for (const [j, group] of groups.entries()) {
      let count = 0;
      const declared = new Set<number>();
      walkStmts(group, (s) => {
        if (s.kind === "local") {
          declared.add(s.local.id);
        }
      });
      const branch = (b: readonly Stmt[]): Stmt[] => {
        if (!exits(b)) {
          return visit(b);
        }
        const ret = b[b.length - 1] as Stmt & { kind: "return" };
        if (b.length !== 1) {
          why ??= "outline: an exit branch must hold only its `return`";
        } else if (
          ret.value !== null &&
          (hasCall(ret.value) ||
            someExpr(ret.value, (x) => x.kind === "local" && (declared.has(x.local.id) || hoistedIds.has(x.local.id))))
        ) {
          // A hoisted read holds copy 0's element, not copy j's.
          why ??= "outline: an exit branch must return a value without calls, locals of the body or hoisted reads";
        }
        count++;
        if (j === 0) {
          value = ret.value;
        }
        return [{ kind: "return", value: intLit(j) }];
      };
      const visit = (stmts: readonly Stmt[]): Stmt[] =>
        stmts.map((s) =>
          s.kind === "if"
            ? { ...s, then: branch(s.then), else: s.else === null ? null : branch(s.else) }
            : mapNestedBodies(s, visit),
        );
      copies.push(...visit(group));
      if (count > 1) {
        why ??= "outline: the body may have one exit branch";
      }
    }
    return why ?? { copies, value };
  }

  /**
   * The statements replacing the copies (one array per copy, in order; the helper is recorded), or why they
   * cannot be outlined. An exit branch (`if (…) { return V; }`, V without calls) becomes `return j;` in copy j
   * of the helper, which returns -1 when no copy left; the caller then returns V with `i + j` for `i`, which is
   * what copy j returned (no other copy ran after it).
   */
  outline(
    groups: readonly (readonly Stmt[])[],
    baseValues: ReadonlyMap<number, Expr>,
    i: LocalVar,
    unused: number[],
    hoistedIds: ReadonlySet<number>,
  ): Stmt[] | string {
    const n = groups.length;
    const baseIds = new Set(baseValues.keys());
    const exit = this.exitsOf(groups, hoistedIds);
    if (typeof exit === "string") {
      return exit;
    }
    // unroll() let through no break, continue or return but the exit branches handled above.
    const copies = exit.copies;
    const writes = writesOf(copies);
    if (writes.calls) {
      return "outline: the body must not call functions";
    }
    const declared = new Set<number>();
    walkStmts(copies, (s) => {
      if (s.kind === "local") {
        declared.add(s.local.id);
      }
    });
    if ([...writes.locals].some((id) => !declared.has(id))) {
      return "outline: the body must not assign locals declared before the loop";
    }
    const slices = new Map<string, { array: Expr; base: LocalVar; param: LocalVar }>();
    const scalars = new Map<number, { outer: LocalVar; param: LocalVar }>();
    let why: string | null = null;
    /** The slice parameter for elements of `array` (a local array or string, or an array field of a local record) from `base` on. */
    const sliceOf = (array: Expr, base: LocalVar, name: string, type: ValueType): LocalVar => {
      const key = `${exprKey(array)}@${base.id}`;
      let slice = slices.get(key);
      if (slice === undefined) {
        const param = this.locals.fresh(name, i);
        slice = { array, base, param: { ...param, type } };
        slices.set(key, slice);
      }
      return slice.param;
    };
    const rw = (e: Expr): Expr => {
      const array = e.kind === "index" ? e.array : e.kind === "strCharAt" ? e.string : null;
      if (e.kind === "index" && e.array.kind === "table") {
        // A constant table is global: the helper reads it as the loop did, at an index of values only.
        if (someExpr(e.index, (x) => x.kind === "local" && (baseIds.has(x.local.id) || x.local.id === i.id))) {
          why ??= `outline: a table's index must not depend on \`${i.name}\``;
          return e;
        }
        return { ...e, index: rw(e.index) };
      }
      if ((e.kind === "index" || e.kind === "strCharAt") && array !== null) {
        const owner =
          array.kind === "local"
            ? array.local
            : array.kind === "field" && array.record.kind === "local"
              ? array.record.local
              : null;
        const type = e.kind === "index" ? sliceTypeOf(array) : STRING_TYPE;
        if (owner === null || type === null || declared.has(owner.id) || writes.locals.has(owner.id)) {
          why ??=
            "outline: the body must index only arrays and strings that are parameters or locals of the function, or array fields of its records";
          return e;
        }
        const at = baseOffset(e.index, baseIds);
        if (at === null) {
          why ??= `outline: each index of \`${owner.name}\` must be \`X + ${i.name}\` or \`X + s * ${i.name}\` plus a literal (X unchanged by the loop, s a literal from 1 to 64)`;
          return e;
        }
        const name = array.kind === "field" ? array.field : owner.name;
        const param: Expr = { kind: "local", local: sliceOf(array, at.base, name, type) };
        return e.kind === "index"
          ? { ...e, array: param, index: intLit(at.offset) }
          : { ...e, string: param, index: intLit(at.offset) };
      }
      if (e.kind === "local") {
        if (declared.has(e.local.id)) {
          return e;
        }
        if (e.local.id === i.id || (e.local.type.kind !== "int" && e.local.type.kind !== "bool")) {
          why ??= `outline: the body reads \`${e.local.name}\` other than through \`X + ${i.name}\` indices`;
          return e;
        }
        let scalar = scalars.get(e.local.id);
        if (scalar === undefined) {
          scalar = { outer: e.local, param: this.locals.fresh(e.local.name, e.local) };
          scalars.set(e.local.id, scalar);
        }
        return { kind: "local", local: scalar.param };
      }
      if (e.kind === "field" || e.kind === "strLength") {
        why ??= "outline: the body must not read records or strings but their array elements and characters";
        return e;
      }
      return mapChildren(e, rw);
    };
    const body = mapStmts(copies, rw, (l) => l);
    if (why !== null) {
      return why;
    }
    let name = `${this.f.name}Unrolled${n}`;
    for (let k = 2; this.names.has(name); k++) {
      name = `${this.f.name}Unrolled${n}_${k}`;
    }
    this.names.add(name);
    const mine = [...unused, ...this.f.unusedLocals].filter((id) => declared.has(id));
    unused.splice(0, unused.length, ...unused.filter((id) => !declared.has(id)));
    const sliceList = [...slices.values()];
    const scalarList = [...scalars.values()];
    const returnType: ReturnType = exit.value === undefined ? { kind: "void" } : { kind: "int" };
    const doc = [
      `${n} iterations of a loop of ${this.f.name} (unrolled and outlined by a hint): each array is passed from`,
      "the element the first of them reads on, so that every index here is a literal.",
    ];
    if (exit.value !== undefined) {
      doc.push("Returns the iteration (0-based) whose exit branch was taken, or -1.");
    }
    this.helpers.push({
      kind: "function",
      name,
      exported: false,
      params: [
        ...sliceList.map((s) => ({ local: s.param, defaultValue: null, used: true })),
        ...scalarList.map((s) => ({ local: s.param, defaultValue: null, used: true })),
      ],
      returnType,
      body: exit.value === undefined ? body : [...body, { kind: "return", value: intLit(-1) }],
      unusedLocals: mine,
      doc,
      pos: this.f.pos,
    });
    const call: Expr & { kind: "call" } = {
      kind: "call",
      callee: name,
      args: [
        ...sliceList.map((s): Expr => {
          const index = baseValues.get(s.base.id) ?? { kind: "local", local: s.base };
          return s.param.type.kind === "string"
            ? { kind: "strCharAt", string: s.array, index }
            : { kind: "index", array: s.array, index, type: s.param.type };
        }),
        ...scalarList.map((s): Expr => ({ kind: "local", local: s.outer })),
      ],
      type: returnType,
    };
    if (exit.value === undefined) {
      return [{ kind: "call", call }];
    }
    // The caller leaves with what the copy that left returned: copy 0's value with i + j for i.
    const left = this.locals.fresh(`${i.name}Exit`, i);
    const leftRef: Expr = { kind: "local", local: left };
    const shifted = add({ kind: "local", local: i }, leftRef);
    const atCopy = (e: Expr): Expr => {
      if (e.kind === "local") {
        const b = baseValues.get(e.local.id);
        if (e.local.id === i.id || b !== undefined) {
          return substitute(b ?? e, i, shifted);
        }
        return e;
      }
      return mapChildren(e, atCopy);
    };
    return [
      { kind: "local", local: left, init: call },
      {
        kind: "if",
        test: { kind: "binary", op: ">=", left: leftRef, right: intLit(0) },
        then: [{ kind: "return", value: exit.value === null ? null : atCopy(exit.value) }],
        else: null,
      },
    ];
  }
}

/** Unrolls the hinted loops of one function. */
function unrollFunction(f: FunctionDecl, diagnostics: Diagnostic[]): FunctionDecl[] {
  if (!hasHintComment(f, HINT)) {
    return [f];
  }
  const locals = new LocalFactory(f);
  const outliner = new Outliner(f, locals);
  const unusedIds = new Set(f.unusedLocals);
  const extraUnused: number[] = [];
  const fail = hintFailure(f, "unroll", diagnostics);
  const body = rewriteHinted(
    f.body,
    (lines, at) => {
      const m = matchHint(lines, HINT);
      if (m === null) {
        return null;
      }
      const r = parseHint(m[1]);
      if (typeof r === "string") {
        fail(r, at);
        return null;
      }
      return r;
    },
    (hint, s, at) => {
      if (s.kind !== "for") {
        fail("it must stand right before a `for` loop", at);
        return null;
      }
      const r =
        hint.factors.length === 0
          ? unrollFull(s, locals, unusedIds)
          : unroll(s, hint.factors, locals, unusedIds, hint.outline ? outliner : null);
      if (typeof r === "string") {
        fail(r, at);
        return null;
      }
      extraUnused.push(...r.unused);
      return hint.factors.length === 0 && r.stmt.kind === "block" ? [...r.stmt.body] : [r.stmt];
    },
    (at) => fail("it must stand right before a `for` loop", at),
  );
  return [{ ...f, body, unusedLocals: [...f.unusedLocals, ...extraUnused] }, ...outliner.helpers];
}

/** Applies every `@spgen unroll N` hint of the model. */
export function unrollLoops(model: SpecModel, diagnostics: Diagnostic[]): SpecModel {
  return {
    modules: model.modules.map((m) => ({
      ...m,
      decls: m.decls.flatMap((d): Decl[] => (d.kind === "function" ? unrollFunction(d, diagnostics) : [d])),
    })),
  };
}

/** What a `// @spgen unroll …` comment asks: the factors (none for `full`) and whether to outline the copies. */
interface UnrollHint {
  readonly factors: readonly number[];
  readonly outline: boolean;
}

/** Largest factor with `outline` (without it, 16: the copies stay in the function). */
export const MAX_OUTLINED_FACTOR = 64;

/**
 * The words after `@spgen unroll`: `full`, or factors in decreasing order (`64 16 4`: the remainder of
 * each unrolled loop is unrolled by the next factor) optionally followed by `outline`; the words after
 * those (an explanation) are ignored.
 */
function parseHint(rest: string): UnrollHint | string {
  if (rest.trim() === "") {
    return "it needs `full` or factors (`unroll 4`, `unroll 16 4 outline`)";
  }
  const words = rest
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/[:;,.]$/, ""));
  if (words[0] === "full") {
    return { factors: [], outline: false };
  }
  const factors: number[] = [];
  let k = 0;
  for (; k < words.length && /^\d+$/.test(words[k]); k++) {
    factors.push(Number(words[k]));
  }
  const outline = words[k] === "outline";
  const max = outline ? MAX_OUTLINED_FACTOR : 16;
  if (factors.length === 0) {
    return `\`${words[0] ?? ""}\` is not a power of two from 2 to 16, nor \`full\``;
  }
  for (const [j, n] of factors.entries()) {
    if (n < 2 || n > max || (n & (n - 1)) !== 0) {
      return `\`${n}\` is not a power of two from 2 to ${max}${outline ? "" : " (up to 64 with `outline`)"}, nor \`full\``;
    }
    if (j > 0 && n >= factors[j - 1]) {
      return `the factors must decrease (${factors.join(" ")})`;
    }
  }
  return { factors, outline };
}
