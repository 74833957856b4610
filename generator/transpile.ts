/**
 * The transpiler as a library: TypeScript files in the subset → the
 * SourcePawn declarations of one include. Used by `spgen generate` (all spec
 * modules) and `spgen transpile` (any module; the modules it imports are
 * read for their declarations only).
 */

import path from "node:path";
import { DiagnosticsError, type Diagnostic, hasErrors } from "./diagnostics.js";
import { readSpec, type SpecInput } from "./frontend/read-spec.js";
import { lowerSpec } from "./lower.js";
import { commonDir, shownPath } from "./paths.js";
import type { SpecModel } from "./model.js";
import { optimizeSpec } from "./optimize/index.js";
import { includeGuard } from "./sourcepawn/names.js";
import type { SpDecl } from "./sourcepawn/ast.js";
import { printDecls } from "./sourcepawn/printer.js";
import { loadSpecProject } from "./spec-project.js";
import { ts } from "./typescript.js";

export interface TranspileOptions {
  /** Directory that paths in diagnostics are relative to (paths outside it are shown absolute). */
  readonly cwd: string;
  /**
   * The spec root: module names in headers and banners are relative to it. A directory (absolute), or `"modules"`:
   * the deepest directory holding every module read (given and imported). Default `cwd` (`spgen generate` runs from
   * the project root, so its modules read `spec/core/x.ts`); transpileToInclude defaults to `"modules"`.
   */
  readonly root?: string;
  /**
   * Values that replace constants when printed (generation options). A name the spec does not define is ignored
   * here: generateFiles refuses it as a bad option (exit 2) once the model is read.
   */
  readonly overrides?: ReadonlyMap<string, number>;
  /** Also load the files the inputs import (for their declarations), without emitting them. */
  readonly resolveImports?: boolean;
  /** With resolveImports: emit the imported modules too (after the given ones), for a self-contained include. */
  readonly emitImports?: boolean;
}

export interface TranspileResult {
  readonly model: SpecModel;
  readonly decls: readonly SpDecl[];
  /** Warnings (errors are thrown as DiagnosticsError). */
  readonly diagnostics: readonly Diagnostic[];
}

/** A path as diagnostics show it: relative to `cwd` with `/` separators when inside it, else absolute (paths.ts). */
export const displayPath = shownPath;

/** TypeScript's own syntax errors in the inputs: the subset checks only make sense on a well-formed tree. */
function syntaxErrors(program: ts.Program, inputs: readonly SpecInput[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const input of inputs) {
    for (const d of program.getSyntacticDiagnostics(input.sourceFile)) {
      const lc = input.sourceFile.getLineAndCharacterOfPosition(d.start ?? 0);
      out.push({
        file: input.path,
        line: lc.line + 1,
        column: lc.character + 1,
        severity: "error",
        message: `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, " ")}`,
      });
    }
  }
  return out;
}

/** Reads and lowers `files` (absolute paths, in output order). Throws DiagnosticsError when any error is found. */
export function transpileFiles(files: readonly string[], options: TranspileOptions): TranspileResult {
  const { program, sources } = loadSpecProject(files, options.resolveImports === true);
  // Output order does not depend on module order for declarations (lowering sorts them by kind and dependency).
  const emitCount = options.emitImports === true ? sources.length : files.length;
  const root = options.root === "modules" ? commonDir(sources.map((s) => s.path)) : (options.root ?? options.cwd);
  const inputs: SpecInput[] = sources.map((s, i) => ({
    sourceFile: s.sourceFile,
    path: displayPath(options.cwd, s.path),
    name: displayPath(root, s.path),
    emit: i < emitCount,
  }));
  const syntax = syntaxErrors(program, inputs);
  if (syntax.length > 0) {
    throw new DiagnosticsError(syntax);
  }
  const read = readSpec(program.getTypeChecker(), inputs);
  if (hasErrors(read.diagnostics)) {
    throw new DiagnosticsError(read.diagnostics);
  }
  const optimized = optimizeSpec(read.model);
  if (hasErrors(optimized.diagnostics)) {
    throw new DiagnosticsError([...read.diagnostics, ...optimized.diagnostics]);
  }
  const lowered = lowerSpec(optimized.model, { overrides: options.overrides ?? new Map() });
  const diagnostics = [...read.diagnostics, ...optimized.diagnostics, ...lowered.diagnostics];
  if (hasErrors(diagnostics)) {
    throw new DiagnosticsError(diagnostics);
  }
  return { model: read.model, decls: lowered.decls, diagnostics };
}

/** A standalone include for `spgen transpile`: header, include guard and the declarations. */
export function transpileToInclude(
  files: readonly string[],
  outName: string,
  options: TranspileOptions,
): { text: string; diagnostics: readonly Diagnostic[] } {
  // The spec root of a standalone include: the common directory of the given modules and those they import, so
  // the header does not depend on the working directory or on --with-imports.
  const r = transpileFiles(files, { root: "modules", ...options, resolveImports: true });
  const guard = includeGuard(path.basename(outName));
  const sources = r.model.modules.map((m) => m.name).join(", ");
  const head: SpDecl[] = [
    { kind: "comment", lines: [`Generated by spgen from ${sources}. DO NOT EDIT.`] },
    { kind: "directive", text: `#if defined ${guard}` },
    { kind: "directive", text: " #endinput" },
    { kind: "directive", text: "#endif" },
    { kind: "directive", text: `#define ${guard}` },
  ];
  return { text: printDecls([...head, ...r.decls]), diagnostics: r.diagnostics };
}
