/**
 * Engine.IO v4 heartbeat, client side: the server sends a ping every
 * pingInterval ms and the client answers with a pong; the client treats the
 * link as dead when no ping (or, before the first one, the open packet) has
 * arrived for more than pingInterval + pingTimeout ms, as engine.io-client
 * does. Times are int milliseconds from any counter that may wrap around
 * 2^32: only differences `(a - b) | 0` are used, which stay exact while the
 * real gap is below 2^31 ms (about 24.8 days).
 */

/** Largest value heartbeatRemainingMs returns. */
export const HEARTBEAT_MAX_MS = 0x7fffffff;

/**
 * Milliseconds left before the link counts as dead: pingInterval +
 * pingTimeout - (nowMs - lastPingMs), saturated to HEARTBEAT_MAX_MS; negative
 * once it is dead. lastPingMs is when the open packet or the latest ping
 * arrived; pingInterval and pingTimeout come from the open packet (>= 0).
 * A clock that appears to run backwards (negative elapsed time) counts as no
 * time elapsed.
 */
export function heartbeatRemainingMs(
  nowMs: number,
  lastPingMs: number,
  pingInterval: number,
  pingTimeout: number,
): number {
  let elapsed = (nowMs - lastPingMs) | 0;
  if (elapsed < 0) {
    elapsed = 0;
  }
  // Both terms lie in [-2^31 + 1, 2^31 - 1], so each step is checked before it could wrap.
  const r = pingInterval - elapsed;
  if (r > 0 && pingTimeout > HEARTBEAT_MAX_MS - r) {
    return HEARTBEAT_MAX_MS;
  }
  return r + pingTimeout;
}

/** True when no ping has arrived within pingInterval + pingTimeout ms of lastPingMs (see heartbeatRemainingMs). */
export function heartbeatExpired(
  nowMs: number,
  lastPingMs: number,
  pingInterval: number,
  pingTimeout: number,
): boolean {
  return heartbeatRemainingMs(nowMs, lastPingMs, pingInterval, pingTimeout) < 0;
}
