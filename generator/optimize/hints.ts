/**
 * The words a comment may put after `@spgen`, and where the passes read each. The frontend (frontend/stray-hints.ts)
 * refuses any other word, and a known word anywhere else, at the `@spgen` that writes it: a misspelled or misplaced
 * hint (`@spgen unrol 4`, `// @spgen inline` before a function) would otherwise be a comment that silently asks for
 * nothing. A new hint goes here and into the regex of the pass that reads it.
 */

/** Where the passes read hints: the hint words each place gives, and how a message names the place. */
export const HINT_PLACES = {
  /** The doc comment of a function (docOf): inline.ts, helpers.ts, table.ts. */
  functionDoc: {
    hints: ["inline", "table"],
    where: "in the doc comment (`/** … */`) right before a function, with no blank line between",
  },
  /** The doc comment of a record field (docOf): scratch.ts. */
  fieldDoc: {
    hints: ["scratch"],
    where: "in the doc comment (`/** … */`) right before a record's array field, with no blank line between",
  },
  /** A comment statement in a function body (read-statements.ts): unroll.ts, scalarize.ts, split.ts. */
  bodyComment: {
    hints: ["unroll", "scalarize", "split"],
    where: "in a comment right before a loop inside a function",
  },
} as const satisfies Record<string, { hints: readonly string[]; where: string }>;

/** The place where the passes read each hint word. */
export const HINT_PLACE: ReadonlyMap<string, keyof typeof HINT_PLACES> = new Map(
  Object.entries(HINT_PLACES).flatMap(([place, p]) => p.hints.map((h) => [h, place as keyof typeof HINT_PLACES])),
);

/** Every hint a pass reads (see generator/README.md, Speed hints), in alphabetical order. */
export const KNOWN_HINTS: readonly string[] = [...HINT_PLACE.keys()].sort();
