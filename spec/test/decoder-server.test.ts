/**
 * The frame decoder in the server role (decoderInitServer, RFC 6455 §5.1,
 * §5.3): a client's frames must be masked and are unmasked as they are read.
 * The property: for any sequence of frames (valid or broken), the server
 * role fed the masked stream reports exactly the events the client role
 * reports for the same frames unmasked, in every split. Plus the role rules
 * themselves, and a real `ws` client talking to a server built from the
 * spec's server handshake, decoder and frameEncodeServer.
 */

import { createHash, randomBytes } from "node:crypto";
import net, { type AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { decoderFeed, decoderInit, decoderInitServer, FrameDecoder, WsEvent } from "../core/decoder.js";
import { frameEncodeServer, Opcode } from "../core/frame.js";
import { HandshakeState } from "../core/handshake.js";
import {
  ServerHandshake,
  serverHandshakeBuildAccept,
  serverHandshakeFeed,
  serverHandshakeInit,
} from "../core/serverhandshake.js";
import { frame, type FrameOptions } from "./cases/hostile.js";

/** One frame of a generated stream. */
interface Spec {
  opcode: number;
  payload: Buffer;
  fin: boolean;
  rsv: number;
  mask: Buffer;
}

/** Events as strings: kind, type, length, SHA-1 of the data; no positions (headers differ by the key). */
function events(stream: Uint8Array, server: boolean, cuts: readonly number[], maxMessage = 4096): string[] {
  const d = new FrameDecoder();
  if (server) {
    decoderInitServer(d, maxMessage);
  } else {
    decoderInit(d, maxMessage);
  }
  const msg = new Uint8Array(maxMessage);
  const out: string[] = [];
  let prev = 0;
  for (const end of [...cuts, stream.length]) {
    let off = prev;
    while (off < end) {
      const n = decoderFeed(d, stream, off, end - off, msg);
      off += n;
      const hash = (b: Uint8Array): string => createHash("sha1").update(b).digest("hex").slice(0, 12);
      switch (d.event) {
        case WsEvent.Message:
          out.push(`msg ${d.msgType} ${d.msgLen} ${hash(msg.subarray(0, d.msgLen))}`);
          break;
        case WsEvent.Ping:
        case WsEvent.Pong:
          out.push(`ctl ${d.event} ${hash(d.ctl.subarray(0, d.ctlLen))}`);
          break;
        case WsEvent.Close:
          out.push(`close ${d.closeCode} ${hash(d.ctl.subarray(2, 2 + d.closeReasonLen))}`);
          break;
        case WsEvent.Error:
          out.push(`error ${d.errorCode}`);
          return out;
        default:
          break;
      }
    }
    prev = end;
  }
  return out;
}

function encode(frames: readonly Spec[], masked: boolean): Buffer {
  return Buffer.concat(
    frames.map((f) => {
      const o: FrameOptions = { fin: f.fin, rsv: f.rsv };
      if (masked) {
        o.mask = f.mask;
      }
      return frame(f.opcode, f.payload, o);
    }),
  );
}

const payloadArb = fc.oneof(
  fc.uint8Array({ maxLength: 140 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 60, unit: "binary" }).map((s) => Buffer.from(s, "utf8")),
  fc.constantFrom(Buffer.from([0xce, 0xba, 0xe1, 0xbd]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.alloc(300, 0x61)),
);
const maskArb = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((a) => Buffer.from(a));
/** Mostly well-formed frames (whole messages, fragments, pings), sometimes a broken one. */
const specArb: fc.Arbitrary<Spec> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      opcode: fc.constantFrom(1, 2),
      payload: fc.oneof(
        fc.string({ maxLength: 60 }).map((x) => Buffer.from(x, "utf8")),
        fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
      ),
      fin: fc.constant(true),
      rsv: fc.constant(0),
      mask: maskArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      opcode: fc.constantFrom(9, 10),
      payload: fc.uint8Array({ maxLength: 125 }).map((a) => Buffer.from(a)),
      fin: fc.constant(true),
      rsv: fc.constant(0),
      mask: maskArb,
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      opcode: fc.constantFrom(0, 1, 2, 1, 2, 0, 8, 9, 10, 3, 11),
      payload: payloadArb,
      fin: fc.boolean(),
      rsv: fc.constantFrom(0, 0, 0, 0, 0, 4, 1),
      mask: maskArb,
    }),
  },
);

describe("decoder, server role", () => {
  it("reports for a masked stream exactly what the client role reports for the same frames unmasked, in every split", () => {
    let withMessages = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(specArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 1000 }), (frames, r) => {
        const plain = encode(frames, false);
        const masked = encode(frames, true);
        const want = events(plain, false, []);
        runs++;
        withMessages += want.some((e) => e.startsWith("msg ")) ? 1 : 0;
        expect(events(masked, true, [])).toEqual(want);
        // One cut at every 7th position and one random cut set.
        for (let c = 1; c < masked.length; c += 7) {
          expect(events(masked, true, [c])).toEqual(want);
        }
        const cuts = [...new Set([r % masked.length, (r * 7) % masked.length])]
          .filter((c) => c > 0)
          .sort((a, b) => a - b);
        expect(events(masked, true, cuts)).toEqual(want);
      }),
      { numRuns: 400, seed: 20261201 },
    );
    // The generated streams are not all rejected at their first frame: many deliver messages.
    expect(withMessages / runs).toBeGreaterThan(0.25);
  });

  it("byte by byte: a fragmented masked text message with a ping between the fragments", () => {
    const m = Buffer.from([1, 2, 3, 4]);
    const stream = Buffer.concat([
      frame(1, "héllo ", { fin: false, mask: m }),
      frame(9, "p", { mask: Buffer.from([9, 9, 9, 9]) }),
      frame(0, "wörld", { mask: Buffer.from([0xff, 0, 0xff, 0]) }),
    ]);
    const cuts = Array.from({ length: stream.length - 1 }, (_, i) => i + 1);
    const got = events(stream, true, cuts);
    expect(got).toEqual(events(stream, true, []));
    expect(got[1]).toMatch(/^msg 1 13 /);
    expect(got[1]).toBe(`msg 1 13 ${createHash("sha1").update("héllo wörld").digest("hex").slice(0, 12)}`);
  });

  it("an unmasked client frame fails with 1002; a masked server frame still fails the client with 1002 (§5.1)", () => {
    expect(events(frame(1, "hi"), true, [])).toEqual(["error 1002"]);
    expect(events(frame(1, "hi", { mask: Buffer.from([1, 2, 3, 4]) }), false, [])).toEqual(["error 1002"]);
    // Also an unmasked control frame, and an unmasked frame after valid ones.
    expect(events(frame(9, ""), true, [])).toEqual(["error 1002"]);
    const ok = frame(2, Buffer.from([0, 255]), { mask: Buffer.from([7, 7, 7, 7]) });
    expect(events(Buffer.concat([ok, frame(2, "x")]), true, [])).toEqual([
      `msg 2 2 ${createHash("sha1")
        .update(Buffer.from([0, 255]))
        .digest("hex")
        .slice(0, 12)}`,
      "error 1002",
    ]);
  });

  it("checks the size limit before the masking key and the payload arrive (1009)", () => {
    const head = frame(2, Buffer.alloc(0), { mask: Buffer.from([1, 1, 1, 1]), declaredLen: 70000n }).subarray(0, 10);
    expect(events(head, true, [], 65536)).toEqual(["error 1009"]);
  });

  it("fails invalid UTF-8 inside a masked text frame at the bad byte (1007)", () => {
    const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
    const bad = frame(1, Buffer.from([0x61, 0x62, 0xc0, 0x80, 0x63]), { mask });
    const d = new FrameDecoder();
    decoderInitServer(d, 1000);
    const n = decoderFeed(d, bad, 0, bad.length, new Uint8Array(1000));
    expect(d.event).toBe(WsEvent.Error);
    expect(d.errorCode).toBe(1007);
    // Header (2) + key (4) + "ab" + the first byte that cannot start valid text.
    expect(n).toBe(2 + 4 + 3);
  });
});

describe("a server built from the spec, against a real ws client", () => {
  const servers: net.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  /** Echo server: the spec's server handshake, server-role decoder, and unmasked frames back. */
  async function echoServer(): Promise<number> {
    const server = net.createServer((sock) => {
      const h = new ServerHandshake();
      serverHandshakeInit(h);
      const d = new FrameDecoder();
      decoderInitServer(d, 2 << 20);
      const msg = new Uint8Array(2 << 20);
      const out = new Uint8Array((2 << 20) + 16);
      let open = false;
      const send = (opcode: number, p: Uint8Array, len: number): void => {
        const n = frameEncodeServer(out, 0, out.length, opcode, p, 0, len);
        sock.write(Buffer.from(out.subarray(0, n)));
      };
      sock.on("data", (chunk: Buffer) => {
        const data = new Uint8Array(chunk);
        let off = 0;
        if (!open) {
          off = serverHandshakeFeed(h, data, 0, data.length);
          if (h.state === HandshakeState.Failed) {
            sock.destroy();
            return;
          }
          if (h.state !== HandshakeState.Done) {
            return;
          }
          const a = new Uint8Array(512);
          sock.write(Buffer.from(a.subarray(0, serverHandshakeBuildAccept(h, a, 0, 0, a, a.length))));
          open = true;
        }
        while (off < data.length) {
          off += decoderFeed(d, data, off, data.length - off, msg);
          if (d.event === WsEvent.Message) {
            send(d.msgType, msg, d.msgLen);
          } else if (d.event === WsEvent.Ping) {
            send(Opcode.Pong, d.ctl, d.ctlLen);
          } else if (d.event === WsEvent.Close) {
            send(Opcode.Close, d.ctl, d.ctlLen);
            sock.end();
          } else if (d.event === WsEvent.Error) {
            const c = new Uint8Array([d.errorCode >> 8, d.errorCode & 255]);
            send(Opcode.Close, c, 2);
            sock.end();
            return;
          }
        }
      });
      sock.on("error", () => {});
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }

  it("echoes text and binary of 0, 125, 126, 65535, 65536 and 1 MiB bytes exactly, answers a ping, closes with the client's code", async () => {
    const port = await echoServer();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/echo`);
    await new Promise<void>((resolve, reject) => {
      ws.on("open", () => resolve());
      ws.on("error", reject);
    });
    const next = (): Promise<{ data: Buffer; binary: boolean }> =>
      new Promise((resolve) => ws.once("message", (data, binary) => resolve({ data: data as Buffer, binary })));
    for (const size of [0, 125, 126, 65535, 65536, 1 << 20]) {
      const bin = randomBytes(size);
      bin[0] = 0;
      ws.send(bin);
      const got = await next();
      expect(got.binary).toBe(true);
      expect(Buffer.compare(got.data, bin), `binary ${size}`).toBe(0);
      const txt = "é€".repeat(Math.floor(size / 5)) + "x".repeat(size % 5);
      ws.send(txt);
      const t = await next();
      expect(t.binary).toBe(false);
      expect(t.data.toString("utf8") === txt, `text ${size}`).toBe(true);
    }
    const pong = new Promise<Buffer>((resolve) => ws.once("pong", (d) => resolve(d)));
    ws.ping(Buffer.from("are you there"));
    expect((await pong).toString()).toBe("are you there");
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    ws.close(4001, "bye");
    expect(await closed).toBe(4001);
  });
});
