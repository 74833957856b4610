/**
 * The transpiled inflate.ts and deflate.ts in the SourcePawn VM against the
 * oracle: streams made by node:zlib (levels, strategies, small windows,
 * stored blocks, mutated bytes, a bomb under a limit) inflated in one piece
 * and in small input/output pieces, messages with context takeover, and the
 * compressor's output, byte for byte (length and Adler-32 of each result, or
 * the error). Runs with every spcomp found, with -E, in spshell.
 */

import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { deflateRawSync, constants as Z } from "node:zlib";
import { describe, expect, it } from "vitest";
import { listSpecFiles } from "../../generator/generate.js";
import { printDecls } from "../../generator/sourcepawn/printer.js";
import { findCompilers, findShells } from "../../generator/toolchain/index.js";
import { skipWithReason } from "../../generator/test/skip.js";
import { transpileFiles } from "../../generator/transpile.js";
import { decoderFeed, decoderInit, FrameDecoder } from "../core/decoder.js";
import { Deflater, deflateMessage } from "../core/deflate.js";
import { Handshake, handshakeFeed, handshakeInit, handshakeOfferDeflate } from "../core/handshake.js";
import {
  InflateResult,
  Inflater,
  inflateFinish,
  inflateMessage,
  inflateMessageStart,
  inflateReset,
  inflateRun,
} from "../core/inflate.js";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

function adler(b: Uint8Array): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return (s * 65536 + a) | 0;
}

function xorshift(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function text(n: number, seed: number): Buffer {
  const r = xorshift(seed);
  const words = ["alpha ", "beta ", "gamma ", '{"round":', "12,", "player_", "€", "\n"];
  let s = "";
  while (s.length < n) s += words[r() % words.length];
  return Buffer.from(s).subarray(0, n);
}

function noise(n: number, seed: number): Buffer {
  const r = xorshift(seed);
  return Buffer.from(Array.from({ length: n }, () => r() & 255));
}

/** Inflate cases: compressed message payloads (tail removed), the limit, and the input/output piece sizes. */
interface Case {
  data: Uint8Array;
  limit: number;
  inStep: number;
  outStep: number;
  /** Reset the window first (no context takeover), else keep it from the previous case. */
  reset: boolean;
}

function payload(data: Uint8Array, opts = {}): Uint8Array {
  const z = deflateRawSync(data, { ...opts, finishFlush: Z.Z_SYNC_FLUSH });
  return new Uint8Array(z.subarray(0, z.length - 4));
}

function cases(): Case[] {
  const list: Case[] = [];
  const add = (data: Uint8Array, limit = 200000, inStep = 1 << 20, outStep = 1 << 20, reset = true) =>
    list.push({ data, limit, inStep, outStep, reset });
  const t = text(20000, 1);
  for (const level of [0, 1, 6, 9]) add(payload(t, { level }));
  for (const strategy of [Z.Z_FIXED, Z.Z_HUFFMAN_ONLY, Z.Z_RLE, Z.Z_FILTERED]) add(payload(t, { strategy }));
  add(payload(t, { windowBits: 9 }));
  add(payload(noise(5000, 2)));
  add(payload(new Uint8Array(0)));
  add(payload(new Uint8Array([65])));
  add(payload(new Uint8Array(100000), { level: 9 }), 65536);
  // Long matches whose distance is shorter than the copies SourcePawn makes at once (64, 16, 4): each byte reads one
  // written a few bytes before by the same match.
  for (const period of [2, 5, 17, 37, 63]) {
    const unit = noise(period, period);
    add(
      payload(
        Uint8Array.from({ length: 40000 }, (_, i) => unit[i % period]),
        { level: 9 },
      ),
      65536,
    );
  }
  add(payload(t), 19999);
  add(payload(t), 200000, 7, 13);
  add(payload(t, { level: 0 }), 200000, 3, 5);
  add(new Uint8Array(deflateRawSync(Buffer.from("final block"))));
  // Context takeover: the second message refers into the first.
  const m1 = noise(3000, 5);
  add(payload(m1));
  const z2 = deflateRawSync(m1.subarray(10, 1010), { dictionary: m1, finishFlush: Z.Z_SYNC_FLUSH });
  list.push({
    data: new Uint8Array(z2.subarray(0, z2.length - 4)),
    limit: 5000,
    inStep: 1 << 20,
    outStep: 1 << 20,
    reset: false,
  });
  // Mutated streams.
  const r = xorshift(9);
  for (let i = 0; i < 40; i++) {
    const p = payload(text(600, 100 + i), { level: i % 10, strategy: i % 4 === 0 ? Z.Z_FIXED : 0 });
    p[r() % p.length] ^= 1 << (r() % 8);
    add(p, 5000);
  }
  return list;
}

/** The oracle's line for a case: `n adler` or `e error`. */
function oracleLine(s: Inflater, c: Case): string {
  if (c.reset) inflateReset(s);
  inflateMessageStart(s, c.limit);
  const out = new Uint8Array(c.limit + 1);
  let inPos = 0;
  let outPos = 0;
  for (;;) {
    const n = Math.min(c.inStep, c.data.length - inPos);
    const room = Math.min(c.outStep, out.length - outPos);
    const r = inflateRun(s, c.data, inPos, n, out, outPos, room);
    inPos += s.inUsed;
    outPos += s.outMade;
    if (r === InflateResult.Error) return `e ${s.error}`;
    if (r === InflateResult.End) break;
    if (r === InflateResult.NeedInput && inPos >= c.data.length) break;
  }
  if (!inflateFinish(s)) return `e ${s.error}`;
  return `${outPos} ${adler(out.subarray(0, outPos))}`;
}

/** Deflate cases: plain messages and the window bits. */
const DEFLATE_INPUTS: [Uint8Array, number][] = [
  [text(30000, 3), 15],
  [text(30000, 3), 8],
  [noise(3000, 4), 15],
  [new Uint8Array(0), 15],
  [new Uint8Array(70000), 15],
  [Buffer.from("abcabcabcabc"), 10],
];

/** Handshake responses (the Sec-WebSocket-Extensions values) negotiated in both languages. */
const RESPONSES: string[] = [
  "permessage-deflate",
  "permessage-deflate; server_no_context_takeover; client_max_window_bits=9",
  'permessage-deflate; server_max_window_bits="12"; client_no_context_takeover',
  "permessage-deflate; client_max_window_bits",
  "permessage-deflate; foo",
  "permessage-deflate, permessage-deflate",
  "x-other",
];

function responseText(ext: string): string {
  return (
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" +
    `Sec-WebSocket-Extensions: ${ext}\r\n\r\n`
  );
}

function negotiateLine(ext: string): string {
  const h = new Handshake();
  const nonce = Buffer.from("dGhlIHNhbXBsZSBub25jZQ==", "base64");
  handshakeInit(h, nonce, 0, nonce, 0, 0);
  handshakeOfferDeflate(h);
  const r = Buffer.from(responseText(ext), "latin1");
  handshakeFeed(h, r, 0, r.length);
  return `h ${h.state} ${h.error} ${h.deflate ? 1 : 0} ${h.deflateServerNoContext ? 1 : 0} ${h.deflateClientNoContext ? 1 : 0} ${h.deflateServerBits} ${h.deflateClientBits}`;
}

/** First header bytes fed to a decoder with permessage-deflate negotiated (then a 1-byte payload). */
const RSV_BYTES = [0xc1, 0xc2, 0x41, 0xc0, 0xc9, 0xa1, 0x91, 0x81];

function rsvLine(b0: number): string {
  const d = new FrameDecoder();
  decoderInit(d, 1000);
  d.deflate = true;
  const stream = Uint8Array.from([b0, 1, 0]);
  const msg = new Uint8Array(16);
  decoderFeed(d, stream, 0, 3, msg);
  return `r ${d.event} ${d.errorCode} ${d.msgCompressed ? 1 : 0}`;
}

function deflateLine(z: Deflater, data: Uint8Array, bits: number): string {
  const out = new Uint8Array(data.length * 2 + 16);
  const n = deflateMessage(z, data, 0, data.length, out, 0, out.length, bits);
  return n < 0 ? "d -1" : `d ${n} ${adler(out.subarray(0, n))}`;
}

function spArray(name: string, b: Uint8Array): string {
  const rows: string[] = [];
  for (let i = 0; i < b.length; i += 32) rows.push(Array.from(b.subarray(i, i + 32)).join(","));
  // spcomp takes no brace list for a char array: ints, copied into g_data before use.
  return `int ${name}[] = {${b.length === 0 ? "0" : rows.join(",\n\t")}};`;
}

function program(list: Case[]): string {
  const arrays: string[] = [];
  const calls: string[] = [];
  list.forEach((c, i) => {
    arrays.push(spArray(`g_in${i}`, c.data));
    calls.push(`\trunCase(g_in${i}, ${c.data.length}, ${c.limit}, ${c.inStep}, ${c.outStep}, ${c.reset});`);
  });
  DEFLATE_INPUTS.forEach(([d, bits], i) => {
    arrays.push(spArray(`g_plain${i}`, d));
    calls.push(`\trunDeflate(g_plain${i}, ${d.length}, ${bits});`);
  });
  RESPONSES.forEach((ext, i) => {
    arrays.push(
      `char g_resp${i}[] = "${responseText(ext).replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\r/g, "\\r").replace(/\n/g, "\\n")}";`,
    );
    calls.push(`\trunNegotiate(g_resp${i}, ${responseText(ext).length});`);
  });
  for (const b of RSV_BYTES) calls.push(`\trunRsv(${b});`);
  return `#pragma semicolon 1
#pragma newdecls required
#pragma dynamic 65536

native void printnum(int n);
native int printf(const char[] format, any ...);

#include "core.inc"

Inflater g_inf;
Deflater g_defl;
char g_out[300000];
char g_data[200000];

void load(const int[] src, int len)
{
	for (int i = 0; i < len; i++)
	{
		g_data[i] = src[i];
	}
}

${arrays.join("\n")}

int Adler(const char[] b, int n)
{
	int a = 1;
	int s = 0;
	for (int i = 0; i < n; i++)
	{
		a = (a + b[i]) % 65521;
		s = (s + a) % 65521;
	}
	return s * 65536 + a;
}

void runCase(const int[] src, int len, int limit, int inStep, int outStep, bool reset)
{
	load(src, len);
	if (reset)
	{
		inflateReset(g_inf);
	}
	inflateMessageStart(g_inf, limit);
	int inPos = 0;
	int outPos = 0;
	for (;;)
	{
		int n = len - inPos;
		if (n > inStep)
		{
			n = inStep;
		}
		int room = limit + 1 - outPos;
		if (room > outStep)
		{
			room = outStep;
		}
		int r = inflateRun(g_inf, g_data, inPos, n, g_out, outPos, room);
		inPos += g_inf.inUsed;
		outPos += g_inf.outMade;
		if (r == InflateResult_Error)
		{
			printf("e %d\\n", g_inf.error);
			return;
		}
		if (r == InflateResult_End || (r == InflateResult_NeedInput && inPos >= len))
		{
			break;
		}
	}
	if (!inflateFinish(g_inf))
	{
		printf("e %d\\n", g_inf.error);
		return;
	}
	printf("%d %d\\n", outPos, Adler(g_out, outPos));
}

void runDeflate(const int[] src, int len, int bits)
{
	load(src, len);
	int n = deflateMessage(g_defl, g_data, 0, len, g_out, 0, sizeof(g_out), bits);
	if (n < 0)
	{
		printf("d -1\\n");
		return;
	}
	printf("d %d %d\\n", n, Adler(g_out, n));
}

void runNegotiate(const char[] resp, int len)
{
	Handshake h;
	char nonce[16];
	char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
	base64Decode(key, 0, 24, nonce, 0);
	handshakeInit(h, nonce, 0, nonce, 0, 0);
	handshakeOfferDeflate(h);
	handshakeFeed(h, resp, 0, len);
	printf("h %d %d %d %d %d %d %d\\n", h.state, h.error, h.deflate ? 1 : 0, h.deflateServerNoContext ? 1 : 0,
		h.deflateClientNoContext ? 1 : 0, h.deflateServerBits, h.deflateClientBits);
}

void runRsv(int b0)
{
	FrameDecoder d;
	decoderInit(d, 1000);
	d.deflate = true;
	char stream[3];
	stream[0] = b0;
	stream[1] = 1;
	char msg[16];
	decoderFeed(d, stream, 0, 3, msg);
	printf("r %d %d %d\\n", d.event, d.errorCode, d.msgCompressed ? 1 : 0);
}

public int main()
{
${calls.join("\n")}
	return 0;
}
`;
}

describe("inflate/deflate in the SourcePawn VM equal the oracle", () => {
  const compilers = findCompilers();
  const shells = findShells();
  const list = cases();
  const s = new Inflater();
  const want = list.map((c) => oracleLine(s, c));
  const z = new Deflater();
  for (const [d, bits] of DEFLATE_INPUTS) want.push(deflateLine(z, d, bits));
  for (const ext of RESPONSES) want.push(negotiateLine(ext));
  for (const b of RSV_BYTES) want.push(rsvLine(b));

  it("the oracle's inflate lines agree with inflateMessage where the case is whole", () => {
    const t = new Inflater();
    list.forEach((c, i) => {
      if (!c.reset || c.inStep < 1 << 20) return;
      inflateReset(t);
      const out = new Uint8Array(c.limit + 1);
      const n = inflateMessage(t, c.data, 0, c.data.length, out, 0, c.limit);
      expect(want[i]).toBe(n < 0 ? `e ${-n}` : `${n} ${adler(out.subarray(0, n))}`);
    });
    expect(want.filter((l) => l.startsWith("e ")).length).toBeGreaterThan(10);
  });

  if (compilers.length === 0 || shells.length === 0) {
    skipWithReason(
      import.meta.url,
      "the transpiled inflate/deflate in spshell",
      compilers.length === 0 ? "no spcomp found (see npm run toolchain)" : "no spshell found (see npm run toolchain)",
    );
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), "spgen-inflate-sp-"));
  const r = transpileFiles(listSpecFiles(path.join(ROOT, "spec/core")), { cwd: ROOT });
  writeFileSync(
    path.join(dir, "core.inc"),
    `#if defined _t_core_included\n #endinput\n#endif\n#define _t_core_included\n\n${printDecls(r.decls)}`,
  );
  writeFileSync(path.join(dir, "t.sp"), program(list));
  for (const c of compilers) {
    const shell = shells.find((sh) => sh.version === c.version) ?? shells[shells.length - 1];
    it(`${c.banner} -E, ${shell.path}: same lines`, { timeout: 120_000 }, () => {
      const smx = path.join(dir, `t-${c.version}.smx`);
      const comp = spawnSync(c.path, ["-p", "none", "-E", "-v", "0", "t.sp", `-o${smx}`], {
        cwd: dir,
        encoding: "utf8",
      });
      expect(comp.status, comp.stdout + comp.stderr).toBe(0);
      const run = spawnSync(shell.path, ["-w", smx], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      expect(run.stdout.trim().split("\n")).toEqual(want);
    });
  }
  it("cleans up", () => rmSync(dir, { recursive: true, force: true }));
});
