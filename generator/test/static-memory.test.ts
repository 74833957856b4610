/**
 * The plugin's static memory (static-memory.ts) and the option values it
 * refuses: the computed data size against spcomp's figures (a table measured
 * with spcomp 1.13, and, where spcomp is installed, fresh compiles), the
 * refusals with one line naming the limit and the computed size, and the
 * accepted boundary values compiled for real (issue 13, item 1).
 *
 * The compile group keeps to about 30 s on 2 cores: the largest accepted
 * --max-message-size (a 1 GiB data section: spcomp takes about 6 GB of memory
 * and 10-25 s for it) and the largest --max-connections compile once each, the
 * small boundaries next to them, at most two compilers at a time.
 */

import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { freemem, tmpdir, totalmem } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateFiles } from "../generate.js";
import { OPTION_LIMITS, parseGenerateOptions, SPEC_ARRAY_CONSTANTS } from "../options.js";
import {
  checkStaticMemory,
  largestAccepted,
  SPCOMP_MAX_ARRAY_ELEMENTS,
  SPCOMP_MAX_DATA_BYTES,
  staticDataBytes,
  type StaticMemoryParams,
} from "../static-memory.js";
import { CONFIG_MAX_CONNECTIONS, CONFIG_MAX_MESSAGE_SIZE, CONFIG_MESSAGE_BUFFER } from "../../spec/core/config.js";
import { MAX_FRAME_HEADER } from "../../spec/core/frame.js";
import { findCompilers, findSocketIncludes } from "../toolchain/index.js";
import { builtCli, ROOT, runCli } from "./helpers.js";
import { skipWithReason } from "./skip.js";

function params(maxMessageSize: number, maxConnections: number): StaticMemoryParams {
  return { ...SPEC_ARRAY_CONSTANTS, maxMessageSize, maxConnections };
}

/** The largest accepted values, derived from the limits. */
const M_MAX_1 = OPTION_LIMITS.maxMessageSize.max;
const N_MAX = OPTION_LIMITS.maxConnections.max;

describe("static memory of websocket.sp", () => {
  it("uses the spec's values of the constants that size its arrays", () => {
    expect(SPEC_ARRAY_CONSTANTS).toEqual({ messageBuffer: CONFIG_MESSAGE_BUFFER, maxFrameHeader: MAX_FRAME_HEADER });
  });

  it("equals spcomp 1.13's Data size for every measured option pair", () => {
    // [--max-message-size, --max-connections, "Data size" printed by spcomp 1.13 for the generated websocket.sp].
    // When a record of the core or the glue changes, these move by the same bytes per connection; the
    // boundary group below compiles with spcomp where it is installed and names the new figures.
    const measured: [number, number, number][] = [
      [1048576, 16, 7764596],
      [1048576, 17, 7849768],
      [125, 1, 147540],
      [16383, 1, 293852],
      [16384, 1, 293864],
      [16385, 1, 293872],
      [20000, 1, 315560],
      [20003, 1, 315576],
      [4194304, 64, 30727220],
      [1048576, 4096, 355266356],
      [167772160, 16, 1008106100],
      [177558868, 16, 1066826348],
      [178782207, 16, 1074166380],
      [178956970, 16, 1075214960], // refused by spcomp: "Binary validation failed"
    ];
    for (const [m, n, bytes] of measured) {
      expect(staticDataBytes(params(m, n)), `${m} x ${n}`).toBe(bytes);
    }
    expect(staticDataBytes(params(CONFIG_MAX_MESSAGE_SIZE, CONFIG_MAX_CONNECTIONS))).toBe(7764596);
  });

  it("derives the option ranges from the limits", () => {
    // About 171 MiB: each byte of message size costs about 6 bytes of data (g_Delivery, g_Cells, queues).
    expect(M_MAX_1).toBeGreaterThan(178_000_000);
    expect(M_MAX_1).toBeLessThan(179_000_000);
    expect(staticDataBytes(params(M_MAX_1, 1))).toBeLessThanOrEqual(SPCOMP_MAX_DATA_BYTES);
    expect(staticDataBytes(params(M_MAX_1 + 1, 1))).toBeGreaterThan(SPCOMP_MAX_DATA_BYTES);
    // 13 bits of a handle name the slot (slot + 1, 0 never valid); 8 of the values name listening sockets.
    expect(N_MAX).toBe(8183);
    expect(largestAccepted(params(CONFIG_MAX_MESSAGE_SIZE, 1), "maxConnections", 1 << 20)).toBeGreaterThan(N_MAX);
    const m16 = largestAccepted(params(125, 16), "maxMessageSize", 0x7fffffff);
    expect(m16).toBeLessThan(M_MAX_1);
    expect(staticDataBytes(params(m16, 16))).toBeLessThanOrEqual(SPCOMP_MAX_DATA_BYTES);
    expect(staticDataBytes(params(m16 + 1, 16))).toBeGreaterThan(SPCOMP_MAX_DATA_BYTES);
    expect(SPCOMP_MAX_ARRAY_ELEMENTS).toBe(268435454);
  });

  it("refuses with one line naming the limit and the computed size", () => {
    const refused = (m: number, n: number): string => {
      try {
        checkStaticMemory(params(m, n));
      } catch (e) {
        return (e as Error).message;
      }
      return "accepted";
    };
    expect(refused(M_MAX_1, 1)).toBe("accepted");
    expect(refused(4194304, 64)).toBe("accepted"); // the example of `spgen generate --help`
    expect(refused(CONFIG_MAX_MESSAGE_SIZE, N_MAX)).toBe("accepted");
    const bytes = staticDataBytes(params(M_MAX_1 + 1, 1)).toLocaleString("en-US");
    expect(refused(M_MAX_1 + 1, 1)).toBe(
      `--max-message-size ${M_MAX_1 + 1} with --max-connections 1 gives a plugin spcomp cannot compile: its static data would be ${bytes} bytes; spcomp compiles at most 1,073,741,824 bytes of data; with 1 connection, --max-message-size may be at most ${M_MAX_1}`,
    );
    const m16 = largestAccepted(params(125, 16), "maxMessageSize", 0x7fffffff);
    expect(refused(m16 + 1, 16)).toMatch(new RegExp(`with 16 connections, --max-message-size may be at most ${m16}$`));
    expect(refused(0x7fffffff, 1)).toContain("error 009: invalid array size");
    expect(refused(268435454, 1)).toContain(
      "its array `char g_Delivery[CONFIG_MAX_MESSAGE_SIZE + 1]` has 268,435,455 elements; spcomp allows at most 268,435,454 (error 052: array size exceeds memory capacity)",
    );
    for (const m of [M_MAX_1 + 1, 0x7fffffff]) {
      expect(refused(m, 1)).not.toContain("\n");
    }
  });
});

describe("spgen generate refuses options whose plugin does not compile", () => {
  const temps: string[] = [];
  beforeAll(() => {
    builtCli();
  }, 120_000);
  afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("exits 2 with one line and writes nothing; the --help example is accepted", () => {
    const ws = mkdtempSync(path.join(tmpdir(), "spgen-static-"));
    temps.push(ws);
    const cases: [string[], RegExp][] = [
      [
        ["--max-message-size", "2147483647"],
        new RegExp(
          // No --max-connections: the advice is for the default count (16), the one the plugin gets.
          `^spgen: --max-message-size 2147483647 with --max-connections 16 gives a plugin spcomp cannot compile: .*error 009: invalid array size.*with 16 connections, --max-message-size may be at most ${largestAccepted(params(125, 16), "maxMessageSize", 0x7fffffff)}\\n$`,
        ),
      ],
      [
        ["--max-message-size", String(M_MAX_1)],
        new RegExp(
          `^spgen: --max-message-size ${M_MAX_1} with --max-connections 16 gives a plugin spcomp cannot compile: its static data would be ${staticDataBytes(params(M_MAX_1, 16)).toLocaleString("en-US")} bytes; spcomp compiles at most 1,073,741,824 bytes of data; with 16 connections, --max-message-size may be at most ${largestAccepted(params(125, 16), "maxMessageSize", 0x7fffffff)}\\n$`,
        ),
      ],
      [
        ["--max-connections", String(N_MAX + 1)],
        /^spgen: --max-connections must be an integer from 1 to 8183, got "8184"\n$/,
      ],
    ];
    /** `spgen generate` of this checkout's spec and templates into ws/o, with `args`. */
    const generate = (args: readonly string[]): ReturnType<typeof runCli> =>
      runCli(
        [
          "generate",
          "--spec",
          path.join(ROOT, "spec/core"),
          "--templates",
          path.join(ROOT, "templates"),
          "--out",
          "o",
          ...args,
        ],
        ws,
      );
    for (const [args, stderr] of cases) {
      const r = generate(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(stderr);
      // The advised size is accepted with the same options.
      const advised = /may be at most (\d+)$/.exec(r.stderr.trim());
      if (advised !== null) {
        const again = [...args];
        again[again.indexOf("--max-message-size") + 1] = advised[1];
        const ok = generate(again);
        expect(ok.code, `${again.join(" ")}: ${ok.stderr}`).toBe(0);
      }
    }
    expect(generate(["--max-message-size", "4194304", "--max-connections", "64"]).code).toBe(0);
  });
});

// ---------------------------------------------------------------------------
// The accepted boundaries, compiled.
// ---------------------------------------------------------------------------

const PLAIN_SOCKET = findSocketIncludes().find((x) => x.flavour === "plain");
const SOCKET_INCLUDE = PLAIN_SOCKET?.dir ?? "";
// Newest first: the 1.13 compiles (the limit was measured with 1.13) start before the 1.12 ones.
const compilers = findCompilers()
  .filter((c) => c.smInclude !== null)
  .map((c) => ({ version: c.version, spcomp: c.path, include: c.smInclude as string }))
  .reverse();
const spcomp13 = SOCKET_INCLUDE === "" ? undefined : compilers.find((c) => c.version === "1.13");
if (spcomp13 === undefined) {
  skipWithReason(
    import.meta.url,
    "accepted boundary values compile",
    SOCKET_INCLUDE === ""
      ? (PLAIN_SOCKET?.why ?? "no socket.inc")
      : "no spcomp 1.13 with its SourceMod includes (the compiler these limits were measured with; see npm run toolchain)",
  );
}
/** spcomp needs about 5.8 GB to compile a 1 GiB data section. */
const BIG_COMPILE_BYTES = 6.5 * 2 ** 30;
const bigOk = totalmem() >= BIG_COMPILE_BYTES + 2 ** 30;

describe.runIf(spcomp13 !== undefined)("accepted boundary values compile", () => {
  const work = mkdtempSync(path.join(tmpdir(), "spgen-boundary-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Generates websocket.sp for (m, n) into its own directory. */
  async function generate(m: number, n: number): Promise<string> {
    const dir = path.join(work, `${m}-${n}`);
    const options = parseGenerateOptions({ out: dir, maxMessageSize: String(m), maxConnections: String(n) }, ROOT);
    const gen = await generateFiles(options);
    for (const f of gen.files) {
      mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      writeFileSync(path.join(dir, f.path), f.content);
    }
    return dir;
  }

  /** Compiles websocket.sp of `dir`; resolves to its exit code and spcomp's Data size (null when not printed). */
  function compile(
    dir: string,
    c: (typeof compilers)[number],
  ): Promise<{ code: number; data: number | null; output: string }> {
    return new Promise((resolve) => {
      execFile(
        c.spcomp,
        [
          "scripting/websocket.sp",
          "-iscripting/include",
          `-i${c.include}`,
          `-i${SOCKET_INCLUDE}`,
          `-o${path.join(dir, `websocket-${c.version}.smx`)}`,
          "-E",
        ],
        { cwd: dir, encoding: "utf8", maxBuffer: 1 << 24 },
        (err, stdout, stderr) => {
          const output = `${stdout}${stderr}`;
          const m = /Data size:\s+(\d+) bytes/.exec(output);
          resolve({
            code: err === null ? 0 : ((err as { code?: number }).code ?? 1),
            data: m ? Number(m[1]) : null,
            output,
          });
        },
      );
    });
  }

  it("the smallest and largest accepted values (and the --help example) compile, with the computed data size", async () => {
    const jobs: { m: number; n: number; c: (typeof compilers)[number] }[] = [];
    for (const c of compilers) {
      for (const [m, n] of [
        [125, 1],
        [CONFIG_MESSAGE_BUFFER - 1, 1],
        [CONFIG_MESSAGE_BUFFER + 1, 1],
        [4194304, 64],
      ]) {
        jobs.push({ m, n, c });
      }
    }
    // The largest accepted value of each option, once, with spcomp 1.13 (the one the data limit was measured with).
    const c13 = spcomp13 as (typeof compilers)[number];
    jobs.push({ m: CONFIG_MAX_MESSAGE_SIZE, n: N_MAX, c: c13 });
    if (bigOk) {
      jobs.unshift({ m: M_MAX_1, n: 1, c: c13 });
    } else {
      console.warn(
        `SKIPPED static-memory.test.ts: the largest --max-message-size (${M_MAX_1}, a 1 GiB data section) is not compiled: spcomp needs about 6.5 GB and this machine has ${(totalmem() / 2 ** 30).toFixed(1)} GB (${(freemem() / 2 ** 30).toFixed(1)} GB free)`,
      );
    }
    const dirs = new Map<string, Promise<string>>();
    const dirOf = (m: number, n: number): Promise<string> => {
      const key = `${m}-${n}`;
      if (!dirs.has(key)) {
        dirs.set(key, generate(m, n));
      }
      return dirs.get(key) as Promise<string>;
    };
    const results: string[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const dir = await dirOf(job.m, job.n);
        const r = await compile(dir, job.c);
        const expected = staticDataBytes(params(job.m, job.n)) - (job.c.version === "1.12" ? 24 : 0);
        results.push(`${job.m} x ${job.n} spcomp-${job.c.version}: exit ${r.code}, data ${r.data}`);
        expect(r.code, `${job.m} x ${job.n} spcomp-${job.c.version}\n${r.output}`).toBe(0);
        expect(r.data, `${job.m} x ${job.n} spcomp-${job.c.version}`).toBe(expected);
        rmSync(path.join(dir, `websocket-${job.c.version}.smx`), { force: true });
      }
    };
    await Promise.all([worker(), worker()]);
    expect(results).toHaveLength(jobs.length);
  }, 240_000);
});
