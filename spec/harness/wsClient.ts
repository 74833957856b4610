/**
 * Node driver for the sans-I/O core: moves bytes between a net/tls socket and
 * WsConn, runs the close timer, and turns the core's outputs into events.
 * It decides nothing about the protocol itself: that is the point, since the
 * SourcePawn glue must be just as thin and the core is what gets tested.
 */
import { randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import net from "node:net";
import tls from "node:tls";
import { CONFIG_CLOSE_TIMEOUT_MS, CONFIG_MAX_MESSAGE_SIZE } from "../core/config.js";
import {
  ConnOut,
  WsConn,
  connApply,
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
  closeTimeoutMs?: number;
  /** For wss:// against a test server with a self-signed certificate. */
  rejectUnauthorized?: boolean;
  /**
   * TLS tunnel table (spec/core/tunnel.ts; the plugin's sm_websocket_tls_tunnels): a wss:// origin
   * listed there is reached in plain TCP through its tunnel, with the URL's Host kept.
   */
  tlsTunnels?: string;
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

export class WsClient extends EventEmitter {
  private readonly conn = new WsConn();
  private readonly msg: Uint8Array;
  private readonly maxMessage: number;
  /** The spilled start of the message being received. */
  private spilled: Buffer[] = [];
  private readonly sock: net.Socket | null = null;
  private readonly queue: Array<[number, Uint8Array]> = [];
  private closeTimer: NodeJS.Timeout | null = null;
  private userCode = 1000;
  private userReason: Uint8Array = new Uint8Array(0);
  private closedEmitted = false;
  /** The subprotocol the server chose ("" for none). */
  protocol = "";

  static connect(opts: WsClientOptions): WsClient {
    return new WsClient(opts);
  }

  private constructor(private readonly opts: WsClientOptions) {
    super();
    this.maxMessage = opts.maxMessage ?? CONFIG_MAX_MESSAGE_SIZE;
    this.msg = new Uint8Array(Math.max(1, Math.min(opts.msgBuffer ?? this.maxMessage, this.maxMessage)));
    const url = Buffer.from(opts.url, "latin1");
    const path = Buffer.from(opts.path ?? "", "latin1");
    const err = urlParseWithPath(this.conn.url, url, 0, url.length, path, 0, path.length);
    const protocols = Buffer.from((opts.protocols ?? []).join(", "), "latin1");
    connInit(this.conn, randomBytes(16), 0, protocols, 0, protocols.length, this.maxMessage, this.msg.length);
    if (err !== UrlError.None) {
      this.conn.state = ReadyState.Closed;
      process.nextTick(() => {
        this.emit("error", new WsClientError(`bad URL: ${URL_ERRORS[err]}`, "EURL", err));
        this.emitClosed();
      });
      return;
    }
    const u = this.conn.url;
    const host = Buffer.from(u.host.subarray(0, u.hostLen)).toString("latin1");
    const tunnel = u.secure ? WsClient.tunnelFor(u, opts.tlsTunnels ?? "") : null;
    if (tunnel === "malformed") {
      this.conn.state = ReadyState.Closed;
      process.nextTick(() => {
        this.emit("error", new WsClientError("malformed TLS tunnel table", "ETUNNEL"));
        this.emitClosed();
      });
      return;
    }
    this.sock = tunnel
      ? net.connect(tunnel)
      : u.secure
        ? tls.connect({
            host,
            port: u.port,
            // SNI carries host names only (RFC 6066 §3); Node warns (DEP0123) when given an IP address.
            servername: u.ipv6 || net.isIP(host) !== 0 ? undefined : host,
            rejectUnauthorized: opts.rejectUnauthorized ?? true,
          })
        : net.connect({ host, port: u.port });
    this.sock.setNoDelay(true);
    this.sock.once(u.secure && !tunnel ? "secureConnect" : "connect", () => this.sendRequest());
    this.sock.on("data", (chunk: Buffer) => this.receive(chunk));
    this.sock.on("error", (e: NodeJS.ErrnoException) => {
      this.apply(ConnEvent.SocketError, new WsClientError(e.message, "ESOCKET", 0));
    });
    this.sock.on("close", () =>
      this.apply(ConnEvent.TcpClosed, new WsClientError("connection closed before the handshake", "EDROP")),
    );
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
        this.emit("message", c.msgType === Opcode.Text ? "text" : "binary", data);
        break;
      }
      case ConnOut.Ping: {
        const payload = Buffer.from(c.dec.ctl.subarray(0, c.dec.ctlLen));
        const out = new Uint8Array(140);
        const n = connEncodePong(c, out, 0, out.length, randomBytes(4), 0);
        this.write(out.subarray(0, n));
        this.emit("ping", payload);
        break;
      }
      case ConnOut.Pong: {
        this.emit("pong", Buffer.from(c.dec.ctl.subarray(0, c.dec.ctlLen)));
        break;
      }
      default:
        break;
    }
    if (c.actions !== Action.None) {
      this.perform(c.actions, this.errorFor(c.out));
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

  private apply(event: number, error: WsClientError | null): void {
    const actions = connApply(this.conn, event);
    this.perform(actions, error);
  }

  private write(bytes: Uint8Array): void {
    if (this.sock && !this.sock.destroyed) {
      this.sock.write(bytes);
    }
  }

  private perform(actions: number, error: WsClientError | null): void {
    const c = this.conn;
    const out = new Uint8Array(140);
    if (actions & Action.SendClose) {
      this.write(
        out.subarray(
          0,
          connEncodeClose(
            out,
            0,
            out.length,
            this.userCode,
            this.userReason,
            0,
            this.userReason.length,
            randomBytes(4),
            0,
          ),
        ),
      );
    }
    if (actions & Action.SendCloseReply) {
      this.write(out.subarray(0, connEncodeCloseReply(c, out, 0, out.length, randomBytes(4), 0)));
    }
    if (actions & Action.SendCloseError) {
      this.write(out.subarray(0, connEncodeCloseError(c, out, 0, out.length, randomBytes(4), 0)));
    }
    if (actions & Action.StartCloseTimer) {
      this.closeTimer = setTimeout(
        () => this.apply(ConnEvent.CloseTimeout, null),
        this.opts.closeTimeoutMs ?? CONFIG_CLOSE_TIMEOUT_MS,
      );
    }
    if (actions & Action.NotifyOpen) {
      this.emit("open");
      for (const [opcode, payload] of this.queue.splice(0)) {
        this.writeFrame(opcode, payload);
      }
    }
    if (actions & Action.NotifyError && error) {
      this.emit("error", error);
    }
    if (actions & Action.Disconnect) {
      this.sock?.destroy();
    }
    if (actions & Action.NotifyClosed) {
      this.emitClosed();
    }
  }

  private emitClosed(): void {
    if (this.closedEmitted) return;
    this.closedEmitted = true;
    if (this.closeTimer) clearTimeout(this.closeTimer);
    const c = this.conn;
    const reason =
      c.closeReceived && c.dec.ctlLen > 2 ? Buffer.from(c.dec.ctl.subarray(2, c.dec.ctlLen)).toString("utf8") : "";
    this.emit("close", c.closeCode, reason, connWasClean(c));
  }

  private writeFrame(opcode: number, payload: Uint8Array): void {
    const out = new Uint8Array(frameHeaderSize(payload.length, true) + payload.length);
    const n = frameEncode(out, 0, out.length, opcode, payload, 0, payload.length, randomBytes(4), 0);
    this.write(out.subarray(0, n));
  }

  /** Sends a message; queued while CONNECTING, flushed in order on open. */
  send(type: WsMessageType, data: Uint8Array | string): void {
    const payload = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    if (payload.length > this.maxMessage) {
      throw new WsClientError(`message of ${payload.length} bytes exceeds the limit of ${this.maxMessage}`, "ETOOBIG");
    }
    const opcode = type === "text" ? Opcode.Text : Opcode.Binary;
    if (this.conn.state === ReadyState.Connecting) {
      this.queue.push([opcode, payload]);
    } else if (this.conn.state === ReadyState.Open) {
      this.writeFrame(opcode, payload);
    } else {
      throw new WsClientError("connection is not open", "ESTATE");
    }
  }

  ping(data: Uint8Array = new Uint8Array(0)): void {
    if (this.conn.state === ReadyState.Open) this.writeFrame(Opcode.Ping, data);
  }

  /** Starts the closing handshake (or drops a connection still CONNECTING). */
  close(code = 1000, reason = ""): void {
    this.userCode = code;
    this.userReason = Buffer.from(reason, "utf8");
    this.apply(ConnEvent.UserClose, null);
  }
}
