/**
 * Reconnect delays compatible with socket.io-client (its backo2 Backoff):
 * attempt n (from 0) waits baseMs * 2^n, moved by a random deviation of up
 * to jitter * that value (down when floor(rand * 10) is even, up when odd),
 * then capped at maxMs. socket.io-client's defaults are reconnectionDelay
 * 1000, reconnectionDelayMax 5000, randomizationFactor 0.5 and unlimited
 * attempts (BACKOFF_DEFAULT_*).
 *
 * Integers only: rand is random16 / 65536 (the caller supplies random16 in
 * 0..65535), the jitter is in permille, and the deviation is
 * floor(floor(ms * jitter / 1000) * random16 / 65536), computed without
 * overflow. The exponential stops growing at 10 * maxMs, where every
 * jittered value is already capped to maxMs, so attempts never overflow it.
 * Deliberate difference: backo2's float arithmetic turns into NaN (delay 0)
 * after about 1000 attempts; here the delay stays at maxMs.
 */

/** socket.io-client's reconnectionDelay default. */
export const BACKOFF_DEFAULT_BASE_MS = 1000;

/** socket.io-client's reconnectionDelayMax default. */
export const BACKOFF_DEFAULT_MAX_MS = 5000;

/** socket.io-client's randomizationFactor default (0.5), in permille. */
export const BACKOFF_DEFAULT_JITTER_PERMILLE = 500;

/** Largest base or maximum delay accepted: one hour. */
export const BACKOFF_LIMIT_MS = 3600000;

/** Reconnect policy and the number of attempts made since the last success. */
export class Backoff {
  attempts = 0;
  baseMs = 0;
  maxMs = 0;
  jitterPermille = 0;
  maxAttempts = 0;
}

/**
 * Sets the policy: first delay baseMs, cap maxMs (both 0..BACKOFF_LIMIT_MS),
 * jitter 0..1000 permille, maxAttempts >= 0 (0 = unlimited); clears the
 * attempt count. Returns false, changing nothing, when a value is out of range.
 */
export function backoffInit(
  b: Backoff,
  baseMs: number,
  maxMs: number,
  jitterPermille: number,
  maxAttempts: number,
): boolean {
  if (baseMs < 0 || baseMs > BACKOFF_LIMIT_MS || maxMs < 0 || maxMs > BACKOFF_LIMIT_MS) {
    return false;
  }
  if (jitterPermille < 0 || jitterPermille > 1000 || maxAttempts < 0) {
    return false;
  }
  b.attempts = 0;
  b.baseMs = baseMs;
  b.maxMs = maxMs;
  b.jitterPermille = jitterPermille;
  b.maxAttempts = maxAttempts;
  return true;
}

/**
 * Delay in ms before the next reconnect attempt, counting that attempt; or
 * -1 when maxAttempts attempts have been made since the last backoffReset
 * (the attempt count is then left as it is: give up, or reset to start over).
 * random16 is a uniformly random int 0..65535 from the caller.
 */
export function backoffNext(b: Backoff, random16: number): number {
  if (b.maxAttempts > 0 && b.attempts >= b.maxAttempts) {
    return -1;
  }
  const n = b.attempts;
  if (b.attempts < 0x7fffffff) {
    b.attempts++;
  }
  // baseMs * 2^n, stopped at 10 * maxMs (<= 36000000, so doubling cannot overflow).
  const limit = b.maxMs * 10;
  let ms = b.baseMs;
  for (let k = 0; k < n && ms < limit && ms > 0; k++) {
    ms = ms * 2;
  }
  if (ms > limit) {
    ms = limit;
  }
  const r = random16 & 0xffff;
  // span = floor(ms * jitter / 1000) without forming ms * jitter (up to 3.6e10).
  const span = ((ms / 1000) | 0) * b.jitterPermille + ((((ms % 1000) * b.jitterPermille) / 1000) | 0);
  // deviation = floor(span * r / 65536) in two halves: span < 2^26, r < 2^16.
  const deviation = (span >> 16) * r + (Math.imul(span & 0xffff, r) >>> 16);
  if ((((r * 10) >> 16) & 1) === 0) {
    ms = ms - deviation;
  } else {
    ms = ms + deviation;
  }
  if (ms > b.maxMs) {
    ms = b.maxMs;
  }
  return ms;
}

/** Clears the attempt count after a successful connection, so the next failure starts from baseMs again. */
export function backoffReset(b: Backoff): void {
  b.attempts = 0;
}
