import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { drained, drive, lastQuote, received, tradeRig, type TradeRig } from '../pipeline/feeds/mt5/tradeRig.js';
import { validate } from '../pipeline/feeds/mt5/jsonSchemaLite.js';

const CONTRACT = JSON.parse(readFileSync(fileURLToPath(new URL('../../schemas/mt5-bridge.schema.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
const round2 = (x: number) => Math.round(x * 100) / 100;

let rig: TradeRig | null = null;
afterEach(async () => {
  await rig?.stop();
  rig = null;
});

const order = (key: string, extra: Record<string, unknown> = {}) => ({ type: 'order' as const, idempotencyKey: key, sym: 'BTCUSD', side: 'buy' as const, orderType: 'market' as const, volume: 0.1, comment: key, ...extra });

describe('Mt5TerminalSim trading (paper venue rules, MT5 retcodes, real TCP)', () => {
  it('executes an order once per idempotency key, answers volume errors with 10014 and reports positions and account', async () => {
    const r = (rig = await tradeRig());
    const first = await r.bridge.request(order('key-a'));
    expect(first).toMatchObject({ ok: true, retcode: 10009, data: { ticket: 700_000_001, price: 24925.8, volume: 0.1, fillNote: 'ask' } });
    const again = await r.bridge.request(order('key-a'));
    expect(again).toMatchObject({ ok: true, retcode: 10009, data: { ticket: 700_000_001 } });
    expect(await r.bridge.request(order('key-b', { volume: 0.015 }))).toMatchObject({ ok: false, retcode: 10014, data: null });
    expect(await r.bridge.request(order('key-c', { orderType: 'limit', price: 24000 }))).toMatchObject({ ok: false, retcode: 10013 });
    await drained(r);
    expect(r.bridge.positions()?.positions).toEqual([
      { ticket: 700_000_001, sym: 'BTCUSD', type: 'buy', volume: 0.1, priceOpen: 24925.8, sl: 0, tp: 0, profit: round2((24854.1 - 24925.8) * 0.1), swap: 0, comment: 'key-a', magic: 0, timeMsc: Date.UTC(2023, 1, 20, 14, 0, 2, 84) },
    ]);
    expect(r.bridge.account()).toMatchObject({ balance: 10_000, equity: round2(10_000 + (24854.1 - 24925.8) * 0.1), margin: round2((0.1 * 24925.8) / 100), currency: 'USD', leverage: 100 });
    for (const [, line] of r.lines) expect(validate(CONTRACT, JSON.parse(line)), line.slice(0, 120)).toBeNull();
  });

  it('closes a position at the venue when a recorded tick touches its SL, and reports it', async () => {
    const r = (rig = await tradeRig());
    const q = lastQuote(r);
    const sl = round2(q.bid - 10); // exactly BTCUSD's stop level (1000 points) under the bid
    expect(await r.bridge.request(order('sl-1', { sl }))).toMatchObject({ ok: true, retcode: 10009 });
    const from = r.sim.stats().ticksSent;
    const hit = r.btc.findIndex((t, i) => i >= from && t.bid <= sl);
    expect(hit).toBeGreaterThan(from);
    const touch = r.btc[hit]!;
    await drive(r, Math.ceil((touch.utcMs - q.utcMs) / 1_000) * 1_000 + 1_000);
    expect(r.bridge.positions()?.positions).toEqual([]);
    expect(r.bridge.account()?.balance).toBe(round2(10_000 + (touch.bid - 24925.8) * 0.1));
  });

  it('answers trading commands with 10013 when trading is not enabled', async () => {
    const r = (rig = await tradeRig({ trading: undefined }));
    expect(await r.bridge.request(order('off-1'))).toMatchObject({ ok: false, retcode: 10013 });
    expect(received(r, 'order')).toHaveLength(1);
  });
});
