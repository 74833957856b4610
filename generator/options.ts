/**
 * Generation options: what `spgen generate` accepts on the command line,
 * validated into one typed, readonly object. Defaults of the generation
 * parameters are not here: they are the CONFIG_* constants of the spec
 * (spec/core/config.ts); an option only overrides the printed value of its
 * constant.
 */

import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { UsageError } from "./diagnostics.js";
import { checkStaticMemory, largestAccepted } from "./static-memory.js";
import { CONFIG_MAX_CONNECTIONS } from "../spec/core/config.js";

/** How wss:// is provided: detected at compile time, the oldmagic socket extension's TLS, or not at all. */
export type TlsMode = "auto" | "oldmagic" | "none";

export const TLS_MODES: readonly TlsMode[] = ["auto", "oldmagic", "none"];

/** Validated options of one generation run. Paths are absolute. */
export interface GenerateOptions {
  /** Directory paths in headers and diagnostics are relative to. */
  readonly cwd: string;
  /** Directory holding the spec modules (`*.ts`, not recursive). */
  readonly specDir: string;
  /** Directory holding the Handlebars skeletons (`**\/*.hbs`). */
  readonly templatesDir: string;
  /** Output directory (laid out like a SourceMod `scripting/` folder under it). */
  readonly outDir: string;
  /** Overrides CONFIG_MAX_MESSAGE_SIZE (bytes); null keeps the spec's value. */
  readonly maxMessageSize: number | null;
  /** Overrides CONFIG_MAX_CONNECTIONS; null keeps the spec's value. */
  readonly maxConnections: number | null;
  readonly tls: TlsMode;
}

/** Options as they come from the command line (before validation). */
export interface RawGenerateOptions {
  readonly spec?: string;
  readonly templates?: string;
  readonly out?: string;
  readonly maxMessageSize?: unknown;
  readonly maxConnections?: unknown;
  readonly tls?: unknown;
}

/** Defaults of the directories, relative to the working directory. */
export const DEFAULT_DIRS = { spec: "spec/core", templates: "templates", out: "out" } as const;

/** Which spec constant each numeric option overrides. */
export const CONFIG_CONSTANTS = {
  maxMessageSize: "CONFIG_MAX_MESSAGE_SIZE",
  maxConnections: "CONFIG_MAX_CONNECTIONS",
} as const;

/**
 * Bits of a websocket.sp handle that hold the connection slot: handles are
 * `(serial << HANDLE_SLOT_BITS) | (slot + 1)` with an 18-bit serial, so they stay
 * positive and 0 is never valid. The template prints it (render context `handle`).
 */
export const HANDLE_SLOT_BITS = 13;

/**
 * Listening sockets websocket.sp holds at once (Websocket_Open, server mode). Their handles use
 * the slot values after the connections' (slot CONFIG_MAX_CONNECTIONS + i), so they take
 * HANDLE_LISTENER_SLOTS of the values a handle can name. The template prints it (render
 * context `handle.listeners`).
 */
export const HANDLE_LISTENER_SLOTS = 8;

/** Bits of a handle's serial (what tells a stale handle from the slot's new one). */
export const HANDLE_SERIAL_BITS = 31 - HANDLE_SLOT_BITS;

/**
 * The spec's values of the two constants that size websocket.sp's arrays besides the options
 * (spec/core/config.ts CONFIG_MESSAGE_BUFFER, spec/core/frame.ts MAX_FRAME_HEADER), for the limits
 * shown by `--help`. A generation checks the values its spec actually has (static-memory.ts).
 */
export const SPEC_ARRAY_CONSTANTS = { messageBuffer: 16384, maxFrameHeader: 14 } as const;

/**
 * Limits of the numeric options, each derived from where it comes from:
 * - --max-message-size: 125 (every control frame payload fits) up to the largest size whose plugin spcomp
 *   compiles with one connection (static-memory.ts; with more connections the combination is checked after
 *   transpiling, and the message names the largest size that fits);
 * - --max-connections: 1 up to the slots a handle can name (2^HANDLE_SLOT_BITS - 1), less the
 *   HANDLE_LISTENER_SLOTS that name listening sockets.
 */
export const OPTION_LIMITS = {
  maxMessageSize: {
    min: 125,
    max: largestAccepted(
      { ...SPEC_ARRAY_CONSTANTS, maxMessageSize: 125, maxConnections: 1 },
      "maxMessageSize",
      0x7fffffff,
    ),
  },
  maxConnections: { min: 1, max: (1 << HANDLE_SLOT_BITS) - 1 - HANDLE_LISTENER_SLOTS },
} as const;

/**
 * An integer option within `limits`, or null when not given. `tooLarge`, when given, is called first for an
 * integer above the range (up to 2^31-1), to explain why it is refused.
 */
function intOption(
  value: unknown,
  flag: string,
  limits: { min: number; max: number },
  tooLarge?: (n: number) => void,
): number | null {
  if (value === undefined) {
    return null;
  }
  const n =
    typeof value === "number" ? value : typeof value === "string" && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (tooLarge !== undefined && Number.isInteger(n) && n > limits.max && n <= 0x7fffffff) {
    tooLarge(n);
  }
  if (!Number.isInteger(n) || n < limits.min || n > limits.max) {
    throw new UsageError(
      `--${flag} must be an integer from ${limits.min} to ${limits.max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function existingDir(cwd: string, value: string | undefined, fallback: string, flag: string): string {
  const p = path.resolve(cwd, value ?? fallback);
  if (!existsSync(p) || !statSync(p).isDirectory()) {
    throw new UsageError(`--${flag}: no such directory: ${value ?? fallback}`);
  }
  return p;
}

/** Validates raw options; throws UsageError (exit 2) with a one-line message. */
export function parseGenerateOptions(raw: RawGenerateOptions, cwd: string): GenerateOptions {
  const tls = raw.tls ?? "auto";
  if (typeof tls !== "string" || !(TLS_MODES as readonly string[]).includes(tls)) {
    throw new UsageError(`--tls must be one of ${TLS_MODES.join(", ")}, got ${JSON.stringify(tls)}`);
  }
  const outDir = path.resolve(cwd, raw.out ?? DEFAULT_DIRS.out);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new UsageError(`--out: not a directory: ${raw.out ?? DEFAULT_DIRS.out}`);
  }
  const maxConnections = intOption(raw.maxConnections, "max-connections", OPTION_LIMITS.maxConnections);
  // A message size above the range gives a plugin spcomp cannot compile: say so, with the size it would have.
  const maxMessageSize = intOption(raw.maxMessageSize, "max-message-size", OPTION_LIMITS.maxMessageSize, (m) =>
    // Without --max-connections the plugin gets the spec's default, so the advice names that count.
    checkStaticMemory({
      ...SPEC_ARRAY_CONSTANTS,
      maxMessageSize: m,
      maxConnections: maxConnections ?? CONFIG_MAX_CONNECTIONS,
    }),
  );
  return {
    cwd,
    specDir: existingDir(cwd, raw.spec, DEFAULT_DIRS.spec, "spec"),
    templatesDir: existingDir(cwd, raw.templates, DEFAULT_DIRS.templates, "templates"),
    outDir,
    maxMessageSize,
    maxConnections,
    tls: tls as TlsMode,
  };
}

/** The constant overrides an options object asks for. */
export function configOverrides(options: GenerateOptions): Map<string, number> {
  const m = new Map<string, number>();
  if (options.maxMessageSize !== null) {
    m.set(CONFIG_CONSTANTS.maxMessageSize, options.maxMessageSize);
  }
  if (options.maxConnections !== null) {
    m.set(CONFIG_CONSTANTS.maxConnections, options.maxConnections);
  }
  return m;
}
