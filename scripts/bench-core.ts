#!/usr/bin/env node
/**
 * Benchmarks of the transpiled core in the SourcePawn VM against the
 * TypeScript oracle in Node, on the same inputs (issue 5). Run from the
 * project root after `npm run build`:
 *
 *   node dist/scripts/bench-core.js [--quick] [--only TEXT] [--memory-only] [--cpu N] [--cpu-time] [--shell spshell-1.13] [--spcomp spcomp-1.13]
 *
 * --quick aims at 0.3 s per measurement instead of 1 s; --only runs the
 * operations whose name contains TEXT; --memory-only skips the timings;
 * --cpu N pins this process and every spshell it starts to CPU N (taskset),
 * so that both sides run on the same core and a busy machine adds less noise;
 * --cpu-time times both sides in CPU time (user + system) instead of wall
 * time, which leaves out the time spent waiting for a CPU on a busy machine.
 *
 * The table gives each figure's ratio SourcePawn / Node (as speeds: for a
 * time per operation, Node's time over SourcePawn's) and the target of issue
 * 14, half of the oracle's speed (ratio ≥ 0.50).
 *
 * SourcePawn side: for each operation a small program (the core transpiled
 * from spec/core, a setup, and a loop of N iterations) is compiled with the
 * newest spcomp and run by spshell with its JIT. spshell has no clock native,
 * so whole runs are timed from Node (process.hrtime) and the same program with
 * N = 0 (VM start-up, loading, setup) is subtracted; N is scaled until the
 * loop takes about a second, and each figure is the median of 5 runs.
 * Node side: the same operations on the compiled spec (dist/spec/core), warmed
 * up, median of 5 timed runs. The timed runs of the two sides alternate
 * (SourcePawn, Node, SourcePawn, …) and the ratio is the median of the 5
 * side-by-side ratios, so that a machine whose speed drifts slows both alike.
 *
 * --callgrind STRIPPED_SPSHELL counts instead of timing: each SourcePawn
 * program runs under valgrind's callgrind with 2K and K iterations, and the
 * difference over K is the x86 instructions per iteration, without the JIT's
 * compilation of the functions (stable on a busy machine). valgrind 3.19
 * refuses spshell's debug information, so give it a stripped copy:
 * `strip -o /tmp/spshell-stripped "$(command -v spshell-1.13)"`. --only picks
 * every operation whose name contains its text ("SHA-1" also picks
 * handshakeInit).
 *
 * Also printed: the static memory of one connection (the core's records, and
 * the generated plugin's data section with 1 and 2 connections) and of the
 * plugin generated with the defaults.
 */

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { constants as zlibConstants, deflateRawSync, inflateRawSync, inflateSync } from "node:zlib";
import { listSpecFiles } from "../generator/generate.js";
import { CONFIG_MAX_CONNECTIONS, CONFIG_MAX_MESSAGE_SIZE } from "../spec/core/config.js";
import { printDecls } from "../generator/sourcepawn/printer.js";
import { transpileFiles } from "../generator/transpile.js";
import {
  findCompilers,
  findShells,
  findSocketIncludes,
  type Compiler,
  type Shell,
} from "../generator/toolchain/index.js";
import { base64Decode, base64Encode } from "../spec/core/base64.js";
import { decoderFeed, decoderInit, FrameDecoder, WsEvent } from "../spec/core/decoder.js";
import { Deflater, deflateMessage } from "../spec/core/deflate.js";
import { Inflater, inflateMessage, inflateReset } from "../spec/core/inflate.js";
import { frameEncode, frameEncodeHeader, maskBytes } from "../spec/core/frame.js";
import { Handshake, handshakeInit, WS_GUID } from "../spec/core/handshake.js";
import { Sha1, sha1 } from "../spec/core/sha1.js";

const MiB = 1048576;
/** Size of the benchmark buffers. */
const BIG = MiB + 65536;
const SMALL_FRAMES = 10000;
const SMALL_PAYLOAD = "hello, world 0123";
const REPEATS = 5;
/** Issue 14: every figure at least half of the oracle's speed on the same input. */
const TARGET_RATIO = 0.5;

/** How a figure is reported. */
type Unit = "MB/s" | "frames/s" | "ops/s" | "us/op";

interface Bench {
  readonly name: string;
  readonly unit: Unit;
  /** Payload bytes per iteration (MB/s), frames per iteration (frames/s), or 1 (ops). */
  readonly perIter: number;
  /** SourcePawn statements run once before the loop (globals below are available). */
  readonly spSetup: string;
  /** SourcePawn statements of one iteration; may add to `check`. */
  readonly spBody: string;
  /** A first guess of the SourcePawn iteration count for about a second. */
  readonly spGuess: number;
  /** Node: returns a function running n iterations (setup done outside the timing). */
  readonly node: () => (n: number) => number;
  /** node:zlib doing the same work on the same input, printed next to the table (permessage-deflate). */
  readonly zlib?: () => (n: number) => number;
}

// ---------------------------------------------------------------- shared inputs (built the same way on both sides)

/** Byte i of the benchmark pattern: the same formula in both languages. */
function patternByte(i: number): number {
  return (Math.imul(i, 131) + (i >> 8)) & 255;
}

const SP_FILL = `for (int i = 0; i < BIG; i++)
	{
		g_buf[i] = (i * 131 + (i >> 8)) & 255;
	}
	g_key[0] = 0x37;
	g_key[1] = 0xfa;
	g_key[2] = 0x21;
	g_key[3] = 0x3d;`;

function nodeBuffers(): { buf: Uint8Array; out: Uint8Array; key: Uint8Array } {
  const buf = new Uint8Array(BIG);
  for (let i = 0; i < BIG; i++) {
    buf[i] = patternByte(i);
  }
  return { buf, out: new Uint8Array(BIG), key: Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]) };
}

/** A server stream of one unmasked binary frame of 1 MiB (SourcePawn: into g_stream, length g_streamLen). */
const SP_BIG_STREAM = `g_streamLen = frameEncodeHeader(g_stream, 0, true, 2, false, ${MiB}, g_key, 0);
	for (int i = 0; i < ${MiB}; i++)
	{
		g_stream[g_streamLen + i] = g_buf[i];
	}
	g_streamLen += ${MiB};`;

/** 10,000 small text frames back to back (SourcePawn). */
const SP_SMALL_STREAM = `g_streamLen = 0;
	for (int f = 0; f < ${SMALL_FRAMES}; f++)
	{
		g_stream[g_streamLen] = 0x81;
		g_stream[g_streamLen + 1] = ${SMALL_PAYLOAD.length};
		g_streamLen += 2;
		g_streamLen = bytesPutAscii(g_stream, g_streamLen, BIG, "${SMALL_PAYLOAD}");
	}`;

/** Feeds g_stream in 16 KiB reads through g_dec, counting messages into check. */
const SP_DECODE = `decoderInit(g_dec, ${MiB});
		for (int pos = 0; pos < g_streamLen; pos += 16384)
		{
			int end = pos + 16384;
			if (end > g_streamLen)
			{
				end = g_streamLen;
			}
			int off = pos;
			while (off < end)
			{
				off += decoderFeed(g_dec, g_stream, off, end - off, g_msg);
				if (g_dec.event == WsEvent_Message)
				{
					check += g_dec.msgLen;
				}
			}
		}`;

function nodeDecode(stream: Uint8Array, msg: Uint8Array): (n: number) => number {
  const d = new FrameDecoder();
  return (n) => {
    let check = 0;
    for (let it = 0; it < n; it++) {
      decoderInit(d, MiB);
      for (let pos = 0; pos < stream.length; pos += 16384) {
        const end = Math.min(pos + 16384, stream.length);
        let off = pos;
        while (off < end) {
          off += decoderFeed(d, stream, off, end - off, msg);
          if (d.event === WsEvent.Message) {
            check += d.msgLen;
          }
        }
      }
    }
    return check;
  };
}

/** The 1 MiB pattern compressed by the spec's deflateMessage (SourcePawn: into g_stream, length g_streamLen). */
const SP_DEFLATED = `g_streamLen = deflateMessage(g_defl, g_buf, 0, ${MiB}, g_stream, 0, BIG, 15);`;

/**
 * Byte i of the text-like input: words of 5 letters from a vocabulary of 64 and a
 * space, in a pseudo-random order (about 3:1 for zlib, literals and matches mixed).
 */
function textByte(i: number): number {
  let h = Math.imul((i / 6) | 0, -1640531535);
  h ^= h >> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >> 12;
  const w = (h >> 8) & 63;
  const j = i % 6;
  return j === 5 ? 32 : 97 + ((w * 7 + j * 3 + (w >> 3) * j) % 26);
}

const SP_TEXT_FILL = `for (int i = 0; i < ${MiB}; i++)
	{
		int h = (i / 6) * -1640531535;
		h ^= h >> 15;
		h = h * 0x2c1b3c6d;
		h ^= h >> 12;
		int w = (h >> 8) & 63;
		int j = i % 6;
		g_buf[i] = j == 5 ? 32 : 97 + ((w * 7 + j * 3 + (w >> 3) * j) % 26);
	}`;

function nodeText(): Uint8Array {
  const buf = new Uint8Array(BIG);
  for (let i = 0; i < MiB; i++) {
    buf[i] = textByte(i);
  }
  return buf;
}

function nodeDeflated(text = false): { buf: Uint8Array; stream: Uint8Array } {
  const buf = text ? nodeText() : nodeBuffers().buf;
  const stream = new Uint8Array(BIG);
  const n = deflateMessage(new Deflater(), buf, 0, MiB, stream, 0, BIG, 15);
  return { buf, stream: stream.subarray(0, n) };
}

/** Inflate and deflate of a 1 MiB message of the pattern, or of the text-like input. */
function flateBenches(text: boolean): Bench[] {
  const what = text ? "text-like 1 MiB message" : "1 MiB message (pattern)";
  const fill = text ? SP_TEXT_FILL + "\n\t" : "";
  return [
    {
      name: `inflate a ${what} (output bytes)`,
      unit: "MB/s",
      perIter: MiB,
      spSetup: fill + SP_DEFLATED,
      spBody: "inflateReset(g_inf);\n\t\tcheck += inflateMessage(g_inf, g_stream, 0, g_streamLen, g_out, 0, BIG);",
      spGuess: text ? 5 : 20,
      node: () => {
        const { stream } = nodeDeflated(text);
        const s = new Inflater();
        const out = new Uint8Array(BIG);
        return (n) => {
          let check = 0;
          for (let it = 0; it < n; it++) {
            inflateReset(s);
            check += inflateMessage(s, stream, 0, stream.length, out, 0, BIG);
          }
          return check;
        };
      },
      zlib: () => {
        const { stream } = nodeDeflated(text);
        const z = Buffer.concat([stream, Buffer.from([0, 0, 255, 255])]);
        return (n) => {
          let check = 0;
          for (let it = 0; it < n; it++) {
            check += inflateRawSync(z, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).length;
          }
          return check;
        };
      },
    },
    {
      name: `deflate a ${what} (MB/s of input)`,
      unit: "MB/s",
      perIter: MiB,
      spSetup: fill,
      spBody: `check += deflateMessage(g_defl, g_buf, 0, ${MiB}, g_out, 0, BIG, 15);`,
      spGuess: text ? 5 : 10,
      node: () => {
        const buf = text ? nodeText() : nodeBuffers().buf;
        const z = new Deflater();
        const out = new Uint8Array(BIG);
        return (n) => {
          let check = 0;
          for (let it = 0; it < n; it++) {
            check += deflateMessage(z, buf, 0, MiB, out, 0, BIG, 15);
          }
          return check;
        };
      },
      zlib: () => {
        const input = (text ? nodeText() : nodeBuffers().buf).subarray(0, MiB);
        return (n) => {
          let check = 0;
          for (let it = 0; it < n; it++) {
            check += deflateRawSync(input, { level: 1 }).length;
          }
          return check;
        };
      },
    },
  ];
}

const BENCHES: Bench[] = [
  {
    name: "mask/unmask 1 MiB (maskBytes)",
    unit: "MB/s",
    perIter: MiB,
    spSetup: "",
    spBody: "maskBytes(g_buf, 0, 1048576, g_key, 0, it);\n\t\tcheck += g_buf[it & 1023];",
    spGuess: 200,
    node: () => {
      const { buf, key } = nodeBuffers();
      return (n) => {
        let check = 0;
        for (let it = 0; it < n; it++) {
          maskBytes(buf, 0, MiB, key, 0, it);
          check += buf[it & 1023];
        }
        return check;
      };
    },
  },
  {
    name: "decode a 1 MiB binary message, 16 KiB reads",
    unit: "MB/s",
    perIter: MiB,
    spSetup: SP_BIG_STREAM,
    spBody: SP_DECODE,
    spGuess: 100,
    node: () => {
      const { buf, key } = nodeBuffers();
      const stream = new Uint8Array(MiB + 14);
      const h = frameEncodeHeader(stream, 0, true, 2, false, MiB, key, 0);
      stream.set(buf.subarray(0, MiB), h);
      return nodeDecode(stream.subarray(0, h + MiB), new Uint8Array(MiB));
    },
  },
  {
    name: `decode ${SMALL_FRAMES} small text frames (${SMALL_PAYLOAD.length} B), 16 KiB reads`,
    unit: "frames/s",
    perIter: SMALL_FRAMES,
    spSetup: SP_SMALL_STREAM,
    spBody: SP_DECODE,
    spGuess: 100,
    node: () => {
      const one = Buffer.concat([Buffer.from([0x81, SMALL_PAYLOAD.length]), Buffer.from(SMALL_PAYLOAD)]);
      const stream = new Uint8Array(Buffer.concat(new Array<Buffer>(SMALL_FRAMES).fill(one)));
      return nodeDecode(stream, new Uint8Array(MiB));
    },
  },
  ...flateBenches(false),
  ...flateBenches(true),
  {
    name: "encode a 100 B text frame (frameEncode)",
    unit: "ops/s",
    perIter: 1,
    spSetup: "",
    spBody: "check += frameEncode(g_out, 0, BIG, 1, g_buf, it & 255, 100, g_key, 0);",
    spGuess: 1000000,
    node: () => {
      const { buf, out, key } = nodeBuffers();
      return (n) => {
        let check = 0;
        for (let it = 0; it < n; it++) {
          check += frameEncode(out, 0, BIG, 1, buf, it & 255, 100, key, 0);
        }
        return check;
      };
    },
  },
  {
    name: "encode a 64 KiB text frame (frameEncode)",
    unit: "MB/s",
    perIter: 65536,
    spSetup: "",
    spBody: "check += frameEncode(g_out, 0, BIG, 1, g_buf, it & 255, 65536, g_key, 0);",
    spGuess: 3000,
    node: () => {
      const { buf, out, key } = nodeBuffers();
      return (n) => {
        let check = 0;
        for (let it = 0; it < n; it++) {
          check += frameEncode(out, 0, BIG, 1, buf, it & 255, 65536, key, 0);
        }
        return check;
      };
    },
  },
  {
    name: "SHA-1 of a handshake key + GUID (60 B)",
    unit: "us/op",
    perIter: 1,
    spSetup: `base64Encode(g_buf, 0, 16, g_key60, 0);\n\tbytesPutAscii(g_key60, 24, 64, WS_GUID);`,
    spBody:
      "g_key60[it & 15] = 65 + (it & 15);\n\t\tsha1(g_sha, g_key60, 0, 60, g_digest, 0);\n\t\tcheck += g_digest[0];",
    spGuess: 100000,
    node: () => {
      const { buf } = nodeBuffers();
      const key60 = new Uint8Array(64);
      base64Encode(buf, 0, 16, key60, 0);
      key60.set(Buffer.from(WS_GUID), 24);
      const s = new Sha1();
      const digest = new Uint8Array(20);
      return (n) => {
        let check = 0;
        for (let it = 0; it < n; it++) {
          key60[it & 15] = 65 + (it & 15);
          sha1(s, key60, 0, 60, digest, 0);
          check += digest[0];
        }
        return check;
      };
    },
  },
  {
    name: "handshake key + expected accept (handshakeInit: base64, SHA-1, base64)",
    unit: "us/op",
    perIter: 1,
    spSetup: "",
    spBody: "g_buf[it & 15] = it;\n\t\thandshakeInit(g_hs, g_buf, 0, g_buf, 0, 0);\n\t\tcheck += g_hs.accept[0];",
    spGuess: 100000,
    node: () => {
      const { buf } = nodeBuffers();
      const h = new Handshake();
      return (n) => {
        let check = 0;
        for (let it = 0; it < n; it++) {
          buf[it & 15] = it;
          handshakeInit(h, buf, 0, buf, 0, 0);
          check += h.accept[0];
        }
        return check;
      };
    },
  },
  {
    name: "base64 encode 1 KiB",
    unit: "MB/s",
    perIter: 1024,
    spSetup: "",
    spBody: "check += base64Encode(g_buf, it & 255, 1024, g_out, 0);",
    spGuess: 20000,
    node: () => {
      const { buf, out } = nodeBuffers();
      return (n) => {
        let check = 0;
        for (let it = 0; it < n; it++) {
          check += base64Encode(buf, it & 255, 1024, out, 0);
        }
        return check;
      };
    },
  },
  {
    name: "base64 decode 1 KiB (of text)",
    unit: "MB/s",
    perIter: 1024,
    spSetup: "base64Encode(g_buf, 0, 768, g_b64, 0);",
    spBody: "check += base64Decode(g_b64, 0, 1024, g_out, 0);",
    spGuess: 20000,
    node: () => {
      const { buf, out } = nodeBuffers();
      const b64 = new Uint8Array(1024);
      base64Encode(buf, 0, 768, b64, 0);
      return (n) => {
        let check = 0;
        for (let it = 0; it < n; it++) {
          check += base64Decode(b64, 0, 1024, out, 0);
        }
        return check;
      };
    },
  },
];

// ---------------------------------------------------------------- SourcePawn side

function projectRoot(): string {
  let dir = process.cwd();
  while (!existsSync(path.join(dir, "package.json")) || !existsSync(path.join(dir, "spec/core"))) {
    const up = path.dirname(dir);
    if (up === dir) {
      throw new Error("run from the spgen project root");
    }
    dir = up;
  }
  return dir;
}

/** The core transpiled from spec/core as one standalone include. */
function coreInclude(root: string): string {
  const r = transpileFiles(listSpecFiles(path.join(root, "spec/core")), { cwd: root });
  return `#if defined _bench_core_included\n #endinput\n#endif\n#define _bench_core_included\n\n${printDecls(r.decls)}`;
}

function benchProgram(b: Bench, iters: number): string {
  return `#pragma semicolon 1
#pragma newdecls required
#pragma dynamic 65536

native void printnum(int n);

#include "core.inc"

#define BIG ${BIG}
char g_buf[BIG];
char g_out[BIG];
char g_msg[BIG];
char g_stream[BIG];
int g_streamLen;
char g_key[4];
char g_key60[64];
char g_digest[20];
char g_b64[1024];
Sha1 g_sha;
Handshake g_hs;
FrameDecoder g_dec;
Inflater g_inf;
Deflater g_defl;

public int main()
{
	${SP_FILL}
	${b.spSetup}
	int check = 0;
	for (int it = 0; it < ${iters}; it++)
	{
		${b.spBody}
	}
	printnum(check + g_streamLen + g_out[0] + g_key60[0] + g_digest[0] + g_b64[0] + g_msg[0] + g_sha.h[0] + g_hs.accept[0] + g_dec.state + g_inf.state + g_defl.base);
	return 0;
}
`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * --cpu-time: both sides are timed in CPU time (user + system) instead of wall time, so that time spent waiting
 * for a CPU on a busy machine is not counted (spshell through /usr/bin/time, Node through process.cpuUsage()).
 */
let cpuTime = false;

/** Wall time (or CPU time with --cpu-time) of one spshell run, in seconds. */
function timeRun(shell: Shell, smx: string): number {
  if (cpuTime) {
    const r = spawnSync("/usr/bin/time", ["-f", "SPGEN_CPU %U %S", shell.path, "-w", smx], { encoding: "utf8" });
    const m = /SPGEN_CPU ([\d.]+) ([\d.]+)/.exec(r.stderr);
    if (r.status !== 0 || m === null) {
      throw new Error(`${shell.path} ${smx} failed: ${r.stdout}${r.stderr}`);
    }
    return Number(m[1]) + Number(m[2]);
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(shell.path, ["-w", smx], { encoding: "utf8" });
  const t = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    throw new Error(`${shell.path} ${smx} failed: ${r.stdout}${r.stderr}`);
  }
  return t;
}

/** Seconds since `t0` of `clock()`: wall time, or this process's CPU time with --cpu-time. */
function clock(): number {
  if (cpuTime) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
  return Number(process.hrtime.bigint()) / 1e9;
}

function compile(spcomp: Compiler, dir: string, name: string, source: string): string {
  const sp = path.join(dir, `${name}.sp`);
  const smx = path.join(dir, `${name}.smx`);
  writeFileSync(sp, source);
  execFileSync(spcomp.path, ["-p", "none", "-v", "0", sp, `-o${smx}`], { cwd: dir, encoding: "utf8" });
  return smx;
}

/** A run under callgrind that failed: main prints its message without a stack trace. */
class CallgrindError extends Error {}

/** x86 instructions of one run under callgrind. */
function countRun(shellPath: string, smx: string, dir: string): number {
  const outFile = path.join(dir, "callgrind.out");
  const r = spawnSync("valgrind", ["--tool=callgrind", `--callgrind-out-file=${outFile}`, shellPath, "-w", smx], {
    encoding: "utf8",
  });
  const m = /Collected : (\d+)/.exec(r.stderr);
  if (r.status !== 0 || m === null) {
    // valgrind 3.19 gives up on the debug information of a spshell built with symbols ("Possibly corrupted
    // debuginfo file"): a stripped copy counts the same instructions.
    const last = r.stderr.trim().split("\n").slice(-3).join("\n");
    const hint = /debuginfo/i.test(r.stderr)
      ? `\nvalgrind cannot read ${shellPath}'s debug information: give --callgrind a stripped copy (strip -o /tmp/spshell-stripped ${shellPath})`
      : "";
    throw new CallgrindError(
      `callgrind failed on ${path.basename(smx)} (exit ${r.status ?? r.signal}):\n${last}${hint}`,
    );
  }
  return Number(m[1]);
}

/**
 * x86 instructions per iteration of a benchmark in spshell (callgrind): the difference between runs of 2K and K
 * iterations, over K. Both runs call every function at least once, so the JIT's one-time compilation of the
 * functions the loop calls cancels out, as do start-up and setup (against an empty run, as measured until
 * b652820, the SHA-1 figure carried about 5.4 million instructions of compilation: 1,085 per hash at K = 5,000).
 */
function countSp(b: Bench, spcomp: Compiler, shellPath: string, dir: string): number {
  const slug = b.name.replace(/[^a-z0-9]+/gi, "_").slice(0, 40);
  const iters = Math.max(1, Math.round(b.spGuess / 20));
  const once = countRun(shellPath, compile(spcomp, dir, `${slug}_k`, benchProgram(b, iters)), dir);
  const twice = countRun(shellPath, compile(spcomp, dir, `${slug}_2k`, benchProgram(b, 2 * iters)), dir);
  return (twice - once) / iters;
}

interface Measure {
  readonly iters: number;
  /** Seconds per iteration. */
  readonly perIter: number;
}

/** A SourcePawn program ready to time: its baseline (the same program with no iteration) already measured. */
interface SpRunner {
  readonly iters: number;
  /** One timed run: seconds of loop time (the run minus the baseline). */
  readonly once: () => number;
}

/** The spshell program of a benchmark, with its iteration count scaled to about `target` seconds of loop time. */
function calibrateSp(b: Bench, spcomp: Compiler, shell: Shell, dir: string, target: number): SpRunner {
  const slug = b.name.replace(/[^a-z0-9]+/gi, "_").slice(0, 40);
  const base = compile(spcomp, dir, `${slug}_0`, benchProgram(b, 0));
  const baseline = median(Array.from({ length: REPEATS }, () => timeRun(shell, base)));
  let iters = Math.max(1, Math.round(b.spGuess * target));
  for (let round = 0; round < 4; round++) {
    const smx = compile(spcomp, dir, `${slug}_n`, benchProgram(b, iters));
    const once = timeRun(shell, smx) - baseline;
    if (once > target * 0.5 || round === 3) {
      return { iters, once: () => timeRun(shell, smx) - baseline };
    }
    iters = Math.max(iters + 1, Math.round((iters * target) / Math.max(once, 0.01)));
  }
  throw new Error("unreachable");
}

/** The Node side of a benchmark, warmed up, with its iteration count scaled to about `target` seconds. */
function calibrateNode(b: Bench, target: number): { iters: number; once: () => number } {
  const run = b.node();
  let iters = 1;
  for (;;) {
    const t0 = clock();
    run(iters);
    const t = clock() - t0;
    if (t > target * 0.3) {
      iters = Math.max(1, Math.round((iters * target) / t));
      break;
    }
    iters *= 4;
  }
  const n = iters;
  return {
    iters: n,
    once: () => {
      const t0 = clock();
      run(n);
      return clock() - t0;
    },
  };
}

/** Seconds per iteration in Node, scaled to about `target` seconds, median of REPEATS after a warm-up. */
function measureNode(b: Bench, target: number): Measure {
  const node = calibrateNode(b, target);
  const times = Array.from({ length: REPEATS }, () => node.once());
  return { iters: node.iters, perIter: median(times) / node.iters };
}

/**
 * Both sides of a benchmark, their runs interleaved (SourcePawn, Node, SourcePawn, …) so that a machine whose
 * speed drifts over minutes slows both alike: each side's figure is the median of its REPEATS runs, and the ratio
 * the median of the REPEATS ratios of the runs made side by side.
 */
function measurePair(
  b: Bench,
  spcomp: Compiler,
  shell: Shell,
  dir: string,
  target: number,
): { sp: Measure; node: Measure; ratio: number } {
  const sp = calibrateSp(b, spcomp, shell, dir, target);
  const node = calibrateNode(b, target * 0.5);
  const spTimes: number[] = [];
  const nodeTimes: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const s = Math.max(sp.once(), 1e-9) / sp.iters;
    const n = node.once() / node.iters;
    spTimes.push(s);
    nodeTimes.push(n);
    // Speeds: Node's time per iteration over SourcePawn's.
    ratios.push(n / s);
  }
  return {
    sp: { iters: sp.iters, perIter: median(spTimes) },
    node: { iters: node.iters, perIter: median(nodeTimes) },
    ratio: median(ratios),
  };
}

/** The figure of a measurement in the benchmark's unit. */
function figure(b: Bench, m: Measure): number {
  switch (b.unit) {
    case "MB/s":
      return b.perIter / m.perIter / 1e6;
    case "frames/s":
    case "ops/s":
      return b.perIter / m.perIter;
    case "us/op":
      return m.perIter * 1e6;
  }
}

function fmt(v: number): string {
  if (v >= 1e6) {
    return `${(v / 1e6).toFixed(2)} M`;
  }
  if (v >= 1e4) {
    return `${(v / 1e3).toFixed(0)} k`;
  }
  return v >= 100 ? v.toFixed(0) : v.toFixed(2);
}

// ---------------------------------------------------------------- memory per connection

/** datasize and memsize of the `.data` section of an .smx file (decompressing it when needed). */
export function smxDataSize(file: string): { datasize: number; memsize: number } {
  const raw = readFileSync(file);
  if (raw.readUInt32LE(0) !== 0x53504646) {
    throw new Error(`${file}: not an .smx file`);
  }
  const compression = raw.readUInt8(6);
  const sections = raw.readUInt8(15);
  const stringtab = raw.readUInt32LE(16);
  const dataoffs = raw.readUInt32LE(20);
  const image =
    compression === 1 ? Buffer.concat([raw.subarray(0, dataoffs), inflateSync(raw.subarray(dataoffs))]) : raw;
  for (let i = 0; i < sections; i++) {
    const at = 24 + i * 12;
    const nameoffs = image.readUInt32LE(at);
    const off = image.readUInt32LE(at + 4);
    const nameStart = stringtab + nameoffs;
    const name = image.subarray(nameStart, image.indexOf(0, nameStart)).toString("latin1");
    if (name === ".data") {
      return { datasize: image.readUInt32LE(off), memsize: image.readUInt32LE(off + 4) };
    }
  }
  throw new Error(`${file}: no .data section`);
}

const RECORDS = [
  "WsConn",
  "ParsedUrl",
  "Handshake",
  "Sha1",
  "FrameDecoder",
  "EioOpenInfo",
  "SioParsed",
  "Backoff",
  "Inflater",
  "Deflater",
];

function memoryReport(root: string, spcomp: Compiler, shell: Shell, dir: string): string[] {
  const lines: string[] = [];
  // Record sizes as the compiler lays them out (sizeof of an enum struct counts cells of 4 bytes).
  const prog = `native void printnum(int n);\n#include "core.inc"\npublic int main()\n{\n${RECORDS.map((r) => `\tprintnum(sizeof(${r}));`).join("\n")}\n\treturn 0;\n}\n`;
  const smx = compile(spcomp, dir, "sizes", prog);
  const cells = execFileSync(shell.path, [smx], { encoding: "utf8" }).trim().split("\n").map(Number);
  lines.push("Core records (sizeof in spcomp, 4-byte cells):");
  RECORDS.forEach((r, i) => lines.push(`  ${r.padEnd(14)} ${String(cells[i] * 4).padStart(7)} bytes`));
  // The same measured as data: 9 connections minus 1 connection, divided by 8.
  const withConns = (n: number): number =>
    smxDataSize(
      compile(
        spcomp,
        dir,
        `conns${n}`,
        `#include "core.inc"\nWsConn g_c[${n}];\npublic int main()\n{\n\treturn g_c[0].state;\n}\n`,
      ),
    ).datasize;
  lines.push(`  WsConn in the .data section: ${(withConns(9) - withConns(1)) / 8} bytes per connection`);
  // The generated plugin: its data section with --max-connections 1 and 2, and with the defaults.
  const smInclude = spcomp.smInclude;
  const socketInclude = findSocketIncludes().find((x) => x.flavour === "plain")?.dir ?? null;
  if (smInclude === null || socketInclude === null) {
    lines.push("Generated plugin: not measured (no SourceMod includes or socket.inc for this compiler)");
    return lines;
  }
  const gens = [1, 2, CONFIG_MAX_CONNECTIONS].map((n) => {
    const out = path.join(dir, `plugin${n}`);
    mkdirSync(out, { recursive: true });
    // Through the CLI: the same path a user takes.
    execFileSync(
      process.execPath,
      [path.join(root, "dist/generator/cli.js"), "generate", "--out", out, "--max-connections", String(n)],
      { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    return out;
  });
  // Every generated plugin source but the self-test (the glue's place under out/ may change).
  const plugins = listFiles(gens[0]).filter((f) => f.endsWith(".sp") && !f.endsWith("websocket_selftest.sp"));
  for (const rel of plugins) {
    try {
      const sizes = gens.map((out, i) => {
        const sp = path.join(out, rel);
        const incs = [smInclude, socketInclude, path.dirname(sp), path.join(path.dirname(sp), "include")];
        incs.push(path.join(out, "scripting"), path.join(out, "scripting/include"));
        const smx = path.join(dir, `plugin-${i}.smx`);
        execFileSync(spcomp.path, [sp, ...incs.map((d) => `-i${d}`), `-o${smx}`], {
          cwd: path.dirname(sp),
          encoding: "utf8",
        });
        return smxDataSize(smx).datasize;
      });
      lines.push(`Generated plugin out/${rel} (spcomp ${spcomp.version}, socket-plain):`);
      lines.push(`  .data with 1 connection: ${sizes[0]} bytes; with 2: ${sizes[1]} bytes`);
      lines.push(
        `  .data with the defaults (${CONFIG_MAX_CONNECTIONS} connections, ${CONFIG_MAX_MESSAGE_SIZE}-byte messages): ${sizes[2]} bytes (${(sizes[2] / MiB).toFixed(2)} MiB), whether or not a connection is open`,
      );
      lines.push(
        `  static memory per connection: ${sizes[1] - sizes[0]} bytes (${((sizes[1] - sizes[0]) / MiB).toFixed(2)} MiB)`,
      );
    } catch (e) {
      const err = e as { stdout?: string; message: string };
      const first = (err.stdout ?? err.message).split("\n").find((l) => /error/.test(l)) ?? err.message.split("\n")[0];
      lines.push(`Generated plugin out/${rel}: not measured (does not compile here: ${first.trim()})`);
    }
  }
  return lines;
}

/** Files under dir, relative, with / separators, sorted. */
function listFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory()) {
      out.push(...listFiles(dir, r));
    } else {
      out.push(r);
    }
  }
  return out.sort();
}

// ---------------------------------------------------------------- main

const USAGE = `usage: node dist/scripts/bench-core.js [--quick] [--only TEXT] [--memory-only] [--cpu N] [--cpu-time]
                                  [--shell spshell-1.13] [--spcomp spcomp-1.13] [--callgrind STRIPPED_SPSHELL]

The transpiled core in spshell's JIT next to the TypeScript oracle on Node, same inputs (see the
header of scripts/bench-core.ts for each option); --help prints this text.
`;

/** Options that take a value, and flags. */
const VALUE_OPTIONS = ["--only", "--cpu", "--shell", "--spcomp", "--callgrind"];
const FLAG_OPTIONS = ["--quick", "--memory-only", "--cpu-time", "--help"];

/** The first argument that is not an option of this script (or an option without its value), or null. */
function badArgument(argv: readonly string[]): string | null {
  for (let i = 0; i < argv.length; i++) {
    if (VALUE_OPTIONS.includes(argv[i])) {
      if (argv[i + 1] === undefined) {
        return `${argv[i]} needs a value`;
      }
      i++;
    } else if (!FLAG_OPTIONS.includes(argv[i])) {
      return `unknown argument ${argv[i]}`;
    }
  }
  return null;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--help")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const bad = badArgument(argv);
  if (bad !== null) {
    process.stderr.write(`bench-core: ${bad}\n${USAGE}`);
    return 2;
  }
  const root = projectRoot();
  const quick = argv.includes("--quick");
  const target = quick ? 0.3 : 1;
  const pick = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  cpuTime = argv.includes("--cpu-time");
  if (cpuTime && !existsSync("/usr/bin/time")) {
    process.stderr.write("bench-core: --cpu-time needs /usr/bin/time\n");
    return 2;
  }
  const cpu = pick("--cpu");
  if (cpu !== undefined) {
    if (!/^\d+$/.test(cpu)) {
      process.stderr.write("bench-core: --cpu needs a CPU number\n");
      return 2;
    }
    // Children (spcomp, spshell) inherit the affinity of this process.
    const r = spawnSync("taskset", ["-a", "-p", "-c", cpu, String(process.pid)], { encoding: "utf8" });
    if (r.status !== 0) {
      process.stderr.write(`bench-core: taskset failed: ${r.error?.message ?? r.stderr}\n`);
      return 2;
    }
  }
  const compilers = findCompilers();
  const shells = findShells();
  const spcomp =
    pick("--spcomp") !== undefined
      ? compilers.find((c) => c.path.endsWith(pick("--spcomp") as string))
      : compilers.at(-1);
  const shell =
    pick("--shell") !== undefined
      ? shells.find((s) => s.path.endsWith(pick("--shell") as string))
      : shells.find((s) => s.jit && spcomp !== undefined && s.version === spcomp.version);
  if (spcomp === undefined || shell === undefined) {
    process.stderr.write(
      "bench-core: needs spcomp and a spshell of the same version (spcomp-1.13 + spshell-1.13 for the JIT)\n",
    );
    return 2;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "spgen-bench-"));
  try {
    writeFileSync(path.join(dir, "core.inc"), coreInclude(root));
    const vm = `spshell ${shell.version} ${shell.jit ? "JIT" : "interpreter"}`;
    const grind = pick("--callgrind");
    process.stdout.write(
      grind === undefined
        ? `Toolchain: ${spcomp.banner} (${spcomp.path}), ${vm} (${shell.path}); Node ${process.version}\n`
        : `Toolchain: ${spcomp.banner} (${spcomp.path}), ${grind} under valgrind's callgrind\n` +
            "Each figure: x86 instructions of a run with 2K iterations minus a run with K, over K (the JIT's compilation cancels out).\n\n",
    );
    if (!argv.includes("--memory-only") && grind === undefined) {
      process.stdout.write(
        `Each figure: median of ${REPEATS} runs (${cpuTime ? "CPU time, user + system" : "wall time"}); SourcePawn runs minus an empty run (start-up, setup);\n` +
          `SourcePawn and Node runs alternate, and SP / Node is the median of the ${REPEATS} side-by-side ratios.\n\n`,
      );
    }
    const rows: string[][] = [
      ["operation", "unit", `SourcePawn (${vm})`, "Node (TS oracle)", "SP / Node", "target", "met"],
    ];
    const only = pick("--only");
    const selected = BENCHES.filter((b) => only === undefined || b.name.includes(only));
    if (grind !== undefined) {
      for (const b of selected) {
        let n: number;
        try {
          n = countSp(b, spcomp, grind, dir);
        } catch (e) {
          if (e instanceof CallgrindError) {
            process.stderr.write(`bench-core: ${e.message}\n`);
            return 2;
          }
          throw e;
        }
        const per =
          b.unit === "MB/s"
            ? ` (${(n / b.perIter).toFixed(2)} per byte)`
            : b.unit === "frames/s"
              ? ` (${(n / b.perIter).toFixed(0)} per frame)`
              : "";
        process.stdout.write(`${b.name}: ${Math.round(n)} instructions per iteration${per}\n`);
      }
      return 0;
    }
    for (const b of argv.includes("--memory-only") ? [] : selected) {
      const { sp, node, ratio } = measurePair(b, spcomp, shell, dir, target);
      const spv = figure(b, sp);
      const nv = figure(b, node);
      rows.push([
        b.name,
        b.unit,
        fmt(spv),
        fmt(nv),
        ratio.toFixed(2),
        `>= ${TARGET_RATIO.toFixed(2)}`,
        ratio >= TARGET_RATIO ? "yes" : "no",
      ]);
      process.stderr.write(`  ${b.name}: SP ${fmt(spv)} (${sp.iters} iterations), Node ${fmt(nv)} (${node.iters})\n`);
    }
    const zlibLines: string[] = [];
    for (const b of argv.includes("--memory-only") ? [] : selected) {
      if (b.zlib !== undefined) {
        const m = measureNode({ ...b, node: b.zlib }, target * 0.5);
        const level = b.name.startsWith("deflate") ? " (zlib level 1)" : "";
        zlibLines.push(`${b.name}: node:zlib ${fmt(figure(b, m))} ${b.unit} on the same input${level}`);
      }
    }
    // --memory-only: no timing table (it would be empty).
    if (rows.length > 1) {
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      const line = (r: string[]): string =>
        `| ${r.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(" | ")} |`;
      process.stdout.write(
        `${line(rows[0])}\n|${widths.map((w, i) => (i >= 2 ? `${"-".repeat(w + 1)}:` : "-".repeat(w + 2))).join("|")}|\n`,
      );
      for (const r of rows.slice(1)) {
        process.stdout.write(`${line(r)}\n`);
      }
      for (const l of zlibLines) {
        process.stdout.write(`${l}\n`);
      }
      const met = rows.slice(1).filter((r) => r[6] === "yes").length;
      process.stdout.write(
        `\n${met} of ${rows.length - 1} figures at >= ${TARGET_RATIO} x the oracle (issue 14).\nTargets (issue 5): masking >= 400 MB/s, decode >= 200 MB/s and >= 500,000 frames/s, SHA-1 <= 20 us.\n\n`,
      );
    }
    for (const l of memoryReport(root, spcomp, shell, dir)) {
      process.stdout.write(`${l}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
