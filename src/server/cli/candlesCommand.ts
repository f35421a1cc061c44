import path from 'node:path';
import { isTimeframe, type Candle, type Timeframe } from '../../core/index.js';
import { openStore } from '../../store/index.js';
import { commandDataDir, DATABASE_FILE, textFlags, type CommandValues } from './values.js';
import { toCandleOutput } from '../../tools/market/shared.js';

/** CSV header of `utp candles --format csv`. */
export const CANDLE_CSV_HEADER = 'open_time,open,high,low,close,volume,quote_volume,trades';

/** One candle as a CSV line (open_time in epoch ms). */
export function candleCsvLine(c: Candle): string {
  return `${c.openTime},${c.open},${c.high},${c.low},${c.close},${c.volume},${c.quoteVolume},${c.trades}`;
}

/** One candle as the JSON object `utp candles --format json` prints: the tools' candle shape plus its sources. */
export function candleJson(c: Candle): Record<string, unknown> {
  return { ...toCandleOutput(c), sources: c.sources };
}

/** `utp candles SYMBOL --timeframe TF ...`: prints stored candles as CSV or JSON; returns the exit code. */
export function candlesCommand(rest: readonly string[], values: CommandValues): number {
  const v = textFlags(values);
  const symbol = rest[0]?.toUpperCase();
  const problems: string[] = [];
  if (!symbol) problems.push('missing SYMBOL');
  if (!v.timeframe || !isTimeframe(v.timeframe)) problems.push('--timeframe must be S1, M1, M5, M15, H1, H4 or D1');
  const from = v.from !== undefined ? Date.parse(v.from) : undefined;
  const to = v.to !== undefined ? Date.parse(v.to) : undefined;
  if (from !== undefined && Number.isNaN(from)) problems.push(`--from is not an ISO time: ${v.from}`);
  if (to !== undefined && Number.isNaN(to)) problems.push(`--to is not an ISO time: ${v.to}`);
  const format = v.format ?? 'csv';
  if (format !== 'csv' && format !== 'json') problems.push('--format must be csv or json');
  const limit = v.limit !== undefined ? Number(v.limit) : 100_000;
  if (!Number.isInteger(limit) || limit < 1) problems.push('--limit must be a positive integer');
  if (problems.length > 0) {
    process.stderr.write(`utp candles: ${problems.join('; ')}\n`);
    return 2;
  }
  const store = openStore({ path: path.join(commandDataDir(values), DATABASE_FILE), readonly: true });
  try {
    const candles = store.candles.queryCandles({
      symbol: symbol as string,
      timeframe: v.timeframe as Timeframe,
      ...(v.source !== undefined ? { source: v.source } : {}),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      limit,
      order: 'asc',
    });
    if (format === 'csv') {
      process.stdout.write(`${CANDLE_CSV_HEADER}\n${candles.map(candleCsvLine).join('\n')}${candles.length ? '\n' : ''}`);
    } else {
      process.stdout.write(`${JSON.stringify(candles.map(candleJson), null, 2)}\n`);
    }
    if (candles.length === limit) process.stderr.write(`utp candles: stopped at --limit ${limit}; more candles may match\n`);
    return 0;
  } finally {
    store.close();
  }
}
