/**
 * The real peers of the end-to-end group, on 127.0.0.1 with ephemeral ports: a `ws` 8
 * WebSocketServer and a `socket.io` 4.8 Server, recording what they receive so that a test
 * can compare it with what the consumer plugin sent.
 *
 * Connections are told apart by the consumer's tag: `?tag=N` in a WebSocket URL, `"tag": N`
 * in a Socket.IO auth payload.
 */

import http from "node:http";
import type { AddressInfo } from "node:net";
import { crc32 } from "node:zlib";
import { Server as SioServer, type Socket as SioSocket } from "socket.io";
import { WebSocketServer, type WebSocket } from "ws";

/** Resolves when `cond()` holds, polling every few ms; rejects after `timeoutMs` naming `what`. */
export async function until(cond: () => boolean, timeoutMs: number, what: string | (() => string)): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms: ${typeof what === "string" ? what : what()}`);
    }
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** CRC-32 as the consumer prints it: 8 lowercase hex digits. */
export function crcHex(data: Buffer): string {
  return (crc32(data) >>> 0).toString(16).padStart(8, "0");
}

/** Hex as the consumer prints and reads it ("-" for empty). */
export function hex(data: Buffer | string): string {
  const b = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  return b.length === 0 ? "-" : b.toString("hex");
}

/** What one WebSocket connection of the `ws` server has seen. */
export class PeerConn {
  readonly messages: { data: Buffer; binary: boolean }[] = [];
  readonly pings: Buffer[] = [];
  readonly pongs: Buffer[] = [];
  closed: { code: number; reason: string } | null = null;
  /** The next message index `next()` returns. */
  private read = 0;

  constructor(
    readonly ws: WebSocket,
    readonly tag: number,
    readonly path: string,
  ) {
    ws.on("message", (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      this.messages.push({ data: buf, binary: isBinary });
    });
    ws.on("ping", (d: Buffer) => this.pings.push(d));
    ws.on("pong", (d: Buffer) => this.pongs.push(d));
    ws.on("close", (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString("utf8") };
    });
  }

  /** The next message not yet returned by next(). */
  async next(timeoutMs: number): Promise<{ data: Buffer; binary: boolean }> {
    await until(() => this.messages.length > this.read, timeoutMs, `message #${this.read} from tag ${this.tag}`);
    return this.messages[this.read++];
  }

  /** Skips every message received so far. */
  drain(): void {
    this.read = this.messages.length;
  }

  async waitClose(timeoutMs: number): Promise<{ code: number; reason: string }> {
    await until(() => this.closed !== null, timeoutMs, `close of tag ${this.tag}`);
    return this.closed!;
  }
}

/** A `ws` server: /echo-like endpoints for any path, and /forbidden answering the upgrade with 403. */
export class WsPeer {
  readonly conns: PeerConn[] = [];

  private constructor(
    private readonly http: http.Server,
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {}

  /** `perMessageDeflate`: the server accepts permessage-deflate and compresses every message (threshold 0). */
  static async start(opts: { perMessageDeflate?: boolean } = {}): Promise<WsPeer> {
    const server = http.createServer((_req, res) => {
      res.writeHead(426).end();
    });
    const wss = new WebSocketServer({
      noServer: true,
      handleProtocols: (protocols) => protocols.values().next().value ?? false,
      maxPayload: 4 * 1024 * 1024,
      perMessageDeflate: opts.perMessageDeflate === true ? { threshold: 0 } : false,
    });
    const peer = await new Promise<WsPeer>((resolve) => {
      server.listen(0, "127.0.0.1", () => resolve(new WsPeer(server, wss, (server.address() as AddressInfo).port)));
    });
    server.on("upgrade", (req, socket, head) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (url.pathname === "/forbidden") {
        socket.end(
          "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nforbidden",
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        peer.conns.push(new PeerConn(ws, Number(url.searchParams.get("tag") ?? "0"), url.pathname));
      });
    });
    return peer;
  }

  url(tag: number, path = "/echo"): string {
    return `ws://127.0.0.1:${this.port}${path}?tag=${tag}`;
  }

  /** The newest connection of `tag` that arrived after `after` connections (wait for it). */
  async conn(tag: number, timeoutMs: number, after = 0): Promise<PeerConn> {
    const find = (): PeerConn | undefined =>
      this.conns
        .slice(after)
        .filter((c) => c.tag === tag)
        .pop();
    await until(() => find() !== undefined, timeoutMs, `a WebSocket connection with tag ${tag}`);
    return find()!;
  }

  async close(): Promise<void> {
    for (const c of this.conns) {
      c.ws.terminate();
    }
    this.wss.close();
    await new Promise<void>((r) => this.http.close(() => r()));
  }
}

/** What the Socket.IO servers saw, kept across restarts. */
export class SioRecord {
  /** Every namespace connection, in order. */
  readonly sockets: {
    tag: number;
    nsp: string;
    socket: SioSocket;
    auth: Record<string, unknown>;
    pongs: number;
    disconnect: string | null;
  }[] = [];
  /** Every event received, in order. */
  readonly events: { tag: number; event: string; args: unknown[] }[] = [];
  /** Middleware runs per tag (connection attempts to the guarded namespace). */
  readonly attempts = new Map<number, number>();

  /** The newest live (or any, when `live` is false) socket of `tag`. */
  socket(tag: number, live = true): SioRecord["sockets"][number] | undefined {
    return this.sockets.filter((s) => s.tag === tag && (!live || s.disconnect === null)).pop();
  }

  async waitSocket(tag: number, timeoutMs: number, after = 0): Promise<SioRecord["sockets"][number]> {
    const find = (): SioRecord["sockets"][number] | undefined =>
      this.sockets
        .slice(after)
        .filter((s) => s.tag === tag && s.disconnect === null)
        .pop();
    await until(() => find() !== undefined, timeoutMs, `a Socket.IO connection with tag ${tag}`);
    return find()!;
  }

  eventsOf(tag: number, event: string): unknown[][] {
    return this.events.filter((e) => e.tag === tag && e.event === event).map((e) => e.args);
  }
}

/** The token the guarded namespace /e2e accepts. */
export const SIO_TOKEN = "s3cret";

/**
 * A socket.io 4.8 server: namespace "/" (anyone) and "/e2e" (auth.token must be SIO_TOKEN,
 * else CONNECT_ERROR "Not authorized"). Every event is recorded; "question" is answered
 * through its ack with [{answer: q + "!"}, "ü"], "binq" with its own arguments (Buffers too).
 */
export class SioPeer {
  private constructor(
    private readonly http: http.Server,
    readonly io: SioServer,
    readonly port: number,
    readonly record: SioRecord,
  ) {}

  static async start(
    opts: {
      port?: number;
      pingInterval?: number;
      pingTimeout?: number;
      record?: SioRecord;
      /** socket.io's connectionStateRecovery (missed broadcasts replayed after a reconnect). */
      recovery?: boolean;
    } = {},
  ): Promise<SioPeer> {
    const record = opts.record ?? new SioRecord();
    const server = http.createServer();
    const io = new SioServer(server, {
      pingInterval: opts.pingInterval ?? 25_000,
      pingTimeout: opts.pingTimeout ?? 20_000,
      transports: ["websocket"],
      maxHttpBufferSize: 2_000_000,
      ...(opts.recovery ? { connectionStateRecovery: { maxDisconnectionDuration: 60_000 } } : {}),
    });
    const onConnection = (socket: SioSocket): void => {
      const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
      const entry = {
        tag: Number(auth.tag ?? 0),
        nsp: socket.nsp.name,
        socket,
        auth,
        pongs: 0,
        disconnect: null as string | null,
      };
      record.sockets.push(entry);
      socket.conn.on("packet", (p: { type: string }) => {
        if (p.type === "pong") {
          entry.pongs++;
        }
      });
      socket.onAny((event: string, ...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === "function" ? (args.pop() as (...a: unknown[]) => void) : null;
        record.events.push({ tag: entry.tag, event, args });
        if (event === "question" && ack !== null) {
          ack({ answer: `${String(args[0])}!` }, "ü");
        }
        if (event === "binq" && ack !== null) {
          // Answered with its own arguments, Buffers included (a BINARY_ACK).
          ack(...args);
        }
      });
      socket.on("disconnect", (reason: string) => {
        entry.disconnect = reason;
      });
    };
    io.of("/").on("connection", onConnection);
    const guarded = io.of("/e2e");
    guarded.use((socket, next) => {
      const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
      const tag = Number(auth.tag ?? 0);
      record.attempts.set(tag, (record.attempts.get(tag) ?? 0) + 1);
      if (auth.token === SIO_TOKEN) {
        next();
      } else {
        next(new Error("Not authorized"));
      }
    });
    guarded.on("connection", onConnection);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 0, "127.0.0.1", () => resolve());
    });
    return new SioPeer(server, io, (server.address() as AddressInfo).port, record);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops the server: every client is dropped (transport close), the port is freed. */
  async close(): Promise<void> {
    await new Promise<void>((r) => {
      void this.io.close(() => r());
    });
    if (this.http.listening) {
      await new Promise<void>((r) => this.http.close(() => r()));
    }
  }
}
