import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a TCP byte stream into newline-delimited lines (UTF-8, `\r\n` or
 * `\n`), with a hard cap on line length so a peer that never sends a newline
 * cannot grow memory without bound: an over-long line is reported once and
 * discarded up to its newline.
 */
export class LineFramer {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  private discarding = false;
  private discarded = 0;

  /** @param maxLineChars longest accepted line, in characters (newline excluded) */
  constructor(private readonly maxLineChars: number) {}

  /**
   * Feeds one chunk; calls `onLine` for every complete line (without its
   * terminator, empty lines skipped) and `onTooLong` once per over-long line
   * with its length so far and its first characters.
   */
  push(chunk: Buffer, onLine: (line: string) => void, onTooLong: (length: number, sample: string) => void): void {
    let text = this.decoder.write(chunk);
    for (;;) {
      const nl = text.indexOf('\n');
      if (nl < 0) break;
      const piece = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (this.discarding) {
        this.discarding = false;
        this.discarded = 0;
        this.buf = '';
        continue;
      }
      let line = this.buf.length > 0 ? this.buf + piece : piece;
      this.buf = '';
      if (line.endsWith('\r')) line = line.slice(0, -1);
      if (line.length > this.maxLineChars) {
        onTooLong(line.length, line.slice(0, 256));
        continue;
      }
      if (line.length > 0) onLine(line);
    }
    if (this.discarding) {
      this.discarded += text.length;
      return;
    }
    this.buf += text;
    if (this.buf.length > this.maxLineChars) {
      onTooLong(this.buf.length, this.buf.slice(0, 256));
      this.discarding = true;
      this.discarded = this.buf.length;
      this.buf = '';
    }
  }

  /** Characters waiting for their newline (bounded by the cap). */
  pending(): number {
    return this.buf.length;
  }
}
