/**
 * The Socket.IO session module (spec/core/siosession.ts) without network: a
 * SioManager (one Engine.IO connection) and SioSessions (namespaces) on it,
 * fed real Engine.IO/Socket.IO packets built with the core's encoders (the
 * server's packets have the client's format), fake times and fixed random16
 * values. `Glue` carries out the results in the order the SourcePawn glue and
 * spec/harness/sioClient.ts do, and logs what the user would see.
 */
import { describe, expect, it } from "vitest";
import { Backoff, backoffInit, backoffNext } from "../core/backoff.js";
import { CONFIG_SEND_QUEUE_BYTES } from "../core/config.js";
import { Opcode } from "../core/frame.js";
import {
  SIO_MAX_ACK_TIMEOUT_MS,
  SIO_MAX_PENDING_ACKS,
  SIO_MAX_RECOVERY_TOKEN,
  SIO_OPEN_TIMEOUT_MS,
  SioAckState,
  SioClose,
  SioClosed,
  SioDrop,
  SioEio,
  SioManager,
  SioOut,
  SioReason,
  SioRetry,
  SioSend,
  SioSession,
  SioTick,
  sioManagerEngineClosed,
  sioManagerFinish,
  sioManagerInit,
  sioManagerOnMessage,
  sioManagerTick,
  sioManagerTransportEndReason,
  sioManagerTransportFailed,
  sioManagerTransportStarted,
  sioReasonText,
  sioSessionAck,
  sioSessionAckHeld,
  sioSessionAckIdFor,
  sioSessionAckTimeout,
  sioSessionClose,
  sioSessionEmit,
  sioSessionEngineClosed,
  sioSessionFinish,
  sioSessionInit,
  sioSessionJoin,
  sioSessionOnPacket,
  sioSessionTakeFailedAck,
  sioSessionWantsTransport,
  sioDropText,
} from "../core/siosession.js";
import {
  SioParsed,
  sioArgsArray,
  sioEncodeAck,
  sioEncodeConnect,
  sioEncodeDisconnect,
  sioEncodeEvent,
  sioNspEquals,
} from "../core/socketio.js";
import { ReconnectArg, SessionError, reconnectConfigure, reconnectRemainingMs } from "../core/wssession.js";

const enc = (s: string): Buffer => Buffer.from(s, "utf8");

function openPacket(pingInterval = 25000, pingTimeout = 20000, maxPayload = 1000000): Buffer {
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

/** The server's CONNECT reply for nsp: `40[nsp,]{"sid":…}` with the given data object. */
const connectReply = (nsp: string, data = '{"sid":"s1"}'): Buffer =>
  message((o, cap) => sioEncodeConnect(o, 0, cap, enc(nsp), 0, nsp.length, enc(data), 0, enc(data).length));
const disconnectPacket = (nsp: string): Buffer =>
  message((o, cap) => sioEncodeDisconnect(o, 0, cap, enc(nsp), 0, nsp.length));
const eventPacket = (nsp: string, name: string, args: string, ackId = -1): Buffer =>
  message((o, cap) =>
    sioEncodeEvent(
      o,
      0,
      cap,
      enc(nsp),
      0,
      nsp.length,
      enc(name),
      0,
      name.length,
      enc(args),
      0,
      enc(args).length,
      ackId,
    ),
  );
const ackPacket = (nsp: string, ackId: number, args: string): Buffer =>
  message((o, cap) => sioEncodeAck(o, 0, cap, enc(nsp), 0, nsp.length, ackId, enc(args), 0, args.length));

function session(nsp = "/", auth = "", t = 0): SioSession {
  const s = new SioSession();
  expect(sioSessionInit(s, enc(nsp), 0, enc(nsp).length, enc(auth), 0, enc(auth).length)).toBe(true);
  return s;
}

const nspOf = (s: SioSession): string => Buffer.from(s.nsp.subarray(0, s.nspLen)).toString();

function reasonText(r: number): string {
  const b = new Uint8Array(32);
  return Buffer.from(b.subarray(0, sioReasonText(r, b, 0, b.length))).toString();
}

/** A manager and the I/O layer's buffers. */
class Link {
  readonly m = new SioManager();
  readonly p = new SioParsed();
  readonly name = new Uint8Array(64);
  readonly out = new Uint8Array(4096);

  constructor(policy: SioSession, t = 0) {
    sioManagerInit(this.m, policy.rc, t);
  }

  msg(data: Buffer, t: number, opcode = Opcode.Text): number {
    return sioManagerOnMessage(this.m, opcode, data, 0, data.length, this.p, this.out, this.out.length, t);
  }

  written(): string {
    return Buffer.from(this.out.subarray(0, this.m.outLen)).toString("utf8");
  }

  /** sioSessionJoin's CONNECT as text ("" when none). */
  join(s: SioSession): string {
    return Buffer.from(this.out.subarray(0, sioSessionJoin(s, this.out, this.out.length))).toString("utf8");
  }

  /** A Socket.IO packet for s: the manager parses it (Packet), the session decides. */
  packet(s: SioSession, data: Buffer, t: number): number {
    expect(this.msg(data, t)).toBe(SioEio.Packet);
    return sioSessionOnPacket(s, data, this.p, this.name, this.name.length);
  }

  eventName(s: SioSession): string {
    return Buffer.from(this.name.subarray(0, s.nameLen)).toString();
  }

  /** The first tick's transport and its open packet at t. */
  open(t: number, pingInterval = 25000, pingTimeout = 20000, maxPayload = 1000000): void {
    expect(sioManagerTick(this.m, t)).toBe(SioTick.Open);
    sioManagerTransportStarted(this.m, t);
    expect(this.msg(openPacket(pingInterval, pingTimeout, maxPayload), t)).toBe(SioEio.Open);
  }

  /** open(), then s's CONNECT and the server's reply. */
  joined(s: SioSession, t: number, pingInterval = 25000, pingTimeout = 20000, maxPayload = 1000000): void {
    this.open(t, pingInterval, pingTimeout, maxPayload);
    expect(this.join(s)).not.toBe("");
    expect(this.packet(s, connectReply(nspOf(s)), t)).toBe(SioOut.Connected);
    expect(s.connected).toBe(true);
  }

  emit(s: SioSession, len: number, wantAck: boolean, open: boolean): [number, number, number] {
    const id = sioSessionAckIdFor(s, wantAck);
    const r = sioSessionEmit(s, this.m, len, len + 2, id, open);
    return [r, id, s.ack];
  }

  firstTick(from: number, to: number): [number, number] | null {
    for (let t = from; t <= to; t++) {
      const r = sioManagerTick(this.m, t | 0);
      if (r !== SioTick.None) return [t, r];
    }
    return null;
  }
}

/**
 * The glue's call order over one manager (templates/scripting/websocket.sp.hbs, "Socket.IO
 * clients and their managers"), logging what the user would see and what is written.
 */
class Glue {
  readonly link: Link;
  readonly sessions: SioSession[] = [];
  readonly log: string[] = [];
  closed = false;

  constructor(...first: SioSession[]) {
    this.link = new Link(first[0]);
    for (const s of first) this.attach(s);
  }

  get m(): SioManager {
    return this.link.m;
  }

  /** SioAttach: a namespace joins; its CONNECT goes out at once when the Engine.IO connection is open. */
  attach(s: SioSession): void {
    this.sessions.push(s);
    if (this.m.engineOpen) this.write(this.link.join(s));
  }

  private write(text: string): void {
    if (text !== "") this.log.push(`write ${text}`);
  }

  failAcks(s: SioSession, t: number, ending: boolean): void {
    for (let k = sioSessionTakeFailedAck(s, t, ending); k >= 0; k = sioSessionTakeFailedAck(s, t, ending)) {
      this.log.push(`ack failed ${nspOf(s)} ${k}`);
    }
  }

  /** SioTick for each namespace, then SioMgrTick. */
  tick(t: number): void {
    for (const s of this.sessions.slice()) this.failAcks(s, t, false);
    if (this.closed) return;
    switch (sioManagerTick(this.m, t)) {
      case SioTick.PingTimeout:
        this.log.push("drop transport");
        this.engineClosed(this.m.reason, t, 0);
        break;
      case SioTick.OpenTimeout:
        this.log.push("drop transport");
        this.engineClosed(this.m.reason, t, 0);
        break;
      case SioTick.Open:
        this.log.push("open transport");
        sioManagerTransportStarted(this.m, t);
        break;
      default:
        break;
    }
  }

  /** SioMgrOnMessage / SioOnPacket. */
  recv(data: Buffer, t: number): void {
    const l = this.link;
    switch (l.msg(data, t)) {
      case SioEio.Write:
        this.write(l.written());
        break;
      case SioEio.Open:
        for (const s of this.sessions.slice()) this.write(l.join(s));
        break;
      case SioEio.CloseTransport:
      case SioEio.Fail:
        this.log.push("drop transport");
        this.engineClosed(this.m.reason, t, 0);
        break;
      case SioEio.Packet: {
        const s = this.sessions.find((x) => sioNspEquals(data, l.p, x.nsp, 0, x.nspLen));
        if (s === undefined) break;
        const nsp = nspOf(s);
        switch (sioSessionOnPacket(s, data, l.p, l.name, l.name.length)) {
          case SioOut.Connected:
            this.log.push(`connect ${nsp}${s.recovered ? " recovered" : ""}`);
            break;
          case SioOut.ConnectError:
            this.log.push(`connect_error ${nsp}`);
            if (sioSessionFinish(s, s.reason)) this.finished(s, t);
            break;
          case SioOut.Finish:
            this.finished(s, t);
            break;
          case SioOut.Event: {
            const args = new Uint8Array(256);
            const n = sioArgsArray(data, l.p, args, 0, args.length);
            this.log.push(`event ${nsp} ${l.eventName(s)} ${Buffer.from(args.subarray(0, n)).toString()}`);
            break;
          }
          case SioOut.Ack:
            this.log.push(`ack ${nsp} ${s.ack}`);
            break;
          case SioOut.Error:
            this.log.push(`error ${nsp} ${s.drop}`);
            break;
          default:
            break;
        }
        break;
      }
      default:
        break;
    }
  }

  /** SioMgrEngineClosed. */
  engineClosed(reason: number, t: number, random16: number): number {
    const wanted = this.sessions.some((s) => sioSessionWantsTransport(s));
    const retry = sioManagerEngineClosed(this.m, reason, wanted, t, random16);
    if (retry === SioRetry.None) return retry;
    const why = this.m.reason;
    for (const s of this.sessions.slice()) {
      const closed = sioSessionEngineClosed(s, why, retry === SioRetry.Retry);
      this.failAcks(s, t, false);
      if (closed & SioClosed.NotifyRetry) this.log.push(`disconnect ${nspOf(s)} ${reasonText(s.reason)} true`);
      else if (closed & SioClosed.Finish) this.finished(s, t);
    }
    if (retry === SioRetry.GiveUp) this.left();
    return retry;
  }

  /** SioFinished. */
  finished(s: SioSession, t: number): void {
    this.failAcks(s, t, true);
    this.sessions.splice(this.sessions.indexOf(s), 1);
    // The glue leaves the manager before the final disconnect callback; the release is logged after it.
    this.log.push(`disconnect ${nspOf(s)} ${reasonText(s.reason)} false`);
    this.left();
  }

  /** SioMgrLeft. */
  left(): void {
    if (this.sessions.length > 0 || this.closed) return;
    sioManagerFinish(this.m);
    this.closed = true;
    this.log.push("manager closed");
  }

  /** Native_SioClose. */
  close(s: SioSession, t: number, transportOpen = true): void {
    const bits = sioSessionClose(s, transportOpen, this.link.out, this.link.out.length);
    if (bits & SioClose.Write) this.write(Buffer.from(this.link.out.subarray(0, s.outLen)).toString());
    if (bits & SioClose.Finish) this.finished(s, t);
  }

  take(): string[] {
    return this.log.splice(0);
  }
}

describe("opening and the namespace", () => {
  it("opens the first transport on the first tick, answers the open packet with CONNECT (auth) and pings with pongs", () => {
    const s = session("/admin", '{"token":"abc"}', 1000);
    const l = new Link(s, 1000);
    expect(sioManagerTick(l.m, 999)).toBe(SioTick.None);
    expect(sioManagerTick(l.m, 1000)).toBe(SioTick.Open);
    sioManagerTransportStarted(l.m, 1001);
    expect(sioManagerTick(l.m, 1001)).toBe(SioTick.None);
    expect(l.msg(openPacket(300, 200, 5000), 1010)).toBe(SioEio.Open);
    expect([l.m.engineOpen, l.m.info.pingInterval, l.m.info.pingTimeout, l.m.info.maxPayload]).toEqual([
      true,
      300,
      200,
      5000,
    ]);
    expect(l.join(s)).toBe('40/admin,{"token":"abc"}');
    expect(l.msg(enc("2"), 1100)).toBe(SioEio.Write);
    expect(l.written()).toBe("3");
    expect(l.msg(enc("2probe"), 1100)).toBe(SioEio.Write);
    expect(l.written()).toBe("3probe");
    // An event before the namespace is joined is not delivered; a CONNECT of another namespace is not its own.
    expect(l.packet(s, eventPacket("/admin", "early", "1"), 1100)).toBe(SioOut.None);
    expect(l.packet(s, connectReply("/"), 1100)).toBe(SioOut.None);
    expect(s.connected).toBe(false);
    expect(l.packet(s, connectReply("/admin"), 1110)).toBe(SioOut.Connected);
    expect(s.recovered).toBe(false);
    const ev = eventPacket("/admin", "match_event", '{"round":3}', 17);
    expect(l.packet(s, ev, 1120)).toBe(SioOut.Event);
    expect(l.eventName(s)).toBe("match_event");
    expect(l.p.ackId).toBe(17);
    const args = new Uint8Array(64);
    const n = sioArgsArray(ev, l.p, args, 0, args.length);
    expect(Buffer.from(args.subarray(0, n)).toString()).toBe('[{"round":3}]');
    expect(l.packet(s, eventPacket("/", "other", "1"), 1130)).toBe(SioOut.None);
    // Noop, pong and upgrade packets change nothing.
    for (const x of ["6", "3", "5"]) expect(l.msg(enc(x), 1130)).toBe(SioEio.None);
  });

  it("refuses binary messages and packets it cannot read", () => {
    const s = session();
    const l = new Link(s);
    l.joined(s, 0);
    expect(l.msg(enc("4x"), 5, Opcode.Binary)).toBe(SioEio.Error);
    expect([l.m.error, l.m.drop, l.m.detail]).toEqual([SessionError.Unsupported, SioDrop.BinaryMessage, Opcode.Binary]);
    // A BINARY_EVENT waits for its attachment (issue 15 item 4); a Socket.IO packet before it fails the transport.
    expect(l.msg(enc('451-["bin",{"_placeholder":true,"num":0}]'), 5)).toBe(SioEio.BinaryPacket);
    expect(l.m.attachCount).toBe(1);
    expect(l.msg(enc('42["x"]'), 5)).toBe(SioEio.Fail);
    expect(l.m.reason).toBe(SioReason.ParseError);
    expect(l.msg(enc('451-["bin",{"_placeholder":true,"num":0}]'), 5)).toBe(SioEio.BinaryPacket);
    expect(l.msg(enc("\u0000\u00ff"), 5, Opcode.Binary)).toBe(SioEio.Complete);
    expect(l.msg(enc("4zz"), 5)).toBe(SioEio.Fail);
    expect([l.m.error, l.m.reason]).toEqual([SessionError.PacketInvalid, SioReason.ParseError]);
    expect(l.msg(enc("9"), 5)).toBe(SioEio.Fail);
    expect(l.m.detail).toBe(0);
    expect(l.msg(enc('0{"sid":'), 5)).toBe(SioEio.Fail);
    expect(l.msg(enc("1"), 5)).toBe(SioEio.CloseTransport);
    expect(l.m.reason).toBe(SioReason.TransportClose);
  });

  it("refuses event names the user cannot be given", () => {
    const s = session();
    const l = new Link(s);
    l.joined(s, 0);
    expect(l.packet(s, eventPacket("/", "x".repeat(l.name.length + 1), "1"), 1)).toBe(SioOut.Error);
    expect(s.drop).toBe(SioDrop.NameTooLong);
    expect(l.packet(s, enc('42["a\\u0000b",1]'), 1)).toBe(SioOut.Error);
    expect(s.drop).toBe(SioDrop.NameNul);
    expect(l.packet(s, eventPacket("/", "ok", "1"), 1)).toBe(SioOut.Event);
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

  it("refuses a namespace or auth longer than it keeps", () => {
    const s = new SioSession();
    const long = new Uint8Array(5000).fill(0x61);
    expect(sioSessionInit(s, long, 0, 256, enc("{}"), 0, 2)).toBe(false);
    expect(sioSessionInit(s, enc("/"), 0, 1, long, 0, 4096)).toBe(false);
    expect(sioSessionInit(s, long, 0, 255, long, 0, 4095)).toBe(true);
  });
});

describe("timers", () => {
  it("heartbeat: no ping for pingInterval + pingTimeout drops the transport with ping timeout", () => {
    const s = session();
    const l = new Link(s);
    l.joined(s, 0, 100, 50);
    expect(l.firstTick(1, 90)).toBeNull();
    l.msg(enc("2"), 90);
    expect(l.firstTick(91, 500)).toEqual([241, SioTick.PingTimeout]);
    expect(l.m.reason).toBe(SioReason.PingTimeout);
    expect(sioManagerEngineClosed(l.m, SioReason.PingTimeout, true, 241, 0)).toBe(SioRetry.Retry);
    expect(sioSessionEngineClosed(s, l.m.reason, true)).toBe(SioClosed.NotifyRetry);
    expect(reasonText(s.reason)).toBe("ping timeout");
  });

  it("open timeout: a transport without the open packet within SIO_OPEN_TIMEOUT_MS is a transport error", () => {
    const s = session("/", "", 100);
    const l = new Link(s, 100);
    expect(sioManagerTick(l.m, 100)).toBe(SioTick.Open);
    sioManagerTransportStarted(l.m, 100);
    expect(l.firstTick(101, 100 + SIO_OPEN_TIMEOUT_MS + 5)).toEqual([
      100 + SIO_OPEN_TIMEOUT_MS + 1,
      SioTick.OpenTimeout,
    ]);
    expect([l.m.error, l.m.detail, l.m.reason]).toEqual([
      SessionError.Timeout,
      SIO_OPEN_TIMEOUT_MS + 1,
      SioReason.TransportError,
    ]);
    // Never joined: a reconnect is scheduled without a disconnect callback.
    expect(sioManagerEngineClosed(l.m, l.m.reason, true, 100 + SIO_OPEN_TIMEOUT_MS + 1, 0)).toBe(SioRetry.Retry);
    expect(sioSessionEngineClosed(s, l.m.reason, true)).toBe(SioClosed.None);
    expect(l.m.rc.pending).toBe(true);
  });

  it("a transport that reported an error ends as a transport error, otherwise as a transport close", () => {
    const s = session();
    const l = new Link(s);
    l.joined(s, 0);
    expect(sioManagerTransportEndReason(l.m)).toBe(SioReason.TransportClose);
    sioManagerTransportFailed(l.m);
    expect(sioManagerTransportEndReason(l.m)).toBe(SioReason.TransportError);
    // A new transport starts clean.
    sioManagerEngineClosed(l.m, SioReason.TransportError, true, 1, 0);
    sioManagerTransportStarted(l.m, 1001);
    expect(sioManagerTransportEndReason(l.m)).toBe(SioReason.TransportClose);
  });
});

describe("emits, acks and the queue", () => {
  it("ack round trip: the id is taken, sent now, and the ACK frees its entry once", () => {
    const s = session();
    const l = new Link(s);
    l.joined(s, 0);
    expect(l.emit(s, 20, true, true)).toEqual([SioSend.Now, 0, 0]);
    expect(l.emit(s, 20, true, true)).toEqual([SioSend.Now, 1, 1]);
    expect(l.emit(s, 20, false, true)).toEqual([SioSend.Now, -1, -1]);
    expect(l.packet(s, ackPacket("/", 1, '"ok"'), 5)).toBe(SioOut.Ack);
    expect(s.ack).toBe(1);
    expect(sioSessionAckHeld(s, 1)).toBe(false);
    expect(sioSessionAckHeld(s, 0)).toBe(true);
    expect(l.packet(s, ackPacket("/", 1, '"again"'), 6)).toBe(SioOut.None);
    expect(l.packet(s, ackPacket("/", 99, "1"), 6)).toBe(SioOut.None);
    // The freed entry is reused with the next id.
    expect(l.emit(s, 20, true, true)).toEqual([SioSend.Now, 2, 1]);
  });

  it("refuses an emit with an ack when SIO_MAX_PENDING_ACKS wait (-2), and takes one again after an ACK", () => {
    const s = session();
    const l = new Link(s);
    l.joined(s, 0);
    for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) expect(l.emit(s, 10, true, true)).toEqual([SioSend.Now, k, k]);
    expect(sioSessionAckIdFor(s, true)).toBe(-2);
    expect(sioSessionAckIdFor(s, false)).toBe(-1);
    expect(l.packet(s, ackPacket("/", 40, "[]"), 1)).toBe(SioOut.Ack);
    expect(s.ack).toBe(40);
    expect(sioSessionAckIdFor(s, true)).toBe(SIO_MAX_PENDING_ACKS);
  });

  it("refuses locally a packet above the server's maxPayload, and an ack while not joined", () => {
    const s = session();
    const l = new Link(s);
    l.joined(s, 0, 25000, 20000, 1000);
    expect(sioSessionEmit(s, l.m, 1001, 1003, -1, true)).toBe(SioSend.TooLarge);
    expect([s.error, s.detail]).toEqual([SessionError.TooLargeForServer, 1001]);
    expect(sioSessionEmit(s, l.m, 1000, 1002, -1, true)).toBe(SioSend.Now);
    expect(sioSessionAck(s, l.m, 1001, true)).toBe(SioSend.TooLarge);
    expect(sioSessionAck(s, l.m, 1000, true)).toBe(SioSend.Now);
    expect(sioSessionAck(s, l.m, 10, false)).toBe(SioSend.NotConnected);
    sioManagerEngineClosed(l.m, SioReason.TransportClose, true, 1, 0);
    sioSessionEngineClosed(s, l.m.reason, true);
    expect(sioSessionAck(s, l.m, 10, true)).toBe(SioSend.NotConnected);
  });

  it("queues while not joined within CONFIG_SEND_QUEUE_BYTES and refuses beyond", () => {
    const s = session();
    const l = new Link(s);
    expect(sioSessionEmit(s, l.m, 100, CONFIG_SEND_QUEUE_BYTES - 10, -1, false)).toBe(SioSend.Queue);
    expect(sioSessionEmit(s, l.m, 9, 10, -1, false)).toBe(SioSend.Queue);
    expect(sioSessionEmit(s, l.m, 1, 1, 0, false)).toBe(SioSend.Overflow);
    expect([s.error, s.detail]).toEqual([SessionError.QueueOverflow, 1]);
    // A refused emit takes no ack entry.
    expect(sioSessionAckHeld(s, 0)).toBe(false);
    // Joined but the transport not open (closing): still queued.
    l.joined(s, 0);
    expect(s.queueLen).toBe(0);
    expect(sioSessionEmit(s, l.m, 9, 10, -1, false)).toBe(SioSend.Queue);
  });

  it("server restart: acks of sent emits are forgotten, queued emits and their acks survive and are flushed on CONNECT", () => {
    const s = session();
    expect(reconnectConfigure(s.rc, true, 1000, 5000, 0, 0)).toBe(ReconnectArg.Ok);
    const g = new Glue(s);
    const l = g.link;
    l.joined(s, 0);
    const [, sentId, sentK] = l.emit(s, 10, true, true);
    expect(g.engineClosed(SioReason.TransportClose, 100, 0)).toBe(SioRetry.Retry);
    expect(g.take()).toEqual(["disconnect / transport close true"]);
    expect(sioSessionAckHeld(s, sentK)).toBe(false);
    expect(s.connected).toBe(false);
    // During the outage.
    const [r1, queuedId, queuedK] = l.emit(s, 10, true, false);
    expect(r1).toBe(SioSend.Queue);
    expect(queuedId).toBe(sentId + 1);
    expect(l.emit(s, 10, false, false)[0]).toBe(SioSend.Queue);
    expect(s.queueLen).toBe(24);
    // A second report of the same loss changes nothing.
    expect(g.engineClosed(SioReason.TransportClose, 101, 0)).toBe(SioRetry.None);
    expect(g.take()).toEqual([]);
    expect(sioSessionAckHeld(s, queuedK)).toBe(true);
    // The reconnect is due after the base delay; the first attempt hits a closed port.
    expect(l.firstTick(101, 2000)).toEqual([1100, SioTick.Open]);
    sioManagerTransportStarted(l.m, 1100);
    expect(g.engineClosed(SioReason.TransportError, 1101, 0)).toBe(SioRetry.Retry);
    // Not joined: nobody is told again.
    expect(g.take()).toEqual([]);
    expect(reconnectRemainingMs(l.m.rc, 1101)).toBe(2000);
    expect(sioSessionAckHeld(s, queuedK)).toBe(true);
    expect(l.firstTick(1102, 5000)).toEqual([3101, SioTick.Open]);
    sioManagerTransportStarted(l.m, 3101);
    g.recv(openPacket(), 3110);
    expect(g.take()).toEqual(["write 40"]);
    // Still queued until CONNECT: an emit now is queued too, behind the others.
    expect(l.emit(s, 10, false, true)[0]).toBe(SioSend.Queue);
    g.recv(connectReply("/"), 3120);
    expect(g.take()).toEqual(["connect /"]);
    expect(s.queueLen).toBe(0);
    // The ACK of the emit queued during the outage arrives; the one sent before it never matches.
    g.recv(ackPacket("/", sentId, "1"), 3130);
    g.recv(ackPacket("/", queuedId, "2"), 3130);
    expect(g.take()).toEqual([`ack / ${queuedK}`]);
    // The successful open reset the backoff: the next loss waits the base delay again.
    g.engineClosed(SioReason.TransportClose, 4000, 0);
    expect(reconnectRemainingMs(l.m.rc, 4000)).toBe(1000);
  });
});

describe("what ends a namespace and its manager", () => {
  it("reconnect delays follow the backoff with the given random16 values", () => {
    const s = session();
    reconnectConfigure(s.rc, true, 200, 3000, 0, 500);
    const l = new Link(s);
    const twin = new Backoff();
    backoffInit(twin, 200, 3000, 500, 0);
    let t = 0;
    for (const r of [0, 0xffff, 0x1234, 0x9999, 0x4242, 0x7777]) {
      expect(l.firstTick(t, t + 5000)?.[1]).toBe(SioTick.Open);
      t = l.m.rc.at;
      sioManagerTransportStarted(l.m, t);
      expect(sioManagerEngineClosed(l.m, SioReason.TransportError, true, t, r)).toBe(SioRetry.Retry);
      expect(reconnectRemainingMs(l.m.rc, t)).toBe(backoffNext(twin, r));
    }
  });

  it("the manager takes the policy of the namespace that opened it, as socket.io-client's first io() call", () => {
    const first = session("/");
    reconnectConfigure(first.rc, true, 300, 300, 0, 0);
    const second = session("/admin");
    reconnectConfigure(second.rc, false, -1, -1, -1, -1);
    const g = new Glue(first, second);
    g.link.joined(first, 0);
    expect(g.engineClosed(SioReason.TransportClose, 10, 0)).toBe(SioRetry.Retry);
    expect(reconnectRemainingMs(g.m.rc, 10)).toBe(300);
  });

  it("after maxAttempts failed reconnects: reconnect failed for every namespace, then the manager closes", () => {
    const a = session("/");
    reconnectConfigure(a.rc, true, 10, 100, 2, 0);
    const b = session("/admin");
    const g = new Glue(a, b);
    g.tick(0);
    sioManagerTransportStarted(g.m, 0);
    g.recv(openPacket(), 0);
    g.recv(connectReply("/"), 0);
    expect(g.take()).toEqual(["open transport", "write 40", "write 40/admin,", "connect /"]);
    const results: number[] = [];
    let t = 0;
    results.push(g.engineClosed(SioReason.TransportClose, t, 0));
    for (let i = 0; i < 4 && !g.closed; i++) {
      expect(g.link.firstTick(t, t + 1000)?.[1]).toBe(SioTick.Open);
      t = g.m.rc.at;
      sioManagerTransportStarted(g.m, t);
      results.push(g.engineClosed(SioReason.TransportError, t, 0));
    }
    // The loss, two reconnects, then the end.
    expect(results).toEqual([SioRetry.Retry, SioRetry.Retry, SioRetry.GiveUp]);
    expect(reasonText(g.m.reason)).toBe("reconnect failed");
    // The joined namespace was told of the loss; both end with "reconnect failed" (/admin never joined).
    expect(g.take()).toEqual([
      "disconnect / transport close true",
      "disconnect / reconnect failed false",
      "disconnect /admin reconnect failed false",
      "manager closed",
    ]);
    expect(g.link.firstTick(t, t + 10000)).toBeNull();
    expect(sioManagerEngineClosed(g.m, SioReason.TransportClose, true, t, 0)).toBe(SioRetry.None);
  });

  it("with reconnect off, a lost transport ends every namespace with its own reason", () => {
    const s = session();
    reconnectConfigure(s.rc, false, -1, -1, -1, -1);
    const g = new Glue(s);
    g.link.joined(s, 0, 100, 100);
    expect(g.link.firstTick(1, 1000)).toEqual([201, SioTick.PingTimeout]);
    g.tick(201);
    expect(g.take()).toEqual(["drop transport", "disconnect / ping timeout false", "manager closed"]);
    expect(sioManagerFinish(g.m)).toBe(false);
  });

  it("GiveUp when no namespace wants the connection, whatever the policy; None while closing or a reconnect is pending", () => {
    const s = session();
    const l = new Link(s);
    l.joined(s, 0);
    sioSessionClose(s, false, l.out, l.out.length);
    expect(sioSessionWantsTransport(s)).toBe(false);
    expect(sioManagerEngineClosed(l.m, SioReason.TransportClose, false, 5, 0)).toBe(SioRetry.GiveUp);
    expect(l.m.reason).toBe(SioReason.TransportClose);
    expect(sioManagerEngineClosed(l.m, SioReason.TransportClose, true, 6, 0)).toBe(SioRetry.None);
    const s2 = session();
    const l2 = new Link(s2);
    l2.joined(s2, 0);
    expect(sioManagerEngineClosed(l2.m, SioReason.TransportClose, true, 5, 0)).toBe(SioRetry.Retry);
    expect(sioManagerEngineClosed(l2.m, SioReason.TransportError, true, 6, 0)).toBe(SioRetry.None);
    // The last namespace leaving while the reconnect waits: no attempt stays scheduled.
    expect(sioManagerFinish(l2.m)).toBe(true);
    expect(l2.firstTick(6, 100000)).toBeNull();
    expect(sioManagerFinish(l2.m)).toBe(false);
  });

  it("a server DISCONNECT ends the namespace with io server disconnect; alone on its manager, nothing reconnects", () => {
    const s = session();
    reconnectConfigure(s.rc, true, 10, 100, 0, 0);
    const g = new Glue(s);
    g.link.joined(s, 0, 100, 100);
    g.link.emit(s, 10, true, true);
    g.recv(disconnectPacket("/other"), 5);
    expect(g.take()).toEqual([]);
    g.recv(disconnectPacket("/"), 5);
    expect(g.take()).toEqual(["disconnect / io server disconnect false", "manager closed"]);
    expect([s.finishing, s.connected, g.m.rc.pending]).toEqual([true, false, false]);
    // The transport's end that follows changes nothing, and no timer fires.
    expect(sioManagerEngineClosed(g.m, SioReason.TransportClose, false, 6, 0)).toBe(SioRetry.None);
    expect(sioSessionEngineClosed(s, SioReason.TransportClose, false)).toBe(SioClosed.None);
    expect(g.link.firstTick(6, 3000)).toBeNull();
    expect(sioSessionClose(s, true, g.link.out, g.link.out.length)).toBe(SioClose.None);
  });

  it("CONNECT_ERROR ends the namespace: the connect-error callback, then the end with connect error", () => {
    const s = session("/admin", '{"token":"nope"}');
    const l = new Link(s);
    l.open(0);
    expect(l.join(s)).toBe('40/admin,{"token":"nope"}');
    const packet = enc('44/admin,{"message":"Not authorized"}');
    expect(l.packet(s, packet, 2)).toBe(SioOut.ConnectError);
    expect(packet.subarray(l.p.dataOff, l.p.dataOff + l.p.dataLen).toString()).toBe('{"message":"Not authorized"}');
    expect(s.reason).toBe(SioReason.ConnectError);
    expect(sioSessionWantsTransport(s)).toBe(false);
    expect(sioSessionFinish(s, s.reason)).toBe(true);
    expect(sioSessionFinish(s, s.reason)).toBe(false);
    expect(reasonText(s.reason)).toBe("connect error");
    expect(sioSessionEngineClosed(s, SioReason.TransportClose, true)).toBe(SioClosed.None);
    expect(sioSessionJoin(s, l.out, l.out.length)).toBe(0);
  });

  it("the user's close leaves a joined namespace with DISCONNECT and ends with io client disconnect", () => {
    const s = session("/chat");
    const g = new Glue(s);
    g.link.joined(s, 0);
    g.close(s, 1);
    expect(g.take()).toEqual(["write 41/chat,", "disconnect /chat io client disconnect false", "manager closed"]);
    expect(sioSessionEngineClosed(s, SioReason.TransportClose, true)).toBe(SioClosed.None);
    expect(sioSessionClose(s, true, g.link.out, g.link.out.length)).toBe(SioClose.None);
  });

  it("the user's close while waiting to reconnect: nothing to write, and the last one leaving cancels the attempt", () => {
    const s = session();
    const g = new Glue(s);
    g.link.joined(s, 0);
    g.engineClosed(SioReason.TransportClose, 10, 0);
    expect(g.m.rc.pending).toBe(true);
    expect(sioSessionClose(s, false, g.link.out, g.link.out.length)).toBe(SioClose.Finish);
    g.finished(s, 10);
    expect(g.take()).toEqual([
      "disconnect / transport close true",
      "disconnect / io client disconnect false",
      "manager closed",
    ]);
    expect(g.m.rc.pending).toBe(false);
    expect(g.link.firstTick(10, 20000)).toBeNull();
  });
});

describe("several namespaces on one manager", () => {
  it("every namespace sends its CONNECT on the open packet; packets go to the namespace they name", () => {
    const main = session("/");
    const admin = session("/admin", '{"token":"abc"}');
    const g = new Glue(main, admin);
    g.tick(0);
    sioManagerTransportStarted(g.m, 0);
    g.recv(openPacket(), 1);
    expect(g.take()).toEqual(["open transport", "write 40", 'write 40/admin,{"token":"abc"}']);
    g.recv(connectReply("/admin"), 2);
    expect([main.connected, admin.connected]).toEqual([false, true]);
    g.recv(eventPacket("/", "early", "0"), 2);
    g.recv(connectReply("/"), 3);
    g.recv(eventPacket("/", "hello", "1"), 4);
    g.recv(eventPacket("/admin", "hello", "2"), 4);
    g.recv(eventPacket("/nobody", "hello", "3"), 4);
    g.recv(ackPacket("/admin", 0, "9"), 4);
    expect(g.take()).toEqual(["connect /admin", "connect /", "event / hello [1]", "event /admin hello [2]"]);
    // Acks are per namespace: the same id on both.
    expect(g.link.emit(main, 5, true, true)).toEqual([SioSend.Now, 0, 0]);
    expect(g.link.emit(admin, 5, true, true)).toEqual([SioSend.Now, 0, 0]);
    g.recv(ackPacket("/admin", 0, "9"), 5);
    expect(g.take()).toEqual(["ack /admin 0"]);
    expect([sioSessionAckHeld(main, 0), sioSessionAckHeld(admin, 0)]).toEqual([true, false]);
    // A namespace joining the open connection sends its CONNECT at once.
    const third = session("/third");
    g.attach(third);
    expect(g.take()).toEqual(["write 40/third,"]);
    g.recv(connectReply("/third"), 6);
    expect(g.take()).toEqual(["connect /third"]);
  });

  it("only the answer to a namespace's own CONNECT on the current connection joins it", () => {
    const main = session("/");
    const l = new Link(main);
    l.open(0);
    // Not sent yet: a CONNECT for "/" does not count.
    expect(l.packet(main, connectReply("/"), 1)).toBe(SioOut.None);
    expect(l.join(main)).toBe("40");
    expect(l.packet(main, connectReply("/"), 2)).toBe(SioOut.Connected);
    // After a loss, the next connection's CONNECT must be answered again.
    sioManagerEngineClosed(l.m, SioReason.TransportClose, true, 3, 0);
    sioSessionEngineClosed(main, l.m.reason, true);
    expect(l.firstTick(3, 10000)?.[1]).toBe(SioTick.Open);
    sioManagerTransportStarted(l.m, l.m.rc.at);
    expect(l.msg(openPacket(), l.m.rc.at)).toBe(SioEio.Open);
    expect(l.packet(main, connectReply("/"), l.m.rc.at)).toBe(SioOut.None);
  });

  it("one namespace's server DISCONNECT leaves the other up; a later loss reconnects for the one left", () => {
    const main = session("/");
    const admin = session("/admin");
    const g = new Glue(main, admin);
    g.link.open(0);
    g.recv(openPacket(), 0);
    g.recv(connectReply("/"), 0);
    g.recv(connectReply("/admin"), 0);
    g.take();
    g.recv(disconnectPacket("/admin"), 1);
    expect(g.take()).toEqual(["disconnect /admin io server disconnect false"]);
    expect([main.connected, g.closed, g.sessions]).toEqual([true, false, [main]]);
    g.recv(eventPacket("/admin", "gone", "1"), 2);
    g.recv(eventPacket("/", "here", "1"), 2);
    expect(g.take()).toEqual(["event / here [1]"]);
    expect(g.engineClosed(SioReason.TransportClose, 3, 0)).toBe(SioRetry.Retry);
    expect(g.take()).toEqual(["disconnect / transport close true"]);
  });

  it("a server DISCONNECT of every namespace (socket.disconnect(true)) ends them all and closes the manager", () => {
    const main = session("/");
    const admin = session("/admin");
    const g = new Glue(main, admin);
    g.link.open(0);
    g.recv(openPacket(), 0);
    g.recv(connectReply("/"), 0);
    g.recv(connectReply("/admin"), 0);
    g.take();
    g.recv(disconnectPacket("/"), 1);
    g.recv(disconnectPacket("/admin"), 1);
    expect(g.take()).toEqual([
      "disconnect / io server disconnect false",
      "disconnect /admin io server disconnect false",
      "manager closed",
    ]);
    expect(g.link.firstTick(1, 100000)).toBeNull();
  });

  it("a loss with one namespace closed by the user and one still wanted: Retry, and only the wanted one is told", () => {
    const main = session("/");
    const admin = session("/admin");
    const g = new Glue(main, admin);
    g.link.open(0);
    g.recv(openPacket(), 0);
    g.recv(connectReply("/"), 0);
    g.take();
    // /admin never answered; the user closes "/": it leaves, /admin keeps the manager.
    g.close(main, 1);
    expect(g.take()).toEqual(["write 41", "disconnect / io client disconnect false"]);
    expect(g.engineClosed(SioReason.TransportClose, 2, 0)).toBe(SioRetry.Retry);
    expect(g.take()).toEqual([]);
    g.close(admin, 3, false);
    expect(g.take()).toEqual(["disconnect /admin io client disconnect false", "manager closed"]);
  });
});

describe("ack timeouts", () => {
  it("a timeout passes: the ack is failed once, not before its deadline, and its late ACK is ignored", () => {
    const s = session();
    const g = new Glue(s);
    g.link.joined(s, 0);
    const [, id, k] = g.link.emit(s, 10, true, true);
    expect(sioSessionAckTimeout(s, k, 500, 100)).toBe(true);
    g.tick(599);
    expect(g.take()).toEqual([]);
    g.tick(600);
    g.tick(601);
    expect(g.take()).toEqual([`ack failed / ${k}`]);
    expect(sioSessionAckHeld(s, k)).toBe(false);
    g.recv(ackPacket("/", id, "1"), 700);
    expect(g.take()).toEqual([]);
  });

  it("an ACK in time is delivered and never failed", () => {
    const s = session();
    const g = new Glue(s);
    g.link.joined(s, 0);
    const [, id, k] = g.link.emit(s, 10, true, true);
    sioSessionAckTimeout(s, k, 500, 0);
    g.recv(ackPacket("/", id, "1"), 499);
    g.tick(500);
    g.tick(40000);
    expect(g.take()).toEqual([`ack / ${k}`]);
    expect(sioSessionTakeFailedAck(s, 40000, true)).toBe(-1);
  });

  it("a lost transport fails at once the sent acks that have a timeout (before the disconnect); others are forgotten; queued ones wait", () => {
    const s = session();
    const g = new Glue(s);
    g.link.joined(s, 0);
    const [, , timed] = g.link.emit(s, 10, true, true);
    sioSessionAckTimeout(s, timed, 60000, 0);
    const [, , plain] = g.link.emit(s, 10, true, true);
    g.engineClosed(SioReason.TransportClose, 10, 0);
    expect(g.take()).toEqual([`ack failed / ${timed}`, "disconnect / transport close true"]);
    expect([sioSessionAckHeld(s, timed), sioSessionAckHeld(s, plain)]).toEqual([false, false]);
    // Queued during the outage, with a timeout: it fails at its deadline, not at the next loss.
    const [r, , queued] = g.link.emit(s, 10, true, false);
    expect(r).toBe(SioSend.Queue);
    expect(s.ackState[queued]).toBe(SioAckState.Queued);
    sioSessionAckTimeout(s, queued, 1000, 20);
    g.tick(500);
    expect(g.take()).toEqual([]);
    g.tick(1020);
    expect(g.take().filter((x) => x.startsWith("ack"))).toEqual([`ack failed / ${queued}`]);
  });

  it("the end of the namespace fails every ack that has a timeout, before the final disconnect", () => {
    const s = session();
    const g = new Glue(s);
    g.link.joined(s, 0);
    const [, , a] = g.link.emit(s, 10, true, true);
    sioSessionAckTimeout(s, a, 60000, 0);
    g.link.emit(s, 10, true, true);
    g.close(s, 5);
    expect(g.take()).toEqual([
      "write 41",
      `ack failed / ${a}`,
      "disconnect / io client disconnect false",
      "manager closed",
    ]);
  });

  it("refuses a timeout out of range or for a bad entry", () => {
    const s = session();
    expect(sioSessionAckTimeout(s, 0, 0, 0)).toBe(false);
    expect(sioSessionAckTimeout(s, 0, SIO_MAX_ACK_TIMEOUT_MS + 1, 0)).toBe(false);
    expect(sioSessionAckTimeout(s, -1, 10, 0)).toBe(false);
    expect(sioSessionAckTimeout(s, SIO_MAX_PENDING_ACKS, 10, 0)).toBe(false);
    expect(sioSessionAckTimeout(s, 0, SIO_MAX_ACK_TIMEOUT_MS, 0)).toBe(true);
    // Deadlines across the wrap of the millisecond counter.
    const w = session();
    const l = new Link(w, 0x7fffff00);
    l.joined(w, 0x7fffff00);
    const [, , k] = l.emit(w, 10, true, true);
    sioSessionAckTimeout(w, k, 0x200, 0x7fffff00);
    expect(sioSessionTakeFailedAck(w, 0x7fffffff, false)).toBe(-1);
    expect(sioSessionTakeFailedAck(w, (0x7fffff00 + 0x200) | 0, false)).toBe(k);
  });
});

describe("connection state recovery", () => {
  const pid = "p_abcdefghijklmnopqr";

  it("sends pid and offset with the auth after a loss; recovered when the server gives the same pid back", () => {
    const s = session("/", '{"token":"abc"}');
    const g = new Glue(s);
    g.tick(0);
    sioManagerTransportStarted(g.m, 0);
    g.recv(openPacket(), 0);
    g.recv(connectReply("/", `{"sid":"s1","pid":"${pid}"}`), 0);
    expect(g.take()).toEqual(["open transport", 'write 40{"token":"abc"}', "connect /"]);
    expect(s.recovered).toBe(false);
    // A loss before any event: the pid alone, in front of the auth members.
    g.engineClosed(SioReason.TransportClose, 1, 0);
    g.tick(g.m.rc.at);
    sioManagerTransportStarted(g.m, g.m.rc.at);
    g.recv(openPacket(), g.m.rc.at);
    expect(g.take().slice(-1)).toEqual([`write 40{"pid":"${pid}","token":"abc"}`]);
    g.recv(connectReply("/", `{"sid":"s2","pid":"${pid}"}`), g.m.rc.at);
    expect(g.take()).toEqual(["connect / recovered"]);
    // Events carry their offset as the last argument (the user sees it too).
    g.recv(eventPacket("/", "e", '1,"off-1"'), 3000);
    g.recv(eventPacket("/", "e", '2,"off-2"'), 3000);
    g.recv(eventPacket("/", "e", "3"), 3000);
    expect(g.take()).toEqual(['event / e [1,"off-1"]', 'event / e [2,"off-2"]', "event / e [3]"]);
    let t = 3001;
    g.engineClosed(SioReason.TransportClose, t, 0);
    t = g.m.rc.at;
    g.tick(t);
    sioManagerTransportStarted(g.m, t);
    g.recv(openPacket(), t);
    expect(g.take().slice(-1)).toEqual([`write 40{"pid":"${pid}","offset":"off-2","token":"abc"}`]);
    // The server could not recover: a new pid, recovered false, and the old offset forgotten.
    g.recv(connectReply("/", '{"sid":"s3","pid":"p_new"}'), t);
    expect(g.take()).toEqual(["connect /"]);
    expect(s.recovered).toBe(false);
    expect(s.offsetLen).toBe(0);
    // A server without recovery: no pid kept.
    g.engineClosed(SioReason.TransportClose, t + 1, 0);
    t = g.m.rc.at;
    g.tick(t);
    sioManagerTransportStarted(g.m, t);
    g.recv(openPacket(), t);
    expect(g.take().slice(-1)).toEqual(['write 40{"pid":"p_new","token":"abc"}']);
    g.recv(connectReply("/", '{"sid":"s4"}'), t);
    expect([s.pidLen, s.recovered]).toEqual([0, false]);
  });

  it("merges pid and offset with any auth (none, empty, spaced) and a namespace", () => {
    const cases: Array<[string, string, string]> = [
      ["/", "", `40{"pid":"${pid}","offset":"o1"}`],
      ["/", "{}", `40{"pid":"${pid}","offset":"o1"}`],
      ["/", ' { "a" : [1, {"b":2}] } ', `40{"pid":"${pid}","offset":"o1","a" : [1, {"b":2}] }`],
      ["/admin", '{"t":1}', `40/admin,{"pid":"${pid}","offset":"o1","t":1}`],
    ];
    for (const [nsp, auth, want] of cases) {
      const s = session(nsp, auth);
      const l = new Link(s);
      l.open(0);
      l.join(s);
      expect(l.packet(s, connectReply(nsp, `{"sid":"x","pid":"${pid}"}`), 0)).toBe(SioOut.Connected);
      expect(l.packet(s, eventPacket(nsp, "e", '"o1"'), 0)).toBe(SioOut.Event);
      expect(l.join(s)).toBe(want);
    }
  });

  it("does not keep a pid or an offset longer than SIO_MAX_RECOVERY_TOKEN", () => {
    const s = session();
    const l = new Link(s);
    l.open(0);
    l.join(s);
    const long = "p".repeat(SIO_MAX_RECOVERY_TOKEN);
    l.packet(s, connectReply("/", `{"sid":"x","pid":"${long}"}`), 0);
    expect(s.pidLen).toBe(0);
    expect(l.join(s)).toBe("40");
    l.packet(s, connectReply("/", `{"sid":"x","pid":"${pid}"}`), 0);
    l.packet(s, eventPacket("/", "e", `"${"o".repeat(SIO_MAX_RECOVERY_TOKEN)}"`), 0);
    expect(s.offsetLen).toBe(0);
    l.packet(s, eventPacket("/", "e", '"o2"'), 0);
    l.packet(s, eventPacket("/", "e", `1,"${"o".repeat(SIO_MAX_RECOVERY_TOKEN)}"`), 0);
    expect(l.join(s)).toBe(`40{"pid":"${pid}","offset":"o2"}`);
  });

  it("events replayed before the CONNECT reply are delivered only once the recovering CONNECT was sent", () => {
    const main = session("/");
    const admin = session("/admin");
    const g = new Glue(main, admin);
    g.link.open(0);
    g.recv(openPacket(), 0);
    g.recv(connectReply("/", `{"sid":"a","pid":"${pid}"}`), 0);
    g.recv(connectReply("/admin", '{"sid":"b"}'), 0);
    g.recv(eventPacket("/", "e", '0,"o0"'), 0);
    g.take();
    g.engineClosed(SioReason.TransportClose, 1, 0);
    expect(g.take()).toEqual(["disconnect / transport close true", "disconnect /admin transport close true"]);
    const t = g.m.rc.at;
    g.tick(t);
    sioManagerTransportStarted(g.m, t);
    // Before the open packet (nothing sent on this connection): not delivered.
    g.recv(eventPacket("/", "early", '9,"o9"'), t);
    expect(g.take()).toEqual(["open transport"]);
    g.recv(openPacket(), t);
    expect(g.take()).toEqual([`write 40{"pid":"${pid}","offset":"o0"}`, "write 40/admin,"]);
    // The server replays what "/" missed, then answers; /admin (no recovery) gets nothing before its reply.
    g.recv(eventPacket("/", "missed", '1,"o1"'), t);
    g.recv(eventPacket("/", "missed", '2,"o2"'), t);
    g.recv(eventPacket("/admin", "early", "1"), t);
    g.recv(connectReply("/", `{"sid":"a","pid":"${pid}"}`), t);
    g.recv(connectReply("/admin", '{"sid":"c"}'), t);
    g.recv(eventPacket("/", "after", '3,"o3"'), t);
    expect(g.take()).toEqual([
      'event / missed [1,"o1"]',
      'event / missed [2,"o2"]',
      "connect / recovered",
      "connect /admin",
      'event / after [3,"o3"]',
    ]);
    expect([main.recovered, admin.recovered]).toEqual([true, false]);
  });
});

describe("sioDropText", () => {
  it("gives the error text of each dropped input", () => {
    const text = (drop: number): string => {
      const out = new Uint8Array(200);
      return Buffer.from(out.subarray(0, sioDropText(drop, out, 0, out.length))).toString("latin1");
    };
    expect(text(SioDrop.BinaryMessage)).toBe(
      "binary message dropped: no BINARY_EVENT or BINARY_ACK awaits attachments",
    );
    expect(text(SioDrop.NameTooLong)).toBe("event name too long: event dropped");
    expect(text(SioDrop.NameNul)).toBe("event name contains a NUL character (\\u0000): event dropped");
    expect(text(SioDrop.BinaryPacket)).toBe("binary Socket.IO packets are not supported");
  });
});
