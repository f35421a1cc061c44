import type { ArchiveRow } from '../archive/columns.js';

/** Rows per chunk the merge yields. */
const OUT_CHUNK = 10_000;

type Cursor = { it: AsyncIterator<readonly ArchiveRow[]>; buf: readonly ArchiveRow[]; pos: number; done: boolean };

async function ready(c: Cursor): Promise<boolean> {
  while (c.pos >= c.buf.length && !c.done) {
    const next = await c.it.next();
    if (next.done) c.done = true;
    else {
      c.buf = next.value;
      c.pos = 0;
    }
  }
  return c.pos < c.buf.length;
}

async function* toAsync(rows: Iterable<readonly ArchiveRow[]> | AsyncIterable<readonly ArchiveRow[]>): AsyncGenerator<readonly ArchiveRow[]> {
  for await (const chunk of rows) yield chunk;
}

/**
 * Merges two streams of rows, each already sorted by `cmp`, into one sorted
 * stream without loading either whole. Rows that compare equal are the same
 * identity: the row of `newer` wins (SQLite over an older archive file).
 */
export async function* mergeSorted(
  older: Iterable<readonly ArchiveRow[]> | AsyncIterable<readonly ArchiveRow[]>,
  newer: Iterable<readonly ArchiveRow[]> | AsyncIterable<readonly ArchiveRow[]>,
  cmp: (a: ArchiveRow, b: ArchiveRow) => number,
): AsyncGenerator<ArchiveRow[], void, undefined> {
  const a: Cursor = { it: toAsync(older)[Symbol.asyncIterator](), buf: [], pos: 0, done: false };
  const b: Cursor = { it: toAsync(newer)[Symbol.asyncIterator](), buf: [], pos: 0, done: false };
  let out: ArchiveRow[] = [];
  for (;;) {
    const hasA = await ready(a);
    const hasB = await ready(b);
    if (!hasA && !hasB) break;
    if (!hasB) out.push(a.buf[a.pos++]!);
    else if (!hasA) out.push(b.buf[b.pos++]!);
    else {
      const c = cmp(a.buf[a.pos]!, b.buf[b.pos]!);
      if (c < 0) out.push(a.buf[a.pos++]!);
      else if (c > 0) out.push(b.buf[b.pos++]!);
      else {
        out.push(b.buf[b.pos++]!);
        a.pos++;
      }
    }
    if (out.length >= OUT_CHUNK) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
