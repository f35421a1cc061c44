/**
 * The archive workers' row digest: an order-sensitive sha256 over every value
 * of every row, byte for byte as checksum.ts's RowDigest (null = 0x00, number
 * = 0x01 + float64 LE, string = 0x02 + uint32 LE length + UTF-8), buffered.
 * Plain JS, shared by parquetWriter.worker.js and parquetReader.worker.js,
 * which run as plain JS from src (under tsx) and from dist alike.
 */
import { createHash } from 'node:crypto';

/** Digest state: feed values with nil/num/utf8, count rows, read `result()`. */
export class RowDigestBuffer {
  constructor() {
    this.hash = createHash('sha256');
    this.buf = Buffer.allocUnsafe(64 * 1024);
    this.pos = 0;
    this.count = 0;
  }
  ensure(n) {
    if (this.pos + n <= this.buf.length) return;
    this.spill();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n * 2);
  }
  spill() {
    if (this.pos === 0) return;
    this.hash.update(this.buf.subarray(0, this.pos));
    this.pos = 0;
  }
  nil() {
    this.ensure(1);
    this.buf[this.pos++] = 0;
  }
  num(v) {
    this.ensure(9);
    this.buf[this.pos] = 1;
    this.buf.writeDoubleLE(v, this.pos + 1);
    this.pos += 9;
  }
  /** A string given as its UTF-8 bytes. */
  utf8(bytes) {
    this.ensure(5 + bytes.length);
    this.buf[this.pos] = 2;
    this.buf.writeUInt32LE(bytes.length, this.pos + 1);
    bytes.copy(this.buf, this.pos + 5);
    this.pos += 5 + bytes.length;
  }
  /**
   * One packed row group (columnPack.ts's layout: `codes` + `strings` for
   * text, `nulls` + `values` for numbers), row by row in column order: the
   * rows the main thread packs or rebuilds.
   */
  packedGroup(n, packed, nullCode) {
    const utf8 = packed.map((p) => (p.strings === undefined ? null : p.strings.map((s) => Buffer.from(s, 'utf8'))));
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < packed.length; c++) {
        const p = packed[c];
        if (p.codes !== undefined) {
          const code = p.codes[i];
          if (code === nullCode) this.nil();
          else this.utf8(utf8[c][code]);
        } else if (p.nulls !== undefined && p.nulls[i] === 1) this.nil();
        else this.num(p.values[i]);
      }
      this.count += 1;
    }
    this.spill();
  }
  /** Rows digested so far and the sha256 (the digest can go on). */
  result() {
    this.spill();
    return { rows: this.count, sha256: this.hash.copy().digest('hex') };
  }
}
