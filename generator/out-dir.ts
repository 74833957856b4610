/**
 * out/ on disk: atomic writes of a generation, and the stale check of
 * `generate --check`.
 *
 * A full generation carries a manifest (out/.spgen-manifest) listing the
 * files it writes. The files the previous manifest lists that a generation no
 * longer produces are removed by `generate` and reported as extra by
 * `--check`. Every other file in out/ (compiled plugins, outputs of other
 * tools) is left alone.
 */

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeDir } from "./paths.js";
import type { OutputFile } from "./render.js";

/** Path of the manifest under out/. */
export const MANIFEST_PATH = ".spgen-manifest";

/** The manifest of a set of output files (paths sorted; the manifest itself is not listed). */
export function manifestFile(files: readonly OutputFile[]): OutputFile {
  const paths = files
    .map((f) => f.path)
    .filter((p) => p !== MANIFEST_PATH)
    .sort();
  return {
    path: MANIFEST_PATH,
    content: `# Files written by \`spgen generate\`; it removes those it stops generating. DO NOT EDIT.\n${paths.join("\n")}\n`,
  };
}

/**
 * The files of out/ that the generator owns and that exist: those listed in the manifest on disk, when `files` is a
 * full generation (it carries a manifest). Relative to out/ with `/` separators, sorted.
 */
export function managedFiles(outDir: string, files: readonly OutputFile[]): string[] {
  if (!files.some((f) => f.path === MANIFEST_PATH)) {
    return [];
  }
  let text: string;
  try {
    text = readFileSync(path.join(outDir, MANIFEST_PATH), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#") && !l.split("/").includes(".."))
    .filter((p) => existsSync(path.join(outDir, p)))
    .sort();
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
 * Directories are made with makeDir (paths.ts): one that cannot be made is a
 * UsageError naming it, raised at once.
 */
export function writeOutput(outDir: string, files: readonly OutputFile[]): WriteReport {
  const changed = files.filter((f) => readIfExists(path.join(outDir, f.path)) !== f.content);
  const generated = new Set(files.map((f) => f.path));
  const stale = managedFiles(outDir, files).filter((p) => !generated.has(p));
  const temps: { tmp: string; target: string }[] = [];
  try {
    for (const f of changed) {
      const target = path.join(outDir, f.path);
      makeDir(path.dirname(target), path.dirname(target));
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
