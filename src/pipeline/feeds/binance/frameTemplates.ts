/**
 * Exact-layout matchers for the frames that make up nearly all traffic: spot
 * and USD-M aggTrade and spot bookTicker, field for field in the order Binance
 * sends them. They read integers and decimals in place (no slices, no
 * `JSON.parse`, no regex) and answer `-1` at the first byte that differs from
 * the template, so the caller falls back to the general scanner.
 *
 * Decimals are read as an integer mantissa `n` (at most 15 digits) and a
 * power-of-ten scale `k`; `n / 10^k` with both exact is the correctly rounded
 * double, identical to `Number(text)`.
 */

/** Values a template read (numbers only; strings never leave the frame). */
export type TemplateFields = {
  E: number;
  a: number;
  p: number;
  q: number;
  f: number;
  l: number;
  T: number;
  m: boolean;
  u: number;
  b: number;
  B: number;
  ask: number;
  A: number;
};

/** A fresh record for `matchTemplate` to fill. */
export function newTemplateFields(): TemplateFields {
  return { E: 0, a: 0, p: 0, q: 0, f: 0, l: 0, T: 0, m: false, u: 0, b: 0, B: 0, ask: 0, A: 0 };
}

/** Frame layouts with a template. */
export type TemplateKind = 'spotAggTrade' | 'usdmAggTrade' | 'spotBookTicker';

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const QUOTE = 34;
const DOT = 46;

/** Cursor over one frame; `pos` is -1 once the frame left the template. */
class Cursor {
  pos = 0;
  raw = '';

  lit(s: string): void {
    if (this.pos >= 0 && this.raw.startsWith(s, this.pos)) this.pos += s.length;
    else this.pos = -1;
  }

  /** A JSON integer: digits, no leading zero, at most 2^53 - 1. */
  int(): number {
    let i = this.pos;
    if (i < 0) return 0;
    const raw = this.raw;
    let c = raw.charCodeAt(i) - 48;
    if (c < 0 || c > 9 || (c === 0 && ((raw.charCodeAt(i + 1) - 48) >>> 0) < 10)) return this.fail();
    let n = 0;
    const start = i;
    while (c >= 0 && c <= 9) {
      n = n * 10 + c;
      c = raw.charCodeAt(++i) - 48;
    }
    if (i - start > 16 || n > Number.MAX_SAFE_INTEGER) return this.fail();
    this.pos = i;
    return n;
  }

  /** A quoted wire decimal `"123.45"` (opening quote already consumed): digits [. digits], closing quote. */
  dec(): number {
    let i = this.pos;
    if (i < 0) return 0;
    const raw = this.raw;
    let n = 0;
    let digits = 0;
    let dot = -1;
    for (;;) {
      const c = raw.charCodeAt(i);
      const d = c - 48;
      if (d >= 0 && d <= 9) {
        n = n * 10 + d;
        digits++;
      } else if (c === DOT && dot < 0 && digits > 0) {
        dot = digits;
      } else if (c === QUOTE) {
        break;
      } else {
        return this.fail();
      }
      i++;
    }
    if (digits === 0 || digits > 15 || dot === digits) return this.fail();
    this.pos = i + 1;
    return dot < 0 ? n : n / (POW10[digits - dot] as number);
  }

  bool(): boolean {
    const i = this.pos;
    if (i < 0) return false;
    if (this.raw.startsWith('true', i)) {
      this.pos = i + 4;
      return true;
    }
    if (this.raw.startsWith('false', i)) {
      this.pos = i + 5;
      return false;
    }
    this.pos = -1;
    return false;
  }

  private fail(): number {
    this.pos = -1;
    return 0;
  }
}

const cur = new Cursor();

/**
 * Matches the event object of layout `kind` for symbol `upper` (e.g. `BTCUSDT`)
 * starting at `start`; fills `out` and returns the index after the closing
 * brace, or -1 when the frame is not exactly that layout.
 */
export function matchTemplate(kind: TemplateKind, raw: string, start: number, upper: string, out: TemplateFields): number {
  cur.raw = raw;
  cur.pos = start;
  if (kind === 'spotBookTicker') {
    cur.lit('{"u":');
    out.u = cur.int();
    cur.lit(',"s":"');
    cur.lit(upper);
    cur.lit('","b":"');
    out.b = cur.dec();
    cur.lit(',"B":"');
    out.B = cur.dec();
    cur.lit(',"a":"');
    out.ask = cur.dec();
    cur.lit(',"A":"');
    out.A = cur.dec();
    cur.lit('}');
    return cur.pos;
  }
  cur.lit('{"e":"aggTrade","E":');
  out.E = cur.int();
  if (kind === 'spotAggTrade') {
    cur.lit(',"s":"');
    cur.lit(upper);
    cur.lit('","a":');
    out.a = cur.int();
  } else {
    cur.lit(',"a":');
    out.a = cur.int();
    cur.lit(',"s":"');
    cur.lit(upper);
    cur.lit('"');
  }
  cur.lit(',"p":"');
  out.p = cur.dec();
  cur.lit(',"q":"');
  out.q = cur.dec();
  cur.lit(',"f":');
  out.f = cur.int();
  cur.lit(',"l":');
  out.l = cur.int();
  cur.lit(',"T":');
  out.T = cur.int();
  cur.lit(',"m":');
  out.m = cur.bool();
  if (kind === 'spotAggTrade') {
    cur.lit(',"M":');
    cur.bool();
  }
  cur.lit('}');
  return cur.pos;
}
