/**
 * A test that cannot run here is registered as skipped under a name that says
 * what and why, and the same line is printed (vitest's default reporter lists
 * files, not skipped tests), so every skip in `npm test` names its reason and
 * the variable or path that would enable it (see generator/toolchain/).
 */

import path from "node:path";
import { it } from "vitest";

/**
 * Registers `what` as a skipped test and prints `SKIPPED <file>: <what>: <why>`
 * on stderr. `file` is the test file (import.meta.url or a path).
 */
export function skipWithReason(file: string, what: string, why: string): void {
  const name = path.basename(file.startsWith("file:") ? new URL(file).pathname : file);
  console.warn(`SKIPPED ${name}: ${what}: ${why}`);
  it.skip(`${what} (skipped: ${why})`, () => {});
}
