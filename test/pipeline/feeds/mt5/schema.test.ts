import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  EaMessageSchema,
  HistoryBarsDataSchema,
  HistoryTicksDataSchema,
  MESSAGE_SCHEMAS,
  PositionSchema,
  SymbolInfoSchema,
  UtpMessageSchema,
} from '../../../../src/pipeline/feeds/mt5/schema.js';
import { validate } from './jsonSchemaLite.js';

const SCHEMA_PATH = fileURLToPath(new URL('../../../../schemas/mt5-bridge.schema.json', import.meta.url));
const file = JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as Record<string, unknown> & { $defs: Record<string, Record<string, unknown>> };
const SAFE = Number.MAX_SAFE_INTEGER;

/** Drops what only documents (descriptions), zod's defaults that say nothing (safe-int bounds, open additionalProperties) and the if/then a zod refine carries; resolves refs. */
function normalise(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalise);
  if (node === null || typeof node !== 'object') return node;
  const n = node as Record<string, unknown>;
  if (typeof n.$ref === 'string') return normalise(file.$defs[n.$ref.replace('#/$defs/', '')]);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(n)) {
    if (['$schema', 'description', 'title', 'propertyNames', 'allOf'].includes(k)) continue;
    if (k === 'additionalProperties' && typeof v === 'object' && v !== null && Object.keys(v).length === 0) continue;
    if ((k === 'minimum' || k === 'maximum') && Math.abs(v as number) === SAFE) continue;
    out[k] = normalise(v);
  }
  if ('const' in out) delete out.type;
  return out;
}

const EXTRA: Record<string, z.ZodType> = { historyTicksData: HistoryTicksDataSchema, historyBarsData: HistoryBarsDataSchema, symbolInfo: SymbolInfoSchema, position: PositionSchema };

const env = (type: string, seq = 1) => ({ v: 1, type, seq, ts: 1_676_894_400_084 });
const VALID: Record<string, Record<string, unknown>> = {
  hello: {
    ...env('hello'),
    login: 5_012_345,
    server: 'Broker-Live',
    build: 4755,
    company: 'Broker Ltd',
    serverUtcOffsetSec: 7200,
    serverTimeMsc: 1_676_901_600_084,
    symbols: [{ sym: 'BTCUSD', digits: 2, point: 0.01, stopsLevel: 0, volumeStep: 0.01, lastTickMsc: 0 }],
  },
  offset: { ...env('offset'), serverUtcOffsetSec: 10_800, serverTimeMsc: 1_710_064_800_000 },
  tick: { ...env('tick'), sym: 'BTCUSD', tmsc: 1_676_901_600_084, bid: 24849.4, ask: 24921.5, last: 0, vol: 0, flags: 6 },
  bar: { ...env('bar'), sym: 'BTCUSD', tf: 'H1', t: 1_710_158_400, o: 71194.51, h: 71833.59, l: 71139.78, c: 71762.38, tickVol: 12285, spread: 1175 },
  account: { ...env('account'), balance: 10_000, equity: 10_012.5, margin: 245.1, freeMargin: 9767.4, currency: 'USD', leverage: 100 },
  positions: {
    ...env('positions'),
    positions: [{ ticket: 1, sym: 'XAUUSD', type: 'sell', volume: 0.1, priceOpen: 2160.12, sl: 0, tp: 2100, profit: -3.2, swap: 0, comment: '', magic: 0, timeMsc: 1 }],
  },
  hb: env('hb'),
  resp: { ...env('resp'), reqId: 'mt5-1-1', ok: true, retcode: 0, message: '', data: { sym: 'BTCUSD', kind: 'ticks', ticks: [[1, 2, 3, 0, 0, 6]], more: false } },
  subscribe: { ...env('subscribe'), symbols: ['BTCUSD', 'XAUUSD'], bars: ['H1', 'H4'] },
  history: { ...env('history'), reqId: 'r1', sym: 'BTCUSD', kind: 'bars', tf: 'H4', fromMsc: 0, max: 500 },
  order: { ...env('order'), reqId: 'r2', idempotencyKey: 'k-1', sym: 'BTCUSD', side: 'buy', orderType: 'market', volume: 0.1, sl: 24000, comment: 'utp k-1' },
  modify_sltp: { ...env('modify_sltp'), reqId: 'r3', idempotencyKey: 'k-2', ticket: 77, sl: 0, tp: 25000 },
  close: { ...env('close'), reqId: 'r4', idempotencyKey: 'k-3', ticket: 77, volume: 0.05 },
  ping: { ...env('ping'), reqId: 'r5' },
};

type Case = { name: string; msg: unknown; valid: boolean };
const with_ = (type: string, patch: Record<string, unknown>): Record<string, unknown> => ({ ...(VALID[type] as Record<string, unknown>), ...patch });
const without = (type: string, key: string): Record<string, unknown> => {
  const m = { ...(VALID[type] as Record<string, unknown>) };
  delete m[key];
  return m;
};

const CASES: Case[] = [
  ...Object.entries(VALID).map(([name, msg]) => ({ name: `valid ${name}`, msg, valid: true })),
  { name: 'extra field is ignored', msg: with_('tick', { spreadPts: 721 }), valid: true },
  { name: 'history of ticks without tf and toMsc', msg: with_('history', { kind: 'ticks', tf: undefined, toMsc: 5 }), valid: true },
  { name: 'resp with null data', msg: with_('resp', { ok: false, retcode: 10013, data: null }), valid: true },
  { name: 'negative offset', msg: with_('offset', { serverUtcOffsetSec: -18_000 }), valid: true },
  { name: 'version 2', msg: with_('tick', { v: 2 }), valid: false },
  { name: 'unknown type', msg: { ...env('quote'), sym: 'X' }, valid: false },
  { name: 'missing seq', msg: without('hb', 'seq'), valid: false },
  { name: 'negative seq', msg: with_('hb', { seq: -1 }), valid: false },
  { name: 'fractional ts', msg: with_('hb', { ts: 1.5 }), valid: false },
  { name: 'tmsc as string', msg: with_('tick', { tmsc: '1676901600084' }), valid: false },
  { name: 'fractional tmsc', msg: with_('tick', { tmsc: 1.25 }), valid: false },
  { name: 'negative bid', msg: with_('tick', { bid: -1 }), valid: false },
  { name: 'missing flags', msg: without('tick', 'flags'), valid: false },
  { name: 'empty symbol', msg: with_('tick', { sym: '' }), valid: false },
  { name: 'bar timeframe M30', msg: with_('bar', { tf: 'M30' }), valid: false },
  { name: 'bar zero open', msg: with_('bar', { o: 0 }), valid: false },
  { name: 'offset beyond 14 h', msg: with_('offset', { serverUtcOffsetSec: 54_000 }), valid: false },
  { name: 'hello without symbols', msg: without('hello', 'symbols'), valid: false },
  { name: 'hello symbol without lastTickMsc', msg: with_('hello', { symbols: [{ sym: 'BTCUSD', digits: 2, point: 0.01, stopsLevel: 0, volumeStep: 0.01 }] }), valid: false },
  { name: 'position of type buy_limit', msg: with_('positions', { positions: [{ ...(VALID.positions?.positions as object[])[0], type: 'buy_limit' }] }), valid: false },
  { name: 'resp with array data', msg: with_('resp', { data: [1, 2] }), valid: false },
  { name: 'resp without reqId', msg: without('resp', 'reqId'), valid: false },
  { name: 'history of bars without tf', msg: without('history', 'tf'), valid: false },
  { name: 'history max 0', msg: with_('history', { max: 0 }), valid: false },
  { name: 'order without idempotencyKey', msg: without('order', 'idempotencyKey'), valid: false },
  { name: 'order volume 0', msg: with_('order', { volume: 0 }), valid: false },
  { name: 'order comment over 31 chars', msg: with_('order', { comment: 'x'.repeat(32) }), valid: false },
  { name: 'close without ticket', msg: without('close', 'ticket'), valid: false },
  { name: 'subscribe with a bad timeframe', msg: with_('subscribe', { bars: ['H2'] }), valid: false },
  { name: 'not an object', msg: [1, 2, 3], valid: false },
];

const anyMessage = z.union([EaMessageSchema, UtpMessageSchema]);

describe('schemas/mt5-bridge.schema.json and the zod schemas', () => {
  it('describe the same fields, types and bounds for every message and shared shape', () => {
    for (const [name, schema] of Object.entries({ ...MESSAGE_SCHEMAS, ...EXTRA })) {
      expect(file.$defs[name], `file has $defs.${name}`).toBeDefined();
      expect(normalise(file.$defs[name]), name).toEqual(normalise(z.toJSONSchema(schema as z.ZodType)));
    }
    const eaTypes = (file.$defs.eaMessage?.oneOf as Array<{ $ref: string }>).map((r) => r.$ref.replace('#/$defs/', ''));
    const utpTypes = (file.$defs.utpMessage?.oneOf as Array<{ $ref: string }>).map((r) => r.$ref.replace('#/$defs/', ''));
    expect(eaTypes).toEqual(EaMessageSchema.options.map((o) => o.shape.type.value));
    expect(utpTypes).toEqual(UtpMessageSchema.options.map((o) => o.shape.type.value));
  });

  it.each(CASES)('agree on: $name', ({ msg, valid }) => {
    const clean = JSON.parse(JSON.stringify(msg)) as unknown;
    const byFile = validate(file, clean);
    const byZod = anyMessage.safeParse(clean);
    expect(byFile === null, `file: ${byFile}`).toBe(valid);
    expect(byZod.success, byZod.success ? '' : byZod.error.issues[0]?.message).toBe(valid);
  });

  it('documents every message and every field of the protocol', () => {
    for (const name of Object.keys(MESSAGE_SCHEMAS)) {
      const def = file.$defs[name] as { description?: string; properties: Record<string, { description?: string }> };
      expect(def.description, name).toMatch(/\w/);
      for (const key of ['v', 'type', 'seq', 'ts']) expect(def.properties[key]?.description, `${name}.${key}`).toMatch(/\w/);
    }
  });
});
