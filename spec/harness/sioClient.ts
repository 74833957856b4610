/**
 * A Socket.IO v5 client for ONE namespace (as the plugin's SocketIO_Connect),
 * websocket transport only, driven by the Socket.IO session of the spec
 * (spec/core/siosession.ts) over successive harness WsClients in the
 * Transport role. Every decision comes from the session, at the points where
 * the SourcePawn glue calls it: the CONNECT after the open packet, pongs, the
 * heartbeat watchdog, the open timeout, the emit queue and when it is
 * flushed, the ack table, what ends the session (a server DISCONNECT or
 * CONNECT_ERROR, the user's close, "reconnect failed") and when a lost
 * transport is reconnected. This file keeps the transports, one Node timer
 * (it wakes the session's tick), the queued bytes, the ack callbacks and
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
  SioClose,
  SioClosed,
  SioDrop,
  SioOut,
  SioReason,
  SioSend,
  SioSession,
  SioTick,
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
  sioSessionOnMessage,
  sioSessionTakeFailedAck,
  sioSessionTick,
  sioSessionTransportEndReason,
  sioSessionTransportFailed,
  sioSessionTransportStarted,
} from "../core/siosession.js";
import { SioParsed, sioArgsArray, sioEncodeAck, sioEncodeConnect, sioEncodeEvent } from "../core/socketio.js";
import { ReconnectArg, SessionRole, reconnectConfigure, reconnectRemainingMs } from "../core/wssession.js";
import { WsClient, nowMs, randomU16 } from "./wsClient.js";

export interface SioClientOptions {
  /** ws:// or wss:// origin of the server, e.g. "ws://127.0.0.1:3000". */
  url: string;
  /** The one namespace of this session (default "/"). */
  nsp?: string;
  /** Auth JSON object text sent with CONNECT ("" for none). */
  auth?: string;
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

const NAME_CAP = 256;

/** An ack callback: `err` is set (and argsJson "") when the session gave up on it (sioSessionTakeFailedAck). */
type AckCallback = (argsJson: string, err?: Error) => void;

/**
 * Events (nsp is the session's namespace): "open" (sid, pingInterval, pingTimeout) for each Engine.IO
 * connection; "ping"; "connect" (nsp, dataJson, recovered); "connect_error" (nsp, dataJson); "event" (nsp, name,
 * argsJson, ackId); "disconnect" (nsp, reason, willReconnect): the plugin's disconnect callback, with
 * willReconnect = true when a joined namespace lost its transport and a reconnect is scheduled, and
 * once with false when the session ends (whatever it had reached); "reconnect_attempt" (attempt,
 * delayMs) when a reconnect is scheduled; "reconnect_failed"; "close" (reason) once, after the final
 * "disconnect"; "error" (Error, only when listened to). argsJson is a JSON array text; reasons are
 * socket.io-client's ("transport close", "ping timeout", "io server disconnect", ...).
 */
export class SioClient extends EventEmitter {
  readonly session = new SioSession();
  readonly nsp: string;
  private ws: WsClient | null = null;
  private readonly parsed = new SioParsed();
  private readonly out: Uint8Array;
  private readonly name = new Uint8Array(NAME_CAP);
  private readonly random16: () => number;
  private readonly path: string;
  private timer: NodeJS.Timeout | null = null;
  /** Packets queued while the namespace is not joined (the session keeps their byte count). */
  private queue: Uint8Array[] = [];
  /** Ack callbacks by table entry (the session keeps the ids, states and timeouts). */
  private readonly acks: Array<AckCallback | undefined> = new Array(SIO_MAX_PENDING_ACKS);
  private ended = false;

  constructor(private readonly opts: SioClientOptions) {
    super();
    this.nsp = opts.nsp ?? "/";
    this.out = new Uint8Array(opts.maxPacket ?? 1 << 20);
    this.random16 = opts.random16 ?? randomU16;
    const n = Buffer.from(this.nsp, "utf8");
    const a = Buffer.from(opts.auth ?? "", "utf8");
    const s = this.session;
    // The caller's checks of SocketIO_Connect: the CONNECT packet must be encodable (auth a JSON object).
    const check = sioEncodeConnect(this.out, 0, this.out.length, n, 0, n.length, a, 0, a.length);
    if (check < 0) {
      throw new Error(`bad namespace or auth (CONNECT cannot be encoded: error ${check})`);
    }
    if (!sioSessionInit(s, n, 0, n.length, a, 0, a.length, nowMs())) {
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
    const base = Buffer.from(opts.path ?? "/socket.io/", "latin1");
    const target = new Uint8Array(base.length + 64);
    target.set(base);
    this.path = Buffer.from(target.subarray(0, eioResource(target, base.length, target.length))).toString("latin1");
    // The first transport is due now: it opens on the first tick, after the caller's listeners are on.
    this.schedule();
  }

  /** The namespace is joined (the server confirmed it on the current transport). */
  get connected(): boolean {
    return this.session.connected;
  }

  /** An Engine.IO connection is open (its open packet arrived). */
  get engineOpen(): boolean {
    return this.session.engineOpen;
  }

  /** Engine.IO session id of the current connection ("" when none). */
  get sid(): string {
    const info = this.session.info;
    return this.session.engineOpen ? Buffer.from(info.sid.subarray(0, info.sidLen)).toString("utf8") : "";
  }

  /** One namespace per session, as the plugin (multiplexing is issue 15). */
  join(nsp: string): never {
    throw new Error(
      `SioClient handles one namespace (${this.nsp}, given to the constructor); open another SioClient for ${nsp}`,
    );
  }

  private transportOpen(): boolean {
    return this.ws !== null && this.ws.readyState === 1;
  }

  private reasonText(reason: number): string {
    const buf = new Uint8Array(64);
    return Buffer.from(buf.subarray(0, sioReasonText(reason, buf, 0, buf.length))).toString("latin1");
  }

  /** Emits "error" when someone listens (an unheard "error" would throw inside a socket callback). */
  private report(err: Error): void {
    if (this.listenerCount("error") > 0) this.emit("error", err);
  }

  private writeText(bytes: Uint8Array): void {
    if (this.ws && this.ws.readyState === 1) this.ws.send("text", Buffer.from(bytes));
  }

  private openTransport(): void {
    const ws = WsClient.connect({
      url: this.opts.url,
      path: this.path,
      tlsTunnels: this.opts.tlsTunnels,
      role: SessionRole.Transport,
    });
    this.ws = ws;
    sioSessionTransportStarted(this.session, nowMs());
    ws.on("message", (type: string, data: Buffer) => {
      if (ws === this.ws) this.onMessage(type === "text" ? 1 : 2, data);
    });
    ws.on("error", (err: Error) => {
      if (ws !== this.ws) return;
      sioSessionTransportFailed(this.session);
      this.report(err);
    });
    ws.on("close", () => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.engineClosed(sioSessionTransportEndReason(this.session));
    });
  }

  /** Leaves the current transport (it finishes its close handshake unheard). */
  private dropTransport(): void {
    const ws = this.ws;
    this.ws = null;
    ws?.orphan(1000);
  }

  private onMessage(opcode: number, data: Buffer): void {
    const s = this.session;
    const p = this.parsed;
    const wasOpen = s.engineOpen;
    const isPing = eioPacketType(data, 0, data.length) === EioPacket.Ping;
    const r = sioSessionOnMessage(
      s,
      opcode,
      data,
      0,
      data.length,
      p,
      this.name,
      NAME_CAP,
      this.out,
      this.out.length,
      nowMs(),
    );
    const text = (off: number, len: number): string =>
      len === 0 ? "" : data.subarray(off, off + len).toString("utf8");
    switch (r) {
      case SioOut.Write:
        this.writeText(this.out.subarray(0, s.outLen));
        if (!wasOpen && s.engineOpen) this.emit("open", this.sid, s.info.pingInterval, s.info.pingTimeout);
        if (isPing) this.emit("ping");
        break;
      case SioOut.Error:
        this.report(new Error(this.dropText(s.drop, s.detail)));
        break;
      case SioOut.Fail: {
        const reason = s.reason;
        this.report(new Error(`invalid packet (error ${s.detail})`));
        this.dropTransport();
        this.engineClosed(reason);
        break;
      }
      case SioOut.CloseTransport: {
        const reason = s.reason;
        this.dropTransport();
        this.engineClosed(reason);
        break;
      }
      case SioOut.Connected:
        for (const b of this.queue.splice(0)) this.writeText(b);
        this.emit("connect", this.nsp, text(p.dataOff, p.dataLen), s.recovered);
        break;
      case SioOut.ConnectError:
        this.emit("connect_error", this.nsp, text(p.dataOff, p.dataLen));
        sioSessionFinish(s, s.reason);
        this.finish();
        break;
      case SioOut.Finish:
        this.finish();
        break;
      case SioOut.Event: {
        const args = new Uint8Array(p.argsLen + 2);
        const al = sioArgsArray(data, p, args, 0, args.length);
        this.emit(
          "event",
          this.nsp,
          Buffer.from(this.name.subarray(0, s.nameLen)).toString("utf8"),
          Buffer.from(args.subarray(0, al)).toString("utf8"),
          p.ackId,
        );
        break;
      }
      case SioOut.Ack: {
        const cb = this.acks[s.ack];
        this.acks[s.ack] = undefined;
        const args = new Uint8Array(p.argsLen + 2);
        const al = sioArgsArray(data, p, args, 0, args.length);
        cb?.(Buffer.from(args.subarray(0, al)).toString("utf8"));
        break;
      }
      default:
        break;
    }
    this.schedule();
  }

  private dropText(drop: number, detail: number): string {
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

  /** The transport is gone for `reason`: the session reconnects or finishes. */
  private engineClosed(reason: number): void {
    const s = this.session;
    const now = nowMs();
    const wasPending = s.rc.pending;
    const bits = sioSessionEngineClosed(s, reason, now, this.random16());
    for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
      if (!sioSessionAckHeld(s, k)) this.acks[k] = undefined;
    }
    // As socket.io-client (and the glue): acks that will not come are failed before the disconnect.
    if (bits !== SioClosed.None) this.failAcks(false);
    if (bits & SioClosed.NotifyRetry) {
      this.emit("disconnect", this.nsp, this.reasonText(s.reason), true);
    }
    if (!wasPending && s.rc.pending) {
      this.emit("reconnect_attempt", s.rc.backoff.attempts, reconnectRemainingMs(s.rc, now));
    }
    if (bits & SioClosed.Finish) {
      if (s.reason === SioReason.ReconnectFailed) this.emit("reconnect_failed");
      this.finish();
    }
    this.schedule();
  }

  /** The session finished (s.reason): drop the transport, the final disconnect, release. */
  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    const reason = this.reasonText(this.session.reason);
    this.failAcks(true);
    this.dropTransport();
    this.queue = [];
    this.acks.fill(undefined);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.emit("disconnect", this.nsp, reason, false);
    this.emit("close", reason);
  }

  /** Wakes the tick when the session has something timed; the tick decides what is due. */
  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.ended) return;
    const s = this.session;
    const now = nowMs();
    const waits: number[] = [];
    if (s.rc.pending) waits.push(reconnectRemainingMs(s.rc, now));
    if (s.engineOpen) waits.push(heartbeatRemainingMs(now, s.lastPingMs, s.info.pingInterval, s.info.pingTimeout));
    else if (s.transport) waits.push(heartbeatRemainingMs(now, s.openedAt, SIO_OPEN_TIMEOUT_MS, 0));
    for (let k = 0; k < SIO_MAX_PENDING_ACKS; k++) {
      if (s.ackState[k] !== 0 && s.ackTimeout[k] > 0) waits.push((s.ackDeadline[k] - now) | 0);
    }
    if (waits.length === 0) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, Math.min(...waits)) + 1);
  }

  /** Calls, once each, the ack callbacks the session gives up on (ending: the session finishes). */
  private failAcks(ending: boolean): void {
    const s = this.session;
    for (let k = sioSessionTakeFailedAck(s, nowMs(), ending); k >= 0; k = sioSessionTakeFailedAck(s, nowMs(), ending)) {
      const cb = this.acks[k];
      this.acks[k] = undefined;
      cb?.("", new Error(ending ? "the session ended" : "acknowledgement timed out or lost"));
    }
  }

  private tick(): void {
    this.timer = null;
    const s = this.session;
    this.failAcks(false);
    switch (sioSessionTick(s, nowMs())) {
      case SioTick.PingTimeout: {
        const reason = s.reason;
        this.dropTransport();
        this.engineClosed(reason);
        return;
      }
      case SioTick.OpenTimeout: {
        const reason = s.reason;
        this.report(new Error(`no Engine.IO open packet within ${s.detail} ms`));
        this.dropTransport();
        this.engineClosed(reason);
        return;
      }
      case SioTick.Open:
        this.openTransport();
        break;
      default:
        break;
    }
    this.schedule();
  }

  /** Writes or queues an encoded packet as the session decides; reports a refusal and returns false. */
  private sendPacket(r: number, pkt: Uint8Array): boolean {
    const s = this.session;
    switch (r) {
      case SioSend.Now:
        this.writeText(pkt);
        return true;
      case SioSend.Queue:
        this.queue.push(pkt);
        return true;
      case SioSend.TooLarge:
        this.report(
          new Error(
            `packet of ${s.detail} bytes not sent: the server accepts at most ${eioMaxPacket(s.info)} (maxPayload)`,
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
   * callback then gets an Error once when no ACK came in time, the transport was lost or the session ended).
   * Sent now when the namespace is joined, queued otherwise. Returns false, after an
   * "error" event, when the session refuses it (larger than the server's maxPayload, the queue is full,
   * SIO_MAX_PENDING_ACKS acks already wait, or the session has ended): nothing is sent.
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
    const n = Buffer.from(s.nsp.subarray(0, s.nspLen));
    const nm = Buffer.from(name, "utf8");
    const a = Buffer.from(argsJson, "utf8");
    const len = sioEncodeEvent(this.out, 0, this.out.length, n, 0, n.length, nm, 0, nm.length, a, 0, a.length, ackId);
    if (len < 0) throw new Error(`cannot encode packet (error ${len})`);
    const pkt = this.out.slice(0, len);
    const r = sioSessionEmit(s, len, frameHeaderSize(len, true) + len, ackId, this.transportOpen());
    if (onAck && (r === SioSend.Now || r === SioSend.Queue)) {
      this.acks[s.ack] = onAck;
      if (ackTimeoutMs !== 0) {
        sioSessionAckTimeout(s, s.ack, ackTimeoutMs, nowMs());
        this.schedule();
      }
    }
    return this.sendPacket(r, pkt);
  }

  /** Answers the server's event that carried `ackId` (only on the connection that asked). */
  ack(ackId: number, argsJson = ""): boolean {
    const s = this.session;
    const n = Buffer.from(s.nsp.subarray(0, s.nspLen));
    const a = Buffer.from(argsJson, "utf8");
    const len = sioEncodeAck(this.out, 0, this.out.length, n, 0, n.length, ackId, a, 0, a.length);
    if (len < 0) throw new Error(`cannot encode packet (error ${len})`);
    return this.sendPacket(sioSessionAck(s, len, this.transportOpen()), this.out.slice(0, len));
  }

  /** Leaves the namespace (DISCONNECT when joined) and ends the session: "io client disconnect". */
  close(): void {
    const s = this.session;
    const bits = sioSessionClose(s, this.transportOpen(), this.out, this.out.length);
    if (bits & SioClose.Write) this.writeText(this.out.subarray(0, s.outLen));
    if (bits & SioClose.Finish) this.finish();
  }

  /** The same as close(): the session has one namespace. */
  leave(): void {
    this.close();
  }
}
