/**
 * The SourcePawn toolchain on this machine, when there is one: every spcomp,
 * the spshell that can run what each one compiles, and the include folders
 * that match each compiler version (SourceMod's, spshell's, the two socket
 * extensions' `socket.inc`). Nothing here is needed to generate out/; the
 * tests, the benchmarks and `npm run toolchain` use it, and it is the only
 * place that knows where the toolchain lives.
 *
 * Lookup order (the first hit wins; an empty variable counts as unset):
 *
 * | what                      | variables                          | fixed places                                  |
 * | ------------------------- | ---------------------------------- | --------------------------------------------- |
 * | spcomp of version V       | `SPCOMP_1_12`, `SPCOMP_1_13`, `SPCOMP` | `spcomp-1.12`, `spcomp-1.13`, `spcomp` on PATH |
 * | spshell of version V      | `SPSHELL_1_12`, `SPSHELL_1_13`, `SPSHELL` | `spshell-1.12`, `spshell-1.13`, `spshell` on PATH |
 * | SourceMod includes for V  | `SM_INCLUDE_1_12`, `SM_INCLUDE_1_13`, then `SM_INCLUDE` | `<share>/V/include`, `<share>/include` |
 * | spshell includes for V    | `SPSHELL_INCLUDE_1_12`, `SPSHELL_INCLUDE_1_13` | `<share>/V/shell`                    |
 * | socket.inc (JoinedSenses) | `SOCKET_INCLUDE_PLAIN`             | `<share>/socket-plain`                        |
 * | socket.inc (oldmagic TLS) | `SOCKET_INCLUDE_TLS`               | `<share>/socket-tls`                          |
 *
 * `<share>` is `SM_SHARE`, else /usr/local/share/sourcemod. A binary's version
 * is read from its banner, not from its name. A SourceMod include folder is
 * used for a compiler only when the version its `version_auto.inc` /
 * `version.inc` declares is the compiler's (SourceMod's 1.13 includes do not
 * compile with spcomp 1.12), or when it declares none.
 */

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { isExecutable, onPath } from "../find-tool.js";

/** The folder of the fixed include places when SM_SHARE is not set. */
export const DEFAULT_SM_SHARE = "/usr/local/share/sourcemod";

/** The compiler versions the project tests with, oldest first. */
export const SOURCEPAWN_VERSIONS = ["1.12", "1.13"] as const;

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
  /** Why smInclude is null (what was looked at), or null when it was found. */
  readonly smIncludeWhy: string | null;
  /** spshell's include directory (shell.inc) of the same version, or null. */
  readonly shellInclude: string | null;
  /** Include folders looked at first but passed over because they declare another SourceMod version. */
  readonly smIncludePassedOver: readonly string[];
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

/** The socket extensions whose `socket.inc` the plugin is compiled against. */
export type SocketFlavour = "plain" | "tls";

/** Where one flavour's socket.inc is, or why it is not. */
export interface SocketInclude {
  readonly flavour: SocketFlavour;
  /** Shown in test names. */
  readonly name: string;
  /** The folder holding socket.inc, or null. */
  readonly dir: string | null;
  /** What was looked at, when dir is null. */
  readonly why: string | null;
}

function set(env: NodeJS.ProcessEnv, name: string): string | null {
  const v = env[name];
  return v === undefined || v === "" ? null : v;
}

/** `SPCOMP_1_12` for ("SPCOMP", "1.12"). */
export function versionVariable(base: string, version: string): string {
  return `${base}_${version.replace(/\./g, "_")}`;
}

/** The root of the fixed include places: SM_SHARE, else /usr/local/share/sourcemod. */
export function smShare(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(set(env, "SM_SHARE") ?? DEFAULT_SM_SHARE);
}

function versionOf(text: string, pattern: RegExp): string | null {
  const m = pattern.exec(text);
  return m === null ? null : m[1];
}

/**
 * The SourceMod version an include folder declares ("1.13"), from the
 * SOURCEMOD_V_MAJOR / SOURCEMOD_V_MINOR defines of version_auto.inc or
 * version.inc; null when it declares none.
 */
export function smIncludeVersion(dir: string): string | null {
  for (const f of ["version_auto.inc", "version.inc"]) {
    const p = path.join(dir, f);
    if (!existsSync(p)) {
      continue;
    }
    const text = readFileSync(p, "utf8");
    const major = /#define\s+SOURCEMOD_V_MAJOR\s+(\d+)/.exec(text)?.[1];
    const minor = /#define\s+SOURCEMOD_V_MINOR\s+(\d+)/.exec(text)?.[1];
    if (major !== undefined && minor !== undefined) {
      return `${major}.${minor}`;
    }
  }
  return null;
}

/**
 * The SourceMod include directory for a compiler version, with why none was
 * found: SM_INCLUDE_<V>, `<share>/<V>/include`, SM_INCLUDE (its first entry),
 * `<share>/include`; a folder that declares another SourceMod version is
 * passed over.
 */
export function findSmInclude(
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): { dir: string | null; why: string | null; passedOver: string[] } {
  const share = smShare(env);
  const perVersion = versionVariable("SM_INCLUDE", version);
  const candidates: [string, string | null][] = [
    [perVersion, set(env, perVersion)],
    [`${share}/${version}/include`, `${share}/${version}/include`],
    ["SM_INCLUDE", set(env, "SM_INCLUDE")?.split(path.delimiter)[0] ?? null],
    [`${share}/include`, `${share}/include`],
  ];
  const looked: string[] = [];
  for (const [label, dir] of candidates) {
    if (dir === null) {
      continue;
    }
    const where = label === dir ? dir : `${label}=${dir}`;
    if (!existsSync(path.join(dir, "sourcemod.inc"))) {
      looked.push(`${where} (no sourcemod.inc)`);
      continue;
    }
    const declared = smIncludeVersion(dir);
    if (declared !== null && declared !== version) {
      looked.push(`${where} (SourceMod ${declared})`);
      continue;
    }
    return { dir: path.resolve(dir), why: null, passedOver: looked.filter((l) => l.includes("(SourceMod ")) };
  }
  return {
    dir: null,
    why: `no SourceMod ${version} includes: looked at ${looked.join(", ")}; set ${perVersion}`,
    passedOver: [],
  };
}

/** spshell's include directory (with shell.inc) for a version: SPSHELL_INCLUDE_<V>, else `<share>/<V>/shell`. */
export function shellIncludeFor(version: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = set(env, versionVariable("SPSHELL_INCLUDE", version)) ?? `${smShare(env)}/${version}/shell`;
  return existsSync(path.join(dir, "shell.inc")) ? path.resolve(dir) : null;
}

/** Both socket.inc flavours: SOCKET_INCLUDE_PLAIN / SOCKET_INCLUDE_TLS, else `<share>/socket-plain` / `<share>/socket-tls`. */
export function findSocketIncludes(env: NodeJS.ProcessEnv = process.env): SocketInclude[] {
  const flavours: [SocketFlavour, string, string, string][] = [
    ["plain", "socket.inc plain (JoinedSenses)", "SOCKET_INCLUDE_PLAIN", "socket-plain"],
    ["tls", "socket.inc TLS (oldmagic)", "SOCKET_INCLUDE_TLS", "socket-tls"],
  ];
  return flavours.map(([flavour, name, variable, folder]) => {
    const fromEnv = set(env, variable);
    const dir = fromEnv ?? `${smShare(env)}/${folder}`;
    const found = existsSync(path.join(dir, "socket.inc"));
    const where = fromEnv === null ? `${dir} (set ${variable} to use another)` : `${variable}=${dir}`;
    return {
      flavour,
      name,
      dir: found ? path.resolve(dir) : null,
      why: found ? null : `no socket.inc in ${where}`,
    };
  });
}

/**
 * The toolchain variables that are set but name no executable file (they are
 * ignored, and the lookup goes on with PATH): `NAME=value` for each.
 */
export function ignoredToolVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  const names = ["SPCOMP", "SPSHELL"].flatMap((b) => [...SOURCEPAWN_VERSIONS.map((v) => versionVariable(b, v)), b]);
  return names.filter((n) => set(env, n) !== null && !isExecutable(set(env, n) as string)).map((n) => `${n}=${env[n]}`);
}

/** Candidate binaries, per-version variables first, deduplicated by real path. */
function candidates(base: "SPCOMP" | "SPSHELL", program: string, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const v of SOURCEPAWN_VERSIONS) {
    const p = set(env, versionVariable(base, v));
    if (p !== null && isExecutable(p)) {
      out.push(path.resolve(p));
    }
  }
  const any = set(env, base);
  if (any !== null && isExecutable(any)) {
    out.push(path.resolve(any));
  }
  for (const name of [...SOURCEPAWN_VERSIONS.map((v) => `${program}-${v}`), program]) {
    const p = onPath(name, env);
    if (p !== null) {
      out.push(p);
    }
  }
  const seen = new Set<string>();
  return out.filter((p) => {
    const real = realpathSync(p);
    if (seen.has(real)) {
      return false;
    }
    seen.add(real);
    return true;
  });
}

/**
 * Every distinct spcomp found, oldest version first; two binaries of the same
 * version count once (the first in lookup order).
 */
export function findCompilers(env: NodeJS.ProcessEnv = process.env): Compiler[] {
  const out: Compiler[] = [];
  for (const p of candidates("SPCOMP", "spcomp", env)) {
    const r = spawnSync(p, [], { encoding: "utf8" });
    const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    const banner = /SourcePawn Compiler [^\n]*/.exec(text)?.[0]?.trim() ?? "";
    const version = versionOf(text, /SourcePawn Compiler (\d+\.\d+)/);
    if (version === null || out.some((c) => c.version === version)) {
      continue;
    }
    const inc = findSmInclude(version, env);
    out.push({
      path: p,
      version,
      banner,
      smInclude: inc.dir,
      smIncludeWhy: inc.why,
      smIncludePassedOver: inc.passedOver,
      shellInclude: shellIncludeFor(version, env),
    });
  }
  return out.sort((a, b) => compareVersions(a.version, b.version));
}

/** Every distinct spshell found, oldest version first, one per version. */
export function findShells(env: NodeJS.ProcessEnv = process.env): Shell[] {
  const out: Shell[] = [];
  for (const p of candidates("SPSHELL", "spshell", env)) {
    const r = spawnSync(p, ["--version"], { encoding: "utf8" });
    const text = `${r.stdout ?? ""}${r.stderr ?? ""}`;
    const version = versionOf(text, /SourcePawn version: (\d+\.\d+)/);
    if (version === null || out.some((s) => s.version === version)) {
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
