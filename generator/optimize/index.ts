/**
 * Optimisation passes over the model, between the frontend and lowering.
 * They only run where the spec asks for them with a hint, and each keeps
 * the computed bits identical (see each pass for its conditions):
 *
 * - `@spgen table N` in a function's JSDoc (table.ts);
 * - `@spgen inline` in a function's JSDoc (inline.ts);
 * - `// @spgen split` right before a counted `for` loop with literal bounds
 *   (split.ts);
 * - `// @spgen unroll N` (or `full`) right before a counted `for` loop (unroll.ts);
 * - `@spgen scratch` in the doc of a record's Int32Array field (scratch.ts);
 * - without a hint: call statements to private void helpers with one
 *   call site, or tiny ones, are inlined (helpers.ts);
 * - `// @spgen scalarize` right before a loop, last, once helpers are inlined
 *   into it (scalarize.ts).
 *
 * Calls to tabulated functions become table reads first, then calls are
 * inlined, so that a loop whose body called an inlined function can still be
 * unrolled; loops are split before they are unrolled,
 * so that each piece is unrolled; scratch fields go to locals last, once
 * unrolling made their indices literals. A hint that cannot be applied is an error (an `@spgen` word that names
 * no hint, hints.ts, is refused earlier, by the frontend).
 */

import type { Diagnostic } from "../diagnostics.js";
import type { SpecModel } from "../model.js";
import { inlineHelpers } from "./helpers.js";
import { inlineCalls } from "./inline.js";
import { scalarizeLoops } from "./scalarize.js";
import { localiseScratchFields } from "./scratch.js";
import { splitLoops } from "./split.js";
import { tabulateFunctions } from "./table.js";
import { unrollLoops } from "./unroll.js";

export interface OptimizeResult {
  readonly model: SpecModel;
  readonly diagnostics: readonly Diagnostic[];
}

/** Applies the hinted transformations to the model. */
export function optimizeSpec(model: SpecModel): OptimizeResult {
  const diagnostics: Diagnostic[] = [];
  const tabled = tabulateFunctions(model, diagnostics);
  const inlined = inlineCalls(tabled, diagnostics);
  const split = splitLoops(inlined, diagnostics);
  const unrolled = unrollLoops(split, diagnostics);
  const localised = localiseScratchFields(unrolled, diagnostics);
  const helped = inlineHelpers(localised);
  return { model: scalarizeLoops(helped, diagnostics), diagnostics };
}
