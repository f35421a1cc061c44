/**
 * Parsers of the real economic-calendar files (see shared data SOURCES.md
 * section 11): quantlab (dates only: standard New York release times added),
 * ForexFactory 2022 (US Eastern wall times like `8:30am`) and Algotic (UTC).
 * Rows without a clock time (`All Day`, `Day 1`, `Tentative`) are dropped.
 */
import { newYorkToUtc } from '../newYorkTime.js';
import { classifyEvent, type EconomicEvent, type EventImpact, type EventKind } from './EconomicEvent.js';

/** Splits one CSV line, honouring double quotes. */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
}

/** New York release time (hour, minute) per kind for date-only calendars. */
export type ReleaseTimes = Readonly<Partial<Record<EventKind, readonly [number, number]>>>;

/** Standard release times: NFP, CPI, PPI, Retail Sales, GDP, PCE at 08:30 New York; FOMC statement at 14:00 New York. */
export const STANDARD_RELEASE_TIMES: ReleaseTimes = {
  NFP: [8, 30], CPI: [8, 30], PPI: [8, 30], RetailSales: [8, 30], GDP: [8, 30], PCE: [8, 30], FOMC: [14, 0],
};

/**
 * quantlab `quantlab_usd_important_events.csv`: `ts_utc` holds only the date
 * (`T00:00:00Z`); the instant is that date at the kind's New York release
 * time (DST-aware). Rows whose kind has no release time are dropped. FRED
 * annual-revision dates are kept (13 event-months have two dates), so a
 * blackout also covers them.
 */
export function parseQuantlabEvents(text: string, releaseTimes: ReleaseTimes = STANDARD_RELEASE_TIMES): EconomicEvent[] {
  const out: EconomicEvent[] = [];
  for (const line of lines(text).slice(1)) {
    const [tsUtc = '', , ccy = '', title = '', , importance = ''] = splitCsvLine(line);
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(tsUtc);
    if (!m) continue;
    const kind = classifyEvent(title);
    const time = releaseTimes[kind];
    if (!time) continue;
    const ts = newYorkToUtc(Number(m[1]), Number(m[2]) - 1, Number(m[3]), time[0], time[1]);
    out.push({ ts, currency: ccy, kind, title, impact: toImpact(importance), source: 'quantlab' });
  }
  return out;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function toImpact(s: string): EventImpact {
  const v = s.trim().toLowerCase();
  if (v === 'high' || v === 'red') return 'high';
  if (v === 'medium' || v === 'orange') return 'medium';
  if (v === 'holiday') return 'holiday';
  return 'low';
}

/** ForexFactory `forexfactory_2022_economic_calendar.csv`: `year,day,time,impact,cur,text,...`, times in US Eastern. */
export function parseForexFactoryEvents(text: string): EconomicEvent[] {
  const out: EconomicEvent[] = [];
  for (const line of lines(text).slice(1)) {
    const [year = '', day = '', time = '', impact = '', cur = '', title = ''] = splitCsvLine(line);
    const d = /^([A-Za-z]{3})\s+(\d{1,2})$/.exec(day.trim());
    const t = /^(\d{1,2}):(\d{2})(am|pm)$/i.exec(time.trim());
    if (!d || !t) continue;
    const month = MONTHS.indexOf((d[1] ?? '').toLowerCase());
    if (month < 0) continue;
    let hour = Number(t[1]) % 12;
    if ((t[3] ?? '').toLowerCase() === 'pm') hour += 12;
    const ts = newYorkToUtc(Number(year), month, Number(d[2]), hour, Number(t[2]));
    out.push({ ts, currency: cur, kind: classifyEvent(title), title, impact: toImpact(impact), source: 'forexfactory' });
  }
  return out;
}

/**
 * Algotic `economic_calendar.csv`: a quoted date row (`"Tuesday, May 13, 2025"`)
 * followed by `HH:MM,CUR,Importance,Event,...` rows in UTC; importance RED =
 * high, Orange = medium, Yellow = low.
 */
export function parseAlgoticEvents(text: string): EconomicEvent[] {
  const out: EconomicEvent[] = [];
  let date: readonly [number, number, number] | null = null;
  for (const line of lines(text).slice(1)) {
    const [first = '', cur = '', imp = '', title = ''] = splitCsvLine(line);
    const dm = /^[A-Za-z]+, ([A-Za-z]{3})[a-z]* (\d{1,2}), (\d{4})$/.exec(first.trim());
    if (dm) {
      date = [Number(dm[3]), MONTHS.indexOf((dm[1] ?? '').toLowerCase()), Number(dm[2])];
      continue;
    }
    const tm = /^(\d{2}):(\d{2})$/.exec(first.trim());
    if (!tm || !date || date[1] < 0) continue;
    const ts = Date.UTC(date[0], date[1], date[2], Number(tm[1]), Number(tm[2]));
    out.push({ ts, currency: cur, kind: classifyEvent(title), title, impact: toImpact(imp), source: 'algotic' });
  }
  return out;
}
