/**
 * Loads spec modules into a ts-morph project that is fast to build: no
 * standard lib (`noLib`) but the minimal lib of generator/minimal-lib.ts, no
 * file-system crawl, no tsconfig. Type information stays complete: the
 * checker resolves every name, import and enum member the frontend asks about.
 */

import { readFileSync } from "node:fs";
import { Project, type SourceFile, ts } from "./typescript.js";
import { MINIMAL_LIB, MINIMAL_LIB_PATH } from "./minimal-lib.js";

/** A project holding the given files; with `resolveImports`, files they import are added too (for types only). */
export function loadSpecProject(
  files: readonly string[],
  resolveImports: boolean,
): { project: Project; sources: SourceFile[] } {
  const project = new Project({
    compilerOptions: {
      noLib: true,
      strict: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      types: [],
      noEmit: true,
      skipLibCheck: true,
      allowImportingTsExtensions: false,
    },
    skipAddingFilesFromTsConfig: true,
    skipFileDependencyResolution: true,
    skipLoadingLibFiles: true,
  });
  project.createSourceFile(MINIMAL_LIB_PATH, MINIMAL_LIB);
  const sources = files.map((f) => project.createSourceFile(f, readFileSync(f, "utf8"), { overwrite: true }));
  if (resolveImports) {
    project.resolveSourceFileDependencies();
  }
  return { project, sources };
}
