import fc from "fast-check";
import { Decoder, Encoder, type Packet, PacketType } from "socket.io-parser";
import { describe, expect, it } from "vitest";
import {
  SIO_MAX_ATTACHMENTS,
  SioEncodeError,
  SioError,
  SioPacket,
  SioParsed,
  sioArgCount,
  sioArgsArray,
  sioEncodeAck,
  sioEncodeConnect,
  sioEncodeDisconnect,
  sioEncodeEvent,
  sioEncodeErrorText,
  sioEventName,
  sioIsReservedName,
  sioNspEquals,
  sioParse,
} from "../core/socketio.js";

const enc = (s: string): Uint8Array => Buffer.from(s, "utf8");
const str = (b: Uint8Array): string => Buffer.from(b).toString("utf8");

interface Ours {
  err: number;
  p: SioParsed;
  nsp: string;
  data: unknown;
  name: string | null;
  args: unknown[] | null;
}

/** Parses an Engine.IO message text with sioParse and turns the offsets into values. */
function parse(text: string): Ours {
  const b = enc(text);
  const p = new SioParsed();
  const err = sioParse(b, 0, b.length, p);
  const nsp = p.nspLen === 0 ? "/" : str(b.subarray(p.nspOff, p.nspOff + p.nspLen));
  const data = p.dataLen === 0 ? undefined : JSON.parse(str(b.subarray(p.dataOff, p.dataOff + p.dataLen)));
  let name: string | null = null;
  let args: unknown[] | null = null;
  if (err === SioError.Ok && (p.type === SioPacket.Event || p.type === SioPacket.BinaryEvent)) {
    const out = new Uint8Array(4096);
    const n = sioEventName(b, p, out, 0, out.length);
    expect(n).toBeGreaterThanOrEqual(0);
    name = str(out.subarray(0, n));
  }
  if (
    err === SioError.Ok &&
    p.type !== SioPacket.Connect &&
    p.type !== SioPacket.Disconnect &&
    p.type !== SioPacket.ConnectError
  ) {
    const out = new Uint8Array(b.length + 2);
    const o = sioArgsArray(b, p, out, 0, out.length);
    expect(o).toBeGreaterThan(0);
    args = JSON.parse(str(out.subarray(0, o))) as unknown[];
    expect(args.length).toBe(sioArgCount(b, p));
  }
  return { err, p, nsp, data, name, args };
}

/** socket.io-parser's view of the same text (without the Engine.IO `4`): the packet, or the error it throws. */
function theirs(text: string): Packet | Error | undefined {
  const d = new Decoder();
  let got: Packet | undefined;
  d.on("decoded", (p: Packet) => {
    got = p;
  });
  try {
    d.add(text);
  } catch (e) {
    return e as Error;
  }
  return got;
}

function theirEncode(p: Packet): string {
  const parts = new Encoder().encode(p);
  expect(parts.length).toBe(1);
  return "4" + (parts[0] as string);
}

const NONE = new Uint8Array(0);

function bytesOf(s: string | null): Uint8Array {
  return s === null ? NONE : enc(s);
}

function ourConnect(nsp: string, auth: string | null, cap = 1024): string | number {
  const out = new Uint8Array(cap);
  const n = bytesOf(nsp);
  const a = bytesOf(auth);
  const o = sioEncodeConnect(out, 0, cap, n, 0, n.length, a, 0, a.length);
  return o < 0 ? o : str(out.subarray(0, o));
}

function ourEvent(nsp: string, name: string, args: string, ackId: number, cap = 4096): string | number {
  const out = new Uint8Array(cap);
  const n = enc(nsp);
  const nm = enc(name);
  const a = enc(args);
  const o = sioEncodeEvent(out, 0, cap, n, 0, n.length, nm, 0, nm.length, a, 0, a.length, ackId);
  return o < 0 ? o : str(out.subarray(0, o));
}

function ourAck(nsp: string, ackId: number, args: string, cap = 4096): string | number {
  const out = new Uint8Array(cap);
  const n = enc(nsp);
  const a = enc(args);
  const o = sioEncodeAck(out, 0, cap, n, 0, n.length, ackId, a, 0, a.length);
  return o < 0 ? o : str(out.subarray(0, o));
}

function ourDisconnect(nsp: string, cap = 64): string | number {
  const out = new Uint8Array(cap);
  const n = enc(nsp);
  const o = sioEncodeDisconnect(out, 0, cap, n, 0, n.length);
  return o < 0 ? o : str(out.subarray(0, o));
}

const RESERVED = ["connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"];
const nspArb = fc.constantFrom("/", "/admin", "/chat", "/a/b", "/é", "/9");
const nameArb = fc.string({ maxLength: 20 }).filter((s) => !RESERVED.includes(s));
const argsArb = fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 });
const idArb = fc.option(fc.integer({ min: 0, max: 0x7fffffff }));

describe("socket.io wire examples (protocol-notes.md)", () => {
  it("parses what servers send", () => {
    let r = parse('40{"sid":"X1y2"}');
    expect(r.err).toBe(SioError.Ok);
    expect(r.p.type).toBe(SioPacket.Connect);
    expect(r.nsp).toBe("/");
    expect(r.data).toEqual({ sid: "X1y2" });
    expect(r.p.ackId).toBe(-1);

    r = parse('40/admin,{"sid":"abc"}');
    expect([r.err, r.p.type, r.nsp]).toEqual([SioError.Ok, SioPacket.Connect, "/admin"]);
    expect(r.data).toEqual({ sid: "abc" });

    r = parse('42["match_event",{"round":3}]');
    expect([r.err, r.p.type, r.nsp, r.p.ackId]).toEqual([SioError.Ok, SioPacket.Event, "/", -1]);
    expect(r.name).toBe("match_event");
    expect(r.args).toEqual([{ round: 3 }]);
    expect(str(enc('42["match_event",{"round":3}]').subarray(r.p.argsOff, r.p.argsOff + r.p.argsLen))).toBe(
      '{"round":3}',
    );
    expect(str(enc('42["match_event",{"round":3}]').subarray(r.p.nameOff, r.p.nameOff + r.p.nameLen))).toBe(
      '"match_event"',
    );

    r = parse('42/chat,17["msg","hi"]');
    expect([r.err, r.p.type, r.nsp, r.p.ackId, r.name]).toEqual([SioError.Ok, SioPacket.Event, "/chat", 17, "msg"]);
    expect(r.args).toEqual(["hi"]);

    r = parse('43/chat,17["ok"]');
    expect([r.err, r.p.type, r.nsp, r.p.ackId]).toEqual([SioError.Ok, SioPacket.Ack, "/chat", 17]);
    expect(r.args).toEqual(["ok"]);

    r = parse('44{"message":"Not authorized"}');
    expect([r.err, r.p.type, r.nsp]).toEqual([SioError.Ok, SioPacket.ConnectError, "/"]);
    expect(r.data).toEqual({ message: "Not authorized" });

    r = parse("41");
    expect([r.err, r.p.type, r.nsp, r.p.dataLen]).toEqual([SioError.Ok, SioPacket.Disconnect, "/", 0]);
    r = parse("41/admin,");
    expect([r.err, r.p.type, r.nsp]).toEqual([SioError.Ok, SioPacket.Disconnect, "/admin"]);
  });

  it("writes what clients send", () => {
    expect(ourConnect("/", null)).toBe("40");
    expect(ourConnect("", null)).toBe("40");
    expect(ourConnect("/admin", null)).toBe("40/admin,");
    expect(ourConnect("/", '{"token":"abc"}')).toBe('40{"token":"abc"}');
    expect(ourConnect("/admin", '{"token":"abc"}')).toBe('40/admin,{"token":"abc"}');
    expect(ourEvent("/", "match_event", '{"round":3}', -1)).toBe('42["match_event",{"round":3}]');
    expect(ourEvent("/chat", "msg", '"hi"', 17)).toBe('42/chat,17["msg","hi"]');
    expect(ourEvent("/nsp", "name", '{"round":3}', 17)).toBe('42/nsp,17["name",{"round":3}]');
    expect(ourEvent("/", "ping", "", -1)).toBe('42["ping"]');
    expect(ourEvent("/", "a", " 1 , [2] ", 0)).toBe('420["a",1 , [2]]');
    expect(ourEvent("/", 'q"\\\n', "", -1)).toBe('42["q\\"\\\\\\n"]');
    expect(ourAck("/chat", 17, '"ok"')).toBe('43/chat,17["ok"]');
    expect(ourAck("/", 0, "")).toBe("430[]");
    expect(ourDisconnect("/")).toBe("41");
    expect(ourDisconnect("/admin")).toBe("41/admin,");
  });
});

describe("socket.io parser against socket.io-parser", () => {
  it("parses packets written by socket.io-parser's Encoder", () => {
    const packetArb = fc.oneof(
      fc.record({
        type: fc.constant(PacketType.CONNECT),
        nsp: nspArb,
        data: fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })),
      }),
      fc.record({ type: fc.constant(PacketType.DISCONNECT), nsp: nspArb }),
      fc.record({ type: fc.constant(PacketType.EVENT), nsp: nspArb, id: idArb, name: nameArb, args: argsArb }),
      fc.record({
        type: fc.constant(PacketType.ACK),
        nsp: nspArb,
        id: fc.integer({ min: 0, max: 0x7fffffff }),
        args: argsArb,
      }),
      fc.record({
        type: fc.constant(PacketType.CONNECT_ERROR),
        nsp: nspArb,
        data: fc.oneof(fc.string(), fc.record({ message: fc.string(), data: fc.jsonValue({ maxDepth: 2 }) })),
      }),
    );
    fc.assert(
      fc.property(packetArb, (pk) => {
        const packet: Packet = { type: pk.type, nsp: pk.nsp };
        if ("id" in pk && pk.id !== null) {
          packet.id = pk.id;
        }
        if ("name" in pk) {
          packet.data = [pk.name, ...pk.args];
        } else if ("args" in pk) {
          packet.data = pk.args;
        } else if ("data" in pk && pk.data !== null) {
          packet.data = pk.data;
        }
        const text = theirEncode(packet);
        const r = parse(text);
        expect(r.err, text).toBe(SioError.Ok);
        expect(r.p.type).toBe(pk.type);
        expect(r.nsp).toBe(pk.nsp);
        expect(r.p.ackId).toBe(packet.id ?? -1);
        const expected = packet.data === undefined ? undefined : JSON.parse(JSON.stringify(packet.data));
        expect(r.data).toEqual(expected);
        if ("name" in pk) {
          expect(r.name).toBe(Buffer.from(pk.name, "utf8").toString("utf8"));
          expect(r.args).toEqual(expected.slice(1));
        } else if ("args" in pk) {
          expect(r.args).toEqual(expected);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("writes packets socket.io-parser decodes to the same values", () => {
    fc.assert(
      fc.property(
        nspArb,
        nameArb,
        argsArb,
        fc.option(fc.integer({ min: 0, max: 0x7fffffff })),
        (nsp, name, args, id) => {
          const ev = ourEvent(nsp, name, JSON.stringify(args).slice(1, -1), id ?? -1, 1 << 16);
          expect(typeof ev).toBe("string");
          const pe = theirs((ev as string).slice(1)) as Packet;
          expect(pe.type).toBe(PacketType.EVENT);
          expect(pe.nsp).toBe(nsp);
          expect(pe.id).toBe(id ?? undefined);
          expect(pe.data).toEqual(JSON.parse(JSON.stringify([Buffer.from(name).toString(), ...args])));
          // And our own parser gives the same back.
          const r = parse(ev as string);
          expect(r.err).toBe(SioError.Ok);
          expect(r.args).toEqual(JSON.parse(JSON.stringify(args)));

          const ack = ourAck(nsp, id ?? 0, JSON.stringify(args).slice(1, -1), 1 << 16);
          const pa = theirs((ack as string).slice(1)) as Packet;
          expect([pa.type, pa.nsp, pa.id]).toEqual([PacketType.ACK, nsp, id ?? 0]);
          expect(pa.data).toEqual(JSON.parse(JSON.stringify(args)));

          const auth = JSON.stringify({ token: name });
          const con = ourConnect(nsp, auth);
          const pc = theirs((con as string).slice(1)) as Packet;
          expect([pc.type, pc.nsp]).toEqual([PacketType.CONNECT, nsp]);
          expect(pc.data).toEqual(JSON.parse(auth));

          const dis = ourDisconnect(nsp);
          const pd = theirs((dis as string).slice(1)) as Packet;
          expect([pd.type, pd.nsp, pd.data]).toEqual([PacketType.DISCONNECT, nsp, undefined]);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("accepts and refuses the same texts as socket.io-parser, except the documented differences", () => {
    const alpha = fc.constantFrom(
      "0",
      "1",
      "2",
      "3",
      "4",
      "6",
      "9",
      "/",
      "a",
      ",",
      "[",
      "]",
      "{",
      "}",
      '"',
      ":",
      "-",
      "x",
      '"connect"',
      '"ev"',
      "null",
      "17",
    );
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(alpha, { minLength: 1, maxLength: 10 }), (parts) => {
        const text = parts.join("");
        const t = theirs(text);
        const r = parse("4" + text);
        const theyOk = !(t instanceof Error) && t !== undefined;
        const weOk = r.err === SioError.Ok;
        if (weOk) {
          accepted++;
        }
        if (theyOk && !weOk) {
          const p = t as Packet;
          const documented =
            ((p.type === PacketType.EVENT || p.type === PacketType.ACK) && p.data === undefined) ||
            (p.type === PacketType.EVENT && typeof (p.data as unknown[])[0] === "number") ||
            (p.id !== undefined && p.id > 0x7fffffff);
          expect(documented, text).toBe(true);
          return;
        }
        expect(weOk, text).toBe(theyOk);
        if (weOk) {
          const p = t as Packet;
          expect(r.p.type).toBe(p.type);
          expect(r.nsp).toBe(p.nsp);
          expect(r.p.ackId).toBe(p.id ?? -1);
          expect(r.data).toEqual(p.data);
        }
      }),
      { numRuns: 20000 },
    );
    expect(accepted).toBeGreaterThan(100);
  });
});

describe("socket.io parser: malformed packets", () => {
  it("returns the error code for each kind of malformed packet", () => {
    const cases: Array<[string, number]> = [
      ["", SioError.NotMessage],
      ["2", SioError.NotMessage],
      ["0{}", SioError.NotMessage],
      ["4", SioError.BadType],
      ["47", SioError.BadType],
      ["4x", SioError.BadType],
      ["4/", SioError.BadType],
      ["45", SioError.BadAttachments],
      ["45-", SioError.BadAttachments],
      ["451", SioError.BadAttachments],
      ["450-[]", SioError.BadAttachments],
      [`45${SIO_MAX_ATTACHMENTS + 1}-["a",{"_placeholder":true,"num":0}]`, SioError.BadAttachments],
      ["45999999999999-[]", SioError.BadAttachments],
      ["42x", SioError.BadJson],
      ['42["a"', SioError.BadJson],
      ['42["a"]x', SioError.BadJson],
      ["40 ", SioError.BadJson],
      ['422147483648["a"]', SioError.AckIdOverflow],
      ['4299999999999["a"]', SioError.AckIdOverflow],
      ["40[]", SioError.BadConnectData],
      ['40"x"', SioError.BadConnectData],
      ["41{}", SioError.BadDisconnectData],
      ['41/a,1"x"', SioError.BadDisconnectData],
      ["42", SioError.BadEventData],
      ["42/a,", SioError.BadEventData],
      ["42[]", SioError.BadEventData],
      ["42{}", SioError.BadEventData],
      ["42[1]", SioError.BadEventData],
      ['42"ev"', SioError.BadEventData],
      ['42["connect"]', SioError.ReservedEvent],
      ['42["disconnect",1]', SioError.ReservedEvent],
      ['42/x,5["removeListener"]', SioError.ReservedEvent],
      ['42["\\u0063onnect"]', SioError.ReservedEvent],
      ["43", SioError.BadAckData],
      ["431", SioError.BadAckData],
      ["431{}", SioError.BadAckData],
      ["44[]", SioError.BadConnectErrorData],
      ["44true", SioError.BadConnectErrorData],
      ["44/x,1", SioError.Ok],
    ];
    for (const [t, e] of cases) {
      expect(parse(t).err, t).toBe(e);
    }
  });

  it("accepts the edge cases socket.io-parser accepts", () => {
    const cases: Array<[string, number, string, number]> = [
      ['42["connected"]', SioPacket.Event, "/", -1],
      ['42["a"] ', SioPacket.Event, "/", -1],
      ['42[ "a" , 1 ]', SioPacket.Event, "/", -1],
      ["44", SioPacket.ConnectError, "/", -1],
      ['44"Not authorized"', SioPacket.ConnectError, "/", -1],
      ["40", SioPacket.Connect, "/", -1],
      ["40/,", SioPacket.Connect, "/", -1],
      ["40/admin", SioPacket.Connect, "/admin", -1],
      ['42/a,0["x"]', SioPacket.Event, "/a", 0],
      ['422147483647["x"]', SioPacket.Event, "/", 2147483647],
      ['43["x"]', SioPacket.Ack, "/", -1],
      ['451-["a",{"_placeholder":true,"num":0}]', SioPacket.BinaryEvent, "/", -1],
      ['4610-/b,3[{"_placeholder":true,"num":0}]', SioPacket.BinaryAck, "/b", 3],
    ];
    for (const [t, type, nsp, id] of cases) {
      const r = parse(t);
      expect(r.err, t).toBe(SioError.Ok);
      expect([r.p.type, r.nsp, r.p.ackId], t).toEqual([type, nsp, id]);
    }
    expect(parse('451-["a",{"_placeholder":true,"num":0}]').p.attachments).toBe(1);
    expect(parse('4610-/b,3[{"_placeholder":true,"num":0}]').p.attachments).toBe(10);
    const r = parse('42[ "a" , 1 , {"b":[2]} ]');
    expect(sioArgCount(enc('42[ "a" , 1 , {"b":[2]} ]'), r.p)).toBe(2);
    expect(str(enc('42[ "a" , 1 , {"b":[2]} ]').subarray(r.p.argsOff, r.p.argsOff + r.p.argsLen))).toBe(
      '1 , {"b":[2]}',
    );
    const none = parse('42["a"]');
    expect([sioArgCount(enc('42["a"]'), none.p), none.p.argsLen]).toEqual([0, 0]);
    expect(none.args).toEqual([]);
  });

  it("parses at an offset inside a larger buffer, ignoring bytes beyond len", () => {
    const b = enc('xx42/chat,17["msg","hi"]yy');
    const p = new SioParsed();
    expect(sioParse(b, 2, b.length - 4, p)).toBe(SioError.Ok);
    expect(p.nspOff).toBe(4);
    expect(p.nspLen).toBe(5);
    expect(p.ackId).toBe(17);
    expect(sioParse(b, 2, b.length - 3, p)).toBe(SioError.BadJson);
  });
});

describe("socket.io helpers", () => {
  it("compares namespaces with / and empty meaning the main one", () => {
    const p = new SioParsed();
    const b = enc('42/chat,["x"]');
    sioParse(b, 0, b.length, p);
    expect(sioNspEquals(b, p, enc("/chat"), 0, 5)).toBe(true);
    expect(sioNspEquals(b, p, enc("/chat2"), 0, 6)).toBe(false);
    expect(sioNspEquals(b, p, enc("/cha"), 0, 4)).toBe(false);
    expect(sioNspEquals(b, p, enc("/"), 0, 1)).toBe(false);
    const m = enc('42["x"]');
    sioParse(m, 0, m.length, p);
    expect(sioNspEquals(m, p, enc("/"), 0, 1)).toBe(true);
    expect(sioNspEquals(m, p, NONE, 0, 0)).toBe(true);
    expect(sioNspEquals(m, p, enc("/chat"), 0, 5)).toBe(false);
  });

  it("writes the args array and the event name only when they fit", () => {
    const b = enc('42["é",{"a":1},2]');
    const p = new SioParsed();
    expect(sioParse(b, 0, b.length, p)).toBe(SioError.Ok);
    const out = new Uint8Array(32);
    expect(sioArgsArray(b, p, out, 3, 3 + 11)).toBe(14);
    expect(str(out.subarray(3, 14))).toBe('[{"a":1},2]');
    expect(sioArgsArray(b, p, out, 3, 3 + 10)).toBe(-1);
    expect(sioEventName(b, p, out, 0, 2)).toBe(2);
    expect(str(out.subarray(0, 2))).toBe("é");
    expect(sioEventName(b, p, out, 0, 1)).toBe(-1);
    const a = enc("43/x,1[]");
    expect(sioParse(a, 0, a.length, p)).toBe(SioError.Ok);
    expect(sioEventName(a, p, out, 0, 32)).toBe(-1);
    expect(sioArgsArray(a, p, out, 0, 2)).toBe(2);
    expect(str(out.subarray(0, 2))).toBe("[]");
  });

  it("knows the reserved event names", () => {
    for (const n of RESERVED) {
      expect(sioIsReservedName(enc(n), 0, n.length), n).toBe(true);
    }
    for (const n of ["", "connec", "connected", "Connect", "newlistener", "message"]) {
      expect(sioIsReservedName(enc(n), 0, n.length), n).toBe(false);
    }
  });
});

describe("socket.io encoders: refusals", () => {
  it("refuses bad namespaces, bad JSON, reserved names and bad ack ids", () => {
    expect(ourConnect("admin", null)).toBe(SioEncodeError.BadNamespace);
    expect(ourConnect("/a,b", null)).toBe(SioEncodeError.BadNamespace);
    expect(ourConnect("/", "[]")).toBe(SioEncodeError.BadJson);
    expect(ourConnect("/", '{"a":1')).toBe(SioEncodeError.BadJson);
    expect(ourConnect("/", '{"a":1} {}')).toBe(SioEncodeError.BadJson);
    expect(ourConnect("/", '"tok"')).toBe(SioEncodeError.BadJson);
    expect(ourEvent("/", "ev", "1,", -1)).toBe(SioEncodeError.BadJson);
    expect(ourEvent("/", "ev", "[1", -1)).toBe(SioEncodeError.BadJson);
    expect(ourEvent("/", "ev", "a", -1)).toBe(SioEncodeError.BadJson);
    expect(ourEvent("x", "ev", "", -1)).toBe(SioEncodeError.BadNamespace);
    for (const n of RESERVED) {
      expect(ourEvent("/", n, "", -1), n).toBe(SioEncodeError.ReservedEvent);
    }
    expect(ourAck("/", -1, "")).toBe(SioEncodeError.BadAckId);
    expect(ourAck("/", 1, "1 2")).toBe(SioEncodeError.BadJson);
    expect(ourDisconnect("chat")).toBe(SioEncodeError.BadNamespace);
  });

  it("refuses every capacity below the packet size and writes nothing past cap", () => {
    const check = (write: (out: Uint8Array, cap: number) => number, expected: string): void => {
      const n = enc(expected).length;
      for (let cap = 0; cap < n; cap++) {
        const out = new Uint8Array(n + 8).fill(0xee);
        expect(write(out, cap), `${expected} cap ${cap}`).toBe(SioEncodeError.NoSpace);
        expect(
          out.subarray(cap).every((x) => x === 0xee),
          `${expected} cap ${cap}`,
        ).toBe(true);
      }
      const out = new Uint8Array(n);
      expect(write(out, n)).toBe(n);
      expect(str(out)).toBe(expected);
    };
    const nsp = enc("/chat");
    const name = enc("msg");
    const args = enc('"hi",{"a":1}');
    const auth = enc('{"token":"abc"}');
    check(
      (o, c) => sioEncodeEvent(o, 0, c, nsp, 0, nsp.length, name, 0, name.length, args, 0, args.length, 17),
      '42/chat,17["msg","hi",{"a":1}]',
    );
    check((o, c) => sioEncodeEvent(o, 0, c, NONE, 0, 0, name, 0, name.length, NONE, 0, 0, -1), '42["msg"]');
    check((o, c) => sioEncodeAck(o, 0, c, nsp, 0, nsp.length, 17, args, 0, args.length), '43/chat,17["hi",{"a":1}]');
    check((o, c) => sioEncodeConnect(o, 0, c, nsp, 0, nsp.length, auth, 0, auth.length), '40/chat,{"token":"abc"}');
    check((o, c) => sioEncodeDisconnect(o, 0, c, nsp, 0, nsp.length), "41/chat,");
  });

  it("writes at an offset and returns the offset after the packet", () => {
    const out = new Uint8Array(16);
    const nsp = enc("/a");
    expect(sioEncodeDisconnect(out, 5, 16, nsp, 0, 2)).toBe(10);
    expect(str(out.subarray(5, 10))).toBe("41/a,");
  });
});

describe("sioEncodeErrorText", () => {
  const text = (err: number, cap = 400): string => {
    const out = new Uint8Array(400);
    const n = sioEncodeErrorText(err, out, 0, cap);
    return n < 0 ? "-1" : Buffer.from(out.subarray(0, n)).toString("latin1");
  };

  it("gives the native error texts of the encoders' errors, an unknown one by number", () => {
    expect(text(SioEncodeError.NoSpace)).toBe("Packet larger than the maximum message size of 1048576 bytes");
    expect(text(SioEncodeError.BadNamespace)).toBe('Bad namespace: "/", or one starting with "/" and without ","');
    expect(text(SioEncodeError.BadJson)).toContain("Arguments are not JSON");
    expect(text(SioEncodeError.ReservedEvent)).toContain("Reserved event name (connect, connect_error");
    expect(text(SioEncodeError.BadPlaceholder)).toContain('{"_placeholder":true,"num":k}');
    expect(text(SioEncodeError.UnusedAttachment)).toBe("Cannot encode the packet (error -8)");
    expect(text(SioEncodeError.NoSpace, 20)).toBe("-1");
  });
});
