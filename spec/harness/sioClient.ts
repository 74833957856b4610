/**
 * A small Socket.IO v5 client over the harness WsClient (websocket transport
 * only), built from the core codecs, heartbeat and backoff so that a real
 * socket.io 4.x server can check them. Like wsClient.ts it decides nothing
 * about the protocol: every byte on the wire is written or read by the core,
 * and every timing decision (heartbeat expiry, reconnect delay) is asked of
 * the core; Node timers only wake it up. It mirrors what the SourcePawn glue
 * does, and what socket.io-client's Manager/Socket do: namespaces joined by
 * the user are joined again after a reconnect, unless the server or the user
 * left them; emits wait in a per-namespace buffer until it is connected.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import {
  Backoff,
  BACKOFF_DEFAULT_BASE_MS,
  BACKOFF_DEFAULT_JITTER_PERMILLE,
  BACKOFF_DEFAULT_MAX_MS,
  backoffInit,
  backoffNext,
  backoffReset,
} from "../core/backoff.js";
import {
  EioOpenInfo,
  EioPacket,
  eioEncodePong,
  eioMaxPacket,
  eioPacketType,
  eioParseOpen,
  eioResource,
} from "../core/engineio.js";
import { heartbeatExpired, heartbeatRemainingMs } from "../core/heartbeat.js";
import {
  SioError,
  SioPacket,
  SioParsed,
  sioArgsArray,
  sioEncodeAck,
  sioEncodeConnect,
  sioEncodeDisconnect,
  sioEncodeEvent,
  sioEventName,
  sioParse,
} from "../core/socketio.js";
import { WsClient } from "./wsClient.js";

export interface SioClientOptions {
  /** ws:// or wss:// origin of the server, e.g. "ws://127.0.0.1:3000". */
  url: string;
  /** Engine.IO path (default "/socket.io/"). */
  path?: string;
  reconnection?: boolean;
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  randomizationPermille?: number;
  /** 0 = unlimited. */
  reconnectionAttempts?: number;
  /** Largest packet the client builds. */
  maxPacket?: number;
  /** TLS tunnel table for wss:// / https:// origins (WsClientOptions.tlsTunnels). */
  tlsTunnels?: string;
}

/** Events: "open" (sid, pingInterval, pingTimeout), "ping", "close" (reason), "connect" (nsp, dataJson),
 * "connect_error" (nsp, dataJson), "event" (nsp, name, argsJson, ackId), "disconnect" (nsp, reason),
 * "reconnect_attempt" (attempt, delayMs), "reconnect_failed", "close" (reason, wasOpen), "error" (Error, only when
 * listened to). argsJson is a JSON array text. */
export class SioClient extends EventEmitter {
  private ws: WsClient | null = null;
  private readonly backoff = new Backoff();
  private readonly info = new EioOpenInfo();
  private readonly parsed = new SioParsed();
  private readonly out: Uint8Array;
  private engineOpen = false;
  private lastPingMs = 0;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private userClosed = false;
  private nextAckId = 0;
  private readonly acks = new Map<string, (argsJson: string) => void>();
  /** Namespaces the user wants joined, with their auth JSON and whether the server confirmed them. */
  private readonly nsps = new Map<string, { auth: string; connected: boolean; buffer: Uint8Array[] }>();
  /** Engine.IO session id of the current connection ("" when none). */
  sid = "";

  constructor(private readonly opts: SioClientOptions) {
    super();
    this.out = new Uint8Array(opts.maxPacket ?? 1 << 20);
    const ok = backoffInit(
      this.backoff,
      opts.reconnectionDelay ?? BACKOFF_DEFAULT_BASE_MS,
      opts.reconnectionDelayMax ?? BACKOFF_DEFAULT_MAX_MS,
      opts.randomizationPermille ?? BACKOFF_DEFAULT_JITTER_PERMILLE,
      opts.reconnectionAttempts ?? 0,
    );
    if (!ok) {
      throw new Error("bad reconnection settings");
    }
    this.open();
  }

  static nowMs(): number {
    // Any wrapping 32-bit millisecond counter will do: the core only uses differences.
    return Math.floor(performance.now()) | 0;
  }

  get connected(): boolean {
    return this.engineOpen;
  }

  private open(): void {
    const base = Buffer.from(this.opts.path ?? "/socket.io/", "latin1");
    const target = new Uint8Array(base.length + 64);
    target.set(base);
    const path = Buffer.from(target.subarray(0, eioResource(target, base.length, target.length))).toString("latin1");
    const ws = WsClient.connect({ url: this.opts.url, path, tlsTunnels: this.opts.tlsTunnels });
    this.ws = ws;
    ws.on("message", (type: string, data: Buffer) => {
      if (ws !== this.ws) return;
      if (type === "text") {
        this.onPacket(data);
      } else {
        this.report(new Error("binary Engine.IO messages are not supported"));
      }
    });
    ws.on("error", (err: Error) => {
      if (ws === this.ws) this.report(err);
    });
    ws.on("close", () => {
      if (ws === this.ws) this.onEngineClose("transport close");
    });
  }

  private sendText(bytes: Uint8Array): void {
    if (this.ws && this.ws.readyState === 1) {
      this.ws.send("text", Buffer.from(bytes));
    }
  }

  private packet(n: number): Uint8Array {
    if (n < 0) {
      throw new Error(`cannot encode packet (error ${n})`);
    }
    return this.out.slice(0, n);
  }

  private onPacket(data: Buffer): void {
    const type = eioPacketType(data, 0, data.length);
    switch (type) {
      case EioPacket.Open: {
        if (!eioParseOpen(data, 0, data.length, this.info)) {
          this.fail("bad open packet");
          return;
        }
        this.engineOpen = true;
        this.sid = Buffer.from(this.info.sid.subarray(0, this.info.sidLen)).toString("utf8");
        this.lastPingMs = SioClient.nowMs();
        this.armHeartbeat();
        backoffReset(this.backoff);
        this.emit("open", this.sid, this.info.pingInterval, this.info.pingTimeout);
        for (const [nsp, s] of this.nsps) {
          this.sendConnect(nsp, s.auth);
        }
        return;
      }
      case EioPacket.Ping: {
        this.lastPingMs = SioClient.nowMs();
        this.armHeartbeat();
        this.sendText(this.packet(eioEncodePong(this.out, 0, this.out.length, data, 0, data.length)));
        this.emit("ping");
        return;
      }
      case EioPacket.Close:
        this.closeTransport("transport close");
        return;
      case EioPacket.Message:
        this.onSocketIo(data);
        return;
      case EioPacket.Noop:
      case EioPacket.Pong:
      case EioPacket.Upgrade:
        return;
      default:
        this.fail("bad Engine.IO packet");
    }
  }

  private onSocketIo(data: Buffer): void {
    const p = this.parsed;
    const err = sioParse(data, 0, data.length, p);
    if (err !== SioError.Ok) {
      // socket.io-client closes the connection on a packet it cannot decode.
      this.fail(`parse error ${err}`);
      return;
    }
    const nsp = p.nspLen === 0 ? "/" : data.subarray(p.nspOff, p.nspOff + p.nspLen).toString("utf8");
    const dataJson = p.dataLen === 0 ? "" : data.subarray(p.dataOff, p.dataOff + p.dataLen).toString("utf8");
    const s = this.nsps.get(nsp);
    switch (p.type) {
      case SioPacket.Connect:
        if (!s) return;
        s.connected = true;
        this.emit("connect", nsp, dataJson);
        for (const b of s.buffer.splice(0)) this.sendText(b);
        return;
      case SioPacket.ConnectError:
        this.nsps.delete(nsp);
        this.emit("connect_error", nsp, dataJson);
        return;
      case SioPacket.Disconnect:
        if (!s) return;
        this.nsps.delete(nsp);
        this.emit("disconnect", nsp, "io server disconnect");
        if (this.nsps.size === 0) {
          // As socket.io-client's Manager (and the plugin's SioFinish): with no namespace left, the
          // Engine.IO connection is closed and never reconnected ("forced close").
          this.userClosed = true;
          this.closeTransport("forced close");
        }
        return;
      case SioPacket.Event: {
        if (!s || !s.connected) return;
        const name = new Uint8Array(p.nameLen);
        const nl = sioEventName(data, p, name, 0, name.length);
        const args = new Uint8Array(p.argsLen + 2);
        const al = sioArgsArray(data, p, args, 0, args.length);
        this.emit(
          "event",
          nsp,
          Buffer.from(name.subarray(0, nl)).toString("utf8"),
          Buffer.from(args.subarray(0, al)).toString("utf8"),
          p.ackId,
        );
        return;
      }
      case SioPacket.Ack: {
        const key = `${nsp}#${p.ackId}`;
        const cb = this.acks.get(key);
        if (!cb) return;
        this.acks.delete(key);
        const args = new Uint8Array(p.argsLen + 2);
        const al = sioArgsArray(data, p, args, 0, args.length);
        cb(Buffer.from(args.subarray(0, al)).toString("utf8"));
        return;
      }
      default:
        this.report(new Error("binary Socket.IO packets are not supported"));
    }
  }

  private sendConnect(nsp: string, auth: string): void {
    const n = Buffer.from(nsp, "utf8");
    const a = Buffer.from(auth, "utf8");
    this.sendText(this.packet(sioEncodeConnect(this.out, 0, this.out.length, n, 0, n.length, a, 0, a.length)));
  }

  /** Joins a namespace (now, or as soon as the Engine.IO session is open), with optional auth (a JSON object text). */
  join(nsp: string, auth = ""): void {
    this.nsps.set(nsp, { auth, connected: false, buffer: [] });
    if (this.engineOpen) this.sendConnect(nsp, auth);
  }

  /** Leaves a namespace (sends DISCONNECT). */
  leave(nsp: string): void {
    const s = this.nsps.get(nsp);
    this.nsps.delete(nsp);
    if (s?.connected) {
      const n = Buffer.from(nsp, "utf8");
      this.sendText(this.packet(sioEncodeDisconnect(this.out, 0, this.out.length, n, 0, n.length)));
      this.emit("disconnect", nsp, "io client disconnect");
    }
  }

  /**
   * Emits event `name` with `argsJson` (zero or more comma-separated JSON values); `onAck` asks for an
   * acknowledgement. Returns false, after an "error" event, when the packet is larger than the server's
   * maxPayload (eioMaxPacket): nothing is sent and the connection stays up.
   */
  send(nsp: string, name: string, argsJson = "", onAck?: (argsJson: string) => void): boolean {
    const s = this.nsps.get(nsp);
    if (!s) throw new Error(`namespace ${nsp} not joined`);
    let ackId = -1;
    if (onAck) {
      ackId = this.nextAckId++;
      this.acks.set(`${nsp}#${ackId}`, onAck);
    }
    const n = Buffer.from(nsp, "utf8");
    const nm = Buffer.from(name, "utf8");
    const a = Buffer.from(argsJson, "utf8");
    const pkt = this.packet(
      sioEncodeEvent(this.out, 0, this.out.length, n, 0, n.length, nm, 0, nm.length, a, 0, a.length, ackId),
    );
    if (!this.fitsServer(pkt)) {
      if (onAck) this.acks.delete(`${nsp}#${ackId}`);
      return false;
    }
    if (s.connected) this.sendText(pkt);
    else s.buffer.push(pkt);
    return true;
  }

  /** True when the server takes a packet this large (eioMaxPacket); otherwise reports why and returns false. */
  private fitsServer(pkt: Uint8Array): boolean {
    const max = eioMaxPacket(this.info);
    if (pkt.length <= max) return true;
    this.report(new Error(`packet of ${pkt.length} bytes not sent: the server accepts at most ${max} (maxPayload)`));
    return false;
  }

  /** Answers the server's event that carried `ackId`. */
  ack(nsp: string, ackId: number, argsJson = ""): boolean {
    const n = Buffer.from(nsp, "utf8");
    const a = Buffer.from(argsJson, "utf8");
    const pkt = this.packet(sioEncodeAck(this.out, 0, this.out.length, n, 0, n.length, ackId, a, 0, a.length));
    if (!this.fitsServer(pkt)) return false;
    this.sendText(pkt);
    return true;
  }

  private armHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    const wait = heartbeatRemainingMs(
      SioClient.nowMs(),
      this.lastPingMs,
      this.info.pingInterval,
      this.info.pingTimeout,
    );
    this.heartbeatTimer = setTimeout(() => this.checkHeartbeat(), Math.max(0, wait) + 1);
  }

  private checkHeartbeat(): void {
    this.heartbeatTimer = null;
    if (!this.engineOpen) return;
    if (heartbeatExpired(SioClient.nowMs(), this.lastPingMs, this.info.pingInterval, this.info.pingTimeout)) {
      this.closeTransport("ping timeout");
    } else {
      this.armHeartbeat();
    }
  }

  /** Emits "error" when someone listens (an unheard "error" would throw inside a socket callback). */
  private report(err: Error): void {
    if (this.listenerCount("error") > 0) this.emit("error", err);
  }

  private fail(reason: string): void {
    this.report(new Error(reason));
    this.closeTransport("parse error");
  }

  /** Drops the current transport and runs the close path with `reason` (once). */
  private closeTransport(reason: string): void {
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState < 2) ws.close();
    this.onEngineClose(reason);
  }

  private onEngineClose(reason: string): void {
    this.ws = null;
    const wasOpen = this.engineOpen;
    this.engineOpen = false;
    this.sid = "";
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
    for (const [nsp, s] of this.nsps) {
      if (s.connected) {
        s.connected = false;
        this.emit("disconnect", nsp, reason);
      }
    }
    for (const cb of this.acks.keys()) this.acks.delete(cb);
    this.emit("close", reason, wasOpen);
    if (!this.userClosed && this.opts.reconnection !== false) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.reconnectTimer) return;
    const attempt = this.backoff.attempts + 1;
    const delay = backoffNext(this.backoff, randomBytes(2).readUInt16BE(0));
    if (delay < 0) {
      this.emit("reconnect_failed");
      return;
    }
    this.emit("reconnect_attempt", attempt, delay);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (!this.userClosed) this.open();
    }, delay);
  }

  /** Leaves every namespace and closes for good (no reconnect). */
  close(): void {
    this.userClosed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    for (const nsp of [...this.nsps.keys()]) this.leave(nsp);
    this.closeTransport("io client disconnect");
  }
}
