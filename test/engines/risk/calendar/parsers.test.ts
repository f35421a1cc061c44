import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  classifyEvent,
  isNewYorkDst,
  newYorkToUtc,
  parseAlgoticEvents,
  parseForexFactoryEvents,
  parseQuantlabEvents,
  selectEvents,
  splitCsvLine,
  type EconomicEvent,
} from '../../../../src/engines/risk/index.js';
import { fixturePath } from '../../../fixtures/load.js';

const read = (name: string): string => readFileSync(fixturePath(`calendar/${name}`), 'utf8');
const iso = (e: EconomicEvent | undefined): string => (e ? new Date(e.ts).toISOString() : 'none');
const count = (events: readonly EconomicEvent[], kind: string): number => events.filter((e) => e.kind === kind).length;

describe('New York time', () => {
  it('applies US DST: 2022 starts Mar 13 02:00, ends Nov 6 02:00 local', () => {
    expect(isNewYorkDst(2022, 2, 12, 12)).toBe(false);
    expect(isNewYorkDst(2022, 2, 13, 1)).toBe(false);
    expect(isNewYorkDst(2022, 2, 13, 3)).toBe(true);
    expect(isNewYorkDst(2022, 10, 6, 1)).toBe(true);
    expect(isNewYorkDst(2022, 10, 6, 2)).toBe(false);
    expect(new Date(newYorkToUtc(2022, 2, 4, 8, 30)).toISOString()).toBe('2022-03-04T13:30:00.000Z');
    expect(new Date(newYorkToUtc(2022, 3, 1, 8, 30)).toISOString()).toBe('2022-04-01T12:30:00.000Z');
    expect(new Date(newYorkToUtc(2025, 10, 7, 8, 30)).toISOString()).toBe('2025-11-07T13:30:00.000Z');
  });
});

describe('calendar parsers on the real files', () => {
  it('splits quoted CSV cells', () => {
    expect(splitCsvLine('"Sunday, May 11, 2025",,x')).toEqual(['Sunday, May 11, 2025', '', 'x']);
    expect(splitCsvLine('12:30,USD,Yellow,"CPI Index, n.s.a. (Apr)",,1')).toEqual(['12:30', 'USD', 'Yellow', 'CPI Index, n.s.a. (Apr)', '', '1']);
  });

  it('classifies titles; ADP, minutes, speeches are not releases', () => {
    expect(classifyEvent('Employment Situation (NFP)')).toBe('NFP');
    expect(classifyEvent('Non-Farm Employment Change')).toBe('NFP');
    expect(classifyEvent('ADP Non-Farm Employment Change')).toBe('other');
    expect(classifyEvent('FOMC Statement')).toBe('FOMC');
    expect(classifyEvent('FOMC Meeting Minutes')).toBe('other');
    expect(classifyEvent('FOMC Member Bullard Speaks')).toBe('other');
    expect(classifyEvent('Core CPI (MoM) (Apr)')).toBe('CPI');
    expect(classifyEvent('Cleveland CPI (MoM) (Apr)')).toBe('other');
  });

  it('quantlab: 290 rows, NFP 50, CPI 52, FOMC 37 (SOURCES.md), at standard New York release times', () => {
    const events = parseQuantlabEvents(read('quantlab_usd_important_events.csv'));
    expect(events).toHaveLength(290);
    expect([count(events, 'NFP'), count(events, 'CPI'), count(events, 'FOMC')]).toEqual([50, 52, 37]);
    expect([count(events, 'RetailSales'), count(events, 'GDP'), count(events, 'PCE')]).toEqual([53, 50, 48]);
    const selected = selectEvents(events);
    expect(selected).toHaveLength(139);
    const nfp = selected.filter((e) => e.kind === 'NFP');
    // EST (UTC-5) before 2022-03-13, EDT (UTC-4) after.
    expect(iso(nfp.find((e) => e.ts >= Date.UTC(2022, 2, 1)))).toBe('2022-03-04T13:30:00.000Z');
    expect(iso(nfp.find((e) => e.ts >= Date.UTC(2022, 3, 1)))).toBe('2022-04-01T12:30:00.000Z');
    const fomc = selected.filter((e) => e.kind === 'FOMC');
    expect(iso(fomc[0])).toBe('2022-01-26T19:00:00.000Z');
    expect(iso(fomc[1])).toBe('2022-03-16T18:00:00.000Z');
    expect(iso(selected[selected.length - 1])).toBe('2026-12-09T19:00:00.000Z');
  });

  it('forexfactory 2022: US Eastern wall times, high-impact USD NFP 10, CPI 11, FOMC 6', () => {
    const events = parseForexFactoryEvents(read('forexfactory_2022_economic_calendar.csv'));
    // 3850 rows less 195 without a clock time (All Day, Day n, dates).
    expect(events).toHaveLength(3655);
    const selected = selectEvents(events);
    expect([count(selected, 'NFP'), count(selected, 'CPI'), count(selected, 'FOMC')]).toEqual([10, 11, 6]);
    const nfp = selected.filter((e) => e.kind === 'NFP').map((e) => new Date(e.ts).toISOString());
    expect(nfp.slice(2, 4)).toEqual(['2022-03-04T13:30:00.000Z', '2022-04-01T12:30:00.000Z']);
    // The file lists 2022-03-10 "CPI y/y" at 7:30am (the headline m/m at 8:30am): both are kept.
    const mar10 = selected.filter((e) => e.kind === 'CPI' && e.ts >= Date.UTC(2022, 2, 10) && e.ts < Date.UTC(2022, 2, 11));
    expect(mar10.map(iso)).toEqual(['2022-03-10T12:30:00.000Z', '2022-03-10T13:30:00.000Z']);
    expect(iso(selected.find((e) => e.kind === 'FOMC' && e.ts >= Date.UTC(2022, 5, 1)))).toBe('2022-06-15T18:00:00.000Z');
  });

  it('forexfactory and quantlab agree on 2022 NFP dates and instants', () => {
    const ff = selectEvents(parseForexFactoryEvents(read('forexfactory_2022_economic_calendar.csv')), {
      currencies: ['USD'], kinds: ['NFP'], impacts: ['high'],
    });
    const ql = selectEvents(parseQuantlabEvents(read('quantlab_usd_important_events.csv')), {
      currencies: ['USD'], kinds: ['NFP'], impacts: ['high'],
    }).filter((e) => e.ts < Date.UTC(2022, 10, 1));
    expect(ql.map((e) => e.ts)).toEqual(ff.map((e) => e.ts));
  });

  it('algotic: UTC times under date rows; the week has one high-impact USD CPI instant', () => {
    const events = parseAlgoticEvents(read('algotic_2025-05-11_to_16_economic_calendar.csv'));
    expect(events).toHaveLength(321);
    expect(events.filter((e) => e.currency === 'USD' && e.impact === 'high')).toHaveLength(10);
    const selected = selectEvents(events);
    expect(selected).toHaveLength(1);
    expect(selected[0]?.title).toBe('Core CPI (MoM) (Apr)');
    expect(iso(selected[0])).toBe('2025-05-13T12:30:00.000Z');
  });
});
