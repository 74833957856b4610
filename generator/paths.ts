/**
 * Paths as the CLI shows them, and creating output directories.
 *
 * - shownPath: how a path appears in messages and diagnostics: relative to the
 *   working directory when it lies inside it, absolute otherwise (never
 *   `../../etc/...`).
 * - makeDir: creates an output directory and its missing parents, one level
 *   at a time. Node 20's `mkdirSync(p, { recursive: true })` never returns on
 *   some paths (`/proc/nope`: the kernel answers ENOENT for a directory whose
 *   parent exists, and Node's recursive walk retries forever), so spgen does
 *   not use it: a path that cannot be created fails at once with one line.
 */

import { mkdirSync, rmdirSync, type Stats, statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "./diagnostics.js";

/** True when absolute path `p` is `dir` or lies under it. */
export function isInside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** `file` (absolute, or relative to `cwd`) as shown to the user: relative to `cwd` with `/` separators when inside it, else absolute. */
export function shownPath(cwd: string, file: string): string {
  const abs = path.resolve(cwd, file);
  if (!isInside(cwd, abs)) {
    return abs;
  }
  const rel = path.relative(cwd, abs);
  return rel === "" ? "." : rel.split(path.sep).join("/");
}

/** The deepest common directory of absolute file paths (the directory of the file when there is one). */
export function commonDir(files: readonly string[]): string {
  if (files.length === 0) {
    throw new Error("commonDir: no files");
  }
  let dir = path.dirname(files[0]);
  for (const f of files.slice(1)) {
    while (!isInside(dir, f) && path.dirname(dir) !== dir) {
      dir = path.dirname(dir);
    }
  }
  return dir;
}

/** What errno codes of mkdir mean, in words. */
function reason(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EROFS":
      return "read-only file system";
    case "ENOENT":
      return "the file system does not allow a directory there (ENOENT)";
    case "ENOSPC":
      return "no space left on the device";
    case "ENAMETOOLONG":
      return "name too long";
    default:
      return e.code ?? e.message;
  }
}

/** stat without throwing: null when the path does not exist (or cannot be looked at). */
function statOrNull(p: string): Stats | null {
  try {
    return statSync(p);
  } catch {
    return null;
  }
}

/**
 * Creates directory `dir` (absolute) and its missing parents, like `mkdir -p`,
 * in bounded time: it walks up to the nearest existing ancestor, checks that it
 * is a directory, then creates each missing level with one non-recursive
 * mkdir. `shown` is the path as the user gave it, for the message.
 *
 * @returns the directories it created, outermost first (empty when `dir` existed),
 *   for removeCreated when what was to be written there is not written after all
 * @throws UsageError (the CLI exits 2) with one line: `cannot create directory
 *   <shown>: <reason>` when an ancestor is a file, or mkdir fails (permission,
 *   read-only or pseudo file system such as /proc, ...).
 */
export function makeDir(dir: string, shown: string): string[] {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let p = target;
  for (;;) {
    const st = statOrNull(p);
    if (st !== null) {
      if (!st.isDirectory()) {
        const what = p === target ? "it exists and is not a directory" : `${p} is not a directory`;
        throw new UsageError(`cannot create directory ${shown}: ${what}`);
      }
      break;
    }
    missing.push(p);
    const up = path.dirname(p);
    if (up === p) {
      break;
    }
    p = up;
  }
  const created: string[] = [];
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
      created.push(m);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === "EEXIST" && statOrNull(m)?.isDirectory() === true) {
        continue; // made by someone else meanwhile
      }
      removeCreated(created);
      throw new UsageError(`cannot create directory ${shown}: ${reason(err)}${m !== target ? ` (at ${m})` : ""}`);
    }
  }
  return created;
}

/** Removes directories makeDir created (innermost first), as long as they are still empty; never throws. */
export function removeCreated(created: readonly string[]): void {
  for (const d of [...created].reverse()) {
    try {
      rmdirSync(d);
    } catch {
      return;
    }
  }
}
