/**
 * out/ on disk: atomic writes of a generation, and the stale check of
 * `generate --check`.
 *
 * The generator owns the top-level directories it writes (today
 * `scripting/`): files there that it no longer generates are removed by
 * `generate` and reported by `--check`. Compiled plugins (`*.smx`) and
 * everything else in out/ are left alone.
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { OutputFile } from "./render.js";

/** Files under the directories the generator owns, relative to out/ with `/` separators, sorted. */
export function managedFiles(outDir: string, files: readonly OutputFile[]): string[] {
  const roots = [...new Set(files.map((f) => f.path.split("/")[0]))].sort();
  const found: string[] = [];
  const walk = (rel: string): void => {
    const abs = path.join(outDir, rel);
    if (!existsSync(abs)) {
      return;
    }
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const r = `${rel}/${e.name}`;
      if (e.isDirectory()) {
        walk(r);
      } else if (!e.name.endsWith(".smx") && !e.name.includes(".spgen-tmp-")) {
        found.push(r);
      }
    }
  };
  for (const root of roots) {
    if (files.some((f) => f.path === root)) {
      if (existsSync(path.join(outDir, root))) {
        found.push(root);
      }
      continue;
    }
    walk(root);
  }
  return found.sort();
}

export interface WriteReport {
  readonly written: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: number;
}

function readIfExists(p: string): string | null {
  try {
    return readFileSync(p, "utf8");
  } catch {
    return null;
  }
}

/**
 * Writes the generation into outDir atomically per file: every changed file
 * is first written next to its target as a temporary file, and only when
 * all of them are written are they renamed over the targets. A failure
 * before the renames removes the temporary files and leaves out/ untouched.
 * Unchanged files are not rewritten; stale files are removed last.
 */
export function writeOutput(outDir: string, files: readonly OutputFile[]): WriteReport {
  const changed = files.filter((f) => readIfExists(path.join(outDir, f.path)) !== f.content);
  const generated = new Set(files.map((f) => f.path));
  const stale = managedFiles(outDir, files).filter((p) => !generated.has(p));
  const temps: { tmp: string; target: string }[] = [];
  try {
    for (const f of changed) {
      const target = path.join(outDir, f.path);
      mkdirSync(path.dirname(target), { recursive: true });
      const tmp = `${target}.spgen-tmp-${process.pid}`;
      temps.push({ tmp, target });
      writeFileSync(tmp, f.content);
    }
  } catch (e) {
    for (const t of temps) {
      rmSync(t.tmp, { force: true });
    }
    throw e;
  }
  for (const t of temps) {
    renameSync(t.tmp, t.target);
  }
  for (const p of stale) {
    rmSync(path.join(outDir, p), { force: true });
  }
  return { written: changed.map((f) => f.path), removed: stale, unchanged: files.length - changed.length };
}

/** One file of out/ that differs from a fresh generation. */
export interface StaleFile {
  readonly path: string;
  readonly status: "stale" | "missing" | "extra";
  /** Unified diff from what is on disk to what generation gives. */
  readonly diff: string;
}

/** Compares a fresh generation with out/ and returns a unified diff per differing file (empty when fresh). */
export async function checkOutput(outDir: string, files: readonly OutputFile[], label: string): Promise<StaleFile[]> {
  const generated = new Set(files.map((f) => f.path));
  const result: { path: string; status: StaleFile["status"]; old: string; new: string }[] = [];
  for (const f of files) {
    const old = readIfExists(path.join(outDir, f.path));
    if (old !== f.content) {
      result.push({ path: f.path, status: old === null ? "missing" : "stale", old: old ?? "", new: f.content });
    }
  }
  for (const p of managedFiles(outDir, files)) {
    if (!generated.has(p)) {
      result.push({ path: p, status: "extra", old: readFileSync(path.join(outDir, p), "utf8"), new: "" });
    }
  }
  if (result.length === 0) {
    return [];
  }
  const { createTwoFilesPatch } = await import("diff");
  return result
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((r) => {
      const name = `${label}/${r.path}`;
      const patch = createTwoFilesPatch(
        r.status === "missing" ? "/dev/null" : `a/${name}`,
        r.status === "extra" ? "/dev/null" : `b/${name}`,
        r.old,
        r.new,
      );
      return { path: r.path, status: r.status, diff: patch.replace(/^=+\n/, "") };
    });
}
