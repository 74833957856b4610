/**
 * The plugin's static memory (spcomp's "Data size": global arrays and
 * records, sized at compile time) as a function of the generation options,
 * and the limits of spcomp that it must stay within. `spgen generate` refuses
 * options whose plugin spcomp cannot compile before it writes anything
 * (issue 13, item 1).
 *
 * The arrays that scale with the options are those websocket.sp declares
 * (templates/scripting/websocket.sp.hbs, "Scratch buffers" and the
 * per-connection globals); this module mirrors their declarations one by one.
 * Everything else (records of a connection, string literals, small globals) is
 * two constants measured with spcomp 1.12 and 1.13 (see FIXED_DATA_BYTES).
 * generator/test/static-memory.test.ts compares the result with spcomp's
 * "Data size" where spcomp is installed: a template or spec change that moves
 * these figures makes it fail, naming the new ones.
 */

import { UsageError } from "./diagnostics.js";

/**
 * Most elements one array dimension may have: spcomp 1.12 and 1.13 refuse more
 * with `error 052: array size exceeds memory capacity` (measured: `char a[268435454]`
 * compiles, `char a[268435455]` does not; the same count for `int`). A dimension
 * above 2^31-1 is `error 009: invalid array size` (--max-message-size 2147483647).
 */
export const SPCOMP_MAX_ARRAY_ELEMENTS = 268_435_454;

/**
 * Largest data section of websocket.sp accepted, in bytes: 2^30. Measured with
 * spcomp 1.13 on the generated plugin (--max-message-size bisected with 16
 * connections, then around 2^30): data sizes up to 1,073,743,848 bytes compile;
 * PLUGIN_DATA_REFUSED_BYTES fails with "Binary validation failed: Method
 * OnPluginStart failed verification: Instruction contained invalid parameter"
 * (an internal error of spcomp, with no line). The limit is the round figure
 * just below the largest size measured to compile.
 */
export const SPCOMP_MAX_DATA_BYTES = 1_073_741_824;

/** The smallest data size of websocket.sp measured to fail (--max-message-size 178900000, 16 connections). */
export const PLUGIN_DATA_REFUSED_BYTES = 1_074_055_848;

/**
 * Bytes of websocket.sp's data section that do not depend on the options, as
 * spcomp 1.13 reports them (1.12: 24 bytes less). Measured: "Data size" minus
 * every term of staticArrays() and CONNECTION_RECORD_BYTES × connections, the same for
 * fourteen option pairs from (125, 1) to (167772160, 16).
 */
export const FIXED_DATA_BYTES = 77_580;

/**
 * Bytes of one connection's records in websocket.sp's data section, beyond the
 * arrays listed by staticArrays(): WsSlot, WsConn (the core's connection
 * record, with the server role's request parser), WS_MAX_CHILD_HOOKS WsHook records, SioClient and its SioSession, a SioManager with its glue part, an Inflater, SIO_MAX_PENDING_ACKS SioAck records and three ArrayList
 * handles. Measured: the data size grows by this plus one g_Msg row per connection.
 */
export const CONNECTION_RECORD_BYTES = 68_784;

/** What the static data depends on: the two options, and two spec constants the template sizes arrays with. */
export interface StaticMemoryParams {
  /** CONFIG_MAX_MESSAGE_SIZE as printed (bytes). */
  readonly maxMessageSize: number;
  /** CONFIG_MAX_CONNECTIONS as printed. */
  readonly maxConnections: number;
  /** CONFIG_MESSAGE_BUFFER (bytes a connection keeps of a message). */
  readonly messageBuffer: number;
  /** MAX_FRAME_HEADER (bytes). */
  readonly maxFrameHeader: number;
}

/** One global array of websocket.sp whose size follows from the options. */
export interface StaticArray {
  /** Its declaration in the template. */
  readonly declaration: string;
  /** Elements of its largest dimension (what spcomp's per-dimension limits apply to). */
  readonly elements: number;
  /** Bytes it takes in the data section (cells of 4 bytes; a 2-D array adds one cell per row). */
  readonly bytes: number;
}

/** Bytes of a `char[n]`: packed 4 to a cell, rounded up to whole cells. */
function charBytes(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/** The arrays of websocket.sp that depend on the options, as templates/scripting/websocket.sp.hbs declares them. */
export function staticArrays(p: StaticMemoryParams): StaticArray[] {
  const m = p.maxMessageSize;
  const n = p.maxConnections;
  // WS_MSG_BUFFER: CONFIG_MESSAGE_BUFFER, or CONFIG_MAX_MESSAGE_SIZE when that is smaller.
  const b = Math.min(p.messageBuffer, m);
  const cells = Math.floor((m + 3) / 4) + 1;
  return [
    { declaration: "char g_Msg[CONFIG_MAX_CONNECTIONS][WS_MSG_BUFFER]", elements: b, bytes: n * (charBytes(b) + 4) },
    { declaration: "char g_Delivery[CONFIG_MAX_MESSAGE_SIZE + 1]", elements: m + 1, bytes: charBytes(m + 1) },
    { declaration: "int g_BlockCells[WS_BLOCK_CELLS]", elements: (b >> 2) + 2, bytes: ((b >> 2) + 2) * 4 },
    { declaration: "char g_BlockBytes[WS_MSG_BUFFER]", elements: b, bytes: charBytes(b) },
    { declaration: "char g_Payload[CONFIG_MAX_MESSAGE_SIZE + 1]", elements: m + 1, bytes: charBytes(m + 1) },
    { declaration: "int g_Cells[(CONFIG_MAX_MESSAGE_SIZE + 3) / 4 + 1]", elements: cells, bytes: cells * 4 },
    {
      declaration: "char g_Out[CONFIG_MAX_MESSAGE_SIZE + MAX_FRAME_HEADER]",
      elements: m + p.maxFrameHeader,
      bytes: charBytes(m + p.maxFrameHeader),
    },
    { declaration: "char g_Packet[CONFIG_MAX_MESSAGE_SIZE]", elements: m, bytes: charBytes(m) },
    { declaration: "char g_Args[CONFIG_MAX_MESSAGE_SIZE + 3]", elements: m + 3, bytes: charBytes(m + 3) },
  ];
}

/** The data size spcomp 1.13 reports for websocket.sp generated with these parameters, in bytes. */
export function staticDataBytes(p: StaticMemoryParams): number {
  const arrays = staticArrays(p).reduce((sum, a) => sum + a.bytes, 0);
  return FIXED_DATA_BYTES + p.maxConnections * CONNECTION_RECORD_BYTES + arrays;
}

/** `1234567` → `1,234,567`. */
function grouped(n: number): string {
  return n.toLocaleString("en-US");
}

/** The largest value of one parameter, the others fixed, whose plugin stays within the limits (0 when none does). */
export function largestAccepted(p: StaticMemoryParams, key: "maxMessageSize" | "maxConnections", max: number): number {
  let lo = 0;
  let hi = max;
  while (lo < hi) {
    const mid = lo + Math.ceil((hi - lo) / 2);
    if (staticMemoryProblem({ ...p, [key]: mid }) === null) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  return lo;
}

/** Why spcomp cannot compile the plugin of these parameters (one sentence), or null when it can. */
export function staticMemoryProblem(p: StaticMemoryParams): string | null {
  for (const a of staticArrays(p)) {
    if (a.elements > 0x7fffffff) {
      return `its array \`${a.declaration}\` would have ${grouped(a.elements)} elements, more than 2^31-1 (spcomp: error 009: invalid array size)`;
    }
    if (a.elements > SPCOMP_MAX_ARRAY_ELEMENTS) {
      return `its array \`${a.declaration}\` has ${grouped(a.elements)} elements; spcomp allows at most ${grouped(SPCOMP_MAX_ARRAY_ELEMENTS)} (error 052: array size exceeds memory capacity)`;
    }
  }
  const bytes = staticDataBytes(p);
  if (bytes > SPCOMP_MAX_DATA_BYTES) {
    return `its static data would be ${grouped(bytes)} bytes; spcomp compiles at most ${grouped(SPCOMP_MAX_DATA_BYTES)} bytes of data`;
  }
  return null;
}

/**
 * Refuses parameters whose plugin spcomp cannot compile.
 *
 * @throws UsageError (exit 2) with one line: the options, the limit and the computed size, and the largest
 *   --max-message-size that fits with these connections.
 */
export function checkStaticMemory(p: StaticMemoryParams): void {
  const problem = staticMemoryProblem(p);
  if (problem === null) {
    return;
  }
  const fit = largestAccepted(p, "maxMessageSize", p.maxMessageSize);
  throw new UsageError(
    `--max-message-size ${p.maxMessageSize} with --max-connections ${p.maxConnections} gives a plugin spcomp cannot compile: ${problem}` +
      (fit > 0
        ? `; with ${p.maxConnections} connection${p.maxConnections === 1 ? "" : "s"}, --max-message-size may be at most ${fit}`
        : ""),
  );
}
