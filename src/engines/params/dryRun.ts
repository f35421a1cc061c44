/**
 * The dry run of a parameter set: DTMS and exits (their pure steps) replayed
 * over the latest recorded M5 candles of each symbol with synthetic long and
 * short positions, so a change that makes an engine throw or propose an
 * invalid stop (not a number, not beyond the price, loosening) or volume is
 * refused before it takes effect. Pure over its inputs: the same candles and
 * parameters always give the same report.
 */
import type { Candle, Side, StructureEvent, SymbolRules, VolatilityState } from '../../core/index.js';
import { Atr } from '../../pipeline/indicators/Atr.js';
import { initialStructureState, stepStructure, structureConfig } from '../../pipeline/structure/index.js';
import { dtmsStep, initialDtmsState, type DtmsAction, type DtmsConfig, type DtmsState } from '../dtms/index.js';
import { exitsStep, initialExitsState, type ExitAction, type ExitsConfig, type ExitsState } from '../exits/index.js';
import { dtmsConfigOf, exitsConfigOf } from './engineConfigs.js';
import type { ParameterSet } from './schema.js';

/** Source of recorded candles: the latest `limit` closed M5 candles of a symbol, oldest first (the store's candle repo behind it). */
export type RecentCandles = (symbol: string, limit: number) => readonly Candle[];

/** How the dry run is done (service options, not versioned parameters). */
export type DryRunOptions = Readonly<{
  /** Hours of recorded M5 candles replayed, counted back from the newest stored candle (default 6). */
  hours: number;
  /** A long and a short are opened at the close of every n-th bar of the window (default 6: every 30 minutes). */
  entryEveryBars: number;
  /** Initial stop distance of the synthetic positions, in ATR (default 1.5). */
  initialRiskAtr: number;
  /** Bars before the window that warm up ATR(14) and structure (default 30). */
  warmupBars: number;
  /** Volume of each synthetic position (default 1). */
  volume: number;
  /** True: a symbol without recorded candles fails the dry run; false (default): it is reported as not checked. */
  requireData: boolean;
}>;

/** Defaults of the dry run. */
export const DEFAULT_DRY_RUN: DryRunOptions = Object.freeze({ hours: 6, entryEveryBars: 6, initialRiskAtr: 1.5, warmupBars: 30, volume: 1, requireData: false });

/** What the dry run did for one symbol. */
export type DryRunSymbol = Readonly<{
  symbol: string;
  /** Bars replayed in the window (after warm-up). */
  bars: number;
  /** Open time of the first and last bar of the window, null when none. */
  from: number | null;
  to: number | null;
  /** Synthetic positions opened (longs and shorts). */
  positions: number;
  /** Actions proposed by DTMS and by exits. */
  dtmsActions: number;
  exitsActions: number;
  /** Why the symbol was not checked, null when it was. */
  skipped: string | null;
}>;

/** Outcome of a dry run: `ok` when no step threw and every action was valid; `issues` says what was wrong. */
export type DryRunReport = Readonly<{ ok: boolean; symbols: readonly DryRunSymbol[]; issues: readonly string[] }>;

const M5_MS = 300_000;
const MAX_ISSUES = 20;
const STATES: readonly string[] = ['calm', 'normal', 'expanding', 'extreme'];

type Bar = Readonly<{ candle: Candle; atr: number | null; events: readonly StructureEvent[]; closeTime: number; state: VolatilityState | null }>;

const iso = (ms: number): string => new Date(ms).toISOString();

/** Replays DTMS and exits under `params` over the latest recorded candles of every symbol. */
export function dryRun(
  params: ParameterSet,
  symbols: readonly string[],
  rules: Readonly<Record<string, SymbolRules>>,
  candles: RecentCandles,
  options: Partial<DryRunOptions> = {},
): DryRunReport {
  const o: DryRunOptions = { ...DEFAULT_DRY_RUN, ...options };
  const issues: string[] = [];
  let more = 0;
  const issue = (text: string): void => {
    if (issues.length < MAX_ISSUES) issues.push(text);
    else more += 1;
  };
  const report: DryRunSymbol[] = [];
  for (const symbol of symbols) {
    const windowBars = Math.max(1, Math.round((o.hours * 3_600_000) / M5_MS));
    const series = candles(symbol, windowBars + o.warmupBars).filter((c) => c.closed);
    const bars = toBars(symbol, series);
    const start = Math.max(bars.length - windowBars, Math.min(o.warmupBars, bars.length));
    const window = bars.slice(start);
    const base = { symbol, bars: window.length, from: window[0]?.candle.openTime ?? null, to: window.at(-1)?.candle.openTime ?? null };
    if (window.length === 0) {
      const why = series.length === 0 ? 'no recorded M5 candles' : `only ${series.length} recorded M5 candles (warm-up needs ${o.warmupBars})`;
      if (o.requireData) issue(`${symbol}: ${why}`);
      report.push({ ...base, positions: 0, dtmsActions: 0, exitsActions: 0, skipped: why });
      continue;
    }
    const r = rules[symbol];
    const dtmsCfg = dtmsConfigOf(params, r);
    const exitsCfg = exitsConfigOf(params, r);
    const digits = r?.digits ?? dtmsCfg.priceDigits;
    const minDistance = r ? r.stopsLevel * r.point : 0;
    let positions = 0;
    let dtmsActions = 0;
    let exitsActions = 0;
    for (let i = 0; i < window.length; i += o.entryEveryBars) {
      const entry = window[i] as Bar;
      if (entry.atr === null || !(entry.atr > 0)) continue;
      for (const side of ['buy', 'sell'] as const) {
        const dir = side === 'buy' ? 1 : -1;
        const openPrice = entry.candle.close;
        const sl = Number((openPrice - dir * o.initialRiskAtr * entry.atr).toFixed(digits));
        const open = { ticket: `dry-${symbol}-${side}-${entry.candle.openTime}`, symbol, side, openPrice, openTime: entry.closeTime, sl, volume: o.volume };
        const where = `${symbol} ${side} opened ${iso(entry.closeTime)} at ${openPrice} (stop ${sl})`;
        positions += 1;
        const later = window.slice(i + 1);
        dtmsActions += replay(dtmsEngine(open, dtmsCfg), later, open, minDistance, (t) => issue(`dtms ${where}: ${t}`));
        exitsActions += replay(exitsEngine(open, exitsCfg), later, open, minDistance, (t) => issue(`exits ${where}: ${t}`));
      }
    }
    report.push({ ...base, positions, dtmsActions, exitsActions, skipped: null });
  }
  if (more > 0) issues.push(`... and ${more} more`);
  return { ok: issues.length === 0, symbols: report, issues };
}

type Open = Readonly<{ ticket: string; symbol: string; side: Side; openPrice: number; openTime: number; sl: number; volume: number }>;
type Action = DtmsAction | ExitAction;

/** Checks one action against the position before it; returns the problem or null. */
function checkAction(a: Action, side: Side, sl: number, volume: number, price: number, minDistance: number): string | null {
  const dir = side === 'buy' ? 1 : -1;
  if (!Number.isFinite(a.value)) return `${a.kind} (${a.rule}) value ${a.value} is not a finite number`;
  if (a.kind === 'modify_sl') {
    if (!(dir * (price - a.value) > minDistance)) return `${a.rule} stop ${a.value} is not beyond the price ${price}${minDistance > 0 ? ` by the stops level ${minDistance}` : ''}`;
    if (!(dir * (a.value - sl) > 0)) return `${a.rule} stop ${a.value} loosens the stop ${sl}`;
    return null;
  }
  if (!(a.value > 0) || a.value > volume + 1e-9) return `${a.kind} (${a.rule}) volume ${a.value} is not within (0, ${volume}]`;
  return null;
}

/** One engine as the replay drives it: its opening state, one step per bar, and whether the position is done. */
type Engine<S extends Readonly<{ sl: number; volume: number }>> = Readonly<{
  open(): S;
  step(state: S, bar: Bar, price: number): Readonly<{ state: S; actions: readonly Action[] }>;
  closed(state: S): boolean;
}>;

function dtmsEngine(open: Open, config: DtmsConfig): Engine<DtmsState> {
  return {
    open: () => initialDtmsState(open),
    step: (state, b, c) => dtmsStep(state, { price: { bid: c, ask: c, last: c }, atr: b.atr, candles: [b.candle], events: b.events, volatilityState: b.state }, b.closeTime, config),
    closed: (state) => state.phase === 'closed',
  };
}

function exitsEngine(open: Open, config: ExitsConfig): Engine<ExitsState> {
  return {
    open: () => initialExitsState(open, config),
    step: (state, b, c) => exitsStep(state, { price: { bid: c, ask: c, last: c }, atr: b.atr, candles: [b.candle], volatilityState: b.state, vix: null }, b.closeTime, config),
    closed: (state) => state.closed,
  };
}

/** Steps one engine over the bars after the open, checking every action; answers the actions counted before it stopped. */
function replay<S extends Readonly<{ sl: number; volume: number }>>(engine: Engine<S>, bars: readonly Bar[], open: Open, minDistance: number, issue: (t: string) => void): number {
  let state: S;
  try {
    state = engine.open();
  } catch (error) {
    issue(`opening threw: ${message(error)}`);
    return 0;
  }
  let count = 0;
  for (const b of bars) {
    const c = b.candle.close;
    let r: ReturnType<Engine<S>['step']>;
    try {
      r = engine.step(state, b, c);
    } catch (error) {
      issue(`step at ${iso(b.closeTime)} threw: ${message(error)}`);
      return count;
    }
    let sl = state.sl;
    let volume = state.volume;
    for (const a of r.actions) {
      count += 1;
      const bad = checkAction(a, open.side, sl, volume, c, minDistance);
      if (bad !== null) return (issue(`at ${iso(b.closeTime)}: ${bad}`), count);
      if (a.kind === 'modify_sl') sl = a.value;
      if (a.kind === 'partial_close') volume -= a.value;
    }
    if (!Number.isFinite(r.state.sl) || !Number.isFinite(r.state.volume)) return (issue(`at ${iso(b.closeTime)}: state stop ${r.state.sl} or volume ${r.state.volume} is not a number`), count);
    state = r.state;
    if (engine.closed(state)) break;
  }
  return count;
}

/** ATR(14), the structure events each candle confirmed and its stored volatility state, causally. */
function toBars(symbol: string, candles: readonly Candle[]): Bar[] {
  const atr = new Atr(14);
  let st = initialStructureState(structureConfig(symbol, 'M5'));
  return candles.map((candle) => {
    const a = atr.add(candle);
    const step = stepStructure(st, candle);
    st = step.state;
    const vs = candle.analytics?.volatilityState ?? null;
    return { candle, atr: a, events: step.events, closeTime: candle.openTime + M5_MS - 1, state: vs !== null && STATES.includes(vs) ? (vs as VolatilityState) : null };
  });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
