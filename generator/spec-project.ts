/**
 * Loads spec modules into a ts-morph project that is fast to build:
 * - no standard lib (`noLib`) but the minimal lib of generator/minimal-lib.ts;
 * - an in-memory file system holding exactly the files we read ourselves, so
 *   that ts-morph does no directory crawling or existence checks on disk;
 * - no tsconfig.
 * Type information stays complete: the checker binds every file and resolves
 * every module-level name, import and enum member the frontend asks about.
 */

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { MINIMAL_LIB, MINIMAL_LIB_PATH } from "./minimal-lib.js";
import { Project, type SourceFile, ts } from "./typescript.js";

/** The files `file` imports with relative specifiers (`./x.js` → `./x.ts`), as absolute paths of existing files. */
function relativeImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const ref of ts.preProcessFile(text, true, false).importedFiles) {
    if (!ref.fileName.startsWith(".")) {
      continue;
    }
    const base = path.resolve(path.dirname(file), ref.fileName);
    const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, path.join(base, "index.ts"), base];
    const hit = candidates.find((c) => c.endsWith(".ts") && existsSync(c));
    if (hit !== undefined) {
      out.push(hit);
    }
  }
  return out;
}

/**
 * A project holding the given files (absolute paths). With `resolveImports`,
 * the files they import (relative imports, transitively) are added too; they
 * come after the given files in `sources`.
 */
export function loadSpecProject(
  files: readonly string[],
  resolveImports: boolean,
): { project: Project; sources: SourceFile[] } {
  const project = new Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      noLib: true,
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
      noEmit: true,
      skipLibCheck: true,
    },
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
  });
  project.createSourceFile(MINIMAL_LIB_PATH, MINIMAL_LIB);
  const texts = new Map<string, string>();
  const queue = [...files];
  while (queue.length > 0) {
    const f = queue.shift() as string;
    if (texts.has(f)) {
      continue;
    }
    const text = readFileSync(f, "utf8");
    texts.set(f, text);
    if (resolveImports) {
      queue.push(...relativeImports(f, text));
    }
  }
  const sources = [...texts].map(([f, text]) => project.createSourceFile(f, text, { overwrite: true }));
  return { project, sources };
}
