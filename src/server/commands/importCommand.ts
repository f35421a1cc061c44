import path from 'node:path';
import { CandleAggregator, candleBasisFor, importFile, ImportAbortedError, type ImportOptions } from '../../pipeline/index.js';
import { LiveClock, type Candle, type Clock, type Source, type Tick } from '../../core/index.js';
import type { Store } from '../../store/index.js';

/** Outcome of one import, as the CLI prints it. */
export type ImportSummary = Readonly<{
  file: string;
  format: string;
  ticks: number;
  candles: number;
  builtCandles: number;
  errors: number;
  status: 'ok' | 'failed';
  message: string | null;
}>;

/**
 * Imports one recorded file into the store in a single transaction: every tick
 * and candle lands, or (when the import stops on a bad row, or anything fails)
 * nothing does. Ticks are also aggregated into candles of every timeframe for
 * their source; the candles still forming at the end of the file are stored
 * with `closed = false`. Bad rows are reported through `onRowError` with file
 * and line number.
 */
export async function runImport(
  store: Store,
  file: string,
  options: ImportOptions,
  onRowError: (message: string) => void,
  clock: Clock = new LiveClock(),
): Promise<ImportSummary> {
  const runId = store.imports.start({ file: path.resolve(file), source: options.source, symbol: options.symbol, startedAt: clock.now() });
  const built: Candle[] = [];
  const aggregators = new Map<Source, CandleAggregator>();
  const aggregate = (tick: Tick) => {
    let agg = aggregators.get(tick.source);
    if (!agg) {
      agg = new CandleAggregator({ symbol: tick.symbol, basis: candleBasisFor(tick.source), clock, onClosed: (c) => built.push(c) });
      aggregators.set(tick.source, agg);
    }
    agg.add(tick);
  };
  let ticks = 0;
  let candles = 0;
  let errors = 0;
  let builtTotal = 0;
  const flushBuilt = () => {
    builtTotal += built.length;
    if (built.length > 0) store.candles.upsertCandles(built.splice(0));
  };
  let format = options.format ?? 'auto';
  store.db.exec('BEGIN IMMEDIATE');
  try {
    for await (const batch of importFile(file, options)) {
      format = batch.format;
      for (const error of batch.errors) onRowError(`${error.file}:${error.line}: ${error.message}: ${error.text}`);
      errors += batch.errors.length;
      if (batch.ticks.length > 0) {
        store.ticks.insertTicks(batch.ticks);
        for (const tick of batch.ticks) aggregate(tick);
        ticks += batch.ticks.length;
      }
      if (batch.candles.length > 0) {
        store.candles.upsertCandles(batch.candles);
        candles += batch.candles.length;
      }
      flushBuilt();
    }
    for (const agg of aggregators.values()) {
      for (const tf of agg.timeframes) {
        const open = agg.openCandle(tf);
        if (open) built.push(open);
      }
    }
    flushBuilt();
    store.db.exec('COMMIT');
    store.imports.finish(runId, { status: 'ok', rowsOk: ticks + candles, rowsBad: errors, finishedAt: clock.now() });
    return { file, format, ticks, candles, builtCandles: builtTotal, errors, status: 'ok', message: null };
  } catch (error) {
    if (store.db.inTransaction) store.db.exec('ROLLBACK');
    const message = error instanceof ImportAbortedError ? error.message : `import failed: ${(error as Error).message}`;
    if (error instanceof ImportAbortedError) {
      onRowError(`${error.importError.file}:${error.importError.line}: ${error.importError.message}: ${error.importError.text}`);
    }
    store.imports.finish(runId, { status: 'failed', rowsOk: 0, rowsBad: errors + 1, finishedAt: clock.now(), error: message });
    return { file, format, ticks: 0, candles: 0, builtCandles: 0, errors: errors + 1, status: 'failed', message: `${message}; nothing was written` };
  }
}
