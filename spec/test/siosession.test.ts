/**
 * The Socket.IO session (spec/core/siosession.ts) without network: real
 * Engine.IO/Socket.IO packets built with the core's encoders (the server's
 * packets have the client's format), fake times and fixed random16 values.
 */
import { describe, expect, it } from "vitest";
import { Backoff, backoffInit, backoffNext } from "../core/backoff.js";
import { CONFIG_SEND_QUEUE_BYTES } from "../core/config.js";
import { Opcode } from "../core/frame.js";
import {
  SIO_MAX_PENDING_ACKS,
  SIO_OPEN_TIMEOUT_MS,
  SioClose,
  SioClosed,
  SioDrop,
  SioOut,
  SioReason,
  SioSend,
  SioSession,
  SioTick,
  sioReasonText,
  sioSessionAck,
  sioSessionAckHeld,
  sioSessionAckIdFor,
  sioSessionClose,
  sioSessionEmit,
  sioSessionEngineClosed,
  sioSessionFinish,
  sioSessionInit,
  sioSessionOnMessage,
  sioSessionTick,
  sioSessionTransportEndReason,
  sioSessionTransportFailed,
  sioSessionTransportStarted,
} from "../core/siosession.js";
import {
  SioParsed,
  sioArgsArray,
  sioEncodeAck,
  sioEncodeConnect,
  sioEncodeDisconnect,
  sioEncodeEvent,
} from "../core/socketio.js";
import { ReconnectArg, SessionError, reconnectConfigure, reconnectRemainingMs } from "../core/wssession.js";

const enc = (s: string): Buffer => Buffer.from(s, "utf8");

function openPacket(pingInterval: number, pingTimeout: number, maxPayload = 1000000): Buffer {
  return enc(
    `0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":${pingInterval},"pingTimeout":${pingTimeout},"maxPayload":${maxPayload}}`,
  );
}

/** The Engine.IO message (the core's Socket.IO encoders write its leading `4`) that encode() writes. */
function message(encode: (out: Uint8Array, cap: number) => number): Buffer {
  const out = new Uint8Array(4096);
  const n = encode(out, out.length);
  expect(n).toBeGreaterThan(1);
  expect(out[0]).toBe(0x34);
  return Buffer.from(out.subarray(0, n));
}

/** The server's CONNECT reply for nsp: `40[nsp,]{"sid":…}` (a CONNECT with a JSON object, as sioEncodeConnect writes). */
const connectReply = (nsp: string): Buffer =>
  message((o, cap) => sioEncodeConnect(o, 0, cap, enc(nsp), 0, nsp.length, enc('{"sid":"s1"}'), 0, 12));
const disconnectPacket = (nsp: string): Buffer =>
  message((o, cap) => sioEncodeDisconnect(o, 0, cap, enc(nsp), 0, nsp.length));
const eventPacket = (nsp: string, name: string, args: string, ackId = -1): Buffer =>
  message((o, cap) =>
    sioEncodeEvent(o, 0, cap, enc(nsp), 0, nsp.length, enc(name), 0, name.length, enc(args), 0, args.length, ackId),
  );
const ackPacket = (nsp: string, ackId: number, args: string): Buffer =>
  message((o, cap) => sioEncodeAck(o, 0, cap, enc(nsp), 0, nsp.length, ackId, enc(args), 0, args.length));

/** A session and the I/O layer's buffers. */
class Drive {
  readonly s = new SioSession();
  readonly p = new SioParsed();
  readonly name = new Uint8Array(64);
  readonly out = new Uint8Array(4096);

  constructor(nsp = "/", auth = "", t = 0) {
    expect(sioSessionInit(this.s, enc(nsp), 0, nsp.length, enc(auth), 0, auth.length, t)).toBe(true);
  }

  msg(data: Buffer, t: number, opcode = Opcode.Text): number {
    return sioSessionOnMessage(
      this.s,
      opcode,
      data,
      0,
      data.length,
      this.p,
      this.name,
      this.name.length,
      this.out,
      this.out.length,
      t,
    );
  }

  written(): string {
    return Buffer.from(this.out.subarray(0, this.s.outLen)).toString("utf8");
  }

  /** The first tick's transport, its open packet and the namespace joined, at t. */
  join(t: number, pingInterval = 25000, pingTimeout = 20000, maxPayload = 1000000): void {
    expect(sioSessionTick(this.s, t)).toBe(SioTick.Open);
    sioSessionTransportStarted(this.s, t);
    expect(this.msg(openPacket(pingInterval, pingTimeout, maxPayload), t)).toBe(SioOut.Write);
    expect(this.msg(connectReply(this.nsp()), t)).toBe(SioOut.Connected);
    expect(this.s.connected).toBe(true);
  }

  nsp(): string {
    return Buffer.from(this.s.nsp.subarray(0, this.s.nspLen)).toString();
  }

  emit(len: number, wantAck: boolean, open: boolean): [number, number, number] {
    const id = sioSessionAckIdFor(this.s, wantAck);
    const r = sioSessionEmit(this.s, len, len + 2, id, open);
    return [r, id, this.s.ack];
  }
}

function firstTick(s: SioSession, from: number, to: number): [number, number] | null {
  for (let t = from; t <= to; t++) {
    const r = sioSessionTick(s, t | 0);
    if (r !== SioTick.None) return [t, r];
  }
  return null;
}

function reasonText(r: number): string {
  const b = new Uint8Array(32);
  return Buffer.from(b.subarray(0, sioReasonText(r, b, 0, b.length))).toString();
}

describe("opening and the namespace", () => {
  it("opens the first transport on the first tick, answers the open packet with CONNECT (auth) and pings with pongs", () => {
    const d = new Drive("/admin", '{"token":"abc"}', 1000);
    expect(sioSessionTick(d.s, 999)).toBe(SioTick.None);
    expect(sioSessionTick(d.s, 1000)).toBe(SioTick.Open);
    expect(sioSessionTick(d.s, 1001)).toBe(SioTick.None);
    sioSessionTransportStarted(d.s, 1001);
    expect(d.msg(openPacket(300, 200, 5000), 1010)).toBe(SioOut.Write);
    expect(d.written()).toBe('40/admin,{"token":"abc"}');
    expect([d.s.engineOpen, d.s.info.pingInterval, d.s.info.pingTimeout, d.s.info.maxPayload]).toEqual([
      true,
      300,
      200,
      5000,
    ]);
    expect(d.msg(enc("2"), 1100)).toBe(SioOut.Write);
    expect(d.written()).toBe("3");
    // An event before the namespace is joined is not delivered; one of another namespace never is.
    expect(d.msg(eventPacket("/admin", "early", "1"), 1100)).toBe(SioOut.None);
    expect(d.msg(connectReply("/"), 1100)).toBe(SioOut.None);
    expect(d.s.connected).toBe(false);
    expect(d.msg(connectReply("/admin"), 1110)).toBe(SioOut.Connected);
    expect(d.msg(eventPacket("/admin", "match_event", '{"round":3}', 17), 1120)).toBe(SioOut.Event);
    expect(Buffer.from(d.name.subarray(0, d.s.nameLen)).toString()).toBe("match_event");
    expect(d.p.ackId).toBe(17);
    const args = new Uint8Array(64);
    const n = sioArgsArray(eventPacket("/admin", "match_event", '{"round":3}', 17), d.p, args, 0, args.length);
    expect(Buffer.from(args.subarray(0, n)).toString()).toBe('[{"round":3}]');
    expect(d.msg(eventPacket("/", "other", "1"), 1130)).toBe(SioOut.None);
  });

  it("refuses binary messages and packets it cannot read", () => {
    const d = new Drive();
    d.join(0);
    expect(d.msg(enc("4x"), 5, Opcode.Binary)).toBe(SioOut.Error);
    expect([d.s.error, d.s.drop, d.s.detail]).toEqual([SessionError.Unsupported, SioDrop.BinaryMessage, Opcode.Binary]);
    expect(d.msg(enc('451-["bin",{"_placeholder":true,"num":0}]'), 5)).toBe(SioOut.Error);
    expect(d.s.drop).toBe(SioDrop.BinaryPacket);
    expect(d.msg(enc("4zz"), 5)).toBe(SioOut.Fail);
    expect([d.s.error, d.s.reason]).toEqual([SessionError.PacketInvalid, SioReason.ParseError]);
    expect(d.msg(enc("9"), 5)).toBe(SioOut.Fail);
    expect(d.msg(enc("1"), 5)).toBe(SioOut.CloseTransport);
    expect(d.s.reason).toBe(SioReason.TransportClose);
  });

  it("gives socket.io-client's reason texts", () => {
    expect(
      [
        SioReason.TransportClose,
        SioReason.TransportError,
        SioReason.PingTimeout,
        SioReason.ParseError,
        SioReason.IoServerDisconnect,
        SioReason.IoClientDisconnect,
        SioReason.ConnectError,
        SioReason.ReconnectFailed,
        SioReason.None,
      ].map(reasonText),
    ).toEqual([
      "transport close",
      "transport error",
      "ping timeout",
      "parse error",
      "io server disconnect",
      "io client disconnect",
      "connect error",
      "reconnect failed",
      "",
    ]);
    expect(sioReasonText(SioReason.PingTimeout, new Uint8Array(4), 0, 4)).toBe(-1);
  });
});

describe("timers", () => {
  it("heartbeat: no ping for pingInterval + pingTimeout drops the transport with ping timeout", () => {
    const d = new Drive();
    d.join(0, 100, 50);
    expect(firstTick(d.s, 1, 90)).toBeNull();
    d.msg(enc("2"), 90);
    expect(firstTick(d.s, 91, 500)).toEqual([241, SioTick.PingTimeout]);
    expect(d.s.reason).toBe(SioReason.PingTimeout);
    expect(sioSessionEngineClosed(d.s, SioReason.PingTimeout, 241, 0)).toBe(SioClosed.NotifyRetry);
    expect(reasonText(d.s.reason)).toBe("ping timeout");
  });

  it("open timeout: a transport without the open packet within SIO_OPEN_TIMEOUT_MS is a transport error", () => {
    const d = new Drive("/", "", 100);
    expect(sioSessionTick(d.s, 100)).toBe(SioTick.Open);
    sioSessionTransportStarted(d.s, 100);
    expect(firstTick(d.s, 101, 100 + SIO_OPEN_TIMEOUT_MS + 5)).toEqual([
      100 + SIO_OPEN_TIMEOUT_MS + 1,
      SioTick.OpenTimeout,
    ]);
    expect([d.s.error, d.s.detail, d.s.reason]).toEqual([
      SessionError.Timeout,
      SIO_OPEN_TIMEOUT_MS + 1,
      SioReason.TransportError,
    ]);
    // Never connected: a reconnect is scheduled without a disconnect callback.
    expect(sioSessionEngineClosed(d.s, d.s.reason, 100 + SIO_OPEN_TIMEOUT_MS + 1, 0)).toBe(SioClosed.None);
    expect(d.s.rc.pending).toBe(true);
  });

  it("a transport that reported an error ends as a transport error, otherwise as a transport close", () => {
    const d = new Drive();
    d.join(0);
    expect(sioSessionTransportEndReason(d.s)).toBe(SioReason.TransportClose);
    sioSessionTransportFailed(d.s);
    expect(sioSessionTransportEndReason(d.s)).toBe(SioReason.TransportError);
  });
});

describe("emits, acks and the queue", () => {
  it("ack round trip: the id is taken, sent now, and the ACK frees its entry once", () => {
    const d = new Drive();
    d.join(0);
    expect(d.emit(20, true, true)).toEqual([SioSend.Now, 0, 0]);
    expect(d.emit(20, true, true)).toEqual([SioSend.Now, 1, 1]);
    expect(d.emit(20, false, true)).toEqual([SioSend.Now, -1, -1]);
    expect(d.msg(ackPacket("/", 1, '"ok"'), 5)).toBe(SioOut.Ack);
    expect(d.s.ack).toBe(1);
    expect(sioSessionAckHeld(d.s, 1)).toBe(false);
    expect(sioSessionAckHeld(d.s, 0)).toBe(true);
    expect(d.msg(ackPacket("/", 1, '"again"'), 6)).toBe(SioOut.None);
    expect(d.msg(ackPacket("/", 99, "1"), 6)).toBe(SioOut.None);
    // The freed entry is reused with the next id.
    expect(d.emit(20, true, true)).toEqual([SioSend.Now, 2, 1]);
  });

  it("refuses an emit with an ack when SIO_MAX_PENDING_ACKS wait (-2), and takes one again after an ACK", () => {
    const d = new Drive();
    d.join(0);
    for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) expect(d.emit(10, true, true)).toEqual([SioSend.Now, k, k]);
    expect(sioSessionAckIdFor(d.s, true)).toBe(-2);
    expect(sioSessionAckIdFor(d.s, false)).toBe(-1);
    expect(d.msg(ackPacket("/", 40, "[]"), 1)).toBe(SioOut.Ack);
    expect(d.s.ack).toBe(40);
    expect(sioSessionAckIdFor(d.s, true)).toBe(SIO_MAX_PENDING_ACKS);
  });

  it("refuses locally a packet above the server's maxPayload, and an ack while not joined", () => {
    const d = new Drive();
    d.join(0, 25000, 20000, 1000);
    expect(sioSessionEmit(d.s, 1001, 1003, -1, true)).toBe(SioSend.TooLarge);
    expect([d.s.error, d.s.detail]).toEqual([SessionError.TooLargeForServer, 1001]);
    expect(sioSessionEmit(d.s, 1000, 1002, -1, true)).toBe(SioSend.Now);
    expect(sioSessionAck(d.s, 1001, true)).toBe(SioSend.TooLarge);
    expect(sioSessionAck(d.s, 1000, true)).toBe(SioSend.Now);
    expect(sioSessionAck(d.s, 10, false)).toBe(SioSend.NotConnected);
    sioSessionEngineClosed(d.s, SioReason.TransportClose, 1, 0);
    expect(sioSessionAck(d.s, 10, true)).toBe(SioSend.NotConnected);
  });

  it("queues while not joined within CONFIG_SEND_QUEUE_BYTES and refuses beyond", () => {
    const d = new Drive();
    expect(sioSessionEmit(d.s, 100, CONFIG_SEND_QUEUE_BYTES - 10, -1, false)).toBe(SioSend.Queue);
    expect(sioSessionEmit(d.s, 9, 10, -1, false)).toBe(SioSend.Queue);
    expect(sioSessionEmit(d.s, 1, 1, 0, false)).toBe(SioSend.Overflow);
    expect([d.s.error, d.s.detail]).toEqual([SessionError.QueueOverflow, 1]);
    // A refused emit takes no ack entry.
    expect(sioSessionAckHeld(d.s, 0)).toBe(false);
    d.join(0);
    expect(d.s.queueLen).toBe(0);
  });

  it("server restart: acks of sent emits are forgotten, queued emits and their acks survive and are flushed on CONNECT", () => {
    const d = new Drive();
    expect(reconnectConfigure(d.s.rc, true, 1000, 5000, 0, 0)).toBe(ReconnectArg.Ok);
    d.join(0);
    const [, sentId, sentK] = d.emit(10, true, true);
    expect(sioSessionEngineClosed(d.s, SioReason.TransportClose, 100, 0)).toBe(SioClosed.NotifyRetry);
    expect(reasonText(d.s.reason)).toBe("transport close");
    expect(sioSessionAckHeld(d.s, sentK)).toBe(false);
    expect(d.s.connected).toBe(false);
    // During the outage.
    const [r1, queuedId, queuedK] = d.emit(10, true, false);
    expect(r1).toBe(SioSend.Queue);
    expect(queuedId).toBe(sentId + 1);
    expect(d.emit(10, false, false)[0]).toBe(SioSend.Queue);
    expect(d.s.queueLen).toBe(24);
    // A second report of the same loss changes nothing.
    expect(sioSessionEngineClosed(d.s, SioReason.TransportClose, 101, 0)).toBe(SioClosed.None);
    expect(sioSessionAckHeld(d.s, queuedK)).toBe(true);
    // The reconnect is due after the base delay; the first attempt hits a closed port.
    expect(firstTick(d.s, 101, 2000)).toEqual([1100, SioTick.Open]);
    sioSessionTransportStarted(d.s, 1100);
    expect(sioSessionEngineClosed(d.s, SioReason.TransportError, 1101, 0)).toBe(SioClosed.None);
    expect(reconnectRemainingMs(d.s.rc, 1101)).toBe(2000);
    expect(sioSessionAckHeld(d.s, queuedK)).toBe(true);
    expect(firstTick(d.s, 1102, 5000)).toEqual([3101, SioTick.Open]);
    sioSessionTransportStarted(d.s, 3101);
    expect(d.msg(openPacket(25000, 20000), 3110)).toBe(SioOut.Write);
    expect(d.written()).toBe("40");
    // Still queued until CONNECT: an emit now is queued too, behind the others.
    expect(d.emit(10, false, true)[0]).toBe(SioSend.Queue);
    expect(d.msg(connectReply("/"), 3120)).toBe(SioOut.Connected);
    expect(d.s.queueLen).toBe(0);
    // The ACK of the emit queued during the outage arrives; the one sent before it never matches.
    expect(d.msg(ackPacket("/", sentId, "1"), 3130)).toBe(SioOut.None);
    expect(d.msg(ackPacket("/", queuedId, "2"), 3130)).toBe(SioOut.Ack);
    expect(d.s.ack).toBe(queuedK);
    // The successful open reset the backoff: the next loss waits the base delay again.
    sioSessionEngineClosed(d.s, SioReason.TransportClose, 4000, 0);
    expect(reconnectRemainingMs(d.s.rc, 4000)).toBe(1000);
  });
});

describe("what ends the session", () => {
  it("reconnect delays follow the backoff with the given random16 values", () => {
    const d = new Drive();
    reconnectConfigure(d.s.rc, true, 200, 3000, 0, 500);
    const twin = new Backoff();
    backoffInit(twin, 200, 3000, 500, 0);
    let t = 0;
    for (const r of [0, 0xffff, 0x1234, 0x9999, 0x4242, 0x7777]) {
      expect(firstTick(d.s, t, t + 5000)?.[1]).toBe(SioTick.Open);
      t = d.s.rc.at;
      sioSessionTransportStarted(d.s, t);
      sioSessionEngineClosed(d.s, SioReason.TransportError, t, r);
      expect(reconnectRemainingMs(d.s.rc, t)).toBe(backoffNext(twin, r));
    }
  });

  it("after maxAttempts failed reconnects: reconnect failed", () => {
    const d = new Drive();
    reconnectConfigure(d.s.rc, true, 10, 100, 2, 0);
    const results: number[] = [];
    let t = 0;
    for (let i = 0; i < 4 && !d.s.finishing; i++) {
      expect(firstTick(d.s, t, t + 1000)?.[1]).toBe(SioTick.Open);
      t = d.s.rc.at;
      sioSessionTransportStarted(d.s, t);
      results.push(sioSessionEngineClosed(d.s, SioReason.TransportError, t, 0));
    }
    // The first transport and two reconnects, then the end.
    expect(results).toEqual([SioClosed.None, SioClosed.None, SioClosed.Finish]);
    expect(reasonText(d.s.reason)).toBe("reconnect failed");
    expect(firstTick(d.s, t, t + 10000)).toBeNull();
  });

  it("with reconnect off, a lost transport ends the session with its own reason", () => {
    const d = new Drive();
    reconnectConfigure(d.s.rc, false, -1, -1, -1, -1);
    d.join(0, 100, 100);
    expect(firstTick(d.s, 1, 1000)).toEqual([201, SioTick.PingTimeout]);
    expect(sioSessionEngineClosed(d.s, d.s.reason, 201, 0)).toBe(SioClosed.Finish);
    expect(reasonText(d.s.reason)).toBe("ping timeout");
  });

  it("a server DISCONNECT ends it with io server disconnect, and nothing reconnects", () => {
    const d = new Drive();
    reconnectConfigure(d.s.rc, true, 10, 100, 0, 0);
    d.join(0, 100, 100);
    d.emit(10, true, true);
    expect(d.msg(disconnectPacket("/other"), 5)).toBe(SioOut.None);
    expect(d.msg(disconnectPacket("/"), 5)).toBe(SioOut.Finish);
    expect(reasonText(d.s.reason)).toBe("io server disconnect");
    expect([d.s.finishing, d.s.connected, d.s.rc.pending]).toEqual([true, false, false]);
    // The transport's end that follows changes nothing, and no timer fires.
    expect(sioSessionEngineClosed(d.s, SioReason.TransportClose, 6, 0)).toBe(SioClosed.None);
    expect(firstTick(d.s, 6, 3000)).toBeNull();
    expect(sioSessionClose(d.s, true, d.out, d.out.length)).toBe(SioClose.None);
  });

  it("CONNECT_ERROR ends it: the connect-error callback, then the end with connect error", () => {
    const d = new Drive("/admin", '{"token":"nope"}');
    expect(sioSessionTick(d.s, 0)).toBe(SioTick.Open);
    sioSessionTransportStarted(d.s, 0);
    d.msg(openPacket(25000, 20000), 1);
    const packet = enc('44/admin,{"message":"Not authorized"}');
    expect(d.msg(packet, 2)).toBe(SioOut.ConnectError);
    expect(packet.subarray(d.p.dataOff, d.p.dataOff + d.p.dataLen).toString()).toBe('{"message":"Not authorized"}');
    expect(d.s.reason).toBe(SioReason.ConnectError);
    expect(sioSessionFinish(d.s, d.s.reason)).toBe(true);
    expect(sioSessionFinish(d.s, d.s.reason)).toBe(false);
    expect(reasonText(d.s.reason)).toBe("connect error");
    expect(sioSessionEngineClosed(d.s, SioReason.TransportClose, 3, 0)).toBe(SioClosed.None);
    expect(firstTick(d.s, 3, 30000)).toBeNull();
  });

  it("the user's close leaves a joined namespace with DISCONNECT and ends with io client disconnect", () => {
    const d = new Drive("/chat");
    d.join(0);
    expect(sioSessionClose(d.s, true, d.out, d.out.length)).toBe(SioClose.Write | SioClose.Finish);
    expect(d.written()).toBe("41/chat,");
    expect(reasonText(d.s.reason)).toBe("io client disconnect");
    expect(sioSessionEngineClosed(d.s, SioReason.TransportClose, 1, 0)).toBe(SioClosed.None);
    expect(sioSessionClose(d.s, true, d.out, d.out.length)).toBe(SioClose.None);
  });

  it("the user's close while waiting to reconnect cancels the attempt, with nothing to write", () => {
    const d = new Drive();
    d.join(0);
    sioSessionEngineClosed(d.s, SioReason.TransportClose, 10, 0);
    expect(d.s.rc.pending).toBe(true);
    expect(sioSessionClose(d.s, false, d.out, d.out.length)).toBe(SioClose.Finish);
    expect(d.s.rc.pending).toBe(false);
    expect(firstTick(d.s, 10, 20000)).toBeNull();
  });
});
