import type { Candle, Tick, Timeframe } from '../../../src/core/index.js';
import type { ArchiveDayKind, ArchiveReader } from '../../../src/store/index.js';

const dayOf = (ts: number) => new Date(ts).toISOString().slice(0, 10);

/** An in-memory archive implementing the access layer's ArchiveReader: whole UTC days of ticks and candles, counting its reads. */
export class FakeArchive implements ArchiveReader {
  readonly files = new Map<string, (Tick | Candle)[]>();
  reads = 0;

  /** Files ticks by symbol and UTC day (sorted by time, stable). */
  addTicks(ticks: readonly Tick[]): this {
    for (const t of ticks) this.push(`ticks|${t.symbol}|${dayOf(t.tsEvent)}`, t);
    for (const rows of this.files.values()) rows.sort((a, b) => time(a) - time(b));
    return this;
  }

  /** Files candles by timeframe, symbol and UTC day of their open time. */
  addCandles(candles: readonly Candle[]): this {
    for (const c of candles) this.push(`candles-${c.timeframe}|${c.symbol}|${dayOf(c.openTime)}`, c);
    for (const rows of this.files.values()) rows.sort((a, b) => time(a) - time(b));
    return this;
  }

  listDays(symbol: string, kind: ArchiveDayKind): readonly string[] {
    const prefix = `${kind}|${symbol}|`;
    return [...this.files.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).sort();
  }

  async readTicks(symbol: string, from: number, to: number): Promise<readonly Tick[]> {
    this.reads++;
    return this.read(`ticks|${symbol}|`, from, to) as Tick[];
  }

  async readCandles(symbol: string, timeframe: Timeframe, from: number, to: number): Promise<readonly Candle[]> {
    this.reads++;
    return this.read(`candles-${timeframe}|${symbol}|`, from, to) as Candle[];
  }

  private read(prefix: string, from: number, to: number): (Tick | Candle)[] {
    const out: (Tick | Candle)[] = [];
    for (const [k, rows] of [...this.files].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (k.startsWith(prefix)) for (const r of rows) if (time(r) >= from && time(r) <= to) out.push(r);
    }
    return out;
  }

  private push(key: string, value: Tick | Candle): void {
    const rows = this.files.get(key);
    if (rows) rows.push(value);
    else this.files.set(key, [value]);
  }
}

function time(r: Tick | Candle): number {
  return 'tsEvent' in r && !('openTime' in r) ? r.tsEvent : (r as Candle).openTime;
}
