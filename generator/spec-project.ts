/**
 * Loads spec modules into a TypeScript program that is fast to build:
 * - no standard lib (`noLib`) but the minimal lib of generator/minimal-lib.ts;
 * - a compiler host over an in-memory map holding exactly the files we read
 *   ourselves, so that the compiler does no directory crawling or existence
 *   checks on disk;
 * - no tsconfig.
 * Type information stays complete: the checker binds every file and resolves
 * every module-level name, import and enum member the frontend asks about.
 */

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { MINIMAL_LIB, MINIMAL_LIB_PATH } from "./minimal-lib.js";
import { ts } from "./typescript.js";

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

/** One loaded spec file: its absolute path and its syntax tree in the program. */
export interface SpecSource {
  readonly path: string;
  readonly sourceFile: ts.SourceFile;
}

const OPTIONS: ts.CompilerOptions = {
  noLib: true,
  strict: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  types: [],
  noEmit: true,
  skipLibCheck: true,
};

/**
 * A program holding the given files (absolute paths). With `resolveImports`,
 * the files they import (relative imports, transitively) are added too; they
 * come after the given files in `sources`.
 */
export function loadSpecProject(
  files: readonly string[],
  resolveImports: boolean,
): { program: ts.Program; sources: SpecSource[] } {
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
  const all = new Map([[MINIMAL_LIB_PATH, MINIMAL_LIB], ...texts]);
  const dirs = new Set<string>();
  for (const f of all.keys()) {
    for (let d = path.dirname(f); !dirs.has(d); d = path.dirname(d)) {
      dirs.add(d);
      if (path.dirname(d) === d) {
        break;
      }
    }
  }
  const host: ts.CompilerHost = {
    getSourceFile: (name, languageVersionOrOptions) => {
      const text = all.get(name);
      if (text === undefined) {
        return undefined;
      }
      const options =
        typeof languageVersionOrOptions === "object"
          ? languageVersionOrOptions
          : { languageVersion: languageVersionOrOptions };
      // JSDoc is not parsed into nodes: the frontend reads comments (docstrings, `@spgen` hints) as text, and in a .ts
      // file the checker gives JSDoc no meaning; the spec's many docstrings made up about a third of the parse time.
      // No parent pointers from the parser (a walk over every tree): the binder sets them when the checker is
      // made, which transpile.ts does before the frontend walks up from any node.
      return ts.createSourceFile(name, text, { ...options, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false);
    },
    fileExists: (name) => all.has(name),
    readFile: (name) => all.get(name),
    directoryExists: (name) => dirs.has(name),
    getDirectories: () => [],
    getDefaultLibFileName: () => MINIMAL_LIB_PATH,
    writeFile: () => undefined,
    getCurrentDirectory: () => "/",
    getCanonicalFileName: (name) => name,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => "\n",
  };
  const program = ts.createProgram({ rootNames: [...all.keys()], options: OPTIONS, host });
  const sources = [...texts.keys()].map((f): SpecSource => {
    const sourceFile = program.getSourceFile(f);
    if (sourceFile === undefined) {
      throw new Error(`${f}: not in the program`);
    }
    return { path: f, sourceFile };
  });
  return { program, sources };
}
