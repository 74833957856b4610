/**
 * The words a comment may put after `@spgen`, and a check that every `@spgen <word>` in the spec's doc comments and
 * `//` comments is one of them: a misspelled hint (`@spgen unrol 4`, `@spgen scalarise`) would otherwise be a
 * comment that silently asks for nothing.
 */

import type { Diagnostic } from "../diagnostics.js";
import type { Doc, SourcePos, SpecModel } from "../model.js";
import { walkStmts } from "./ir.js";

/** Every hint a pass reads (see generator/README.md, Speed hints). */
export const KNOWN_HINTS: readonly string[] = ["inline", "scalarize", "scratch", "split", "table", "unroll"];

const HINT_WORD = /(?:^|\s)@spgen\b(?:\s+([A-Za-z][\w-]*))?/g;

/** Errors for the `@spgen` words of the model that name no hint. */
export function checkHintWords(model: SpecModel, diagnostics: Diagnostic[]): void {
  const check = (lines: Doc, pos: SourcePos): void => {
    for (const line of lines) {
      for (const m of line.matchAll(HINT_WORD)) {
        if (m[1] === undefined || !KNOWN_HINTS.includes(m[1])) {
          diagnostics.push({
            file: pos.file,
            line: pos.line,
            column: pos.column,
            severity: "error",
            message:
              m[1] === undefined
                ? `\`@spgen\` names no hint (the hints are ${KNOWN_HINTS.join(", ")})`
                : `\`@spgen ${m[1]}\` is not a hint (the hints are ${KNOWN_HINTS.join(", ")})`,
          });
        }
      }
    }
  };
  for (const m of model.modules) {
    for (const d of m.decls) {
      check(d.doc, d.pos);
      if (d.kind === "record") {
        d.fields.forEach((f) => check(f.doc, f.pos));
      }
      if (d.kind === "function") {
        walkStmts(d.body, (s) => {
          if (s.kind === "comment") {
            check(s.lines, s.pos ?? d.pos);
          }
        });
      }
    }
  }
}
