/**
 * The WebSocket session (spec/core/wssession.ts) without network: a WsConn
 * fed real server bytes (the RFC 6455 handshake example, frames from the
 * core's server encoder) and the session driven through timelines with fake
 * times and fixed random16 values.
 */
import { describe, expect, it } from "vitest";
import { Backoff, backoffInit, backoffNext } from "../core/backoff.js";
import { CONFIG_CLOSE_TIMEOUT_MS, CONFIG_MAX_HANDSHAKE_RESPONSE, CONFIG_SEND_QUEUE_BYTES } from "../core/config.js";
import { HandshakeError } from "../core/handshake.js";
import { ConnOut, WsConn, connFeed, connInit, connInitServer } from "../core/conn.js";
import { Opcode, frameEncodeServer } from "../core/frame.js";
import { Action, ConnEvent, ReadyState } from "../core/state.js";
import { urlParse } from "../core/url.js";
import {
  ReconnectArg,
  SESSION_REQUEST_TIMEOUT_MS,
  SessionError,
  SessionRole,
  WsClosed,
  WsSend,
  WsSession,
  WsTick,
  WsUserClose,
  reconnectConfigure,
  reconnectRemainingMs,
  wsSessionApply,
  wsSessionAttempt,
  wsSessionClosed,
  wsSessionFailure,
  wsSessionFed,
  wsSessionInit,
  wsSessionOrphan,
  wsSessionReceived,
  wsSessionRequestSent,
  wsSessionSend,
  wsSessionSetKeepalive,
  wsSessionTick,
  wsSessionUserClose,
} from "../core/wssession.js";

const NONCE = Buffer.from("dGhlIHNhbXBsZSBub25jZQ==", "base64");
const OK = Buffer.from(
  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
  "latin1",
);
const NO_REASON = new Uint8Array(0);

interface Pair {
  s: WsSession;
  c: WsConn;
}

/** A session and a connection attempt to ws://example.org/chat, started at t. */
function start(t: number, role = SessionRole.Client): Pair {
  const s = new WsSession();
  const c = new WsConn();
  wsSessionInit(s, role, t);
  attempt(s, c);
  return { s, c };
}

function attempt(s: WsSession, c: WsConn): void {
  const url = Buffer.from("ws://example.org/chat");
  urlParse(c.url, url, 0, url.length);
  connInit(c, NONCE, 0, url, 0, 0, 1 << 16);
  wsSessionAttempt(s);
}

/** Feeds server bytes at t; returns the Action bits of each step through wsSessionFed (as the I/O layer does). */
function feed({ s, c }: Pair, bytes: Uint8Array, t: number): number[] {
  const msg = new Uint8Array(1 << 16);
  const all: number[] = [];
  wsSessionReceived(s, t);
  let off = 0;
  while (off < bytes.length) {
    const used = connFeed(c, bytes, off, bytes.length - off, msg);
    off += used;
    if (c.actions !== Action.None) all.push(wsSessionFed(s, c, t));
    if (used === 0 && c.out === ConnOut.None) break;
  }
  return all;
}

function open(p: Pair, t: number): void {
  wsSessionRequestSent(p.s, true);
  expect(feed(p, OK, t)).toEqual([Action.NotifyOpen]);
  expect(p.c.state).toBe(ReadyState.Open);
}

function serverFrame(opcode: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 14);
  return out.subarray(0, frameEncodeServer(out, 0, out.length, opcode, payload, 0, payload.length));
}

function closeFrame(code: number): Uint8Array {
  return serverFrame(Opcode.Close, new Uint8Array([code >> 8, code & 0xff]));
}

/** Ticks at every ms in [from, to] and returns the first non-None tick as [t, tick]. */
function firstTick(s: WsSession, c: WsConn, from: number, to: number): [number, number] | null {
  for (let t = from; t <= to; t++) {
    const r = wsSessionTick(s, c, t | 0);
    if (r !== WsTick.None) return [t, r];
  }
  return null;
}

describe("close timer", () => {
  it("ends a user close the server does not finish after CONFIG_CLOSE_TIMEOUT_MS, not a ms earlier", () => {
    const p = start(100);
    open(p, 200);
    expect(wsSessionUserClose(p.s, p.c, 4000, Buffer.from("bye"), 0, 3, 300)).toBe(WsUserClose.Apply);
    expect(p.s.actions).toBe(Action.SendClose | Action.StartCloseTimer);
    expect([p.s.userCode, Buffer.from(p.s.userReason.subarray(0, p.s.userReasonLen)).toString()]).toEqual([
      4000,
      "bye",
    ]);
    expect(firstTick(p.s, p.c, 301, 300 + CONFIG_CLOSE_TIMEOUT_MS + 10)).toEqual([
      300 + CONFIG_CLOSE_TIMEOUT_MS,
      WsTick.CloseTimeout,
    ]);
    expect(p.s.actions).toBe(Action.Disconnect | Action.NotifyClosed);
    expect(p.c.state).toBe(ReadyState.Closed);
    // The user closed it: finished, even with reconnect on.
    expect(wsSessionClosed(p.s, p.c, 5400, 0)).toBe(WsClosed.Finish);
    expect(wsSessionClosed(p.s, p.c, 5400, 0)).toBe(WsClosed.None);
  });

  it("also runs after a Close the server sent (the actions came from connFeed: wsSessionFed)", () => {
    const p = start(0);
    open(p, 10);
    expect(feed(p, closeFrame(1000), 50)).toEqual([Action.SendCloseReply | Action.StartCloseTimer]);
    expect(p.s.closeTimer).toBe(true);
    expect(firstTick(p.s, p.c, 51, 50 + CONFIG_CLOSE_TIMEOUT_MS)).toEqual([
      50 + CONFIG_CLOSE_TIMEOUT_MS,
      WsTick.CloseTimeout,
    ]);
  });

  it("works across the wrap of the millisecond counter", () => {
    const t0 = 0x7fffffff - 1000;
    const p = start(t0);
    open(p, t0);
    wsSessionUserClose(p.s, p.c, 1000, NO_REASON, 0, 0, t0);
    const due = (t0 + CONFIG_CLOSE_TIMEOUT_MS) | 0;
    expect(due).toBeLessThan(0);
    expect(wsSessionTick(p.s, p.c, (due - 1) | 0)).toBe(WsTick.None);
    expect(wsSessionTick(p.s, p.c, due)).toBe(WsTick.CloseTimeout);
  });
});

describe("keepalive", () => {
  it("refuses intervals out of range and changes nothing then", () => {
    const { s } = start(0);
    expect(wsSessionSetKeepalive(s, 999, 0)).toBe(false);
    expect(wsSessionSetKeepalive(s, 86400001, 0)).toBe(false);
    expect(wsSessionSetKeepalive(s, -1, 0)).toBe(false);
    expect(s.keepaliveMs).toBe(0);
    expect(wsSessionSetKeepalive(s, 1000, 0)).toBe(true);
    expect(wsSessionSetKeepalive(s, 86400000, 0)).toBe(true);
    expect(wsSessionSetKeepalive(s, 0, 0)).toBe(true);
    expect(s.keepaliveMs).toBe(0);
  });

  it("pings every interval while something arrives, and fails the connection after two silent intervals", () => {
    const p = start(0);
    expect(wsSessionSetKeepalive(p.s, 1000, 0)).toBe(true);
    // Nothing before OPEN.
    expect(firstTick(p.s, p.c, 0, 3000)).toBeNull();
    open(p, 5000);
    expect(firstTick(p.s, p.c, 5001, 7000)).toEqual([6000, WsTick.Ping]);
    // A pong (any byte) at 6500 keeps it alive.
    feed(p, serverFrame(Opcode.Pong, new Uint8Array(0)), 6500);
    expect(firstTick(p.s, p.c, 6001, 9000)).toEqual([7000, WsTick.Ping]);
    expect(firstTick(p.s, p.c, 7001, 9000)).toEqual([8000, WsTick.Ping]);
    // Silence since 6500: two intervals are over after 8500.
    expect(firstTick(p.s, p.c, 8001, 9000)).toEqual([8501, WsTick.KeepaliveTimeout]);
    expect([p.s.error, p.s.detail]).toEqual([SessionError.Timeout, 2001]);
    expect(p.s.actions).toBe(Action.NotifyError | Action.Disconnect | Action.NotifyClosed);
    expect(p.c.state).toBe(ReadyState.Closed);
  });

  it("is the Client role's only: a Socket.IO transport never pings", () => {
    const p = start(0, SessionRole.Transport);
    wsSessionSetKeepalive(p.s, 1000, 0);
    open(p, 0);
    expect(firstTick(p.s, p.c, 1, 5000)).toBeNull();
  });
});

describe("send queue", () => {
  it("queues while CONNECTING within CONFIG_SEND_QUEUE_BYTES, refuses beyond, sends now once OPEN, refuses when closing", () => {
    const p = start(0);
    expect(wsSessionSend(p.s, p.c, 200000)).toBe(WsSend.Queue);
    expect(wsSessionSend(p.s, p.c, CONFIG_SEND_QUEUE_BYTES - 200000)).toBe(WsSend.Queue);
    expect(p.s.queueLen).toBe(CONFIG_SEND_QUEUE_BYTES);
    expect(wsSessionSend(p.s, p.c, 1)).toBe(WsSend.Overflow);
    expect([p.s.error, p.s.detail]).toEqual([SessionError.QueueOverflow, 1]);
    expect(wsSessionSend(p.s, p.c, -1)).toBe(WsSend.Overflow);
    expect(p.s.queueLen).toBe(CONFIG_SEND_QUEUE_BYTES);
    open(p, 10);
    // NotifyOpen: the I/O layer wrote the queue.
    expect(p.s.queueLen).toBe(0);
    expect(wsSessionSend(p.s, p.c, CONFIG_SEND_QUEUE_BYTES * 4)).toBe(WsSend.Now);
    expect(p.s.error).toBe(SessionError.None);
    wsSessionUserClose(p.s, p.c, 1000, NO_REASON, 0, 0, 20);
    expect(wsSessionSend(p.s, p.c, 10)).toBe(WsSend.Closing);
  });

  it("queues while waiting to reconnect", () => {
    const p = start(0);
    reconnectConfigure(p.s.rc, true, 1000, 5000, 0, 0);
    open(p, 0);
    wsSessionApply(p.s, p.c, ConnEvent.TcpClosed, 10);
    expect(wsSessionClosed(p.s, p.c, 10, 0)).toBe(WsClosed.Retry | WsClosed.NotifyRetry);
    expect(p.c.state).toBe(ReadyState.Closed);
    expect(wsSessionSend(p.s, p.c, 100)).toBe(WsSend.Queue);
    expect(p.s.queueLen).toBe(100);
  });
});

describe("reconnect", () => {
  it("after a drop, waits the backoff delays (jitter included), grows them while attempts fail, and starts over after an open", () => {
    const p = start(0);
    const random = [0x1234, 0xfedc, 0x8000, 0x0042, 0xbeef];
    expect(reconnectConfigure(p.s.rc, true, 100, 1000, 0, 500)).toBe(ReconnectArg.Ok);
    const twin = new Backoff();
    backoffInit(twin, 100, 1000, 500, 0);
    open(p, 0);
    let t = 1000;
    wsSessionApply(p.s, p.c, ConnEvent.TcpClosed, t);
    expect(wsSessionClosed(p.s, p.c, t, random[0])).toBe(WsClosed.Retry | WsClosed.NotifyRetry);
    const delays: number[] = [];
    for (let i = 0; ; i++) {
      const delay = reconnectRemainingMs(p.s.rc, t);
      delays.push(delay);
      expect(delay).toBe(backoffNext(twin, random[i]));
      expect(firstTick(p.s, p.c, t, t + delay)).toEqual([t + delay, WsTick.Reconnect]);
      t += delay;
      attempt(p.s, p.c);
      if (i === 3) break;
      // The attempt fails before opening: no disconnect callback is owed, the delay grows.
      wsSessionApply(p.s, p.c, ConnEvent.SocketError, t);
      expect(wsSessionClosed(p.s, p.c, t, random[i + 1])).toBe(WsClosed.Retry);
    }
    expect(delays[1]).toBeGreaterThan(delays[0]);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1000);
    // This attempt opens: the backoff starts over at the base delay.
    open(p, t);
    wsSessionApply(p.s, p.c, ConnEvent.TcpClosed, t + 5);
    expect(wsSessionClosed(p.s, p.c, t + 5, 0)).toBe(WsClosed.Retry | WsClosed.NotifyRetry);
    const fresh = new Backoff();
    backoffInit(fresh, 100, 1000, 500, 0);
    expect(reconnectRemainingMs(p.s.rc, t + 5)).toBe(backoffNext(fresh, 0));
  });

  it("reconnects after a close code that invites it (1001, 1011-1014), not after one that does not", () => {
    for (const [code, again] of [
      [1001, true],
      [1011, true],
      [1012, true],
      [1013, true],
      [1014, true],
      [1000, false],
      [1008, false],
      [4000, false],
    ] as const) {
      const p = start(0);
      reconnectConfigure(p.s.rc, true, 1000, 5000, 0, 0);
      open(p, 0);
      feed(p, closeFrame(code), 10);
      wsSessionApply(p.s, p.c, ConnEvent.TcpClosed, 20);
      expect(wsSessionClosed(p.s, p.c, 20, 0), `code ${code}`).toBe(
        again ? WsClosed.Retry | WsClosed.NotifyRetry : WsClosed.Finish,
      );
      expect(p.s.rc.pending).toBe(again);
    }
  });

  it("finishes when reconnect is off (the default), after a user close, for a request that cannot be built, and in the Transport role", () => {
    const off = start(0);
    open(off, 0);
    wsSessionApply(off.s, off.c, ConnEvent.TcpClosed, 5);
    expect(wsSessionClosed(off.s, off.c, 5, 0)).toBe(WsClosed.Finish);

    const user = start(0);
    reconnectConfigure(user.s.rc, true, 1000, 5000, 0, 0);
    open(user, 0);
    wsSessionUserClose(user.s, user.c, 1000, NO_REASON, 0, 0, 5);
    // The server drops TCP instead of answering: still no reconnect.
    wsSessionApply(user.s, user.c, ConnEvent.TcpClosed, 6);
    expect(wsSessionClosed(user.s, user.c, 6, 0)).toBe(WsClosed.Finish);

    const bad = start(0);
    reconnectConfigure(bad.s.rc, true, 1000, 5000, 0, 0);
    wsSessionRequestSent(bad.s, false);
    wsSessionApply(bad.s, bad.c, ConnEvent.SocketError, 1);
    expect(wsSessionClosed(bad.s, bad.c, 1, 0)).toBe(WsClosed.Finish);

    const transport = start(0, SessionRole.Transport);
    reconnectConfigure(transport.s.rc, true, 1000, 5000, 0, 0);
    open(transport, 0);
    wsSessionApply(transport.s, transport.c, ConnEvent.TcpClosed, 5);
    expect(wsSessionClosed(transport.s, transport.c, 5, 0)).toBe(WsClosed.Finish);
  });

  it("gives up after maxAttempts failed attempts", () => {
    const p = start(0);
    reconnectConfigure(p.s.rc, true, 10, 100, 2, 0);
    open(p, 0);
    let t = 0;
    const results: number[] = [];
    for (let i = 0; i < 3; i++) {
      wsSessionApply(p.s, p.c, ConnEvent.TcpClosed, t);
      results.push(wsSessionClosed(p.s, p.c, t, 0));
      if (!p.s.rc.pending) break;
      t = p.s.rc.at;
      expect(wsSessionTick(p.s, p.c, t)).toBe(WsTick.Reconnect);
      attempt(p.s, p.c);
    }
    expect(results).toEqual([WsClosed.Retry | WsClosed.NotifyRetry, WsClosed.Retry, WsClosed.Finish]);
  });

  it("a user close while waiting to reconnect cancels the attempt and finishes", () => {
    const p = start(0);
    reconnectConfigure(p.s.rc, true, 1000, 5000, 0, 0);
    open(p, 0);
    wsSessionApply(p.s, p.c, ConnEvent.TcpClosed, 5);
    wsSessionClosed(p.s, p.c, 5, 0);
    expect(p.s.rc.pending).toBe(true);
    expect(wsSessionUserClose(p.s, p.c, 1000, NO_REASON, 0, 0, 10)).toBe(WsUserClose.Finish);
    expect(p.s.rc.pending).toBe(false);
    expect(firstTick(p.s, p.c, 10, 3000)).toBeNull();
  });

  it("reconnectConfigure checks each argument, -1 means the default, and a refusal changes nothing", () => {
    const { s } = start(0);
    const cases: Array<[number, number, number, number, number]> = [
      [-2, -1, -1, -1, ReconnectArg.DelayMs],
      [3600001, -1, -1, -1, ReconnectArg.DelayMs],
      [-1, -2, -1, -1, ReconnectArg.DelayMaxMs],
      [-1, 3600001, -1, -1, ReconnectArg.DelayMaxMs],
      [-1, -1, -2, -1, ReconnectArg.MaxAttempts],
      [-1, -1, -1, 1001, ReconnectArg.JitterPermille],
      [-1, -1, -1, -2, ReconnectArg.JitterPermille],
    ];
    for (const [d, dm, ma, j, want] of cases) {
      expect(reconnectConfigure(s.rc, true, d, dm, ma, j), `${d} ${dm} ${ma} ${j}`).toBe(want);
      expect(s.rc.enabled).toBe(false);
      expect([s.rc.backoff.baseMs, s.rc.backoff.maxMs, s.rc.backoff.jitterPermille]).toEqual([1000, 5000, 500]);
    }
    expect(reconnectConfigure(s.rc, true, 0, 3600000, 7, 1000)).toBe(ReconnectArg.Ok);
    expect(s.rc.enabled).toBe(true);
    expect([s.rc.backoff.baseMs, s.rc.backoff.maxMs, s.rc.backoff.maxAttempts, s.rc.backoff.jitterPermille]).toEqual([
      0, 3600000, 7, 1000,
    ]);
    expect(reconnectConfigure(s.rc, false, -1, -1, -1, -1)).toBe(ReconnectArg.Ok);
    expect([s.rc.enabled, s.rc.backoff.baseMs, s.rc.backoff.maxMs, s.rc.backoff.maxAttempts]).toEqual([
      false,
      1000,
      5000,
      0,
    ]);
  });
});

describe("orphan and child", () => {
  it("an orphaned open connection closes with the owner's code and reports to no one", () => {
    const p = start(0);
    reconnectConfigure(p.s.rc, true, 1000, 5000, 0, 0);
    open(p, 0);
    wsSessionSend(p.s, p.c, 10);
    expect(wsSessionOrphan(p.s, p.c, 1001, 5)).toBe(WsUserClose.Apply);
    expect(p.s.actions).toBe(Action.SendClose | Action.StartCloseTimer);
    expect([p.s.role, p.s.userCode, p.s.queueLen]).toEqual([SessionRole.Orphan, 1001, 0]);
    wsSessionApply(p.s, p.c, ConnEvent.TcpClosed, 6);
    expect(wsSessionClosed(p.s, p.c, 6, 0)).toBe(WsClosed.Finish);
  });

  it("an orphan still connecting is dropped at once", () => {
    const p = start(0);
    expect(wsSessionOrphan(p.s, p.c, 1000, 1)).toBe(WsUserClose.Apply);
    expect(p.s.actions).toBe(Action.Disconnect | Action.NotifyClosed);
  });

  it("an accepted child that sends no whole request within SESSION_REQUEST_TIMEOUT_MS is closed", () => {
    const s = new WsSession();
    const c = new WsConn();
    connInitServer(c, 1 << 16);
    wsSessionInit(s, SessionRole.Child, 500);
    expect(firstTick(s, c, 500, 500 + SESSION_REQUEST_TIMEOUT_MS)).toEqual([
      500 + SESSION_REQUEST_TIMEOUT_MS,
      WsTick.RequestTimeout,
    ]);
    expect(s.actions).toBe(Action.Disconnect | Action.NotifyClosed);
    expect(wsSessionClosed(s, c, 600, 0)).toBe(WsClosed.Finish);
  });
});

describe("wsSessionFailure: what a failed handshake or a protocol error reports", () => {
  const report = (c: WsConn, out: number): [number, number, string] => {
    const s = new WsSession();
    const text = new Uint8Array(300);
    const n = wsSessionFailure(s, c, out, text, 0, text.length);
    return [s.error, s.detail, Buffer.from(text.subarray(0, n)).toString("latin1")];
  };

  it("tells a refused upgrade, an oversized response, another invalid one and a protocol error apart", () => {
    const c = new WsConn();
    c.hs.error = HandshakeError.StatusNot101;
    c.hs.status = 403;
    expect(report(c, ConnOut.HandshakeFailed)).toEqual([
      SessionError.HandshakeRejected,
      403,
      "handshake rejected: the server answered with HTTP status 403",
    ]);
    c.hs.error = HandshakeError.TooLarge;
    c.hs.reader.total = 70000;
    expect(report(c, ConnOut.HandshakeFailed)).toEqual([
      SessionError.HandshakeInvalid,
      HandshakeError.TooLarge,
      `handshake failed: the response header block is larger than ${CONFIG_MAX_HANDSHAKE_RESPONSE} bytes (the limit), no end after 70000 bytes`,
    ]);
    c.hs.error = 3;
    expect(report(c, ConnOut.HandshakeFailed)).toEqual([
      SessionError.HandshakeInvalid,
      3,
      "handshake failed: invalid upgrade response (handshake error 3)",
    ]);
    c.failCode = 1002;
    expect(report(c, ConnOut.ProtocolError)).toEqual([
      SessionError.Protocol,
      1002,
      "protocol error: the server broke RFC 6455, failing the connection with close code 1002",
    ]);
    c.server = true;
    expect(report(c, ConnOut.ProtocolError)[2]).toContain("the client broke RFC 6455");
    expect(report(c, ConnOut.Message)).toEqual([SessionError.None, 0, ""]);
  });
});
