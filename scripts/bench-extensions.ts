/**
 * The socket extensions' pacing, measured in a real SourceMod (the end-to-end environment:
 * hl2sdk-mock srcds at 60 ticks/s, SourceMod 1.13, each socket extension in its own game
 * folder; see README "Toolchain"). For each extension, each run:
 *
 * - idle: the longest game frame over 3 s with no traffic (the frame figure's baseline);
 * - baseline: the socket extension alone (no websocket.smx in the path): a plain TCP server
 *   writes the bytes of N WebSocket frames of 40 bytes in N writes; time until a plugin's raw
 *   receive callback has counted them all;
 * - WebSocket: a `ws` server sends N text messages of 40 bytes at once; time until the
 *   consumer's receive callback has counted N (cut at --limit seconds: then what arrived);
 *   the longest game frame meanwhile (GetEngineTime between OnGameFrame calls, wall clock);
 * - Socket.IO: a socket.io 4.x server with pingInterval = pingTimeout = 300 ms emits E events
 *   at once after the client joins; pass when all E arrive and neither side dropped the
 *   connection (no "ping timeout").
 *
 * Prints the median of --runs runs per figure. Usage:
 *   npm run bench:extensions [-- --runs 3 --messages 20000 --events 2000 --limit 30]
 */

import { once } from "node:events";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import net, { type AddressInfo } from "node:net";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Server } from "socket.io";
import { WebSocketServer } from "ws";
import { EXTENSIONS, findSourceModEnv, type GameDir, type SocketExtension } from "../generator/toolchain/index.js";
import { compilePlugin, copyGameDir, Srcds } from "../generator/test/e2e/srcds.js";

/** The project root: the first folder above this script (run from dist/scripts/) with package.json and spec/core. */
function projectRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json")) || !existsSync(path.join(dir, "spec/core"))) {
    const up = path.dirname(dir);
    if (up === dir) {
      throw new Error("bench-extensions: cannot find the project root above this script");
    }
    dir = up;
  }
  return dir;
}

const ROOT = projectRoot();
const CONSUMER = path.join(ROOT, "scripts/bench/bench_consumer.sp");

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const RUNS = option("runs", 3);
const MESSAGES = option("messages", 20000);
const EVENTS = option("events", 2000);
const LIMIT_S = option("limit", 30);
const PAYLOAD = "x".repeat(40);

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

interface Done {
  got: number;
  seconds: number;
  maxFrameMs: number;
  finished: boolean;
}

/** Waits for "BENCH <what> done" or, after the limit, asks for "stopped"; returns the figures. */
async function measure(server: Srcds, what: string, from: number, limitS: number): Promise<Done> {
  const re = new RegExp(`^BENCH ${what} (done|stopped) got=(\\d+) seconds=([\\d.]+) maxframe_ms=([\\d.]+)`);
  let m;
  try {
    m = await server.waitFor(re, limitS * 1000, from);
  } catch {
    server.send("bench_stop");
    m = await server.waitFor(re, 10_000, from);
  }
  const g = m.groups as RegExpExecArray;
  return { got: Number(g[2]), seconds: Number(g[3]), maxFrameMs: Number(g[4]), finished: g[1] === "done" };
}

async function listen(server: net.Server | http.Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

/** The bytes of one unmasked text frame of PAYLOAD, as the ws server writes it. */
const FRAME = Buffer.concat([Buffer.from([0x81, PAYLOAD.length]), Buffer.from(PAYLOAD)]);

/** The longest game frame over 3 s with no traffic: what the machine itself does to frames. */
async function idleFrames(server: Srcds): Promise<Done> {
  const from = server.mark();
  server.send("bench_idle 3");
  return measure(server, "idle", from, 10);
}

async function baseline(server: Srcds): Promise<Done> {
  const tcp = net.createServer((s) => {
    for (let i = 0; i < MESSAGES; i++) s.write(FRAME);
  });
  const port = await listen(tcp);
  const from = server.mark();
  server.send(`bench_raw ${port} ${MESSAGES * FRAME.length}`);
  const r = await measure(server, "raw", from, LIMIT_S);
  tcp.close();
  return r;
}

async function websocket(server: Srcds): Promise<Done> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(wss, "listening");
  wss.on("connection", (ws) => {
    for (let i = 0; i < MESSAGES; i++) ws.send(PAYLOAD);
  });
  const from = server.mark();
  server.send(`bench_ws ws://127.0.0.1:${(wss.address() as AddressInfo).port} ${MESSAGES}`);
  const r = await measure(server, "ws", from, LIMIT_S);
  for (const c of wss.clients) c.terminate();
  wss.close();
  return r;
}

async function socketio(server: Srcds): Promise<{ pass: boolean; got: number; seconds: number; why: string }> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { transports: ["websocket"], pingInterval: 300, pingTimeout: 300 });
  const serverDrops: string[] = [];
  io.on("connection", (sock) => {
    sock.on("disconnect", (reason) => serverDrops.push(reason));
    sock.on("ready", () => {
      for (let i = 0; i < EVENTS; i++) sock.emit("burst", i);
    });
  });
  const port = await listen(httpServer);
  const from = server.mark();
  server.send(`bench_io http://127.0.0.1:${port} ${EVENTS}`);
  const r = await measure(server, "io", from, LIMIT_S);
  // Heartbeats after the burst: both sides must still be connected.
  await new Promise((res) => setTimeout(res, 1500));
  const clientDrops = server.since(from).filter((l) => l.startsWith("BENCH io disconnected"));
  const firstDrop = clientDrops[0]?.replace(/^BENCH io /, "") ?? "";
  const pass = r.finished && clientDrops.length === 0 && serverDrops.length === 0;
  const why = pass
    ? ""
    : clientDrops.length > 0
      ? `${firstDrop}, ${clientDrops.length} drops, the server saw ${serverDrops.length} (${serverDrops[0] ?? "-"})`
      : `${r.got} of ${EVENTS} events in ${LIMIT_S} s`;
  io.disconnectSockets(true);
  await new Promise<void>((res) => io.close(() => res()));
  return { pass, got: r.got, seconds: r.seconds, why };
}

/**
 * One server per measurement: the JoinedSenses extension runs one queued callback per frame for
 * all sockets, so what a cut measurement left queued would slow the next one down.
 */
async function withServer<T>(
  srcdsPath: string,
  game: GameDir,
  plugins: readonly string[],
  body: (server: Srcds) => Promise<T>,
): Promise<T> {
  const copy = copyGameDir(game);
  mkdirSync(copy.plugins, { recursive: true });
  for (const smx of plugins) {
    copyFileSync(smx, path.join(copy.plugins, path.basename(smx)));
  }
  const server = await Srcds.start(srcdsPath, copy, `bench-${game.extension}`);
  try {
    await server.waitFor(/bench_consumer/, 20_000).catch(() => undefined);
    return await body(server);
  } finally {
    await server.stop();
    copy.remove();
  }
}

async function bench(srcdsPath: string, game: GameDir): Promise<string[]> {
  const build = mkdtempSync(path.join(tmpdir(), `spgen-bench-${game.extension}-`));
  const include = path.join(ROOT, "out/scripting/include");
  const plugins = [path.join(build, "websocket.smx"), path.join(build, "bench_consumer.smx")];
  await compilePlugin(game, path.join(ROOT, "out/scripting/websocket.sp"), plugins[0], [include]);
  await compilePlugin(game, CONSUMER, plugins[1], [include], ["-E"]);
  try {
    const idle: Done[] = [];
    const raw: Done[] = [];
    const ws: Done[] = [];
    const io: Array<{ pass: boolean; got: number; seconds: number; why: string }> = [];
    for (let run = 0; run < RUNS; run++) {
      idle.push(await withServer(srcdsPath, game, plugins, idleFrames));
      raw.push(await withServer(srcdsPath, game, plugins, baseline));
      ws.push(await withServer(srcdsPath, game, plugins, websocket));
      io.push(await withServer(srcdsPath, game, plugins, socketio));
    }
    const rate = (d: Done): number => d.got / Math.max(d.seconds, 1e-3);
    const rawRate = median(raw.map((d) => d.got / FRAME.length / Math.max(d.seconds, 1e-3)));
    const finished = ws.filter((d) => d.finished).length;
    return [
      `${game.extension}: baseline, the extension alone (${MESSAGES} frames' bytes over plain TCP): ${rawRate.toFixed(0)} frames/s (median of ${RUNS}; ${raw
        .map((d) => `${d.seconds.toFixed(2)} s${d.finished ? "" : " cut"}`)
        .join(", ")})`,
      `${game.extension}: WebSocket, ${MESSAGES} messages of 40 B at once: ${median(ws.map(rate)).toFixed(0)} messages/s (median of ${RUNS}), ${finished}/${RUNS} complete within ${LIMIT_S} s (${ws
        .map((d) => `${d.got} in ${d.seconds.toFixed(2)} s`)
        .join(
          ", ",
        )}); longest game frame ${median(ws.map((d) => d.maxFrameMs)).toFixed(1)} ms (median; target <= 25 ms at 60 ticks/s; idle ${median(idle.map((d) => d.maxFrameMs)).toFixed(1)} ms)`,
      `${game.extension}: Socket.IO, ${EVENTS} events at once, heartbeat 300/300 ms: ${io.filter((r) => r.pass).length}/${RUNS} pass (${io
        .map((r) => (r.pass ? `${r.got} in ${r.seconds.toFixed(2)} s` : `FAIL: ${r.why}`))
        .join("; ")})`,
    ];
  } finally {
    rmSync(build, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const found = findSourceModEnv();
  if (!found.ok) {
    process.stderr.write(`bench-extensions: ${found.why}\n`);
    process.exit(2);
  }
  process.stdout.write(
    `bench-extensions: ${RUNS} runs per figure, ${MESSAGES} messages, ${EVENTS} events, cut at ${LIMIT_S} s\n`,
  );
  for (const ext of EXTENSIONS as readonly SocketExtension[]) {
    for (const line of await bench(found.env.srcds, found.env.games[ext])) {
      process.stdout.write(`${line}\n`);
    }
  }
}

await main();
