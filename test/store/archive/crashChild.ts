// Child process of crash.test.ts: archives the store of a data folder slowly (a pause after every row group,
// announced on stdout) so the parent can SIGKILL it in the middle of writing a day file.
import path from 'node:path';
import { TestClock } from '../../../src/core/index.js';
import { Archive } from '../../../src/store/archive/index.js';
import { openStore } from '../../../src/store/index.js';
import { RetentionMover } from '../../../src/store/retention/index.js';

const [dataDir, before] = process.argv.slice(2) as [string, string];
const store = openStore({ path: path.join(dataDir, 'utp.sqlite') });
const clock = new TestClock(Number(before) + 86_400_000);
const mover = new RetentionMover({
  db: store.db,
  archive: Archive.forDataDir(dataDir, { rowGroupRows: 2000 }),
  clock,
  writeOptions: {
    afterRowGroup: async (rows) => {
      process.stdout.write(`rows ${rows}\n`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    },
  },
});
const report = await mover.archiveBefore(Number(before));
process.stdout.write(`done ${report.ticksPruned}\n`);
store.close();
