/**
 * The whole toolchain the tests and benchmarks can use, found in one place:
 * the SourcePawn compilers and VMs with their include folders
 * (./sourcepawn.ts) and the real SourceMod environment of the end-to-end group
 * (./sourcemod-env.ts). `toolchainReport` turns it into the lines printed by
 * `npm run toolchain` and at the start of `npm test`, so a skipped group can
 * always be traced to the variable or path that would enable it.
 */

import { findSourceModEnv, type EnvLookup } from "./sourcemod-env.js";
import {
  findCompilers,
  findShells,
  findSocketIncludes,
  ignoredToolVariables,
  SOURCEPAWN_VERSIONS,
  versionVariable,
  smShare,
  type Compiler,
  type Shell,
  type SocketInclude,
} from "./sourcepawn.js";

export * from "./sourcepawn.js";
export * from "./sourcemod-env.js";

/** Everything found, and what was not. */
export interface Toolchain {
  readonly share: string;
  readonly compilers: readonly Compiler[];
  readonly shells: readonly Shell[];
  readonly sockets: readonly SocketInclude[];
  readonly sourcemod: EnvLookup;
  /** Toolchain variables set to something that is not an executable file. */
  readonly ignored: readonly string[];
}

export function findToolchain(env: NodeJS.ProcessEnv = process.env): Toolchain {
  return {
    share: smShare(env),
    compilers: findCompilers(env),
    shells: findShells(env),
    sockets: findSocketIncludes(env),
    sourcemod: findSourceModEnv(env),
    ignored: ignoredToolVariables(env),
  };
}

/** One line per piece: what was found where, or what is missing and which variable would point at it. */
export function toolchainReport(t: Toolchain): string[] {
  const lines: string[] = [];
  for (const v of SOURCEPAWN_VERSIONS) {
    const c = t.compilers.find((x) => x.version === v);
    const s = t.shells.find((x) => x.version === v);
    lines.push(
      c === undefined
        ? `spcomp ${v}: not found (${versionVariable("SPCOMP", v)}, SPCOMP, spcomp-${v} or spcomp on PATH)`
        : `spcomp ${v}: ${c.path}`,
    );
    if (c !== undefined) {
      const passed = c.smIncludePassedOver.length === 0 ? "" : ` (passed over: ${c.smIncludePassedOver.join(", ")})`;
      lines.push(
        `  SourceMod ${v} includes: ${c.smInclude ?? (c.smIncludeWhy ?? "").replace(/^no SourceMod [\d.]+ includes: /, "not found: ")}${passed}`,
      );
      lines.push(
        `  spshell ${v} includes: ${c.shellInclude ?? `not found (${versionVariable("SPSHELL_INCLUDE", v)} or ${t.share}/${v}/shell)`}`,
      );
    }
    lines.push(
      s === undefined
        ? `spshell ${v}: not found (${versionVariable("SPSHELL", v)}, SPSHELL, spshell-${v} or spshell on PATH)`
        : `spshell ${v}: ${s.path}${s.jit ? " (JIT)" : " (interpreter)"}`,
    );
  }
  for (const other of t.compilers.filter((c) => !(SOURCEPAWN_VERSIONS as readonly string[]).includes(c.version))) {
    lines.push(`spcomp ${other.version}: ${other.path} (not a version the tests pin; used where any compiler will do)`);
  }
  for (const v of t.ignored) {
    lines.push(`${v}: not an executable file, ignored (the lookup went on with PATH)`);
  }
  for (const s of t.sockets) {
    lines.push(`${s.name}: ${s.dir ?? s.why}`);
  }
  lines.push(`real SourceMod (end-to-end group): ${t.sourcemod.ok ? t.sourcemod.env.root : t.sourcemod.why}`);
  return lines;
}
