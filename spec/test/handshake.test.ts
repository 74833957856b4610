import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  HANDSHAKE_MAX_LINE,
  Handshake,
  HandshakeError,
  HandshakeState,
  handshakeBuildRequest,
  handshakeFeed,
  handshakeHeadersValid,
  handshakeInit,
} from "../core/handshake.js";
import { CONFIG_MAX_HANDSHAKE_RESPONSE } from "../core/config.js";
import { ParsedUrl, urlParse } from "../core/url.js";

const RFC_NONCE = Buffer.from("dGhlIHNhbXBsZSBub25jZQ==", "base64");

function start(protocols = "", h = new Handshake()): Handshake {
  const p = Buffer.from(protocols, "latin1");
  expect(handshakeInit(h, RFC_NONCE, 0, p, 0, p.length)).toBe(true);
  return h;
}

function text(a: Uint8Array, n: number): string {
  return Buffer.from(a.subarray(0, n)).toString("latin1");
}

function request(url: string, h = start(), origin = "", extra = ""): string {
  const u = new ParsedUrl();
  const b = Buffer.from(url);
  expect(urlParse(u, b, 0, b.length)).toBe(0);
  const out = new Uint8Array(4096);
  const o = Buffer.from(origin);
  const e = Buffer.from(extra);
  const n = handshakeBuildRequest(h, u, out, out.length, o, 0, o.length, e, 0, e.length);
  expect(n).toBeGreaterThan(0);
  return text(out, n);
}

const OK_RESPONSE =
  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

function feedAll(h: Handshake, response: string | Buffer, chunk = Infinity): number {
  const b = typeof response === "string" ? Buffer.from(response, "latin1") : response;
  let off = 0;
  while (off < b.length && h.state === HandshakeState.Pending) {
    off += handshakeFeed(h, b, off, Math.min(chunk, b.length - off));
  }
  return off;
}

describe("opening handshake", () => {
  it("derives the RFC 6455 example key and accept", () => {
    const h = start();
    expect(text(h.key, 24)).toBe("dGhlIHNhbXBsZSBub25jZQ==");
    expect(text(h.accept, 28)).toBe("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("derives accept like node:crypto for random nonces", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (nonce) => {
        const h = new Handshake();
        handshakeInit(h, nonce, 0, nonce, 0, 0);
        const key = Buffer.from(nonce).toString("base64");
        expect(text(h.key, 24)).toBe(key);
        expect(text(h.accept, 28)).toBe(
          createHash("sha1")
            .update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")
            .digest("base64"),
        );
      }),
      { numRuns: 500 },
    );
  });

  it("builds the request with every RFC 6455 §4.1 header", () => {
    const req = request(
      "ws://server.example.com/chat?x=1",
      start("chat, superchat"),
      "http://example.com",
      "Authorization: Bearer t\r\n",
    );
    expect(req).toBe(
      "GET /chat?x=1 HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: http://example.com\r\n" +
        "Sec-WebSocket-Protocol: chat, superchat\r\nAuthorization: Bearer t\r\n\r\n",
    );
  });

  it("puts the port in Host only when it is not the default", () => {
    expect(request("ws://h:80/")).toContain("Host: h\r\n");
    expect(request("wss://h:443/")).toContain("Host: h\r\n");
    expect(request("wss://h:80/")).toContain("Host: h:80\r\n");
    expect(request("ws://[::1]:8080/")).toContain("Host: [::1]:8080\r\n");
    expect(request("ws://[::1]/")).toContain("Host: [::1]\r\n");
  });

  it("refuses header injection and oversized requests", () => {
    for (const bad of ["X: a\r\nY", "X: a\nY: b\r\n", "X a\r\n", ": a\r\n", "X: a\rb\r\n", "X: \u0000\r\n", "X\r\n"]) {
      const e = Buffer.from(bad, "latin1");
      expect(handshakeHeadersValid(e, 0, e.length), JSON.stringify(bad)).toBe(false);
    }
    const good = Buffer.from("X-Token: abc def\r\nY: \r\n");
    expect(handshakeHeadersValid(good, 0, good.length)).toBe(true);
    const h = start();
    const u = new ParsedUrl();
    const b = Buffer.from("ws://h/");
    urlParse(u, b, 0, b.length);
    const out = new Uint8Array(100);
    const none = new Uint8Array(0);
    expect(handshakeBuildRequest(h, u, out, 100, none, 0, 0, none, 0, 0)).toBe(-HandshakeError.RequestTooLarge);
    const o = Buffer.from("http://a b");
    expect(handshakeBuildRequest(h, u, out, 100, o, 0, o.length, none, 0, 0)).toBe(-HandshakeError.BadRequestHeaders);
  });

  it("accepts the RFC response at every split and stops at the end of the header block", () => {
    const extra = Buffer.from([0x81, 0x02, 0x68, 0x69]);
    const stream = Buffer.concat([Buffer.from(OK_RESPONSE, "latin1"), extra]);
    for (let chunk = 1; chunk <= stream.length; chunk++) {
      const h = start();
      const used = feedAll(h, stream, chunk);
      expect(h.state).toBe(HandshakeState.Done);
      expect(used).toBe(OK_RESPONSE.length);
    }
  });

  it("accepts case-insensitive names and token lists", () => {
    const h = start();
    feedAll(
      h,
      "HTTP/1.1 101 OK\r\nupgrade:  WebSocket \r\nCONNECTION: keep-alive, upgrade\r\nsec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nX-Other: y\r\n\r\n",
    );
    expect(h.state).toBe(HandshakeState.Done);
  });

  it("records the chosen subprotocol when it was requested", () => {
    const h = start("chat, superchat");
    feedAll(h, OK_RESPONSE.replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: superchat\r\n\r\n"));
    expect(h.state).toBe(HandshakeState.Done);
    expect(text(h.protocol, h.protocolLen)).toBe("superchat");
  });

  it.each([
    ["HTTP/1.1 403 Forbidden\r\n\r\n", HandshakeError.StatusNot101, 403],
    ["HTTP/1.1 200 OK\r\nUpgrade: websocket\r\n\r\n", HandshakeError.StatusNot101, 200],
    ["HTTP/1.0 101\r\n" + OK_RESPONSE.slice(OK_RESPONSE.indexOf("\r\n") + 2), HandshakeError.None, 101],
    ["HTTP/2 101 X\r\n\r\n", HandshakeError.BadStatusLine, 0],
    ["FOO\r\n\r\n", HandshakeError.BadStatusLine, 0],
    ["HTTP/1.1 1O1 X\r\n\r\n", HandshakeError.BadStatusLine, 0],
    [OK_RESPONSE.replace("Upgrade: websocket\r\n", ""), HandshakeError.NoUpgrade, 101],
    [OK_RESPONSE.replace("Upgrade: websocket", "Upgrade: h2c"), HandshakeError.NoUpgrade, 101],
    [OK_RESPONSE.replace("Connection: Upgrade\r\n", ""), HandshakeError.NoConnection, 101],
    [OK_RESPONSE.replace("Connection: Upgrade", "Connection: close"), HandshakeError.NoConnection, 101],
    [
      OK_RESPONSE.replace("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "s3pPLMBiTxaQ9kYGzzhZRbK+xOA="),
      HandshakeError.BadAccept,
      101,
    ],
    [OK_RESPONSE.replace("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", ""), HandshakeError.BadAccept, 101],
    [
      OK_RESPONSE.replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
      HandshakeError.UnrequestedExtension,
      101,
    ],
    [
      OK_RESPONSE.replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: chat\r\n\r\n"),
      HandshakeError.UnrequestedProtocol,
      101,
    ],
    [OK_RESPONSE.replace("\r\n\r\n", "\r\nBroken header line\r\n\r\n"), HandshakeError.BadHeader, 101],
  ])("validates %j", (response, error, status) => {
    const h = start();
    feedAll(h, response);
    expect(h.error).toBe(error);
    expect(h.status).toBe(status);
    expect(h.state).toBe(error === HandshakeError.None ? HandshakeState.Done : HandshakeState.Failed);
  });

  it("refuses a protocol the client did not ask for, even when it asked for others", () => {
    const h = start("chat");
    feedAll(h, OK_RESPONSE.replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: superchat\r\n\r\n"));
    expect(h.error).toBe(HandshakeError.UnrequestedProtocol);
  });

  it("fails an oversized header block without consuming past the limit", () => {
    const h = start();
    const huge = "HTTP/1.1 101 OK\r\nX: " + "a".repeat(CONFIG_MAX_HANDSHAKE_RESPONSE);
    const used = feedAll(h, huge, 1000);
    expect(h.state).toBe(HandshakeState.Failed);
    expect(h.error).toBe(HandshakeError.TooLarge);
    expect(used).toBe(CONFIG_MAX_HANDSHAKE_RESPONSE);
  });

  it("accepts a valid 101 whose header block is larger than 16 KiB (long Set-Cookie lines), at every read size", () => {
    const cookies = Array.from({ length: 6 }, (_, i) => `Set-Cookie: lb${i}=${"c".repeat(4000)}; Path=/; HttpOnly\r\n`);
    const big = OK_RESPONSE.replace("\r\n\r\n", `\r\n${cookies.join("")}\r\n`);
    expect(big.length).toBeGreaterThan(16 * 1024);
    for (const chunk of [1, 7, 1000, 65536]) {
      const h = start();
      const used = feedAll(h, big + "\x81\x00", chunk);
      expect(h.error).toBe(HandshakeError.None);
      expect(h.state).toBe(HandshakeState.Done);
      expect(used).toBe(big.length);
    }
  });

  it("starts afresh when the same record is initialised again (the plugin reuses one per connection slot)", () => {
    const h = start();
    feedAll(h, OK_RESPONSE.slice(0, 40));
    expect(h.state).toBe(HandshakeState.Pending);
    const again = start(undefined, h);
    expect(again).toBe(h);
    feedAll(h, "HTTP/1.1 403 Forbidden\r\n\r\n");
    expect([h.state, h.error, h.status]).toEqual([HandshakeState.Failed, HandshakeError.StatusNot101, 403]);
    start(undefined, h);
    expect(feedAll(h, OK_RESPONSE)).toBe(OK_RESPONSE.length);
    expect([h.state, h.error]).toEqual([HandshakeState.Done, HandshakeError.None]);
  });

  it("refuses a header it reads (Sec-WebSocket-Accept, Upgrade, …) when its line is longer than it keeps", () => {
    const h = start();
    feedAll(h, OK_RESPONSE.replace("\r\n\r\n", `\r\nUpgrade: websocket${",x".repeat(HANDSHAKE_MAX_LINE)}\r\n\r\n`));
    expect(h.state).toBe(HandshakeState.Failed);
    expect(h.error).toBe(HandshakeError.BadHeader);
  });
});
