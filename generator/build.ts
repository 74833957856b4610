/**
 * `spgen build`: compiles every out/scripting/*.sp with spcomp (also `npm run
 * build-plugin`, the one build route). Before it runs, the include directories
 * must hold sourcemod.inc and socket.inc (SM_INCLUDE, --include). The compiler
 * runs in out/, so the file names in its diagnostics are relative to out/;
 * its output is passed through and its exit code becomes ours.
 */

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { UsageError } from "./diagnostics.js";
import { isExecutable, onPath } from "./find-tool.js";
import { makeDir, shownPath } from "./paths.js";
import { smIncludeVersion } from "./toolchain/sourcepawn.js";

export interface BuildOptions {
  readonly outDir: string;
  /** Extra include directories (`-i`), after those of SM_INCLUDE. */
  readonly includeDirs: readonly string[];
  /** Pass `-E` (warnings are errors). */
  readonly warningsAsErrors: boolean;
  readonly env: NodeJS.ProcessEnv;
}

export interface BuildResult {
  readonly exitCode: number;
  /** The compiler's output (stdout then stderr of each run). */
  readonly output: string;
}

/**
 * spcomp from the SPCOMP environment variable (a path, or a program name looked up on PATH such as
 * `spcomp-1.12`), else the first `spcomp` on PATH; null when there is none.
 */
export function findSpcomp(env: NodeJS.ProcessEnv): string | null {
  const explicit = env.SPCOMP;
  if (explicit !== undefined && explicit !== "") {
    if (!explicit.includes("/") && !explicit.includes(path.sep)) {
      return onPath(explicit, env);
    }
    return isExecutable(explicit) ? path.resolve(explicit) : null;
  }
  return onPath(process.platform === "win32" ? "spcomp.exe" : "spcomp", env);
}

/** Include directories: SM_INCLUDE (path-list) first, then the `-i` ones, all absolute. */
export function includeDirs(env: NodeJS.ProcessEnv, extra: readonly string[], cwd: string): string[] {
  const fromEnv = (env.SM_INCLUDE ?? "").split(path.delimiter).filter((d) => d !== "");
  return [...fromEnv, ...extra].map((d) => path.resolve(cwd, d));
}

/**
 * The includes every generated plugin needs, and where they come from: SourceMod's own (sourcemod.inc) and the
 * socket extension's (socket.inc).
 */
export const REQUIRED_INCLUDES = [
  { file: "sourcemod.inc", what: "SourceMod's scripting/include" },
  { file: "socket.inc", what: "the socket extension's include directory" },
] as const;

/**
 * Checks, before spcomp runs, that the include directories hold sourcemod.inc and socket.inc (else spcomp says only
 * `cannot read from file: "sourcemod"`).
 *
 * @throws UsageError (exit 2) naming the missing file, the directories searched and SM_INCLUDE / --include.
 */
function checkIncludes(dirs: readonly string[], env: NodeJS.ProcessEnv, extra: readonly string[]): void {
  for (const inc of REQUIRED_INCLUDES) {
    if (dirs.some((d) => existsSync(path.join(d, inc.file)))) {
      continue;
    }
    const sm =
      env.SM_INCLUDE === undefined || env.SM_INCLUDE === "" ? "SM_INCLUDE is not set" : `SM_INCLUDE=${env.SM_INCLUDE}`;
    const given = extra.length === 0 ? "no --include" : `--include ${extra.join(" ")}`;
    throw new UsageError(
      `${inc.file} not found in the include directories (${sm}; ${given}): set SM_INCLUDE to ${inc.what} ` +
        `(a ${path.delimiter}-separated list) or pass --include <dir>`,
    );
  }
}

/**
 * Checks that SourceMod's includes are of the compiler's version (SourceMod 1.13's includes do not compile
 * with spcomp 1.12: spcomp's own message is an error inside sourcemod.inc). Folders that declare no version
 * pass.
 *
 * @throws UsageError (exit 2) naming both versions and the folder.
 */
function checkIncludeVersion(spcomp: string, dirs: readonly string[], cwd: string): void {
  const dir = dirs.find((d) => existsSync(path.join(d, "sourcemod.inc")));
  const declared = dir === undefined ? null : smIncludeVersion(dir);
  if (dir === undefined || declared === null) {
    return;
  }
  const r = spawnSync(spcomp, [], { encoding: "utf8" });
  const version = /SourcePawn Compiler (\d+\.\d+)/.exec(`${r.stdout ?? ""}${r.stderr ?? ""}`)?.[1];
  if (version !== undefined && version !== declared) {
    throw new UsageError(
      `spcomp ${version} (${spcomp}) with SourceMod ${declared}'s includes (${shownPath(cwd, dir)}): ` +
        `use the includes of the compiler's version, or the compiler of the includes' (SPCOMP)`,
    );
  }
}

/** Compiles the plugins of outDir into outDir/plugins/*.smx. */
export function buildPlugins(options: BuildOptions, cwd: string): BuildResult {
  const spcomp = findSpcomp(options.env);
  if (spcomp === null) {
    const why =
      options.env.SPCOMP !== undefined && options.env.SPCOMP !== ""
        ? `SPCOMP=${options.env.SPCOMP} is not an executable file or a program on PATH`
        : "no spcomp on PATH and SPCOMP is not set";
    throw new UsageError(`spcomp not found (${why}): install the SourcePawn compiler or point SPCOMP at it`);
  }
  const scripting = path.join(options.outDir, "scripting");
  if (!existsSync(scripting)) {
    throw new UsageError(`no ${shownPath(cwd, scripting)} directory: run \`spgen generate\` first`);
  }
  const plugins = readdirSync(scripting)
    .filter((f) => f.endsWith(".sp"))
    .sort();
  if (plugins.length === 0) {
    throw new UsageError(`no *.sp files in ${shownPath(cwd, scripting)}`);
  }
  const dirs = includeDirs(options.env, options.includeDirs, cwd);
  checkIncludes([path.join(scripting, "include"), ...dirs], options.env, options.includeDirs);
  checkIncludeVersion(spcomp, dirs, cwd);
  makeDir(path.join(options.outDir, "plugins"), shownPath(cwd, path.join(options.outDir, "plugins")));
  const incs = ["scripting/include", ...dirs];
  let exitCode = 0;
  let output = "";
  for (const sp of plugins) {
    const args = [`scripting/${sp}`, ...incs.map((d) => `-i${d}`), `-oplugins/${sp.replace(/\.sp$/, ".smx")}`];
    if (options.warningsAsErrors) {
      args.push("-E");
    }
    const r = spawnSync(spcomp, args, { cwd: options.outDir, encoding: "utf8", env: options.env });
    if (r.error !== undefined) {
      throw new UsageError(`could not run ${spcomp}: ${r.error.message}`);
    }
    output += (r.stdout ?? "") + (r.stderr ?? "");
    const code = r.status ?? 1;
    if (code !== 0 && exitCode === 0) {
      exitCode = code;
    }
  }
  return { exitCode, output };
}
