// Writes schemas/tools/<name>.json from the zod definitions. CI fails when these drift (test/tools/contracts.test.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { ALL_TOOLS, contractText } from '../src/tools/index.js';

const dir = new URL('../schemas/tools/', import.meta.url);
mkdirSync(dir, { recursive: true });
for (const tool of ALL_TOOLS) writeFileSync(new URL(`${tool.name}.json`, dir), contractText(tool));
process.stderr.write(`wrote ${ALL_TOOLS.length} tool contracts to schemas/tools/\n`);
