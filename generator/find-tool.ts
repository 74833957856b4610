/**
 * Finding the SourcePawn toolchain's programs (spcomp, spshell): one place for
 * the CLI's `build`, the vectors runner and the tests, so they agree on what
 * counts as "present".
 */

import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";

/** True when `p` is a regular file this process may execute. */
export function isExecutable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The first executable called `name` on PATH, or null. */
export function onPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH ?? "").split(path.delimiter)) {
    if (dir !== "" && isExecutable(path.join(dir, name))) {
      return path.join(dir, name);
    }
  }
  return null;
}
