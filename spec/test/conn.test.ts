/**
 * The sans-I/O connection driven by scripted byte streams: a whole session
 * (handshake response, frames, close) fed in every possible split must give
 * the same outputs and the same ready-state trace.
 */
import { describe, expect, it } from "vitest";
import {
  ConnOut,
  WsConn,
  connApply,
  connEncodeClose,
  connEncodeCloseReply,
  connEncodePong,
  connFeed,
  connInit,
  connRequest,
} from "../core/conn.js";
import { Action, ConnEvent, ReadyState } from "../core/state.js";
import { urlParse } from "../core/url.js";

const NONCE = Buffer.from("dGhlIHNhbXBsZSBub25jZQ==", "base64");
const OK =
  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
const KEY = Buffer.from([1, 2, 3, 4]);

function fresh(maxMessage = 1024): WsConn {
  const c = new WsConn();
  const url = Buffer.from("ws://example.org/chat");
  urlParse(c.url, url, 0, url.length);
  connInit(c, NONCE, 0, url, 0, 0, maxMessage);
  return c;
}

function frame(b0: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([b0, payload.length]), payload]);
}

/** Feeds chunks and returns a trace of outputs, actions and states. */
function run(c: WsConn, chunks: Buffer[]): string[] {
  const msg = new Uint8Array(2048);
  const trace: string[] = [];
  for (const chunk of chunks) {
    let off = 0;
    while (off < chunk.length) {
      const used = connFeed(c, chunk, off, chunk.length - off, msg);
      off += used;
      if (c.out !== ConnOut.None) {
        const detail =
          c.out === ConnOut.Message ? `:${c.msgType}:${Buffer.from(msg.subarray(0, c.msgLen)).toString("latin1")}` : "";
        trace.push(`out=${c.out}${detail} actions=${c.actions} state=${c.state}`);
      }
      if (used === 0 && c.out === ConnOut.None) break;
    }
  }
  return trace;
}

function splits(stream: Buffer): Buffer[][] {
  const out: Buffer[][] = [[stream]];
  for (let i = 1; i < stream.length; i++) out.push([stream.subarray(0, i), stream.subarray(i)]);
  out.push([...stream].map((b) => Buffer.from([b])));
  return out;
}

describe("WsConn", () => {
  it("writes the request and starts CONNECTING", () => {
    const c = fresh();
    expect(c.state).toBe(ReadyState.Connecting);
    const out = new Uint8Array(512);
    const none = new Uint8Array(0);
    const n = connRequest(c, out, out.length, none, 0, 0, none, 0, 0);
    expect(Buffer.from(out.subarray(0, n)).toString()).toMatch(/^GET \/chat HTTP\/1\.1\r\nHost: example\.org\r\n/);
  });

  it("gives the same trace for a whole session at every split", () => {
    const stream = Buffer.concat([
      Buffer.from(OK, "latin1"),
      frame(0x81, Buffer.from("hello")),
      frame(0x89, Buffer.from("p")),
      frame(0x01, Buffer.from("frag")),
      frame(0x80, Buffer.from("ment")),
      frame(0x82, Buffer.from([0, 255, 0])),
      frame(0x88, Buffer.from([0x03, 0xe8, 0x62, 0x79, 0x65])),
      frame(0x81, Buffer.from("after close is ignored")),
    ]);
    const expected = [
      `out=${ConnOut.Open} actions=${Action.NotifyOpen} state=${ReadyState.Open}`,
      `out=${ConnOut.Message}:1:hello actions=0 state=1`,
      `out=${ConnOut.Ping} actions=0 state=1`,
      `out=${ConnOut.Message}:1:fragment actions=0 state=1`,
      `out=${ConnOut.Message}:2:\u0000\u00ff\u0000 actions=0 state=1`,
      `out=${ConnOut.CloseReceived} actions=${Action.SendCloseReply | Action.StartCloseTimer} state=${ReadyState.Closing}`,
    ];
    for (const chunks of splits(stream)) {
      const c = fresh();
      expect(run(c, chunks)).toEqual(expected);
      expect(c.closeCode).toBe(1000);
      expect(c.closeSent).toBe(true);
      expect(c.closeReceived).toBe(true);
      expect(connApply(c, ConnEvent.TcpClosed)).toBe(Action.NotifyClosed);
      expect(c.state).toBe(ReadyState.Closed);
    }
  });

  it("fails the connection with the decoder's close code and ignores what follows", () => {
    const stream = Buffer.concat([
      Buffer.from(OK, "latin1"),
      frame(0x81, Buffer.from([0xc0, 0x80])),
      frame(0x81, Buffer.from("x")),
    ]);
    for (const chunks of splits(stream)) {
      const c = fresh();
      const trace = run(c, chunks);
      expect(trace.at(-1)).toBe(
        `out=${ConnOut.ProtocolError} actions=${Action.SendCloseError | Action.StartCloseTimer | Action.NotifyError} state=${ReadyState.Closing}`,
      );
      expect(c.failCode).toBe(1007);
    }
  });

  it("reports a refused handshake and closes", () => {
    const c = fresh();
    const trace = run(c, [Buffer.from("HTTP/1.1 401 Unauthorized\r\n\r\n")]);
    expect(trace).toEqual([
      `out=${ConnOut.HandshakeFailed} actions=${Action.NotifyError | Action.Disconnect | Action.NotifyClosed} state=${ReadyState.Closed}`,
    ]);
    expect(c.hs.status).toBe(401);
    expect(c.closeCode).toBe(1006);
  });

  it("encodes pong, close and close reply as masked frames", () => {
    const c = fresh();
    run(c, [Buffer.concat([Buffer.from(OK, "latin1"), frame(0x89, Buffer.from("abc"))])]);
    const out = new Uint8Array(200);
    let n = connEncodePong(c, out, 0, out.length, KEY, 0);
    expect([...out.subarray(0, n)]).toEqual([0x8a, 0x83, 1, 2, 3, 4, 0x61 ^ 1, 0x62 ^ 2, 0x63 ^ 3]);
    const reason = Buffer.from("bye");
    n = connEncodeClose(out, 0, out.length, 4000, reason, 0, 3, KEY, 0);
    expect([...out.subarray(0, n)]).toEqual([0x88, 0x85, 1, 2, 3, 4, 0x0f ^ 1, 0xa0 ^ 2, 0x62 ^ 3, 0x79 ^ 4, 0x65 ^ 1]);
    run(c, [frame(0x88, Buffer.alloc(0))]);
    expect(c.closeCode).toBe(1005);
    n = connEncodeCloseReply(c, out, 0, out.length, KEY, 0);
    expect([...out.subarray(0, n)]).toEqual([0x88, 0x80, 1, 2, 3, 4]);
  });

  it("times out a close handshake the server never finishes", () => {
    const c = fresh();
    run(c, [Buffer.from(OK, "latin1")]);
    expect(connApply(c, ConnEvent.UserClose)).toBe(Action.SendClose | Action.StartCloseTimer);
    expect(connApply(c, ConnEvent.CloseTimeout)).toBe(Action.Disconnect | Action.NotifyClosed);
    expect(c.state).toBe(ReadyState.Closed);
    expect(c.closeCode).toBe(1006);
  });
});
