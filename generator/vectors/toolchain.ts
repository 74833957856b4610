/**
 * The SourcePawn toolchain on this machine, when there is one: every spcomp
 * (SPCOMP, spcomp-1.12, spcomp-1.13, spcomp on PATH), the spshell that can
 * run what each one compiles, and the SourceMod includes that match it.
 * Used by the vectors test and by scripts/bench-core.ts; nothing here is
 * needed to generate out/.
 */

import { spawnSync } from "node:child_process";
import { existsSync, realpathSync } from "node:fs";
import path from "node:path";
import { isExecutable, onPath } from "../find-tool.js";

export { onPath };

/** One compiler and what goes with it. */
export interface Compiler {
  /** Absolute path of the binary. */
  readonly path: string;
  /** "1.12", "1.13", … as its banner prints it. */
  readonly version: string;
  /** The banner line (`SourcePawn Compiler 1.12`). */
  readonly banner: string;
  /** SourceMod include directory of the same version, or null. */
  readonly smInclude: string | null;
}

/** One VM, and the code versions it loads. */
export interface Shell {
  readonly path: string;
  readonly version: string;
  /** True when it has a JIT (then `-i` selects the interpreter). */
  readonly jit: boolean;
}

/** A way to run a compiled program: the shell, its arguments before the .smx, and a label. */
export interface RunMode {
  readonly shell: Shell;
  readonly args: readonly string[];
  readonly label: string;
}

function versionOf(text: string, pattern: RegExp): string | null {
  const m = pattern.exec(text);
  return m === null ? null : m[1];
}

/** The SourceMod include directory for a compiler version: SM_INCLUDE, else /usr/local/share/sourcemod/<version>/include. */
export function smIncludeFor(version: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env.SM_INCLUDE;
  if (fromEnv !== undefined && fromEnv !== "") {
    const first = fromEnv.split(path.delimiter)[0];
    return existsSync(path.join(first, "sourcemod.inc")) ? path.resolve(first) : null;
  }
  const dir = `/usr/local/share/sourcemod/${version}/include`;
  return existsSync(path.join(dir, "sourcemod.inc")) ? dir : null;
}

/** Every distinct spcomp found, each with its version (deduplicated by real path). */
export function findCompilers(env: NodeJS.ProcessEnv = process.env): Compiler[] {
  const candidates: string[] = [];
  if (env.SPCOMP !== undefined && env.SPCOMP !== "" && isExecutable(env.SPCOMP)) {
    candidates.push(path.resolve(env.SPCOMP));
  }
  for (const name of ["spcomp-1.12", "spcomp-1.13", "spcomp"]) {
    const p = onPath(name, env);
    if (p !== null) {
      candidates.push(p);
    }
  }
  const seen = new Set<string>();
  const out: Compiler[] = [];
  for (const p of candidates) {
    const real = realpathSync(p);
    if (seen.has(real)) {
      continue;
    }
    seen.add(real);
    const r = spawnSync(p, [], { encoding: "utf8" });
    const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    const banner = /SourcePawn Compiler [^\n]*/.exec(text)?.[0]?.trim() ?? "";
    const version = versionOf(text, /SourcePawn Compiler (\d+\.\d+)/);
    if (version === null) {
      continue;
    }
    out.push({ path: p, version, banner, smInclude: smIncludeFor(version, env) });
  }
  return out.sort((a, b) => compareVersions(a.version, b.version));
}

/** Every distinct spshell found (SPSHELL, spshell-1.12, spshell-1.13, spshell on PATH). */
export function findShells(env: NodeJS.ProcessEnv = process.env): Shell[] {
  const candidates: string[] = [];
  if (env.SPSHELL !== undefined && env.SPSHELL !== "" && isExecutable(env.SPSHELL)) {
    candidates.push(path.resolve(env.SPSHELL));
  }
  for (const name of ["spshell-1.12", "spshell-1.13", "spshell"]) {
    const p = onPath(name, env);
    if (p !== null) {
      candidates.push(p);
    }
  }
  const seen = new Set<string>();
  const out: Shell[] = [];
  for (const p of candidates) {
    const real = realpathSync(p);
    if (seen.has(real)) {
      continue;
    }
    seen.add(real);
    const r = spawnSync(p, ["--version"], { encoding: "utf8" });
    const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    const version = versionOf(text, /SourcePawn version: (\d+\.\d+)/);
    if (version === null) {
      continue;
    }
    out.push({ path: p, version, jit: /JIT\) compiler available/.test(text) });
  }
  return out.sort((a, b) => compareVersions(a.version, b.version));
}

/** Orders "1.12" before "1.13" before "1.20". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) {
      return d;
    }
  }
  return 0;
}

/**
 * The ways to run a program compiled by `compiler`: every shell of the same
 * or a newer version (a VM loads older code versions, not newer ones), with
 * its JIT and with `-i` when it has a JIT; `-w` (no watchdog) always.
 *
 * Measured here: the 1.13 VM runs code compiled by spcomp 1.12 (code version
 * 13) in its interpreter whatever the mode (a loop takes 4.3 s with and
 * without `-i`, 0.12 s when compiled by 1.13), so an older build gets one run
 * on a newer JIT shell, labelled as what it is.
 */
export function runModesFor(compiler: Compiler, shells: readonly Shell[]): RunMode[] {
  const modes: RunMode[] = [];
  for (const s of shells) {
    if (compareVersions(s.version, compiler.version) < 0) {
      continue;
    }
    if (s.jit && compareVersions(s.version, compiler.version) > 0) {
      modes.push({
        shell: s,
        args: ["-w"],
        label: `spshell ${s.version} (default mode; runs ${compiler.version} code in its interpreter)`,
      });
    } else if (s.jit) {
      modes.push({ shell: s, args: ["-w"], label: `spshell ${s.version} JIT` });
      modes.push({ shell: s, args: ["-w", "-i"], label: `spshell ${s.version} interpreter` });
    } else {
      modes.push({ shell: s, args: ["-w"], label: `spshell ${s.version} interpreter` });
    }
  }
  return modes;
}
