/**
 * The hostile-server table replayed over real TCP: a raw server completes the
 * handshake, then sends the row's bytes in irregular writes; the client (the
 * core behind the Node harness) must report exactly the expected events and,
 * for a malformed stream, fail with the expected close code on the wire.
 */
import { createHash } from "node:crypto";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WsClient, type WsClientError } from "../harness/wsClient.js";
import { HEX_LIMIT, HOSTILE_MAX_MESSAGE, hostileCases, type HostileCase, type HostileEvent } from "./cases/hostile.js";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

interface ServerSide {
  /** Close codes found in the client's Close frames (null: empty Close). */
  clientCloses: Array<number | null>;
}

let server: net.Server;
let port = 0;
let current: { row: HostileCase; side: ServerSide } | null = null;

/** Reads masked client frames and returns the Close codes found, plus unconsumed bytes. */
function parseClientFrames(buf: Buffer, side: ServerSide): Buffer {
  let off = 0;
  for (;;) {
    if (buf.length - off < 2) break;
    const opcode = buf[off] & 15;
    let len = buf[off + 1] & 127;
    let p = off + 2;
    if (len === 126) {
      if (buf.length - p < 2) break;
      len = buf.readUInt16BE(p);
      p += 2;
    } else if (len === 127) {
      if (buf.length - p < 8) break;
      len = Number(buf.readBigUInt64BE(p));
      p += 8;
    }
    if ((buf[off + 1] & 0x80) === 0) throw new Error("client frame not masked");
    if (buf.length - p < 4 + len) break;
    const key = buf.subarray(p, p + 4);
    const payload = Buffer.alloc(len);
    for (let i = 0; i < len; i++) payload[i] = buf[p + 4 + i] ^ key[i & 3];
    if (opcode === 8) side.clientCloses.push(len >= 2 ? payload.readUInt16BE(0) : null);
    off = p + 4 + len;
  }
  return buf.subarray(off);
}

/** Writes bytes in irregular pieces so TCP reads on the client side split frames anywhere. */
function writeIrregular(sock: net.Socket, bytes: Buffer, seed: number): void {
  let off = 0;
  let x = seed | 1;
  while (off < bytes.length) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    const n = 1 + ((x >>> 8) % (bytes.length > 4096 ? 65536 : 7));
    sock.write(bytes.subarray(off, off + n));
    off += n;
  }
}

beforeAll(async () => {
  server = net.createServer((sock) => {
    const state = current;
    let head: Buffer = Buffer.alloc(0);
    let handshakeDone = false;
    let rest: Buffer = Buffer.alloc(0);
    sock.on("error", () => {});
    sock.on("data", (data: Buffer) => {
      let chunk: Buffer = data;
      if (!state) return sock.destroy();
      if (!handshakeDone) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        const key = /sec-websocket-key:\s*(\S+)/i.exec(head.subarray(0, end).toString("latin1"))![1];
        const accept = createHash("sha1")
          .update(key + GUID)
          .digest("base64");
        handshakeDone = true;
        sock.write(
          `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
        );
        writeIrregular(sock, state.row.bytes, state.row.bytes.length);
        chunk = head.subarray(end + 4);
      }
      rest = parseClientFrames(Buffer.concat([rest, chunk]), state.side);
      if (state.side.clientCloses.length > 0) sock.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

function describePayload(type: "text" | "binary", data: Buffer): HostileEvent {
  return data.length <= HEX_LIMIT
    ? { kind: "message", type, len: data.length, hex: data.toString("hex") }
    : { kind: "message", type, len: data.length, sha1: createHash("sha1").update(data).digest("hex") };
}

async function replay(row: HostileCase): Promise<{ events: HostileEvent[]; failCode?: number; side: ServerSide }> {
  const side: ServerSide = { clientCloses: [] };
  current = { row, side };
  const events: HostileEvent[] = [];
  let failCode: number | undefined;
  const c = WsClient.connect({
    url: `ws://127.0.0.1:${port}/`,
    maxMessage: row.maxMessage ?? HOSTILE_MAX_MESSAGE,
    closeTimeoutMs: 2000,
  });
  c.on("message", (type: "text" | "binary", data: Buffer) => events.push(describePayload(type, data)));
  c.on("ping", (d: Buffer) => events.push({ kind: "ping", hex: d.toString("hex") }));
  c.on("pong", (d: Buffer) => events.push({ kind: "pong", hex: d.toString("hex") }));
  c.on("error", (e: WsClientError) => {
    if (e.code === "EPROTOCOL") failCode = e.detail;
    else events.push({ kind: "message", type: "text", len: -1, hex: `unexpected error ${e.code}` });
  });
  await new Promise<void>((resolve) =>
    c.on("close", (code: number, reason: string) => {
      if (code !== 1006) events.push({ kind: "close", code, reasonHex: Buffer.from(reason, "utf8").toString("hex") });
      resolve();
    }),
  );
  return { events, failCode, side };
}

describe("hostile server over TCP", () => {
  it.each(hostileCases.map((row) => [row.group, row.name, row] as const))("group %s: %s", async (_g, _n, row) => {
    const { events, failCode, side } = await replay(row);
    expect(events).toEqual(row.expect.events);
    if (row.expect.fail !== undefined) {
      expect(failCode).toBe(row.expect.fail);
      expect(side.clientCloses).toEqual([row.expect.fail]);
    } else {
      expect(failCode).toBeUndefined();
      // The client echoes the server's close code (an empty Close when it sent none).
      const close = row.expect.events.at(-1);
      const echoed = close?.kind === "close" && close.code !== 1005 ? close.code : null;
      expect(side.clientCloses).toEqual([echoed]);
    }
  });
});
