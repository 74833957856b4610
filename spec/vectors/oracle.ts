/**
 * The oracle side of the vectors: runs every case of a VectorSet through
 * spec/vectors/runner.ts in Node (the TypeScript spec itself) and returns the
 * expected result lines, `<case name>\t<result>`. The SourcePawn programs
 * generated from the same tables must print exactly these lines.
 *
 * Plain Node TypeScript (never transpiled).
 */

import { VEC_BIG_SIZE, VEC_OUT_SIZE, vecRun } from "./runner.js";
import type { VectorSet } from "./cases.js";

/** What a result line holds when the result did not fit in VEC_OUT_SIZE bytes (the SourcePawn side prints the same). */
export const OVERFLOW_RESULT = "!overflow";

/** The result text of one case (without its name). */
export function runCase(set: VectorSet, index: number, work?: OracleWork): string {
  const w = work ?? new OracleWork();
  const n = vecRun(set.data, set.params, set.cases[index].p, w.big1, w.big2, w.out, VEC_OUT_SIZE);
  if (n < 0 || n > VEC_OUT_SIZE) {
    return OVERFLOW_RESULT;
  }
  return Buffer.from(w.out.buffer, w.out.byteOffset, n).toString("latin1");
}

/** The work buffers the runner needs, allocated once per run (the SourcePawn side keeps them as globals). */
export class OracleWork {
  readonly big1 = new Uint8Array(VEC_BIG_SIZE);
  readonly big2 = new Uint8Array(VEC_BIG_SIZE);
  readonly out = new Uint8Array(VEC_OUT_SIZE);
}

/** The expected lines of every case, in case order: `<name>\t<result>`. */
export function runOracle(set: VectorSet): string[] {
  const work = new OracleWork();
  const lines: string[] = [];
  for (let i = 0; i < set.cases.length; i++) {
    lines.push(`${set.cases[i].name}\t${runCase(set, i, work)}`);
  }
  return lines;
}
