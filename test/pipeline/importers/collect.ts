import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Candle, Tick } from '../../../src/core/index.js';
import { importFile } from '../../../src/pipeline/importers/index.js';
import type { ImportBatch, ImportError, ImportFormat, ImportOptions } from '../../../src/pipeline/importers/index.js';
import { fixturePath } from '../../fixtures/load.js';

const here = fileURLToPath(new URL('.', import.meta.url));

/** Path of a fixture under test/fixtures. */
export function fixture(vendor: string, name: string): string {
  return fixturePath(`${vendor}/${name}`);
}

/** Path of a file in the shared recorded-data folder (may be absent outside the workspace). */
export function shared(relative: string): string {
  return resolve(here, '../../../../shared/data', relative);
}

/** Everything an import yielded, flattened. */
export type Collected = {
  ticks: Tick[];
  candles: Candle[];
  errors: ImportError[];
  batches: ImportBatch[];
  formats: Set<ImportFormat>;
};

/** Runs an import to the end and gathers its batches. */
export async function collect(path: string, options: ImportOptions): Promise<Collected> {
  const out: Collected = { ticks: [], candles: [], errors: [], batches: [], formats: new Set() };
  for await (const batch of importFile(path, options)) {
    out.batches.push(batch);
    out.ticks.push(...batch.ticks);
    out.candles.push(...batch.candles);
    out.errors.push(...batch.errors);
    out.formats.add(batch.format);
  }
  return out;
}

/** A temp folder for hand-made files; `cleanup` removes it. */
export function tempDir(): { path: (name: string) => string; write: (name: string, text: string | Buffer) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'utp-import-'));
  return {
    path: (name) => join(dir, name),
    write: (name, text) => {
      const p = join(dir, name);
      writeFileSync(p, text);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** ISO string of an epoch ms. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
