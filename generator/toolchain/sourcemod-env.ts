/**
 * Finds the real SourceMod test environment (hl2sdk-mock's srcds, Metamod:Source,
 * SourceMod 1.13 and the two socket extensions, each in its own game folder) that the
 * end-to-end group runs in. It is built per machine, outside the repository, and looked
 * up here only: SPGEN_SM_ROOT, else /opt/spgen-e2e.
 *
 * Either every piece the group needs is there and the paths come back, or one line
 * says what is missing (the group is then skipped with that line as its name).
 */

import { accessSync, constants, existsSync, statSync } from "node:fs";
import path from "node:path";

/** The default root when SPGEN_SM_ROOT is not set. */
export const DEFAULT_SM_ROOT = "/opt/spgen-e2e";

/** The two socket extensions the group runs on. */
export type SocketExtension = "joinedsenses" | "oldmagic";

export const EXTENSIONS: readonly SocketExtension[] = ["joinedsenses", "oldmagic"];

/** One game folder: SourceMod with one socket extension, and the compiler that matches it. */
export interface GameDir {
  readonly extension: SocketExtension;
  /** The template game folder (copied per run, never written to). */
  readonly template: string;
  /** spcomp 1.13 in the template's addons/sourcemod/scripting/. */
  readonly spcomp: string;
  /** SourceMod's includes, with this extension's socket.inc among them. */
  readonly include: string;
}

export interface SourceModEnv {
  readonly root: string;
  /** The patched mock dedicated server. */
  readonly srcds: string;
  readonly games: Readonly<Record<SocketExtension, GameDir>>;
}

export type EnvLookup =
  { readonly ok: true; readonly env: SourceModEnv } | { readonly ok: false; readonly why: string };

function isExecutableFile(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Looks the environment up under `env.SPGEN_SM_ROOT` (else /opt/spgen-e2e) and checks
 * every piece the end-to-end group uses. `why` names all that is missing, on one line.
 */
export function findSourceModEnv(env: NodeJS.ProcessEnv = process.env): EnvLookup {
  const fromEnv = env.SPGEN_SM_ROOT !== undefined && env.SPGEN_SM_ROOT !== "";
  const root = path.resolve(fromEnv ? env.SPGEN_SM_ROOT! : DEFAULT_SM_ROOT);
  const where = fromEnv ? `SPGEN_SM_ROOT=${root}` : `${root} (set SPGEN_SM_ROOT to use another)`;
  if (!existsSync(root)) {
    return { ok: false, why: `no SourceMod test environment: ${where} does not exist` };
  }
  const missing: string[] = [];
  const srcds = path.join(root, "srcds/srcds");
  if (!isExecutableFile(srcds)) {
    missing.push("srcds/srcds");
  }
  for (const lib of ["gamedll.so", "libtier0_client.so", "libvstdlib_client.so"]) {
    if (!existsSync(path.join(root, "srcds", lib))) {
      missing.push(`srcds/${lib}`);
    }
  }
  const games = {} as Record<SocketExtension, GameDir>;
  for (const extension of EXTENSIONS) {
    const dir = `game-${extension}`;
    const template = path.join(root, dir);
    const sm = path.join(template, "addons/sourcemod");
    const spcomp = path.join(sm, "scripting/spcomp64");
    const include = path.join(sm, "scripting/include");
    const required: readonly [string, boolean][] = [
      [`${dir}/addons/metamod_x64.vdf`, existsSync(path.join(template, "addons/metamod_x64.vdf"))],
      [`${dir}/addons/sourcemod/bin/x64`, existsSync(path.join(sm, "bin/x64"))],
      [
        `${dir}/addons/sourcemod/extensions/x64/socket.ext.so`,
        existsSync(path.join(sm, "extensions/x64/socket.ext.so")),
      ],
      [`${dir}/addons/sourcemod/scripting/spcomp64`, isExecutableFile(spcomp)],
      [`${dir}/addons/sourcemod/scripting/include/sourcemod.inc`, existsSync(path.join(include, "sourcemod.inc"))],
      [`${dir}/addons/sourcemod/scripting/include/socket.inc`, existsSync(path.join(include, "socket.inc"))],
    ];
    if (!existsSync(template)) {
      missing.push(`${dir}/`);
    } else {
      missing.push(...required.filter(([, ok]) => !ok).map(([name]) => name));
    }
    games[extension] = { extension, template, spcomp, include };
  }
  if (missing.length > 0) {
    return { ok: false, why: `SourceMod test environment incomplete: ${where} lacks ${missing.join(", ")}` };
  }
  return { ok: true, env: { root, srcds, games } };
}
