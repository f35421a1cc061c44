import type { ColumnSource, SchemaElement } from 'hyparquet-writer';


/** Physical kind of an archive column. `ts` = INT64 epoch ms annotated as a UTC timestamp (DuckDB/pandas read a timestamp). */
export type ColumnKind = 'ts' | 'i64' | 'f64' | 'str' | 'bool';

/** One column of an archive file: its name (the SQLite column name) and how it is stored. */
export type ColumnSpec = Readonly<{
  name: string;
  kind: ColumnKind;
  nullable: boolean;
  /** Parquet encoding override; default: dictionary when it pays, else PLAIN. */
  encoding?: 'DELTA_BINARY_PACKED' | 'BYTE_STREAM_SPLIT' | 'PLAIN';
}>;

/** A row as it sits in SQLite and in the archive file: snake_case column names, numbers, strings or null. */
export type ArchiveRow = Record<string, string | number | null>;

const ts = (name: string): ColumnSpec => ({ name, kind: 'ts', nullable: false, encoding: 'DELTA_BINARY_PACKED' });
const f64 = (name: string, nullable = false): ColumnSpec => ({ name, kind: 'f64', nullable });
const str = (name: string, nullable = false): ColumnSpec => ({ name, kind: 'str', nullable });

/**
 * Columns of a tick archive file, exactly the `unified_ticks` columns: `seq`
 * is the stored seq (a negative synthetic id for ticks without a venue id), so
 * an archived tick keeps its identity and reads back as the tick that was
 * stored. Rows are in the store's read order (time, source, kind, seq).
 */
export const TICK_COLUMNS: readonly ColumnSpec[] = [
  str('symbol'),
  ts('ts_event'),
  str('source'),
  str('kind'),
  { name: 'seq', kind: 'i64', nullable: false, encoding: 'DELTA_BINARY_PACKED' },
  ts('ts_init'),
  f64('bid', true),
  f64('ask', true),
  f64('last', true),
  f64('volume'),
  { name: 'trades', kind: 'i64', nullable: false, encoding: 'DELTA_BINARY_PACKED' },
  str('taker_side', true),
  f64('offset'),
];

/** Columns of a candle archive file, exactly the `candles` columns (`closed` as a boolean). */
export const CANDLE_COLUMNS: readonly ColumnSpec[] = [
  str('symbol'),
  str('timeframe'),
  str('source'),
  ts('open_time'),
  f64('open'),
  f64('high'),
  f64('low'),
  f64('close'),
  f64('volume'),
  f64('quote_volume'),
  { name: 'trades', kind: 'i64', nullable: false, encoding: 'DELTA_BINARY_PACKED' },
  f64('taker_buy_volume'),
  f64('taker_buy_quote_volume'),
  str('basis'),
  { name: 'closed', kind: 'bool', nullable: false },
  ts('ts_event'),
  ts('ts_init'),
  f64('atr', true),
  f64('vwap', true),
  str('volatility_state', true),
  str('structure_label', true),
  str('structure_json', true),
];

/**
 * Suffix of the companion column of a timestamp column: the part of the time
 * below one millisecond (some recordings, e.g. OANDA ticks, carry fractional
 * ms), null when the time is a whole ms. Exact time = `ts + coalesce(frac, 0)`:
 * the split `floor(v)`, `v - floor(v)` is exact in float64 and so is the sum.
 */
export const FRACTION_SUFFIX = '_frac_ms';

/** The Parquet schema (root + leaves) of a column set; each timestamp column is followed by its fraction column. */
export function parquetSchema(columns: readonly ColumnSpec[]): SchemaElement[] {
  const leaves: SchemaElement[] = [];
  for (const c of columns) {
    leaves.push(schemaElement(c));
    if (c.kind === 'ts') leaves.push({ name: c.name + FRACTION_SUFFIX, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
  }
  return [{ name: 'root', num_children: leaves.length }, ...leaves];
}

/** Names of the Parquet columns of a column set (timestamp fraction columns included). */
export function parquetColumnNames(columns: readonly ColumnSpec[]): string[] {
  return columns.flatMap((c) => (c.kind === 'ts' ? [c.name, c.name + FRACTION_SUFFIX] : [c.name]));
}

function schemaElement(c: ColumnSpec): SchemaElement {
  const repetition_type = c.nullable ? 'OPTIONAL' : 'REQUIRED';
  switch (c.kind) {
    case 'ts':
      return {
        name: c.name,
        type: 'INT64',
        repetition_type,
        converted_type: 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
      };
    case 'i64':
      return { name: c.name, type: 'INT64', repetition_type };
    case 'f64':
      return { name: c.name, type: 'DOUBLE', repetition_type };
    case 'str':
      return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type };
    case 'bool':
      return { name: c.name, type: 'BOOLEAN', repetition_type };
  }
}

/** The hyparquet-writer column data of `rows` (one row group). */
export function columnData(columns: readonly ColumnSpec[], rows: readonly ArchiveRow[]): ColumnSource[] {
  return columns.flatMap((c): ColumnSource[] => {
    const n = rows.length;
    let data: ColumnSource['data'];
    if (c.kind === 'ts') {
      const whole = new Array<number>(n);
      const frac = new Array<number | null>(n);
      for (let i = 0; i < n; i++) {
        const v = rows[i]![c.name] as number;
        const w = Math.floor(v);
        whole[i] = w;
        frac[i] = v === w ? null : v - w;
      }
      return [
        { name: c.name, data: whole, nullable: false, encoding: 'DELTA_BINARY_PACKED' },
        { name: c.name + FRACTION_SUFFIX, data: frac, nullable: true },
      ];
    } else if (c.kind === 'i64') {
      const out = new Array<bigint>(n);
      for (let i = 0; i < n; i++) out[i] = BigInt(rows[i]![c.name] as number);
      data = out;
    } else if (c.kind === 'bool') {
      const out = new Array<boolean>(n);
      for (let i = 0; i < n; i++) out[i] = rows[i]![c.name] === 1;
      data = out;
    } else if (c.kind === 'f64' && !c.nullable) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = rows[i]![c.name] as number;
      data = out;
    } else {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = rows[i]![c.name] ?? null;
      data = out as ColumnSource['data'];
    }
    const source: ColumnSource = { name: c.name, data, nullable: c.nullable };
    return [c.encoding !== undefined ? { ...source, encoding: c.encoding } : source];
  });
}

/** Turns a row read by hyparquet (bigint, boolean, number timestamps) back into the SQLite row shape. */
export function normaliseRow(columns: readonly ColumnSpec[], raw: Record<string, unknown>): ArchiveRow {
  const row: ArchiveRow = {};
  for (const c of columns) {
    const v = raw[c.name];
    if (c.kind === 'ts') {
      const whole = typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : (v as number);
      const frac = raw[c.name + FRACTION_SUFFIX];
      row[c.name] = typeof frac === 'number' ? whole + frac : whole;
    } else if (v === null || v === undefined) row[c.name] = null;
    else if (typeof v === 'bigint') row[c.name] = Number(v);
    else if (typeof v === 'boolean') row[c.name] = v ? 1 : 0;
    else if (v instanceof Date) row[c.name] = v.getTime();
    else row[c.name] = v as string | number;
  }
  return row;
}
