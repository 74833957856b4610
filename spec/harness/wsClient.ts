/**
 * Node driver for the sans-I/O core: moves bytes between a net/tls socket and
 * a WsConn, and runs the WebSocket session around it (spec/core/wssession.ts):
 * the close timer, keepalive, the send queue's budget and the decision to
 * reconnect or finish all come from the session, at the same points where the
 * SourcePawn glue calls it. This file keeps only the sockets, one Node timer
 * (it wakes the session's tick; the tick decides what is due), the queued
 * bytes, and EventEmitter events. It decides nothing about the protocol: the
 * core is what gets tested.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { CONFIG_MAX_MESSAGE_SIZE } from "../core/config.js";
import {
  ConnOut,
  WsConn,
  connEncodeClose,
  connEncodeCloseError,
  connEncodeCloseReply,
  connEncodePong,
  connFeed,
  connInit,
  connRequest,
  connWasClean,
} from "../core/conn.js";
import { Opcode, frameEncode, frameHeaderSize } from "../core/frame.js";
import { Action, ConnEvent, ReadyState } from "../core/state.js";
import { TunnelResult, tunnelFind } from "../core/tunnel.js";
import { ParsedUrl, UrlError, urlParseWithPath } from "../core/url.js";
import {
  ReconnectArg,
  SessionRole,
  WsClosed,
  WsSend,
  WsSession,
  WsTick,
  WsUserClose,
  reconnectConfigure,
  reconnectRemainingMs,
  wsSessionApply,
  wsSessionAttempt,
  wsSessionClosed,
  wsSessionFed,
  wsSessionInit,
  wsSessionOrphan,
  wsSessionReceived,
  wsSessionRequestSent,
  wsSessionSend,
  wsSessionSetKeepalive,
  wsSessionTick,
  wsSessionUserClose,
} from "../core/wssession.js";

/** Reconnect policy (reconnectConfigure's arguments; -1 or absent: the default). */
export interface WsReconnectOptions {
  delayMs?: number;
  delayMaxMs?: number;
  /** 0 = unlimited. */
  maxAttempts?: number;
  jitterPermille?: number;
}

export interface WsClientOptions {
  url: string;
  /** Replaces the URL's path and query when not empty (the seed API's second argument). */
  path?: string;
  origin?: string;
  protocols?: string[];
  headers?: Record<string, string>;
  maxMessage?: number;
  /**
   * Bytes of a message held in the msg buffer given to the core (default: maxMessage). Smaller,
   * a longer message is handed out in Spill outputs and collected here, as the plugin does with
   * its 16 KiB buffer per connection (CONFIG_MESSAGE_BUFFER).
   */
  msgBuffer?: number;
  /**
   * Test knob: the close handshake's deadline, in ms after the session started its close timer
   * (default: the session's CONFIG_CLOSE_TIMEOUT_MS). The session still decides when it has run out.
   */
  closeTimeoutMs?: number;
  /** For wss:// against a test server with a self-signed certificate. */
  rejectUnauthorized?: boolean;
  /**
   * TLS tunnel table (spec/core/tunnel.ts; the plugin's sm_websocket_tls_tunnels): a wss:// origin
   * listed there is reached in plain TCP through its tunnel, with the URL's Host kept.
   */
  tlsTunnels?: string;
  /** Session role (default SessionRole.Client); SessionRole.Transport for a Socket.IO session's WebSocket. */
  role?: SessionRole;
  /** Reconnect after an abnormal end (Client role only; off by default, as Websocket_Connect). */
  reconnect?: boolean | WsReconnectOptions;
  /** Keepalive Ping interval in ms (0 = off, the default; else 1000..86400000). */
  keepaliveMs?: number;
  /** Uniform 0..65535 for the backoff jitter (default: random bytes). */
  random16?: () => number;
}

export type WsMessageType = "text" | "binary";

export class WsClientError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly detail?: number,
  ) {
    super(message);
  }
}

const URL_ERRORS: Record<number, string> = {
  [UrlError.NoScheme]: "no scheme",
  [UrlError.UnknownScheme]: "unknown scheme",
  [UrlError.EmptyHost]: "empty host",
  [UrlError.BadPort]: "bad port",
  [UrlError.TooLong]: "too long",
  [UrlError.BadHost]: "bad host",
  [UrlError.BadPath]: "bad path",
  [UrlError.Fragment]: "fragment not allowed",
};

const RECONNECT_ARGS: Record<number, string> = {
  [ReconnectArg.DelayMs]: "delayMs",
  [ReconnectArg.DelayMaxMs]: "delayMaxMs",
  [ReconnectArg.MaxAttempts]: "maxAttempts",
  [ReconnectArg.JitterPermille]: "jitterPermille",
};

/** The harness clock: any wrapping 32-bit millisecond counter will do, the core only uses differences. */
export function nowMs(): number {
  return Math.floor(performance.now()) | 0;
}

export function randomU16(): number {
  return randomBytes(2).readUInt16BE(0);
}

/**
 * Events: "open"; "message" (type, data); "ping" (payload) after the pong went out; "pong" (payload);
 * "error" (WsClientError); "close" (code, reason, wasClean, willReconnect): the disconnect callback, with
 * willReconnect = true when the session reconnects after an attempt that had opened, false once at the
 * end; "reconnect_attempt" (attempt, delayMs) when a reconnect is scheduled; "reconnecting" when it
 * starts. A connection left with orphan() emits nothing more.
 */
export class WsClient extends EventEmitter {
  private readonly conn = new WsConn();
  readonly session = new WsSession();
  private readonly msg: Uint8Array;
  private readonly maxMessage: number;
  private readonly random16: () => number;
  /** The spilled start of the message being received. */
  private spilled: Buffer[] = [];
  private sock: net.Socket | null = null;
  /** The frames queued while not open (the session keeps their byte count). */
  private readonly queue: Array<[number, Uint8Array]> = [];
  private timer: NodeJS.Timeout | null = null;
  private finished = false;
  private tunnel: { host: string; port: number } | null = null;
  /** The subprotocol the server chose ("" for none). */
  protocol = "";

  static connect(opts: WsClientOptions): WsClient {
    return new WsClient(opts);
  }

  private constructor(private readonly opts: WsClientOptions) {
    super();
    this.maxMessage = opts.maxMessage ?? CONFIG_MAX_MESSAGE_SIZE;
    this.random16 = opts.random16 ?? randomU16;
    this.msg = new Uint8Array(Math.max(1, Math.min(opts.msgBuffer ?? this.maxMessage, this.maxMessage)));
    const s = this.session;
    wsSessionInit(s, opts.role ?? SessionRole.Client, nowMs());
    if (opts.reconnect) {
      const r = opts.reconnect === true ? {} : opts.reconnect;
      const bad = reconnectConfigure(
        s.rc,
        true,
        r.delayMs ?? -1,
        r.delayMaxMs ?? -1,
        r.maxAttempts ?? -1,
        r.jitterPermille ?? -1,
      );
      if (bad !== ReconnectArg.Ok) {
        throw new WsClientError(`bad reconnect option ${RECONNECT_ARGS[bad]}`, "EARG", bad);
      }
    }
    if (opts.keepaliveMs !== undefined && !wsSessionSetKeepalive(s, opts.keepaliveMs, nowMs())) {
      throw new WsClientError(`bad keepalive interval ${opts.keepaliveMs}`, "EARG");
    }
    const url = Buffer.from(opts.url, "latin1");
    const path = Buffer.from(opts.path ?? "", "latin1");
    const err = urlParseWithPath(this.conn.url, url, 0, url.length, path, 0, path.length);
    if (err !== UrlError.None) {
      this.refuse(new WsClientError(`bad URL: ${URL_ERRORS[err]}`, "EURL", err));
      return;
    }
    const u = this.conn.url;
    const tunnel = u.secure ? WsClient.tunnelFor(u, opts.tlsTunnels ?? "") : null;
    if (tunnel === "malformed") {
      this.refuse(new WsClientError("malformed TLS tunnel table", "ETUNNEL"));
      return;
    }
    this.tunnel = tunnel;
    this.startAttempt();
  }

  /** Refused before any attempt (as the Connect native refuses): an error, then the final close. */
  private refuse(err: WsClientError): void {
    this.conn.state = ReadyState.Closed;
    this.finished = true;
    process.nextTick(() => {
      this.emit("error", err);
      this.emit("close", this.conn.closeCode || 1006, "", false, false);
    });
  }

  /** The tunnel of a wss:// origin (tunnelFind), null when it has none, "malformed" when the table is. */
  private static tunnelFor(u: ParsedUrl, table: string): { host: string; port: number } | null | "malformed" {
    const t = Buffer.from(table, "latin1");
    const target = new ParsedUrl();
    const r = tunnelFind(t, 0, t.length, u, new ParsedUrl(), target);
    if (r === TunnelResult.Malformed) return "malformed";
    if (r === TunnelResult.None) return null;
    return { host: Buffer.from(target.host.subarray(0, target.hostLen)).toString("latin1"), port: target.port };
  }

  get readyState(): number {
    return this.conn.state;
  }

  /** One attempt: a fresh connection state and nonce, then the socket (the session was told by the caller or the tick). */
  private startAttempt(): void {
    const protocols = Buffer.from((this.opts.protocols ?? []).join(", "), "latin1");
    connInit(this.conn, randomBytes(16), 0, protocols, 0, protocols.length, this.maxMessage, this.msg.length);
    wsSessionAttempt(this.session);
    this.spilled = [];
    this.protocol = "";
    const u = this.conn.url;
    const host = Buffer.from(u.host.subarray(0, u.hostLen)).toString("latin1");
    const tunnel = this.tunnel;
    const sock = tunnel
      ? net.connect(tunnel)
      : u.secure
        ? tls.connect({
            host,
            port: u.port,
            // SNI carries host names only (RFC 6066 §3); Node warns (DEP0123) when given an IP address.
            servername: u.ipv6 || net.isIP(host) !== 0 ? undefined : host,
            rejectUnauthorized: this.opts.rejectUnauthorized ?? true,
          })
        : net.connect({ host, port: u.port });
    this.sock = sock;
    sock.setNoDelay(true);
    // Events of a socket from an earlier attempt are ignored: that attempt has ended.
    sock.once(u.secure && !tunnel ? "secureConnect" : "connect", () => {
      if (sock === this.sock) this.sendRequest();
    });
    sock.on("data", (chunk: Buffer) => {
      if (sock === this.sock) this.receive(chunk);
    });
    sock.on("error", (e: NodeJS.ErrnoException) => {
      if (sock === this.sock) this.apply(ConnEvent.SocketError, new WsClientError(e.message, "ESOCKET", 0));
    });
    sock.on("close", () => {
      if (sock === this.sock) {
        this.apply(ConnEvent.TcpClosed, new WsClientError("connection closed before the handshake", "EDROP"));
      }
    });
  }

  private sendRequest(): void {
    const origin = Buffer.from(this.opts.origin ?? "", "latin1");
    const extra = Buffer.from(
      Object.entries(this.opts.headers ?? {})
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join(""),
      "latin1",
    );
    const out = new Uint8Array(16384);
    const n = connRequest(this.conn, out, out.length, origin, 0, origin.length, extra, 0, extra.length);
    wsSessionRequestSent(this.session, n >= 0);
    if (n < 0) {
      this.apply(
        ConnEvent.SocketError,
        new WsClientError(`cannot build the handshake request (${-n})`, "EREQUEST", -n),
      );
      return;
    }
    this.sock!.write(out.subarray(0, n));
  }

  private receive(chunk: Uint8Array): void {
    wsSessionReceived(this.session, nowMs());
    let off = 0;
    while (off < chunk.length) {
      const used = connFeed(this.conn, chunk, off, chunk.length - off, this.msg);
      off += used;
      this.dispatch();
      if (used === 0 && this.conn.out === ConnOut.None) {
        break;
      }
    }
  }

  private dispatch(): void {
    const c = this.conn;
    switch (c.out) {
      case ConnOut.Open: {
        this.protocol = Buffer.from(c.hs.protocol.subarray(0, c.hs.protocolLen)).toString("latin1");
        break;
      }
      case ConnOut.Spill: {
        this.spilled.push(Buffer.from(this.msg.subarray(0, c.spillLen)));
        break;
      }
      case ConnOut.Message: {
        const tail = Buffer.from(this.msg.subarray(0, c.msgLen - c.msgSpilled));
        const data = this.spilled.length === 0 ? tail : Buffer.concat([...this.spilled, tail]);
        this.spilled = [];
        if (data.length !== c.msgLen) {
          throw new Error(`harness: reassembled ${data.length} bytes of a ${c.msgLen}-byte message`);
        }
        this.notify("message", c.msgType === Opcode.Text ? "text" : "binary", data);
        break;
      }
      case ConnOut.Ping: {
        const payload = Buffer.from(c.dec.ctl.subarray(0, c.dec.ctlLen));
        const out = new Uint8Array(140);
        const n = connEncodePong(c, out, 0, out.length, randomBytes(4), 0);
        this.write(out.subarray(0, n));
        this.notify("ping", payload);
        break;
      }
      case ConnOut.Pong: {
        this.notify("pong", Buffer.from(c.dec.ctl.subarray(0, c.dec.ctlLen)));
        break;
      }
      default:
        break;
    }
    if (c.actions !== Action.None) {
      // connFeed applied the ready-state event itself: the session keeps its part (wsSessionFed).
      const now = nowMs();
      const actions = wsSessionFed(this.session, c, now);
      this.adjustCloseDeadline(actions, now);
      this.perform(actions, this.errorFor(c.out));
    }
  }

  private errorFor(out: number): WsClientError | null {
    const c = this.conn;
    if (out === ConnOut.HandshakeFailed) {
      return new WsClientError(
        `handshake failed (error ${c.hs.error}, HTTP status ${c.hs.status})`,
        "EHANDSHAKE",
        c.hs.status,
      );
    }
    if (out === ConnOut.ProtocolError) {
      return new WsClientError(`protocol error, failing with close code ${c.failCode}`, "EPROTOCOL", c.failCode);
    }
    return null;
  }

  /** A socket event or the user's close through the session (wsSessionApply), then its actions. */
  private apply(event: number, error: WsClientError | null): void {
    const now = nowMs();
    const actions = wsSessionApply(this.session, this.conn, event, now);
    this.adjustCloseDeadline(actions, now);
    this.perform(actions, error);
  }

  private adjustCloseDeadline(actions: number, now: number): void {
    if (actions & Action.StartCloseTimer && this.opts.closeTimeoutMs !== undefined) {
      this.session.closeDeadline = (now + this.opts.closeTimeoutMs) | 0;
    }
  }

  private write(bytes: Uint8Array): void {
    if (this.sock && !this.sock.destroyed) {
      this.sock.write(bytes);
    }
  }

  private notify(event: string, ...args: unknown[]): void {
    if (this.session.role !== SessionRole.Orphan) this.emit(event, ...args);
  }

  private perform(actions: number, error: WsClientError | null): void {
    const c = this.conn;
    const s = this.session;
    const out = new Uint8Array(140);
    if (actions & Action.SendClose) {
      const reason = s.userReason.subarray(0, s.userReasonLen);
      this.write(
        out.subarray(0, connEncodeClose(out, 0, out.length, s.userCode, reason, 0, reason.length, randomBytes(4), 0)),
      );
    }
    if (actions & Action.SendCloseReply) {
      this.write(out.subarray(0, connEncodeCloseReply(c, out, 0, out.length, randomBytes(4), 0)));
    }
    if (actions & Action.SendCloseError) {
      this.write(out.subarray(0, connEncodeCloseError(c, out, 0, out.length, randomBytes(4), 0)));
    }
    if (actions & Action.NotifyOpen) {
      // The queued frames go out before the open callback (wsSessionApply's contract).
      for (const [opcode, payload] of this.queue.splice(0)) {
        this.writeFrame(opcode, payload);
      }
      this.notify("open");
    }
    if (actions & Action.NotifyError && error) {
      this.notify("error", error);
    }
    if (actions & Action.Disconnect) {
      this.sock?.destroy();
    }
    if (actions & Action.NotifyClosed) {
      this.closed();
    }
    this.schedule();
  }

  /** The attempt reached CLOSED: the session decides between a reconnect and the end. */
  private closed(): void {
    const c = this.conn;
    const s = this.session;
    const now = nowMs();
    const bits = wsSessionClosed(s, c, now, this.random16());
    if (bits === WsClosed.None) return;
    const reason =
      c.closeReceived && c.dec.ctlLen > 2 ? Buffer.from(c.dec.ctl.subarray(2, c.dec.ctlLen)).toString("utf8") : "";
    if (bits & WsClosed.Retry) {
      this.sock?.destroy();
      this.sock = null;
    }
    if (bits & WsClosed.NotifyRetry) {
      this.notify("close", c.closeCode, reason, connWasClean(c), true);
    }
    if (bits & WsClosed.Retry) {
      this.notify("reconnect_attempt", s.rc.backoff.attempts, reconnectRemainingMs(s.rc, now));
    }
    if (bits & WsClosed.Finish) {
      this.finish(reason);
    }
  }

  /** WsClosed.Finish: the final disconnect callback (willReconnect = false); nothing follows. */
  private finish(reason: string): void {
    const c = this.conn;
    this.finished = true;
    this.queue.length = 0;
    this.notify("close", c.closeCode, reason, connWasClean(c), false);
  }

  /** Wakes the tick when the session has something timed: the tick decides what, if anything, is due. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.finished) return;
    const s = this.session;
    const now = nowMs();
    const waits: number[] = [];
    if (s.rc.pending) waits.push(reconnectRemainingMs(s.rc, now));
    if (s.closeTimer && this.conn.state === ReadyState.Closing) waits.push((s.closeDeadline - now) | 0);
    if (s.keepaliveMs > 0 && this.conn.state === ReadyState.Open) {
      waits.push((s.lastPingMs + s.keepaliveMs - now) | 0, (s.lastRecvMs + 2 * s.keepaliveMs - now) | 0);
    }
    if (waits.length === 0) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, Math.min(...waits)) + 1);
  }

  private tick(): void {
    this.timer = null;
    const s = this.session;
    const t = wsSessionTick(s, this.conn, nowMs());
    switch (t) {
      case WsTick.Reconnect:
        this.notify("reconnecting");
        this.startAttempt();
        break;
      case WsTick.CloseTimeout:
      case WsTick.RequestTimeout:
        this.perform(s.actions, null);
        return;
      case WsTick.KeepaliveTimeout:
        this.perform(
          s.actions,
          new WsClientError(`keepalive: nothing received for ${s.detail} ms`, "ETIMEOUT", s.detail),
        );
        return;
      case WsTick.Ping:
        this.writeFrame(Opcode.Ping, new Uint8Array(0));
        break;
      default:
        break;
    }
    this.schedule();
  }

  private writeFrame(opcode: number, payload: Uint8Array): void {
    const out = new Uint8Array(frameHeaderSize(payload.length, true) + payload.length);
    const n = frameEncode(out, 0, out.length, opcode, payload, 0, payload.length, randomBytes(4), 0);
    this.write(out.subarray(0, n));
  }

  /**
   * Sends a message: now while OPEN, queued (within the session's budget) while CONNECTING or
   * waiting to reconnect, flushed in order on open. Throws when the queue has no room or the
   * connection is closing or closed.
   */
  send(type: WsMessageType, data: Uint8Array | string): void {
    const payload = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (payload.length > this.maxMessage) {
      throw new WsClientError(`message of ${payload.length} bytes exceeds the limit of ${this.maxMessage}`, "ETOOBIG");
    }
    const opcode = type === "text" ? Opcode.Text : Opcode.Binary;
    const frameLen = frameHeaderSize(payload.length, true) + payload.length;
    switch (wsSessionSend(this.session, this.conn, frameLen)) {
      case WsSend.Now:
        this.writeFrame(opcode, payload);
        return;
      case WsSend.Queue:
        this.queue.push([opcode, payload]);
        return;
      case WsSend.Overflow:
        throw new WsClientError(
          `send queue full: a frame of ${this.session.detail} bytes does not fit`,
          "EQUEUE",
          this.session.detail,
        );
      default:
        throw new WsClientError("connection is not open", "ESTATE");
    }
  }

  ping(data: Uint8Array = new Uint8Array(0)): void {
    if (this.conn.state === ReadyState.Open) this.writeFrame(Opcode.Ping, data);
  }

  /** Starts the closing handshake (or drops a connection still CONNECTING); no reconnect follows. */
  close(code = 1000, reason = ""): void {
    const r = Buffer.from(reason, "utf8");
    const s = this.session;
    const now = nowMs();
    switch (wsSessionUserClose(s, this.conn, code, r, 0, r.length, now)) {
      case WsUserClose.Apply:
        this.adjustCloseDeadline(s.actions, now);
        this.perform(s.actions, null);
        return;
      case WsUserClose.Finish:
        // It was waiting to reconnect (its last attempt's end was reported with willReconnect).
        this.finish("");
        this.schedule();
        return;
      default:
        return;
    }
  }

  /**
   * The owner leaves the connection (wsSessionOrphan): it emits nothing more, drops its queue and
   * finishes its close handshake with `code` (a connection still connecting is dropped).
   */
  orphan(code = 1000): void {
    const s = this.session;
    const now = nowMs();
    this.queue.length = 0;
    switch (wsSessionOrphan(s, this.conn, code, now)) {
      case WsUserClose.Apply:
        this.adjustCloseDeadline(s.actions, now);
        this.perform(s.actions, null);
        return;
      case WsUserClose.Finish:
        this.finished = true;
        this.schedule();
        return;
      default:
        return;
    }
  }
}
