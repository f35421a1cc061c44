import type { Source, Tick } from '../../core/index.js';

/** Tuning of the spike controller. */
export type SpikeFilterOptions = Readonly<{
  /** A move larger than this multiple of recent typical tick moves is a spike (default 25). */
  multiple?: number;
  /** Moves below this size (basis points) are never spikes, however calm the market (default 50 = 0.5%). */
  minJumpBps?: number;
  /** Weight of the newest move in the running typical move (default 0.02). */
  alpha?: number;
  /** Ticks accepted per stream before judging (default 20). */
  warmup?: number;
  /** After this many consecutive rejected ticks that agree with each other, the market has really moved: accept (default 5). */
  confirmAfter?: number;
}>;

const TRADE_KEY: Readonly<Record<Source, string>> = { binance: 'binance|T', mt5: 'mt5|T', dukascopy: 'dukascopy|T', oanda: 'oanda|T' };
const QUOTE_KEY: Readonly<Record<Source, string>> = { binance: 'binance|Q', mt5: 'mt5|Q', dukascopy: 'dukascopy|Q', oanda: 'oanda|Q' };

/** The band stops widening after about 15 minutes of silence (sqrt of 900 s). */
const MAX_TIME_SCALE = 30;

type State = { ref: number; refTs: number; typical: number; seen: number; pendingPrice: number; pendingCount: number };

/**
 * Rejects ticks whose price jumps beyond a multiple of the stream's recent
 * volatility (a running mean of absolute log moves, per symbol, source and
 * price kind). A real repricing is not fought forever: once several
 * consecutive out-of-band ticks agree with each other, they are accepted and
 * the reference moves. The band widens with the square root of the time since
 * the last accepted tick (prices diffuse), so a quiet market's next print after
 * minutes of silence is not mistaken for a spike. O(1) per tick.
 */
export class SpikeFilter {
  /** State by symbol, then `source|kind`: no key string is built per tick in the common case. */
  private readonly streams = new Map<string, Map<string, State>>();
  private readonly multiple: number;
  private readonly minJump: number;
  private readonly alpha: number;
  private readonly warmup: number;
  private readonly confirmAfter: number;

  constructor(options: SpikeFilterOptions = {}) {
    this.multiple = options.multiple ?? 25;
    this.minJump = (options.minJumpBps ?? 50) / 10_000;
    this.alpha = options.alpha ?? 0.02;
    this.warmup = options.warmup ?? 20;
    this.confirmAfter = options.confirmAfter ?? 5;
  }

  /** Returns the reason when the tick is a spike, or null when it may pass. */
  check(tick: Tick): string | null {
    if (tick.last !== null) {
      const reason = this.judge(tick.symbol, TRADE_KEY[tick.source], tick.last, tick.tsEvent);
      if (reason) return `trade ${reason}`;
    }
    if (tick.bid !== null && tick.ask !== null) {
      const reason = this.judge(tick.symbol, QUOTE_KEY[tick.source], (tick.bid + tick.ask) / 2, tick.tsEvent);
      if (reason) return `quote ${reason}`;
    }
    return null;
  }

  /** Forgets a stream (after a reconnect or a long gap, the first tick sets a new reference). */
  reset(symbol?: string): void {
    if (symbol === undefined) this.streams.clear();
    else this.streams.delete(symbol);
  }

  private judge(symbol: string, key: string, price: number, ts: number): string | null {
    let bySymbol = this.streams.get(symbol);
    if (!bySymbol) {
      bySymbol = new Map();
      this.streams.set(symbol, bySymbol);
    }
    const s = bySymbol.get(key);
    if (!s) {
      bySymbol.set(key, { ref: price, refTs: ts, typical: 0, seen: 1, pendingPrice: 0, pendingCount: 0 });
      return null;
    }
    const move = Math.abs(Math.log(price / s.ref));
    const elapsed = Math.min(MAX_TIME_SCALE, Math.sqrt(Math.max(1, (ts - s.refTs) / 1000)));
    const band = Math.max(this.minJump, this.multiple * s.typical) * elapsed;
    if (s.seen >= this.warmup && move > band) {
      const agrees = s.pendingCount > 0 && Math.abs(Math.log(price / s.pendingPrice)) <= band;
      s.pendingCount = agrees ? s.pendingCount + 1 : 1;
      s.pendingPrice = price;
      if (s.pendingCount < this.confirmAfter) {
        return `jump of ${(move * 10_000).toFixed(1)} bps exceeds ${(band * 10_000).toFixed(1)} bps`;
      }
      s.typical = Math.max(s.typical, move / this.multiple);
    }
    s.pendingCount = 0;
    s.typical = s.seen === 1 ? move : s.typical + this.alpha * (move - s.typical);
    s.ref = price;
    s.refTs = ts;
    s.seen++;
    return null;
  }
}
