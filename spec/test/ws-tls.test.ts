/**
 * wss:// through the harness: the same core over TLS, against a real `ws`
 * server behind an https server with a self-signed certificate (fixtures/tls).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { WsClient, type WsClientError } from "../harness/wsClient.js";

const TLS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/tls");
let server: https.Server;
let wss: WebSocketServer;
let port = 0;

beforeAll(async () => {
  server = https.createServer({
    key: readFileSync(path.join(TLS_DIR, "key.pem")),
    cert: readFileSync(path.join(TLS_DIR, "cert.pem")),
  });
  wss = new WebSocketServer({ server });
  wss.on("connection", (ws, req) => {
    ws.send(`host=${req.headers.host}`);
    ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
  await new Promise<void>((r) => server.close(() => r()));
});

function messages(c: WsClient, n: number): Promise<Array<[string, Buffer]>> {
  const got: Array<[string, Buffer]> = [];
  return new Promise((resolve) =>
    c.on("message", (type: string, data: Buffer) => {
      got.push([type, data]);
      if (got.length === n) resolve(got);
    }),
  );
}

describe("wss:// over TLS", () => {
  it("opens, sends Host with the port, and echoes binary data", async () => {
    const c = WsClient.connect({ url: `wss://127.0.0.1:${port}/secure`, rejectUnauthorized: false });
    const got = messages(c, 2);
    const payload = randomBytes(70000);
    c.send("binary", payload);
    const [[, host], [type, echo]] = await got;
    expect(host.toString()).toBe(`host=127.0.0.1:${port}`);
    expect(type).toBe("binary");
    expect(echo.equals(payload)).toBe(true);
    const closed = new Promise<[number, boolean]>((r) =>
      c.once("close", (code: number, _reason: string, clean: boolean) => r([code, clean])),
    );
    c.close(1000, "done");
    expect(await closed).toEqual([1000, true]);
  });

  it("fails with a socket error when the certificate is not trusted", async () => {
    const c = WsClient.connect({ url: `wss://127.0.0.1:${port}/` });
    const closed = new Promise<number>((r) => c.once("close", (code: number) => r(code)));
    const [err] = await new Promise<[WsClientError]>((r) => c.once("error", (e: WsClientError) => r([e])));
    expect(err.code).toBe("ESOCKET");
    expect(err.message).toMatch(/self[- ]signed|certificate/i);
    expect(await closed).toBe(1006);
  });
});
