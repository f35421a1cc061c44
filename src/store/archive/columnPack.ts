import { DataIntegrityError } from '../../core/index.js';
import type { ArchiveRow, ColumnSpec } from './columns.js';

/** The code of a null string in a packed string column. */
export const NULL_CODE = 0xffff_ffff;

/**
 * One column of a packed row group, as the encoding thread receives it:
 * numbers (timestamps, integers, doubles, booleans as 0/1) in `values` with
 * `nulls[i] = 1` marking a null of a nullable number column; strings as
 * `codes` into the group's distinct `strings` (NULL_CODE for null).
 */
export type PackedColumn = Readonly<{ values?: Float64Array; nulls?: Uint8Array; codes?: Uint32Array; strings?: readonly string[] }>;

/** A row group in columnar form, over shared memory (posting shares it: nothing is serialised or copied but the strings). */
export type PackedGroup = Readonly<{ n: number; columns: readonly PackedColumn[] }>;

function bad(c: ColumnSpec, row: number, v: unknown): never {
  throw new DataIntegrityError(`archive row ${row}: column ${c.name} (${c.kind}${c.nullable ? ', nullable' : ''}) cannot hold ${JSON.stringify(v)}`);
}

type Column = { spec: ColumnSpec; values: Float64Array | null; nulls: Uint8Array | null; codes: Uint32Array | null; strings: string[]; index: Map<string, number> };

/**
 * Packs rows into the typed-array columns of one row group for the encoding
 * thread, a slice at a time (the caller yields to the event loop between
 * slices, so packing a group never holds the loop long). Lossless or it
 * throws DataIntegrityError: every value must be of its column's kind
 * (numbers for numeric columns, 0/1 for booleans, strings for text, null only
 * where the column is nullable), so the thread's digest of the packed columns
 * is the digest of the rows (checksum.ts) and the read-back verifies the rows
 * as given. A packer holds one group at a time: `take()` hands out views of
 * its shared memory, `reset()` starts the next group.
 */
export class GroupPacker {
  /** Rows packed so far. */
  n = 0;
  private readonly cols: Column[];

  constructor(
    columns: readonly ColumnSpec[],
    readonly capacity: number,
  ) {
    // one SharedArrayBuffer for every column: posting shares it (nothing is copied or detached), so the
    // packer is reused for a later group once the thread has acknowledged this one
    const width = columns.reduce((w, c) => w + (c.kind === 'str' ? 4 : 8 + (c.nullable ? 1 : 0)), 0);
    const shared = new SharedArrayBuffer(capacity * width);
    let offset = 0;
    const view = <T>(make: (buffer: SharedArrayBuffer, offset: number, length: number) => T, bytes: number): T => {
      const v = make(shared, offset, capacity);
      offset += capacity * bytes;
      return v;
    };
    // 8-byte columns first, then 4-byte, then 1-byte: every view is aligned
    const f64 = new Map(columns.filter((c) => c.kind !== 'str').map((c) => [c.name, view((b, o, n) => new Float64Array(b, o, n), 8)]));
    const u32 = new Map(columns.filter((c) => c.kind === 'str').map((c) => [c.name, view((b, o, n) => new Uint32Array(b, o, n), 4)]));
    const u8 = new Map(columns.filter((c) => c.kind !== 'str' && c.nullable).map((c) => [c.name, view((b, o, n) => new Uint8Array(b, o, n), 1)]));
    this.cols = columns.map((spec) => ({
      spec,
      values: f64.get(spec.name) ?? null,
      nulls: u8.get(spec.name) ?? null,
      codes: u32.get(spec.name) ?? null,
      strings: [],
      index: new Map(),
    }));
  }

  /** Empties the packer for the next group (only once the thread has acknowledged the last one it took). */
  reset(): void {
    for (const col of this.cols) {
      col.nulls?.fill(0, 0, this.n);
      col.strings = [];
      col.index.clear();
    }
    this.n = 0;
  }

  /** True when the group holds `capacity` rows. */
  get full(): boolean {
    return this.n >= this.capacity;
  }

  /** Packs `rows[start, end)`; returns the end index actually packed (stops when the group is full). */
  add(rows: readonly ArchiveRow[], start: number, end: number): number {
    const stop = Math.min(end, start + this.capacity - this.n);
    const base = this.n - start;
    for (const col of this.cols) {
      const c = col.spec;
      const name = c.name;
      if (col.codes !== null) {
        const codes = col.codes;
        for (let r = start; r < stop; r++) {
          const v = rows[r]![name] ?? null;
          if (typeof v === 'string') {
            let code = col.index.get(v);
            if (code === undefined) {
              code = col.strings.length;
              col.strings.push(v);
              col.index.set(v, code);
            }
            codes[base + r] = code;
          } else if (v === null && c.nullable) codes[base + r] = NULL_CODE;
          else bad(c, r, v);
        }
        continue;
      }
      const values = col.values!;
      const nulls = col.nulls;
      const bool = c.kind === 'bool';
      for (let r = start; r < stop; r++) {
        const v = rows[r]![name] ?? null;
        if (typeof v === 'number' && (!bool || v === 0 || v === 1)) values[base + r] = v;
        else if (v === null && nulls !== null && c.kind === 'f64') nulls[base + r] = 1;
        else bad(c, r, v);
      }
    }
    this.n += stop - start;
    return stop;
  }

  /** The packed group: views of the rows packed over the shared memory (valid until `reset()`). */
  take(): PackedGroup {
    const n = this.n;
    const columns: PackedColumn[] = this.cols.map((col) =>
      col.codes !== null
        ? { codes: col.codes.subarray(0, n), strings: col.strings }
        : col.nulls !== null
          ? { values: col.values!.subarray(0, n), nulls: col.nulls.subarray(0, n) }
          : { values: col.values!.subarray(0, n) },
    );
    return { n, columns };
  }
}

/** Packs `rows[start, end)` in one go (see GroupPacker). */
export function packRows(columns: readonly ColumnSpec[], rows: readonly ArchiveRow[], start = 0, end = rows.length): PackedGroup {
  const packer = new GroupPacker(columns, Math.max(1, end - start));
  packer.add(rows, start, end);
  return packer.take();
}
