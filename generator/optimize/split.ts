/**
 * `// @spgen split` before a counted loop with literal bounds: the loop is
 * cut where a test of its counter against a literal changes value (index-set
 * splitting), so that each piece runs one branch without testing. SHA-1's
 * 80 rounds test `t < 20`, `t < 40`, `t < 60` on every round otherwise.
 *
 * Applies to `for (let i = A; i < B; i++) { body }` with A and B int
 * literals, when the body never writes `i` and has no `break`, `continue` or
 * `return` (so every iteration from A to B runs). A statement of the body
 * (at its top level) `if (i < C) { X } else { Y }` with C an int literal
 * makes the loop two: i from A to C with X in place of the `if`, i from C to
 * B with Y (no else: nothing); the pieces are split again while such an `if`
 * remains (an `else if` chain becomes one loop per branch). A branch that
 * declares locals at its top level stays a block. Each piece declares its
 * own counter `for (let i = start; i < end; i++)` and its own copies of the
 * body's locals. Other comment lines of the hint (e.g. `// @spgen unroll 4`
 * on the next line) are repeated before every piece, so the unroll pass,
 * which runs after this one, applies to each.
 */

import type { Diagnostic } from "../diagnostics.js";
import type { Expr, FunctionDecl, LocalVar, SpecModel, Stmt } from "../model.js";
import {
  freshBodyLocals,
  hasHintComment,
  hintFailure,
  LocalFactory,
  mapChildren,
  mapFunctions,
  mapNestedBodies,
  mapStmts,
  walkStmts,
  writesOf,
  type ForStmt,
  incrementsByOne,
  isHintLine,
  isLocal,
} from "./ir.js";

const HINT = /(?:^|\s)@spgen\s+split(?![\w-])/;

interface Piece {
  readonly start: number;
  readonly end: number;
  readonly body: readonly Stmt[];
}

/** Splits one piece at the first top-level `if (i < C)` of its body; pieces without one are final. */
function splitPiece(p: Piece, i: LocalVar): Piece[] {
  const at = p.body.findIndex(
    (s) =>
      s.kind === "if" &&
      s.test.kind === "binary" &&
      s.test.op === "<" &&
      isLocal(s.test.left, i) &&
      s.test.right.kind === "int",
  );
  if (at < 0) {
    return [p];
  }
  const s = p.body[at] as Extract<Stmt, { kind: "if" }>;
  const c = (s.test as Extract<Expr, { kind: "binary" }>).right as Extract<Expr, { kind: "int" }>;
  const branch = (stmts: readonly Stmt[] | null): Stmt[] => {
    const b = stmts ?? [];
    // Locals declared at the branch's top level keep their scope (nested statements have their own).
    return b.some((x) => x.kind === "local") ? [{ kind: "block", body: b }] : [...b];
  };
  const withBranch = (b: readonly Stmt[] | null): Stmt[] => [
    ...p.body.slice(0, at),
    ...branch(b),
    ...p.body.slice(at + 1),
  ];
  const mid = Math.min(Math.max(c.value, p.start), p.end);
  const out: Piece[] = [];
  if (mid > p.start) {
    out.push(...splitPiece({ start: p.start, end: mid, body: withBranch(s.then) }, i));
  }
  if (p.end > mid) {
    out.push(...splitPiece({ start: mid, end: p.end, body: withBranch(s.else) }, i));
  }
  return out;
}

/** Why the loop cannot be split, or its pieces (each a `for` statement, with the hint's other comment lines). */
function split(
  loop: ForStmt,
  extra: readonly string[],
  locals: LocalFactory,
  unusedIds: ReadonlySet<number>,
  unused: number[],
): Stmt[] | string {
  const init = loop.init[0];
  if (loop.init.length !== 1 || init.kind !== "local" || init.init?.kind !== "int" || init.local.type.kind !== "int") {
    return "the loop must declare one int counter from a literal (`for (let i = 0; …`)";
  }
  const i = init.local;
  const first = init.init;
  const test = loop.test;
  if (test?.kind !== "binary" || test.op !== "<" || !isLocal(test.left, i) || test.right.kind !== "int") {
    return `the test must be \`${i.name} < literal\``;
  }
  if (!incrementsByOne(loop, i)) {
    return `the update must be \`${i.name}++\``;
  }
  if (writesOf(loop.body).locals.has(i.id)) {
    return `the body must not change \`${i.name}\``;
  }
  let jumps = false;
  walkStmts(loop.body, (s) => {
    jumps ||= s.kind === "break" || s.kind === "continue" || s.kind === "return";
  });
  if (jumps) {
    return "the body must not contain break, continue or return";
  }
  const pieces = splitPiece({ start: first.value, end: test.right.value, body: loop.body }, i);
  if (pieces.length < 2) {
    return `no \`if (${i.name} < literal)\` inside the loop's range at the top level of its body`;
  }
  const out: Stmt[] = [];
  pieces.forEach((p, n) => {
    const renamed = new Map<number, LocalVar>();
    const counter = n === 0 ? i : locals.fresh(i.name, i);
    renamed.set(i.id, counter);
    if (n > 0) {
      freshBodyLocals(p.body, locals, unusedIds, renamed, unused);
    }
    const rw = (e: Expr): Expr => {
      if (e.kind === "local") {
        const r = renamed.get(e.local.id);
        return r === undefined ? e : { kind: "local", local: r };
      }
      return mapChildren(e, rw);
    };
    const iRef: Expr = { kind: "local", local: counter };
    if (extra.length > 0) {
      out.push({ kind: "comment", lines: extra });
    }
    out.push({
      kind: "for",
      init: [{ kind: "local", local: counter, init: { ...first, value: p.start } }],
      test: { ...test, left: iRef, right: { kind: "int", value: p.end, radix: 10 } },
      update: [{ kind: "update", op: "++", target: { kind: "local", local: counter } }],
      body: mapStmts(p.body, rw, (l) => renamed.get(l.id) ?? l),
    });
  });
  return out;
}

/** Splits the hinted loops of one function. */
function splitFunction(f: FunctionDecl, diagnostics: Diagnostic[]): FunctionDecl {
  if (!hasHintComment(f, HINT)) {
    return f;
  }
  const locals = new LocalFactory(f);
  const unusedIds = new Set(f.unusedLocals);
  const unused: number[] = [];
  const fail = hintFailure(f, "split", diagnostics);
  const visit = (stmts: readonly Stmt[]): Stmt[] => {
    const out: Stmt[] = [];
    for (let n = 0; n < stmts.length; n++) {
      const s = recurse(stmts[n]);
      if (s.kind !== "comment" || !s.lines.some((l) => isHintLine(l, HINT))) {
        out.push(s);
        continue;
      }
      const next = stmts[n + 1];
      if (next?.kind !== "for") {
        fail("it must stand right before a `for` loop", s.pos);
        out.push(s);
        continue;
      }
      const r = split(
        recurse(next) as ForStmt,
        s.lines.filter((l) => !isHintLine(l, HINT)),
        locals,
        unusedIds,
        unused,
      );
      if (typeof r === "string") {
        fail(r, s.pos);
        out.push(s);
        continue;
      }
      out.push({ kind: "comment", lines: s.lines.filter((l) => isHintLine(l, HINT)) }, ...r);
      n++;
    }
    return out;
  };
  const recurse = (s: Stmt): Stmt => mapNestedBodies(s, visit);
  const body = visit(f.body);
  return { ...f, body, unusedLocals: [...f.unusedLocals, ...unused] };
}

/** Applies every `@spgen split` hint of the model. */
export function splitLoops(model: SpecModel, diagnostics: Diagnostic[]): SpecModel {
  return mapFunctions(model, (f) => splitFunction(f, diagnostics));
}
