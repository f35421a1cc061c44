import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import type { Readable as ReadableType } from 'node:stream';
import { createInterface } from 'node:readline';
import { TextDecoder } from 'node:util';
import { createGunzip } from 'node:zlib';

/** Decodes byte chunks to text: UTF-16LE when the file says so (BOM or NUL pattern, as MT5 may write), else UTF-8 (BOM dropped). */
async function* decode(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null;
  for await (const chunk of bytes) {
    if (decoder === null) {
      const utf16 = (chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk.length >= 4 && chunk[1] === 0 && chunk[3] === 0 && chunk[0] !== 0);
      decoder = new TextDecoder(utf16 ? 'utf-16le' : 'utf-8');
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder?.decode() ?? '';
  if (rest !== '') yield rest;
}

/**
 * Streams the lines of a text file without loading it whole (node:readline
 * over a read stream), gunzipping on the fly when the name ends in `.gz`.
 * Trailing `\r` is removed. Breaking out of the loop closes the file.
 */
export async function* readLines(path: string): AsyncGenerator<string, void, undefined> {
  const file = createReadStream(path);
  const bytes: ReadableType = path.toLowerCase().endsWith('.gz') ? pipeline(file, createGunzip(), () => {}) : file;
  const text = Readable.from(decode(bytes));
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
  } finally {
    lines.close();
    text.destroy();
    bytes.destroy();
    file.destroy();
  }
}
