import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { CandleAggregator, candleBasisFor, importFile, ImportAbortedError, isImportFormat, type ImportOptions, type ImportSource } from '../../pipeline/index.js';
import { isSource, isTimeframe, LiveClock, type Candle, type Clock, type Source, type Tick, type Timeframe } from '../../core/index.js';
import { openStore, type Store } from '../../store/index.js';
import { commandDataDir, DATABASE_FILE, textFlags, type CommandValues } from './values.js';

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

/** `utp import FILE --symbol S --source ...`: checks the flags, imports into the data folder's store, prints the summary; returns the exit code. */
export async function importCommand(rest: readonly string[], values: CommandValues): Promise<number> {
  const v = textFlags(values);
  const file = rest[0];
  const problems: string[] = [];
  if (!file) problems.push('missing FILE');
  if (!v.symbol) problems.push('missing --symbol');
  if (!v.source || !isSource(v.source)) problems.push('--source must be binance, dukascopy, oanda or mt5');
  if (v.format !== undefined && !isImportFormat(v.format)) problems.push(`unknown --format ${v.format}`);
  if (v.timeframe !== undefined && !isTimeframe(v.timeframe)) problems.push('--timeframe must be S1, M1, M5, M15, H1, H4 or D1');
  const onError = v['on-error'] ?? 'skip';
  if (onError !== 'skip' && onError !== 'stop') problems.push('--on-error must be skip or stop');
  const offset = v['server-offset'];
  if (offset !== undefined && offset !== 'eet' && !Number.isFinite(Number(offset))) problems.push('--server-offset must be a number of hours or eet');
  if (problems.length > 0) {
    process.stderr.write(`utp import: ${problems.join('; ')}\n`);
    return 2;
  }
  const options: ImportOptions = {
    source: v.source as ImportSource,
    symbol: (v.symbol as string).toUpperCase(),
    onError: onError as 'skip' | 'stop',
    ...(v.format !== undefined ? { format: v.format as ImportOptions['format'] & string } : {}),
    ...(v.timeframe !== undefined ? { timeframe: v.timeframe as Timeframe } : {}),
    ...(offset !== undefined ? { serverOffset: offset === 'eet' ? 'eet' : Number(offset) } : {}),
    ...(v.date !== undefined ? { dateOverride: v.date } : {}),
  };
  const dir = commandDataDir(values);
  mkdirSync(dir, { recursive: true });
  const store = openStore({ path: path.join(dir, DATABASE_FILE) });
  try {
    const summary = await runImport(store, file as string, options, (m) => process.stderr.write(`${m}\n`));
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary.status === 'ok' ? 0 : 1;
  } finally {
    store.close();
  }
}
