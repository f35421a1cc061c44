import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveClock } from '../../src/core/index.js';
import { composeApp } from '../../src/server/compose.js';
import { configSchema } from '../../src/server/config.js';
import { tempDir } from './replayFixture.js';

/**
 * A burst larger than the pipeline absorbs: the replay server sends the real
 * recording as fast as the socket takes it, looping, for about two seconds,
 * through the real client, pipeline and SQLite recorder on the live clock.
 * The event loop must stay responsive and memory bounded.
 */
describe('a burst at full speed', () => {
  const dir = tempDir('utp-burst-');
  afterAll(() => dir.remove());

  it('never blocks the event loop for long and never grows memory without bound', async () => {
    const config = configSchema.parse({ dataDir: dir.dir, logLevel: 'silent', replay: { speed: 'max', loop: true } });
    const app = await composeApp(config, { clock: new LiveClock(), logger: pino({ level: 'silent' }) });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    await app.start();
    delay.enable();
    const started = performance.now();
    let heapPeak = heapBefore;
    while (performance.now() - started < 2_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      heapPeak = Math.max(heapPeak, process.memoryUsage().heapUsed);
    }
    delay.disable();
    const accepted = app.pipeline.stats().accepted;
    await app.stop();
    expect(accepted).toBeGreaterThan(20_000);
    expect(delay.max / 1e6).toBeLessThan(2_000); // generous: CI runs other test files on the same 2 cores
    expect(delay.percentile(99) / 1e6).toBeLessThan(500);
    expect((heapPeak - heapBefore) / 2 ** 20).toBeLessThan(256);
  }, 30_000);
});
