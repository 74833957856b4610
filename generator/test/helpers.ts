/**
 * Helpers shared by the generator tests: paths, fixture transpilation, the
 * built CLI and the SourcePawn toolchain when it is installed.
 */

import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DiagnosticsError, formatDiagnostic } from "../diagnostics.js";
import { printDecls } from "../sourcepawn/printer.js";
import { transpileFiles } from "../transpile.js";

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The fixtures directory. */
export const FIXTURES = path.join(ROOT, "generator/test/fixtures");

/** Transpiles fixture files (paths relative to fixtures/) into the include body; diagnostics are relative to ROOT. */
export function transpileFixture(...files: string[]): string {
  const r = transpileFiles(
    files.map((f) => path.join(FIXTURES, f)),
    { cwd: ROOT, resolveImports: true },
  );
  return printDecls(r.decls);
}

/** The formatted diagnostics of transpiling fixture files ([] when it succeeds without warnings). */
export function fixtureDiagnostics(...files: string[]): string[] {
  try {
    const r = transpileFiles(
      files.map((f) => path.join(FIXTURES, f)),
      { cwd: ROOT, resolveImports: true },
    );
    return r.diagnostics.map(formatDiagnostic);
  } catch (e) {
    if (e instanceof DiagnosticsError) {
      return e.diagnostics.map(formatDiagnostic);
    }
    throw e;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "test") {
        newest = Math.max(newest, newestMtime(p));
      }
    } else if (e.name.endsWith(".ts")) {
      newest = Math.max(newest, statSync(p).mtimeMs);
    }
  }
  return newest;
}

/**
 * Builds the project (tsc into dist/) when dist/generator/cli.js is missing or older than generator/.
 * Called once per test run, before any worker starts (the globalSetup in toolchain-report.ts): a
 * rebuild from inside the workers could rewrite dist/ while another worker runs the CLI from it.
 */
export function buildCliIfStale(): void {
  const cli = path.join(ROOT, "dist/generator/cli.js");
  if (!existsSync(cli) || statSync(cli).mtimeMs < newestMtime(path.join(ROOT, "generator"))) {
    // tsc emits even when files outside the generator have type errors; builtCli checks the result.
    spawnSync(
      process.execPath,
      [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", path.join(ROOT, "tsconfig.json")],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
  }
  // As `npm run build` does (tsc alone leaves it 644): the package's bin must be executable for `npx spgen`.
  if (existsSync(cli)) {
    chmodSync(cli, 0o755);
  }
}

/** The built CLI entry point (built by buildCliIfStale before the tests). */
export function builtCli(): string {
  const cli = path.join(ROOT, "dist/generator/cli.js");
  if (!existsSync(cli)) {
    throw new Error("dist/generator/cli.js is missing: run npm run build");
  }
  return cli;
}

/** Runs the built CLI in `cwd`; with `timeoutMs`, a run that takes longer is killed (and fails its exit-code check). */
export function runCli(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  timeoutMs?: number,
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [builtCli(), ...args], { cwd, encoding: "utf8", env, timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
