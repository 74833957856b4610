/**
 * Diagnostics: every problem the generator finds is collected (never thrown
 * one at a time) and printed as `file:line:col: severity: message`, the format
 * compilers and editors understand.
 */

/** How bad a diagnostic is: errors stop generation, warnings are printed and generation goes on. */
export type Severity = "error" | "warning";

/** One problem at one source position (1-based line and column). */
export interface Diagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: Severity;
  readonly message: string;
}

/** The message for a construct outside the SourcePawn subset. */
export function unsupportedMessage(construct: string, hint: string): string {
  return `${construct} is not supported in the SourcePawn subset (${hint})`;
}

/** `file:line:col: severity: message`. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}

/** Diagnostics in file, line, column order (stable for equal positions). */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        (a.d.file < b.d.file ? -1 : a.d.file > b.d.file ? 1 : 0) ||
        a.d.line - b.d.line ||
        a.d.column - b.d.column ||
        a.i - b.i,
    )
    .map((x) => x.d);
}

/** True when at least one diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Thrown by a pipeline step whose input has errors; carries every diagnostic found (errors and warnings). */
export class DiagnosticsError extends Error {
  readonly diagnostics: readonly Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const sorted = sortDiagnostics(diagnostics);
    super(sorted.map(formatDiagnostic).join("\n"));
    this.name = "DiagnosticsError";
    this.diagnostics = sorted;
  }
}

/** A bad command-line option or path: the CLI prints the message on one line and exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
