import { readFileSync } from 'node:fs';
import type { SymbolSpec } from '../core/index.js';
import type { TradingDesk } from '../engines/coordinator/index.js';
import { parseAlgoticEvents, parseForexFactoryEvents, parseQuantlabEvents, type EconomicEvent } from '../engines/risk/index.js';
import type { Pipeline } from '../pipeline/index.js';
import type { DtmsActionRepo, Store } from '../store/index.js';
import type { FusionView, TradingMode, TradingView } from '../tools/index.js';
import type { UtpConfig } from './config.js';

// What the composition root hands the tools and engines: read views over the running parts, the calendar, the warm-up.

/**
 * The economic calendar of the risk engine: `risk.calendarFile` parsed with
 * the parser of `risk.calendarFormat`; no file = no news blackout.
 */
export function loadCalendar(config: UtpConfig): EconomicEvent[] {
  const file = config.risk.calendarFile;
  if (file === null) return [];
  const text = readFileSync(file, 'utf8');
  const format = config.risk.calendarFormat;
  return format === 'quantlab' ? parseQuantlabEvents(text) : format === 'algotic' ? parseAlgoticEvents(text) : parseForexFactoryEvents(text);
}

/** What the trading tools read from the desk and the journal. */
export function tradingView(desk: TradingDesk, journal: DtmsActionRepo, symbols: readonly string[], modeOf: (symbol: string) => TradingMode): TradingView {
  return {
    venueId: desk.venue.id,
    account: () => desk.venue.account(),
    positions: () => desk.coordinator.positions(),
    dtmsStates: (ticket) => desk.coordinator.dtmsStates(ticket),
    dtmsActions: (q) => journal.query(q),
    exitPlans: (ticket) => desk.coordinator.exitPlans(ticket),
    riskStatus: () => desk.riskStatus(),
    modes: () => Object.fromEntries(symbols.map((s) => [s, modeOf(s) as TradingMode])),
    loop: () => desk.loop.delay(),
  };
}

/** What the fusion tools read from the pipeline (offsets, M5 volatility bridge, structure state). */
export function fusionView(pipeline: Pipeline): FusionView {
  return {
    offsetUpdates: () => pipeline.offsetUpdates(),
    volatilityReading: (symbol) => pipeline.volatility.reading(symbol),
    volatilityWarmUp: (symbol) => pipeline.volatility.warmUpState(symbol),
    structureState: (symbol, timeframe) => {
      const snap = pipeline.structureDetector(symbol, timeframe)?.getResult() ?? null;
      return snap ? { asOf: snap.asOf, bars: snap.bars, trend: snap.trend } : null;
    },
  };
}

/** Hours of stored primary M5 candles recent enough to warm the volatility bridge (older ones would describe another market). */
const WARM_UP_WINDOW_MS = 24 * 3_600_000;

/**
 * Warms every symbol's M5 volatility bridge with the last closed primary M5
 * candles in the store (opened within the last 24 h of `now`), so the first
 * live M5 already gets a reading. A replay of older data finds none and warms up live.
 */
export function warmUpVolatility(pipeline: Pipeline, store: Store, symbols: readonly SymbolSpec[], now: number): void {
  for (const spec of symbols) {
    const need = (pipeline.volatility.warmUpState(spec.symbol)?.requiredInputs ?? 38) + 2;
    const candles = store.candles
      .queryCandles({ symbol: spec.symbol, timeframe: 'M5', source: spec.primary, from: now - WARM_UP_WINDOW_MS, to: now, order: 'desc', limit: need })
      .filter((c) => c.closed);
    if (candles.length > 0) pipeline.volatility.warmUp(spec.symbol, candles);
  }
}

