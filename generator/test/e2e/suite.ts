/**
 * The end-to-end group: the generated websocket.smx and two consumer plugins
 * (fixtures/e2e_big.sp with `#define WEBSOCKET_RECEIVE_MAX 1048576`, fixtures/e2e_small.sp with
 * the defaults) loaded in a real SourceMod 1.13 (hl2sdk-mock srcds + Metamod:Source) with one
 * socket extension, talking to real `ws` and `socket.io` servers on 127.0.0.1.
 *
 * One srcds per extension runs every case in order (the test file of each extension calls
 * defineSourceModSuite, so vitest can run the two in parallel). The consumers print one line
 * per callback (see fixtures/e2e_consumer.inc); the tests type server commands on stdin and
 * judge those lines and what the servers received.
 *
 * Pacing: the JoinedSenses extension runs ONE queued socket callback per game frame (60/s),
 * and every network read is its own callback (≤ 16 KiB), so a 1 MiB message takes at least
 * 64 frames; timeouts are sized for that. The oldmagic extension runs every queued callback
 * each frame.
 */

import { readFileSync } from "node:fs";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { STUNNEL_MISSING, startTunnel, TLS_FIXTURES } from "../../../spec/test/helpers/stunnel.js";
import { crcHex, hex, sleep, SIO_TOKEN, SioPeer, SioRecord, until, WsPeer, PeerConn } from "./peers.js";
import { findSourceModEnv, type SocketExtension } from "../../toolchain/index.js";
import { skipWithReason } from "../skip.js";
import { blamed, compilePlugin, copyGameDir, exceptions, Srcds, type GameCopy } from "./srcds.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../../..");
const FIXTURES = path.join(HERE, "fixtures");
const OUT_SCRIPTING = path.join(ROOT, "out/scripting");

/** WebsocketError values (out/scripting/include/websocket.inc). */
const WsError = {
  Socket: 1,
  ConnectionLost: 5,
  HandshakeRejected: 6,
  Protocol: 9,
  Unsupported: 13,
  MessageTooLarge: 15,
} as const;

const MiB = 1024 * 1024;
const SIZES = [0, 125, 126, 65535, 65536, MiB] as const;

/** A deterministic generator, so that a failing payload can be made again. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `size` random bytes, the first NUL and the last 0xFF (when there is room). */
function binaryPayload(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  const r = prng(seed);
  for (let i = 0; i < size; i++) {
    b[i] = Math.floor(r() * 256);
  }
  if (size >= 1) {
    b[0] = 0x00;
  }
  if (size >= 2) {
    b[size - 1] = 0xff;
  }
  return b;
}

/** Valid UTF-8 of exactly `size` bytes: ASCII, NUL, and 2-, 3- and 4-byte characters. */
function textPayload(size: number, seed: number): Buffer {
  const r = prng(seed);
  const pieces = ["a", "Z", " ", "\u0000", "é", "ß", "€", "中", "😀", "𝄞"];
  const parts: Buffer[] = [];
  let n = 0;
  while (n < size) {
    let p = Buffer.from(pieces[Math.floor(r() * pieces.length)], "utf8");
    if (p.length > size - n) {
      p = Buffer.from("x");
    }
    parts.push(p);
    n += p.length;
  }
  return Buffer.concat(parts, size);
}

/** The bytes the consumer's `send` command makes (Pattern in e2e_consumer.inc). */
function consumerPattern(binary: boolean, size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) {
    b[i] = binary ? (i * 31 + seed * 7) & 0xff : 0x61 + ((i * 7 + seed) % 26);
  }
  return b;
}

/** A TCP port nobody listens on right now (the server consumers listen on it). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** Seconds with two decimals. */
function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}

export function defineSourceModSuite(extension: SocketExtension): void {
  const title = `real SourceMod 1.13, ${extension} socket extension`;
  const found = findSourceModEnv();
  if (!found.ok) {
    describe(title, () => skipWithReason(`sourcemod-${extension}.test.ts`, title, found.why));
    return;
  }
  const env = found.env;
  const game = env.games[extension];
  /** Big transfers wait this long at most (JoinedSenses: one read per frame). */
  const BIG_MS = 60_000;
  /** Everything else. */
  const STEP_MS = 15_000;

  describe(title, () => {
    let copy: GameCopy | null = null;
    let srv: Srcds;
    let wsPeer: WsPeer;
    let sio: SioPeer;
    const figures: string[] = [];
    let started = 0;
    let failed = false;
    /** The big consumer's connection with echo on (tag 1), and the default consumer's (tag 31). */
    let conn: PeerConn;
    let smallConn: PeerConn;

    const cmd = (plugin: "big" | "small" | "srv" | "srv2", ...args: (string | number)[]): void => {
      srv.send(`e2e_${plugin} ${args.join(" ")}`);
    };
    const line = async (pattern: string, from: number, timeoutMs = STEP_MS): Promise<RegExpExecArray> => {
      const r = await srv.waitFor(new RegExp(pattern), timeoutMs, from);
      return r.groups!;
    };
    /** Fails when a line matching `pattern` appeared at or after `from`. */
    const never = (pattern: string, from: number): void => {
      const rx = new RegExp(pattern);
      expect(srv.since(from).filter((l) => rx.test(l))).toEqual([]);
    };

    /** Opens a WebSocket connection of `plugin` with `tag` to the ws peer and waits for both ends. */
    const openWs = async (plugin: "big" | "small", tag: number, wsPath = "/echo"): Promise<PeerConn> => {
      const from = srv.mark();
      const before = wsPeer.conns.length;
      cmd(plugin, "ws", tag, hex(wsPeer.url(tag, wsPath)));
      await line(`^E2E ${plugin} open ${tag} `, from);
      return wsPeer.conn(tag, STEP_MS, before);
    };

    /** Connects a Socket.IO client of `plugin` with `tag`; waits for the consumer's connect callback. */
    const openIo = async (
      plugin: "big" | "small",
      tag: number,
      peer: SioPeer,
      nsp: string,
      auth: Record<string, unknown>,
      reconnectDelayMs = 200,
    ): Promise<void> => {
      const from = srv.mark();
      cmd(plugin, "io", tag, hex(peer.url), hex(nsp), hex(JSON.stringify({ ...auth, tag })), reconnectDelayMs);
      await line(`^E2E ${plugin} ioconnect ${tag} `, from);
    };

    beforeAll(async () => {
      started = Date.now();
      copy = copyGameDir(game);
      const includes = [path.join(OUT_SCRIPTING, "include"), FIXTURES];
      await Promise.all([
        compilePlugin(
          game,
          path.join(OUT_SCRIPTING, "websocket.sp"),
          path.join(copy.plugins, "websocket.smx"),
          includes,
        ),
        compilePlugin(game, path.join(FIXTURES, "e2e_big.sp"), path.join(copy.plugins, "e2e_big.smx"), includes, [
          "-E",
        ]),
        compilePlugin(game, path.join(FIXTURES, "e2e_small.sp"), path.join(copy.plugins, "e2e_small.smx"), includes, [
          "-E",
        ]),
        // sm-websocket server consumers, compiled unchanged (old syntax; new syntax with getPath).
        compilePlugin(game, path.join(FIXTURES, "e2e_server.sp"), path.join(copy.plugins, "e2e_server.smx"), includes, [
          "-E",
        ]),
        compilePlugin(
          game,
          path.join(FIXTURES, "e2e_server2.sp"),
          path.join(copy.plugins, "e2e_server2.smx"),
          includes,
          ["-E"],
        ),
      ]);
      [wsPeer, sio] = await Promise.all([WsPeer.start(), SioPeer.start()]);
      srv = await Srcds.start(env.srcds, copy, extension);
      await srv.waitFor(/^E2E big start/, STEP_MS);
      await srv.waitFor(/^E2E small start/, STEP_MS);
      await srv.waitFor(/^E2E srv start/, STEP_MS);
      await srv.waitFor(/^E2E srv2 start/, STEP_MS);
    }, 120_000);

    beforeEach((ctx) => {
      ctx.onTestFailed(() => {
        failed = true;
      });
    });

    afterAll(async () => {
      figures.push(`whole group ${secs(Date.now() - started)} s`);
      console.log(`[e2e ${extension}] ${figures.join("; ")}`);
      await srv?.stop();
      await Promise.all([wsPeer?.close(), sio?.close()]);
      if (process.env.SPGEN_E2E_KEEP === "1" || (failed && process.env.SPGEN_E2E_KEEP !== "0")) {
        console.log(`[e2e ${extension}] game folder kept: ${copy?.dir}`);
      } else {
        copy?.remove();
      }
    }, 30_000);

    // ---------------------------------------------------------------- WebSocket

    it("websocket.smx tells which socket extension it runs on (and logs the JoinedSenses pacing once)", async () => {
      const from = srv.mark();
      cmd("big", "ext", 1);
      const m = await line(`^E2E big ext (\\d) (\\d)$`, from);
      // WebsocketSocketExtension: 1 JoinedSenses, 2 oldmagic; the oldmagic build here has TLS.
      expect([Number(m[1]), Number(m[2])]).toEqual(extension === "joinedsenses" ? [1, 0] : [2, 1]);
      const pacing = srv.lines.filter((l) => l.includes("The JoinedSenses socket extension is loaded"));
      expect(pacing.length).toBe(extension === "joinedsenses" ? 1 : 0);
    });

    describe("WebSocket", () => {
      it("permessage-deflate with a ws server that compresses everything: both ways, context takeover, 1009 for a message inflating past the limit", async () => {
        const z = await WsPeer.start({ perMessageDeflate: true });
        try {
          let from = srv.mark();
          cmd("big", "wsz", 30, hex(z.url(30)));
          await line(`^E2E big open 30 `, from);
          const c = await z.conn(30, STEP_MS);
          expect(c.ws.extensions).toContain("permessage-deflate");
          const raw = (c.ws as unknown as { _socket: { bytesRead: number; bytesWritten: number } })._socket;
          for (const size of [10, 100_000, MiB]) {
            const payload = textPayload(size, size + 3);
            from = srv.mark();
            const written = raw.bytesWritten;
            c.ws.send(payload, { binary: false });
            await line(`^E2E big recv 30 t ${size} ${crcHex(payload)} `, from, BIG_MS);
            if (size >= 100_000) {
              // Compressed on the wire: far fewer bytes than the message.
              expect(raw.bytesWritten - written).toBeLessThan(size / 2);
            }
          }
          for (const size of [100_000, MiB]) {
            const expected = consumerPattern(false, size, 5);
            from = srv.mark();
            const read = c.messages.length;
            const before = raw.bytesRead;
            cmd("big", "send", 30, "t", size, 5);
            await line(`^E2E big sent 30 t ${size} ${crcHex(expected)} 1$`, from);
            await until(() => c.messages.length > read, BIG_MS, `${size} bytes at the server`);
            expect(c.messages[read].data.equals(expected)).toBe(true);
            expect(raw.bytesRead - before).toBeLessThan(size / 2);
          }
          // A message that inflates beyond the 1 MiB maximum: 1009, nothing delivered.
          from = srv.mark();
          c.ws.send(Buffer.alloc(MiB + 1, 0x61), { binary: false });
          const closed = await c.waitClose(BIG_MS);
          expect(closed.code).toBe(1009);
          await line(`^E2E big err 30 ${WsError.Protocol} 1009 `, from);
          never(`^E2E big recv 30 `, from);
        } finally {
          await z.close();
        }
      }, 120_000);

      it("opens: the consumer's open callback sees the subprotocol the server chose", async () => {
        const from = srv.mark();
        const before = wsPeer.conns.length;
        cmd("big", "ws", 1, hex(wsPeer.url(1)), hex("e2e.v1, other"));
        await line(`^E2E big open 1 e2e\\.v1$`, from);
        conn = await wsPeer.conn(1, STEP_MS, before);
        expect(conn.ws.protocol).toBe("e2e.v1");
        cmd("big", "echo", 1, 1);
        await line(`^E2E big echo 1 1$`, from);
      });

      for (const binary of [true, false]) {
        const t = binary ? "b" : "t";
        it(`echoes ${binary ? "binary (NUL, 0xFF)" : "text (UTF-8, NUL)"} server → consumer → server at ${SIZES.join(", ")} bytes`, async () => {
          for (const size of SIZES) {
            const payload = binary ? binaryPayload(size, size + 1) : textPayload(size, size + 2);
            const from = srv.mark();
            const t0 = Date.now();
            conn.drain();
            conn.ws.send(payload, { binary });
            await line(`^E2E big recv 1 ${t} ${size} ${crcHex(payload)} `, from, size >= 65536 ? BIG_MS : STEP_MS);
            const got = await conn.next(size >= 65536 ? BIG_MS : STEP_MS);
            const ms = Date.now() - t0;
            expect(got.binary).toBe(binary);
            expect(got.data.length).toBe(size);
            expect(crcHex(got.data)).toBe(crcHex(payload));
            expect(got.data.equals(payload)).toBe(true);
            if (size === MiB) {
              figures.push(`1 MiB ${binary ? "binary" : "text"} echo ${secs(ms)} s`);
            }
          }
        }, 180_000);

        it(`sends ${binary ? "binary" : "text"} consumer → server at ${SIZES.join(", ")} bytes`, async () => {
          for (const size of SIZES) {
            const expected = consumerPattern(binary, size, size % 251);
            const from = srv.mark();
            const read = conn.messages.length;
            const t0 = Date.now();
            cmd("big", "send", 1, t, size, size % 251);
            await line(`^E2E big sent 1 ${t} ${size} ${crcHex(expected)} 1$`, from);
            await until(
              () => conn.messages.length > read,
              size >= 65536 ? BIG_MS : STEP_MS,
              `${size} bytes at the server`,
            );
            const got = conn.messages[read];
            expect(got.binary).toBe(binary);
            expect(got.data.length).toBe(size);
            expect(got.data.equals(expected)).toBe(true);
            if (size === MiB) {
              figures.push(`1 MiB ${binary ? "binary" : "text"} consumer → server ${secs(Date.now() - t0)} s`);
            }
            // The server does not echo these; the consumer's echo only answers what it receives.
          }
        }, 120_000);
      }

      it("16 connections each receive a 1 MiB message at once: all arrive whole (memory that follows use: resident memory before and at the peak)", async () => {
        // Tag 1 (echo on) and 15 more connections of the big consumer: the plugin's 16.
        const tags = Array.from({ length: 15 }, (_, i) => 41 + i);
        const others: PeerConn[] = [];
        for (const tag of tags) {
          others.push(await openWs("big", tag));
        }
        const status = (): string => readFileSync(`/proc/${srv.pid}/status`, "utf8");
        const kb = (text: string, key: string): number =>
          Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text)?.[1]);
        const before = status();
        const payloads = [1, ...tags].map((tag) => binaryPayload(MiB, 1000 + tag));
        const from = srv.mark();
        const t0 = Date.now();
        conn.drain();
        [conn, ...others].forEach((c, i) => c.ws.send(payloads[i], { binary: true }));
        for (const [i, tag] of [1, ...tags].entries()) {
          await line(`^E2E big recv ${tag} b ${MiB} ${crcHex(payloads[i])} `, from, 4 * BIG_MS);
        }
        const echo = await conn.next(BIG_MS);
        expect(echo.data.equals(payloads[0])).toBe(true);
        const after = status();
        figures.push(
          `16 x 1 MiB at once ${secs(Date.now() - t0)} s, srcds VmRSS ${(kb(before, "VmRSS") / 1024).toFixed(1)} MB before, VmHWM ${(kb(before, "VmHWM") / 1024).toFixed(1)} → ${(kb(after, "VmHWM") / 1024).toFixed(1)} MB`,
        );
        for (const tag of tags) {
          const f = srv.mark();
          cmd("big", "close", tag, 1000, "-");
          await line(`^E2E big disc ${tag} 1000 1 `, f);
        }
      }, 300_000);

      it("reassembles a server-fragmented text message (a character split across fragments, a ping between them)", async () => {
        const whole = Buffer.from("fragmented: wörld € 😀 end", "utf8");
        // Split inside "ö" (2 bytes) and inside "😀" (4 bytes).
        const o = whole.indexOf(Buffer.from("ö")) + 1;
        const e = whole.indexOf(Buffer.from("😀")) + 2;
        const from = srv.mark();
        const pongs = conn.pongs.length;
        conn.drain();
        conn.ws.send(whole.subarray(0, o), { binary: false, fin: false });
        conn.ws.ping(Buffer.from("between"));
        conn.ws.send(whole.subarray(o, e), { binary: false, fin: false });
        conn.ws.send(whole.subarray(e), { binary: false, fin: true });
        await line(`^E2E big recv 1 t ${whole.length} ${crcHex(whole)} ${hex(whole)}$`, from);
        const echo = await conn.next(STEP_MS);
        expect(echo.data.equals(whole)).toBe(true);
        await until(() => conn.pongs.length > pongs, STEP_MS, "the pong of the ping between fragments");
        expect(conn.pongs[pongs].toString()).toBe("between");
      });

      it("answers the server's ping with its payload, and pings the server", async () => {
        const pongs = conn.pongs.length;
        const payload = Buffer.from([0x00, 0xff, 0x41, 0x00]);
        conn.ws.ping(payload);
        await until(() => conn.pongs.length > pongs, STEP_MS, "pong");
        expect(conn.pongs[pongs].equals(payload)).toBe(true);
        const pings = conn.pings.length;
        const from = srv.mark();
        cmd("big", "ping", 1);
        await line(`^E2E big pinged 1 1$`, from);
        await until(() => conn.pings.length > pings, STEP_MS, "the consumer's ping at the server");
      });

      it("closes from the server with a code and a UTF-8 reason: the consumer sees both, cleanly", async () => {
        const c = await openWs("big", 2);
        const from = srv.mark();
        c.ws.close(4001, "server bye ü");
        const m = await line(`^E2E big disc 2 (\\d+) (\\d) (\\d) (\\S+)$`, from);
        expect([m[1], m[2], m[3], m[4]]).toEqual(["4001", "1", "0", hex("server bye ü")]);
        const closed = await c.waitClose(STEP_MS);
        // RFC 6455 5.5.1: the client answers with a Close; it echoes the status code.
        expect(closed.code).toBe(4001);
      });

      it("closes from the consumer with a code and a reason: the server sees both, the consumer a clean close", async () => {
        const c = await openWs("big", 3);
        const from = srv.mark();
        cmd("big", "close", 3, 4002, hex("client bye é"));
        await line(`^E2E big closing 3 1$`, from);
        const closed = await c.waitClose(STEP_MS);
        expect(closed).toEqual({ code: 4002, reason: "client bye é" });
        const m = await line(`^E2E big disc 3 (\\d+) (\\d) (\\d) `, from);
        expect([m[1], m[2], m[3]]).toEqual(["4002", "1", "0"]);
      });

      it("reports a dropped TCP connection as close code 1006, not clean", async () => {
        const c = await openWs("big", 4);
        const from = srv.mark();
        c.ws.terminate();
        const m = await line(`^E2E big disc 4 (\\d+) (\\d) (\\d) `, from);
        expect([m[1], m[2], m[3]]).toEqual(["1006", "0", "0"]);
      });

      it("reports a refused upgrade (HTTP 403) through the error callback with the status", async () => {
        const from = srv.mark();
        cmd("big", "ws", 5, hex(wsPeer.url(5, "/forbidden")));
        const m = await line(`^E2E big err 5 (\\d+) (-?\\d+) (.*)$`, from);
        expect([Number(m[1]), Number(m[2])]).toEqual([WsError.HandshakeRejected, 403]);
        await line(`^E2E big disc 5 `, from);
        never(`^E2E big open 5 `, from);
      });

      const tunnelTitle =
        "wss:// through a TLS tunnel (sm_websocket_tls_tunnels, stunnel verifying the certificate): the URL works unchanged, a 70,000-byte binary echo is exact";
      if (STUNNEL_MISSING !== null) {
        skipWithReason(`sourcemod-${extension}.test.ts`, tunnelTitle, STUNNEL_MISSING);
      }
      it.runIf(STUNNEL_MISSING === null)(
        tunnelTitle,
        async () => {
          const tls = https.createServer({
            key: readFileSync(path.join(TLS_FIXTURES, "key.pem")),
            cert: readFileSync(path.join(TLS_FIXTURES, "cert.pem")),
          });
          const wss = new WebSocketServer({ server: tls });
          const hosts: string[] = [];
          const echoed = new Promise<Buffer>((resolve) =>
            wss.on("connection", (ws, req) => {
              hosts.push(req.headers.host ?? "");
              ws.on("message", (d) => resolve(d as Buffer));
            }),
          );
          await new Promise<void>((r) => tls.listen(0, "127.0.0.1", () => r()));
          const port = (tls.address() as AddressInfo).port;
          const tunnel = await startTunnel(port, path.join(TLS_FIXTURES, "cert.pem"));
          try {
            srv.send(`sm_websocket_tls_tunnels "localhost:${port}=127.0.0.1:${tunnel.port}"`);
            const from = srv.mark();
            cmd("big", "ws", 9, hex(`wss://localhost:${port}/over-tls`));
            await line(`^E2E big open 9 `, from);
            expect(hosts).toEqual([`localhost:${port}`]);
            cmd("big", "echo", 9, 1);
            await line(`^E2E big echo 9 1$`, from);
            const payload = binaryPayload(70000, 9);
            for (const c of wss.clients) c.send(payload, { binary: true });
            const back = await Promise.race([echoed, sleep(BIG_MS).then(() => Buffer.alloc(0))]);
            expect(crcHex(back)).toBe(crcHex(payload));
            expect(back.equals(payload)).toBe(true);
            cmd("big", "close", 9, 1000, hex("done"));
            await line(`^E2E big disc 9 1000 `, from);
          } finally {
            srv.send(`sm_websocket_tls_tunnels ""`);
            tunnel.stop();
            for (const c of wss.clients) c.terminate();
            await new Promise<void>((r) => tls.close(() => r()));
          }
        },
        120_000,
      );

      it("default consumer: 8192 B arrive; 8193 B, 70,000 B and 1 MiB give WsError_MessageTooLarge (detail = size) and no exception; the connection stays open", async () => {
        const small = await openWs("small", 31);
        smallConn = small;
        const from = srv.mark();
        const fits = binaryPayload(8192, 7);
        small.ws.send(fits);
        await line(`^E2E small recv 31 b 8192 ${crcHex(fits)} -$`, from);
        for (const size of [8193, 70_000, MiB]) {
          const at = srv.mark();
          small.ws.send(binaryPayload(size, size));
          const m = await line(`^E2E small err 31 (\\d+) (\\d+) (.*)$`, at, BIG_MS);
          expect([Number(m[1]), Number(m[2])]).toEqual([WsError.MessageTooLarge, size]);
          expect(m[3]).toContain("WEBSOCKET_RECEIVE_MAX");
        }
        const t = textPayload(300, 9);
        const after = srv.mark();
        small.ws.send(t, { binary: false });
        await line(`^E2E small recv 31 t 300 ${crcHex(t)} -$`, after);
        never(`^E2E small (recv 31 b (8193|70000|1048576)|disc 31) `, from);
        expect(exceptions(srv.since(from))).toEqual([]);
        expect(small.closed).toBeNull();
      }, 120_000);

      it("a consumer whose receive callback throws: the consumer is blamed, websocket.smx stays consistent (next message, echo, clean close)", async () => {
        const c = await openWs("big", 6);
        const from = srv.mark();
        cmd("big", "echo", 6, 1);
        cmd("big", "throw", 6, 1);
        await line(`^E2E big throw 6 1$`, from);
        const boom = Buffer.from("!boom");
        c.ws.send(boom, { binary: true });
        await line(`^E2E big recv 6 b 5 ${crcHex(boom)} ${hex(boom)}$`, from);
        await line(`Blaming: e2e_big\\.smx`, from);
        const next = Buffer.from("after the exception");
        c.ws.send(next, { binary: true });
        await line(`^E2E big recv 6 b ${next.length} ${crcHex(next)} ${hex(next)}$`, from);
        const echo = await c.next(STEP_MS);
        expect(echo.data.equals(next)).toBe(true); // "!boom" was not echoed: the callback died before
        // Throw again, then a large message: the delivery path still works after several exceptions.
        c.ws.send(Buffer.from("!again"), { binary: true });
        const big = binaryPayload(70_000, 70);
        c.ws.send(big, { binary: true });
        await line(`^E2E big recv 6 b 70000 ${crcHex(big)} -$`, from, BIG_MS);
        expect((await c.next(BIG_MS)).data.equals(big)).toBe(true);
        expect(blamed(srv.since(from))).toEqual(["e2e_big.smx", "e2e_big.smx"]);
        never(`^E2E big not reached`, from);
        // And the closing handshake still completes both ways.
        cmd("big", "close", 6, 1000, "-");
        expect(await c.waitClose(STEP_MS)).toEqual({ code: 1000, reason: "" });
        const m = await line(`^E2E big disc 6 (\\d+) (\\d) (\\d) `, from);
        expect([m[1], m[2], m[3]]).toEqual(["1000", "1", "0"]);
        // The connection the other tests use was not disturbed.
        const ok = Buffer.from("tag 1 still fine");
        const at = srv.mark();
        conn.drain();
        conn.ws.send(ok, { binary: true });
        await line(`^E2E big recv 1 b ${ok.length} ${crcHex(ok)} `, at);
        expect((await conn.next(STEP_MS)).data.equals(ok)).toBe(true);
      }, 120_000);
    });

    // ---------------------------------------------------------------- Socket.IO

    describe("Socket.IO", () => {
      it("connects to a namespace with auth: the server sees the auth payload, the consumer the server's sid", async () => {
        const before = sio.record.sockets.length;
        await openIo("big", 10, sio, "/e2e", { token: SIO_TOKEN, note: "ünï" });
        const s = await sio.record.waitSocket(10, STEP_MS, before);
        expect(s.nsp).toBe("/e2e");
        expect(s.auth).toEqual({ token: SIO_TOKEN, note: "ünï", tag: 10 });
        const m = await line(`^E2E big ioconnect 10 (\\S+)$`, 0); // the first ioconnect of tag 10
        expect(JSON.parse(Buffer.from(m[1], "hex").toString("utf8"))).toEqual({ sid: s.socket.id });
      });

      it("carries events both ways with UTF-8 and JSON escapes", async () => {
        const s = sio.record.socket(10)!;
        const args = ["héllo wörld € 😀 中", { q: 'a"b\\c\n\t\u0001/\u007f', n: -1.5e-7 }, 42, null, true, [[]]];
        const from = srv.mark();
        const echoes = sio.record.eventsOf(10, "echo").length;
        s.socket.emit("echo", ...args);
        const wire = Buffer.from(JSON.stringify(args), "utf8");
        await line(`^E2E big ioevent 10 ${hex("echo")} -1 ${wire.length} ${crcHex(wire)} ${hex(wire)}$`, from);
        // The consumer emits the same arguments back.
        await until(() => sio.record.eventsOf(10, "echo").length > echoes, STEP_MS, "the echo event");
        expect(sio.record.eventsOf(10, "echo")[echoes]).toEqual(args);
        // An emit typed on the console (hex), with escapes the consumer wrote itself.
        const n = sio.record.eventsOf(10, "from_game").length;
        cmd("big", "emit", 10, hex("from_game"), hex('"ünï \\"q\\" \\u0000x",{"k":[1,"\\n"]}'), -1);
        await line(`^E2E big emitted 10 1$`, from);
        await until(() => sio.record.eventsOf(10, "from_game").length > n, STEP_MS, "from_game");
        expect(sio.record.eventsOf(10, "from_game")[n]).toEqual(['ünï "q" \u0000x', { k: [1, "\n"] }]);
      });

      it("acknowledges both ways", async () => {
        const s = sio.record.socket(10)!;
        const from = srv.mark();
        // Server → consumer with an ack: the consumer acks with the arguments it got.
        const answer = await new Promise<unknown[]>((resolve) => {
          s.socket.emit("ask", { n: 1 }, "ü", (...resp: unknown[]) => resolve(resp));
        });
        expect(answer).toEqual([{ n: 1 }, "ü"]);
        const ev = await line(`^E2E big ioevent 10 ${hex("ask")} (\\d+) `, from);
        expect(Number(ev[1])).toBeGreaterThanOrEqual(0);
        // Consumer → server with an ack (ackData 77).
        cmd("big", "emit", 10, hex("question"), hex('"why?"'), 77);
        const wire = Buffer.from(JSON.stringify([{ answer: "why?!" }, "ü"]), "utf8");
        await line(`^E2E big ioack 10 77 ${wire.length} ${crcHex(wire)} ${hex(wire)}$`, from);
      });

      it("binary packets: a server event with Buffers (NUL, 0xFF; 70,000 bytes) reaches the consumer with its attachments; Buffers both ways in emits and acks", async () => {
        const s = sio.record.socket(10)!;
        const ph = (k: number): string => `{"_placeholder":true,"num":${k}}`;
        let from = srv.mark();
        const a0 = Buffer.from([0, 255, 1]);
        const a1 = Buffer.alloc(70000, 7);
        s.socket.emit("bin", a0, { a: 1 }, a1);
        const args = Buffer.from(`[${ph(0)},{"a":1},${ph(1)}]`);
        await line(`^E2E big ioevent 10 ${hex("bin")} -1 ${args.length} ${crcHex(args)} ${hex(args)}$`, from);
        await line(`^E2E big ioatt 10 0 3 ${crcHex(a0)}$`, from);
        await line(`^E2E big ioatt 10 1 70000 ${crcHex(a1)}$`, from);
        // Server → consumer with an ack: the consumer answers with the same Buffer (a BINARY_ACK).
        const b = Buffer.from([9, 0, 255, 0]);
        const answer = await new Promise<unknown[]>((resolve) => {
          s.socket.emit("askbin", b, "x", (...resp: unknown[]) => resolve(resp));
        });
        expect(answer).toEqual([b, "x"]);
        // Consumer → server: two attachments staged (3 and 100,000 bytes), emitted as a BINARY_EVENT.
        from = srv.mark();
        cmd("big", "att", 10, 3, 1);
        cmd("big", "att", 10, 100000, 2);
        await line(`^E2E big staged 10 2 100000 `, from);
        const n = sio.record.eventsOf(10, "upbin").length;
        cmd("big", "emit", 10, hex("upbin"), hex(`${ph(1)},"é",${ph(0)}`), -1);
        await line(`^E2E big emitted 10 1$`, from);
        await until(() => sio.record.eventsOf(10, "upbin").length > n, STEP_MS, "the upbin event");
        expect(sio.record.eventsOf(10, "upbin")[n]).toEqual([
          consumerPattern(true, 100000, 2),
          "é",
          consumerPattern(true, 3, 1),
        ]);
        // Consumer → server with an ack; the server answers with the Buffer (a BINARY_ACK to the consumer).
        from = srv.mark();
        cmd("big", "att", 10, 5000, 3);
        cmd("big", "emit", 10, hex("binq"), hex(`{"f":${ph(0)}}`), 78);
        const data = consumerPattern(true, 5000, 3);
        const ack = Buffer.from(`[{"f":${ph(0)}}]`);
        await line(`^E2E big ioack 10 78 ${ack.length} ${crcHex(ack)} ${hex(ack)}$`, from);
        await line(`^E2E big ioatt 10 0 5000 ${crcHex(data)}$`, from);
        expect(sio.record.eventsOf(10, "binq").at(-1)).toEqual([{ f: data }]);
        expect(s.socket.connected).toBe(true);
      });

      it("a 60,000-character event arrives whole at the big consumer; the default consumer gets WsError_MessageTooLarge, then the next event", async () => {
        const before = sio.record.sockets.length;
        await openIo("small", 40, sio, "/e2e", { token: SIO_TOKEN });
        const small = await sio.record.waitSocket(40, STEP_MS, before);
        const big = sio.record.socket(10)!;
        const r = prng(60);
        let text = "";
        while (text.length < 60_000) {
          text += 'abcdefghijklmnopqrstuvwxyz0123456789é€"\\\n'[Math.floor(r() * 41)];
        }
        const wire = Buffer.from(JSON.stringify([text]), "utf8");
        const from = srv.mark();
        big.socket.emit("large", text);
        small.socket.emit("large", text);
        await line(`^E2E big ioevent 10 ${hex("large")} -1 ${wire.length} ${crcHex(wire)} -$`, from, BIG_MS);
        const m = await line(`^E2E small ioerr 40 (\\d+) (\\d+) (.*)$`, from, BIG_MS);
        expect([Number(m[1]), Number(m[2])]).toEqual([WsError.MessageTooLarge, wire.length]);
        small.socket.emit("after", "ok");
        const ok = Buffer.from('["ok"]');
        await line(`^E2E small ioevent 40 ${hex("after")} -1 ${ok.length} ${crcHex(ok)} ${hex(ok)}$`, from);
        never(`^E2E small ioevent 40 ${hex("large")} `, from);
        never(`^E2E small iodisc 40 `, from);
        expect(exceptions(srv.since(from))).toEqual([]);
        const at = srv.mark();
        cmd("small", "ioclose", 40);
        await line(`^E2E small iodisc 40 0 io client disconnect$`, at);
      }, 120_000);

      it("refuses an event name containing \\u0000 with the error callback, never as a cut name", async () => {
        const s = sio.record.socket(10)!;
        const from = srv.mark();
        s.socket.emit("nul\u0000name", "x");
        const m = await line(`^E2E big ioerr 10 (\\d+) (\\d+) (.*)$`, from);
        expect(Number(m[1])).toBe(WsError.Unsupported);
        expect(m[3]).toContain("NUL");
        s.socket.emit("after_nul", 1);
        await line(`^E2E big ioevent 10 ${hex("after_nul")} `, from);
        never(`^E2E big ioevent 10 ${hex("nul")}`, from);
      });

      it("reports CONNECT_ERROR from a middleware and does not reconnect", async () => {
        const from = srv.mark();
        cmd("big", "io", 13, hex(sio.url), hex("/e2e"), hex(JSON.stringify({ token: "wrong", tag: 13 })), 200);
        const m = await line(`^E2E big ioconnerr 13 (\\S+)$`, from);
        expect(JSON.parse(Buffer.from(m[1], "hex").toString("utf8"))).toEqual({ message: "Not authorized" });
        await line(`^E2E big iodisc 13 0 connect error$`, from);
        await sleep(1200); // several reconnect delays (200 ms)
        expect(sio.record.attempts.get(13)).toBe(1);
        never(`^E2E big ioconnect 13 `, from);
      });

      it("server-side socket.disconnect(true): disconnect 'io server disconnect', no reconnect", async () => {
        // A server of its own: disconnect(true) closes the whole Engine.IO connection, with every
        // namespace the plugin multiplexes on it (tag 10 shares the main server's).
        const own = await SioPeer.start();
        try {
          await openIo("big", 14, own, "/", {});
          const s = await own.record.waitSocket(14, STEP_MS);
          const from = srv.mark();
          s.socket.disconnect(true);
          await line(`^E2E big iodisc 14 0 io server disconnect$`, from);
          await sleep(1200);
          expect(own.record.sockets.filter((x) => x.tag === 14).length).toBe(1);
          never(`^E2E big ioconnect 14 `, from);
        } finally {
          await own.close();
        }
      });

      it("several namespaces share one Engine.IO connection: each has its own events and DISCONNECT; disconnect(true) ends them all", async () => {
        const own = await SioPeer.start();
        try {
          await openIo("big", 19, own, "/", {});
          await openIo("big", 20, own, "/e2e", { token: SIO_TOKEN });
          const a = await own.record.waitSocket(19, STEP_MS);
          const b = await own.record.waitSocket(20, STEP_MS);
          expect(own.io.engine.clientsCount).toBe(1);
          expect(a.socket.conn).toBe(b.socket.conn);
          let from = srv.mark();
          a.socket.emit("to_root", 1);
          b.socket.emit("to_e2e", 2);
          await line(`^E2E big ioevent 19 ${hex("to_root")} `, from);
          await line(`^E2E big ioevent 20 ${hex("to_e2e")} `, from);
          never(`^E2E big ioevent 19 ${hex("to_e2e")} `, from);
          never(`^E2E big ioevent 20 ${hex("to_root")} `, from);
          cmd("big", "emit", 19, hex("from_root"), hex("3"), -1);
          cmd("big", "emit", 20, hex("from_e2e"), hex("4"), -1);
          await until(() => own.record.eventsOf(20, "from_e2e").length === 1, STEP_MS, "from_e2e");
          await until(() => own.record.eventsOf(19, "from_root").length === 1, STEP_MS, "from_root");
          // The server leaves /e2e only: tag 20 finishes, tag 19 keeps the connection.
          from = srv.mark();
          b.socket.disconnect();
          await line(`^E2E big iodisc 20 0 io server disconnect$`, from);
          await sleep(300);
          expect(a.disconnect).toBeNull();
          expect(own.io.engine.clientsCount).toBe(1);
          never(`^E2E big iodisc 19 `, from);
          // A new /e2e client joins the open connection.
          await openIo("big", 21, own, "/e2e", { token: SIO_TOKEN });
          const c = await own.record.waitSocket(21, STEP_MS);
          expect(c.socket.conn).toBe(a.socket.conn);
          // disconnect(true) closes the connection and every namespace on it: no reconnect.
          from = srv.mark();
          a.socket.disconnect(true);
          await line(`^E2E big iodisc 19 0 io server disconnect$`, from);
          await line(`^E2E big iodisc 21 0 io server disconnect$`, from);
          await sleep(1200);
          expect(own.io.engine.clientsCount).toBe(0);
          never(`^E2E big ioconnect (19|21) `, from);
        } finally {
          await own.close();
        }
      });

      it("heartbeats: with pingInterval 300 ms it answers every ping and stays connected for 8 intervals", async () => {
        const hb = await SioPeer.start({ pingInterval: 300, pingTimeout: 1000 });
        try {
          await openIo("big", 15, hb, "/", {});
          const s = await hb.record.waitSocket(15, STEP_MS);
          const from = srv.mark();
          await sleep(2400);
          expect(s.disconnect).toBeNull();
          expect(s.pongs).toBeGreaterThanOrEqual(6);
          never(`^E2E big iodisc 15 `, from);
          figures.push(`heartbeat: ${s.pongs} pongs in 2.4 s`);
          cmd("big", "ioclose", 15);
          await line(`^E2E big iodisc 15 0 io client disconnect$`, from);
          await until(() => s.disconnect !== null, STEP_MS, "the server's disconnect");
          expect(s.disconnect).toBe("client namespace disconnect");
        } finally {
          await hb.close();
        }
      });

      it("server restart: emits queued while reconnecting arrive once and in order", async () => {
        const record = new SioRecord();
        let peer = await SioPeer.start({ record });
        try {
          await openIo("big", 16, peer, "/", {}, 300);
          const first = await record.waitSocket(16, STEP_MS);
          const from = srv.mark();
          await peer.close();
          await line(`^E2E big iodisc 16 1 transport close$`, from);
          for (let i = 1; i <= 5; i++) {
            cmd("big", "emit", 16, hex("seq"), hex(`${i},"é${i}"`), -1);
          }
          // Queued with a 100 ms ack timeout: it fails while the server is down and is never sent.
          cmd("big", "emit", 16, hex("dropme"), hex("0"), 44, 100);
          const emitted = (): string[] => srv.since(from).filter((l) => l.startsWith("E2E big emitted 16 "));
          await until(() => emitted().length === 6, STEP_MS, "6 emits typed");
          expect(emitted()).toEqual(Array(6).fill("E2E big emitted 16 1"));
          await line(`^E2E big ioackfail 16 44$`, from);
          await sleep(500); // at least one failed attempt while the server is down
          peer = await SioPeer.start({ record, port: peer.port });
          const second = await record.waitSocket(16, STEP_MS, record.sockets.indexOf(first) + 1);
          await line(`^E2E big ioconnect 16 `, from);
          await until(() => record.eventsOf(16, "seq").length >= 5, STEP_MS, "5 queued emits");
          await sleep(500);
          expect(record.eventsOf(16, "seq")).toEqual([1, 2, 3, 4, 5].map((i) => [i, `é${i}`]));
          expect(record.events.filter((e) => e.tag === 16).every((e) => e.event === "seq")).toBe(true);
          expect(record.eventsOf(16, "dropme")).toEqual([]);
          expect(second.socket.id).not.toBe(first.socket.id);
          const at = srv.mark();
          cmd("big", "ioclose", 16);
          await line(`^E2E big iodisc 16 0 io client disconnect$`, at);
        } finally {
          await peer.close();
        }
      }, 60_000);

      it("connection state recovery: 20 events broadcast while the plugin is cut off arrive once and in order, and the connect callback says recovered", async () => {
        const record = new SioRecord();
        const peer = await SioPeer.start({ record, recovery: true });
        try {
          let from = srv.mark();
          await openIo("big", 17, peer, "/", {}, 300);
          await line(`^E2E big iorecovered 17 0$`, from);
          const first = await record.waitSocket(17, STEP_MS);
          // One event first, so that the plugin holds an offset to send back.
          peer.io.emit("rec", 0);
          await line(`^E2E big ioevent 17 ${hex("rec")} -1 `, from);
          from = srv.mark();
          first.socket.conn.close(); // "forced close": the server keeps the session for recovery
          for (let i = 1; i <= 20; i++) {
            peer.io.emit("rec", i);
          }
          await line(`^E2E big iodisc 17 1 transport close$`, from);
          await line(`^E2E big iorecovered 17 1$`, from);
          const recs = (): number[] =>
            srv
              .since(from)
              .map((l) => new RegExp(`^E2E big ioevent 17 ${hex("rec")} -1 \\d+ \\S+ (\\S+)$`).exec(l))
              .filter((m) => m !== null)
              .map((m) => (JSON.parse(Buffer.from(m[1], "hex").toString("utf8")) as unknown[])[0] as number);
          await until(() => recs().length >= 20, STEP_MS, "20 replayed events");
          await sleep(300);
          expect(recs()).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
          const second = await record.waitSocket(17, STEP_MS, record.sockets.indexOf(first) + 1);
          expect(second.socket.recovered).toBe(true);
          expect(second.socket.id).toBe(first.socket.id);
          const at = srv.mark();
          cmd("big", "ioclose", 17);
          await line(`^E2E big iodisc 17 0 io client disconnect$`, at);
        } finally {
          await peer.close();
        }
      }, 60_000);

      it("ack timeouts: an unanswered emit fails once after its timeout, an answered one does not, a late answer is ignored", async () => {
        const before = sio.record.sockets.length;
        await openIo("big", 18, sio, "/", {});
        const s = await sio.record.waitSocket(18, STEP_MS, before);
        const from = srv.mark();
        cmd("big", "emit", 18, hex("question"), hex('"q"'), 41, 5000);
        cmd("big", "emit", 18, hex("slow"), hex("1"), 42, 400);
        await line(`^E2E big ioack 18 41 `, from);
        await until(() => sio.record.eventsOf(18, "slow").length === 1, STEP_MS, "the slow event");
        never(`^E2E big ioackfail 18 42$`, from);
        const t0 = Date.now();
        await line(`^E2E big ioackfail 18 42$`, from);
        expect(Date.now() - t0).toBeLessThan(2000);
        never(`^E2E big ioackfail 18 41$`, from);
        expect(s.socket.connected).toBe(true);
        // Pending with a timeout when the client closes: failed before the final disconnect.
        const at = srv.mark();
        cmd("big", "emit", 18, hex("slow"), hex("2"), 43, 60000);
        cmd("big", "ioclose", 18);
        await line(`^E2E big iodisc 18 0 io client disconnect$`, at);
        const lines = srv.since(at);
        const fail = lines.findIndex((l) => l === "E2E big ioackfail 18 43");
        const disc = lines.findIndex((l) => l === "E2E big iodisc 18 0 io client disconnect");
        expect(fail).toBeGreaterThanOrEqual(0);
        expect(fail).toBeLessThan(disc);
      });
    });

    // ---------------------------------------------------------------- lifecycle

    describe("server mode: sm-websocket consumers (e2e_server.sp in the old syntax, e2e_server2.sp) and real ws clients", () => {
      let port = 0;
      let listenHandle = "";
      /** Opens a ws client to the plugin's port; resolves once open, with its child handle from the incoming line. */
      const client = async (
        target = "/relay",
        protocols: string[] = [],
      ): Promise<{ c: PeerConn; child: string; incoming: string }> => {
        const from = srv.mark();
        const ws = new WebSocket(`ws://127.0.0.1:${port}${target}`, protocols, { maxPayload: 2 * MiB });
        const c = new PeerConn(ws, 0, target);
        await new Promise<void>((resolve, reject) => {
          ws.once("open", () => resolve());
          ws.once("error", reject);
        });
        const m = await line(`^E2E srv incoming (?<child>\\d+) 127\\.0\\.0\\.1 (?<port>\\d+) (?<protocols>.*)$`, from);
        await line(`^E2E srv state ${m.groups!.child} 1$`, from);
        return { c, child: m.groups!.child, incoming: m.groups!.protocols };
      };
      const clients: PeerConn[] = [];

      beforeAll(async () => {
        port = await freePort();
      });

      if (extension === "oldmagic") {
        // The oldmagic extension (2.0.0) accepts, but never creates a handle for the accepted socket
        // (Socket::smHandle stays 0 in its incoming callback): no plugin can use the connection.
        it("Websocket_Open listens, but the oldmagic extension hands an accepted connection over without a handle: reported to the error callback and logged", async () => {
          let from = srv.mark();
          cmd("srv", "open", port);
          await line(`^E2E srv opened \\d+$`, from);
          from = srv.mark();
          const sock = net.connect(port, "127.0.0.1");
          sock.on("error", () => {});
          await line(`^E2E srv lerr \\d+ 1 0$`, from);
          expect(srv.since(from).some((l) => l.includes("arrived without a socket handle"))).toBe(true);
          sock.destroy();
          from = srv.mark();
          cmd("srv", "close");
          await line(`^E2E srv lclose \\d+$`, from);
        });
        skipWithReason(
          `sourcemod-${extension}.test.ts`,
          "server mode with real ws clients",
          "the oldmagic socket extension gives accepted connections no handle (extension defect); run on the JoinedSenses build",
        );
        return;
      }

      afterAll(() => {
        for (const c of clients) {
          c.ws.terminate();
        }
      });

      it("Websocket_Open listens; a ws client opens with the subprotocol the plugin chose among those offered", async () => {
        const from = srv.mark();
        cmd("srv", "open", port);
        listenHandle = (await line(`^E2E srv opened (?<h>\\d+)$`, from)).groups!.h;
        expect(Number(listenHandle)).toBeGreaterThan(0);
        const { c, incoming } = await client("/relay?room=1", ["other", "e2e.srv"]);
        clients.push(c);
        // As the ws client sends it: one header line, "other,e2e.srv".
        expect(incoming.replace(/\s/g, "")).toBe("other,e2e.srv");
        expect(c.ws.protocol).toBe("e2e.srv");
        // No subprotocol offered: none chosen.
        const second = await client();
        expect(second.incoming).toBe("-");
        expect(second.c.ws.protocol).toBe("");
        second.c.ws.close(1000);
        await second.c.waitClose(STEP_MS);
      });

      for (const binary of [true, false]) {
        it(`echoes ${binary ? "binary" : "text"} through the relay at ${SIZES.join(", ")} bytes (masked in, unmasked out)`, async () => {
          const c = clients[0];
          for (const size of SIZES) {
            const payload = binary ? binaryPayload(size, size + 7) : textPayload(size, size + 9);
            c.drain();
            c.ws.send(payload, { binary });
            const got = await c.next(size >= 65536 ? BIG_MS : STEP_MS);
            expect(got.binary).toBe(binary);
            expect(got.data.length).toBe(size);
            expect(got.data.equals(payload)).toBe(true);
          }
        }, 180_000);
      }

      it("several children at once: a message from one reaches every child (broadcast); a fragmented message arrives whole", async () => {
        for (let i = 0; i < 3; i++) {
          clients.push((await client(`/relay/${i}`)).c);
        }
        for (const c of clients) {
          c.drain();
        }
        const msg = Buffer.from("to everyone: wörld 😀", "utf8");
        clients[2].ws.send(msg.subarray(0, 15), { binary: false, fin: false });
        clients[2].ws.send(msg.subarray(15), { binary: false, fin: true });
        for (const c of clients) {
          const got = await c.next(STEP_MS);
          expect(got.data.equals(msg)).toBe(true);
        }
      });

      it("answers a client's ping with a pong carrying its payload", async () => {
        const c = clients[1];
        const pongs = c.pongs.length;
        c.ws.ping(Buffer.from("srv-ping"));
        await until(() => c.pongs.length > pongs, STEP_MS, "the pong");
        expect(c.pongs[pongs].toString()).toBe("srv-ping");
      });

      it("close from the client with a code: echoed, the plugin's disconnect callback runs", async () => {
        const c = clients.pop()!;
        const from = srv.mark();
        c.ws.close(4000, "bye");
        expect((await c.waitClose(STEP_MS)).code).toBe(4000);
        await line(`^E2E srv disc \\d+$`, from);
      });

      it("close from the plugin (Websocket_UnhookChild, the only hook): the client gets 1000", async () => {
        const { c, child } = await client("/unhook");
        const from = srv.mark();
        cmd("srv", "unhook", child);
        await line(`^E2E srv unhooked ${child}$`, from);
        expect((await c.waitClose(STEP_MS)).code).toBe(1000);
      });

      it("refusal (Plugin_Handled): the ws client gets HTTP 403 and no connection", async () => {
        let from = srv.mark();
        cmd("srv", "refuse", 1);
        await line(`^E2E srv refuse 1$`, from);
        from = srv.mark();
        const ws = new WebSocket(`ws://127.0.0.1:${port}/refused`);
        const status = await new Promise<number>((resolve) => {
          ws.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
          ws.on("error", () => resolve(-1));
          ws.on("open", () => resolve(101));
        });
        expect(status).toBe(403);
        await line(`^E2E srv incoming \\d+ `, from);
        from = srv.mark();
        cmd("srv", "refuse", 0);
        await line(`^E2E srv refuse 0$`, from);
      });

      it("an unmasked client frame fails the child with 1002 and the server closes TCP", async () => {
        const sock = net.connect(port, "127.0.0.1");
        const chunks: Buffer[] = [];
        sock.on("data", (d: Buffer) => chunks.push(d));
        const ended = new Promise<void>((resolve) => sock.on("close", () => resolve()));
        sock.write(
          `GET /raw HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        );
        await until(() => Buffer.concat(chunks).includes("\r\n\r\n"), STEP_MS, "the 101");
        expect(Buffer.concat(chunks).toString("latin1")).toContain(
          "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
        );
        const head = Buffer.concat(chunks).indexOf("\r\n\r\n") + 4;
        sock.write(Buffer.from([0x81, 0x02, 0x68, 0x69]));
        await Promise.race([ended, sleep(STEP_MS)]);
        const frames = Buffer.concat(chunks).subarray(head);
        // An unmasked Close with 1002, then the server's FIN.
        expect([...frames.subarray(0, 4)]).toEqual([0x88, 0x02, 0x03, 0xea]);
        expect(sock.destroyed || sock.readableEnded).toBe(true);
      });

      it("a second plugin shares the port (same handle); when the first closes, the second keeps listening", async () => {
        let from = srv.mark();
        cmd("srv2", "open", port);
        expect((await line(`^E2E srv2 opened (?<h>\\d+)$`, from)).groups!.h).toBe(listenHandle);
        // /two is taken by both plugins: the relay and e2e_server2's echo each send it back.
        const two = await client("/two");
        two.c.drain();
        two.c.ws.send("both");
        expect((await two.c.next(STEP_MS)).data.toString()).toBe("both");
        expect((await two.c.next(STEP_MS)).data.toString()).toBe("both");
        from = srv.mark();
        cmd("srv", "close");
        await line(`^E2E srv lclose ${listenHandle}$`, from);
        // The relay's own children close with 1000; /two stays with e2e_server2.
        for (const c of clients) {
          expect((await c.waitClose(STEP_MS)).code).toBe(1000);
        }
        clients.length = 0;
        expect(two.c.closed).toBeNull();
        two.c.drain();
        two.c.ws.send("still here");
        expect((await two.c.next(STEP_MS)).data.toString()).toBe("still here");
        // The socket still listens: a new client on /two opens and echoes through e2e_server2.
        from = srv.mark();
        const ws = new WebSocket(`ws://127.0.0.1:${port}/two/again`);
        const again = new PeerConn(ws, 0, "/two/again");
        await new Promise<void>((resolve, reject) => {
          ws.once("open", () => resolve());
          ws.once("error", reject);
        });
        await line(`^E2E srv2 incoming \\d+ /two/again$`, from);
        ws.send("again");
        expect((await again.next(STEP_MS)).data.toString()).toBe("again");
        from = srv.mark();
        cmd("srv2", "close");
        await line(`^E2E srv2 lclose ${listenHandle}$`, from);
        // The last plugin left: its children close with 1001 and the port is free again.
        expect((await two.c.waitClose(STEP_MS)).code).toBe(1001);
        expect((await again.waitClose(STEP_MS)).code).toBe(1001);
      });

      it("unloading the server consumer closes its children with 1001", async () => {
        let from = srv.mark();
        cmd("srv", "open", port);
        await line(`^E2E srv opened \\d+$`, from);
        const a = await client("/unload/a");
        const b = await client("/unload/b");
        from = srv.mark();
        srv.send("sm plugins unload e2e_server");
        expect((await a.c.waitClose(STEP_MS)).code).toBe(1001);
        expect((await b.c.waitClose(STEP_MS)).code).toBe(1001);
        never(`^E2E srv (disc|err|lclose) `, from);
        from = srv.mark();
        srv.send("sm plugins load e2e_server");
        await line(`^E2E srv start$`, from);
      });
    });

    describe("plugin and map lifecycle", () => {
      it("changelevel with an open WebSocket and Socket.IO client: both stay open, messages and timers keep working", async () => {
        expect(conn.closed).toBeNull();
        const s = sio.record.socket(10)!;
        const from = srv.mark();
        srv.send("changelevel de_e2e");
        await line(`Mapchange to de_e2e`, from);
        await sleep(300);
        const msg = Buffer.from("after changelevel");
        conn.drain();
        conn.ws.send(msg, { binary: true });
        await line(`^E2E big recv 1 b ${msg.length} ${crcHex(msg)} `, from);
        expect((await conn.next(STEP_MS)).data.equals(msg)).toBe(true);
        const echoes = sio.record.eventsOf(10, "echo_map").length;
        s.socket.emit("echo_map", "still here");
        await until(() => sio.record.eventsOf(10, "echo_map").length > echoes, STEP_MS, "echo_map");
        // Reconnecting is driven by websocket.smx's repeating timer: drop the transport, see it come back.
        const before = sio.record.sockets.length;
        s.socket.conn.close();
        await line(`^E2E big iodisc 10 1 transport close$`, from);
        await sio.record.waitSocket(10, STEP_MS, before);
        await line(`^E2E big ioconnect 10 `, from);
        expect(conn.closed).toBeNull();
        never(`^E2E big (disc 1|iodisc 10 0) `, from);
      });

      it("reloading the consumer with open connections: the servers see Close 1001 and the Socket.IO client leave, no callback reaches the unloading plugin; the reloaded consumer connects again", async () => {
        const s = sio.record.socket(10)!;
        const from = srv.mark();
        srv.send("sm plugins reload e2e_big");
        await line(`^E2E big start$`, from);
        const closed = await conn.waitClose(STEP_MS);
        expect(closed.code).toBe(1001);
        await until(() => s.disconnect !== null, STEP_MS, "the Socket.IO client's disconnect");
        // The Engine.IO transport is closed with 1001, as by a browser tab that goes away (no namespace DISCONNECT first).
        expect(["transport close", "client namespace disconnect"]).toContain(s.disconnect);
        figures.push(`consumer reload: Socket.IO server saw "${s.disconnect}"`);
        never(`^E2E big (disc|iodisc|err|ioerr) `, from);
        conn = await openWs("big", 1);
        const msg = Buffer.from("after reload");
        const at = srv.mark();
        conn.ws.send(msg);
        await line(`^E2E big recv 1 b ${msg.length} ${crcHex(msg)} `, at);
        await openIo("big", 10, sio, "/e2e", { token: SIO_TOKEN });
        expect(blamed(srv.since(from))).toEqual([]);
      });

      it("reloading websocket.smx with open connections: the servers (and a server child) see Close 1001, the consumers are re-bound and connect again", async (ctx) => {
        expect(conn.closed).toBeNull();
        expect(smallConn.closed).toBeNull();
        const s = sio.record.socket(10)!;
        const from = srv.mark();
        const firstHandle = /^E2E big connecting 1 (\d+)$/.exec(
          srv.lines.find((l) => l.startsWith("E2E big connecting 1 "))!,
        )![1];
        // Server mode (where the extension serves children): a child of e2e_server.sp is open too.
        let child: PeerConn | null = null;
        if (extension === "joinedsenses") {
          const port = await freePort();
          const at = srv.mark();
          cmd("srv", "open", port);
          await line(`^E2E srv opened \\d+$`, at);
          const ws = new WebSocket(`ws://127.0.0.1:${port}/reload`);
          child = new PeerConn(ws, 0, "/reload");
          await new Promise<void>((resolve, reject) => {
            ws.once("open", () => resolve());
            ws.once("error", reject);
          });
        }
        try {
          srv.send("sm plugins reload websocket");
          expect((await conn.waitClose(STEP_MS)).code).toBe(1001);
          expect((await smallConn.waitClose(STEP_MS)).code).toBe(1001);
          if (child !== null) {
            // websocket.smx unloading: every child gets Close 1001 (going away).
            expect((await child.waitClose(STEP_MS)).code).toBe(1001);
          }
          await until(() => s.disconnect !== null, STEP_MS, "the Socket.IO client's disconnect");
          await line(`\\[SM\\] Plugin WebSocket reloaded successfully`, from);
          never(`^E2E (big|small) (disc|iodisc|err|ioerr) `, from);
          // The consumers were "Error: Depends on plugin websocket.smx" while it was away, and are
          // running again: their natives are bound to the new websocket.smx.
          const at = srv.mark();
          srv.send("sm plugins list");
          await line(`Disabled: "Reserved Slots"`, at);
          const listed = srv.since(at).filter((l) => /"(big|small|WebSocket)"/.test(l));
          expect(listed.map((l) => l.replace(/^\s*\d+\s+/, ""))).toEqual(
            expect.arrayContaining([
              expect.stringMatching(/^"WebSocket"/),
              expect.stringMatching(/^"big"/),
              expect.stringMatching(/^"small"/),
            ]),
          );
          // The default consumer never heard that its connection (tag 31) went away: its stale handle reads State_Closed.
          cmd("small", "state", 31);
          await line(`^E2E small state 31 3$`, at);
          conn = await openWs("big", 1);
          const newHandle = /^E2E big connecting 1 (\d+)$/.exec(
            srv.since(at).find((l) => l.startsWith("E2E big connecting 1 "))!,
          )![1];
          figures.push(
            `handle of the first connection before/after reloading websocket.smx: ${firstHandle}/${newHandle}${
              firstHandle === newHandle ? " (handle values restart with the plugin)" : ""
            }`,
          );
          const msg = Buffer.from("after websocket.smx reload");
          const at2 = srv.mark();
          conn.ws.send(msg);
          await line(`^E2E big recv 1 b ${msg.length} ${crcHex(msg)} `, at2);
          await openWs("small", 32);
          await openIo("big", 10, sio, "/e2e", { token: SIO_TOKEN });
          expect(blamed(srv.since(from))).not.toContain("websocket.smx");
        } catch (e) {
          const exit = srv.exitStatus();
          if (extension === "oldmagic" && exit !== null && exit.signal !== null && exit.signal !== "SIGTERM") {
            // Known defect of the oldmagic extension, not of websocket.smx: SocketHandler::DestroySocket
            // frees the SocketWrapper without removing the callbacks queued for it
            // (CallbackHandler::RemoveCallbacks is never called; the JoinedSenses build calls it in
            // ~SocketWrapper), so a read that completes just before websocket.smx's handles are freed
            // leaves a dangling callback, and the next frame crashes in Callback::IsExecutable.
            const note = `oldmagic socket.ext.so crashed srcds (${exit.signal}) while websocket.smx unloaded: use-after-free of a queued callback (extension bug)`;
            figures.push(`KNOWN EXTENSION BUG: ${note}`);
            console.warn(`SKIPPED sourcemod-${extension}.test.ts: ${note}`);
            ctx.skip(note);
          }
          throw e;
        }
      });
    });

    it("error log: no exception blamed on websocket.smx; the only exceptions are the throwing consumer's", async () => {
      const stop = await srv.stop();
      const crashedInOldmagic = figures.some((f) => f.startsWith("KNOWN EXTENSION BUG"));
      if (!crashedInOldmagic) {
        expect(stop).toEqual({ code: 0, signal: null });
      }
      const log = srv.errorLog();
      expect(log).toContain("SourceMod error session started");
      expect(blamed(log).filter((b) => b === "websocket.smx")).toEqual([]);
      expect([...new Set(blamed(log))]).toEqual(["e2e_big.smx"]);
      expect(exceptions(log).length).toBe(blamed(log).length);
      expect(exceptions(log).every((e) => e.startsWith("Array index out-of-bounds"))).toBe(true);
    });
  });
}
