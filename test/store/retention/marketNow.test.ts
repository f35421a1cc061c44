import { afterEach, describe, expect, it } from 'vitest';
import { TestClock, type Tick } from '../../../src/core/index.js';
import { importFile } from '../../../src/pipeline/index.js';
import { Archive } from '../../../src/store/archive/index.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { RetentionMover } from '../../../src/store/retention/index.js';
import { AGG_TRADES_2026, fixturePath } from '../../fixtures/load.js';
import { tmpFolder } from '../fixtures.js';

const NOW = Date.UTC(2026, 10, 25, 15, 0); // the wall clock, months after the recorded day

async function realTicks(): Promise<Tick[]> {
  const out: Tick[] = [];
  for await (const b of importFile(fixturePath(AGG_TRADES_2026), { source: 'binance', symbol: 'BTCUSD', onError: 'stop' })) out.push(...b.ticks);
  return out;
}

describe('RetentionMover aged by the market time (replay of a recorded day)', () => {
  let tmp: ReturnType<typeof tmpFolder> | null = null;
  let store: Store | null = null;
  afterEach(() => {
    store?.close();
    tmp?.cleanup();
  });

  it('keeps a replayed day in SQLite while the replay is inside it; by the wall clock the same pass would archive and expire it', async () => {
    tmp = tmpFolder('utp-mover-market-');
    store = openStore({ path: ':memory:' });
    const ticks = await realTicks();
    store.ticks.insertTicks(ticks);
    const last = ticks[ticks.length - 1]!.tsEvent;
    const clock = new TestClock(NOW);
    const replay = new RetentionMover({ db: store.db, archive: new Archive({ dir: `${tmp.dir}/a` }), clock, marketNow: () => last });
    const kept = await replay.runOnce();
    expect(kept.days).toEqual([]);
    expect(store.ticks.countTicks()).toBe(5_000);

    const wall = new RetentionMover({ db: store.db, archive: new Archive({ dir: `${tmp.dir}/b` }), clock });
    const report = await wall.runOnce();
    expect(report.days.map((d) => [d.symbol, d.day, d.sqliteRows])).toContainEqual(['BTCUSD', '2026-01-01', 5_000]);
    expect(store.ticks.countTicks()).toBe(0);
  });
});
