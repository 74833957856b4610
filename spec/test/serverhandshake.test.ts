/**
 * The server-role opening handshake (spec/core/serverhandshake.ts, RFC 6455
 * §4.2): requests as real clients send them, every split of the bytes, a table
 * of malformed requests with the status each must get, and a real `ws` client
 * (node_modules/ws) connecting to a TCP server that answers with the spec.
 */

import { createHash } from "node:crypto";
import net, { type AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { frameEncodeHeader, Opcode } from "../core/frame.js";
import { HandshakeState } from "../core/handshake.js";
import {
  SERVER_MAX_REQUEST,
  SERVER_MAX_TARGET,
  ServerHandshake,
  ServerHandshakeError,
  serverHandshakeBuildAccept,
  serverHandshakeBuildRefusal,
  serverHandshakeFeed,
  serverHandshakeInit,
} from "../core/serverhandshake.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const KEY = "dGhlIHNhbXBsZSBub25jZQ==";

function request(lines: readonly string[], requestLine = "GET /chat?room=1 HTTP/1.1"): string {
  return [requestLine, ...lines, "", ""].join("\r\n");
}

const GOOD = [
  "Host: server.example.com",
  "Upgrade: websocket",
  "Connection: Upgrade",
  `Sec-WebSocket-Key: ${KEY}`,
  "Origin: http://example.com",
  "Sec-WebSocket-Protocol: chat, superchat",
  "Sec-WebSocket-Version: 13",
];

/** Feeds `text` in pieces of the given sizes; returns the handshake and the bytes consumed. */
function feed(text: string | Uint8Array, pieces: readonly number[] = []): { h: ServerHandshake; used: number } {
  const data = typeof text === "string" ? enc.encode(text) : text;
  const h = new ServerHandshake();
  serverHandshakeInit(h);
  let off = 0;
  let used = 0;
  for (const n of [...pieces, data.length]) {
    const take = Math.min(n, data.length - off);
    used += serverHandshakeFeed(h, data, off, take);
    off += take;
    if (h.state !== HandshakeState.Pending || off >= data.length) {
      break;
    }
  }
  return { h, used };
}

function answer(h: ServerHandshake, protocol = ""): string {
  const out = new Uint8Array(1024);
  const p = enc.encode(protocol);
  const n = serverHandshakeBuildAccept(h, p, 0, p.length, out, out.length);
  return n < 0 ? `error ${-n}` : dec.decode(out.subarray(0, n));
}

function refusal(h: ServerHandshake): string {
  const out = new Uint8Array(256);
  const n = serverHandshakeBuildRefusal(h, out, out.length);
  return dec.decode(out.subarray(0, n));
}

describe("server handshake: valid requests", () => {
  it("accepts RFC 6455's sample request and answers with its sample accept value (§1.3)", () => {
    const text = request(GOOD);
    const { h, used } = feed(`${text}\x81\x85rest`);
    expect(h.state).toBe(HandshakeState.Done);
    expect(used).toBe(enc.encode(text).length);
    expect(dec.decode(h.target.subarray(0, h.targetLen))).toBe("/chat?room=1");
    expect(dec.decode(h.protocols.subarray(0, h.protocolsLen))).toBe("chat, superchat");
    expect(answer(h, "chat")).toBe(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Protocol: chat\r\n\r\n",
    );
    expect(answer(h)).not.toContain("Sec-WebSocket-Protocol");
    expect(answer(h, "Chat")).toBe(`error ${ServerHandshakeError.UnofferedProtocol}`);
    expect(answer(h, "chat, superchat")).toBe(`error ${ServerHandshakeError.UnofferedProtocol}`);
  });

  it("gives the same result for every split of the request into two or three pieces", () => {
    const text = request([...GOOD, "Cookie: a=1"]);
    for (let a = 0; a <= text.length; a += 3) {
      for (const b of [1, 7]) {
        const { h, used } = feed(text, [a, b]);
        expect(h.state, `split at ${a}+${b}`).toBe(HandshakeState.Done);
        expect(used).toBe(text.length);
        expect(h.protocolsLen).toBe(15);
      }
    }
  });

  it("reads header names and tokens case-insensitively, lists, repeated protocol headers, large unread headers", () => {
    const text = request([
      "HOST: a",
      "upgrade: WebSocket",
      "connection: keep-alive, UPGRADE",
      `sec-websocket-key:${KEY}   `,
      "SEC-WEBSOCKET-VERSION: 13",
      "Sec-WebSocket-Protocol: a",
      "Sec-WebSocket-Protocol: b",
      "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits",
      `Cookie: ${"x".repeat(12000)}`,
    ]);
    const { h } = feed(text);
    expect(h.state).toBe(HandshakeState.Done);
    expect(dec.decode(h.protocols.subarray(0, h.protocolsLen))).toBe("a, b");
    expect(answer(h, "b")).toContain("Sec-WebSocket-Protocol: b\r\n");
    // No extension is ever accepted.
    expect(answer(h, "b")).not.toContain("Extensions");
  });

  it("keeps a target of SERVER_MAX_TARGET bytes (sm-websocket's getPath[2000])", () => {
    const target = `/${"p".repeat(SERVER_MAX_TARGET - 1)}`;
    const { h } = feed(request(GOOD, `GET ${target} HTTP/1.1`));
    expect(h.state).toBe(HandshakeState.Done);
    expect(dec.decode(h.target.subarray(0, h.targetLen))).toBe(target);
  });
});

describe("server handshake: refusals", () => {
  const without = (name: string): string[] => GOOD.filter((l) => !l.startsWith(name));
  const rows: readonly [string, string, number, number][] = [
    ["POST", request(GOOD, "POST /chat HTTP/1.1"), ServerHandshakeError.NotGet, 400],
    ["lower-case get", request(GOOD, "get /chat HTTP/1.1"), ServerHandshakeError.NotGet, 400],
    ["HTTP/1.0", request(GOOD, "GET /chat HTTP/1.0"), ServerHandshakeError.OldHttp, 400],
    ["no version", request(GOOD, "GET /chat"), ServerHandshakeError.BadRequestLine, 400],
    ["two spaces", request(GOOD, "GET  /chat HTTP/1.1"), ServerHandshakeError.BadRequestLine, 400],
    ["space in target", request(GOOD, "GET /a b HTTP/1.1"), ServerHandshakeError.BadRequestLine, 400],
    ["garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", ServerHandshakeError.BadRequestLine, 400],
    [
      "target too long",
      request(GOOD, `GET /${"p".repeat(SERVER_MAX_TARGET)} HTTP/1.1`),
      ServerHandshakeError.TargetTooLong,
      414,
    ],
    [
      "request line longer than a line",
      request(GOOD, `GET /${"p".repeat(5000)} HTTP/1.1`),
      ServerHandshakeError.TargetTooLong,
      414,
    ],
    ["no Host", request(without("Host")), ServerHandshakeError.NoHost, 400],
    ["two Hosts", request([...GOOD, "Host: b"]), ServerHandshakeError.BadHeader, 400],
    ["no Upgrade", request(without("Upgrade")), ServerHandshakeError.NoUpgrade, 400],
    ["Upgrade: h2c", request([...without("Upgrade"), "Upgrade: h2c"]), ServerHandshakeError.NoUpgrade, 400],
    ["no Connection", request(without("Connection")), ServerHandshakeError.NoConnection, 400],
    ["no key", request(without("Sec-WebSocket-Key")), ServerHandshakeError.BadKey, 400],
    [
      "key of 12 bytes",
      request([...without("Sec-WebSocket-Key"), "Sec-WebSocket-Key: AAAAAAAAAAAAAAAA"]),
      ServerHandshakeError.BadKey,
      400,
    ],
    [
      "key not base64",
      request([...without("Sec-WebSocket-Key"), "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ!!"]),
      ServerHandshakeError.BadKey,
      400,
    ],
    ["two keys", request([...GOOD, `Sec-WebSocket-Key: ${KEY}`]), ServerHandshakeError.BadKey, 400],
    ["no version", request(without("Sec-WebSocket-Version")), ServerHandshakeError.BadVersion, 426],
    [
      "version 8",
      request([...without("Sec-WebSocket-Version"), "Sec-WebSocket-Version: 8"]),
      ServerHandshakeError.BadVersion,
      426,
    ],
    ["versions 13 and 8", request([...GOOD, "Sec-WebSocket-Version: 8"]), ServerHandshakeError.BadVersion, 426],
    ["header without colon", request([...GOOD, "Bogus"]), ServerHandshakeError.BadHeader, 400],
    ["space before colon", request([...GOOD, "Host : a"]), ServerHandshakeError.BadHeader, 400],
    [
      "protocols too long",
      request([...GOOD, `Sec-WebSocket-Protocol: ${"p".repeat(300)}`]),
      ServerHandshakeError.ProtocolsTooLong,
      431,
    ],
    [
      "header block too large",
      request([...GOOD, `Cookie: ${"c".repeat(SERVER_MAX_REQUEST)}`]),
      ServerHandshakeError.TooLarge,
      431,
    ],
  ];

  for (const [name, text, error, status] of rows) {
    it(`${name}: error ${error}, HTTP ${status}, for every split`, () => {
      for (const pieces of [[], [1], [Math.floor(text.length / 2)], [text.length - 3, 1]]) {
        const { h } = feed(text, pieces);
        expect(h.state, `${name} ${JSON.stringify(pieces)}`).toBe(HandshakeState.Failed);
        expect(h.error).toBe(error);
        expect(h.status).toBe(status);
      }
      const { h, used } = feed(text);
      if (error === ServerHandshakeError.TooLarge) {
        expect(used).toBe(SERVER_MAX_REQUEST);
      }
      const r = refusal(h);
      expect(r).toMatch(new RegExp(`^HTTP/1\\.1 ${status} [A-Za-z ]+\\r\\n`));
      expect(r).toContain("Connection: close\r\nContent-Length: 0\r\n\r\n");
      expect(r.includes("Sec-WebSocket-Version: 13\r\n")).toBe(status === 426);
    });
  }
});

describe("server handshake against a real ws client", () => {
  const servers: net.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  /** A TCP server whose handshake is the spec's; after a 101 it sends one text frame, unmasked (§5.1). */
  async function specServer(choose: (offered: string) => string): Promise<number> {
    const server = net.createServer((sock) => {
      const h = new ServerHandshake();
      serverHandshakeInit(h);
      sock.on("data", (chunk: Buffer) => {
        const data = new Uint8Array(chunk);
        serverHandshakeFeed(h, data, 0, data.length);
        if (h.state === HandshakeState.Failed) {
          sock.end(Buffer.from(refusal(h)));
        } else if (h.state === HandshakeState.Done) {
          const offered = dec.decode(h.protocols.subarray(0, h.protocolsLen));
          sock.write(answer(h, choose(offered)));
          const payload = enc.encode(`target=${dec.decode(h.target.subarray(0, h.targetLen))}`);
          const header = new Uint8Array(10);
          const n = frameEncodeHeader(header, 0, true, Opcode.Text, false, payload.length, new Uint8Array(4), 0);
          sock.write(Buffer.concat([header.subarray(0, n), payload]));
          h.state = -1;
        }
      });
      sock.on("error", () => {});
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
  }

  it("opens with the chosen subprotocol, checks our Sec-WebSocket-Accept, and reads an unmasked frame", async () => {
    const port = await specServer((offered) => offered.split(/,\s*/)[1]);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/game/events?id=7`, ["chat", "superchat"]);
    const message = await new Promise<string>((resolve, reject) => {
      ws.on("message", (d) => resolve(String(d)));
      ws.on("error", reject);
    });
    expect(ws.protocol).toBe("superchat");
    expect(message).toBe("target=/game/events?id=7");
    ws.terminate();
  });

  it("a client that speaks version 8 gets 426 Upgrade Required", async () => {
    const port = await specServer(() => "");
    const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { protocolVersion: 8 });
    const status = await new Promise<number>((resolve) => {
      ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      ws.on("error", () => {});
    });
    expect(status).toBe(426);
  });

  it("the accept value is base64(SHA-1(key + GUID)) for random keys, as node:crypto computes it", () => {
    for (let i = 0; i < 50; i++) {
      const key = Buffer.from(Array.from({ length: 16 }, () => Math.floor(Math.random() * 256))).toString("base64");
      const { h } = feed(
        request([...GOOD.filter((l) => !l.startsWith("Sec-WebSocket-Key")), `Sec-WebSocket-Key: ${key}`]),
      );
      const want = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      expect(answer(h)).toContain(`Sec-WebSocket-Accept: ${want}\r\n`);
    }
  });
});
