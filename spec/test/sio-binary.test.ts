/**
 * BINARY_EVENT / BINARY_ACK: the encoders against socket.io-parser (its Encoder's output and
 * its Decoder's reconstruction with the attachments), the placeholder check, and the
 * manager's and session's decisions (attachments awaited, routed, interleaved text refused).
 */
import { Decoder, Encoder, type Packet, PacketType } from "socket.io-parser";
import { describe, expect, it } from "vitest";
import { Opcode } from "../core/frame.js";
import { Reconnect, reconnectInit, SessionError } from "../core/wssession.js";
import {
  SioAckState,
  SioEio,
  SioManager,
  SioOut,
  SioReason,
  SioSend,
  SioSession,
  sioManagerEngineClosed,
  sioManagerInit,
  sioManagerOnMessage,
  sioManagerTransportStarted,
  sioSessionEmit,
  sioSessionInit,
  sioSessionJoin,
  sioSessionOnPacket,
} from "../core/siosession.js";
import {
  SIO_MAX_ATTACHMENTS,
  SioEncodeError,
  SioError,
  SioPacket,
  SioParsed,
  sioArgsArray,
  sioEncodeAck,
  sioEncodeBinaryAck,
  sioEncodeBinaryEvent,
  sioEncodeEvent,
  sioNspEquals,
  sioParse,
  sioPlaceholders,
} from "../core/socketio.js";

const enc = (s: string): Uint8Array => Buffer.from(s, "utf8");
const str = (b: Uint8Array): string => Buffer.from(b).toString("utf8");
const ph = (k: number): string => `{"_placeholder":true,"num":${k}}`;

function binaryEvent(nsp: string, name: string, args: string, ackId: number, n: number): number | string {
  const out = new Uint8Array(4096);
  const a = enc(args);
  const s = enc(nsp);
  const e = enc(name);
  const o = sioEncodeBinaryEvent(out, 0, out.length, s, 0, s.length, e, 0, e.length, a, 0, a.length, ackId, n);
  return o < 0 ? o : str(out.subarray(0, o));
}

function binaryAck(nsp: string, ackId: number, args: string, n: number): number | string {
  const out = new Uint8Array(4096);
  const a = enc(args);
  const s = enc(nsp);
  const o = sioEncodeBinaryAck(out, 0, out.length, s, 0, s.length, ackId, a, 0, a.length, n);
  return o < 0 ? o : str(out.subarray(0, o));
}

/** Feeds socket.io-parser's Decoder the header (without the Engine.IO `4`) and the attachments. */
function decode(header: string, attachments: Buffer[]): Packet {
  const d = new Decoder();
  let got: Packet | null = null;
  d.on("decoded", (p: Packet) => {
    got = p;
  });
  expect(header[0]).toBe("4");
  d.add(header.slice(1));
  for (const a of attachments) {
    expect(got).toBeNull();
    d.add(a);
  }
  expect(got).not.toBeNull();
  return got as unknown as Packet;
}

describe("BINARY_EVENT / BINARY_ACK encoders", () => {
  it("write what socket.io-parser's Encoder writes", () => {
    const e = new Encoder();
    const [text] = e.encode({
      type: PacketType.EVENT,
      nsp: "/chat",
      id: 17,
      data: ["file", Buffer.from([1]), { a: 1 }, Buffer.from([2])],
    }) as [string, ...Buffer[]];
    expect("4" + text).toBe(binaryEvent("/chat", "file", `${ph(0)},{"a":1},${ph(1)}`, 17, 2));
    const [ack] = e.encode({ type: PacketType.ACK, nsp: "/", id: 3, data: [Buffer.from([9])] }) as [string];
    expect("4" + ack).toBe(binaryAck("/", 3, ph(0), 1));
    expect(binaryEvent("/", "x", ph(0), -1, 1)).toBe(`451-["x",${ph(0)}]`);
  });

  it("round trip through socket.io-parser's Decoder with the attachments, NUL and 0xFF bytes included", () => {
    const a0 = Buffer.from([0, 255, 1, 0]);
    const a1 = Buffer.alloc(70000, 7);
    const h = binaryEvent("/admin", "bin", `${ph(0)},{"a":[${ph(1)}]}`, 5, 2) as string;
    const p = decode(h, [a0, a1]);
    // socket.io-parser hands a reconstructed packet out as an EVENT / ACK.
    expect(p.type).toBe(PacketType.EVENT);
    expect(p.nsp).toBe("/admin");
    expect(p.id).toBe(5);
    expect(p.data).toEqual(["bin", a0, { a: [a1] }]);
    const k = binaryAck("/", 0, `"ok",${ph(0)}`, 1) as string;
    const q = decode(k, [Buffer.alloc(0)]);
    expect(q.type).toBe(PacketType.ACK);
    expect(q.id).toBe(0);
    expect(q.data).toEqual(["ok", Buffer.alloc(0)]);
  });

  it("parse back with sioParse, the placeholders left in the args", () => {
    const h = enc(binaryEvent("/a", "ev", `1,${ph(1)},${ph(0)}`, -1, 2) as string);
    const p = new SioParsed();
    expect(sioParse(h, 0, h.length, p)).toBe(SioError.Ok);
    expect([p.type, p.attachments, p.ackId]).toEqual([SioPacket.BinaryEvent, 2, -1]);
    const out = new Uint8Array(256);
    const o = sioArgsArray(h, p, out, 0, out.length);
    expect(JSON.parse(str(out.subarray(0, o)))).toEqual([1, JSON.parse(ph(1)), JSON.parse(ph(0))]);
  });

  it("refuse bad attachment counts and placeholders", () => {
    expect(binaryEvent("/", "x", ph(0), -1, 0)).toBe(SioEncodeError.BadAttachments);
    expect(binaryEvent("/", "x", ph(0), -1, SIO_MAX_ATTACHMENTS + 1)).toBe(SioEncodeError.BadAttachments);
    expect(binaryAck("/", 1, ph(0), -1)).toBe(SioEncodeError.BadAttachments);
    expect(binaryEvent("/", "x", ph(1), -1, 1)).toBe(SioEncodeError.BadPlaceholder);
    expect(binaryEvent("/", "x", '{"_placeholder":true}', -1, 1)).toBe(SioEncodeError.BadPlaceholder);
    expect(binaryEvent("/", "x", '{"_placeholder":true,"num":-1}', -1, 1)).toBe(SioEncodeError.BadPlaceholder);
    expect(binaryEvent("/", "x", '{"_placeholder":true,"num":0.5}', -1, 1)).toBe(SioEncodeError.BadPlaceholder);
    expect(binaryEvent("/", "x", ph(0), -1, 2)).toBe(SioEncodeError.UnusedAttachment);
    expect(binaryEvent("/", "x", '"no placeholder"', -1, 1)).toBe(SioEncodeError.UnusedAttachment);
    expect(binaryAck("/", 1, `${ph(0)},${ph(0)}`, 2)).toBe(SioEncodeError.UnusedAttachment);
    expect(binaryEvent("/", "x", "{", -1, 1)).toBe(SioEncodeError.BadJson);
    expect(binaryAck("/", -1, ph(0), 1)).toBe(SioEncodeError.BadAckId);
    expect(binaryEvent("/", "connect", ph(0), -1, 1)).toBe(SioEncodeError.ReservedEvent);
    // The text encoders are unchanged: a placeholder-shaped object is just JSON there.
    const out = new Uint8Array(256);
    const a = enc(ph(3));
    expect(sioEncodeEvent(out, 0, 256, enc("/"), 0, 1, enc("x"), 0, 1, a, 0, a.length, -1)).toBeGreaterThan(0);
    expect(sioEncodeAck(out, 0, 256, enc("/"), 0, 1, 2, a, 0, a.length)).toBeGreaterThan(0);
  });
});

describe("sioPlaceholders", () => {
  const mask = (s: string, n: number): number => {
    const b = enc(s);
    return sioPlaceholders(b, 0, b.length, n);
  };
  it("finds every placeholder object, nested in arrays and objects, in any member order", () => {
    expect(mask(`${ph(0)},[${ph(2)}],{"x":{"y":${ph(1)}}}`, 3)).toBe(7);
    expect(mask('{"num":1, "x":"}{", "_placeholder" : true}', 2)).toBe(2);
    expect(mask('{"_placeholder":false,"num":9}', 1)).toBe(0);
    expect(mask('"_placeholder",["_placeholder"]', 1)).toBe(0);
    expect(mask('{"a":"{\\"_placeholder\\":true,\\"num\\":5}"}', 1)).toBe(0);
    // The last _placeholder member wins, as in JSON.parse.
    expect(mask('{"_placeholder":true,"num":0,"_placeholder":false}', 1)).toBe(0);
  });
  it("refuses a placeholder whose num is missing or out of range", () => {
    expect(mask(ph(1), 1)).toBe(-1);
    expect(mask('{"_placeholder":true,"num":"0"}', 1)).toBe(-1);
    expect(mask(`[[${ph(10)}]]`, 10)).toBe(-1);
    expect(mask(ph(9), 10)).toBe(512);
  });
});

/** A manager with one or two namespaces over one transport, fed whole WebSocket messages. */
class Drive {
  m = new SioManager();
  p = new SioParsed();
  out = new Uint8Array(4096);
  name = new Uint8Array(64);
  sessions: SioSession[] = [];
  constructor(...nsps: string[]) {
    const rc = new Reconnect();
    reconnectInit(rc, true);
    sioManagerInit(this.m, rc, 0);
    sioManagerTransportStarted(this.m, 0);
    for (const n of nsps) {
      const s = new SioSession();
      const b = enc(n);
      expect(sioSessionInit(s, b, 0, b.length, b, 0, 0)).toBe(true);
      this.sessions.push(s);
    }
  }
  feed(data: Uint8Array, opcode = Opcode.Text, now = 10): number {
    return sioManagerOnMessage(this.m, opcode, data, 0, data.length, this.p, this.out, this.out.length, now);
  }
  text(s: string): number {
    return this.feed(enc(s));
  }
  /** Routes the packet in data/p as the glue does; returns [namespace index, SioOut]. */
  route(data: Uint8Array): [number, number] {
    for (let i = 0; i < this.sessions.length; i++) {
      const s = this.sessions[i];
      if (sioNspEquals(data, this.p, s.nsp, 0, s.nspLen)) {
        return [i, sioSessionOnPacket(s, data, this.p, this.name, this.name.length)];
      }
    }
    return [-1, SioOut.None];
  }
  open(): void {
    expect(this.text('0{"sid":"x","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}')).toBe(
      SioEio.Open,
    );
    for (const s of this.sessions) {
      expect(sioSessionJoin(s, this.out, this.out.length)).toBeGreaterThan(0);
      const nsp = str(s.nsp.subarray(0, s.nspLen));
      const c = enc(nsp === "/" ? '40{"sid":"a"}' : `40${nsp},{"sid":"a"}`);
      expect(this.text(str(c))).toBe(SioEio.Packet);
      expect(this.route(c)[1]).toBe(SioOut.Connected);
    }
  }
}

describe("the manager awaits the attachments, the session delivers the packet", () => {
  it("routes a BINARY_EVENT on a non-root namespace once its two attachments came; pings may come between", () => {
    const d = new Drive("/", "/admin");
    d.open();
    const header = enc(`452-/admin,7["bin",${ph(0)},{"a":1},${ph(1)}]`);
    expect(d.feed(header)).toBe(SioEio.BinaryPacket);
    expect([d.m.attachCount, d.m.attachLeft, d.p.attachments]).toEqual([2, 2, 2]);
    expect(d.feed(Uint8Array.of(0, 255, 1), Opcode.Binary)).toBe(SioEio.Attachment);
    expect(d.m.detail).toBe(0);
    expect(d.text("2")).toBe(SioEio.Write);
    expect(str(d.out.subarray(0, d.m.outLen))).toBe("3");
    expect(d.feed(new Uint8Array(70000), Opcode.Binary)).toBe(SioEio.Complete);
    expect([d.m.detail, d.m.attachLeft]).toEqual([1, 0]);
    // The glue parses the packet it kept again and routes it.
    expect(sioParse(header, 0, header.length, d.p)).toBe(SioError.Ok);
    const [i, out] = d.route(header);
    expect([i, out]).toEqual([1, SioOut.Event]);
    expect(str(d.name.subarray(0, d.sessions[1].nameLen))).toBe("bin");
    expect([d.p.ackId, d.p.attachments]).toEqual([7, 2]);
    // Nothing awaited now: a binary message is reported, not taken.
    expect(d.feed(Uint8Array.of(1), Opcode.Binary)).toBe(SioEio.Error);
    expect([d.m.error, d.m.detail]).toEqual([SessionError.Unsupported, Opcode.Binary]);
  });

  it("hands a BINARY_ACK to the emit's ack entry", () => {
    const d = new Drive("/");
    d.open();
    const s = d.sessions[0];
    expect(sioSessionEmit(s, d.m, 20, 26, 0, true)).toBe(SioSend.Now);
    const k = s.ack;
    expect(s.ackState[k]).toBe(SioAckState.Sent);
    const h = enc(`461-0[${ph(0)}]`);
    expect(d.feed(h)).toBe(SioEio.BinaryPacket);
    expect(d.feed(Uint8Array.of(5), Opcode.Binary)).toBe(SioEio.Complete);
    expect(sioParse(h, 0, h.length, d.p)).toBe(SioError.Ok);
    expect(d.route(h)).toEqual([0, SioOut.Ack]);
    expect(s.ack).toBe(k);
    expect(s.ackState[k]).toBe(SioAckState.Free);
  });

  it("fails the transport with a parse error on a Socket.IO packet before the last attachment", () => {
    const d = new Drive("/");
    d.open();
    expect(d.text(`452-["bin",${ph(0)},${ph(1)}]`)).toBe(SioEio.BinaryPacket);
    expect(d.feed(Uint8Array.of(1), Opcode.Binary)).toBe(SioEio.Attachment);
    expect(d.text('42["text"]')).toBe(SioEio.Fail);
    expect([d.m.error, d.m.detail, d.m.reason]).toEqual([
      SessionError.PacketInvalid,
      SioError.PlaintextInBinary,
      SioReason.ParseError,
    ]);
    expect(d.m.attachLeft).toBe(0);
  });

  it("fails on a placeholder out of range, and forgets a packet whose transport ended", () => {
    const d = new Drive("/");
    d.open();
    expect(d.text(`451-["bin",${ph(1)}]`)).toBe(SioEio.Fail);
    expect(d.m.detail).toBe(SioError.BadPlaceholder);
    expect(d.text(`451-["bin",${ph(0)}]`)).toBe(SioEio.BinaryPacket);
    sioManagerEngineClosed(d.m, SioReason.TransportClose, true, 20, 0);
    expect(d.m.attachLeft).toBe(0);
    sioManagerTransportStarted(d.m, 30);
    expect(d.feed(Uint8Array.of(1), Opcode.Binary)).toBe(SioEio.Error);
  });

  it("queues a binary emit as one, its frames counted together against the queue budget", () => {
    const d = new Drive("/");
    const s = d.sessions[0];
    // Not joined: queued (frames of the header and its attachments, 30 bytes in all).
    expect(sioSessionEmit(s, d.m, 10, 30, -1, false)).toBe(SioSend.Queue);
    expect(s.queueLen).toBe(30);
    // The largest packet above maxPayload: refused.
    d.open();
    expect(sioSessionEmit(s, d.m, 1000001, 1000100, -1, true)).toBe(SioSend.TooLarge);
  });
});

describe("parity with socket.io-parser's Decoder on the receiving side", () => {
  it("socket.io-parser refuses the same interleaving and placeholders", () => {
    const d = new Decoder();
    d.add(`51-["bin",${ph(0)}]`);
    expect(() => d.add('2["text"]')).toThrow(/plaintext/);
    const e = new Decoder();
    expect(() => {
      e.add(`51-["bin",${ph(1)}]`);
      e.add(Buffer.from([1]));
    }).toThrow(/illegal attachments/);
    const f = new Decoder();
    expect(() => f.add(Buffer.from([1]))).toThrow(/not reconstructing/);
  });
});
