/**
 * Incremental UTF-8 validation (RFC 3629, as required for WebSocket text
 * messages and close reasons by RFC 6455 §5.6, §7.1.6 and §8.1).
 *
 * The validator is a deterministic finite automaton: every byte is first
 * mapped to one of UTF8_CLASSES byte classes, then the pair (state, class)
 * selects the next state from a constant transition table. The state is a
 * plain int, so a caller can validate a text message piece by piece (a code
 * point may be split between frames or TCP reads) and keep the state in its
 * own record between calls.
 *
 * The automaton rejects at the first byte that can no longer start or
 * continue a valid encoding (the "maximal subpart" rule, the same point at
 * which the WHATWG decoder reports an error): overlong forms (C0, C1, E0 80..9F,
 * F0 80..8F), UTF-16 surrogates (ED A0..BF), code points above U+10FFFF
 * (F4 90..BF, F5..FF), stray continuation bytes and a lead byte followed by a
 * non-continuation byte. A sequence cut short at the end of the input leaves a
 * state that is neither UTF8_ACCEPT nor UTF8_REJECT: the caller must check for
 * UTF8_ACCEPT when the message ends.
 *
 * States are stored pre-multiplied by UTF8_CLASSES so that one step is a
 * single table lookup with no multiplication:
 *   0 accept, 13 reject, 26 one continuation byte missing, 39 two missing,
 *   52 after E0 (next A0..BF), 65 after ED (next 80..9F), 78 three missing,
 *   91 after F0 (next 90..BF), 104 after F4 (next 80..8F).
 */

/** Validator state between whole code points: everything so far is valid UTF-8. */
export const UTF8_ACCEPT = 0;

/** Validator state after an invalid byte; it never leaves this state. */
export const UTF8_REJECT = 13;

/** Number of byte classes; also the distance between two states in UTF8_TRANSITION. */
export const UTF8_CLASSES = 13;

// prettier-ignore
/**
 * Byte class of every byte value: 0 ASCII, 1 continuation 80..8F,
 * 2 continuation 90..9F, 3 continuation A0..BF, 4 never valid (C0, C1),
 * 5 two-byte lead C2..DF, 6 E0, 7 three-byte lead E1..EC/EE..EF, 8 ED,
 * 9 F0, 10 four-byte lead F1..F3, 11 F4, 12 never valid (F5..FF).
 */
export const UTF8_CLASS: readonly number[] = [
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 00..0F
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 10..1F
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 20..2F
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 30..3F
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 40..4F
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 50..5F
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 60..6F
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // 70..7F
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, // 80..8F
  2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, // 90..9F
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, // A0..AF
  3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, // B0..BF
  4, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, // C0..CF
  5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, // D0..DF
  6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 7, // E0..EF
  9, 10, 10, 10, 11, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, // F0..FF
];

// prettier-ignore
/**
 * Transition table: the next state is UTF8_TRANSITION[state + class], one row
 * of UTF8_CLASSES entries per state (states are multiples of UTF8_CLASSES).
 * Columns: ASCII, 80..8F, 90..9F, A0..BF, C0..C1, C2..DF, E0, E1..EF, ED, F0, F1..F3, F4, F5..FF.
 */
export const UTF8_TRANSITION: readonly number[] = [
  0, 13, 13, 13, 13, 26, 52, 39, 65, 91, 78, 104, 13, // 0 accept
  13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, // 13 reject
  13, 0, 0, 0, 13, 13, 13, 13, 13, 13, 13, 13, 13, // 26 one continuation byte missing
  13, 26, 26, 26, 13, 13, 13, 13, 13, 13, 13, 13, 13, // 39 two continuation bytes missing
  13, 13, 13, 26, 13, 13, 13, 13, 13, 13, 13, 13, 13, // 52 after E0: A0..BF (no overlong)
  13, 26, 26, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, // 65 after ED: 80..9F (no surrogate)
  13, 39, 39, 39, 13, 13, 13, 13, 13, 13, 13, 13, 13, // 78 three continuation bytes missing
  13, 13, 39, 39, 13, 13, 13, 13, 13, 13, 13, 13, 13, // 91 after F0: 90..BF (no overlong)
  13, 39, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, 13, // 104 after F4: 80..8F (at most U+10FFFF)
];

/**
 * Advances the validator by one byte and returns the new state. Once the
 * state is UTF8_REJECT it stays there.
 */
export function utf8Step(state: number, byte: number): number {
  return UTF8_TRANSITION[state + UTF8_CLASS[byte & 255]];
}

/**
 * Runs the validator over buf[off..off+len) starting from `state` and returns
 * the new state: UTF8_REJECT as soon as a byte is invalid (the rest is not
 * read), UTF8_ACCEPT when the bytes so far end on a code point boundary, any
 * other value when a code point is still incomplete.
 */
export function utf8Validate(state: number, buf: Readonly<Uint8Array>, off: number, len: number): number {
  let s = state;
  for (let i = 0; i < len; i++) {
    s = UTF8_TRANSITION[s + UTF8_CLASS[buf[off + i]]];
    if (s === UTF8_REJECT) {
      return UTF8_REJECT;
    }
  }
  return s;
}

/** True when buf[off..off+len) is, on its own, complete and valid UTF-8. */
export function utf8IsValid(buf: Readonly<Uint8Array>, off: number, len: number): boolean {
  return utf8Validate(UTF8_ACCEPT, buf, off, len) === UTF8_ACCEPT;
}
