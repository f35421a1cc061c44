import { midPrice } from '../aggregation/CandleBuilder.js';
import { z } from 'zod';
import type { Tick } from '../../core/index.js';
import { DEFAULT_SESSIONS, tradingSession, type SessionDefinition, type SessionInfo } from './sessions.js';

/** The macro indicators UTP tracks. */
export const MACRO_INDICATORS = ['VIX', 'DXY', 'US10Y'] as const;

/** One macro indicator: CBOE VIX, the US dollar index, the US 10-year Treasury yield. */
export type MacroIndicator = (typeof MACRO_INDICATORS)[number];

/** Where a macro reading came from. */
export type MacroSource = 'mt5' | 'json';

/** One reading of one indicator. */
export type MacroReading = Readonly<{
  indicator: MacroIndicator;
  value: number;
  source: MacroSource;
  /** Instrument or feed key it came from (the MT5 symbol, or the JSON indicator name). */
  origin: string;
  /** Time of the value at its source, epoch ms UTC. */
  tsEvent: number;
  /** When we received it, epoch ms UTC. */
  tsInit: number;
}>;

/** A reading as the snapshot reports it: with its age and whether it is stale. */
export type AgedReading = MacroReading & Readonly<{ ageMs: number; stale: boolean }>;

/**
 * The macro context at one instant (payload of the proposed `macro.snapshot`
 * topic and of `get_macro_context`): the trading session and the latest
 * reading of each indicator with its age.
 */
export type MacroSnapshot = Readonly<{
  asOf: number;
  session: SessionInfo;
  readings: Readonly<Record<MacroIndicator, AgedReading | null>>;
  /** True when every indicator has a reading that is not stale. */
  complete: boolean;
}>;

/** Configuration of the macro store. */
export type MacroStoreOptions = Readonly<{
  /** MT5 symbol per indicator at this broker (default VIX, DXY, US10Y; brokers differ, e.g. `USDX`, `VIX.f`). */
  mt5Symbols?: Readonly<Partial<Record<MacroIndicator, string>>>;
  /** A reading older than this is stale, ms (default 900 000 = 15 min). */
  maxAgeMs?: number;
  /** Session hours (default `DEFAULT_SESSIONS`). */
  sessions?: readonly SessionDefinition[];
}>;

/**
 * The JSON macro feed: `{ "readings": [ { "indicator": "VIX", "value": 18.2,
 * "ts": 1710000000000 } ] }`, `ts` in epoch ms or an ISO-8601 string.
 * Unknown fields are allowed; a bad reading is reported, the others are kept.
 */
export const MacroJsonReadingSchema = z.looseObject({
  indicator: z.enum(MACRO_INDICATORS),
  value: z.number().finite(),
  ts: z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true })]),
});

/** The JSON macro feed document. */
export const MacroJsonFeedSchema = z.looseObject({ readings: z.array(z.unknown()) });

/**
 * Latest macro readings from configurable MT5 symbols or a JSON feed. A
 * reading replaces the current one of its indicator only when it is not
 * older (by `tsEvent`). Pure state: time comes in as arguments.
 */
export class MacroStore {
  private readonly latest = new Map<MacroIndicator, MacroReading>();
  private readonly bySymbol = new Map<string, MacroIndicator>();
  private readonly maxAgeMs: number;
  private readonly sessions: readonly SessionDefinition[];

  constructor(options: MacroStoreOptions = {}) {
    const symbols = { VIX: 'VIX', DXY: 'DXY', US10Y: 'US10Y', ...options.mt5Symbols };
    for (const indicator of MACRO_INDICATORS) this.bySymbol.set(symbols[indicator], indicator);
    this.maxAgeMs = options.maxAgeMs ?? 900_000;
    this.sessions = options.sessions ?? DEFAULT_SESSIONS;
  }

  /** MT5 symbols to subscribe to for macro data. */
  mt5Symbols(): string[] {
    return [...this.bySymbol.keys()];
  }

  /** True when an MT5 symbol is one of the macro instruments (route its ticks here, not to the price pipeline). */
  isMacroSymbol(symbol: string): boolean {
    return this.bySymbol.has(symbol);
  }

  /** Takes an MT5 tick of a macro symbol (quote mid, else last). Returns true when it became the latest reading. */
  fromTick(tick: Tick): boolean {
    const indicator = this.bySymbol.get(tick.symbol);
    if (indicator === undefined || tick.source !== 'mt5') return false;
    const value = tick.bid !== null && tick.ask !== null ? midPrice(tick.bid, tick.ask) : tick.last;
    if (value === null || !Number.isFinite(value)) return false;
    return this.update({ indicator, value, source: 'mt5', origin: tick.symbol, tsEvent: tick.tsEvent, tsInit: tick.tsInit });
  }

  /** Takes one JSON feed document received at `tsInit`; returns how many readings were taken and what was wrong. */
  fromJson(document: unknown, tsInit: number): { accepted: number; errors: string[] } {
    const doc = MacroJsonFeedSchema.safeParse(document);
    if (!doc.success) return { accepted: 0, errors: [`not a macro feed document: ${doc.error.issues.map((i) => i.message).join('; ')}`] };
    let accepted = 0;
    const errors: string[] = [];
    doc.data.readings.forEach((raw, i) => {
      const r = MacroJsonReadingSchema.safeParse(raw);
      if (!r.success) {
        errors.push(`readings[${i}]: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`);
        return;
      }
      const ts = typeof r.data.ts === 'number' ? r.data.ts : Date.parse(r.data.ts);
      if (this.update({ indicator: r.data.indicator, value: r.data.value, source: 'json', origin: r.data.indicator, tsEvent: ts, tsInit })) accepted++;
    });
    return { accepted, errors };
  }

  /** Stores a reading unless an equally new or newer one of the same indicator is held. */
  update(reading: MacroReading): boolean {
    const current = this.latest.get(reading.indicator);
    if (current && current.tsEvent > reading.tsEvent) return false;
    this.latest.set(reading.indicator, reading);
    return true;
  }

  /** The latest reading of an indicator, or null. */
  reading(indicator: MacroIndicator): MacroReading | null {
    return this.latest.get(indicator) ?? null;
  }

  /** The macro context at `now`: session and every indicator's latest reading with its age. */
  snapshot(now: number): MacroSnapshot {
    const readings = {} as Record<MacroIndicator, AgedReading | null>;
    let complete = true;
    for (const indicator of MACRO_INDICATORS) {
      const r = this.latest.get(indicator);
      if (!r) {
        readings[indicator] = null;
        complete = false;
        continue;
      }
      const ageMs = Math.max(0, now - r.tsEvent);
      const stale = ageMs > this.maxAgeMs;
      if (stale) complete = false;
      readings[indicator] = { ...r, ageMs, stale };
    }
    return { asOf: now, session: tradingSession(now, this.sessions), readings, complete };
  }
}

/**
 * Whether the macro snapshot is due for the log at `now`: the first time,
 * and then once per `intervalMs` (default 5 min) wall-clock bucket
 * (00:00, 00:05, ... UTC), so logs line up across restarts.
 */
export function macroLogDue(lastLoggedAt: number | null, now: number, intervalMs = 300_000): boolean {
  if (lastLoggedAt === null) return true;
  return Math.floor(now / intervalMs) > Math.floor(lastLoggedAt / intervalMs);
}

/** The next instant a macro log falls due after `now` (the start of the next bucket), for a clock timer. */
export function nextMacroLogAt(now: number, intervalMs = 300_000): number {
  return (Math.floor(now / intervalMs) + 1) * intervalMs;
}
