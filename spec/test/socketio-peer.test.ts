/**
 * The Socket.IO core (codecs, heartbeat, backoff), driven by the harness
 * SioClient over the harness WsClient, against a real socket.io 4.x server
 * (websocket transport only) on 127.0.0.1, and against a raw ws server that
 * opens an Engine.IO session and then goes silent.
 */
import type { EventEmitter } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Socket } from "socket.io";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { SIO_MAX_ACK_TIMEOUT_MS } from "../core/siosession.js";
import { SioClient, type SioClientOptions } from "../harness/sioClient.js";

interface Io {
  io: Server;
  port: number;
  url: string;
  /** The server offers connection state recovery (its CONNECT reply then carries a pid). */
  recovery: boolean;
}

const clients: SioClient[] = [];
const ios: Server[] = [];
const raws: WebSocketServer[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(ios.splice(0).map((io) => new Promise<void>((r) => io.close(() => r()))));
  await Promise.all(
    raws.splice(0).map(
      (w) =>
        new Promise<void>((r) => {
          for (const s of w.clients) s.terminate();
          w.close(() => r());
        }),
    ),
  );
});

async function startIo(port = 0, opts: Partial<ConstructorParameters<typeof Server>[1]> = {}): Promise<Io> {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { transports: ["websocket"], pingInterval: 200, pingTimeout: 200, ...opts });
  ios.push(io);
  await new Promise<void>((r) => httpServer.listen(port, "127.0.0.1", () => r()));
  const p = (httpServer.address() as AddressInfo).port;
  return { io, port: p, url: `ws://127.0.0.1:${p}`, recovery: opts.connectionStateRecovery !== undefined };
}

async function stopIo(io: Server): Promise<void> {
  ios.splice(ios.indexOf(io), 1);
  await new Promise<void>((r) => io.close(() => r()));
}

function client(opts: SioClientOptions): SioClient {
  const c = new SioClient(opts);
  c.on("error", () => {});
  clients.push(c);
  return c;
}

function waitFor<T extends unknown[]>(
  em: EventEmitter,
  event: string,
  pred: (...args: any[]) => boolean = () => true,
  ms = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      em.off(event, handler);
      reject(new Error(`timed out waiting for "${event}"`));
    }, ms);
    const handler = (...args: unknown[]): void => {
      if (pred(...args)) {
        clearTimeout(timer);
        em.off(event, handler);
        resolve(args as T);
      }
    };
    em.on(event, handler);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function joinMain(s: Io, opts: Partial<SioClientOptions> = {}): Promise<{ c: SioClient; sock: Socket }> {
  const sock = waitFor<[Socket]>(s.io, "connection");
  const c = client({ url: s.url, ...opts });
  const [nsp, data] = await waitFor<[string, string]>(c, "connect");
  const [serverSock] = await sock;
  expect(nsp).toBe("/");
  const { pid, ...rest } = JSON.parse(data) as { pid?: string };
  expect(rest).toEqual({ sid: serverSock.id });
  expect(typeof pid).toBe(s.recovery ? "string" : "undefined");
  // The Engine.IO session id (private in the server typings).
  expect(c.sid).toBe((serverSock.conn as unknown as { id: string }).id);
  return { c, sock: serverSock };
}

describe("against a real socket.io 4.x server", () => {
  it("connects to / and emits both ways", async () => {
    const s = await startIo();
    const { c, sock } = await joinMain(s);

    const got = new Promise<unknown[]>((r) => sock.on("hello", (...args: unknown[]) => r(args)));
    c.send("hello", '{"round":3},"x",[1,2],null,"é😀\\n\\u0000"');
    expect(await got).toEqual([{ round: 3 }, "x", [1, 2], null, "é😀\n\u0000"]);

    const ev = waitFor<[string, string, string, number]>(c, "event");
    sock.emit("match_event", { round: 3 }, 'q"\\', [true, 1.5e300]);
    const [nsp, name, args, ackId] = await ev;
    expect([nsp, name, ackId]).toEqual(["/", "match_event", -1]);
    expect(JSON.parse(args)).toEqual([{ round: 3 }, 'q"\\', [true, 1.5e300]]);

    const bare = waitFor<[string, string, string, number]>(c, "event");
    sock.emit("tick");
    expect((await bare).slice(1)).toEqual(["tick", "[]", -1]);
  });

  it("receives BINARY_EVENT and BINARY_ACK with their attachments (Buffers, NUL and 0xFF, 70,000 bytes), a ping between them answered", async () => {
    const s = await startIo();
    const { c, sock } = await joinMain(s);
    const ev = waitFor<[string, string, string, number, Buffer[]]>(c, "event");
    const big = Buffer.alloc(70000, 7);
    sock.emit("bin", Buffer.from([0, 255, 1]), { a: 1 }, big);
    const [, name, args, ackId, attachments] = await ev;
    expect([name, ackId]).toEqual(["bin", -1]);
    expect(JSON.parse(args)).toEqual([{ _placeholder: true, num: 0 }, { a: 1 }, { _placeholder: true, num: 1 }]);
    expect(attachments.map((b) => b.toString("hex"))).toEqual(["00ff01", big.toString("hex")]);
    sock.on("ask", (cb: (...a: unknown[]) => void) => cb("ok", Buffer.from("zz\u0000")));
    const [ackArgs, , ackAttachments] = await new Promise<[string, Error | undefined, Buffer[] | undefined]>((r) =>
      c.send("ask", "", (a, e, at) => r([a, e, at])),
    );
    expect(JSON.parse(ackArgs)).toEqual(["ok", { _placeholder: true, num: 0 }]);
    expect(ackAttachments?.map((b) => b.toString("latin1"))).toEqual(["zz\u0000"]);
  });

  it("refuses locally an emit larger than the server's maxPayload, and the connection stays up", async () => {
    const s = await startIo(0, { maxHttpBufferSize: 1000 });
    const { c, sock } = await joinMain(s);
    const errors: Error[] = [];
    c.on("error", (e: Error) => errors.push(e));
    // 42["big","xxx…"]: 2 + 7 + 992 + 1 = 1002 bytes, over the 1,000 the server announced.
    expect(c.send("big", JSON.stringify("x".repeat(990)))).toBe(false);
    expect(errors.map((e) => e.message)).toEqual([
      "packet of 1002 bytes not sent: the server accepts at most 1000 (maxPayload)",
    ]);
    expect(c.ack(1, JSON.stringify("y".repeat(995)))).toBe(false);
    // Just under the limit goes through, on the same connection.
    const got = new Promise<unknown[]>((r) => sock.on("big", (...args: unknown[]) => r(args)));
    expect(c.send("big", JSON.stringify("x".repeat(987)))).toBe(true);
    expect(await got).toEqual(["x".repeat(987)]);
    expect(sock.connected).toBe(true);
  });

  it("acknowledges both ways", async () => {
    const s = await startIo();
    const { c, sock } = await joinMain(s);

    sock.on("sum", (a: number, b: number, cb: (...r: unknown[]) => void) => cb(a + b, "ok"));
    const ack = await new Promise<string>((r) => c.send("sum", "2, 3", r));
    expect(JSON.parse(ack)).toEqual([5, "ok"]);
    const ack2 = await new Promise<string>((r) => c.send("sum", "40,2", r));
    expect(JSON.parse(ack2)).toEqual([42, "ok"]);

    c.on("event", (_nsp: string, name: string, args: string, id: number) => {
      if (name === "question") {
        expect(id).toBeGreaterThanOrEqual(0);
        c.ack(id, `"answer", ${(JSON.parse(args) as number[])[0] * 2}`);
      }
    });
    const reply = await new Promise<unknown[]>((r) => sock.emit("question", 21, (...a: unknown[]) => r(a)));
    expect(reply).toEqual(["answer", 42]);
    expect(await sock.timeout(2000).emitWithAck("question", 1)).toBe("answer");
  });

  it("joins a custom namespace with auth, and gets CONNECT_ERROR from a refusing middleware", async () => {
    const s = await startIo();
    const admin = s.io.of("/admin");
    admin.use((socket, next) => {
      if ((socket.handshake.auth as { token?: string }).token === "abc") next();
      else next(new Error("Not authorized"));
    });
    const seen = waitFor<[Socket]>(admin, "connection");
    const c = client({ url: s.url, nsp: "/admin", auth: '{"token":"abc"}' });
    const [nsp, data] = await waitFor<[string, string]>(c, "connect");
    const [sock] = await seen;
    expect(nsp).toBe("/admin");
    expect(JSON.parse(data)).toEqual({ sid: sock.id });
    expect(sock.handshake.auth).toEqual({ token: "abc" });
    // The main namespace was never joined.
    expect(s.io.of("/").sockets.size).toBe(0);

    // Events and acks carry the namespace.
    sock.on("echo", (v: unknown, cb: (v: unknown) => void) => cb(v));
    expect(JSON.parse(await new Promise<string>((r) => c.send("echo", '{"k":[1]}', r)))).toEqual([{ k: [1] }]);
    const ev = waitFor<[string, string, string, number]>(c, "event");
    admin.emit("broadcast", 7);
    expect(await ev).toEqual(["/admin", "broadcast", "[7]", -1]);

    for (const auth of ['{"token":"nope"}', ""]) {
      const bad = client({ url: s.url, nsp: "/admin", auth, reconnectionDelay: 20, reconnectionDelayMax: 40 });
      let attempts = 0;
      bad.io.on("reconnect_attempt", () => attempts++);
      const final = waitFor<[string, string, boolean]>(bad, "disconnect");
      const closed = waitFor<[string]>(bad.io, "close");
      const [ensp, edata] = await waitFor<[string, string]>(bad, "connect_error");
      expect(ensp).toBe("/admin");
      expect(JSON.parse(edata)).toEqual({ message: "Not authorized" });
      // CONNECT_ERROR ends the session: no reconnect, as socket.io-client.
      expect(await final).toEqual(["/admin", "connect error", false]);
      expect(await closed).toEqual(["connect error"]);
      await sleep(100);
      expect(attempts).toBe(0);
    }

    // Auth must be a JSON object (as SocketIO_Connect checks it): refused before any connection.
    expect(() => new SioClient({ url: s.url, nsp: "/admin", auth: "[1]" })).toThrow(/auth/);

    // Leaving sends DISCONNECT for the namespace, then the session ends and its transport closes.
    const gone = new Promise<string>((r) => sock.on("disconnect", r));
    const closed = waitFor<[string]>(c.io, "close");
    c.close();
    expect(await gone).toBe("client namespace disconnect");
    expect(await closed).toEqual(["io client disconnect"]);
    expect(c.connected).toBe(false);
    await sleep(200);
    expect(s.io.engine.clientsCount).toBe(0);
  });

  it("answers several heartbeats with a short pingInterval and stays connected", async () => {
    const s = await startIo(0, { pingInterval: 150, pingTimeout: 150 });
    const { c, sock } = await joinMain(s);
    let pongs = 0;
    sock.conn.on("packet", (p: { type: string }) => {
      if (p.type === "pong") pongs++;
    });
    let pings = 0;
    c.io.on("ping", () => pings++);
    await sleep(1000);
    // About 6 at 150 ms; leave room for a loaded machine.
    expect(pings).toBeGreaterThanOrEqual(3);
    expect(pongs).toBeGreaterThanOrEqual(3);
    expect(Math.abs(pings - pongs)).toBeLessThanOrEqual(1);
    expect(sock.connected).toBe(true);
    expect(c.connected).toBe(true);
  });

  it("gets a server-side namespace disconnect, closes the Engine.IO connection and does not join again", async () => {
    const s = await startIo();
    const { c, sock } = await joinMain(s, { reconnectionDelay: 50, reconnectionDelayMax: 100 });
    let attempts = 0;
    c.io.on("reconnect_attempt", () => attempts++);
    const disc = waitFor<[string, string, boolean]>(c, "disconnect");
    const closed = waitFor<[string]>(c.io, "close");
    sock.disconnect();
    // The session (siosession.ts) ends on the server's DISCONNECT: the final disconnect and the
    // close carry "io server disconnect", the reason the plugin reports too.
    expect(await disc).toEqual(["/", "io server disconnect", false]);
    expect(await closed).toEqual(["io server disconnect"]);
    await sleep(500);
    expect(s.io.of("/").sockets.size).toBe(0);
    expect(s.io.engine.clientsCount).toBe(0);
    expect(c.connected).toBe(false);
    expect(attempts).toBe(0);
  });

  it("after socket.disconnect(true) on the server: no reconnect, as socket.io-client and the plugin do", async () => {
    const s = await startIo();
    const { c, sock } = await joinMain(s, { reconnectionDelay: 50, reconnectionDelayMax: 100 });
    let attempts = 0;
    c.io.on("reconnect_attempt", () => attempts++);
    const disc = waitFor<[string, string, boolean]>(c, "disconnect");
    const closed = waitFor<[string]>(c.io, "close");
    sock.disconnect(true);
    expect(await disc).toEqual(["/", "io server disconnect", false]);
    expect(await closed).toEqual(["io server disconnect"]);
    await sleep(600);
    expect(attempts).toBe(0);
    expect(s.io.engine.clientsCount).toBe(0);
    expect(c.connected).toBe(false);
  });

  it("reconnects with backoff after the server restarts on the same port, and joins again", async () => {
    const a = await startIo();
    const { c } = await joinMain(a, { reconnectionDelay: 50, reconnectionDelayMax: 200 });
    const attempts: number[] = [];
    c.io.on("reconnect_attempt", (n: number, delay: number) => {
      attempts.push(n);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(200);
    });
    const disc = waitFor<[string, string, boolean]>(c, "disconnect");
    await stopIo(a.io);
    expect(await disc).toEqual(["/", "transport close", true]);
    // Emits made during the outage wait in the session's queue, acks included.
    expect(c.send("queued", '"during outage"')).toBe(true);
    const queuedAck = new Promise<string>((r) => c.send("queuedAck", "20,1", r));
    // Let a few attempts hit the closed port (delays about 50, 100, 200 ms).
    await sleep(600);
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    expect(attempts.slice(0, 2)).toEqual([1, 2]);

    const b = await startIo(a.port);
    const queued = new Promise<unknown[]>((r) =>
      b.io.on("connection", (sk: Socket) => {
        sk.on("queued", (...args: unknown[]) => r(args));
        sk.on("queuedAck", (x: number, y: number, cb: (v: number) => void) => cb(x + y));
      }),
    );
    const sock = waitFor<[Socket]>(b.io, "connection");
    const [nsp] = await waitFor<[string, string]>(c, "connect");
    expect(nsp).toBe("/");
    // Flushed on CONNECT, in order, and the queued emit's ack comes back.
    expect(await queued).toEqual(["during outage"]);
    expect(JSON.parse(await queuedAck)).toEqual([21]);
    const [serverSock] = await sock;
    const got = new Promise<unknown[]>((r) => serverSock.on("back", (...args: unknown[]) => r(args)));
    c.send("back", "1");
    expect(await got).toEqual([1]);
    // A successful open resets the backoff: the next failure starts from attempt 1 again.
    attempts.length = 0;
    const again = waitFor<[number, number]>(c.io, "reconnect_attempt");
    await stopIo(b.io);
    expect((await again)[0]).toBe(1);
  });
});

describe("ack timeouts and connection state recovery (session decisions, real server)", () => {
  it("fails an unanswered ack once after its timeout, ignores its late ACK, and fails pending ones at close before the final disconnect", async () => {
    const s = await startIo();
    const { c, sock } = await joinMain(s);
    let late: ((v: number) => void) | null = null;
    sock.on("slow", (cb: (v: number) => void) => (late = cb));
    sock.on("fast", (cb: (v: number) => void) => cb(7));
    sock.on("never", () => {});
    const calls: string[] = [];
    const t0 = performance.now();
    const failed = new Promise<number>((r) =>
      c.send(
        "slow",
        "",
        (json, err) => {
          calls.push(err ? `slow failed: ${err.message}` : `slow ${json}`);
          r(performance.now() - t0);
        },
        150,
      ),
    );
    expect(JSON.parse(await new Promise<string>((r) => c.send("fast", "", r, 1000)))).toEqual([7]);
    expect(await failed).toBeGreaterThanOrEqual(149);
    late!(1);
    await sleep(50);
    expect(calls).toEqual(["slow failed: acknowledgement timed out or lost"]);
    // One with a long timeout is failed when the session ends, before the final disconnect.
    c.send("never", "", (_json, err) => calls.push(`never: ${err?.message}`), 60000);
    c.on("disconnect", (_n: string, reason: string) => calls.push(`disconnect ${reason}`));
    expect(() => c.send("x", "", () => {}, SIO_MAX_ACK_TIMEOUT_MS + 1)).toThrow(/ack timeout/);
    c.close();
    expect(calls.slice(1)).toEqual(["never: the session ended", "disconnect io client disconnect"]);
  });

  it("recovers the session after a transport loss: CONNECT with pid and offset, recovered = true, missed events replayed", async () => {
    const s = await startIo(0, { connectionStateRecovery: { maxDisconnectionDuration: 5000 } });
    const { c, sock } = await joinMain(s, { reconnectionDelay: 20, reconnectionDelayMax: 40 });
    const events: string[] = [];
    c.on("event", (_n: string, name: string, args: string) => events.push(`${name} ${args}`));
    s.io.emit("before", 1);
    await waitFor(c, "event");
    const again = waitFor<[string, string, boolean]>(c, "connect");
    const disc = waitFor<[string, string, boolean]>(c, "disconnect");
    // Drop the Engine.IO connection (recoverable on the server), then emit while the client is away.
    sock.conn.close();
    expect((await disc).slice(2)).toEqual([true]);
    s.io.emit("missed", 2);
    const [, , recovered] = await again;
    expect(recovered).toBe(true);
    await sleep(100);
    expect(events.map((e) => e.replace(/,"[^"]*"\]$/, "]"))).toEqual(["before [1]", "missed [2]"]);
  });
});

describe("against a server that goes away for good", () => {
  it("gives up after reconnectionAttempts: reconnect_failed, then the final disconnect and close", async () => {
    const a = await startIo();
    const { c } = await joinMain(a, { reconnectionDelay: 20, reconnectionDelayMax: 40, reconnectionAttempts: 2 });
    const events: unknown[][] = [];
    // The namespace's events and its connection's, in one timeline.
    for (const e of ["disconnect", "reconnect_attempt", "reconnect_failed", "close", "connect"]) {
      const em: EventEmitter = e === "disconnect" || e === "connect" ? c : c.io;
      // reconnect_attempt: the attempt number (its delay varies with the jitter).
      em.on(e, (...args: unknown[]) => events.push([e, ...(e === "reconnect_attempt" ? args.slice(0, 1) : args)]));
    }
    const closed = waitFor<[string]>(c.io, "close");
    await stopIo(a.io);
    expect(await closed).toEqual(["reconnect failed"]);
    expect(events).toEqual([
      ["disconnect", "/", "transport close", true],
      ["reconnect_attempt", 1],
      ["reconnect_attempt", 2],
      ["reconnect_failed"],
      ["disconnect", "/", "reconnect failed", false],
      ["close", "reconnect failed"],
    ]);
    expect(c.send("late")).toBe(false);
  });
});

describe("against a server that stops pinging", () => {
  it("closes with ping timeout after pingInterval + pingTimeout", async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, path: "/socket.io/" });
    raws.push(wss);
    await new Promise<void>((r) => wss.once("listening", () => r()));
    const port = (wss.address() as AddressInfo).port;
    let pings = 2;
    wss.on("connection", (ws) => {
      ws.send('0{"sid":"silent","upgrades":[],"pingInterval":100,"pingTimeout":100,"maxPayload":1000}');
      // Two pings, 60 ms apart, then silence.
      const t = setInterval(() => {
        if (pings-- > 0) ws.send("2");
        else clearInterval(t);
      }, 60);
    });
    const c = client({ url: `ws://127.0.0.1:${port}`, reconnection: false });
    const pongs: string[] = [];
    wss.on("connection", (ws) => ws.on("message", (m) => pongs.push(m.toString())));
    await waitFor(c.io, "open");
    const lastPing = await waitFor(c.io, "ping", () => pings <= 0);
    expect(lastPing).toEqual([]);
    const t0 = performance.now();
    const final = waitFor<[string, string, boolean]>(c, "disconnect");
    const [reason] = await waitFor<[string]>(c.io, "close");
    const waited = performance.now() - t0;
    expect(reason).toBe("ping timeout");
    // Never joined (this server ignores CONNECT), yet the session's end is reported, as the plugin does.
    expect(await final).toEqual(["/", "ping timeout", false]);
    expect(c.connected).toBe(false);
    // The CONNECT the session sends after the open packet, then a pong per ping.
    expect(pongs).toEqual(["40", "3", "3"]);
    expect(waited).toBeGreaterThanOrEqual(195);
    expect(waited).toBeLessThan(2000);
  });
});

describe("several namespaces over one Engine.IO connection (socket.io-client's multiplexing)", () => {
  /** Clients on "/" and "/admin" of one server, both joined; the server's sockets of each. */
  async function joinBoth(
    s: Io,
    opts: Partial<SioClientOptions> = {},
  ): Promise<{ main: SioClient; admin: SioClient; sockMain: Socket; sockAdmin: Socket }> {
    const seenMain = waitFor<[Socket]>(s.io, "connection");
    const seenAdmin = waitFor<[Socket]>(s.io.of("/admin"), "connection");
    const main = client({ url: s.url, ...opts });
    const admin = client({ url: s.url, nsp: "/admin", auth: '{"role":"admin"}', ...opts });
    const [[nspMain, , recMain], [nspAdmin, , recAdmin]] = await Promise.all([
      waitFor<[string, string, boolean]>(main, "connect"),
      waitFor<[string, string, boolean]>(admin, "connect"),
    ]);
    expect([nspMain, recMain, nspAdmin, recAdmin]).toEqual(["/", false, "/admin", false]);
    const [[sockMain], [sockAdmin]] = await Promise.all([seenMain, seenAdmin]);
    return { main, admin, sockMain, sockAdmin };
  }

  it("shares one connection: one Engine.IO client on the server, the same conn for both sockets, events routed by namespace", async () => {
    const s = await startIo();
    const { main, admin, sockMain, sockAdmin } = await joinBoth(s);
    expect(admin.io).toBe(main.io);
    expect(main.io.sockets).toEqual([main, admin]);
    expect(s.io.engine.clientsCount).toBe(1);
    expect(sockAdmin.conn).toBe(sockMain.conn);
    expect(sockAdmin.handshake.auth).toEqual({ role: "admin" });
    expect(main.sid).toBe((sockMain.conn as unknown as { id: string }).id);
    expect(admin.sid).toBe(main.sid);

    const events: string[] = [];
    main.on("event", (nsp: string, name: string, args: string) => events.push(`${nsp} ${name} ${args}`));
    admin.on("event", (nsp: string, name: string, args: string) => events.push(`${nsp} ${name} ${args}`));
    sockMain.emit("to_main", 1);
    sockAdmin.emit("to_admin", 2);
    s.io.of("/admin").emit("admin_broadcast", 3);
    s.io.emit("main_broadcast", 4);
    await new Promise<void>((r) => {
      const t = setInterval(() => {
        if (events.length >= 4) {
          clearInterval(t);
          r();
        }
      }, 5);
    });
    await sleep(50);
    expect(events).toEqual([
      "/ to_main [1]",
      "/admin to_admin [2]",
      "/admin admin_broadcast [3]",
      "/ main_broadcast [4]",
    ]);

    // Emits and acks go to the namespace that sent them.
    const got: string[] = [];
    sockMain.on("hi", (v: string, cb: (x: string) => void) => (got.push(`main ${v}`), cb("main ack")));
    sockAdmin.on("hi", (v: string, cb: (x: string) => void) => (got.push(`admin ${v}`), cb("admin ack")));
    const [a1, a2] = await Promise.all([
      new Promise<string>((r) => main.send("hi", '"m"', r)),
      new Promise<string>((r) => admin.send("hi", '"a"', r)),
    ]);
    expect([JSON.parse(a1), JSON.parse(a2)]).toEqual([["main ack"], ["admin ack"]]);
    expect(got.sort()).toEqual(["admin a", "main m"]);
    // A third client on an origin whose connection holds its namespace gets its own connection; forceNew too.
    const other = client({ url: s.url });
    const forced = client({ url: s.url, nsp: "/admin", forceNew: true });
    expect(other.io).not.toBe(main.io);
    expect(forced.io).not.toBe(main.io);
    await Promise.all([waitFor(other, "connect"), waitFor(forced, "connect")]);
    expect(s.io.engine.clientsCount).toBe(3);
    // The forced one is not shared: a later /admin client joins `other`'s connection (the first that fits).
    const later = client({ url: s.url, nsp: "/admin" });
    expect(later.io).toBe(other.io);
    await waitFor(later, "connect");
    expect(s.io.engine.clientsCount).toBe(3);
    // conn.socket() joins a given connection: its CONNECT goes out at once on the open Engine.IO connection.
    const seenThird = waitFor<[Socket]>(s.io.of("/third"), "connection");
    const third = main.io.socket("/third");
    third.on("error", () => {});
    clients.push(third);
    await waitFor(third, "connect");
    expect((await seenThird)[0].conn).toBe(sockMain.conn);
    expect(() => main.io.socket("/admin")).toThrow(/already holds/);
  });

  it("a server disconnect of one namespace leaves the other up; the last namespace leaving closes the connection", async () => {
    const s = await startIo();
    const { main, admin, sockMain, sockAdmin } = await joinBoth(s, {
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
    });
    let attempts = 0;
    let closes = 0;
    main.io.on("reconnect_attempt", () => attempts++);
    main.io.on("close", () => closes++);
    const mainEvents: unknown[][] = [];
    main.on("disconnect", (...a: unknown[]) => mainEvents.push(a));
    const adminGone = waitFor<[string, string, boolean]>(admin, "disconnect");
    sockAdmin.disconnect();
    expect(await adminGone).toEqual(["/admin", "io server disconnect", false]);
    await sleep(100);
    expect(mainEvents).toEqual([]);
    expect(main.connected).toBe(true);
    expect(main.io.sockets).toEqual([main]);
    expect(s.io.engine.clientsCount).toBe(1);
    expect(s.io.of("/admin").sockets.size).toBe(0);
    const got = new Promise<unknown[]>((r) => sockMain.on("still", (...a: unknown[]) => r(a)));
    expect(admin.send("late")).toBe(false);
    main.send("still", '"here"');
    expect(await got).toEqual(["here"]);
    expect(closes).toBe(0);

    // The last namespace leaves: DISCONNECT, its final disconnect, then the connection closes.
    const order: string[] = [];
    main.on("disconnect", (_n: string, reason: string, again: boolean) => order.push(`disconnect ${reason} ${again}`));
    main.io.on("close", (reason: string) => order.push(`close ${reason}`));
    const serverGone = new Promise<string>((r) => sockMain.on("disconnect", r));
    main.close();
    expect(order).toEqual(["disconnect io client disconnect false", "close io client disconnect"]);
    expect(await serverGone).toBe("client namespace disconnect");
    await sleep(200);
    expect(s.io.engine.clientsCount).toBe(0);
    expect(attempts).toBe(0);
    // A new client on that origin opens a new connection.
    const again = client({ url: s.url });
    expect(again.io).not.toBe(main.io);
    await waitFor(again, "connect");
  });

  it("disconnect(true) on the server ends both namespaces with io server disconnect, and nothing reconnects", async () => {
    const s = await startIo();
    const { main, admin, sockAdmin } = await joinBoth(s, { reconnectionDelay: 50, reconnectionDelayMax: 100 });
    let attempts = 0;
    main.io.on("reconnect_attempt", () => attempts++);
    const events: unknown[][] = [];
    main.on("disconnect", (...a: unknown[]) => events.push(a));
    admin.on("disconnect", (...a: unknown[]) => events.push(a));
    const closed = waitFor<[string]>(main.io, "close");
    sockAdmin.disconnect(true);
    expect(await closed).toEqual(["io server disconnect"]);
    expect(events.sort()).toEqual([
      ["/", "io server disconnect", false],
      ["/admin", "io server disconnect", false],
    ]);
    await sleep(500);
    expect(attempts).toBe(0);
    expect(s.io.engine.clientsCount).toBe(0);
    expect(main.connected || admin.connected).toBe(false);
  });

  it("a client closing one namespace, or a CONNECT_ERROR on another, leaves the connection and the other namespace up", async () => {
    const s = await startIo();
    s.io.of("/locked").use((_socket, next) => next(new Error("locked")));
    const { main, admin, sockMain, sockAdmin } = await joinBoth(s);
    const locked = client({ url: s.url, nsp: "/locked" });
    expect(locked.io).toBe(main.io);
    const [, err] = await waitFor<[string, string]>(locked, "connect_error");
    expect(JSON.parse(err)).toEqual({ message: "locked" });
    expect(main.io.sockets).toEqual([main, admin]);
    const adminGone = new Promise<string>((r) => sockAdmin.on("disconnect", r));
    admin.close();
    expect(await adminGone).toBe("client namespace disconnect");
    await sleep(100);
    expect(sockMain.connected).toBe(true);
    expect(main.connected).toBe(true);
    expect(s.io.engine.clientsCount).toBe(1);
    const got = new Promise<unknown[]>((r) => sockMain.on("ping_me", (...a: unknown[]) => r(a)));
    main.send("ping_me", "1");
    expect(await got).toEqual([1]);
  });

  it("recovers both namespaces after a transport loss: each its own pid and offset, every missed event once, in order", async () => {
    const s = await startIo(0, { connectionStateRecovery: { maxDisconnectionDuration: 5000 } });
    const { main, admin } = await joinBoth(s, { reconnectionDelay: 50, reconnectionDelayMax: 50 });
    expect(main.session.pidLen).toBeGreaterThan(0);
    expect(admin.session.pidLen).toBeGreaterThan(0);
    const events: string[] = [];
    for (const c of [main, admin]) {
      c.on("event", (nsp: string, name: string, args: string) =>
        events.push(`${nsp} ${name} ${JSON.stringify(JSON.parse(args)[0])}`),
      );
    }
    /** Cuts the Engine.IO connection, runs `meanwhile`, and returns the two namespaces' recovered flags. */
    const cut = async (meanwhile: () => void): Promise<[boolean, boolean]> => {
      const seen = waitFor<[Socket]>(s.io, "connection");
      const again = Promise.all([
        waitFor<[string, string, boolean]>(main, "connect"),
        waitFor<[string, string, boolean]>(admin, "connect"),
      ]);
      const lost = Promise.all([waitFor(main, "disconnect"), waitFor(admin, "disconnect")]);
      [...s.io.of("/").sockets.values()][0].conn.close();
      await lost;
      meanwhile();
      const [[, , r1], [, , r2]] = await again;
      await seen;
      return [r1, r2];
    };
    // No event received yet, so no offset to send: the server does not recover (socket.io-client alike).
    expect(await cut(() => {})).toEqual([false, false]);
    s.io.emit("m", 0);
    s.io.of("/admin").emit("a", 0);
    await sleep(100);
    expect(
      await cut(() => {
        for (let i = 1; i <= 5; i++) {
          s.io.emit("m", i);
          s.io.of("/admin").emit("a", i);
        }
      }),
    ).toEqual([true, true]);
    await sleep(100);
    const of = (prefix: string): string[] => events.filter((e) => e.startsWith(prefix));
    expect(of("/ ")).toEqual([0, 1, 2, 3, 4, 5].map((i) => `/ m ${i}`));
    expect(of("/admin ")).toEqual([0, 1, 2, 3, 4, 5].map((i) => `/admin a ${i}`));
    expect(s.io.engine.clientsCount).toBe(1);
  });

  it("an emit queued during an outage with an ack timeout is answered after the reconnect and not failed", async () => {
    const a = await startIo();
    const { c } = await joinMain(a, { reconnectionDelay: 30, reconnectionDelayMax: 30, randomizationPermille: 0 });
    const disc = waitFor(c, "disconnect");
    await stopIo(a.io);
    await disc;
    const calls: string[] = [];
    const done = new Promise<void>((r) =>
      c.send(
        "sum",
        "1,2",
        (json, err) => {
          calls.push(err ? `failed ${err.message}` : json);
          r();
        },
        3000,
      ),
    );
    await sleep(100);
    const b = await startIo(a.port);
    b.io.on("connection", (sk: Socket) => sk.on("sum", (x: number, y: number, cb: (v: number) => void) => cb(x + y)));
    await done;
    await sleep(50);
    expect(calls).toEqual(["[3]"]);
  });

  it("an emit queued during an outage whose ack times out first is never sent (as socket.io-client's timeout removes it); a plain queued emit is", async () => {
    const a = await startIo();
    const { c } = await joinMain(a, { reconnectionDelay: 30, reconnectionDelayMax: 30, randomizationPermille: 0 });
    const disc = waitFor(c, "disconnect");
    await stopIo(a.io);
    await disc;
    const calls: string[] = [];
    c.send("slow", "1", (json, err) => calls.push(err ? "failed" : json), 100);
    c.send("plain", "2");
    await sleep(300);
    expect(calls).toEqual(["failed"]);
    const b = await startIo(a.port);
    const seen: string[] = [];
    b.io.on("connection", (sk: Socket) => sk.onAny((ev: string) => seen.push(ev)));
    await waitFor(c, "connect");
    await sleep(200);
    expect(seen).toEqual(["plain"]);
    expect(calls).toEqual(["failed"]);
  });

  it("a lost transport: both namespaces are told (willReconnect), one reconnect, and both join again on the new connection", async () => {
    const s = await startIo();
    const { main, admin, sockMain } = await joinBoth(s, { reconnectionDelay: 20, reconnectionDelayMax: 40 });
    const attempts: number[] = [];
    main.io.on("reconnect_attempt", (n: number) => attempts.push(n));
    const lost = Promise.all([
      waitFor<[string, string, boolean]>(main, "disconnect"),
      waitFor<[string, string, boolean]>(admin, "disconnect"),
    ]);
    const back = Promise.all([waitFor(main, "connect"), waitFor(admin, "connect")]);
    sockMain.conn.close();
    expect(await lost).toEqual([
      ["/", "transport close", true],
      ["/admin", "transport close", true],
    ]);
    await back;
    expect(attempts).toEqual([1]);
    expect(s.io.engine.clientsCount).toBe(1);
    expect(main.sid).not.toBe("");
    expect(main.sid).toBe(admin.sid);
  });
});

describe("ack timeouts and recovery, more (real server)", () => {
  it("an answered ack with a timeout is never failed; an unanswered one fails once; a late answer is ignored", async () => {
    const s = await startIo();
    const { c, sock } = await joinMain(s);
    const late: Array<(v: number) => void> = [];
    sock.on("answer", (v: number, cb: (v: number) => void) => cb(v + 1));
    sock.on("hold", (cb: (v: number) => void) => late.push(cb));
    const calls: string[] = [];
    for (let i = 0; i < 5; i++) c.send("answer", String(i), (json, err) => calls.push(err ? `fail ${i}` : json), 100);
    c.send("hold", "", (json, err) => calls.push(err ? "hold failed" : `hold ${json}`), 100);
    await sleep(250);
    late[0]!(9);
    await sleep(100);
    expect(calls).toEqual(["[1]", "[2]", "[3]", "[4]", "[5]", "hold failed"]);
    expect(c.connected).toBe(true);
  });

  it("connection state recovery: 20 broadcasts while cut off all arrive once, in order, and recovered is true", async () => {
    const s = await startIo(0, { connectionStateRecovery: { maxDisconnectionDuration: 5000 } });
    const { c, sock } = await joinMain(s, {
      reconnectionDelay: 100,
      reconnectionDelayMax: 100,
      randomizationPermille: 0,
    });
    const events: string[] = [];
    c.on("event", (_n: string, name: string, args: string) =>
      events.push(`${name} ${JSON.stringify(JSON.parse(args)[0])}`),
    );
    s.io.emit("before", 0);
    await waitFor(c, "event");
    const disc = waitFor<[string, string, boolean]>(c, "disconnect");
    const again = waitFor<[string, string, boolean]>(c, "connect");
    const seen = waitFor<[Socket]>(s.io, "connection");
    sock.conn.close();
    expect(await disc).toEqual(["/", "transport close", true]);
    for (let i = 1; i <= 20; i++) s.io.emit("missed", i);
    const [, data, recovered] = await again;
    expect(recovered).toBe(true);
    const [back] = await seen;
    expect(back.recovered).toBe(true);
    expect(back.id).toBe(sock.id);
    expect(JSON.parse(data)).toMatchObject({ sid: sock.id });
    s.io.emit("after", 21);
    await waitFor(c, "event", (_n: string, name: string) => name === "after");
    await sleep(50);
    expect(events).toEqual(["before 0", ...Array.from({ length: 20 }, (_, i) => `missed ${i + 1}`), "after 21"]);
  });
});
