/**
 * A Socket.IO v5 client in socket.io-client's shape, websocket transport
 * only, driven by the Socket.IO session module of the spec
 * (spec/core/siosession.ts): a SioConnection (socket.io-client's Manager,
 * the spec's SioManager) is one Engine.IO connection at a time to one origin,
 * over successive harness WsClients in the Transport role; a SioClient
 * (socket.io-client's Socket, the spec's SioSession) is one namespace on a
 * connection, and several namespaces share it.
 *
 * `new SioClient({url, nsp, ...})` joins a live connection of the same URL,
 * path and TLS tunnel table that does not hold its namespace yet, or opens a
 * new one (socket.io-client's io() multiplexing; the plugin's SocketIO_Connect
 * does the same); `forceNew` opens a new one, and `conn.socket(nsp, auth)`
 * joins a given connection. The reconnect policy is the one of the namespace
 * that opened the connection.
 *
 * Every decision comes from the session module, at the points where the
 * SourcePawn glue (templates/scripting/websocket.sp.hbs, "Socket.IO clients
 * and their managers") calls it: the CONNECT of each namespace after the open
 * packet (or at once when it joins an open connection), pongs, the heartbeat
 * watchdog, the open timeout, which namespace a packet is for, the emit queue
 * and when it is flushed, the ack table and ack timeouts, what ends a
 * namespace (a server DISCONNECT or CONNECT_ERROR, the user's close,
 * "reconnect failed"), when a lost transport is reconnected, and connection
 * state recovery. This file keeps the transports, one Node timer per
 * connection (it wakes the ticks), the queued bytes, the ack callbacks and
 * EventEmitter events.
 */
import { EventEmitter } from "node:events";
import { eioMaxPacket, eioPacketType, EioPacket, eioResource } from "../core/engineio.js";
import { frameHeaderSize } from "../core/frame.js";
import { heartbeatRemainingMs } from "../core/heartbeat.js";
import {
  SIO_MAX_ACK_TIMEOUT_MS,
  SIO_MAX_PENDING_ACKS,
  SIO_OPEN_TIMEOUT_MS,
  SioAckState,
  SioClose,
  SioClosed,
  SioDrop,
  SioEio,
  SioManager,
  SioOut,
  SioReason,
  SioRetry,
  SioSend,
  SioSession,
  SioTick,
  sioManagerEngineClosed,
  sioManagerFinish,
  sioManagerInit,
  sioManagerOnMessage,
  sioManagerTick,
  sioManagerTransportEndReason,
  sioManagerTransportFailed,
  sioManagerTransportStarted,
  sioReasonText,
  sioSessionAck,
  sioSessionAckHeld,
  sioSessionAckIdFor,
  sioSessionAckTimeout,
  sioSessionClose,
  sioSessionEmit,
  sioSessionEngineClosed,
  sioSessionFinish,
  sioSessionInit,
  sioSessionJoin,
  sioSessionOnPacket,
  sioSessionTakeFailedAck,
  sioSessionWantsTransport,
} from "../core/siosession.js";
import {
  SioParsed,
  SioError,
  sioArgsArray,
  sioEncodeAck,
  sioEncodeConnect,
  sioEncodeEvent,
  sioNspEquals,
  sioParse,
} from "../core/socketio.js";
import { ReconnectArg, SessionRole, reconnectConfigure, reconnectRemainingMs } from "../core/wssession.js";
import { WsClient, nowMs, randomU16 } from "./wsClient.js";

/** What a connection is opened with (the options of the namespace that opens it). */
export interface SioConnectionOptions {
  /** ws://, wss://, http:// or https:// origin of the server, e.g. "ws://127.0.0.1:3000". */
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
  /** Uniform 0..65535 for the backoff jitter (default: random bytes). */
  random16?: () => number;
}

export interface SioClientOptions extends SioConnectionOptions {
  /** The namespace (default "/"). */
  nsp?: string;
  /** Auth JSON object text sent with CONNECT ("" for none). */
  auth?: string;
  /**
   * Open a new connection even when a live one of the same origin could take this namespace; as
   * socket.io-client's forceNew, that connection is not shared with later clients either.
   */
  forceNew?: boolean;
  /** Join this connection (its origin and policy apply; the URL options here are ignored). */
  connection?: SioConnection;
}

const NAME_CAP = 256;

/** An ack callback: the arguments as a JSON array text, an Error when none will come (timeout), and the attachments of a BINARY_ACK. */
export type AckCallback = (argsJson: string, err?: Error, attachments?: Buffer[]) => void;

/** The live connections, for multiplexing (socket.io-client's io() cache; the glue's SioMgrFits). */
const live: SioConnection[] = [];

/** The Engine.IO resource a connection requests for `path` (eioResource: the path with its query). */
function enginePath(path: string | undefined): string {
  const base = Buffer.from(path ?? "/socket.io/", "latin1");
  const target = new Uint8Array(base.length + 64);
  target.set(base);
  return Buffer.from(target.subarray(0, eioResource(target, base.length, target.length))).toString("latin1");
}

function reasonText(reason: number): string {
  const buf = new Uint8Array(64);
  return Buffer.from(buf.subarray(0, sioReasonText(reason, buf, 0, buf.length))).toString("latin1");
}

function dropText(drop: number, detail: number): string {
  switch (drop) {
    case SioDrop.BinaryMessage:
      return "binary Engine.IO messages are not supported";
    case SioDrop.BinaryPacket:
      return `binary Socket.IO packets are not supported (type ${detail})`;
    case SioDrop.NameTooLong:
      return "event name too long";
    case SioDrop.NameNul:
      return "event name contains U+0000";
    default:
      return `error ${detail}`;
  }
}

/**
 * One Engine.IO connection at a time to one origin, shared by the namespaces on it (socket.io-client's
 * Manager). Events: "open" (sid, pingInterval, pingTimeout) for each Engine.IO connection, before the
 * namespaces send their CONNECT; "ping"; "reconnect_attempt" (attempt, delayMs) when a reconnect is
 * scheduled, after the namespaces were told of the loss; "reconnect_failed", before the namespaces'
 * final "disconnect"; "close" (reason) once, when the connection is released for good (the last
 * namespace left or every one finished), after the final "disconnect" of the namespace that ended it;
 * "error" (Error, only when listened to; every namespace gets the Engine.IO-level errors too).
 */
export class SioConnection extends EventEmitter {
  readonly manager = new SioManager();
  readonly url: string;
  readonly path: string;
  readonly tlsTunnels: string;
  /** The namespaces on this connection, in the order they joined. */
  readonly sockets: SioClient[] = [];
  private ws: WsClient | null = null;
  private readonly parsed = new SioParsed();
  /** A BINARY_EVENT/BINARY_ACK waiting for its attachments (SioEio.BinaryPacket), and those that came. */
  private binaryHeader: Buffer | null = null;
  private attachments: Buffer[] = [];
  readonly out: Uint8Array;
  private readonly name = new Uint8Array(NAME_CAP);
  private readonly random16: () => number;
  private timer: NodeJS.Timeout | null = null;
  private released = false;

  /** Opened by the first namespace (its session's reconnect policy is the connection's). */
  private constructor(opts: SioConnectionOptions, policy: SioSession, shared: boolean) {
    super();
    this.url = opts.url;
    this.tlsTunnels = opts.tlsTunnels ?? "";
    this.out = new Uint8Array(opts.maxPacket ?? 1 << 20);
    this.random16 = opts.random16 ?? randomU16;
    this.path = enginePath(opts.path);
    sioManagerInit(this.manager, policy.rc, nowMs());
    if (shared) live.push(this);
  }

  /** @internal The connection a new namespace joins (SioMgrFits / SioAttach). */
  static attach(opts: SioClientOptions, s: SioSession): SioConnection {
    if (opts.connection) {
      if (!opts.connection.fits(opts.connection.url, opts.connection.path, opts.connection.tlsTunnels, s)) {
        throw new Error("this connection is closing or already holds the namespace");
      }
      return opts.connection;
    }
    if (!opts.forceNew) {
      const path = enginePath(opts.path);
      for (const c of live) {
        if (c.fits(opts.url, path, opts.tlsTunnels ?? "", s)) return c;
      }
    }
    return new SioConnection(opts, s, opts.forceNew !== true);
  }

  /** Same origin, path and tunnels, not closing, and not holding s's namespace yet. */
  private fits(url: string, path: string, tunnels: string, s: SioSession): boolean {
    if (this.released || this.manager.finishing || this.url !== url || this.path !== path) return false;
    if (this.tlsTunnels !== tunnels) return false;
    for (const o of this.sockets) {
      const t = o.session;
      if (t.nspLen === s.nspLen && Buffer.compare(t.nsp.subarray(0, t.nspLen), s.nsp.subarray(0, s.nspLen)) === 0) {
        return false;
      }
    }
    return true;
  }

  /** A namespace socket on this connection (socket.io-client's manager.socket(nsp, { auth })). */
  socket(nsp = "/", auth = ""): SioClient {
    return new SioClient({ url: this.url, nsp, auth, connection: this });
  }

  /** An Engine.IO connection is open (its open packet arrived). */
  get engineOpen(): boolean {
    return this.manager.engineOpen;
  }

  /** Engine.IO session id of the current connection ("" when none). */
  get sid(): string {
    const info = this.manager.info;
    return this.manager.engineOpen ? Buffer.from(info.sid.subarray(0, info.sidLen)).toString("utf8") : "";
  }

  /** The transport's WebSocket is OPEN. */
  transportOpen(): boolean {
    return this.ws !== null && this.ws.readyState === 1;
  }

  /** Writes one Engine.IO packet as a text frame when the transport is open. */
  writeText(bytes: Uint8Array): void {
    if (bytes.length > 0 && this.ws && this.ws.readyState === 1) this.ws.send("text", Buffer.from(bytes));
  }

  /** Reports an error to every namespace (SioMgrReport), and to the connection's own listeners. */
  private report(err: Error): void {
    if (this.listenerCount("error") > 0) this.emit("error", err);
    for (const c of this.sockets.slice()) c.report(err);
  }

  /** @internal A namespace joined (SioAttach): its CONNECT goes out now when the Engine.IO connection is open. */
  add(c: SioClient): void {
    this.sockets.push(c);
    if (this.manager.engineOpen) {
      this.writeText(this.out.subarray(0, sioSessionJoin(c.session, this.out, this.out.length)));
    }
    // The first transport is due now: it opens on the first tick, after the caller's listeners are on.
    this.schedule();
  }

  /**
   * @internal A namespace left (SioMgrLeft): with none left, the connection closes for good (its
   * transport dropped) and is released. Returns true when it was released now.
   */
  left(c: SioClient | null): boolean {
    const i = c === null ? -1 : this.sockets.indexOf(c);
    if (i >= 0) this.sockets.splice(i, 1);
    if (this.sockets.length > 0 || this.released) return false;
    sioManagerFinish(this.manager);
    this.dropTransport();
    this.released = true;
    const j = live.indexOf(this);
    if (j >= 0) live.splice(j, 1);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    return true;
  }

  /** @internal Emits "close" after the connection was released (the glue has no callback there). */
  closed(reason: number): void {
    this.emit("close", reasonText(reason));
  }

  private openTransport(): void {
    const ws = WsClient.connect({
      url: this.url,
      path: this.path,
      tlsTunnels: this.tlsTunnels,
      role: SessionRole.Transport,
    });
    this.ws = ws;
    sioManagerTransportStarted(this.manager, nowMs());
    ws.on("message", (type: string, data: Buffer) => {
      if (ws === this.ws) this.onMessage(type === "text" ? 1 : 2, data);
    });
    ws.on("error", (err: Error) => {
      if (ws !== this.ws) return;
      sioManagerTransportFailed(this.manager);
      this.report(err);
    });
    ws.on("close", () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.engineClosed(sioManagerTransportEndReason(this.manager));
      this.schedule();
    });
  }

  /** Leaves the current transport (it finishes its close handshake unheard). */
  private dropTransport(): void {
    const ws = this.ws;
    this.ws = null;
    ws?.orphan(1000);
  }

  /** Drops the transport and runs the close path (SioMgrCloseTransport). */
  private closeTransport(reason: number): void {
    this.dropTransport();
    this.engineClosed(reason);
  }

  private onMessage(opcode: number, data: Buffer): void {
    const m = this.manager;
    const p = this.parsed;
    const isPing = eioPacketType(data, 0, data.length) === EioPacket.Ping;
    switch (sioManagerOnMessage(m, opcode, data, 0, data.length, p, this.out, this.out.length, nowMs())) {
      case SioEio.Write:
        this.writeText(this.out.subarray(0, m.outLen));
        if (isPing) this.emit("ping");
        break;
      case SioEio.Error:
        this.report(new Error(dropText(m.drop, m.detail)));
        break;
      case SioEio.Fail: {
        const reason = m.reason;
        const detail = m.detail;
        this.report(
          new Error(detail === 0 ? "bad Engine.IO packet" : `Socket.IO packet refused (parser error ${detail})`),
        );
        if (!this.released) this.closeTransport(reason);
        break;
      }
      case SioEio.CloseTransport:
        this.closeTransport(m.reason);
        break;
      case SioEio.Open:
        this.emit("open", this.sid, m.info.pingInterval, m.info.pingTimeout);
        for (const c of this.sockets.slice()) {
          if (this.released) break;
          this.writeText(this.out.subarray(0, sioSessionJoin(c.session, this.out, this.out.length)));
        }
        break;
      case SioEio.Packet:
        this.route(data, []);
        break;
      case SioEio.BinaryPacket:
        this.binaryHeader = Buffer.from(data);
        this.attachments = [];
        break;
      case SioEio.Attachment:
        this.attachments.push(Buffer.from(data));
        break;
      case SioEio.Complete: {
        // The packet kept is parsed again and handed on with its attachments (as the glue does).
        const header = this.binaryHeader ?? Buffer.alloc(0);
        const attachments = [...this.attachments, Buffer.from(data)];
        this.binaryHeader = null;
        this.attachments = [];
        if (sioParse(header, 0, header.length, p) === SioError.Ok) {
          this.route(header, attachments);
        }
        break;
      }
      default:
        break;
    }
    this.schedule();
  }

  /** Hands the packet parsed into this.parsed to the namespace it names (ignored when none). */
  private route(data: Buffer, attachments: Buffer[]): void {
    for (const c of this.sockets) {
      const s = c.session;
      if (sioNspEquals(data, this.parsed, s.nsp, 0, s.nspLen)) {
        c.onPacket(data, this.parsed, this.name, attachments);
        return;
      }
    }
  }

  /**
   * The transport is gone for `reason` (SioMgrEngineClosed): the manager decides between a
   * reconnect and the end, then each namespace is told.
   */
  private engineClosed(reason: number): void {
    if (this.released) return;
    const m = this.manager;
    const now = nowMs();
    const wanted = this.sockets.some((c) => sioSessionWantsTransport(c.session));
    const retry = sioManagerEngineClosed(m, reason, wanted, now, this.random16());
    if (retry === SioRetry.None) return;
    const why = m.reason;
    if (retry === SioRetry.GiveUp && why === SioReason.ReconnectFailed) this.emit("reconnect_failed");
    for (const c of this.sockets.slice()) {
      if (this.released) break;
      c.engineClosed(why, retry === SioRetry.Retry);
    }
    if (retry === SioRetry.Retry && !this.released) {
      this.emit("reconnect_attempt", m.rc.backoff.attempts, reconnectRemainingMs(m.rc, now));
    }
    if (retry === SioRetry.GiveUp && !this.released) {
      // Every namespace finished (or none was left): release the connection.
      if (this.left(null)) this.closed(why);
    }
  }

  /** Wakes the tick when the manager or a namespace has something timed; the tick decides what is due. */
  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.released) return;
    const m = this.manager;
    const now = nowMs();
    const waits: number[] = [];
    if (m.rc.pending && !m.finishing) waits.push(reconnectRemainingMs(m.rc, now));
    if (m.engineOpen) waits.push(heartbeatRemainingMs(now, m.lastPingMs, m.info.pingInterval, m.info.pingTimeout));
    else if (m.transport) waits.push(heartbeatRemainingMs(now, m.openedAt, SIO_OPEN_TIMEOUT_MS, 0));
    for (const c of this.sockets) {
      const s = c.session;
      for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
        if (s.ackState[k] !== SioAckState.Free && s.ackTimeout[k] > 0) waits.push((s.ackDeadline[k] - now) | 0);
      }
    }
    if (waits.length === 0) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, Math.min(...waits)) + 1);
  }

  /** Ack timeouts of each namespace (SioTick), then the manager's tick (SioMgrTick). */
  private tick(): void {
    this.timer = null;
    for (const c of this.sockets.slice()) c.failAcks(false);
    if (this.released) return;
    const m = this.manager;
    switch (sioManagerTick(m, nowMs())) {
      case SioTick.PingTimeout:
        this.closeTransport(m.reason);
        break;
      case SioTick.OpenTimeout: {
        const reason = m.reason;
        this.report(new Error(`no Engine.IO open packet within ${SIO_OPEN_TIMEOUT_MS} ms`));
        if (!this.released) this.closeTransport(reason);
        break;
      }
      case SioTick.Open:
        this.openTransport();
        break;
      default:
        break;
    }
    this.schedule();
  }
}

/**
 * One namespace on a SioConnection (socket.io-client's Socket; the plugin's SocketIO handle).
 * Events: "connect" (nsp, dataJson, recovered); "connect_error" (nsp, dataJson); "event" (nsp, name,
 * argsJson, ackId); "disconnect" (nsp, reason, willReconnect): the plugin's disconnect callback, with
 * willReconnect = true when the joined namespace lost its transport and a reconnect is scheduled, and
 * once with false when the namespace ends (whatever it had reached); "error" (Error, only when listened
 * to). argsJson is a JSON array text; reasons are socket.io-client's ("transport close", "ping
 * timeout", "io server disconnect", ...). The connection's events are on `io`.
 */
export class SioClient extends EventEmitter {
  readonly session = new SioSession();
  readonly nsp: string;
  /** The connection this namespace is on (socket.io-client's socket.io). */
  readonly io: SioConnection;
  /** Packets queued while the namespace is not joined (the session keeps their byte count), with their ack entry or -1. */
  private queue: { pkt: Uint8Array; ack: number }[] = [];
  /** Ack callbacks by table entry (the session keeps the ids, states and timeouts). */
  private readonly acks: Array<AckCallback | undefined> = new Array(SIO_MAX_PENDING_ACKS);
  private ended = false;

  constructor(opts: SioClientOptions) {
    super();
    this.nsp = opts.nsp ?? "/";
    const n = Buffer.from(this.nsp, "utf8");
    const a = Buffer.from(opts.auth ?? "", "utf8");
    const s = this.session;
    // The caller's checks of SocketIO_Connect: the CONNECT packet must be encodable (auth a JSON object).
    const scratch = new Uint8Array(n.length + a.length + 64);
    const check = sioEncodeConnect(scratch, 0, scratch.length, n, 0, n.length, a, 0, a.length);
    if (check < 0) {
      throw new Error(`bad namespace or auth (CONNECT cannot be encoded: error ${check})`);
    }
    if (!sioSessionInit(s, n, 0, n.length, a, 0, a.length)) {
      throw new Error("namespace or auth too long");
    }
    const bad = reconnectConfigure(
      s.rc,
      opts.reconnection !== false,
      opts.reconnectionDelay ?? -1,
      opts.reconnectionDelayMax ?? -1,
      opts.reconnectionAttempts ?? -1,
      opts.randomizationPermille ?? -1,
    );
    if (bad !== ReconnectArg.Ok) {
      throw new Error(`bad reconnection settings (argument ${bad})`);
    }
    this.io = SioConnection.attach(opts, s);
    this.io.add(this);
  }

  /** The namespace is joined (the server confirmed it on the current transport). */
  get connected(): boolean {
    return this.session.connected;
  }

  /** The connection's Engine.IO connection is open. */
  get engineOpen(): boolean {
    return !this.ended && this.io.engineOpen;
  }

  /** Engine.IO session id of the current connection ("" when none). */
  get sid(): string {
    return this.ended ? "" : this.io.sid;
  }

  /** Emits "error" when someone listens (an unheard "error" would throw inside a socket callback). */
  report(err: Error): void {
    if (this.listenerCount("error") > 0) this.emit("error", err);
  }

  /** @internal A Socket.IO packet of this namespace, parsed into p (SioOnPacket). */
  onPacket(data: Buffer, p: SioParsed, name: Uint8Array, attachments: Buffer[] = []): void {
    const s = this.session;
    const text = (off: number, len: number): string =>
      len === 0 ? "" : data.subarray(off, off + len).toString("utf8");
    switch (sioSessionOnPacket(s, data, p, name, NAME_CAP)) {
      case SioOut.Error:
        this.report(new Error(dropText(s.drop, s.detail)));
        break;
      case SioOut.Connected:
        // Queued emits first, then the callback.
        for (const q of this.queue.splice(0)) this.io.writeText(q.pkt);
        this.emit("connect", this.nsp, text(p.dataOff, p.dataLen), s.recovered);
        break;
      case SioOut.ConnectError: {
        const reason = s.reason;
        this.emit("connect_error", this.nsp, text(p.dataOff, p.dataLen));
        if (sioSessionFinish(s, reason)) this.finished();
        break;
      }
      case SioOut.Finish:
        this.finished();
        break;
      case SioOut.Event: {
        const args = new Uint8Array(p.argsLen + 2);
        const al = sioArgsArray(data, p, args, 0, args.length);
        this.emit(
          "event",
          this.nsp,
          Buffer.from(name.subarray(0, s.nameLen)).toString("utf8"),
          Buffer.from(args.subarray(0, al)).toString("utf8"),
          p.ackId,
          // A fifth argument only for a BINARY_EVENT, so that plain events compare as before.
          ...(attachments.length > 0 ? [attachments] : []),
        );
        break;
      }
      case SioOut.Ack: {
        const cb = this.acks[s.ack];
        this.acks[s.ack] = undefined;
        const args = new Uint8Array(p.argsLen + 2);
        const al = sioArgsArray(data, p, args, 0, args.length);
        cb?.(Buffer.from(args.subarray(0, al)).toString("utf8"), undefined, attachments);
        break;
      }
      default:
        break;
    }
  }

  /** @internal The connection's transport is gone; the manager decided `retry` (SioMgrEngineClosed's loop). */
  engineClosed(reason: number, retry: boolean): void {
    const s = this.session;
    const closed = sioSessionEngineClosed(s, reason, retry);
    for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
      if (!sioSessionAckHeld(s, k)) this.acks[k] = undefined;
    }
    // As socket.io-client (and the glue): acks that will not come are failed before the disconnect.
    this.failAcks(false);
    if (closed & SioClosed.NotifyRetry) {
      this.emit("disconnect", this.nsp, reasonText(s.reason), true);
    } else if (closed & SioClosed.Finish) {
      this.finished();
    }
  }

  /**
   * The session has ended (sioSessionFinish; SioFinished): fails the acks that have a timeout,
   * leaves the connection (its transport closes when no namespace is left), the final disconnect,
   * then the connection's "close" when it was released.
   */
  private finished(): void {
    if (this.ended) return;
    this.ended = true;
    const reason = this.session.reason;
    this.failAcks(true);
    this.queue = [];
    this.acks.fill(undefined);
    const released = this.io.left(this);
    this.emit("disconnect", this.nsp, reasonText(reason), false);
    if (released) this.io.closed(reason);
  }

  /** @internal Calls, once each, the ack callbacks the session gives up on (ending: the namespace finishes). */
  failAcks(ending: boolean): void {
    const s = this.session;
    for (let k = sioSessionTakeFailedAck(s, nowMs(), ending); k >= 0; k = sioSessionTakeFailedAck(s, nowMs(), ending)) {
      if (s.unqueued) {
        // Its emit was still queued: taken out, never sent (socket.io-client's timeout does the same).
        this.queue = this.queue.filter((q) => q.ack !== k);
      }
      const cb = this.acks[k];
      this.acks[k] = undefined;
      cb?.("", new Error(ending ? "the session ended" : "acknowledgement timed out or lost"));
    }
  }

  /** Writes or queues an encoded packet as the session decides; reports a refusal and returns false. */
  private sendPacket(r: number, pkt: Uint8Array, ack = -1): boolean {
    const s = this.session;
    switch (r) {
      case SioSend.Now:
        this.io.writeText(pkt);
        return true;
      case SioSend.Queue:
        this.queue.push({ pkt, ack });
        return true;
      case SioSend.TooLarge:
        this.report(
          new Error(
            `packet of ${s.detail} bytes not sent: the server accepts at most ${eioMaxPacket(this.io.manager.info)} (maxPayload)`,
          ),
        );
        return false;
      case SioSend.Overflow:
        this.report(new Error(`packet of ${s.detail} bytes not sent: the send queue is full`));
        return false;
      default:
        this.report(new Error("not sent: the namespace is not joined"));
        return false;
    }
  }

  /**
   * Emits event `name` with `argsJson` (zero or more comma-separated JSON values); `onAck` asks for an
   * acknowledgement, with a timeout when ackTimeoutMs > 0 (socket.io-client's `socket.timeout(ms).emit`: the
   * callback then gets an Error once when no ACK came in time, the transport was lost or the namespace ended).
   * Sent now when the namespace is joined, queued otherwise. Returns false, after an
   * "error" event, when the session refuses it (larger than the server's maxPayload, the queue is full,
   * SIO_MAX_PENDING_ACKS acks already wait, or the namespace has ended): nothing is sent.
   */
  send(name: string, argsJson = "", onAck?: AckCallback, ackTimeoutMs = 0): boolean {
    const s = this.session;
    if (this.ended) {
      this.report(new Error("not sent: the session has ended"));
      return false;
    }
    if (ackTimeoutMs !== 0 && (onAck === undefined || ackTimeoutMs < 1 || ackTimeoutMs > SIO_MAX_ACK_TIMEOUT_MS)) {
      throw new Error(`bad ack timeout ${ackTimeoutMs} (1..${SIO_MAX_ACK_TIMEOUT_MS}, with a callback)`);
    }
    const ackId = sioSessionAckIdFor(s, onAck !== undefined);
    if (ackId === -2) {
      this.report(new Error(`not sent: ${SIO_MAX_PENDING_ACKS} acknowledgements already wait`));
      return false;
    }
    const out = this.io.out;
    const n = Buffer.from(s.nsp.subarray(0, s.nspLen));
    const nm = Buffer.from(name, "utf8");
    const a = Buffer.from(argsJson, "utf8");
    const len = sioEncodeEvent(out, 0, out.length, n, 0, n.length, nm, 0, nm.length, a, 0, a.length, ackId);
    if (len < 0) throw new Error(`cannot encode packet (error ${len})`);
    const pkt = out.slice(0, len);
    const r = sioSessionEmit(s, this.io.manager, len, frameHeaderSize(len, true) + len, ackId, this.io.transportOpen());
    if (onAck && (r === SioSend.Now || r === SioSend.Queue)) {
      this.acks[s.ack] = onAck;
      if (ackTimeoutMs !== 0) {
        sioSessionAckTimeout(s, s.ack, ackTimeoutMs, nowMs());
        this.io.schedule();
      }
    }
    return this.sendPacket(r, pkt, onAck !== undefined ? s.ack : -1);
  }

  /** Answers the server's event that carried `ackId` (only on the connection that asked). */
  ack(ackId: number, argsJson = ""): boolean {
    const s = this.session;
    if (this.ended) {
      this.report(new Error("not sent: the session has ended"));
      return false;
    }
    const out = this.io.out;
    const n = Buffer.from(s.nsp.subarray(0, s.nspLen));
    const a = Buffer.from(argsJson, "utf8");
    const len = sioEncodeAck(out, 0, out.length, n, 0, n.length, ackId, a, 0, a.length);
    if (len < 0) throw new Error(`cannot encode packet (error ${len})`);
    const pkt = out.slice(0, len);
    return this.sendPacket(sioSessionAck(s, this.io.manager, len, this.io.transportOpen()), pkt);
  }

  /**
   * Leaves the namespace (DISCONNECT when joined) and ends it: "io client disconnect". The
   * connection closes when it was the last namespace on it.
   */
  close(): void {
    if (this.ended) return;
    const s = this.session;
    const out = this.io.out;
    const bits = sioSessionClose(s, this.io.transportOpen(), out, out.length);
    if (bits & SioClose.Write) this.io.writeText(out.subarray(0, s.outLen));
    if (bits & SioClose.Finish) this.finished();
  }

  /** The same as close() (socket.io-client's socket.disconnect()). */
  disconnect(): void {
    this.close();
  }
}
