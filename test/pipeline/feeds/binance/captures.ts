import { readFileSync } from 'node:fs';
import { fixturePath } from '../../../fixtures/load.js';

/** One captured frame: local receive time (epoch ms) and the raw text. */
export type CapturedFrame = { receivedAt: number; raw: string };

/** Path of a file in test/fixtures/binance. */
export function fixture(name: string): string {
  return fixturePath(`binance/${name}`);
}

/**
 * Reads a cryptofeed capture: first line is the URL, then `<epoch seconds>: <frame>` per line
 * (the URL line may repeat on reconnect).
 */
export function readCapture(name: string): CapturedFrame[] {
  const out: CapturedFrame[] = [];
  for (const line of readFileSync(fixture(name), 'utf8').split('\n')) {
    if (line === '' || line.startsWith('wss://')) continue;
    const sep = line.indexOf(': ');
    out.push({ receivedAt: Number(line.slice(0, sep)) * 1000, raw: line.slice(sep + 2) });
  }
  return out;
}
