/**
 * An economic-calendar event as the news blackout uses it, and the
 * classification of event titles into the kinds risk cares about.
 */

/** Kind of a scheduled release; `other` for everything not classified. */
export type EventKind = 'NFP' | 'CPI' | 'FOMC' | 'PPI' | 'RetailSales' | 'GDP' | 'PCE' | 'other';

/** Impact as the calendar rates it. */
export type EventImpact = 'high' | 'medium' | 'low' | 'holiday';

/** One timed calendar event. */
export type EconomicEvent = Readonly<{
  /** Release instant, epoch ms UTC. */
  ts: number;
  currency: string;
  kind: EventKind;
  title: string;
  impact: EventImpact;
  /** Calendar file family it came from. */
  source: 'quantlab' | 'forexfactory' | 'algotic';
}>;

const RULES: ReadonlyArray<readonly [EventKind, RegExp]> = [
  ['NFP', /\(NFP\)|^non-?farm (employment change|payrolls)/i],
  ['FOMC', /^FOMC (decision|statement)|^federal funds rate|^fed interest rate decision/i],
  ['CPI', /^(core )?CPI\b|\(consumer price index\)/i],
  ['PPI', /^(core )?PPI\b/i],
  ['RetailSales', /retail sales/i],
  ['GDP', /\bGDP\b/],
  ['PCE', /\bPCE\b/],
];

/**
 * Kind of an event from its title. ADP's private payrolls, FOMC minutes,
 * members' speeches and regional CPIs are `other`.
 */
export function classifyEvent(title: string): EventKind {
  const t = title.trim();
  if (/^ADP\b/i.test(t) || /minutes|speaks|member/i.test(t) || /cleveland/i.test(t)) return 'other';
  for (const [kind, re] of RULES) if (re.test(t)) return kind;
  return 'other';
}

/** Selection of the events that open a blackout. */
export type EventFilter = Readonly<{ currencies: readonly string[]; kinds: readonly EventKind[]; impacts: readonly EventImpact[] }>;

/** Default selection: high-impact USD NFP, CPI and FOMC. */
export const DEFAULT_EVENT_FILTER: EventFilter = { currencies: ['USD'], kinds: ['NFP', 'CPI', 'FOMC'], impacts: ['high'] };

/** The events that pass `filter`, sorted by time, one per (kind, instant). */
export function selectEvents(events: readonly EconomicEvent[], filter: EventFilter = DEFAULT_EVENT_FILTER): EconomicEvent[] {
  const seen = new Set<string>();
  const out: EconomicEvent[] = [];
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  for (const e of sorted) {
    if (!filter.currencies.includes(e.currency) || !filter.kinds.includes(e.kind) || !filter.impacts.includes(e.impact)) continue;
    const key = `${e.kind}@${e.ts}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}
