/**
 * The oracle against a real `ws` server on 127.0.0.1: the core, driven by the
 * Node harness, must interoperate with a strict, widely used implementation.
 */
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { WsClient, type WsClientError } from "../harness/wsClient.js";

interface Closed {
  code: number;
  reason: string;
  wasClean: boolean;
}

const servers: Array<{ close(cb?: () => void): void }> = [];
const clients: WsClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) {
    if (c.readyState !== 3) c.close();
  }
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function startServer(
  opts: ConstructorParameters<typeof WebSocketServer>[0] = {},
): Promise<{ wss: WebSocketServer; url: string }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, ...opts });
  servers.push({
    close: (cb) => {
      for (const c of wss.clients) c.terminate();
      wss.close(() => cb?.());
    },
  });
  await new Promise<void>((r) => wss.once("listening", () => r()));
  return { wss, url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}` };
}

function connect(url: string, extra: Partial<Parameters<typeof WsClient.connect>[0]> = {}): WsClient {
  const c = WsClient.connect({ url, ...extra });
  clients.push(c);
  return c;
}

function once<T extends unknown[]>(c: WsClient, event: string): Promise<T> {
  return new Promise((resolve) => c.once(event, (...args: unknown[]) => resolve(args as T)));
}

function closed(c: WsClient): Promise<Closed> {
  return new Promise((resolve) =>
    c.once("close", (code: number, reason: string, wasClean: boolean) => resolve({ code, reason, wasClean })),
  );
}

function randomUtf8(bytes: number): string {
  const alphabet = ["a", "Z", "0", " ", "é", "€", "😀", "\u0000", "\u07ff", "\uffff"];
  const parts: string[] = [];
  let n = 0;
  // Stop 4 bytes short (the longest character), then pad with ASCII to the exact size.
  while (n + 4 <= bytes) {
    const ch = alphabet[Math.floor(Math.random() * alphabet.length)];
    parts.push(ch);
    n += Buffer.byteLength(ch);
  }
  return parts.join("") + "x".repeat(bytes - n);
}

const SIZES = [0, 1, 125, 126, 65535, 65536, 1 << 20];

describe("against a real ws server", () => {
  it.each(SIZES)("echoes a binary message of %i bytes with NUL and 0xFF intact", async (size) => {
    const { wss, url } = await startServer({ maxPayload: 2 << 20 });
    wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary })));
    const c = connect(url);
    // Sent once OPEN: while CONNECTING, the session queues at most CONFIG_SEND_QUEUE_BYTES (see below).
    await once(c, "open");
    const payload = randomBytes(size);
    if (size > 2) {
      payload[0] = 0;
      payload[1] = 0xff;
    }
    c.send("binary", payload);
    const [type, data] = await once<[string, Buffer]>(c, "message");
    expect(type).toBe("binary");
    expect(data.length).toBe(size);
    expect(data.equals(payload)).toBe(true);
  });

  it.each(SIZES)("echoes a %i-byte message through a 16 KiB msg buffer (spilled as the plugin does)", async (size) => {
    const { wss, url } = await startServer({ maxPayload: 2 << 20 });
    wss.on("connection", (ws) => ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary })));
    const c = connect(url, { msgBuffer: 16384 });
    await once(c, "open");
    const payload = randomBytes(size);
    const text = randomUtf8(size);
    // Both echoes may arrive in one read: listen before sending.
    const got = new Promise<Array<[string, Buffer]>>((resolve) => {
      const all: Array<[string, Buffer]> = [];
      c.on("message", (type: string, data: Buffer) => {
        all.push([type, data]);
        if (all.length === 2) {
          resolve(all);
        }
      });
    });
    c.send("binary", payload);
    c.send("text", text);
    const [[type, data], [type2, data2]] = await got;
    expect(type).toBe("binary");
    expect(data.equals(payload)).toBe(true);
    expect(type2).toBe("text");
    expect(data2.toString("utf8")).toBe(text);
  });

  it("receives 16 messages of 1 MiB at once on 16 connections, each through a 16 KiB msg buffer", async () => {
    const { wss, url } = await startServer({ maxPayload: 2 << 20 });
    const payloads = Array.from({ length: 16 }, () => randomBytes(1 << 20));
    let n = 0;
    const sockets: WebSocket[] = [];
    wss.on("connection", (ws) => {
      sockets.push(ws);
      n++;
      if (n === 16) {
        sockets.forEach((s, i) => s.send(payloads[i], { binary: true }));
      }
    });
    const cs = payloads.map(() => connect(url, { msgBuffer: 16384 }));
    const got = await Promise.all(cs.map((c) => once<[string, Buffer]>(c, "message")));
    // Connections are accepted in the order they were made.
    got.forEach(([, data], i) => expect(data.equals(payloads[i])).toBe(true));
  });

  it.each(SIZES)("echoes a text message of %i UTF-8 bytes", async (size) => {
    const { wss, url } = await startServer({ maxPayload: 2 << 20 });
    let serverSawBinary: boolean | null = null;
    wss.on("connection", (ws) =>
      ws.on("message", (data, isBinary) => {
        serverSawBinary = isBinary;
        ws.send((data as Buffer).toString("utf8"));
      }),
    );
    const c = connect(url);
    await once(c, "open");
    const text = randomUtf8(size);
    c.send("text", text);
    const [type, data] = await once<[string, Buffer]>(c, "message");
    expect(serverSawBinary).toBe(false);
    expect(type).toBe("text");
    expect(data.toString("utf8")).toBe(text);
  });

  it("opens when the 101 response carries a header block of 24 KiB (long Set-Cookie lines from a proxy)", async () => {
    const { wss, url } = await startServer();
    wss.on("headers", (headers) => {
      for (let i = 0; i < 6; i++) headers.push(`Set-Cookie: lb${i}=${"c".repeat(4000)}; Path=/; HttpOnly`);
    });
    wss.on("connection", (ws) => ws.on("message", (d, isBinary) => ws.send(d, { binary: isBinary })));
    const c = connect(url);
    await once(c, "open");
    c.send("text", "after a large handshake");
    const [type, data] = await once<[string, Buffer]>(c, "message");
    expect([type, data.toString("utf8")]).toEqual(["text", "after a large handshake"]);
  });

  it("queues sends made while CONNECTING and flushes them in order on open", async () => {
    const { wss, url } = await startServer();
    const got: string[] = [];
    wss.on("connection", (ws) => ws.on("message", (d) => got.push(String(d))));
    const c = connect(url);
    expect(c.readyState).toBe(0);
    for (let i = 0; i < 20; i++) c.send("text", `m${i}`);
    await once(c, "open");
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it("refuses, while CONNECTING, a message beyond the send-queue budget (nothing dropped silently), and sends it once open", async () => {
    const { wss, url } = await startServer({ maxPayload: 2 << 20 });
    const got: number[] = [];
    wss.on("connection", (ws) => ws.on("message", (d) => got.push((d as Buffer).length)));
    const c = connect(url);
    // CONFIG_SEND_QUEUE_BYTES: 256 KiB of frames; a 65,536-byte payload takes a 65,550-byte frame.
    for (let i = 0; i < 3; i++) c.send("binary", randomBytes(65536));
    expect(() => c.send("binary", randomBytes(65536))).toThrow(
      expect.objectContaining({ code: "EQUEUE", detail: 65536 + 14 }),
    );
    // What still fits is queued after the refused one's place, in order.
    c.send("binary", randomBytes(100));
    await once(c, "open");
    c.send("binary", randomBytes(1 << 20));
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toEqual([65536, 65536, 65536, 100, 1 << 20]);
  });

  it("reassembles a fragmented message sent by the server, with a ping between fragments", async () => {
    const { wss, url } = await startServer();
    let pongPayload = null as Buffer | null;
    wss.on("connection", (ws: WebSocket) => {
      ws.on("pong", (d) => (pongPayload = d));
      ws.send("Hel", { fin: false });
      ws.ping(Buffer.from("between"));
      ws.send("lo, ", { fin: false });
      ws.send("world", { fin: true });
    });
    const c = connect(url);
    const [type, data] = await once<[string, Buffer]>(c, "message");
    expect(type).toBe("text");
    expect(data.toString()).toBe("Hello, world");
    await new Promise((r) => setTimeout(r, 50));
    expect(pongPayload?.toString()).toBe("between");
  });

  it("answers a server ping with a pong carrying the same payload (125 bytes)", async () => {
    const { wss, url } = await startServer();
    const payload = randomBytes(125);
    const pong = new Promise<Buffer>((resolve) =>
      wss.on("connection", (ws) => {
        ws.on("pong", resolve);
        ws.ping(payload);
      }),
    );
    const c = connect(url);
    const [ping] = await once<[Buffer]>(c, "ping");
    expect(ping.equals(payload)).toBe(true);
    expect((await pong).equals(payload)).toBe(true);
  });

  it("closes from the client side with code and reason, cleanly", async () => {
    const { wss, url } = await startServer();
    const serverClose = new Promise<[number, string]>((resolve) =>
      wss.on("connection", (ws) => ws.on("close", (code, reason) => resolve([code, reason.toString()]))),
    );
    const c = connect(url);
    await once(c, "open");
    const done = closed(c);
    c.close(4000, "match over");
    expect(c.readyState).toBe(2);
    expect(await serverClose).toEqual([4000, "match over"]);
    const result = await done;
    expect(result).toEqual({ code: 4000, reason: "match over", wasClean: true });
    expect(c.readyState).toBe(3);
    expect(() => c.send("text", "late")).toThrow(/not open/);
  });

  it("closes when the server initiates, echoing its code", async () => {
    const { wss, url } = await startServer();
    const serverClose = new Promise<number>((resolve) =>
      wss.on("connection", (ws) => {
        ws.on("close", (code) => resolve(code));
        setTimeout(() => ws.close(4001, "bye"), 20);
      }),
    );
    const c = connect(url);
    const result = await closed(c);
    expect(result).toEqual({ code: 4001, reason: "bye", wasClean: true });
    expect(await serverClose).toBe(4001);
  });

  it("reports 1006 when the server drops TCP without a close frame", async () => {
    const { wss, url } = await startServer();
    wss.on("connection", (ws) => setTimeout(() => ws.terminate(), 20));
    const c = connect(url);
    await once(c, "open");
    expect(await closed(c)).toEqual({ code: 1006, reason: "", wasClean: false });
  });

  it("with reconnect on: reconnects after a drop with the session's backoff, sends what was queued meanwhile, and stops at close()", async () => {
    const { wss, url } = await startServer();
    const got: string[] = [];
    let n = 0;
    wss.on("connection", (ws) => {
      ws.on("message", (d) => got.push(String(d)));
      if (++n === 1) setTimeout(() => ws.terminate(), 20);
    });
    const c = connect(url, { reconnect: { delayMs: 50, delayMaxMs: 100, jitterPermille: 0 } });
    const events: unknown[][] = [];
    c.on("close", (...a: unknown[]) => events.push(["close", ...a]));
    c.on("reconnect_attempt", (...a: unknown[]) => events.push(["reconnect_attempt", ...a]));
    await once(c, "open");
    await once(c, "reconnect_attempt");
    // Waiting to reconnect: queued, flushed on the next open.
    c.send("text", "while away");
    await once(c, "open");
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual(["while away"]);
    expect(n).toBe(2);
    const done = once<[number, string, boolean, boolean]>(c, "close");
    c.close(1000, "done");
    expect((await done)[3]).toBe(false);
    expect(events).toEqual([
      ["close", 1006, "", false, true],
      ["reconnect_attempt", 1, 50],
      // ws echoes the client's code and reason in its Close.
      ["close", 1000, "done", true, false],
    ]);
  });

  it("with reconnect on: close() while waiting to reconnect cancels the attempt and ends the session", async () => {
    const { wss, url } = await startServer();
    let n = 0;
    wss.on("connection", (ws) => {
      n++;
      setTimeout(() => ws.terminate(), 10);
    });
    const c = connect(url, { reconnect: { delayMs: 100, delayMaxMs: 100, jitterPermille: 0 } });
    const closes: boolean[] = [];
    c.on("close", (_code: number, _reason: string, _clean: boolean, willReconnect: boolean) =>
      closes.push(willReconnect),
    );
    await once(c, "reconnect_attempt");
    c.close();
    expect(closes).toEqual([true, false]);
    expect(() => c.send("text", "late")).toThrow(/not open/);
    await new Promise((r) => setTimeout(r, 250));
    expect([n, closes.length]).toEqual([1, 2]);
  });

  it("with reconnect on: no reconnect after the server closes with 1000", async () => {
    const { wss, url } = await startServer();
    let n = 0;
    wss.on("connection", (ws) => {
      n++;
      setTimeout(() => ws.close(1000, "bye"), 20);
    });
    const c = connect(url, { reconnect: { delayMs: 20, delayMaxMs: 40 } });
    let attempts = 0;
    c.on("reconnect_attempt", () => attempts++);
    const [code, reason, clean, willReconnect] = await once<[number, string, boolean, boolean]>(c, "close");
    expect([code, reason, clean, willReconnect]).toEqual([1000, "bye", true, false]);
    await new Promise((r) => setTimeout(r, 150));
    expect([attempts, n]).toEqual([0, 1]);
  });

  it("with keepalive on: pings the server every interval", async () => {
    const { wss, url } = await startServer();
    const pings: number[] = [];
    const t0 = performance.now();
    wss.on("connection", (ws) => ws.on("ping", () => pings.push(performance.now() - t0)));
    const c = connect(url, { keepaliveMs: 1000 });
    const pongs: Buffer[] = [];
    c.on("pong", (d: Buffer) => pongs.push(d));
    await new Promise((r) => setTimeout(r, 2300));
    expect(pings.length).toBe(2);
    expect(pings[0]).toBeGreaterThanOrEqual(1000);
    expect(pongs.length).toBe(2);
    expect(c.readyState).toBe(1);
    expect(() => connect(url, { keepaliveMs: 500 })).toThrow(/keepalive/);
  });

  it("negotiates a subprotocol and sends Origin and extra headers", async () => {
    const { wss, url } = await startServer({ handleProtocols: (set) => (set.has("v2.json") ? "v2.json" : false) });
    const req = new Promise<http.IncomingMessage>((resolve) => wss.on("connection", (_ws, r) => resolve(r)));
    const c = connect(url + "/game?id=7", {
      origin: "http://game.example",
      protocols: ["v1.json", "v2.json"],
      headers: { Authorization: "Bearer abc" },
    });
    await once(c, "open");
    expect(c.protocol).toBe("v2.json");
    const r = await req;
    expect(r.url).toBe("/game?id=7");
    expect(r.headers.origin).toBe("http://game.example");
    expect(r.headers.authorization).toBe("Bearer abc");
    expect(r.headers["sec-websocket-protocol"]).toBe("v1.json, v2.json");
    expect(r.headers.host).toBe(url.slice("ws://".length));
  });

  it("uses the separate path argument of the seed API", async () => {
    const { wss, url } = await startServer();
    const req = new Promise<http.IncomingMessage>((resolve) => wss.on("connection", (_ws, r) => resolve(r)));
    const c = connect(url + "/ignored", { path: "/socket.io/?EIO=4&transport=websocket" });
    await once(c, "open");
    expect((await req).url).toBe("/socket.io/?EIO=4&transport=websocket");
  });

  it("fails when the server refuses the upgrade, reporting the HTTP status", async () => {
    const server = http.createServer();
    server.on("upgrade", (_req, socket) => {
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    servers.push(server);
    const c = connect(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const done = closed(c);
    const [err] = await once<[WsClientError]>(c, "error");
    expect(err.code).toBe("EHANDSHAKE");
    expect(err.detail).toBe(403);
    expect(await done).toEqual({ code: 1006, reason: "", wasClean: false });
  });

  it("fails with a connect error when nothing listens", async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const c = connect(`ws://127.0.0.1:${port}/`);
    const done = closed(c);
    const [err] = await once<[WsClientError]>(c, "error");
    expect(err.code).toBe("ESOCKET");
    expect((await done).code).toBe(1006);
  });

  it("refuses a bad URL with a clear error and no connection", async () => {
    const c = connect("ftp://127.0.0.1/");
    const [err] = await once<[WsClientError]>(c, "error");
    expect(err.code).toBe("EURL");
    expect(err.message).toMatch(/unknown scheme/);
    expect(c.readyState).toBe(3);
  });
});
