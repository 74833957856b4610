import fc from "fast-check";
import { Manager } from "socket.io-client";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  BACKOFF_DEFAULT_BASE_MS,
  BACKOFF_DEFAULT_JITTER_PERMILLE,
  BACKOFF_DEFAULT_MAX_MS,
  BACKOFF_LIMIT_MS,
  Backoff,
  backoffInit,
  backoffNext,
  backoffReset,
} from "../core/backoff.js";

function make(
  base = BACKOFF_DEFAULT_BASE_MS,
  max = BACKOFF_DEFAULT_MAX_MS,
  jitter = BACKOFF_DEFAULT_JITTER_PERMILLE,
  attempts = 0,
): Backoff {
  const b = new Backoff();
  expect(backoffInit(b, base, max, jitter, attempts)).toBe(true);
  return b;
}

function seq(b: Backoff, r: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push(backoffNext(b, r));
  }
  return out;
}

/** The exact integer rule the core documents, computed with BigInt. */
function reference(base: number, max: number, jitter: number, attempt: number, r: number): number {
  let ms = BigInt(base) * 2n ** BigInt(Math.min(attempt, 64));
  const limit = BigInt(max) * 10n;
  if (ms > limit) {
    ms = limit;
  }
  const span = (ms * BigInt(jitter)) / 1000n;
  const dev = (span * BigInt(r)) / 65536n;
  ms = Math.floor((r * 10) / 65536) % 2 === 0 ? ms - dev : ms + dev;
  return Number(ms > BigInt(max) ? BigInt(max) : ms);
}

/** socket.io-client's own Backoff, reached through a Manager that never connects. */
function theirBackoff(opts: {
  reconnectionDelay?: number;
  reconnectionDelayMax?: number;
  randomizationFactor?: number;
}): { duration(): number; attempts: number } {
  const m = new Manager("http://127.0.0.1:1", { autoConnect: false, ...opts });
  return (m as unknown as { backoff: { duration(): number; attempts: number } }).backoff;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("backoff", () => {
  it("uses socket.io-client's defaults", () => {
    expect([BACKOFF_DEFAULT_BASE_MS, BACKOFF_DEFAULT_MAX_MS, BACKOFF_DEFAULT_JITTER_PERMILLE]).toEqual([
      1000, 5000, 500,
    ]);
    const m = new Manager("http://127.0.0.1:1", { autoConnect: false });
    expect(m.reconnectionDelay()).toBe(BACKOFF_DEFAULT_BASE_MS);
    expect(m.reconnectionDelayMax()).toBe(BACKOFF_DEFAULT_MAX_MS);
    expect(m.randomizationFactor() * 1000).toBe(BACKOFF_DEFAULT_JITTER_PERMILLE);
  });

  it("doubles from the base up to the cap without jitter", () => {
    expect(seq(make(1000, 5000, 0), 12345, 6)).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
    expect(seq(make(100, 100000, 0), 0, 5)).toEqual([100, 200, 400, 800, 1600]);
    expect(seq(make(0, 5000, 500), 40000, 3)).toEqual([0, 0, 0]);
    expect(seq(make(1000, 0, 500), 40000, 3)).toEqual([0, 0, 0]);
  });

  it("jitters down for even floor(rand*10), up for odd, within jitter * delay", () => {
    // r = 0: rand 0, no deviation.
    expect(seq(make(), 0, 5)).toEqual([1000, 2000, 4000, 5000, 5000]);
    // r = 65535: rand just below 1, floor(rand*10) = 9: up by almost 50%.
    expect(seq(make(), 65535, 4)).toEqual([1499, 2999, 5000, 5000]);
    // 0.9 * 65536 = 58982.4: r = 58983 gives floor(rand*10) = 9 → up; r = 58982 gives 8 → down.
    expect(seq(make(), 58983, 2)).toEqual([
      1000 + Math.floor((500 * 58983) / 65536),
      2000 + Math.floor((1000 * 58983) / 65536),
    ]);
    expect(seq(make(), 58982, 2)).toEqual([
      1000 - Math.floor((500 * 58982) / 65536),
      2000 - Math.floor((1000 * 58982) / 65536),
    ]);
    // Above the cap, a downward jitter can still land below it, as in backo2: 8000 - 3599 = 4401.
    const b = make();
    seq(b, 0, 3);
    expect(backoffNext(b, 58981)).toBe(8000 - Math.floor((4000 * 58981) / 65536));
  });

  it("matches socket.io-client's Backoff given the same random number", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20000 }),
        fc.integer({ min: 1, max: 100000 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 25 }),
        (base, max, jitter, rs) => {
          const theirs = theirBackoff({
            reconnectionDelay: base,
            reconnectionDelayMax: max,
            randomizationFactor: jitter / 1000,
          });
          const ours = make(base, max, jitter);
          for (const r of rs) {
            vi.spyOn(Math, "random").mockReturnValue(r / 65536);
            const t = theirs.duration();
            const o = backoffNext(ours, r);
            // Same rule; only where backo2 floors once we floor twice (ms*j/1000, then *r/65536).
            expect(Math.abs(o - t)).toBeLessThanOrEqual(1);
            expect(ours.attempts).toBe(theirs.attempts);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it("follows the documented integer rule exactly and stays in bounds, for up to 1 hour delays", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: BACKOFF_LIMIT_MS }),
        fc.integer({ min: 0, max: BACKOFF_LIMIT_MS }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(0, 1, 6553, 6554, 32768, 65535),
        (base, max, jitter, attempt, r) => {
          const b = make(base, max, jitter);
          b.attempts = attempt;
          const d = backoffNext(b, r);
          expect(d).toBe(reference(base, max, jitter, attempt, r));
          expect(d).toBeGreaterThanOrEqual(0);
          expect(d).toBeLessThanOrEqual(max);
          expect(Number.isInteger(d)).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it("never overflows over many attempts", () => {
    const b = make(BACKOFF_LIMIT_MS, BACKOFF_LIMIT_MS, 1000);
    for (let i = 0; i < 2000; i++) {
      const d = backoffNext(b, (i * 7919) & 0xffff);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(BACKOFF_LIMIT_MS);
    }
    expect(b.attempts).toBe(2000);
    const c = make();
    c.attempts = 0x7fffffff;
    expect(backoffNext(c, 65535)).toBe(5000);
    expect(c.attempts).toBe(0x7fffffff);
  });

  it("stops after maxAttempts and starts over after a reset", () => {
    const b = make(1000, 5000, 0, 3);
    expect(seq(b, 0, 5)).toEqual([1000, 2000, 4000, -1, -1]);
    expect(b.attempts).toBe(3);
    backoffReset(b);
    expect(b.attempts).toBe(0);
    expect(seq(b, 0, 2)).toEqual([1000, 2000]);
    backoffReset(b);
    expect(backoffNext(b, 0)).toBe(1000);
  });

  it("refuses out-of-range settings without changing the record", () => {
    const b = make(1000, 5000, 500, 2);
    backoffNext(b, 0);
    const bad: Array<[number, number, number, number]> = [
      [-1, 5000, 500, 0],
      [BACKOFF_LIMIT_MS + 1, 5000, 500, 0],
      [1000, -1, 500, 0],
      [1000, BACKOFF_LIMIT_MS + 1, 500, 0],
      [1000, 5000, -1, 0],
      [1000, 5000, 1001, 0],
      [1000, 5000, 500, -1],
    ];
    for (const [base, max, j, a] of bad) {
      expect(backoffInit(b, base, max, j, a)).toBe(false);
      expect([b.attempts, b.baseMs, b.maxMs, b.jitterPermille, b.maxAttempts]).toEqual([1, 1000, 5000, 500, 2]);
    }
  });
});
