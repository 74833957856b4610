/**
 * permessage-deflate (RFC 7692) in the connection: the offer, the response's
 * negotiation (every parameter, its values, duplicates, unknown ones), RSV1 in
 * the decoder (first data frame only, and only when negotiated), inflating a
 * reported message (1009 for bombs, 1007 for bad data or text), compressing
 * outgoing ones, and a real `ws` server with perMessageDeflate (and its
 * *_no_context_takeover and window variants) driven over net.Socket by a small
 * driver of conn.ts written here (the harness is not used).
 */

import { randomBytes } from "node:crypto";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { deflateRawSync, inflateRawSync, constants as Z } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import {
  ConnOut,
  WsConn,
  connEncodeCloseError,
  connEncodeCloseReply,
  connEncodeDeflated,
  connEncodeFrame,
  connEncodePong,
  connFeed,
  connInflateBegin,
  connInflateEnd,
  connInflateMessage,
  connInflatePiece,
  connInit,
  connOfferDeflate,
  connRequest,
} from "../core/conn.js";
import { Deflater } from "../core/deflate.js";
import { HandshakeError, HandshakeState } from "../core/handshake.js";
import { InflateResult, Inflater, inflateReset } from "../core/inflate.js";
import { ReadyState } from "../core/state.js";
import { urlParse } from "../core/url.js";

const NONCE = Buffer.from("dGhlIHNhbXBsZSBub25jZQ==", "base64");
const ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
const KEY = Buffer.from([1, 2, 3, 4]);

function fresh(offer: boolean, maxMessage = 1 << 20, url = "ws://example.org/chat"): WsConn {
  const c = new WsConn();
  const u = Buffer.from(url);
  urlParse(c.url, u, 0, u.length);
  connInit(c, NONCE, 0, u, 0, 0, maxMessage);
  if (offer) connOfferDeflate(c);
  return c;
}

function request(c: WsConn): string {
  const out = new Uint8Array(1024);
  const none = new Uint8Array(0);
  const n = connRequest(c, out, out.length, none, 0, 0, none, 0, 0);
  return Buffer.from(out.subarray(0, n)).toString("latin1");
}

function response(...extensions: string[]): Buffer {
  return Buffer.from(
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
      `Sec-WebSocket-Accept: ${ACCEPT}\r\n` +
      extensions.map((e) => `Sec-WebSocket-Extensions: ${e}\r\n`).join("") +
      "\r\n",
    "latin1",
  );
}

/** Feeds a handshake response; returns the connection after it. */
function negotiate(offer: boolean, ...extensions: string[]): WsConn {
  const c = fresh(offer);
  const r = response(...extensions);
  const used = connFeed(c, r, 0, r.length, new Uint8Array(16));
  expect(used).toBe(r.length);
  return c;
}

function frame(b0: number, payload: Uint8Array): Buffer {
  const p = Buffer.from(payload);
  if (p.length < 126) return Buffer.concat([Buffer.from([b0, p.length]), p]);
  const h = Buffer.from([b0, 126, p.length >> 8, p.length & 255]);
  return Buffer.concat([h, p]);
}

/** What ws sends for a compressed message: raw deflate, sync flush, tail removed. */
function compress(data: Uint8Array | string, opts = {}): Uint8Array {
  const z = deflateRawSync(typeof data === "string" ? Buffer.from(data) : data, {
    ...opts,
    finishFlush: Z.Z_SYNC_FLUSH,
  });
  return new Uint8Array(z.subarray(0, z.length - 4));
}

describe("offer (RFC 7692 §5.1, §7.1)", () => {
  it("is not made unless asked: the request is the same as before", () => {
    const req = request(fresh(false));
    expect(req).not.toMatch(/Extensions/i);
    expect(req).toBe(
      "GET /chat HTTP/1.1\r\nHost: example.org\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
    );
  });

  it("offers permessage-deflate with client_max_window_bits", () => {
    expect(request(fresh(true))).toContain(
      "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n",
    );
  });
});

describe("response (RFC 7692 §7.1)", () => {
  const accepted: [string, boolean, boolean, number, number][] = [
    // value, server_no_context_takeover, client_no_context_takeover, server bits, client bits
    ["permessage-deflate", false, false, 15, 15],
    ["permessage-deflate; client_max_window_bits=15", false, false, 15, 15],
    ["permessage-deflate; server_no_context_takeover", true, false, 15, 15],
    ["permessage-deflate; client_no_context_takeover", false, true, 15, 15],
    [
      "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=9; client_max_window_bits=8",
      true,
      true,
      9,
      8,
    ],
    ['permessage-deflate;server_max_window_bits="10" ; client_max_window_bits = 12', false, false, 10, 12],
    ["PerMessage-Deflate; Server_No_Context_Takeover", true, false, 15, 15],
  ];
  for (const [value, snc, cnc, sb, cb] of accepted) {
    it(`accepts ${value}`, () => {
      const c = negotiate(true, value);
      expect(c.state).toBe(ReadyState.Open);
      expect(c.hs.deflate).toBe(true);
      expect([c.hs.deflateServerNoContext, c.hs.deflateClientNoContext]).toEqual([snc, cnc]);
      expect([c.hs.deflateServerBits, c.hs.deflateClientBits]).toEqual([sb, cb]);
      expect(c.dec.deflate).toBe(true);
    });
  }

  it("a server that ignores the offer leaves compression off", () => {
    const c = negotiate(true);
    expect(c.state).toBe(ReadyState.Open);
    expect(c.hs.deflate).toBe(false);
    expect(c.dec.deflate).toBe(false);
  });

  const refused: [string[], number][] = [
    [["permessage-deflate; foo"], HandshakeError.BadExtension],
    [["permessage-deflate; foo=1"], HandshakeError.BadExtension],
    [["permessage-deflate;"], HandshakeError.BadExtension],
    [["permessage-deflate; server_no_context_takeover; server_no_context_takeover"], HandshakeError.BadExtension],
    [["permessage-deflate; client_no_context_takeover; client_no_context_takeover"], HandshakeError.BadExtension],
    [["permessage-deflate; server_no_context_takeover=1"], HandshakeError.BadExtension],
    [["permessage-deflate; client_max_window_bits"], HandshakeError.BadExtension],
    [["permessage-deflate; server_max_window_bits"], HandshakeError.BadExtension],
    [["permessage-deflate; server_max_window_bits=7"], HandshakeError.BadExtension],
    [["permessage-deflate; server_max_window_bits=16"], HandshakeError.BadExtension],
    [["permessage-deflate; client_max_window_bits=08x"], HandshakeError.BadExtension],
    [["permessage-deflate; client_max_window_bits=10; client_max_window_bits=10"], HandshakeError.BadExtension],
    [["permessage-deflate; server_max_window_bits=10; server_max_window_bits=11"], HandshakeError.BadExtension],
    [["permessage-deflate, permessage-deflate"], HandshakeError.BadExtension],
    [["permessage-deflate", "permessage-deflate"], HandshakeError.BadExtension],
    [["x-webkit-deflate-frame"], HandshakeError.UnrequestedExtension],
    [["permessage-deflate, foo"], HandshakeError.UnrequestedExtension],
  ];
  for (const [values, error] of refused) {
    it(`refuses ${values.join(" / ")}`, () => {
      const c = negotiate(true, ...values);
      expect(c.out).toBe(ConnOut.HandshakeFailed);
      expect(c.hs.state).toBe(HandshakeState.Failed);
      expect(c.hs.error).toBe(error);
    });
  }

  it("with a smaller inflate window, offers server_max_window_bits and holds the server to it", () => {
    const withBits = (...ext: string[]): WsConn => {
      const c = fresh(true);
      // As with CONFIG_INFLATE_WINDOW_BITS = 10.
      c.hs.deflateOfferBits = 10;
      const r = response(...ext);
      connFeed(c, r, 0, r.length, new Uint8Array(16));
      return c;
    };
    const c = fresh(true);
    c.hs.deflateOfferBits = 10;
    expect(request(c)).toContain(
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits; server_max_window_bits=10\r\n",
    );
    expect(withBits("permessage-deflate; server_max_window_bits=10").hs.deflateServerBits).toBe(10);
    expect(withBits("permessage-deflate; server_max_window_bits=9").hs.deflateServerBits).toBe(9);
    expect(withBits("permessage-deflate; server_max_window_bits=11").hs.error).toBe(HandshakeError.BadExtension);
    expect(withBits("permessage-deflate").hs.error).toBe(HandshakeError.BadExtension);
    expect(withBits().state).toBe(ReadyState.Open);
  });

  it("refuses permessage-deflate when it was not offered (as any extension before)", () => {
    const c = negotiate(false, "permessage-deflate");
    expect(c.hs.error).toBe(HandshakeError.UnrequestedExtension);
  });
});

/** Feeds a stream to an open connection and returns "type:hex" per message, or "error:code". */
function feedOpen(c: WsConn, stream: Buffer, inf?: Inflater, outCap = 1 << 20): string[] {
  const msg = new Uint8Array(1 << 20);
  const events: string[] = [];
  let off = 0;
  while (off < stream.length) {
    const used = connFeed(c, stream, off, stream.length - off, msg);
    off += used;
    if (c.out === ConnOut.Message) {
      if (c.msgCompressed) {
        expect(inf).toBeDefined();
        const out = new Uint8Array(outCap + 8);
        const n = connInflateMessage(c, inf!, msg, 0, c.msgLen, out, 0, outCap);
        if (n < 0) {
          events.push(`error:${c.failCode}`);
          break;
        }
        events.push(`z${c.msgType}:${Buffer.from(out.subarray(0, n)).toString("latin1")}`);
      } else {
        events.push(`${c.msgType}:${Buffer.from(msg.subarray(0, c.msgLen)).toString("latin1")}`);
      }
    } else if (c.out === ConnOut.ProtocolError) {
      events.push(`error:${c.failCode}`);
      break;
    } else if (c.out === ConnOut.Ping) {
      events.push("ping");
    }
    if (used === 0 && c.out === ConnOut.None) break;
  }
  return events;
}

describe("RSV1 in the decoder (RFC 7692 §6)", () => {
  function open(deflate: boolean): { c: WsConn; inf: Inflater } {
    const c = deflate ? negotiate(true, "permessage-deflate") : negotiate(false);
    const inf = new Inflater();
    inflateReset(inf);
    return { c, inf };
  }

  it("without negotiation RSV1 is a protocol error, as before", () => {
    const { c } = open(false);
    expect(feedOpen(c, frame(0xc1, compress("hi")))).toEqual(["error:1002"]);
  });

  it("marks a compressed text message and inflates it", () => {
    const { c, inf } = open(true);
    expect(
      feedOpen(c, Buffer.concat([frame(0xc1, compress("hello")), frame(0x81, Buffer.from("plain"))]), inf),
    ).toEqual(["z1:hello", "1:plain"]);
  });

  it("accepts a compressed message in fragments with RSV1 on the first only, pings between", () => {
    const { c, inf } = open(true);
    const z = compress("fragmented message ".repeat(20));
    const stream = Buffer.concat([
      frame(0x41, z.subarray(0, 5)),
      frame(0x89, Buffer.from("p")),
      frame(0x00, z.subarray(5, 9)),
      frame(0x80, z.subarray(9)),
    ]);
    expect(feedOpen(c, stream, inf)).toEqual(["ping", "z1:" + "fragmented message ".repeat(20)]);
  });

  it("RSV1 on a continuation frame, a control frame, or RSV2/RSV3: 1002", () => {
    const z = compress("abc");
    for (const stream of [
      Buffer.concat([frame(0x41, z.subarray(0, 1)), frame(0xc0, z.subarray(1))]),
      frame(0xc9, Buffer.from("p")),
      frame(0xc8, Buffer.from([3, 232])),
      frame(0xa1, z),
      frame(0x91, z),
      frame(0xe1, z),
    ]) {
      const { c, inf } = open(true);
      expect(feedOpen(c, stream, inf)).toEqual(["error:1002"]);
    }
  });

  it("compressed bytes are not checked as UTF-8; the inflated text is (1007)", () => {
    const { c, inf } = open(true);
    // The compressed form of valid text is not valid UTF-8 itself.
    const z = compress("€€€€ text ".repeat(10));
    expect(feedOpen(c, frame(0xc1, z), inf)).toEqual(["z1:" + Buffer.from("€€€€ text ".repeat(10)).toString("latin1")]);
    const bad = compress(new Uint8Array([0x61, 0xff, 0x62]));
    const d = open(true);
    expect(feedOpen(d.c, frame(0xc1, bad), d.inf)).toEqual(["error:1007"]);
    const e = open(true);
    expect(feedOpen(e.c, frame(0xc2, bad), e.inf)).toEqual(["z2:a\xffb"]);
  });

  it("malformed DEFLATE: 1007 (what ws sends)", () => {
    const { c, inf } = open(true);
    expect(feedOpen(c, frame(0xc2, new Uint8Array([0x07])), inf)).toEqual(["error:1007"]);
    expect(c.state).toBe(ReadyState.Closing);
  });

  it("a bomb: 1009 before the limit is passed", () => {
    const { c, inf } = open(true);
    const z = compress(new Uint8Array(1 << 20), { level: 9 });
    expect(z.length).toBeLessThan(2000);
    expect(feedOpen(c, frame(0xc2, z), inf, 65536)).toEqual(["error:1009"]);
  });

  it("context takeover across messages, and server_no_context_takeover resets the window", () => {
    const m1 = randomBytes(3000);
    const m2 = m1.subarray(100, 1100);
    const z2 = deflateRawSync(m2, { dictionary: m1, finishFlush: Z.Z_SYNC_FLUSH });
    const s2 = frame(0xc2, z2.subarray(0, z2.length - 4));
    const both = Buffer.concat([frame(0xc2, compress(m1)), s2]);
    const a = open(true);
    expect(feedOpen(a.c, both, a.inf)).toEqual([`z2:${m1.toString("latin1")}`, `z2:${m2.toString("latin1")}`]);
    const b = negotiate(true, "permessage-deflate; server_no_context_takeover");
    const inf = new Inflater();
    inflateReset(inf);
    expect(feedOpen(b, both, inf)).toEqual([`z2:${m1.toString("latin1")}`, "error:1007"]);
  });
});

describe("compressing outgoing messages (RFC 7692 §7.2.1)", () => {
  function encode(c: WsConn, payload: Uint8Array, opcode = 1): Buffer {
    const out = new Uint8Array(payload.length + 64);
    const scratch = new Uint8Array(payload.length + 64);
    const n = connEncodeDeflated(
      c,
      new Deflater(),
      scratch,
      scratch.length,
      out,
      0,
      out.length,
      opcode,
      payload,
      0,
      payload.length,
      KEY,
      0,
    );
    expect(n).toBeGreaterThan(0);
    return Buffer.from(out.subarray(0, n));
  }

  it("without negotiation the frame is the plain one", () => {
    const c = negotiate(false);
    const p = Buffer.from("abc".repeat(100));
    const plain = new Uint8Array(400);
    const n = connEncodeFrame(false, plain, 0, 400, 1, p, 0, p.length, KEY, 0);
    expect(encode(c, p)).toEqual(Buffer.from(plain.subarray(0, n)));
  });

  it("sets RSV1 and sends DEFLATE data zlib inflates", () => {
    const c = negotiate(true, "permessage-deflate");
    const p = Buffer.from("abc".repeat(100));
    const f = encode(c, p);
    expect(f[0]).toBe(0xc1);
    const len = f[1] & 127;
    expect(len).toBeLessThan(30);
    const payload = Buffer.from(f.subarray(6)).map((b, i) => b ^ KEY[i & 3]);
    const back = inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 255, 255])]), {
      finishFlush: Z.Z_SYNC_FLUSH,
    });
    expect(back.toString()).toBe(p.toString());
  });

  it("sends incompressible data and empty messages uncompressed", () => {
    const c = negotiate(true, "permessage-deflate");
    expect(encode(c, randomBytes(500), 2)[0]).toBe(0x82);
    expect(encode(c, new Uint8Array(0), 2)[0]).toBe(0x82);
  });
});

// ---------------------------------------------------------------------------
// A real ws server, driven by a minimal conn.ts driver over net.Socket.

const servers: WebSocketServer[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (wss) =>
        new Promise<void>((r) => {
          for (const c of wss.clients) c.terminate();
          wss.close(() => r());
        }),
    ),
  );
});

interface DriverResult {
  received: { type: number; data: Buffer; compressed: boolean }[];
  closeCode: number;
  failCode: number;
  bytesSent: number;
  hs: { deflate: boolean; snc: boolean; cnc: boolean; sb: number; cb: number };
}

/**
 * Connects to `port`, offers permessage-deflate, echoes every message back
 * (compressed when negotiated), answers pings and the close handshake, and
 * resolves when the socket closes. maxMessage is the inflate limit too.
 * Compressed messages are inflated as they arrive, Spill by Spill, into
 * 4 KiB output pieces (connInflateBegin/Piece/End), as the glue would.
 */
function drive(port: number, maxMessage: number, msgCap = 4096, offerBits = 15): Promise<DriverResult> {
  return new Promise((resolve, reject) => {
    const c = new WsConn();
    const url = Buffer.from(`ws://127.0.0.1:${port}/`);
    urlParse(c.url, url, 0, url.length);
    connInit(c, randomBytes(16), 0, url, 0, 0, maxMessage, msgCap);
    connOfferDeflate(c);
    // As with a smaller CONFIG_INFLATE_WINDOW_BITS (the oracle's window stays 32 KiB).
    c.hs.deflateOfferBits = offerBits;
    const inf = new Inflater();
    inflateReset(inf);
    const z = new Deflater();
    const msg = new Uint8Array(msgCap);
    const spilled: Buffer[] = [];
    let inflating = false;
    const inflated: Buffer[] = [];
    const piece = new Uint8Array(4096);
    /** Inflates buf[0..len) in 4 KiB output pieces; false when the connection failed. */
    const inflateAll = (buf: Uint8Array, len: number): boolean => {
      if (!inflating) {
        connInflateBegin(c, inf, maxMessage);
        inflating = true;
      }
      let off = 0;
      for (;;) {
        const r = connInflatePiece(c, inf, buf, off, len - off, piece, 0, piece.length);
        inflated.push(Buffer.from(piece.subarray(0, inf.outMade)));
        off += inf.inUsed;
        if (r === InflateResult.Error) return false;
        if (r !== InflateResult.OutputFull) return true;
      }
    };
    const result: DriverResult = {
      received: [],
      closeCode: 0,
      failCode: 0,
      bytesSent: 0,
      hs: { deflate: false, snc: false, cnc: false, sb: 0, cb: 0 },
    };
    const sock = net.connect(port, "127.0.0.1");
    const send = (b: Uint8Array) => {
      result.bytesSent += b.length;
      sock.write(Buffer.from(b));
    };
    sock.on("connect", () => {
      const out = new Uint8Array(1024);
      const none = new Uint8Array(0);
      send(out.subarray(0, connRequest(c, out, out.length, none, 0, 0, none, 0, 0)));
    });
    sock.on("data", (data: Buffer) => {
      let off = 0;
      while (off < data.length) {
        const used = connFeed(c, data, off, data.length - off, msg);
        off += used;
        const out = new Uint8Array(maxMessage + 64);
        switch (c.out) {
          case ConnOut.Open:
            result.hs = {
              deflate: c.hs.deflate,
              snc: c.hs.deflateServerNoContext,
              cnc: c.hs.deflateClientNoContext,
              sb: c.hs.deflateServerBits,
              cb: c.hs.deflateClientBits,
            };
            break;
          case ConnOut.Spill:
            if (c.dec.openCompressed) {
              if (!inflateAll(msg, c.spillLen)) {
                result.failCode = c.failCode;
                send(out.subarray(0, connEncodeCloseError(c, out, 0, out.length, randomBytes(4), 0)));
                return;
              }
            } else {
              spilled.push(Buffer.from(msg.subarray(0, c.spillLen)));
            }
            break;
          case ConnOut.Message: {
            let data2 = Buffer.concat([...spilled.splice(0), Buffer.from(msg.subarray(0, c.msgLen - c.msgSpilled))]);
            if (c.msgCompressed) {
              if (!inflateAll(msg, c.msgLen - c.msgSpilled) || !connInflateEnd(c, inf)) {
                result.failCode = c.failCode;
                send(out.subarray(0, connEncodeCloseError(c, out, 0, out.length, randomBytes(4), 0)));
                return;
              }
              inflating = false;
              data2 = Buffer.concat(inflated.splice(0));
              expect(data2.length).toBe(inf.total);
            }
            result.received.push({ type: c.msgType, data: data2, compressed: c.msgCompressed });
            const scratch = new Uint8Array(data2.length + 64);
            const k = randomBytes(4);
            const n = connEncodeDeflated(
              c,
              z,
              scratch,
              scratch.length,
              out,
              0,
              out.length,
              c.msgType,
              data2,
              0,
              data2.length,
              k,
              0,
            );
            send(out.subarray(0, n));
            break;
          }
          case ConnOut.Ping:
            send(out.subarray(0, connEncodePong(c, out, 0, out.length, randomBytes(4), 0)));
            break;
          case ConnOut.CloseReceived:
            result.closeCode = c.closeCode;
            send(out.subarray(0, connEncodeCloseReply(c, out, 0, out.length, randomBytes(4), 0)));
            break;
          case ConnOut.ProtocolError:
            result.failCode = c.failCode;
            send(out.subarray(0, connEncodeCloseError(c, out, 0, out.length, randomBytes(4), 0)));
            return;
          case ConnOut.HandshakeFailed:
            reject(new Error(`handshake failed: ${c.hs.error}`));
            sock.destroy();
            return;
          default:
            break;
        }
        if (used === 0 && c.out === ConnOut.None) break;
      }
    });
    sock.on("error", reject);
    sock.on("close", () => resolve(result));
  });
}

async function server(perMessageDeflate: object | boolean, onConnection: (ws: WebSocket) => void): Promise<number> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate });
  servers.push(wss);
  wss.on("connection", onConnection);
  await new Promise<void>((r) => wss.once("listening", () => r()));
  return (wss.address() as AddressInfo).port;
}

/** Deterministic incompressible bytes (so that the script is the same each time it is built). */
function noise(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 0x12345678;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 255;
  }
  return b;
}

/** Messages the server sends: small, large, repeated (context takeover pays), binary, empty, spilled. */
function script(): { data: Buffer; binary: boolean }[] {
  const json = (i: number) => JSON.stringify({ event: "match_event", round: i, players: ["alpha", "beta", "gamma"] });
  const list: { data: Buffer; binary: boolean }[] = [];
  for (let i = 0; i < 20; i++) list.push({ data: Buffer.from(json(i)), binary: false });
  list.push({ data: Buffer.from("€ unicode text ".repeat(5000)), binary: false });
  list.push({ data: noise(40000), binary: true });
  // Text that compresses poorly, with 2-, 3- and 4-byte code points: spilled while compressed, split across output pieces.
  const chars = ["a", "é", "€", "😀", "z", "ß", "中"];
  const n = noise(30000);
  list.push({ data: Buffer.from(Array.from(n, (b) => chars[b % chars.length]).join("")), binary: false });
  list.push({ data: Buffer.alloc(0), binary: false });
  list.push({ data: Buffer.from("x"), binary: true });
  list.push({
    data: Buffer.from(JSON.stringify(Array.from({ length: 3000 }, (_, i) => ({ id: i, name: `p${i % 50}` })))),
    binary: false,
  });
  return list;
}

async function echoSession(
  options: object,
  offerBits = 15,
): Promise<{ r: DriverResult; echoed: Buffer[]; extensions: string }> {
  const list = script();
  const echoed: Buffer[] = [];
  let extensions = "";
  const port = await server({ threshold: 0, ...options }, (ws) => {
    extensions = Object.keys(ws.extensions ?? {}).join(",") || ws.extensions.toString();
    let i = 0;
    const next = () => {
      if (i === list.length) {
        ws.close(1000, "done");
        return;
      }
      ws.send(list[i].data, { binary: list[i].binary, compress: true });
      i++;
    };
    ws.on("message", (data: Buffer) => {
      echoed.push(Buffer.from(data));
      next();
    });
    next();
  });
  const r = await drive(port, 1 << 20, 4096, offerBits);
  return { r, echoed, extensions };
}

describe("against a real ws server with perMessageDeflate", () => {
  const variants: [string, object, Partial<DriverResult["hs"]>][] = [
    ["defaults", {}, { snc: false, cnc: false, sb: 15, cb: 15 }],
    ["serverNoContextTakeover", { serverNoContextTakeover: true }, { snc: true }],
    ["clientNoContextTakeover", { clientNoContextTakeover: true }, { cnc: true }],
    [
      "serverMaxWindowBits 10, clientMaxWindowBits 9",
      { serverMaxWindowBits: 10, clientMaxWindowBits: 9 },
      { sb: 10, cb: 9 },
    ],
    ["clientMaxWindowBits 8 (our matches reach 256 bytes back)", { clientMaxWindowBits: 8 }, { sb: 15, cb: 8 }],
  ];
  for (const [name, options, hs] of variants) {
    it(`${name}: every message arrives inflated and echoes back compressed`, async () => {
      const { r, echoed } = await echoSession(options);
      expect(r.hs).toMatchObject({ deflate: true, ...hs });
      const list = script();
      expect(r.received.map((m) => m.data.toString("hex"))).toEqual(list.map((m) => m.data.toString("hex")));
      expect(r.received.filter((m) => m.compressed).length).toBeGreaterThan(20);
      expect(echoed.map((b) => b.toString("hex"))).toEqual(list.map((m) => m.data.toString("hex")));
      expect(r.closeCode).toBe(1000);
      expect(r.failCode).toBe(0);
      // The echoes went out compressed: fewer bytes than the payloads (40000 random bytes included).
      const total = list.reduce((a, m) => a + m.data.length, 0);
      expect(r.bytesSent).toBeLessThan(total * 0.6);
    });
  }

  it("an offer of server_max_window_bits=10 is what ws compresses with", async () => {
    const { r, echoed } = await echoSession({}, 10);
    expect(r.hs).toMatchObject({ deflate: true, sb: 10, cb: 15 });
    expect(r.failCode).toBe(0);
    expect(echoed.length).toBe(script().length);
  });

  it("a 1 MiB bomb from ws: the client closes with 1009 before inflating past its limit", async () => {
    let closeCode = 0;
    const closed = new Promise<void>((resolve) => {
      void server(true, (ws) => {
        ws.send(Buffer.alloc(1 << 20), { binary: true, compress: true });
        ws.on("close", (code) => {
          closeCode = code;
          resolve();
        });
      }).then((port) => drive(port, 65536).then((r) => expect(r.failCode).toBe(1009)));
    });
    await closed;
    expect(closeCode).toBe(1009);
  });

  it("a server without perMessageDeflate: nothing is compressed either way", async () => {
    let got = Buffer.alloc(0);
    const port = await server(false, (ws) => {
      ws.send("plain text ".repeat(100));
      ws.on("message", (d: Buffer) => {
        got = Buffer.from(d);
        ws.close(1000);
      });
    });
    const r = await drive(port, 1 << 20);
    expect(r.hs.deflate).toBe(false);
    expect(r.received[0].compressed).toBe(false);
    expect(got.toString()).toBe("plain text ".repeat(100));
    expect(r.bytesSent).toBeGreaterThan(1100);
  });
});
