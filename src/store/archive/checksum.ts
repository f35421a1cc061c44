import { createHash, type Hash } from 'node:crypto';
import type { ArchiveRow, ColumnSpec } from './columns.js';

/** Row count and content hash of an ordered set of archive rows. */
export type RowDigestResult = Readonly<{ rows: number; sha256: string }>;

/**
 * Incremental, order-sensitive checksum of archive rows: sha256 over every
 * value of every row in column order (null, float64 bits, or UTF-8 text with
 * its length), so the rows read back from a file prove bit-for-bit equal to the
 * rows that were written (prices compared as IEEE doubles, not as text).
 */
export class RowDigest {
  private readonly hash: Hash = createHash('sha256');
  private buf = Buffer.allocUnsafe(64 * 1024);
  private pos = 0;
  private count = 0;

  constructor(private readonly columns: readonly ColumnSpec[]) {}

  /** Adds rows in order. */
  add(rows: readonly ArchiveRow[]): void {
    for (const row of rows) {
      for (const c of this.columns) this.value(row[c.name] ?? null);
      this.count += 1;
    }
    this.spill();
  }

  /** Rows added so far and the hash over them (the digest can still grow after this). */
  result(): RowDigestResult {
    this.spill();
    return { rows: this.count, sha256: this.hash.copy().digest('hex') };
  }

  private value(v: string | number | null): void {
    if (v === null) {
      this.ensure(1);
      this.buf[this.pos++] = 0;
    } else if (typeof v === 'number') {
      this.ensure(9);
      this.buf[this.pos] = 1;
      this.buf.writeDoubleLE(v, this.pos + 1);
      this.pos += 9;
    } else {
      const len = Buffer.byteLength(v);
      this.ensure(5 + len);
      this.buf[this.pos] = 2;
      this.buf.writeUInt32LE(len, this.pos + 1);
      this.buf.write(v, this.pos + 5, 'utf8');
      this.pos += 5 + len;
    }
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.spill();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n * 2);
  }

  private spill(): void {
    if (this.pos === 0) return;
    this.hash.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
}

/** The digest of a complete set of rows. */
export function digestRows(columns: readonly ColumnSpec[], rows: readonly ArchiveRow[]): RowDigestResult {
  const d = new RowDigest(columns);
  d.add(rows);
  return d.result();
}
