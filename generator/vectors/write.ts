/**
 * `spgen vectors [--check] [--out DIR]`: writes (or compares) the vector
 * outputs of out/ (the spshell program, the oracle's expected lines, the
 * self-test plugin). A command of its own rather than part of `spgen generate`
 * because running the oracle over every vector costs about 2 s, four times the
 * budget of a plain regeneration; `npm run generate` runs both.
 */

import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UsageError } from "../diagnostics.js";
import { checkOutput } from "../out-dir.js";
import { makeDir, removeCreated, shownPath } from "../paths.js";
import { renderVectorFiles } from "./render.js";

export interface VectorsCommandArgs {
  readonly cwd: string;
  /** The output directory, relative to cwd. */
  readonly out: string;
  readonly check: boolean;
}

/** Runs the command; returns the exit code (0 written or fresh, 1 stale with --check). */
export async function vectorsCommand(args: VectorsCommandArgs): Promise<number> {
  const cwd = args.cwd;
  const outDir = path.resolve(cwd, args.out);
  // Made before the 2 s of rendering, so that an output path that cannot be made fails at once.
  const created = args.check ? [] : makeDir(outDir, args.out);
  let files: ReturnType<typeof renderVectorFiles>;
  try {
    files = renderVectorFiles({ cwd });
  } catch (e) {
    removeCreated(created);
    throw e;
  }
  if (args.check) {
    // Only the vector files: compare them one by one (out/ also holds the plugin's files).
    const stale = (await checkOutput(outDir, files, "out")).filter((s) => s.status !== "extra");
    for (const s of stale) {
      process.stdout.write(s.diff.length > 20000 ? `${s.diff.slice(0, 20000)}\n… (diff truncated)\n` : s.diff);
    }
    process.stderr.write(
      stale.length === 0
        ? `vectors: up to date (${files.length} files)\n`
        : `vectors: stale: ${stale.map((s) => s.path).join(", ")}\n`,
    );
    return stale.length === 0 ? 0 : 1;
  }
  // Not out-dir's writeOutput: it removes the files of the directories it writes that it did not generate
  // (here: the plugin's own files in scripting/). Each file is replaced atomically on its own.
  let written = 0;
  for (const f of files) {
    const target = path.join(outDir, f.path);
    if (existsSync(target) && readFileSync(target, "utf8") === f.content) {
      continue;
    }
    makeDir(path.dirname(target), shownPath(cwd, path.dirname(target)));
    const tmp = `${target}.spgen-tmp-${process.pid}`;
    try {
      writeFileSync(tmp, f.content);
      renameSync(tmp, target);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw new UsageError(`cannot write ${shownPath(cwd, target)}: ${(e as Error).message}`);
    }
    written++;
  }
  process.stderr.write(`vectors: ${written} written, ${files.length - written} unchanged\n`);
  return 0;
}
