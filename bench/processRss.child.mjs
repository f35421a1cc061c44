// Child of bench/processRss.bench.ts, plain Node on the built dist/ (as `utp start` runs, no TypeScript loader):
// a whole UTP (replay server, feeds, pipeline, SQLite writer thread, trading desk, memory layers) whose RAM tick
// buffer is filled to 3 symbols x 3 h x 100 ticks/s from the shipped real aggTrades (every second tick a quote);
// prints bytes per tick, the add rate and the RSS as JSON.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';

const root = fileURLToPath(new URL('../', import.meta.url));
const { composeApp } = await import(path.join(root, 'dist/server/compose.js'));
const { configSchema } = await import(path.join(root, 'dist/server/config.js'));
const MB = 1024 * 1024;
const rows = readFileSync(path.join(root, 'recordings/binance/BTCUSDT-aggTrades-2026-01-01_first5000.csv'), 'utf8')
  .trim()
  .split('\n')
  .filter((l) => /^\d/.test(l))
  .map((l) => l.split(','))
  .map((c) => ({ id: Number(c[0]), price: Number(c[1]), qty: Number(c[2]), trades: Number(c[4]) - Number(c[3]) + 1, sell: c[6] === 'True' }));
const dir = mkdtempSync(path.join(os.tmpdir(), 'utp-rss-'));
const app = await composeApp(configSchema.parse({ dataDir: dir, logLevel: 'silent', replay: { speed: 'max', loop: false } }), { logger: pino({ level: 'silent' }) });
await app.start();
const until = Date.now() + 30_000;
while (app.pipeline.stats().accepted < rows.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
await app.flush();
globalThis.gc?.();
const base = process.memoryUsage().rss / MB;
const names = ['BTCUSD', 'XAUUSD', 'GBPJPY'];
const perSymbol = 3 * 3600 * 100;
const t0 = Date.UTC(2026, 0, 2); // after the replayed trades, so the ring holds them all in order
const started = performance.now();
for (let i = 0; i < perSymbol; i++) {
  const r = rows[i % rows.length];
  const ts = t0 + i * 10;
  for (const symbol of names) {
    const quote = i % 2 === 1;
    app.tickBuffer.ring.add({
      symbol,
      source: symbol === 'GBPJPY' ? 'mt5' : 'binance',
      tsEvent: ts,
      tsInit: ts + 3,
      bid: quote ? r.price - 0.01 : null,
      ask: quote ? r.price + 0.01 : null,
      last: quote ? null : r.price,
      volume: quote ? 0 : r.qty,
      trades: quote ? 0 : r.trades,
      takerSide: quote ? null : r.sell ? 'sell' : 'buy',
      seq: r.id + i,
      offset: symbol === 'XAUUSD' ? 12.5 : 0,
    });
  }
}
const addSeconds = (performance.now() - started) / 1000;
const last = app.tickBuffer.ring.ticks('GBPJPY', t0 + (perSymbol - 1) * 10, t0 + perSymbol * 10, 10).at(-1);
if (last?.seq !== rows[(perSymbol - 1) % rows.length].id + perSymbol - 1) throw new Error('the ring did not give back the last tick it took');
globalThis.gc?.();
const mem = process.memoryUsage();
const status = app.tickBuffer.status();
process.stdout.write(`${JSON.stringify({ addPerSecond: (perSymbol * names.length) / addSeconds, offered: perSymbol * names.length, held: status.ticks, bytesPerTick: status.bytesPerTick, shortened: status.shortened, baseRssMb: base, rssMb: mem.rss / MB, heapUsedMb: mem.heapUsed / MB, arrayBuffersMb: mem.arrayBuffers / MB, replayed: app.pipeline.stats().accepted })}\n`);
await app.stop();
rmSync(dir, { recursive: true, force: true });
