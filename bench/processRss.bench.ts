import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** RSS of a whole running UTP with a full RAM tick buffer, measured in a fresh child process (see processRss.child.mjs). */
export type ProcessRss = Readonly<{ addPerSecond: number; offered: number; held: number; bytesPerTick: number; shortened: boolean; baseRssMb: number; rssMb: number; heapUsedMb: number; arrayBuffersMb: number; replayed: number }>;

/**
 * Starts `processRss.child.mjs` in its own plain Node process on the built
 * dist/ (nothing the other benches allocated counts, no TypeScript loader),
 * which runs a whole UTP on the shipped replay, fills its RAM buffer with
 * 3 symbols x 3 h x 100 ticks/s and reports RSS.
 */
export function processRssBench(): Promise<ProcessRss> {
  const child = fileURLToPath(new URL('./processRss.child.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--expose-gc', child], { maxBuffer: 1 << 20, timeout: 300_000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`${error.message}\n${stderr}`));
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(line) as ProcessRss);
      } catch {
        reject(new Error(`no result from the child: ${stdout}\n${stderr}`));
      }
    });
  });
}

/** The lines bench/run.ts prints. */
export function processRssLines(r: ProcessRss): string[] {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  return [
    `bytes/tick ${r.bytesPerTick.toFixed(2)}   budget <= 64   ${r.bytesPerTick <= 64 ? 'PASS' : 'MISS'}   (add ${fmt(r.addPerSecond)} ticks/s)`,
    `whole UTP process (replay, feeds, pipeline, SQLite writer thread, desk, memory layers) + ${fmt(r.held)} of ${fmt(r.offered)} ticks in RAM (${r.bytesPerTick.toFixed(2)} B/tick${r.shortened ? ', window shortened' : ''})`,
    `RSS ${r.rssMb.toFixed(0)} MB (before filling ${r.baseRssMb.toFixed(0)} MB; heap ${r.heapUsedMb.toFixed(0)} MB, array buffers ${r.arrayBuffersMb.toFixed(0)} MB)   budget < 300 MB   ${r.rssMb < 300 ? 'PASS' : 'MISS'}`,
  ];
}
