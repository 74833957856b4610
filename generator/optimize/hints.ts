/**
 * The words a comment may put after `@spgen`. The frontend (frontend/stray-hints.ts) refuses any other word, at the
 * `@spgen` that writes it: a misspelled hint (`@spgen unrol 4`, `@spgen scalarise`) would otherwise be a comment
 * that silently asks for nothing. A new hint goes here and into the regex of the pass that reads it.
 */

/** Every hint a pass reads (see generator/README.md, Speed hints). */
export const KNOWN_HINTS: readonly string[] = ["inline", "scalarize", "scratch", "split", "table", "unroll"];
