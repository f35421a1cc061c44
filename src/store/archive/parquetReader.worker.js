// The Parquet decoding thread of the archive's reads (readThread.ts). Plain JavaScript on purpose, like
// parquetWriter.worker.js: it runs as-is from src/ (vitest, tsx) and from dist/ (tsc copies it, allowJs),
// with no TypeScript loader in the worker. Column specs come with each request, so columns.ts stays the one
// place that knows the layout.
//
// It decodes whole row groups with hyparquet (column chunks, never row objects) and hands each group back
// in columnar form (columnPack.ts's PackedColumn): numbers (timestamps with their fraction added back,
// integers, doubles, booleans as 0/1) in a Float64Array with a Uint8Array of null flags when the group has
// a null, strings as Uint32Array codes into the group's distinct strings (nullCode for null). The typed
// arrays are transferred, not copied. The main thread rebuilds the rows (normaliseRow's shape) in slices.
//
// Protocol (parentPort); every request has an `id`, every reply echoes it:
//   in:  { type: 'open', id, path, columns, range? }       -> { type: 'opened', id, groups: [start, end][] }
//        { type: 'group', id, handle, start, end }        -> { type: 'group', id, n, columns }  (buffers transferred)
//        { type: 'release', id, handle }                  -> { type: 'released', id }
//        { type: 'digest', id, path, columns }            -> { type: 'digest', id, rows, sha256 }
//   out on failure of one request: { type: 'error', id, name, message } (the thread stays usable)
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parentPort, workerData } from 'node:worker_threads';
import { asyncBufferFromFile, parquetMetadataAsync, parquetRead } from 'hyparquet';
import { RowDigestBuffer } from './rowDigest.worker-shared.js';

const { fractionSuffix, nullCode } = workerData;

const READ_COMPRESSORS = {
  GZIP: (input) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
};
const PARSERS = { timestampFromMilliseconds: (ms) => Number(ms) };

/** Open files by handle (the id of their `open` request): hyparquet's file reader and the parsed footer. */
const open = new Map();

const names = (columns) => columns.flatMap((c) => (c.kind === 'ts' ? [c.name, c.name + fractionSuffix] : [c.name]));

/** As parquetFile.ts: true when the group's statistics of the range column lie wholly outside the range. */
function groupOutside(group, range) {
  const chunk = group.columns.find((c) => c.meta_data?.path_in_schema[0] === range.column);
  const stats = chunk?.meta_data?.statistics;
  const min = stats?.min_value;
  const max = stats?.max_value;
  if (typeof min !== 'number' || typeof max !== 'number') return false;
  // statistics hold whole ms; a time with a fraction lies in [whole, whole + 1)
  return max + 1 <= range.from || min > range.to;
}

/** A decoded value as a number, as columns.ts's normaliseRow turns it (bigint, boolean, Date, number). */
function num(v) {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof Date) return v.getTime();
  return v;
}

/** Decodes rows [start, end) of an open file (one whole row group) into packed columns. */
async function decodeGroup(entry, start, end) {
  const n = end - start;
  const chunks = new Map();
  await parquetRead({
    file: entry.file,
    metadata: entry.metadata,
    rowStart: start,
    rowEnd: end,
    columns: entry.names,
    compressors: READ_COMPRESSORS,
    parsers: PARSERS,
    onChunk: ({ columnName, columnData, rowStart }) => {
      let list = chunks.get(columnName);
      if (list === undefined) chunks.set(columnName, (list = []));
      list.push({ data: columnData, at: rowStart - start });
    },
  });
  /** The values of one Parquet column over the group, by row (undefined where no chunk covered a row). */
  const valueAt = (name) => {
    const out = new Array(n);
    for (const { data, at } of chunks.get(name) ?? []) {
      for (let j = 0; j < data.length; j++) {
        const i = at + j;
        if (i >= 0 && i < n) out[i] = data[j];
      }
    }
    return out;
  };
  const packed = [];
  const transfer = [];
  for (const c of entry.columns) {
    const raw = valueAt(c.name);
    if (c.kind === 'str') {
      const codes = new Uint32Array(n);
      const strings = [];
      const index = new Map();
      for (let i = 0; i < n; i++) {
        const v = raw[i];
        if (v === null || v === undefined) {
          codes[i] = nullCode;
          continue;
        }
        if (typeof v !== 'string') throw new Error(`column ${c.name} holds a ${typeof v}, not text`);
        const s = v;
        let code = index.get(s);
        if (code === undefined) {
          code = strings.length;
          strings.push(s);
          index.set(s, code);
        }
        codes[i] = code;
      }
      packed.push({ codes, strings });
      transfer.push(codes.buffer);
      continue;
    }
    const values = new Float64Array(n);
    let nulls = null;
    if (c.kind === 'ts') {
      const frac = valueAt(c.name + fractionSuffix);
      for (let i = 0; i < n; i++) {
        const whole = num(raw[i]);
        const f = frac[i];
        values[i] = typeof f === 'number' ? whole + f : whole;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const v = raw[i];
        if (v === null || v === undefined) {
          if (nulls === null) nulls = new Uint8Array(n);
          nulls[i] = 1;
        } else values[i] = num(v);
      }
    }
    if (nulls !== null) {
      packed.push({ values, nulls });
      transfer.push(values.buffer, nulls.buffer);
    } else {
      packed.push({ values });
      transfer.push(values.buffer);
    }
  }
  return { packed, transfer };
}


async function openFile(path, columns) {
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file, { parsers: PARSERS });
  return { file, metadata, columns, names: names(columns) };
}

/** Row ranges [start, end) of the file's row groups, in order, without those the range excludes. */
function groupRanges(metadata, range) {
  const out = [];
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    if (range === undefined || range === null || !groupOutside(group, range)) out.push([start, end]);
    start = end;
  }
  return out;
}

async function handle(msg) {
  switch (msg.type) {
    case 'open': {
      const entry = await openFile(msg.path, msg.columns);
      open.set(msg.id, entry);
      parentPort.postMessage({ type: 'opened', id: msg.id, groups: groupRanges(entry.metadata, msg.range) });
      return;
    }
    case 'group': {
      const entry = open.get(msg.handle);
      if (entry === undefined) throw new Error(`no open file with handle ${msg.handle}`);
      const { packed, transfer } = await decodeGroup(entry, msg.start, msg.end);
      parentPort.postMessage({ type: 'group', id: msg.id, n: msg.end - msg.start, columns: packed }, transfer);
      return;
    }
    case 'release':
      open.delete(msg.handle);
      parentPort.postMessage({ type: 'released', id: msg.id });
      return;
    case 'digest': {
      const entry = await openFile(msg.path, msg.columns);
      const digest = new RowDigestBuffer();
      for (const [start, end] of groupRanges(entry.metadata)) {
        const { packed } = await decodeGroup(entry, start, end);
        digest.packedGroup(end - start, packed, nullCode);
      }
      parentPort.postMessage({ type: 'digest', id: msg.id, ...digest.result() });
      return;
    }
    default:
      throw new Error(`unknown request ${msg.type}`);
  }
}

parentPort.on('message', (msg) => {
  handle(msg).catch((error) => {
    parentPort.postMessage({ type: 'error', id: msg.id, message: String(error?.message ?? error), name: String(error?.name ?? 'Error') });
  });
});
