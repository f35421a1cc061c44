/** The `trading.paper` config section: zod parsing of rule overrides and spreads, merged over the defaults into the desk's inputs. */
import { describe, expect, it } from 'vitest';
import { ConfigError, EventBus, TestClock } from '../../../src/core/index.js';
import { createTradingDesk } from '../../../src/engines/coordinator/index.js';
import { DEFAULT_PAPER_RULES, DEFAULT_PAPER_SPREADS, paperRulesSchema, paperSettings } from '../../../src/engines/paper/index.js';

describe('paperRulesSchema and paperSettings', () => {
  it('an absent section parses to no overrides and gives the defaults', () => {
    const cfg = paperRulesSchema.parse(undefined);
    expect(cfg).toEqual({ rules: {}, spreads: {} });
    expect(paperSettings(cfg)).toEqual({ rules: DEFAULT_PAPER_RULES, spreads: DEFAULT_PAPER_SPREADS });
  });

  it('overrides merge field by field; a new symbol with every field is added; spreads merge per symbol', () => {
    const cfg = paperRulesSchema.parse({
      rules: { BTCUSD: { stopsLevel: 500, volumeMin: 0.1 }, US30: { point: 0.1, digits: 1, stopsLevel: 0, volumeMin: 0.1, volumeMax: 50, volumeStep: 0.1, contractSize: 1 } },
      spreads: { BTCUSD: 35.5, US30: 2 },
    });
    const s = paperSettings(cfg);
    expect(s.rules.BTCUSD).toEqual({ symbol: 'BTCUSD', point: 0.01, digits: 2, stopsLevel: 500, volumeMin: 0.1, volumeMax: 100, volumeStep: 0.01, contractSize: 1 });
    expect(s.rules.US30).toEqual({ symbol: 'US30', point: 0.1, digits: 1, stopsLevel: 0, volumeMin: 0.1, volumeMax: 50, volumeStep: 0.1, contractSize: 1 });
    expect(s.rules.XAUUSD).toBe(DEFAULT_PAPER_RULES.XAUUSD);
    expect(s.spreads).toEqual({ BTCUSD: 35.5, XAUUSD: 0.3, GBPJPY: 0.03, US30: 2 });
  });

  it('refuses unknown fields, bad numbers, incomplete new symbols and min above max', () => {
    expect(paperRulesSchema.safeParse({ rules: { BTCUSD: { tickSize: 1 } } }).success).toBe(false);
    expect(paperRulesSchema.safeParse({ rules: { BTCUSD: { point: 0 } } }).success).toBe(false);
    expect(paperRulesSchema.safeParse({ rules: { BTCUSD: { digits: 2.5 } } }).success).toBe(false);
    expect(paperRulesSchema.safeParse({ spreads: { BTCUSD: -1 } }).success).toBe(false);
    expect(paperRulesSchema.safeParse({ other: 1 }).success).toBe(false);
    expect(() => paperSettings(paperRulesSchema.parse({ rules: { US30: { point: 0.1 } } }))).toThrow(
      new ConfigError('trading.paper.rules.US30: no default rules for US30, so digits, stopsLevel, volumeMin, volumeMax, volumeStep, contractSize must be set'),
    );
    expect(() => paperSettings(paperRulesSchema.parse({ rules: { BTCUSD: { volumeMin: 200 } } }))).toThrow(/volumeMin 200 is above volumeMax 100/);
  });

  it('the desk trades with the configured rules: a stop closer than the configured stop level is refused (10016)', async () => {
    const s = paperSettings(paperRulesSchema.parse({ rules: { BTCUSD: { stopsLevel: 5000 } }, spreads: { BTCUSD: 10 } }));
    const clock = new TestClock(Date.UTC(2026, 0, 1));
    const bus = new EventBus();
    const desk = createTradingDesk({ clock, bus, symbols: [{ symbol: 'BTCUSD', binance: { market: 'spot', instrument: 'btcusdt' }, mt5: 'BTCUSD', primary: 'binance' }], modeOf: () => 'paper', calendar: [], balance: 10_000, currency: 'USD', rules: s.rules, spreads: s.spreads });
    desk.start();
    // A trades-only tick: the fill is at last + half the configured spread (5).
    bus.publish('tick.fused', { symbol: 'BTCUSD', source: 'binance', tsEvent: clock.now(), tsInit: clock.now(), bid: null, ask: null, last: 87648.21, volume: 0.01, trades: 1, takerSide: 'buy', seq: 1, offset: 0 });
    const near = await desk.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 87620, tp: null, idempotencyKey: 'c1' });
    expect(near).toMatchObject({ sent: false, retcode: 10016 });
    const far = await desk.coordinator.requestEntry({ symbol: 'BTCUSD', side: 'buy', volume: 0.1, sl: 87500, tp: null, idempotencyKey: 'c2' });
    expect(far).toMatchObject({ sent: true, retcode: 10009 });
    expect(desk.venue.positions()[0]).toMatchObject({ openPrice: 87653.21, sl: 87500 });
    desk.stop();
  });
});
