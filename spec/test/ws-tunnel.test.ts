/**
 * wss:// through a TLS tunnel (spec/core/tunnel.ts): stunnel in client mode,
 * verifying the server's certificate against a test CA, listens on loopback
 * in plain TCP; the harness (like the plugin) connects there and speaks the
 * WebSocket protocol with the URL's Host. The servers are a real `ws` server
 * and a real socket.io 4.x server behind https with the test certificate
 * (fixtures/tls). stunnel comes from Debian's stunnel4 package (.ci/run
 * installs it); without it these tests are skipped with the reason.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { Server } from "socket.io";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { SioClient } from "../harness/sioClient.js";
import { WsClient, type WsClientError } from "../harness/wsClient.js";
import { skipWithReason } from "../../generator/test/skip.js";
import { STUNNEL_MISSING, startTunnel as start, TLS_FIXTURES as TLS_DIR, type Tunnel } from "./helpers/stunnel.js";

let server: https.Server;
let httpsPort = 0;
/** WebSocket upgrades the https server has received. */
let upgrades = 0;
const tunnels: Tunnel[] = [];

/** Starts a tunnel to the https server trusting only `caFile`; returns its plain port. */
async function startTunnel(caFile: string): Promise<number> {
  const t = await start(httpsPort, caFile);
  tunnels.push(t);
  return t.port;
}

beforeAll(async () => {
  if (STUNNEL_MISSING !== null) return;
  server = https.createServer({
    key: readFileSync(path.join(TLS_DIR, "key.pem")),
    cert: readFileSync(path.join(TLS_DIR, "cert.pem")),
  });
  const wss = new WebSocketServer({ noServer: true });
  const io = new Server(server, { transports: ["websocket"], pingInterval: 300, pingTimeout: 300 });
  io.of("/match").on("connection", (sock) => {
    sock.emit("welcome", sock.handshake.auth, sock.handshake.headers.host);
    sock.on("score", (a: number, b: number, ack: (x: unknown) => void) => ack({ total: a + b }));
  });
  // Plain WebSocket on /echo, Socket.IO on /socket.io/.
  server.on("upgrade", (req, socket, head) => {
    upgrades++;
    if (req.url?.startsWith("/echo")) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(`host=${req.headers.host}`);
        ws.on("message", (d, isBinary) => ws.send(d as Buffer, { binary: isBinary }));
      });
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  httpsPort = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const t of tunnels) t.stop();
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
});

const title = "wss:// through a TLS tunnel (stunnel, certificate verification on)";
if (STUNNEL_MISSING !== null) {
  skipWithReason(import.meta.url, title, STUNNEL_MISSING);
}

describe.runIf(STUNNEL_MISSING === null)(title, () => {
  it("echoes binary data; the server sees the URL's Host, not the tunnel's", async () => {
    const tunnel = await startTunnel(path.join(TLS_DIR, "cert.pem"));
    const c = WsClient.connect({
      url: `wss://localhost:${httpsPort}/echo`,
      tlsTunnels: `localhost:${httpsPort}=127.0.0.1:${tunnel}`,
    });
    const got: Array<[string, Buffer]> = [];
    const two = new Promise<void>((r) =>
      c.on("message", (type: string, data: Buffer) => {
        got.push([type, data]);
        if (got.length === 2) r();
      }),
    );
    const payload = randomBytes(70000);
    c.send("binary", payload);
    await two;
    expect(got[0][1].toString()).toBe(`host=localhost:${httpsPort}`);
    expect(got[1][0]).toBe("binary");
    expect(got[1][1].equals(payload)).toBe(true);
    const closed = new Promise<[number, boolean]>((r) =>
      c.on("close", (code: number, _reason: string, clean: boolean) => r([code, clean])),
    );
    c.close(1000, "bye");
    expect(await closed).toEqual([1000, true]);
  });

  it("runs a Socket.IO session (auth, event, ack, heartbeats) through the tunnel", async () => {
    const tunnel = await startTunnel(path.join(TLS_DIR, "cert.pem"));
    const c = new SioClient({
      url: `https://localhost:${httpsPort}`,
      tlsTunnels: `localhost:${httpsPort}=127.0.0.1:${tunnel}`,
      nsp: "/match",
      auth: '{"token":"t1"}',
      reconnection: false,
    });
    c.on("error", () => {});
    const welcome = new Promise<[string, string]>((r) =>
      c.on("event", (_nsp: string, name: string, args: string) => {
        if (name === "welcome") r(JSON.parse(args) as [string, string]);
      }),
    );
    expect(await welcome).toEqual([{ token: "t1" }, `localhost:${httpsPort}`]);
    const ack = await new Promise<string>((r) => c.send("score", "2,3", r));
    expect(JSON.parse(ack)).toEqual([{ total: 5 }]);
    let pings = 0;
    c.io.on("ping", () => pings++);
    await new Promise((r) => setTimeout(r, 1000));
    expect(pings).toBeGreaterThanOrEqual(2);
    c.close();
  });

  it("never reaches a server whose certificate the tunnel does not trust: the client sees the drop", async () => {
    const tunnel = await startTunnel(path.join(TLS_DIR, "other-ca.pem"));
    const before = upgrades;
    const c = WsClient.connect({
      url: `wss://localhost:${httpsPort}/echo`,
      tlsTunnels: `localhost:${httpsPort}=127.0.0.1:${tunnel}`,
    });
    const errors: WsClientError[] = [];
    c.on("error", (e: WsClientError) => errors.push(e));
    let opened = false;
    c.on("open", () => (opened = true));
    const code = await new Promise<number>((r) => c.on("close", (cc: number) => r(cc)));
    expect(opened).toBe(false);
    expect(code).toBe(1006);
    // stunnel closes or resets the plain side when verification fails.
    expect(errors.length).toBeGreaterThan(0);
    expect(["EDROP", "ESOCKET"]).toContain(errors[0].code);
    expect(upgrades).toBe(before);
  });

  it("refuses to connect at all when the tunnel table is malformed (no plain-text fallback)", async () => {
    let accepted = 0;
    const trap = net.createServer((s) => {
      accepted++;
      s.destroy();
    });
    await new Promise<void>((r) => trap.listen(0, "127.0.0.1", () => r()));
    const c = WsClient.connect({
      url: `wss://localhost:${httpsPort}/echo`,
      tlsTunnels: `localhost:${httpsPort}=127.0.0.1`,
    });
    const err = await new Promise<WsClientError>((r) => c.on("error", r));
    expect(err.code).toBe("ETUNNEL");
    await new Promise((r) => setTimeout(r, 100));
    expect(accepted).toBe(0);
    await new Promise<void>((r) => trap.close(() => r()));
  });
});
