/**
 * The `utp analyst` command: flag validation, the model endpoint and key
 * rules, and a whole run where no UTP answers at --url, so the command starts
 * UTP in process (replaying the recording, bearer token from UTP_HTTP_TOKEN)
 * and stores the answer in its --data-dir.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../../src/core/clock/TestClock.js';
import { ConfigError } from '../../../src/core/errors.js';
import { connectUtp } from '../../../src/server/analyst/index.js';
import { formatResult, parseEvery, PLACEHOLDER_API_KEY, resolveEndpoint, runAnalystCommand } from '../../../src/server/cli/analystCommand.js';
import { DATABASE_FILE } from '../../../src/server/compose.js';
import { AnalysisRepo, openStore } from '../../../src/store/index.js';
import { CLOCK_START, tempDir } from '../../integration/replayFixture.js';
import { startFakeModel, type FakeModel } from './fakeModel.js';

const TOKEN = 'command-test-token-0123456789';
const silent = pino({ level: 'silent' });

/** A port nothing listens on (bound, then released). */
async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), signal: new AbortController().signal, logger: silent } };
}

describe('utp analyst command', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('parses --every durations and refuses the rest', () => {
    expect(parseEvery('15m')).toBe(900_000);
    expect(parseEvery('1h')).toBe(3_600_000);
    expect(parseEvery('90s')).toBe(90_000);
    expect(parseEvery('1.5h')).toBe(5_400_000);
    expect(() => parseEvery('15')).toThrow(ConfigError);
    expect(() => parseEvery('5s')).toThrow('--every must be at least 10s, got "5s"');
    expect(() => parseEvery('soon')).toThrow('--every must be a duration such as 15m, 1h or 90s, got "soon"');
  });

  it('takes the key from OPENAI_API_KEY, the base URL from --base-url or OPENAI_BASE_URL, and a placeholder key only for a base URL', () => {
    expect(resolveEndpoint(undefined, { OPENAI_API_KEY: 'sk-real' })).toEqual({ endpoint: { apiKey: 'sk-real' }, note: null });
    expect(resolveEndpoint('http://127.0.0.1:11434/v1', { OPENAI_API_KEY: 'sk-real', OPENAI_BASE_URL: 'http://x/v1' }).endpoint).toEqual({ apiKey: 'sk-real', baseURL: 'http://127.0.0.1:11434/v1' });
    expect(resolveEndpoint(undefined, { OPENAI_BASE_URL: 'http://127.0.0.1:1234/v1' })).toEqual({
      endpoint: { apiKey: PLACEHOLDER_API_KEY, baseURL: 'http://127.0.0.1:1234/v1' },
      note: `OPENAI_API_KEY is not set: sending the placeholder key "${PLACEHOLDER_API_KEY}" to http://127.0.0.1:1234/v1 (local servers ignore it)`,
    });
    expect(() => resolveEndpoint(undefined, {})).toThrow(/^OPENAI_API_KEY is not set; set it, or point --base-url/);
  });

  it('reports every usage problem at once with exit code 2', async () => {
    const c = capture();
    const code = await runAnalystCommand({ every: '2s', once: true, 'max-rounds': '0', url: 'ftp://x' }, {}, c.io);
    expect(code).toBe(2);
    expect(c.err.join('')).toBe(
      'utp analyst: missing --symbol; --every and --once exclude each other; --every must be at least 10s, got "2s"; ' +
        '--max-rounds must be an integer from 1 to 50; --url must be an http(s):// URL such as http://127.0.0.1:8787/mcp; ' +
        'OPENAI_API_KEY is not set; set it, or point --base-url (or OPENAI_BASE_URL) at an OpenAI-compatible local server\n',
    );
    expect(c.out).toEqual([]);
  });

  it('refuses a UTP that answers but rejects the connection (no token), instead of starting another', async () => {
    // Something that answers /mcp the way UTP's bearer check does when the token is missing.
    const server = http.createServer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
      res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'missing or invalid bearer token' }, id: null }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const locked = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const dir = tempDir('utp-analyst-refused-');
    cleanups.push(() => dir.remove());
    const connecting = connectUtp({ url: `${locked.url}/mcp`, token: null, dataDir: dir.dir, fallback: null, logger: silent });
    await expect(connecting).rejects.toBeInstanceOf(ConfigError);
    await expect(connecting).rejects.toThrow(/^UTP at http:\/\/127\.0\.0\.1:\d+\/mcp did not accept an MCP connection: .* \(no UTP_HTTP_TOKEN set\)$/);
  });

  it('with no UTP at --url, starts UTP in process (token from UTP_HTTP_TOKEN), prints the answer and stores it in --data-dir', async () => {
    const dir = tempDir('utp-analyst-cmd-');
    cleanups.push(() => dir.remove());
    const fake: FakeModel = await startFakeModel((body) =>
      body.messages.some((m) => m.role === 'tool') ? { text: 'Replay mode, recorded data.\nBias: neutral' } : { toolCalls: [{ name: 'get_system_status', arguments: '{}' }] },
    );
    cleanups.push(() => fake.close());
    const port = await freePort();
    const clock = new TestClock(CLOCK_START);
    const c = capture();
    const code = await runAnalystCommand(
      { symbol: 'xauusd', url: `http://127.0.0.1:${port}/mcp`, 'data-dir': dir.dir, 'base-url': fake.baseURL, model: 'local-model', speed: 'max' },
      { UTP_HTTP_TOKEN: TOKEN },
      { ...c.io, clock },
    );
    expect(c.err).toEqual([`utp analyst: OPENAI_API_KEY is not set: sending the placeholder key "${PLACEHOLDER_API_KEY}" to ${fake.baseURL} (local servers ignore it)\n`]);
    expect(code).toBe(0);
    expect(fake.requests.map((r) => r.authorization)).toEqual([`Bearer ${PLACEHOLDER_API_KEY}`, `Bearer ${PLACEHOLDER_API_KEY}`]);
    expect(fake.requests[0]!.body.model).toBe('local-model');
    const status = JSON.parse(fake.requests[1]!.body.messages.at(-1)!.content as string);
    expect(status).toMatchObject({ mode: 'replay', version: expect.any(String) });
    expect(c.out).toHaveLength(1);
    const header = c.out[0]!.split('\n')[0]!;
    expect(header).toMatch(
      /^=== XAUUSD 2026-01-01T01:00:00\.000Z local-model \| 2 rounds \| calls: get_system_status \| stored as analysis #1 \| in-process UTP http:\/\/127\.0\.0\.1:(\d+)\/mcp$/,
    );
    expect(Number(/:(\d+)\/mcp$/.exec(header)![1])).not.toBe(port);
    expect(c.out[0]!.slice(header.length)).toBe('\nReplay mode, recorded data.\nBias: neutral\n\n');

    // The in-process UTP is stopped; the answer is in the data folder's SQLite.
    const store = openStore({ path: path.join(dir.dir, DATABASE_FILE), readonly: true });
    try {
      const [record, ...rest] = new AnalysisRepo(store.db).list({ limit: 10 });
      expect(rest).toEqual([]);
      expect(record).toMatchObject({ id: 1, symbol: 'XAUUSD', model: 'local-model', ts: CLOCK_START, timeframes: [] });
      expect(record!.answer).toMatchObject({ source: 'analyst', plan: { bias: 'neutral' }, server: { inProcess: true }, toolCalls: [{ name: 'get_system_status', isError: false }] });
    } finally {
      store.close();
    }
  });

  it('formats a failed call with a "!" in the header', () => {
    const text = formatResult({
      symbol: 'BTCUSD', text: 'x', bias: null, recordId: 3, at: CLOCK_START, model: 'm', responseModel: 'm', rounds: 2, offered: [],
      server: { url: 'http://127.0.0.1:8787/mcp', inProcess: false },
      toolCalls: [{ id: 'a', name: 'get_candles', arguments: {}, round: 1, isError: true, output: null, error: 'bad' }],
    });
    expect(text).toBe('=== BTCUSD 2026-01-01T01:00:00.000Z m | 2 rounds | calls: get_candles! | stored as analysis #3 | http://127.0.0.1:8787/mcp\nx\n\n');
  });
});
