import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md section 2, "who may import whom", enforced on every import of
 * every file under src/ (type-only, re-exports and dynamic imports included):
 *
 * - core imports nothing outside core;
 * - store and pipeline import only core (and their own folder);
 * - engines import core, pipeline/indicators and pipeline/structure (and their own folder);
 * - tools import only the index.ts of core, pipeline, engines and store (and their own folder);
 * - sim imports only core, pipeline/feeds/** (the feed schemas and archive parsers) and pipeline/importers/**
 *   (the parsers of the recorded formats it replays; DESIGN.md names only the feed schemas) and engines/paper/**
 *   (the simulated MT5 terminal executes trades with the paper venue's rules);
 * - server may import anything; nothing outside server imports server.
 */

const ROOT = resolve(fileURLToPath(new URL('../../', import.meta.url)));
const SRC = join(ROOT, 'src');

/** One import of one file, both as paths relative to src/ with forward slashes (`pipeline/Pipeline.ts`). */
type Edge = { from: string; to: string; specifier: string };

const LAYERS = ['core', 'pipeline', 'store', 'engines', 'tools', 'server', 'sim'] as const;
type Layer = (typeof LAYERS)[number];

function layerOf(path: string): Layer | null {
  const top = path.split('/')[0] ?? '';
  return (LAYERS as readonly string[]).includes(top) ? (top as Layer) : null;
}

/**
 * Why the import `edge` breaks the layer rules, or null when it is allowed.
 * Pure, so the rules themselves are tested below.
 */
function violation(edge: Edge): string | null {
  const from = layerOf(edge.from);
  const to = layerOf(edge.to);
  if (from === null) return `${edge.from} is in no known layer (${LAYERS.join(', ')}): add it to DESIGN.md section 2 and this test`;
  if (to === null) return `imports ${edge.to}, which is in no known layer`;
  if (from === to) return null;
  if (to === 'server') return 'nothing imports server (it is the composition root)';
  switch (from) {
    case 'server':
      return null;
    case 'core':
      return 'core imports nothing outside core';
    case 'store':
    case 'pipeline':
      return to === 'core' ? null : `${from} imports only core`;
    case 'engines':
      if (to === 'core') return null;
      if (/^pipeline\/(indicators|structure)\//.test(edge.to)) return null;
      return 'engines import only core and the pure parts of pipeline (pipeline/indicators, pipeline/structure)';
    case 'tools':
      if (['core/index.ts', 'pipeline/index.ts', 'engines/index.ts', 'store/index.ts'].includes(edge.to)) return null;
      return 'tools import only the index.ts of core, pipeline, engines and store';
    case 'sim':
      if (to === 'core') return null;
      if (edge.to.startsWith('pipeline/feeds/') || edge.to.startsWith('pipeline/importers/') || edge.to.startsWith('engines/paper/')) return null;
      return 'sim imports only core, pipeline/feeds/* (feed schemas, archive parsers), pipeline/importers/* (recorded-format parsers) and engines/paper/* (the paper venue rules)';
  }
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(m|c)?[tj]sx?$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

const toSrc = (abs: string) => relative(SRC, abs).split(sep).join('/');

/** Resolves a relative specifier the way NodeNext does for our sources (`./x.js` is `./x.ts`). */
function resolveImport(fromAbs: string, specifier: string): string | null {
  const base = resolve(dirname(fromAbs), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base.replace(/\.cjs$/, '.cts'), base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? null;
}

/** Every import edge of src/, plus the relative imports that resolve to nothing. */
function collectEdges(): { edges: Edge[]; unresolved: string[]; files: number } {
  const edges: Edge[] = [];
  const unresolved: string[] = [];
  const files = sourceFiles(SRC);
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const ref of info.importedFiles) {
      const specifier = ref.fileName;
      if (!specifier.startsWith('.')) continue; // packages (zod, ws, node:*) are not layers
      const target = resolveImport(file, specifier);
      if (target === null) {
        unresolved.push(`${toSrc(file)}: '${specifier}'`);
        continue;
      }
      if (!target.startsWith(SRC + sep)) {
        unresolved.push(`${toSrc(file)}: '${specifier}' leaves src/`);
        continue;
      }
      edges.push({ from: toSrc(file), to: toSrc(target), specifier });
    }
  }
  return { edges, unresolved, files: files.length };
}

describe('layer boundaries of src/ (DESIGN.md section 2)', () => {
  const { edges, unresolved, files } = collectEdges();

  it('finds the sources and their imports', () => {
    expect(files).toBeGreaterThan(50);
    expect(edges.length).toBeGreaterThan(100);
    // Multi-line, type-only and re-export imports are all seen.
    expect(edges).toContainEqual({ from: 'pipeline/Pipeline.ts', to: 'core/index.ts', specifier: '../core/index.js' });
    expect(edges).toContainEqual({ from: 'core/index.ts', to: 'core/errors.ts', specifier: './errors.js' });
  });

  it('every relative import resolves to a file inside src/', () => {
    if (unresolved.length > 0) expect.fail(`unresolved imports:\n  ${unresolved.join('\n  ')}`);
  });

  it('no import crosses a layer boundary', () => {
    const broken = edges
      .map((e) => ({ e, why: violation(e) }))
      .filter((x): x is { e: Edge; why: string } => x.why !== null)
      .map(({ e, why }) => `src/${e.from} imports src/${e.to} ('${e.specifier}'): ${why}`);
    if (broken.length > 0) expect.fail(`${broken.length} layer violation(s):\n  ${broken.join('\n  ')}`);
  });
});

describe('the boundary rules themselves', () => {
  const check = (from: string, to: string) => violation({ from, to, specifier: '' });

  it('core imports only core', () => {
    expect(check('core/ports.ts', 'core/types/Tick.ts')).toBeNull();
    expect(check('core/ports.ts', 'pipeline/index.ts')).toBe('core imports nothing outside core');
  });

  it('store and pipeline import only core and themselves', () => {
    expect(check('store/Database.ts', 'core/index.ts')).toBeNull();
    expect(check('pipeline/importers/binance.ts', 'pipeline/feeds/binance/archive.ts')).toBeNull();
    expect(check('store/access/MarketDataAccess.ts', 'pipeline/index.ts')).toBe('store imports only core');
    expect(check('pipeline/Pipeline.ts', 'store/index.ts')).toBe('pipeline imports only core');
    expect(check('pipeline/Pipeline.ts', 'tools/index.ts')).toBe('pipeline imports only core');
  });

  it('engines import core and only the pure parts of pipeline', () => {
    expect(check('engines/risk/Risk.ts', 'core/index.ts')).toBeNull();
    expect(check('engines/dtms/Dtms.ts', 'pipeline/structure/Swings.ts')).toBeNull();
    expect(check('engines/exits/Exits.ts', 'pipeline/indicators/atr.ts')).toBeNull();
    expect(check('engines/exits/Exits.ts', 'pipeline/Pipeline.ts')).not.toBeNull();
    expect(check('engines/exits/Exits.ts', 'store/index.ts')).not.toBeNull();
  });

  it('tools import other layers only through their index.ts', () => {
    expect(check('tools/market/getCandles.ts', 'core/index.ts')).toBeNull();
    expect(check('tools/market/getCandles.ts', 'tools/market/shared.ts')).toBeNull();
    expect(check('tools/context.ts', 'store/index.ts')).toBeNull();
    expect(check('tools/context.ts', 'engines/index.ts')).toBeNull();
    expect(check('tools/market/getCandles.ts', 'core/types/Timeframe.ts')).toBe('tools import only the index.ts of core, pipeline, engines and store');
    expect(check('tools/context.ts', 'store/access/MarketDataAccess.ts')).not.toBeNull();
    expect(check('tools/context.ts', 'sim/index.ts')).not.toBeNull();
  });

  it('sim imports only core and the feed schemas and parsers', () => {
    expect(check('sim/binanceControl.ts', 'pipeline/feeds/binance/schema.ts')).toBeNull();
    expect(check('sim/BinanceReplayServer.ts', 'core/clock/Clock.ts')).toBeNull();
    expect(check('sim/mt5SimData.ts', 'pipeline/importers/dukascopy.ts')).toBeNull();
    expect(check('sim/x.ts', 'pipeline/Pipeline.ts')).not.toBeNull();
    expect(check('sim/x.ts', 'store/index.ts')).not.toBeNull();
    expect(check('sim/mt5SimExec.ts', 'engines/paper/PaperVenue.ts')).toBeNull();
    expect(check('sim/mt5SimExec.ts', 'engines/paper/rules.ts')).toBeNull();
    expect(check('sim/x.ts', 'engines/dtms/Dtms.ts')).not.toBeNull();
  });

  it('server may import anything, and nothing imports server', () => {
    for (const to of ['core/index.ts', 'pipeline/feeds/binance/index.ts', 'sim/index.ts', 'tools/index.ts', 'store/index.ts']) {
      expect(check('server/compose.ts', to)).toBeNull();
    }
    for (const from of ['core/index.ts', 'tools/index.ts', 'sim/index.ts', 'engines/x.ts']) {
      expect(check(from, 'server/config.ts')).toBe('nothing imports server (it is the composition root)');
    }
  });

  it('a file outside the known layers is reported', () => {
    expect(check('util/x.ts', 'core/index.ts')).toMatch(/no known layer/);
  });
});
