#!/usr/bin/env node
/**
 * Writes (or, with --check, compares) the vector outputs of out/ on their
 * own: `node dist/generator/vectors/write.js [--check] [--out DIR]`, run from
 * the project root. `spgen generate` is meant to render the same files
 * (renderVectorFiles); this entry point exists so the vectors can be
 * regenerated without the templates.
 */

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checkOutput } from "../out-dir.js";
import { renderVectorFiles } from "./render.js";

async function main(argv: readonly string[]): Promise<number> {
  const cwd = process.cwd();
  const outIdx = argv.indexOf("--out");
  const outDir = path.resolve(cwd, outIdx >= 0 ? (argv[outIdx + 1] ?? "out") : "out");
  const files = renderVectorFiles({ cwd });
  if (argv.includes("--check")) {
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
    mkdirSync(path.dirname(target), { recursive: true });
    const tmp = `${target}.spgen-tmp-${process.pid}`;
    writeFileSync(tmp, f.content);
    renameSync(tmp, target);
    written++;
  }
  process.stderr.write(`vectors: ${written} written, ${files.length - written} unchanged\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
