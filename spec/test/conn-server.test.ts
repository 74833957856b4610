/**
 * The connection in the server role (connInitServer): the client's opening request,
 * the 101 answer (connAccept), masked frames in, unmasked frames out, and the close
 * handshake with the server closing TCP first (RFC 6455 §7.1.1). Every split of the
 * session gives the same trace.
 */
import { describe, expect, it } from "vitest";
import {
  ConnOut,
  WsConn,
  connAccept,
  connApply,
  connEncodeClose,
  connEncodeCloseReply,
  connEncodePong,
  connFeed,
  connInitServer,
} from "../core/conn.js";
import { Action, ConnEvent, ReadyState } from "../core/state.js";
import { ServerHandshakeError, serverHandshakeBuildStatus } from "../core/serverhandshake.js";

const REQUEST =
  "GET /chat?room=1 HTTP/1.1\r\nHost: example.org\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n";
const KEY = [0x37, 0xfa, 0x21, 0x3d];

function masked(b0: number, payload: Buffer): Buffer {
  const body = Buffer.from(payload.map((b, i) => b ^ KEY[i & 3]));
  return Buffer.concat([Buffer.from([b0, 0x80 | payload.length, ...KEY]), body]);
}

/** Feeds the whole stream in the given chunks, accepting the request with "chat"; returns the trace. */
function run(chunks: Buffer[]): string[] {
  const c = new WsConn();
  connInitServer(c, 1024, 64);
  const msg = new Uint8Array(64);
  const out = new Uint8Array(512);
  const trace: string[] = [];
  for (const chunk of chunks) {
    let off = 0;
    for (;;) {
      const used = connFeed(c, chunk, off, chunk.length - off, msg);
      off += used;
      if (c.out === ConnOut.Request) {
        const proto = Buffer.from("chat");
        const n = connAccept(c, proto, 0, proto.length, out, out.length);
        trace.push(
          `accept ${Buffer.from(out.subarray(0, n)).toString("latin1").includes("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")}`,
        );
        trace.push(`state ${c.state} actions ${c.actions}`);
      } else if (c.out === ConnOut.Message) {
        trace.push(`message ${Buffer.from(msg.subarray(0, c.msgLen)).toString()}`);
      } else if (c.out !== ConnOut.None) {
        trace.push(`out ${c.out} actions ${c.actions} state ${c.state}`);
      }
      if (off >= chunk.length || (used === 0 && c.out === ConnOut.None)) {
        break;
      }
    }
  }
  return trace;
}

describe("connection, server role", () => {
  const stream = Buffer.concat([
    Buffer.from(REQUEST, "latin1"),
    masked(0x81, Buffer.from("hello")),
    masked(0x88, Buffer.from([0x03, 0xe8])),
  ]);
  const whole = run([stream]);

  it("reads the request, accepts it, then reads masked frames and answers a Close by closing TCP", () => {
    expect(whole).toEqual([
      "accept true",
      `state ${ReadyState.Open} actions ${Action.NotifyOpen}`,
      "message hello",
      `out ${ConnOut.CloseReceived} actions ${Action.SendCloseReply | Action.Disconnect | Action.NotifyClosed} state ${ReadyState.Closed}`,
    ]);
  });

  it("gives the same trace for every split in two", () => {
    for (let i = 1; i < stream.length; i++) {
      expect(run([stream.subarray(0, i), stream.subarray(i)]), `split at ${i}`).toEqual(whole);
    }
  });

  it("fails an unmasked client frame with 1002 and closes TCP", () => {
    const c = new WsConn();
    connInitServer(c, 1024);
    const req = Buffer.from(REQUEST, "latin1");
    connFeed(c, req, 0, req.length, new Uint8Array(64));
    expect(connAccept(c, req, 0, 0, new Uint8Array(512), 512)).toBeGreaterThan(0);
    const bad = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    connFeed(c, bad, 0, bad.length, new Uint8Array(64));
    expect(c.out).toBe(ConnOut.ProtocolError);
    expect(c.failCode).toBe(1002);
    expect(c.actions).toBe(Action.SendCloseError | Action.NotifyError | Action.Disconnect | Action.NotifyClosed);
  });

  it("refuses to answer with a subprotocol the client did not offer", () => {
    const c = new WsConn();
    connInitServer(c, 1024);
    const req = Buffer.from(REQUEST, "latin1");
    connFeed(c, req, 0, req.length, new Uint8Array(64));
    const other = Buffer.from("graphql-ws");
    expect(connAccept(c, other, 0, other.length, new Uint8Array(512), 512)).toBe(
      -ServerHandshakeError.UnofferedProtocol,
    );
    expect(c.state).toBe(ReadyState.Connecting);
  });

  it("sends unmasked control frames and waits for the client's reply to its own Close", () => {
    const c = new WsConn();
    connInitServer(c, 1024);
    const req = Buffer.from(REQUEST, "latin1");
    connFeed(c, req, 0, req.length, new Uint8Array(64));
    connAccept(c, req, 0, 0, new Uint8Array(512), 512);
    const out = new Uint8Array(64);
    const key = new Uint8Array(4);
    let n = connEncodeClose(out, 0, 64, 1000, out, 0, 0, key, 0, true);
    expect(Buffer.from(out.subarray(0, n))).toEqual(Buffer.from([0x88, 0x02, 0x03, 0xe8]));
    expect(connApply(c, ConnEvent.UserClose)).toBe(Action.SendClose | Action.StartCloseTimer);
    const ping = masked(0x89, Buffer.from("p"));
    connFeed(c, ping, 0, ping.length, new Uint8Array(64));
    expect(c.out).toBe(ConnOut.Ping);
    n = connEncodePong(c, out, 0, 64, key, 0);
    expect(Buffer.from(out.subarray(0, n))).toEqual(Buffer.from([0x8a, 0x01, 0x70]));
    const reply = masked(0x88, Buffer.from([0x03, 0xe8]));
    connFeed(c, reply, 0, reply.length, new Uint8Array(64));
    expect(c.actions).toBe(Action.Disconnect | Action.NotifyClosed);
    n = connEncodeCloseReply(c, out, 0, 64, key, 0);
    expect(out[1]).toBe(0x02);
  });

  it("answers refusals with their status", () => {
    const out = new Uint8Array(256);
    for (const [status, line] of [
      [403, "HTTP/1.1 403 Forbidden\r\n"],
      [503, "HTTP/1.1 503 Service Unavailable\r\n"],
    ] as const) {
      const n = serverHandshakeBuildStatus(status, out, out.length);
      const text = Buffer.from(out.subarray(0, n)).toString("latin1");
      expect(text.startsWith(line)).toBe(true);
      expect(text.endsWith("Connection: close\r\nContent-Length: 0\r\n\r\n")).toBe(true);
    }
  });
});
