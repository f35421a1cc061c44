#!/usr/bin/env node
// The `utp` command. The TypeScript build (npm install runs it) lives in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/server/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('utp: dist/ is missing; run `npm install` (or `npm run build`) in the UTP folder first\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
