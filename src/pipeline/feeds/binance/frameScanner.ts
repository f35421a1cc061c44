/**
 * A hand-written scanner for the common shape of Binance market-data frames: a
 * flat JSON object of scalars (optionally inside the combined envelope
 * `{"stream":"...","data":{...}}`), with no whitespace and no escapes. It reads
 * the fields the mapper needs without building an object, so the hot path
 * avoids `JSON.parse` and zod.
 *
 * It is deliberately narrow: anything outside this subset (whitespace, escapes,
 * nested values, fractional or negative numbers, leading zeros, numbers beyond
 * 2^53) makes it answer `false`, and the caller falls back to `JSON.parse` plus
 * the zod schemas. It never accepts text that `JSON.parse` would reject.
 */

/** Field values as scanned: strings without escapes, safe non-negative integers, booleans, null. */
export type Scalar = string | number | boolean | null | undefined;

/**
 * Reusable scratch record the scanner fills (one per mapper, reset per frame).
 * Field names are Binance's single-letter keys; `a` is a number in aggTrade and
 * a string (ask price) in bookTicker, so callers check types.
 */
export class ScannedFrame {
  stream: string | undefined = undefined;
  e: Scalar = undefined;
  E: Scalar = undefined;
  s: Scalar = undefined;
  a: Scalar = undefined;
  p: Scalar = undefined;
  q: Scalar = undefined;
  f: Scalar = undefined;
  l: Scalar = undefined;
  T: Scalar = undefined;
  m: Scalar = undefined;
  M: Scalar = undefined;
  u: Scalar = undefined;
  b: Scalar = undefined;
  B: Scalar = undefined;
  A: Scalar = undefined;
  t: Scalar = undefined;
  nq: Scalar = undefined;
  st: Scalar = undefined;

  /** Clears every field before the next frame. */
  reset(): void {
    this.stream = undefined;
    this.e = this.E = this.s = this.a = this.p = this.q = undefined;
    this.f = this.l = this.T = this.m = this.M = this.u = undefined;
    this.b = this.B = this.A = this.t = this.nq = this.st = undefined;
  }
}

const QUOTE = 34;
const COMMA = 44;
const COLON = 58;
const LBRACE = 123;
const RBRACE = 125;
const ZERO = 48;
const NINE = 57;
const ENVELOPE = '{"stream":"';
const DATA = ',"data":';
/** Key code of a key other than the single-letter ones (and `nq`, `st`). */
const OTHER = -1;
const KEY_NQ = -2;
const KEY_ST = -3;
/** Keys whose string values the mapper validates exactly (literal, symbol or decimal grammar). */
const CHECKED_LATER = new Set([101, 115, 112, 113, 98, 66, 65, 97]);

/** True when `s[from, to)` holds a control character (invalid inside a JSON string). */
function hasControl(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) < 32) return true;
  return false;
}

function store(out: ScannedFrame, key: number, v: Scalar): void {
  switch (key) {
    case 101: out.e = v; break; // e
    case 69: out.E = v; break; // E
    case 115: out.s = v; break; // s
    case 97: out.a = v; break; // a
    case 112: out.p = v; break; // p
    case 113: out.q = v; break; // q
    case 102: out.f = v; break; // f
    case 108: out.l = v; break; // l
    case 84: out.T = v; break; // T
    case 109: out.m = v; break; // m
    case 77: out.M = v; break; // M
    case 117: out.u = v; break; // u
    case 98: out.b = v; break; // b
    case 66: out.B = v; break; // B
    case 65: out.A = v; break; // A
    case 116: out.t = v; break; // t
    case KEY_NQ: out.nq = v; break;
    case KEY_ST: out.st = v; break;
    default: break; // unknown key: looseObject ignores it
  }
}

/** Scans a flat object starting at `i`; returns the index after its `}` or -1 when outside the subset. */
function scanObject(raw: string, start: number, out: ScannedFrame): number {
  let i = start;
  if (raw.charCodeAt(i) !== LBRACE) return -1;
  i++;
  if (raw.charCodeAt(i) === RBRACE) return i + 1;
  for (;;) {
    if (raw.charCodeAt(i) !== QUOTE) return -1;
    const kEnd = raw.indexOf('"', i + 1);
    if (kEnd < 0) return -1;
    const keyLen = kEnd - i - 1;
    let key = OTHER;
    let known = true;
    if (keyLen === 1) {
      key = raw.charCodeAt(i + 1);
      if (key < 32) return -1;
    } else if (keyLen === 2 && raw.startsWith('nq', i + 1)) key = KEY_NQ;
    else if (keyLen === 2 && raw.startsWith('st', i + 1)) key = KEY_ST;
    else {
      known = false;
      if (hasControl(raw, i + 1, kEnd)) return -1;
    }
    i = kEnd + 1;
    if (raw.charCodeAt(i) !== COLON) return -1;
    i++;
    const c = raw.charCodeAt(i);
    let v: Scalar;
    if (c === QUOTE) {
      const end = raw.indexOf('"', i + 1);
      if (end < 0) return -1;
      if (known) v = raw.slice(i + 1, end);
      if (!CHECKED_LATER.has(key) && hasControl(raw, i + 1, end)) return -1;
      i = end + 1;
    } else if (c >= ZERO && c <= NINE) {
      let n = c - ZERO;
      let j = i + 1;
      let d = raw.charCodeAt(j);
      if (c === ZERO && d >= ZERO && d <= NINE) return -1; // leading zero is not JSON
      while (d >= ZERO && d <= NINE) {
        n = n * 10 + (d - ZERO);
        d = raw.charCodeAt(++j);
      }
      if (j - i > 16 || n > Number.MAX_SAFE_INTEGER) return -1;
      v = n;
      i = j;
    } else if (c === 116) {
      if (!raw.startsWith('true', i)) return -1;
      v = true;
      i += 4;
    } else if (c === 102) {
      if (!raw.startsWith('false', i)) return -1;
      v = false;
      i += 5;
    } else if (c === 110) {
      if (!raw.startsWith('null', i)) return -1;
      v = null;
      i += 4;
    } else {
      return -1; // nested value, negative or other number: leave it to JSON.parse
    }
    if (known) store(out, key, v);
    const d = raw.charCodeAt(i);
    if (d === COMMA) {
      i++;
      continue;
    }
    if (d === RBRACE) return i + 1;
    return -1;
  }
}

/**
 * Scans one frame into `out` (after resetting it). Returns true when the whole
 * frame is a flat object, or a combined envelope around one, in the subset
 * described above; `out.stream` is set for an envelope.
 */
export function scanFrame(raw: string, out: ScannedFrame): boolean {
  out.reset();
  if (raw.indexOf('\\') !== -1) return false;
  if (raw.startsWith(ENVELOPE)) {
    const end = raw.indexOf('"', ENVELOPE.length);
    if (end < 0 || !raw.startsWith(DATA, end + 1)) return false;
    out.stream = raw.slice(ENVELOPE.length, end);
    const close = scanObject(raw, end + 1 + DATA.length, out);
    return close > 0 && close === raw.length - 1 && raw.charCodeAt(close) === RBRACE;
  }
  return scanObject(raw, 0, out) === raw.length;
}
