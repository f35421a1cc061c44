/**
 * Configuration is read once: defaults, then `<dataDir>/utp.config.json`, then
 * the environment, then command-line overrides; validated strictly, with every
 * problem reported together in one ConfigError.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/index.js';
import { activeSymbolSpecs, DEFAULT_RECORDING, loadConfig, type ConfigOverrides } from '../../src/server/config.js';
import { RECORDING, tempDir } from '../integration/replayFixture.js';

const dirs: ReturnType<typeof tempDir>[] = [];
afterAll(() => dirs.forEach((d) => d.remove()));

/** A fresh data dir, optionally with a utp.config.json holding `file` (an object, or raw text). */
function dataDir(file?: unknown): string {
  const d = tempDir('utp-config-');
  dirs.push(d);
  if (file !== undefined) writeFileSync(path.join(d.dir, 'utp.config.json'), typeof file === 'string' ? file : JSON.stringify(file));
  return d.dir;
}

/** The ConfigError `fn` throws (fails the test when it does not throw one). */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const load = (overrides: ConfigOverrides, env: NodeJS.ProcessEnv = {}) => loadConfig(overrides, env);

describe('loadConfig defaults', () => {
  it('runs a local replay of the bundled recording on 127.0.0.1:8787, read-only', () => {
    const dir = dataDir();
    const config = load({ dataDir: dir });
    expect(config).toMatchObject({
      mode: 'replay',
      dataDir: dir,
      logLevel: 'info',
      activeSymbols: [],
      allowWrites: false,
      http: { host: '127.0.0.1', port: 8787, token: null, allowedHosts: [], allowedOrigins: [] },
      replay: { file: DEFAULT_RECORDING, instrument: 'btcusdt', speed: 10, loop: true, port: 0 },
      binance: {
        spotWs: ['wss://stream.binance.com:9443', 'wss://data-stream.binance.vision'],
        spotRest: ['https://data-api.binance.vision'],
        usdmWs: ['wss://fstream.binance.com'],
        usdmRest: ['https://fapi.binance.com'],
      },
      mt5: { bridgePort: 8765 },
      store: { flushMs: 250, maxBatch: 2000 },
    });
    expect(DEFAULT_RECORDING).toBe(RECORDING);
    expect(config.symbols.map((s) => [s.symbol, s.binance?.market ?? null, s.binance?.instrument ?? null, s.mt5, s.primary])).toEqual([
      ['BTCUSD', 'spot', 'btcusdt', 'BTCUSD', 'binance'],
      ['XAUUSD', 'usdm', 'xauusdt', 'XAUUSD', 'binance'],
      ['GBPJPY', null, null, 'GBPJPY', 'mt5'],
    ]);
    expect(activeSymbolSpecs(config).map((s) => s.symbol)).toEqual(['BTCUSD', 'XAUUSD', 'GBPJPY']);
  });

  it('takes the data dir from UTP_DATA_DIR, and --data-dir over it', () => {
    const fromEnv = dataDir({ http: { port: 1234 } });
    expect(load({}, { UTP_DATA_DIR: fromEnv })).toMatchObject({ dataDir: fromEnv, http: { port: 1234 } });
    const fromFlag = dataDir();
    expect(load({ dataDir: fromFlag }, { UTP_DATA_DIR: fromEnv })).toMatchObject({ dataDir: fromFlag, http: { port: 8787 } });
  });
});

describe('layering: file, then environment, then command line', () => {
  it('reads utp.config.json from the data dir', () => {
    const dir = dataDir({ mode: 'paper', http: { port: 9100, token: 'a-long-enough-token' }, replay: { speed: 'max', loop: false } });
    expect(load({ dataDir: dir })).toMatchObject({ mode: 'paper', http: { port: 9100, token: 'a-long-enough-token', host: '127.0.0.1' }, replay: { speed: 'max', loop: false } });
  });

  it('applies UTP_BINANCE_SPOT_WS (comma list), UTP_MT5_BRIDGE_PORT, UTP_ALLOW_WRITES and the rest', () => {
    const config = load(
      { dataDir: dataDir() },
      {
        UTP_BINANCE_SPOT_WS: 'ws://127.0.0.1:9001, wss://backup.example:9443 ,',
        UTP_BINANCE_SPOT_REST: 'http://127.0.0.1:9002',
        UTP_BINANCE_USDM_WS: 'ws://127.0.0.1:9003',
        UTP_BINANCE_USDM_REST: 'http://127.0.0.1:9004',
        UTP_MT5_BRIDGE_PORT: '6000',
        UTP_ALLOW_WRITES: 'true',
        UTP_HTTP_PORT: '9200',
        UTP_HTTP_TOKEN: 'token-from-the-environment',
        UTP_LOG_LEVEL: 'debug',
      },
    );
    expect(config.binance).toEqual({
      spotWs: ['ws://127.0.0.1:9001', 'wss://backup.example:9443'],
      spotRest: ['http://127.0.0.1:9002'],
      usdmWs: ['ws://127.0.0.1:9003'],
      usdmRest: ['http://127.0.0.1:9004'],
    });
    expect(config).toMatchObject({ allowWrites: true, mt5: { bridgePort: 6000 }, http: { port: 9200, token: 'token-from-the-environment' }, logLevel: 'debug' });
  });

  it.each([
    ['1', true],
    ['TRUE', true],
    ['yes', true],
    ['0', false],
    ['false', false],
    ['', false],
  ])('UTP_ALLOW_WRITES=%j means %s, over the file', (value, expected) => {
    const dir = dataDir({ allowWrites: !expected });
    expect(load({ dataDir: dir }, { UTP_ALLOW_WRITES: value }).allowWrites).toBe(expected);
  });

  it('the environment wins over the file', () => {
    const dir = dataDir({ http: { port: 1111 }, mt5: { bridgePort: 1112 }, binance: { spotWs: ['wss://file.example'] } });
    expect(load({ dataDir: dir }, { UTP_HTTP_PORT: '2221', UTP_MT5_BRIDGE_PORT: '2222', UTP_BINANCE_SPOT_WS: 'wss://env.example' })).toMatchObject({
      http: { port: 2221 },
      mt5: { bridgePort: 2222 },
      binance: { spotWs: ['wss://env.example'] },
    });
  });

  it('command-line overrides win over the environment and the file', () => {
    const dir = dataDir({ mode: 'paper', http: { port: 1111 }, replay: { speed: 5 } });
    const replay = path.join(path.dirname(dir), 'some-recording.csv');
    const config = load(
      { dataDir: dir, mode: 'shadow', port: 7000, logLevel: 'warn', allowWrites: true, speed: 'max', replayFile: replay },
      { UTP_HTTP_PORT: '9000', UTP_LOG_LEVEL: 'debug', UTP_ALLOW_WRITES: 'false' },
    );
    expect(config).toMatchObject({ mode: 'shadow', http: { port: 7000 }, logLevel: 'warn', allowWrites: true, replay: { speed: 'max', file: replay } });
    expect(load({ dataDir: dir, speed: '250' }).replay.speed).toBe(250);
  });

  it('--symbols selects active symbols, case-insensitively', () => {
    const config = load({ dataDir: dataDir(), symbols: 'btcusd, xauusd' });
    expect(config.activeSymbols).toEqual(['BTCUSD', 'XAUUSD']);
    expect(activeSymbolSpecs(config).map((s) => s.symbol)).toEqual(['BTCUSD', 'XAUUSD']);
  });
});

describe('validation: every problem at once', () => {
  it('an invalid file reports all its problems in one ConfigError', () => {
    const dir = dataDir({ mode: 'turbo', http: { port: 70000, token: 'short' }, replay: { speed: -1 }, store: { flushMs: 1 } });
    const error = configError(() => load({ dataDir: dir }));
    expect(error.issues.length).toBeGreaterThanOrEqual(5);
    for (const field of ['mode', 'http.port', 'http.token', 'replay.speed', 'store.flushMs']) {
      expect(error.issues.some((i) => i.startsWith(`${field}: `)), field).toBe(true);
    }
    expect(error.message.startsWith('invalid configuration:\n  - ')).toBe(true);
    for (const issue of error.issues) expect(error.message).toContain(issue);
    expect(error.code).toBe('config');
  });

  it('environment and command-line problems join the file problems', () => {
    const dir = dataDir({ http: { port: -1 } });
    const error = configError(() => load({ dataDir: dir, speed: 'fast', mode: 'yolo' }, { UTP_MT5_BRIDGE_PORT: 'abc', UTP_BINANCE_SPOT_WS: 'stream.binance.com' }));
    expect(error.issues).toEqual(
      expect.arrayContaining([
        'UTP_MT5_BRIDGE_PORT: expected an integer, got "abc"',
        '--speed: expected a number or "max", got "fast"',
        expect.stringMatching(/^http\.port: /),
        expect.stringMatching(/^mode: /),
        'binance.spotWs.0: must be a ws(s):// or http(s):// URL',
      ]),
    );
  });

  it('rejects unknown keys, at the top and nested', () => {
    const dir = dataDir({ htpp: { port: 1 }, http: { bind: '0.0.0.0' }, replay: { sped: 5 } });
    const error = configError(() => load({ dataDir: dir }));
    expect(error.issues).toHaveLength(3);
    expect(error.issues.find((i) => i.startsWith('(root): '))).toContain('"htpp"');
    expect(error.issues.find((i) => i.startsWith('http: '))).toContain('"bind"');
    expect(error.issues.find((i) => i.startsWith('replay: '))).toContain('"sped"');
  });

  it('rejects unknown --symbols, naming the known ones', () => {
    const error = configError(() => load({ dataDir: dataDir(), symbols: 'BTCUSD,EURUSD,DOGE' }));
    expect(error.issues).toEqual([
      'symbols: unknown symbol "EURUSD"; known: BTCUSD, XAUUSD, GBPJPY',
      'symbols: unknown symbol "DOGE"; known: BTCUSD, XAUUSD, GBPJPY',
    ]);
  });

  it('reports a file that is not JSON, and a --config file that does not exist', () => {
    const dir = dataDir('{ "mode": "replay", }');
    const error = configError(() => load({ dataDir: dir }));
    expect(error.issues).toEqual([expect.stringMatching(new RegExp(`^${escape(path.join(dir, 'utp.config.json'))}: not valid JSON \\(`))]);
    const missing = path.join(dir, 'nope.json');
    expect(configError(() => loadConfig({ dataDir: dir }, {}, missing)).issues).toEqual([`${missing}: file not found`]);
  });

  it('an explicit --config file is read instead of the data dir one', () => {
    const dir = dataDir({ mode: 'paper' });
    const other = path.join(dataDir(), 'other.json');
    writeFileSync(other, JSON.stringify({ mode: 'live', http: { port: 4321 } }));
    expect(loadConfig({ dataDir: dir }, {}, other)).toMatchObject({ mode: 'live', http: { port: 4321 }, dataDir: dir });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
