/**
 * Session timelines (issue 11, item 4): the oracle side. Builds timelines of
 * timed events (user calls, TCP up and down, server bytes and messages, ticks,
 * fixed random16 values) for the WebSocket session (spec/core/wssession.ts)
 * and the Socket.IO session (spec/core/siosession.ts), runs every timeline
 * through the real modules with session-runner.ts in Node, and records the
 * lines it prints. out/vectors/vectors.sp replays the same tables through the
 * transpiled runner and must print the same lines.
 *
 * The builder reads the sessions while it builds: a tick "when the reconnect
 * is due" is placed at the time the session scheduled, read from the session
 * after replaying the events so far, not computed here.
 *
 * Plain Node TypeScript (never transpiled).
 */

import { createHash } from "node:crypto";
import { WsConn } from "../../spec/core/conn.js";
import { SIO_OPEN_TIMEOUT_MS } from "../../spec/core/siosession.js";
import { SESSION_REQUEST_TIMEOUT_MS, SessionRole, WsSession } from "../../spec/core/wssession.js";
import {
  SesEv,
  SesKind,
  SesSio,
  SES_EV_NS,
  SES_EV_WIDTH,
  SES_HEAD,
  SES_OUT_SIZE,
  SES_SIO_NS,
  sesRun,
  sesRunSio,
  sesRunWs,
} from "./session-runner.js";
import { packStrings } from "./literals.js";
import { VEC_BIG_SIZE } from "../../spec/vectors/runner.js";

/** One named timeline: where its row starts in SessionSet.params. */
export interface SessionTimeline {
  readonly name: string;
  readonly p: number;
}

/** Every timeline, the tables they point into, and the oracle's lines. */
export interface SessionSet {
  readonly data: Uint8Array;
  readonly params: Int32Array;
  readonly timelines: readonly SessionTimeline[];
  readonly names: { readonly bytes: Uint8Array; readonly offsets: readonly number[] };
  /** `<name>#<step>\t<result>` for every step of every timeline, in order. */
  readonly lines: readonly string[];
}

/** What a result holds when a timeline's lines did not fit in SES_OUT_SIZE (the SourcePawn side prints the same). */
export const SESSION_OVERFLOW = "!overflow";

/** The byte inputs of all timelines, each distinct input stored once. */
class DataPool {
  readonly bytes: number[] = [0];
  private readonly seen = new Map<string, number>();
  /** Offset and length of `b` in the pool. */
  add(b: Uint8Array | string): [number, number] {
    const buf = typeof b === "string" ? Buffer.from(b, "latin1") : Buffer.from(b);
    const key = buf.toString("latin1");
    let off = this.seen.get(key);
    if (off === undefined) {
      off = this.bytes.length;
      this.seen.set(key, off);
      this.bytes.push(...buf);
    }
    return [off, buf.length];
  }
  get array(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Work buffers for replays in Node. */
const work = {
  big1: new Uint8Array(VEC_BIG_SIZE),
  big2: new Uint8Array(VEC_BIG_SIZE),
  out: new Uint8Array(SES_OUT_SIZE),
  noName: new Uint8Array(1),
};

/** A timeline under construction. */
class Timeline {
  readonly events: number[][] = [];
  constructor(
    readonly pool: DataPool,
    readonly name: string,
    readonly head: readonly number[],
  ) {}
  ev(type: SesEv, t: number, a = 0, b = 0, c = 0, d = 0, e = 0): this {
    this.events.push([type, t, a, b, c, d, e]);
    return this;
  }
  row(): number[] {
    return [this.head[0], this.events.length, ...this.head.slice(2), ...this.events.flat()];
  }
}

/** WebSocket timelines: the URL, the mask key and the nonces are fixed; responses are built for the nonce in use. */
class WsTimeline extends Timeline {
  /** The nonce of the current attempt (its server response carries the matching accept). */
  nonce: Buffer;
  constructor(pool: DataPool, name: string, t0: number, nonce: Buffer) {
    const [urlOff, urlLen] = pool.add(WS_URL);
    const [nonceOff] = pool.add(nonce);
    const [keyOff] = pool.add(MASK_KEY);
    super(pool, name, [SesKind.Ws, 0, t0, urlOff, urlLen, nonceOff, keyOff, 1024]);
    this.nonce = nonce;
  }
  /** The sessions after the events so far. */
  state(): { s: WsSession; c: WsConn } {
    const s = new WsSession();
    const c = new WsConn();
    const params = Int32Array.from(this.row());
    sesRunWs(
      s,
      c,
      this.pool.array,
      params,
      0,
      this.events.length,
      work.noName,
      0,
      work.big1,
      work.big2,
      work.out,
      SES_OUT_SIZE,
    );
    return { s, c };
  }
  configure(t: number, enabled: boolean, delay: number, delayMax: number, maxAttempts: number, jitter: number): this {
    return this.ev(SesEv.WsConfigure, t, enabled ? 1 : 0, delay, delayMax, maxAttempts, jitter);
  }
  feed(t: number, bytes: Uint8Array | string, random16 = 0): this {
    const [off, len] = this.pool.add(bytes);
    return this.ev(SesEv.WsFeed, t, off, len, random16);
  }
  /** TCP up, then the server's valid 101 response (and `more` bytes in the same read). */
  handshake(t: number, more: Uint8Array = new Uint8Array(0)): this {
    this.ev(SesEv.WsTcpUp, t);
    return this.feed(t + 20, Buffer.concat([Buffer.from(acceptResponse(this.nonce), "latin1"), more]));
  }
  send(t: number, len: number, seed: number, opcode = 1): this {
    return this.ev(SesEv.WsSend, t, seed, len, opcode);
  }
  userClose(t: number, code: number, reason: string, random16 = 0): this {
    const [off, len] = this.pool.add(reason);
    return this.ev(SesEv.WsUserClose, t, code, off, len, random16);
  }
  /** A tick at t; a due reconnect starts its attempt with the next nonce. */
  tick(t: number, random16 = 0): this {
    const next = nextNonce(this.nonce);
    const [nonceOff] = this.pool.add(next);
    return this.ev(SesEv.WsTick, t, random16, nonceOff);
  }
  /** A tick when the scheduled reconnect is due (read from the session); the next attempt uses the next nonce. */
  tickDue(): number {
    const { s } = this.state();
    if (!s.rc.pending) {
      throw new Error(`${this.name}: no reconnect is scheduled`);
    }
    const at = s.rc.at;
    this.tick(at - 1);
    this.tick(at);
    this.nonce = nextNonce(this.nonce);
    return at;
  }
}

/**
 * Socket.IO timelines: the transport's messages as they arrive (one Engine.IO packet each). The
 * namespace events (join, emit, ackReply, close) go to the namespace chosen with ns(k).
 */
class SioTimeline extends Timeline {
  /** The namespace the next namespace events are for. */
  private cur = 0;
  constructor(pool: DataPool, name: string, t0: number, nsp: string, auth: string) {
    const [nspOff, nspLen] = pool.add(nsp);
    const [authOff, authLen] = pool.add(auth);
    super(pool, name, [SesKind.Sio, 0, t0, nspOff, nspLen, authOff, authLen, 0]);
  }
  /** Replays the events so far: the records and the lines. */
  private replay(): { r: SesSio; text: string } {
    const r = new SesSio();
    const n = sesRunSio(
      r,
      this.pool.array,
      Int32Array.from(this.row()),
      0,
      this.events.length,
      work.noName,
      0,
      work.big1,
      work.out,
      SES_OUT_SIZE,
    );
    return { r, text: Buffer.from(work.out.buffer, 0, Math.max(n, 0)).toString("latin1") };
  }
  /** The lines so far (for error messages). */
  dump(): string {
    return this.replay().text;
  }
  state(): SesSio {
    return this.replay().r;
  }
  /** The following namespace events are for namespace k. */
  ns(k: number): this {
    if (k < 0 || k >= SES_SIO_NS) {
      throw new Error(`${this.name}: no namespace ${k}`);
    }
    this.cur = k;
    return this;
  }
  /** An event of the current namespace. */
  private nsEv(type: SesEv, t: number, a = 0, b = 0, c = 0, d = 0, e = 0): this {
    return this.ev(type + SES_EV_NS * this.cur, t, a, b, c, d, e);
  }
  /** The current namespace starts (it joins the manager on the next tick). */
  join(t: number, nsp: string, auth = ""): this {
    const [nOff, nLen] = this.pool.add(nsp);
    const [aOff, aLen] = this.pool.add(auth);
    return this.nsEv(SesEv.SioJoin, t, nOff, nLen, aOff, aLen);
  }
  tick(t: number, random16 = 0): this {
    return this.ev(SesEv.SioTick, t, random16);
  }
  msg(t: number, text: string | Uint8Array, random16 = 0, opcode = 1): this {
    const [off, len] = this.pool.add(text);
    return this.ev(SesEv.SioMessage, t, opcode, off, len, random16);
  }
  /** The current namespace's reconnect policy (before it joins: the manager takes the first namespace's). */
  configure(t: number, enabled: boolean, delay: number, delayMax: number, maxAttempts: number, jitter: number): this {
    return this.nsEv(SesEv.SioConfigure, t, enabled ? 1 : 0, delay, delayMax, maxAttempts, jitter);
  }
  /** The current namespace emits; with an ack, timeoutMs > 0 gives it a timeout. */
  emit(t: number, name: string, args: string, ack: boolean, times = 0, timeoutMs = 0): this {
    if (times > 255 || timeoutMs < 0 || timeoutMs >= 1 << 22) {
      throw new Error(`${this.name}: emit flags out of range`);
    }
    const [nOff, nLen] = this.pool.add(name);
    const [aOff, aLen] = this.pool.add(args);
    return this.nsEv(SesEv.SioEmit, t, nOff, nLen, aOff, aLen, (ack ? 1 : 0) | (times << 1) | (timeoutMs << 9));
  }
  /** The current namespace answers the server's ack id with JSON args (a list of arguments, without brackets). */
  ackReply(t: number, id: number, args: string): this {
    const [off, len] = this.pool.add(args);
    return this.nsEv(SesEv.SioAckReply, t, id, off, len);
  }
  /** The user closes the current namespace. */
  close(t: number): this {
    return this.nsEv(SesEv.SioClose, t);
  }
  /** The first transport: tick at t0 (Open), its WebSocket opens, the open packet arrives. */
  openTransport(t: number, open: string = EIO_OPEN): this {
    this.tick(t).ev(SesEv.SioWsOpen, t + 30);
    return this.msg(t + 60, open);
  }
  /** Ticks at the last moment the heartbeat is alive and the first it is not (read from the manager). */
  tickHeartbeat(random16: number): this {
    const { m } = this.state();
    const last = m.lastPingMs + m.info.pingInterval + m.info.pingTimeout;
    return this.tick(last).tick(last + 1, random16);
  }
  /** Ticks just before and at the scheduled reconnect (read from the manager); returns its time. */
  tickDue(): number {
    const { m } = this.state();
    if (!m.rc.pending) {
      throw new Error(`${this.name}: no reconnect is scheduled\n${this.dump()}`);
    }
    this.tick(m.rc.at - 1);
    this.tick(m.rc.at);
    return m.rc.at;
  }
  /** When the current transport started (read from the manager). */
  openedAt(): number {
    return this.state().m.openedAt;
  }
}

const WS_URL = "ws://example.org:8080/chat?room=1";
const MASK_KEY = Uint8Array.from([0x37, 0xfa, 0x21, 0x3d]);
const FIRST_NONCE = Buffer.from("000102030405060708090a0b0c0d0e0f", "hex");
const EIO_OPEN =
  '0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}';

/** The nonce of the next attempt (each byte + 16). */
function nextNonce(n: Buffer): Buffer {
  return Buffer.from(n.map((b) => (b + 16) & 0xff));
}

/** The server's 101 answer for a client nonce (RFC 6455 §4.2.2). */
function acceptResponse(nonce: Buffer): string {
  const key = nonce.toString("base64");
  const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
  return `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
}

/** An unmasked server frame (payload below 126 bytes). */
function serverFrame(opcode: number, payload: Uint8Array | string, fin = true): Buffer {
  const p = typeof payload === "string" ? Buffer.from(payload, "latin1") : Buffer.from(payload);
  if (p.length >= 126) {
    throw new Error("serverFrame: payload too long");
  }
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, p.length]), p]);
}

/** A server Close frame with a code and reason. */
function serverClose(code: number, reason = ""): Buffer {
  return serverFrame(8, Buffer.concat([Buffer.from([code >> 8, code & 255]), Buffer.from(reason, "latin1")]));
}

// ---------------------------------------------------------------- WebSocket timelines

function wsTimelines(pool: DataPool): Timeline[] {
  const list: Timeline[] = [];
  const ws = (name: string, t0 = 1000): WsTimeline => {
    const tl = new WsTimeline(pool, `session/ws/${name}`, t0, FIRST_NONCE);
    list.push(tl);
    return tl;
  };

  // Connect, queued sends flushed on open, a message, a Ping answered, a send while open,
  // the user's close answered by the server, TCP closed: finished (the user closed it).
  ws("connect-open-close")
    .send(1010, 5, 11)
    .send(1020, 130, 12, 2)
    .handshake(1050, serverFrame(1, "hello"))
    .feed(1200, serverFrame(9, "p1"))
    .send(1250, 3, 13)
    .userClose(1300, 1000, "bye")
    .feed(1350, serverClose(1000))
    .ev(SesEv.WsTcpClosed, 1360, 777);

  // The user's close is never answered: the close timer fails it CONFIG_CLOSE_TIMEOUT_MS later.
  ws("user-close-timeout")
    .configure(1000, true, 1000, 5000, 0, 500)
    .handshake(1050)
    .userClose(2000, 4000, "done")
    .tick(6999)
    .tick(7000, 1234)
    .tick(8000);

  // Keepalive: a Ping every interval, a Pong keeps it alive, then silence for two intervals.
  const ka = ws("keepalive");
  ka.ev(SesEv.WsKeepalive, 1000, 500).ev(SesEv.WsKeepalive, 1000, 86400001).ev(SesEv.WsKeepalive, 1000, 2000);
  ka.handshake(1050).tick(2999).tick(3000).feed(3100, serverFrame(10, "")).tick(4999).tick(5000).tick(5099);
  ka.tick(7000).tick(7099).tick(7100, 4242).tick(9000);

  // A drop reconnects after the backoff delay; the next attempt opens; another drop, with a larger delay.
  const drop = ws("drop-reconnect");
  drop.configure(1000, true, 1000, 5000, 0, 500).handshake(1050).send(1100, 4, 21);
  drop.ev(SesEv.WsTcpClosed, 2000, 40000).send(2100, 6, 22);
  let at = drop.tickDue();
  drop.handshake(at + 10).ev(SesEv.WsTcpClosed, at + 500, 65535);
  at = drop.tickDue();
  drop.ev(SesEv.WsTcpUp, at + 10).ev(SesEv.WsSocketError, at + 20, 0);
  drop.tickDue();

  // A server close code that does not invite a reconnect (1000, 1008) finishes; 1001, 1012 reconnect.
  for (const [code, tag] of [
    [1000, "normal"],
    [1008, "policy"],
    [1001, "going-away"],
    [1012, "service-restart"],
  ] as const) {
    const t = ws(`server-close-${code}-${tag}`);
    t.configure(1000, true, 2000, 30000, 0, 0).handshake(1050).feed(1500, serverClose(code, "x"), 30000);
    t.ev(SesEv.WsTcpClosed, 1520, 30000).tick(1520 + 5000);
  }

  // The server's Close is answered but TCP stays up: what the close timer does then.
  ws("server-close-tcp-stays")
    .configure(1000, true, 1000, 5000, 0, 500)
    .handshake(1050)
    .feed(1500, serverClose(1001))
    .tick(6499)
    .tick(6500)
    .tick(20000)
    .ev(SesEv.WsTcpClosed, 21000, 100);

  // maxAttempts 2: connect errors, two reconnects, then finished.
  const max = ws("max-attempts");
  max.configure(1000, true, 100, 1000, 2, 0).ev(SesEv.WsSocketError, 1010, 0);
  for (let i = 0; i < 2; i++) {
    const due = max.tickDue();
    max.ev(SesEv.WsTcpUp, due + 5).ev(SesEv.WsSocketError, due + 10, 20000);
  }
  max.tick(5000);

  // The send queue: within its budget, then overflow; a close while connecting; sends after it.
  ws("queue-overflow")
    .send(1010, 200000, 31)
    .send(1020, 62000, 32)
    .send(1030, 200, 33)
    .send(1040, 130, 34)
    .userClose(1050, 1000, "")
    .send(1060, 1, 35);

  // Waiting to reconnect: sends are queued, the user's close cancels the attempt.
  const wait = ws("reconnect-wait-close");
  wait.configure(1000, true, 3000, 3000, 0, 0).handshake(1050);
  wait.feed(2000, serverFrame(1, "bye"), 0).ev(SesEv.WsTcpClosed, 2001, 9);
  wait.send(2500, 10, 41).userClose(2600, 1000, "").tick(5001).send(5002, 1, 42);

  // The server refuses the handshake (403): reconnect is on, so it retries; a protocol error after open.
  const hs = ws("handshake-refused");
  hs.configure(1000, true, 500, 500, 0, 0).ev(SesEv.WsTcpUp, 1010);
  hs.feed(1020, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", 5);
  const due = hs.tickDue();
  hs.handshake(due + 5, serverFrame(1, "a")).feed(due + 100, Buffer.from([0x83, 0x00]), 6);
  hs.ev(SesEv.WsTcpClosed, due + 200, 7).tickDue();

  // The owner leaves: an open connection closes with the given code and reports to no one;
  // a connection waiting to reconnect finishes at once.
  ws("orphan-open")
    .configure(1000, true, 1000, 1000, 0, 0)
    .handshake(1050)
    .ev(SesEv.WsOrphan, 1100, 1001, 0)
    .tick(6099)
    .tick(6100, 3)
    .tick(9000);
  ws("orphan-waiting")
    .configure(1000, true, 1000, 1000, 0, 0)
    .handshake(1050)
    .ev(SesEv.WsTcpClosed, 1100, 0)
    .ev(SesEv.WsOrphan, 1200, 1000, 0)
    .tick(5000);

  // The WebSocket of a Socket.IO session (role Transport): no keepalive, and its end never
  // reconnects by itself (the Socket.IO session decides).
  ws("transport-role")
    .ev(SesEv.WsInit, 1000, SessionRole.Transport)
    .configure(1000, true, 1000, 1000, 0, 0)
    .ev(SesEv.WsKeepalive, 1000, 1000)
    .handshake(1050)
    .tick(5000)
    .ev(SesEv.WsTcpClosed, 5100, 0)
    .tick(7000);

  // A connection accepted in the server role (Child) that never sends its opening request.
  ws("child-request-timeout")
    .ev(SesEv.WsInit, 1000, SessionRole.Child)
    .feed(1500, "GET / HTTP/1.1\r\nHost: a\r\n")
    .tick(1000 + SESSION_REQUEST_TIMEOUT_MS - 1)
    .tick(1000 + SESSION_REQUEST_TIMEOUT_MS, 0)
    .tick(20000);

  // Reconnect is off (the default): a drop finishes; configure refuses bad arguments.
  ws("no-reconnect")
    .configure(1000, true, -2, 1000, 0, 0)
    .configure(1000, true, 1000, 1000, -5, 0)
    .configure(1000, true, 1000, 1000, 0, 1001)
    .handshake(1050)
    .ev(SesEv.WsTcpClosed, 1100, 1)
    .send(1200, 1, 51)
    .tick(2000);
  return list;
}

// ---------------------------------------------------------------- Socket.IO timelines

function sioTimelines(pool: DataPool): Timeline[] {
  const list: Timeline[] = [];
  const sio = (name: string, nsp = "/chat", auth = "", t0 = 0): SioTimeline => {
    const tl = new SioTimeline(pool, `session/sio/${name}`, t0, nsp, auth);
    list.push(tl);
    return tl;
  };

  // The whole life of a session: open, CONNECT, an event, an emit with its ACK, heartbeats,
  // a heartbeat timeout, a reconnect whose CONNECT flushes the queued emits, then the server's DISCONNECT.
  const life = sio("life", "/chat", '{"token":"abc"}');
  life.tick(0).emit(10, "hello", '"queued"', false).ev(SesEv.SioWsOpen, 30).msg(60, EIO_OPEN);
  life.msg(100, '40/chat,{"sid":"s1"}').msg(200, '42/chat,["news",{"a":1}]').msg(210, '42/chat,7["ask",2]');
  life.ackReply(220, 7, '"yes"');
  life.emit(250, "q", "1", true).msg(300, '43/chat,0["ok"]').msg(310, '43/chat,0["again"]');
  life.msg(25060, "2").emit(26000, "r", "2", true).msg(50060, "2");
  life.tickHeartbeat(20000).emit(95100, "s", "3", true).emit(95110, "t", "4", false);
  life.tickDue();
  const t1 = life.openedAt();
  life
    .ev(SesEv.SioWsOpen, t1 + 30)
    .msg(t1 + 60, EIO_OPEN)
    .msg(t1 + 90, '40/chat,{"sid":"s2"}');
  life
    .msg(t1 + 120, '43/chat,2["late"]')
    .msg(t1 + 150, "41/chat,")
    .ev(SesEv.SioWsClosed, t1 + 160, 5)
    .tick(t1 + 100000);

  // The default namespace, a user close with a DISCONNECT, and the engine closing after it.
  sio("user-close", "/", "")
    .openTransport(0)
    .msg(100, '40{"sid":"s1"}')
    .emit(110, "x", "[1,2]", false)
    .close(200)
    .ev(SesEv.SioWsClosed, 210, 1)
    .close(220)
    .emit(230, "y", "1", true);

  // CONNECT_ERROR ends the session (no reconnect).
  sio("connect-error")
    .openTransport(0)
    .msg(100, '44/chat,{"message":"Not authorized"}')
    .ev(SesEv.SioWsClosed, 110, 3)
    .tick(10000);

  // No open packet in time: the transport is dropped ("transport error"), and a reconnect scheduled.
  const ot = sio("open-timeout");
  ot.tick(0).ev(SesEv.SioWsOpen, 30);
  const opened = ot.openedAt();
  ot.tick(opened + SIO_OPEN_TIMEOUT_MS).tick(opened + SIO_OPEN_TIMEOUT_MS + 1, 32768);
  const at = ot.tickDue();
  ot.ev(SesEv.SioWsError, at + 5)
    .ev(SesEv.SioWsClosed, at + 6, 65535)
    .tickDue();

  // The ack table: 64 acks wait, the 65th emit is refused; an ACK frees an entry.
  sio("ack-table-full")
    .openTransport(0)
    .msg(100, '40/chat,{"sid":"s1"}')
    .emit(200, "e", "0", true, 65)
    .msg(300, '43/chat,5["ok"]')
    .emit(310, "e", "1", true)
    .emit(320, "e", "2", true);

  // The server's maxPayload: a packet above it is refused locally, one at it is sent.
  const small = EIO_OPEN.replace('"maxPayload":1000000', '"maxPayload":40');
  sio("max-payload", "/")
    .openTransport(0, small)
    .msg(100, "40")
    .emit(200, "big", `"${"x".repeat(40)}"`, false)
    .emit(210, "fits", `"${"x".repeat(26)}"`, false)
    .emit(220, "fits", `"${"x".repeat(27)}"`, false)
    .emit(230, "fits", `"${"x".repeat(25)}"`, true)
    .ackReply(240, 3, `"${"y".repeat(40)}"`)
    .ackReply(250, 3, '"y"')
    .msg(260, "1")
    .ackReply(270, 3, '"y"');

  // Dropped input: a binary message nobody waits for, binary packets' attachments, NUL in an event name, a name too long; other namespaces ignored.
  sio("dropped")
    .openTransport(0)
    .msg(100, '42/chat,["early"]')
    .msg(110, '40/chat,{"sid":"s1"}')
    .msg(120, Uint8Array.from([4, 1, 2]), 0, 2)
    // A BINARY_EVENT and a BINARY_ACK each wait for their attachment, a binary message (issue 15 item 4).
    .msg(130, '451-/chat,["bin",{"_placeholder":true,"num":0}]')
    .msg(135, Uint8Array.from([0, 255]), 0, 2)
    .msg(140, '461-/chat,3[{"_placeholder":true,"num":0}]')
    .msg(145, Uint8Array.from([7]), 0, 2)
    .msg(150, '42/chat,["a\\u0000b",1]')
    .msg(160, `42/chat,["${"n".repeat(40)}"]`)
    .msg(170, '42/other,["elsewhere"]')
    .msg(180, '42/chat,["ok\\u00e9"]')
    .msg(190, "6")
    .msg(200, '42/chat,["x"')
    .tickDue();

  // A server restart: Engine.IO close while connected, emits queued while reconnecting (up to the
  // queue's budget; one with an ack), a refused first reconnect, then the new transport's CONNECT flushes them.
  const q = sio("server-restart-queue");
  q.openTransport(0).msg(100, '40/chat,{"sid":"s1"}').msg(200, "1", 4000);
  q.emit(300, "ack", "1", true).emit(310, "blob", `"${"z".repeat(2000)}"`, false, 140);
  q.tickDue();
  q.ev(SesEv.SioWsClosed, q.openedAt() + 5, 60000);
  const t2 = q.tickDue();
  q.ev(SesEv.SioWsOpen, t2 + 10)
    .msg(t2 + 20, EIO_OPEN)
    .msg(t2 + 30, '40/chat,{"sid":"s2"}');
  q.msg(t2 + 40, "43/chat,0[]").emit(t2 + 50, "after", "2", false);

  // Two namespaces on one manager (socket.io-client's multiplexing): both join on the first tick and
  // write their CONNECT after the one open packet; packets go to the namespace they name (ack ids are
  // per namespace); a transport drop disconnects both, one reconnect rejoins both and flushes each
  // queue; the server's DISCONNECT of one leaves the other connected; the last one leaving (the
  // user's close) finishes the manager and drops its transport.
  const mux = sio("mux-two-namespaces", "/chat", '{"token":"abc"}');
  mux.ns(1).join(0, "/admin", '{"k":1}').tick(0).ev(SesEv.SioWsOpen, 30).msg(60, EIO_OPEN);
  mux.msg(90, '40/admin,{"sid":"a1"}').msg(100, '40/chat,{"sid":"c1"}');
  mux.msg(110, '42/chat,["news",1]').msg(120, '42/admin,["kick",2]');
  mux.ns(0).emit(130, "hi", "1", true).ns(1).emit(140, "op", "2", true);
  mux.msg(150, '43/admin,0["a"]').msg(160, '43/chat,0["c"]').msg(170, '42/lobby,["x"]');
  mux.ev(SesEv.SioWsClosed, 200, 30000);
  mux.ns(0).emit(210, "q0", "3", false).ns(1).emit(220, "q1", "4", true);
  const muxAt = mux.tickDue();
  mux.ev(SesEv.SioWsOpen, muxAt + 10).msg(muxAt + 20, EIO_OPEN);
  mux.msg(muxAt + 30, '40/chat,{"sid":"c2"}').msg(muxAt + 40, '40/admin,{"sid":"a2"}');
  mux
    .msg(muxAt + 50, '43/admin,1["b"]')
    .msg(muxAt + 60, "41/admin,")
    .msg(muxAt + 70, '42/chat,["still",3]');
  mux.msg(muxAt + 80, '42/admin,["gone"]');
  mux
    .ns(0)
    .close(muxAt + 90)
    .ev(SesEv.SioWsClosed, muxAt + 100, 1)
    .tick(muxAt + 200);

  // Namespaces joining a manager whose Engine.IO connection is open write their CONNECT at once;
  // a CONNECT_ERROR or the user's close of one leaves the others; a heartbeat timeout disconnects
  // the one left; its close while the reconnect waits finishes the manager (no attempt stays).
  const late = sio("mux-late-join", "/", "");
  late.openTransport(0).msg(100, '40{"sid":"r1"}');
  late.ns(1).join(500, "/admin", '{"k":2}').ns(2).join(500, "/secret", "").tick(510);
  late.msg(520, '40/admin,{"sid":"a1"}').msg(530, '44/secret,{"message":"no"}');
  late.ns(0).close(600).msg(610, '42/admin,["ok"]').msg(620, '42["root"]');
  late.tickHeartbeat(1000);
  late.ns(1).close(late.state().m.rc.at - 10);
  late.tick(late.state().m.rc.at + 1000);

  // Reconnect off for the manager (the first namespace's policy; the second's is not used): a drop
  // ends every namespace ("transport close") and releases the manager. Then maxAttempts 1: the
  // failed attempt ends both with "reconnect failed".
  const off = sio("mux-give-up", "/chat", "");
  off.configure(0, false, 1000, 1000, 0, 0).ns(1).join(0, "/admin").configure(0, true, 10, 10, 0, 0);
  off.tick(0).ev(SesEv.SioWsOpen, 30).msg(60, EIO_OPEN).msg(70, "40/chat,").msg(80, "40/admin,");
  off.ev(SesEv.SioWsClosed, 100, 0).tick(20000);
  const fail = sio("mux-reconnect-failed", "/chat", "");
  fail.configure(0, true, 500, 500, 1, 0).ns(1).join(0, "/admin").tick(0).ev(SesEv.SioWsOpen, 30);
  fail.msg(60, EIO_OPEN).msg(70, "40/chat,").msg(80, "40/admin,").ev(SesEv.SioWsClosed, 100, 0);
  const failAt = fail.tickDue();
  fail
    .ev(SesEv.SioWsError, failAt + 5)
    .ev(SesEv.SioWsClosed, failAt + 6, 0)
    .tick(failAt + 5000);

  // Connection state recovery: the server's CONNECT offers a pid, each event's last string argument
  // is the offset; after a drop the CONNECT carries {"pid":...,"offset":...,<auth members>}; the
  // events the server replays before its CONNECT reply are delivered; the reply with the same pid
  // says recovered. A later reconnect the server does not recover (a new pid) forgets the offset.
  const rec = sio("recovery", "/chat", '{"token":"abc"}');
  rec.openTransport(0).msg(100, '40/chat,{"sid":"s1","pid":"p1"}');
  rec.msg(110, '42/chat,["news",1,"o1"]').msg(120, '42/chat,["x",{"a":[1,"z"]},"o2"]').msg(130, '42/chat,["y",3]');
  rec.ev(SesEv.SioWsClosed, 200, 20000).emit(210, "queued", "1", false);
  const recAt = rec.tickDue();
  rec.ev(SesEv.SioWsOpen, recAt + 10).msg(recAt + 20, EIO_OPEN);
  rec.msg(recAt + 30, '42/chat,["missed",5,"o3"]').msg(recAt + 40, '40/chat,{"sid":"s2","pid":"p1"}');
  rec.msg(recAt + 50, '42/chat,["after","o4"]').msg(recAt + 60, "1", 40000);
  const rec2 = rec.tickDue();
  rec.ev(SesEv.SioWsOpen, rec2 + 10).msg(rec2 + 20, EIO_OPEN);
  rec.msg(rec2 + 30, '42/chat,["early",6,"o5"]').msg(rec2 + 40, '40/chat,{"sid":"s3","pid":"p2"}');
  rec.msg(rec2 + 50, "1", 0);
  const rec3 = rec.tickDue();
  rec
    .ev(SesEv.SioWsOpen, rec3 + 10)
    .msg(rec3 + 20, EIO_OPEN)
    .msg(rec3 + 30, '40/chat,{"sid":"s4"}');
  rec.msg(rec3 + 40, '42/chat,["plain","o6"]');

  // Recovery for two namespaces on one manager, each with its own pid: the default namespace with an
  // auth object without members and /chat without auth; the offset is left out before any event. A
  // namespace joining while the reconnect waits writes its CONNECT on the next open packet, with the others.
  const rno = sio("recovery-two-namespaces", "/", "{ }");
  rno.ns(1).join(0, "/chat", "").openTransport(0).msg(100, '40{"sid":"s1","pid":"P"}');
  rno.msg(110, '40/chat,{"sid":"c1","pid":"Q"}').msg(120, '42/chat,["e","q1"]').msg(130, '42["f","p1"]');
  rno.ev(SesEv.SioWsClosed, 200, 0).ns(2).join(210, "/late", '{"n":1}').tick(220);
  const rnoAt = rno.tickDue();
  rno.ev(SesEv.SioWsOpen, rnoAt + 10).msg(rnoAt + 20, EIO_OPEN);
  rno.msg(rnoAt + 30, '40{"sid":"s2","pid":"P"}').msg(rnoAt + 40, '40/chat,{"sid":"c2","pid":"Q2"}');
  rno.msg(rnoAt + 50, '40/late,{"sid":"l1"}');

  // Ack timeouts: one fails once at its deadline and its late ACK is ignored; an ACK in time frees
  // its entry; on a transport loss the sent acks with a timeout fail (via sioSessionTakeFailedAck),
  // those without are forgotten; a queued ack's timeout runs too; the user's close fails every ack
  // that has a timeout.
  const to = sio("ack-timeout");
  to.openTransport(0).msg(100, '40/chat,{"sid":"s1"}');
  to.emit(200, "a", "1", true, 0, 1000).emit(210, "b", "2", true).emit(220, "c", "3", true, 0, 5000);
  to.tick(1199).tick(1200).msg(1300, '43/chat,0["late"]').msg(1310, '43/chat,1["b"]');
  to.emit(1400, "d", "4", true, 0, 100000).emit(1500, "e", "5", true);
  to.ev(SesEv.SioWsClosed, 2000, 30000);
  to.emit(2100, "f", "6", true, 0, 100000).emit(2110, "g", "7", true, 0, 50).tick(2160);
  const toAt = to.tickDue();
  to.ev(SesEv.SioWsOpen, toAt + 10)
    .msg(toAt + 20, EIO_OPEN)
    .msg(toAt + 30, '40/chat,{"sid":"s2"}');
  to.emit(toAt + 40, "h", "8", true, 0, 100000).emit(toAt + 50, "i", "9", true);
  to.close(toAt + 60).tick(toAt + 200000);
  return list;
}

/** Builds every timeline and runs it through the runner: the tables and the oracle's lines. */
export function buildSessionSet(): SessionSet {
  const pool = new DataPool();
  const timelines = [...wsTimelines(pool), ...sioTimelines(pool)];
  const params: number[] = [];
  const cases: SessionTimeline[] = [];
  for (const tl of timelines) {
    cases.push({ name: tl.name, p: params.length });
    params.push(...tl.row());
    if (tl.row().length !== SES_HEAD + tl.events.length * SES_EV_WIDTH) {
      throw new Error(`${tl.name}: bad row`);
    }
  }
  const data = pool.array;
  const table = Int32Array.from(params);
  const names = packStrings(cases.map((c) => c.name));
  const lines: string[] = [];
  for (let i = 0; i < cases.length; i++) {
    const n = sesRun(
      data,
      table,
      cases[i].p,
      names.bytes,
      names.offsets[i],
      work.big1,
      work.big2,
      work.out,
      SES_OUT_SIZE,
    );
    if (n < 0) {
      lines.push(`${cases[i].name}\t${SESSION_OVERFLOW}`);
      continue;
    }
    const text = Buffer.from(work.out.buffer, 0, n).toString("latin1");
    lines.push(...text.split("\n").filter((l) => l !== ""));
  }
  return { data, params: table, timelines: cases, names, lines };
}
