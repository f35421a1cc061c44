import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { TestClock } from '../../src/core/clock/TestClock.js';
import type { Candle } from '../../src/core/types/Candle.js';
import type { Gap } from '../../src/core/types/Gap.js';
import type { SystemEvent } from '../../src/core/types/SystemEvent.js';
import type { Tick } from '../../src/core/types/Tick.js';
import { Mt5Bridge, type Mt5BridgeOptions } from '../../src/pipeline/feeds/mt5/Mt5Bridge.js';
import { eetServerOffsetHours } from '../../src/pipeline/importers/serverTime.js';
import { loadSimBars, loadSimTicks, SIM_SYMBOL_SPECS, type SimBar, type SimTick } from '../../src/sim/mt5SimData.js';
import { Mt5TerminalSim, type Mt5TerminalSimOptions } from '../../src/sim/Mt5TerminalSim.js';
import { dukascopyQuotes, DUKASCOPY_TICKS_2023, fixturePath, fixtureRows } from '../fixtures/load.js';
import { validate } from '../pipeline/feeds/mt5/jsonSchemaLite.js';

const DUKA = fixturePath(DUKASCOPY_TICKS_2023);
const OANDA_TICKS = 'oanda/20140506_xauusd_tick_quote.csv.gz';
const OANDA = fixturePath(OANDA_TICKS);
const CONTRACT = JSON.parse(readFileSync(fileURLToPath(new URL('../../schemas/mt5-bridge.schema.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
const until = (fn: () => void, timeout = 20_000) => vi.waitFor(fn, { timeout, interval: 2 });

let btc: SimTick[];
let recording: Array<[number, number, number]>;
beforeAll(async () => {
  btc = await loadSimTicks(DUKA, 'dukascopy');
  recording = dukascopyQuotes(); // the Dukascopy recording read straight from the CSV: [utc ms, bid, ask]
});

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

type Rig = { clock: TestClock; bridge: Mt5Bridge; sim: Mt5TerminalSim; ticks: Tick[]; candles: Candle[]; gaps: Gap[]; events: SystemEvent[]; lines: Array<['in' | 'out', string]> };

async function bridgeOn(clock: TestClock, r: Pick<Rig, 'ticks' | 'candles' | 'gaps' | 'events'>, extra: Partial<Mt5BridgeOptions>): Promise<Mt5Bridge> {
  const bridge = new Mt5Bridge({
    clock,
    symbols: { BTCUSD: 'BTCUSD', XAUUSD: 'XAUUSD', GBPJPY: 'GBPJPY' },
    barTimeframes: [],
    onTick: (t) => r.ticks.push(t),
    onCandle: (c) => r.candles.push(c),
    onGap: (g) => r.gaps.push(g),
    onEvent: (e) => r.events.push(e),
    ...extra,
  });
  await bridge.start();
  cleanup.push(() => bridge.stop());
  return bridge;
}

async function rig(sim: Omit<Mt5TerminalSimOptions, 'port' | 'clock'>, bridge: Partial<Mt5BridgeOptions> = {}, clock = new TestClock(Date.UTC(2024, 0, 1))): Promise<Rig> {
  const r = { clock, ticks: [], candles: [], gaps: [], events: [], lines: [] } as unknown as Rig;
  r.bridge = await bridgeOn(clock, r, bridge);
  r.sim = new Mt5TerminalSim({ ...sim, port: r.bridge.port, clock, tap: (d, l) => r.lines.push([d, l]) });
  cleanup.push(() => r.sim.stop());
  await r.sim.start();
  await until(() => expect(r.bridge.status().state).toBe('connected'));
  await until(() => expect(r.sim.stats().subscribed).toBe(true));
  return r;
}

const asRows = (ticks: readonly Tick[]) => ticks.map((t) => [t.tsEvent, t.bid, t.ask]);
const sent = (r: Rig, type: string) => r.lines.filter(([d, l]) => d === 'out' && l.includes(`"type":"${type}"`)).map(([, l]) => JSON.parse(l) as Record<string, unknown>);
const btcSymbol = () => ({ sym: 'BTCUSD', ...SIM_SYMBOL_SPECS.BTCUSD, ticks: btc });

/** Waits until the bridge has read every line the terminal wrote on the current link (when the link is up and talking). */
async function drained(r: Rig): Promise<void> {
  await until(() => {
    const s = r.sim.stats();
    if (s.connected && !s.silent) expect(r.bridge.status().lastSeq).toBe(s.seq);
  });
}

/** Advances the clock in steps, letting the bridge read what the terminal sent after each. */
async function drive(r: Rig, ms: number, step = 1_000): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    r.clock.advance(step);
    await drained(r);
  }
}

describe('Mt5TerminalSim + Mt5Bridge over real TCP', () => {
  it('says hello with the EET offset; the bridge delivers the Dukascopy recording exactly, in UTC, at max speed', async () => {
    const r = await rig({ symbols: [btcSymbol()], speed: 'max' });
    await until(() => expect(r.ticks).toHaveLength(8523));
    const hello = sent(r, 'hello')[0] as Record<string, unknown>;
    expect(hello).toMatchObject({ v: 1, seq: 1, serverUtcOffsetSec: 7200, serverTimeMsc: Date.UTC(2023, 1, 20, 14, 0, 0, 84), login: 5_012_345 });
    expect(sent(r, 'tick')[0]).toMatchObject({ sym: 'BTCUSD', tmsc: Date.UTC(2023, 1, 20, 14, 0, 0, 84), bid: 24849.4, ask: 24921.5, last: 0, flags: 6 });
    expect(r.ticks[0]).toMatchObject({ symbol: 'BTCUSD', source: 'mt5', tsEvent: Date.UTC(2023, 1, 20, 12, 0, 0, 84), bid: 24849.4, ask: 24921.5, seq: null, trades: 0 });
    expect(asRows(r.ticks)).toEqual(recording);
    expect(r.bridge.status()).toMatchObject({ ticks: 8523, dropped: 0, duplicates: 0, serverUtcOffsetSec: 7200 });
    expect(r.bridge.account()).toMatchObject({ balance: 10_000, equity: 10_012.5, currency: 'USD', leverage: 100 });
    expect(r.bridge.positions()?.positions[0]).toMatchObject({ sym: 'BTCUSD', type: 'buy', priceOpen: 24921.5 });
    await expect(r.bridge.request({ type: 'ping' })).resolves.toMatchObject({ ok: true, message: 'pong' });
    for (const [, line] of r.lines) expect(validate(CONTRACT, JSON.parse(line)), line.slice(0, 120)).toBeNull();
  });

  it('replays the OANDA XAUUSD day (161 552 quotes, several per millisecond) exactly', async () => {
    const xau = await loadSimTicks(OANDA, 'oanda');
    const r = await rig({ symbols: [{ sym: 'XAUUSD', ...SIM_SYMBOL_SPECS.XAUUSD, ticks: xau }], speed: 'max' });
    await until(() => expect(r.ticks).toHaveLength(161_552), 60_000);
    const day = Date.UTC(2014, 4, 6);
    const expected = fixtureRows(OANDA_TICKS).map((c) => [Math.floor(day + Number(c[0])), Number(c[1]), Number(c[2])]);
    expect(asRows(r.ticks)).toEqual(expected);
    expect((sent(r, 'hello')[0] as Record<string, unknown>).serverUtcOffsetSec).toBe(10_800);
  }, 90_000);

  it('counts a malformed line from the terminal and keeps streaming', async () => {
    const r = await rig({ symbols: [btcSymbol()], speed: 60 });
    r.sim.sendMalformed();
    await drive(r, 2_000);
    await until(() => expect(r.bridge.status().drops).toEqual({ schema: 1 }));
    expect(r.ticks.length).toBe(r.sim.stats().ticksSent);
    expect(r.ticks.length).toBeGreaterThan(0);
  });

  it('reconnects 1 s after the terminal drops the link, with nothing lost or doubled', async () => {
    const r = await rig({ symbols: [btcSymbol()], speed: 120 });
    await drive(r, 3_000);
    r.clock.advance(500);
    r.sim.disconnectNow();
    await until(() => expect(r.bridge.status().state).toBe('disconnected'));
    r.clock.advance(999);
    expect(r.sim.stats().attempts).toBe(1);
    r.clock.advance(1);
    await until(() => expect(r.bridge.status()).toMatchObject({ state: 'connected', connections: 2 }));
    for (let i = 0; i < 40 && !r.sim.stats().finished; i++) await drive(r, 1_000);
    await until(() => expect(r.ticks).toHaveLength(8523));
    expect(asRows(r.ticks)).toEqual(recording);
    expect(r.sim.stats().connects).toBe(2);
  });

  it('a silent link is dead after 5 s; the terminal reconnects after 1 s and the lost ticks come back from history', async () => {
    const r = await rig({ symbols: [btcSymbol()], speed: 60 });
    await drive(r, 5_000);
    await until(() => expect(r.ticks.length).toBe(r.sim.stats().ticksSent));
    r.sim.goSilent();
    await drive(r, 4_500, 500);
    expect(r.bridge.status().state).toBe('connected');
    r.clock.advance(500);
    expect(r.bridge.status().state).toBe('disconnected');
    await until(() => expect(r.sim.stats().connected).toBe(false));
    const swallowed = r.sim.stats().ticksSwallowed;
    expect(swallowed).toBeGreaterThan(100);
    r.clock.advance(999);
    expect(r.sim.stats().attempts).toBe(1);
    r.clock.advance(1);
    expect(r.sim.stats().attempts).toBe(2);
    await until(() => expect(r.bridge.status()).toMatchObject({ state: 'connected', connections: 2 }));
    await until(() => expect(r.gaps.map((g) => g.state)).toEqual(['open', 'filled']));
    expect(r.gaps[1]).toMatchObject({ symbol: 'BTCUSD', source: 'mt5', feed: 'mt5', recovered: swallowed });
    for (let i = 0; i < 60 && !r.sim.stats().finished; i++) await drive(r, 1_000);
    await until(() => expect(r.ticks).toHaveLength(8523));
    expect(asRows(r.ticks)).toEqual(recording);
    expect(r.events.map((e) => e.kind).filter((k) => k !== 'mt5.symbol_missing')).toEqual(['feed.connected', 'mt5.link_dead', 'feed.disconnected', 'feed.connected']);
  });

  it('reconnects with backoff 1, 2, 4 … 30 s to a restarted bridge, which fills from its last stored tick', async () => {
    const r = await rig({ symbols: [btcSymbol()], speed: 120 });
    await drive(r, 3_000);
    await until(() => expect(r.ticks.length).toBe(r.sim.stats().ticksSent));
    r.clock.advance(1_000);
    await r.bridge.stop(); // the ticks just written are still unread: lost in the link
    const lost = r.sim.stats().ticksSent - r.ticks.length;
    expect(lost).toBeGreaterThan(100);
    await until(() => expect(r.sim.stats().connected).toBe(false));
    const delays = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000];
    let port = r.bridge.port;
    for (const [i, delay] of delays.entries()) {
      const attempt = i + 2;
      const last_ = attempt === delays.length + 1;
      r.clock.advance(delay - 1);
      expect(r.sim.stats().attempts).toBe(attempt - 1);
      if (last_) {
        const last = r.ticks[r.ticks.length - 1]?.tsEvent ?? null;
        r.bridge = await bridgeOn(r.clock, r, { port, lastTickTime: () => last });
        port = r.bridge.port;
      }
      r.clock.advance(1);
      expect(r.sim.stats().attempts).toBe(attempt);
      if (!last_) await until(() => expect(r.sim.stats().failures).toBe(attempt));
    }
    await until(() => expect(r.bridge.status().state).toBe('connected'));
    await until(() => expect(r.gaps.map((g) => g.state)).toEqual(['open', 'filled']));
    expect(r.gaps[1]?.recovered).toBe(lost);
    for (let i = 0; i < 40 && !r.sim.stats().finished; i++) await drive(r, 1_000);
    await until(() => expect(r.ticks).toHaveLength(8523));
    expect(asRows(r.ticks)).toEqual(recording);
  });

  it('reports the range as an unfillable gap when the terminal cannot answer history', async () => {
    const r = await rig({ symbols: [btcSymbol()], speed: 60 });
    await drive(r, 3_000);
    await until(() => expect(r.ticks.length).toBe(r.sim.stats().ticksSent));
    const before = r.ticks.length;
    r.sim.goSilent();
    r.sim.failHistory(1);
    await drive(r, 5_000, 500);
    await until(() => expect(r.sim.stats().connected).toBe(false));
    const lost = r.sim.stats().ticksSwallowed;
    r.clock.advance(1_000);
    await until(() => expect(r.gaps.map((g) => g.state)).toEqual(['open', 'unfillable']));
    expect(r.gaps[1]).toMatchObject({ reason: 'terminal refused tick history: history unavailable (simulated fault) (retcode -1)', from: r.ticks[before - 1]?.tsEvent });
    for (let i = 0; i < 60 && !r.sim.stats().finished; i++) await drive(r, 1_000);
    await until(() => expect(r.ticks).toHaveLength(8523 - lost));
    expect(asRows(r.ticks)).toEqual([...recording.slice(0, before), ...recording.slice(before + lost)]);
    expect(r.bridge.status().gaps).toEqual({ open: 0, filled: 0, unfillable: 1 });
  });

  it('honours a change of the server offset mid-stream', async () => {
    const change = Date.UTC(2023, 1, 20, 12, 30);
    const r = await rig({ symbols: [btcSymbol()], speed: 'max', serverOffset: (utc) => (utc < change ? 7200 : 10_800) });
    await until(() => expect(r.ticks).toHaveLength(8523));
    expect(asRows(r.ticks)).toEqual(recording);
    const offsets = sent(r, 'offset');
    expect(offsets).toHaveLength(1);
    const first = recording.findIndex(([t]) => t >= change);
    expect(offsets[0]).toMatchObject({ serverUtcOffsetSec: 10_800, serverTimeMsc: (recording[first]?.[0] as number) + 10_800_000 });
    expect(sent(r, 'tick')[first]).toMatchObject({ tmsc: (recording[first]?.[0] as number) + 10_800_000 });
    expect(r.bridge.status().serverUtcOffsetSec).toBe(10_800);
    expect(r.events.filter((e) => e.kind === 'mt5.offset_changed')).toHaveLength(1);
  });
});

describe('Mt5TerminalSim bars', () => {
  let h1: SimBar[];
  let h4: SimBar[];
  beforeAll(async () => {
    h1 = await loadSimBars(fixturePath('mt5/BTCUSD_H1_from_2024-01-01.csv'));
    h4 = await loadSimBars(fixturePath('mt5/GBPJPY_H4_from_2023-07-01.csv'));
  });

  it('reads the MT5 exports in server time with their spread', () => {
    expect(h1).toHaveLength(1863);
    expect(h1.find((b) => b.t === Date.UTC(2024, 2, 11, 12) / 1000)).toEqual({ t: Date.UTC(2024, 2, 11, 12) / 1000, o: 71194.51, h: 71833.59, l: 71139.78, c: 71762.38, tickVol: 12285, spread: 1175 });
    expect(h4).toHaveLength(1105);
  });

  it('answers H1/H4 history on connect and sends bars as they close; the bridge turns them into UTC candles', async () => {
    const eet = (serverMs: number) => eetServerOffsetHours(serverMs - 3 * 3_600_000) * 3600;
    const r = await rig(
      { symbols: [{ sym: 'BTCUSD', ...SIM_SYMBOL_SPECS.BTCUSD, bars: { H1: h1 } }, { sym: 'GBPJPY', ...SIM_SYMBOL_SPECS.GBPJPY, bars: { H4: h4 } }], speed: 3600, startUtc: Date.UTC(2024, 2, 11, 10) },
      { barTimeframes: ['H1', 'H4'], barDepth: { H1: 24, H4: 30 }, pastOffset: eet },
    );
    await until(() => expect(r.candles).toHaveLength(24 + 17));
    const btcH1 = r.candles.filter((c) => c.symbol === 'BTCUSD' && c.timeframe === 'H1');
    expect(btcH1).toHaveLength(24);
    expect(btcH1[0]?.openTime).toBe(Date.UTC(2024, 2, 10, 10));
    expect(btcH1.at(-1)).toEqual({
      symbol: 'BTCUSD', timeframe: 'H1', openTime: Date.UTC(2024, 2, 11, 9), open: 71194.51, high: 71833.59, low: 71139.78, close: 71762.38,
      volume: 12285, quoteVolume: 0, trades: 12285, takerBuyVolume: 0, takerBuyQuoteVolume: 0, basis: 'bid', sources: ['mt5'], closed: true,
      tsEvent: Date.UTC(2024, 2, 11, 10) - 1, tsInit: r.clock.now(),
    });
    const gbp = r.candles.filter((c) => c.symbol === 'GBPJPY').map((c) => new Date(c.openTime).toISOString());
    expect(gbp.slice(0, 3)).toEqual(['2024-03-06T14:00:00.000Z', '2024-03-06T18:00:00.000Z', '2024-03-06T22:00:00.000Z']);
    expect(gbp.slice(-4)).toEqual(['2024-03-08T18:00:00.000Z', '2024-03-10T21:00:00.000Z', '2024-03-11T01:00:00.000Z', '2024-03-11T05:00:00.000Z']);
    expect(r.sim.stats().barsSent).toBe(0);

    r.clock.advance(1_000);
    await until(() => expect(r.candles).toHaveLength(42));
    expect(r.candles[41]).toMatchObject({ symbol: 'BTCUSD', timeframe: 'H1', openTime: Date.UTC(2024, 2, 11, 10), open: 71763.26, close: 71507.29, volume: 11218 });
    r.clock.advance(3_000);
    await until(() => expect(r.candles).toHaveLength(46));
    expect(r.candles.slice(42).map((c) => [c.symbol, c.timeframe, new Date(c.openTime).toISOString()])).toEqual([
      ['BTCUSD', 'H1', '2024-03-11T11:00:00.000Z'],
      ['BTCUSD', 'H1', '2024-03-11T12:00:00.000Z'],
      ['GBPJPY', 'H4', '2024-03-11T09:00:00.000Z'],
      ['BTCUSD', 'H1', '2024-03-11T13:00:00.000Z'],
    ]);
    expect(sent(r, 'bar')).toHaveLength(5);
    for (const [, line] of r.lines) expect(validate(CONTRACT, JSON.parse(line)), line.slice(0, 120)).toBeNull();
  });
});
