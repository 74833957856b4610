/**
 * The dev backend (scripts/dev-server.ts) driven by the harness clients, which
 * speak exactly what the plugin speaks (the same core): Socket.IO events and
 * acks both ways, console commands, the auth token, and the WebSocket echo
 * endpoint with text and binary (NUL bytes included) messages; the address it
 * binds (loopback unless asked) and logs.
 */
import { spawn, spawnSync } from "node:child_process";
import type { EventEmitter } from "node:events";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_HOST, type DevServer, parseArgsJson, startDevServer } from "../../scripts/dev-server.js";
import { SioClient } from "../harness/sioClient.js";
import { WsClient } from "../harness/wsClient.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const servers: DevServer[] = [];
const sios: SioClient[] = [];
const wss: WsClient[] = [];

afterEach(async () => {
  for (const c of sios.splice(0)) c.close();
  for (const w of wss.splice(0)) if (w.readyState < 2) w.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(token?: string): Promise<{ server: DevServer; log: string[] }> {
  const log: string[] = [];
  const server = await startDevServer({ port: 0, host: "127.0.0.1", token, log: (l) => log.push(l) });
  servers.push(server);
  return { server, log };
}

function sio(server: DevServer, nsp = "/", auth = ""): SioClient {
  const c = new SioClient({ url: `ws://127.0.0.1:${server.port}`, nsp, auth, reconnection: false });
  c.on("error", () => {});
  sios.push(c);
  return c;
}

function waitFor<T extends unknown[]>(em: EventEmitter, event: string, ms = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${event}"`)), ms);
    em.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("dev server: Socket.IO", () => {
  it("logs the events a client emits and acknowledges those that ask for it", async () => {
    const { server, log } = await start();
    const c = sio(server);
    const [nsp] = await waitFor<[string, string]>(c, "connect");
    expect(nsp).toBe("/");
    c.send("round_start", '{"round":1}');
    const acked = new Promise<string>((resolve) => c.send("round_end", '{"round":3},"ct"', resolve));
    expect(JSON.parse(await acked)).toEqual([{ ok: true, event: "round_end" }]);
    await until(() => log.some((l) => l.includes('event round_start [{"round":1}]')));
    expect(log.some((l) => l.includes('event round_end [{"round":3},"ct"] (ack requested)'))).toBe(true);
    expect(log.some((l) => l.includes("event round_start") && l.includes("ack requested"))).toBe(false);
  });

  it("sends events from console commands, with and without an acknowledgement", async () => {
    const { server } = await start();
    const c = sio(server, "/admin");
    await waitFor(c, "connect");
    const got = waitFor<[string, string, string, number]>(c, "event");
    const out = await server.command('emit announce "hello", {"n":2}');
    expect(out[0]).toMatch(/^\/admin \S+ <- announce \["hello",\{"n":2\}\]$/);
    const [nsp, name, args, ackId] = await got;
    expect([nsp, name, JSON.parse(args), ackId]).toEqual(["/admin", "announce", ["hello", { n: 2 }], -1]);

    c.on("event", (_n: string, ev: string, _args: string, id: number) => {
      if (ev === "status") c.ack(id, '{"players":3}');
    });
    const acked = await server.command("ack status");
    expect(acked.some((l) => /ack status \[\{"players":3\}\]$/.test(l))).toBe(true);
  });

  it("reports bad commands instead of sending anything", async () => {
    const { server } = await start();
    expect(await server.command("emit")).toEqual(["usage: emit <event> [json, ...]"]);
    expect((await server.command("emit x {bad"))[0]).toMatch(/^not JSON/);
    expect(await server.command("emit x 1")).toEqual(["no connected sockets"]);
    expect(await server.command("frobnicate")).toEqual(["unknown command frobnicate (type help)"]);
    expect((await server.command("help"))[0]).toBe("commands:");
    expect(() => parseArgsJson("1,")).toThrow();
    expect(parseArgsJson(' "a" , [1] ')).toEqual(["a", [1]]);
    expect(parseArgsJson("")).toEqual([]);
  });

  it("refuses a client without the auth token (CONNECT_ERROR) and accepts one with it", async () => {
    const { server } = await start("secret");
    const bad = sio(server);
    const [, err] = await waitFor<[string, string]>(bad, "connect_error");
    expect(JSON.parse(err)).toEqual({ message: "Not authorized" });
    const good = sio(server, "/", '{"token":"secret"}');
    const [, data] = await waitFor<[string, string]>(good, "connect");
    expect(JSON.parse(data)).toHaveProperty("sid");
  });

  it("disconnects clients from the server side on command", async () => {
    const { server } = await start();
    const c = sio(server);
    await waitFor(c, "connect");
    const gone = waitFor<[string, string, boolean]>(c, "disconnect");
    const closed = waitFor<[string]>(c.io, "close");
    const out = await server.command("disconnect");
    expect(out).toHaveLength(1);
    // The session ends there (no reconnect): the final disconnect, then the close, with the same reason.
    expect(await gone).toEqual(["/", "io server disconnect", false]);
    expect(await closed).toEqual(["io server disconnect"]);
  });
});

describe("dev server: WebSocket echo", () => {
  it("echoes text and binary messages with their type and exact bytes", async () => {
    const { server, log } = await start();
    const w = WsClient.connect({ url: `ws://127.0.0.1:${server.port}/echo` });
    wss.push(w);
    const messages: Array<[string, Buffer]> = [];
    w.on("message", (type: string, data: Buffer) => messages.push([type, data]));
    // Queued while CONNECTING, flushed in order on open.
    w.send("text", "héllo");
    const binary = Buffer.from([0, 1, 0, 255, 0]);
    w.send("binary", binary);
    await until(() => messages.length === 2);
    expect(messages[0][0]).toBe("text");
    expect(messages[0][1].toString("utf8")).toBe("héllo");
    expect(messages[1][0]).toBe("binary");
    expect(messages[1][1].equals(binary)).toBe(true);
    expect(log.some((l) => l.includes("binary message of 5 bytes"))).toBe(true);
    const closed = waitFor<[number, string, boolean]>(w, "close");
    w.close(1000, "bye");
    const [code, , clean] = await closed;
    expect(code).toBe(1000);
    expect(clean).toBe(true);
  });

  it("refuses WebSocket upgrades on other paths", async () => {
    const { server } = await start();
    const w = WsClient.connect({ url: `ws://127.0.0.1:${server.port}/nowhere` });
    wss.push(w);
    w.on("error", () => {});
    const [code, , clean] = await waitFor<[number, string, boolean]>(w, "close");
    expect(code).toBe(1006);
    expect(clean).toBe(false);
  });
});

describe("dev server: listening address", () => {
  it("binds loopback when no host is given, and logs the address it bound", async () => {
    const log: string[] = [];
    const server = await startDevServer({ port: 0, log: (l) => log.push(l) });
    servers.push(server);
    expect(DEFAULT_HOST).toBe("127.0.0.1");
    expect(server.address).toBe("127.0.0.1");
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(log[0]).toBe(`listening on http://127.0.0.1:${server.port}`);
    expect(log.some((l) => l.includes("0.0.0.0"))).toBe(false);
  });

  it("binds every interface only when asked, and says so", async () => {
    const log: string[] = [];
    const server = await startDevServer({ port: 0, host: "0.0.0.0", log: (l) => log.push(l) });
    servers.push(server);
    expect(server.address).toBe("0.0.0.0");
    expect(log[0]).toBe(`listening on http://0.0.0.0:${server.port} (every interface: reachable from the network)`);
  });

  it("logs an IPv6 address in brackets", async () => {
    const log: string[] = [];
    let server: DevServer;
    try {
      server = await startDevServer({ port: 0, host: "::1", log: (l) => log.push(l) });
    } catch (e) {
      // A machine without IPv6 loopback cannot bind ::1; the IPv4 cases above still ran.
      expect((e as NodeJS.ErrnoException).code).toMatch(/^(EADDRNOTAVAIL|EAFNOSUPPORT)$/);
      return;
    }
    servers.push(server);
    expect(server.address).toBe("::1");
    expect(log[0]).toBe(`listening on http://[::1]:${server.port}`);
  });

  it("the command (dist/scripts/dev-server.js) listens on loopback by default", async () => {
    const script = path.join(ROOT, "dist/scripts/dev-server.js");
    const source = path.join(ROOT, "scripts/dev-server.ts");
    if (!existsSync(script) || statSync(script).mtimeMs < statSync(source).mtimeMs) {
      spawnSync(process.execPath, [path.join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"], {
        cwd: ROOT,
      });
    }
    const child = spawn(process.execPath, [script, "--port", "0"], { stdio: ["pipe", "pipe", "pipe"] });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`no "listening on" line within 10 s: ${out}`)), 10_000);
        child.stdout.on("data", (d: Buffer) => {
          out += d.toString();
          const line = out.split("\n").find((l) => l.includes("listening on"));
          if (line !== undefined) {
            clearTimeout(timer);
            resolve(line);
          }
        });
        child.on("exit", (code) => reject(new Error(`exited with ${code}: ${out}`)));
      });
      expect(first).toMatch(/\] listening on http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      child.kill();
    }
  });

  it("refuses a port outside 0..65535 or not a number with one line (exit 1)", () => {
    const script = path.join(ROOT, "dist/scripts/dev-server.js");
    for (const [port, message] of [
      ["70000", 'dev-server: --port must be 0 to 65535, got "70000"'],
      ["abc", 'dev-server: --port must be a non-negative integer, got "abc"'],
    ]) {
      const r = spawnSync(process.execPath, [script, "--port", port], { encoding: "utf8", timeout: 10_000 });
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr.trim()).toBe(message);
    }
  });
});
