/**
 * A development backend for game servers running the websocket plugin:
 *
 * - a Socket.IO 4.x server (any namespace) that logs every event a game
 *   server emits, acknowledges the events that ask for it, and sends events
 *   back from console commands (`emit <event> <json args>`);
 * - a plain WebSocket echo endpoint (default path /echo) for ws:// tests of
 *   Websocket_Connect: every message comes back with its type and bytes.
 *
 * Usage (after `npm run build`):
 *   node dist/scripts/dev-server.js [--port 3000] [--host 127.0.0.1] [--path /socket.io/]
 *                                   [--echo-path /echo] [--token secret]
 *                                   [--ping-interval 25000] [--ping-timeout 20000]
 * It listens on loopback unless `--host` names another address (`--host 0.0.0.0`
 * or `--host ::` for every interface), and logs the address it actually bound.
 * Console commands: emit, ack, clients, disconnect, help, quit (type `help`).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import readline from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Server, type Socket } from "socket.io";
import { WebSocketServer, type RawData, type WebSocket } from "ws";

export interface DevServerOptions {
  /** TCP port; 0 picks a free one. */
  port?: number;
  /** Address to bind (default DEFAULT_HOST, loopback only); `0.0.0.0` or `::` listen on every interface. */
  host?: string;
  /** Engine.IO path (socket.io's `path` option). */
  path?: string;
  /** Path of the WebSocket echo endpoint. */
  echoPath?: string;
  /** When set, clients must send CONNECT auth {"token": <token>} or get a CONNECT_ERROR. */
  token?: string;
  pingInterval?: number;
  pingTimeout?: number;
  /** Where log lines go (default: stdout with a time stamp). */
  log?: (line: string) => void;
}

export interface DevServer {
  /** The port actually bound (from server.address()). */
  readonly port: number;
  /** The address actually bound (from server.address()), e.g. `127.0.0.1`, `::1`, `0.0.0.0`. */
  readonly address: string;
  /** `http://<address>:<port>` of the bound socket (IPv6 addresses in brackets). */
  readonly url: string;
  readonly io: Server;
  /** Runs one console command line; returns what it printed. */
  command(line: string): Promise<string[]>;
  close(): Promise<void>;
}

/** The address the server binds when no host is given: loopback, so the dev server is not reachable from the network. */
export const DEFAULT_HOST = "127.0.0.1";

/** True for the wildcard addresses that bind every interface. */
function isWildcard(address: string): boolean {
  return address === "0.0.0.0" || address === "::";
}

/** Parses `a, {"b":1}` (zero or more comma-separated JSON values) into a list; throws on bad JSON. */
export function parseArgsJson(text: string): unknown[] {
  const t = text.trim();
  if (t === "") return [];
  const v: unknown = JSON.parse(`[${t}]`);
  return v as unknown[];
}

function json(values: unknown[]): string {
  return JSON.stringify(values);
}

const HELP = [
  "commands:",
  '  emit <event> [json, ...]   emit to every connected socket, e.g. emit announce "hello"',
  "  ack <event> [json, ...]    emit asking for an acknowledgement; prints the answers",
  "  clients                    list connected sockets",
  "  disconnect [socket id]     disconnect one socket (or all) from the server side",
  "  help                       this text",
  "  quit                       stop the server",
];

/** Starts the server; resolves once it listens. */
export async function startDevServer(opts: DevServerOptions = {}): Promise<DevServer> {
  const log =
    opts.log ??
    ((line: string): void => {
      process.stdout.write(`[${new Date().toISOString().slice(11, 23)}] ${line}\n`);
    });
  const echoPath = opts.echoPath ?? "/echo";
  const httpServer = http.createServer((req, res) => {
    res.writeHead(404, { "content-type": "text/plain" });
    res.end("spgen dev server: Socket.IO and a WebSocket echo endpoint only\n");
  });
  const io = new Server(httpServer, {
    path: opts.path ?? "/socket.io/",
    pingInterval: opts.pingInterval ?? 25000,
    pingTimeout: opts.pingTimeout ?? 20000,
    // Leave other upgrade requests (the echo endpoint) alone instead of destroying them.
    destroyUpgrade: false,
    // The websocket plugin speaks the websocket transport only; polling stays on for browsers.
    transports: ["polling", "websocket"],
  });

  // The main namespace always exists, so the dynamic one (any other name) does not cover it.
  for (const nsp of [io.of("/"), io.of(/^\/.+$/)]) {
    if (opts.token !== undefined) {
      const token = opts.token;
      nsp.use((socket, next) => {
        const auth = socket.handshake.auth as { token?: unknown };
        if (auth.token === token) {
          next();
        } else {
          log(`${socket.nsp.name} refused ${socket.id}: bad or missing auth token`);
          next(new Error("Not authorized"));
        }
      });
    }
    nsp.on("connection", (socket: Socket) => {
      const who = `${socket.nsp.name} ${socket.id}`;
      log(`${who} connected from ${socket.handshake.address} auth=${JSON.stringify(socket.handshake.auth)}`);
      socket.onAny((event: string, ...args: unknown[]) => {
        const last = args[args.length - 1];
        const ack = typeof last === "function" ? (last as (...a: unknown[]) => void) : null;
        const values = ack ? args.slice(0, -1) : args;
        log(`${who} event ${event} ${json(values)}${ack ? " (ack requested)" : ""}`);
        if (ack) {
          ack({ ok: true, event });
        }
      });
      socket.on("disconnect", (reason: string) => log(`${who} disconnected (${reason})`));
    });
  }

  const echo = new WebSocketServer({ noServer: true });
  echo.on("connection", (ws: WebSocket, req: http.IncomingMessage) => {
    const who = `echo ${req.socket.remoteAddress}:${req.socket.remotePort}`;
    log(`${who} connected${ws.protocol ? ` (protocol ${ws.protocol})` : ""}`);
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      log(`${who} ${isBinary ? "binary" : "text"} message of ${bytes.length} bytes`);
      ws.send(bytes, { binary: isBinary });
    });
    ws.on("close", (code: number, reason: Buffer) =>
      log(`${who} closed (${code}${reason.length ? ` ${reason}` : ""})`),
    );
    ws.on("error", (err: Error) => log(`${who} error: ${err.message}`));
  });
  httpServer.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.pathname === echoPath) {
      echo.handleUpgrade(req, socket, head, (ws) => echo.emit("connection", ws, req));
    } else if (!url.pathname.startsWith(opts.path ?? "/socket.io/")) {
      socket.destroy();
    }
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(opts.port ?? 3000, opts.host ?? DEFAULT_HOST, () => resolve());
  });
  // What the socket is bound to, not what was asked for: a name such as `localhost` resolves to one address.
  const bound = httpServer.address() as AddressInfo;
  const port = bound.port;
  const address = bound.address;
  const url = `http://${bound.family === "IPv6" ? `[${address}]` : address}:${port}`;

  function sockets(): Socket[] {
    const all: Socket[] = [];
    for (const nsp of io._nsps.values()) {
      for (const s of nsp.sockets.values()) all.push(s);
    }
    return all;
  }

  async function command(line: string): Promise<string[]> {
    const out: string[] = [];
    const print = (s: string): void => {
      out.push(s);
      log(s);
    };
    const m = /^\s*(\S+)\s*(\S*)\s*([\s\S]*)$/.exec(line);
    if (!m || m[1] === "") return out;
    const [, cmd, arg, rest] = m;
    switch (cmd) {
      case "emit":
      case "ack": {
        if (arg === "") {
          print(`usage: ${cmd} <event> [json, ...]`);
          break;
        }
        let values: unknown[];
        try {
          values = parseArgsJson(rest);
        } catch (e) {
          print(`not JSON: ${(e as Error).message}`);
          break;
        }
        const targets = sockets();
        if (targets.length === 0) {
          print("no connected sockets");
          break;
        }
        for (const s of targets) {
          if (cmd === "emit") {
            s.emit(arg, ...values);
            print(`${s.nsp.name} ${s.id} <- ${arg} ${json(values)}`);
          } else {
            print(`${s.nsp.name} ${s.id} <- ${arg} ${json(values)} (waiting for ack)`);
            try {
              const answer: unknown = await s.timeout(5000).emitWithAck(arg, ...values);
              print(`${s.nsp.name} ${s.id} ack ${arg} ${json([answer])}`);
            } catch {
              print(`${s.nsp.name} ${s.id} no ack for ${arg} within 5 s`);
            }
          }
        }
        break;
      }
      case "clients": {
        const all = sockets();
        if (all.length === 0) print("no connected sockets");
        for (const s of all) print(`${s.nsp.name} ${s.id} ${s.handshake.address} (${s.conn.transport.name})`);
        for (const c of echo.clients) print(`echo client (readyState ${c.readyState})`);
        break;
      }
      case "disconnect": {
        const all = sockets().filter((s) => arg === "" || s.id === arg);
        if (all.length === 0) print(arg === "" ? "no connected sockets" : `no socket ${arg}`);
        for (const s of all) {
          s.disconnect(true);
          print(`${s.nsp.name} ${s.id} disconnected by the server`);
        }
        break;
      }
      case "help":
        for (const h of HELP) print(h);
        break;
      default:
        print(`unknown command ${cmd} (type help)`);
    }
    return out;
  }

  async function close(): Promise<void> {
    for (const c of echo.clients) c.terminate();
    await new Promise<void>((r) => echo.close(() => r()));
    await new Promise<void>((r) => io.close(() => r()));
  }

  log(`listening on ${url}${isWildcard(address) ? " (every interface: reachable from the network)" : ""}`);
  log(
    `Socket.IO on ${url}${opts.path ?? "/socket.io/"} (any namespace${opts.token !== undefined ? ", auth token required" : ""})`,
  );
  log(`WebSocket echo on ${url.replace("http", "ws")}${echoPath}`);
  return { port, address, url, io, command, close };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "3000" },
      host: { type: "string", default: DEFAULT_HOST },
      path: { type: "string", default: "/socket.io/" },
      "echo-path": { type: "string", default: "/echo" },
      token: { type: "string" },
      "ping-interval": { type: "string", default: "25000" },
      "ping-timeout": { type: "string", default: "20000" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      "usage: node dist/scripts/dev-server.js [--port 3000] [--host 127.0.0.1] [--path /socket.io/] " +
        "[--echo-path /echo] [--token secret] [--ping-interval 25000] [--ping-timeout 20000]\n" +
        "  --host: the address to listen on (loopback by default; 0.0.0.0 or :: for every interface)\n" +
        `${HELP.join("\n")}\n`,
    );
    return;
  }
  const int = (name: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    }
    return n;
  };
  const server = await startDevServer({
    port: int("port", values.port),
    host: values.host,
    path: values.path,
    echoPath: values["echo-path"],
    token: values.token,
    pingInterval: int("ping-interval", values["ping-interval"]),
    pingTimeout: int("ping-timeout", values["ping-timeout"]),
  });
  const rl = readline.createInterface({ input: process.stdin, terminal: false });
  let closing = false;
  const stop = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    rl.close();
    await server.close();
    process.exit(0);
  };
  rl.on("line", (line) => {
    if (line.trim() === "quit" || line.trim() === "exit") {
      void stop();
      return;
    }
    void server.command(line);
  });
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`dev-server: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
