import * as z from 'zod';
import { MACRO_INDICATORS, tradingSession, type MacroIndicator, type MacroSnapshot } from '../../pipeline/index.js';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { iso } from '../market/shared.js';

/** Reason given for every reading when the server has no macro source. */
export const NO_MACRO_SOURCE = 'no macro source is configured (MT5 macro symbols or a JSON macro feed)';

/** Reason given for a configured indicator that has no reading yet. */
export const NO_READING_YET = 'no reading received yet from the configured macro source';

const reading = (name: string) =>
  z
    .object({
      value: z.number().nullable().describe(`Latest ${name} value; null when there is none (see reason)`),
      time: z.string().nullable().describe('Time of the value at its source, ISO 8601 UTC; null without a reading'),
      ageMs: z.number().nullable().describe('Milliseconds since that time; null without a reading'),
      stale: z.boolean().nullable().describe('True when older than the configured maximum age; null without a reading'),
      source: z.string().nullable().describe('mt5 or json; null without a reading'),
      origin: z.string().nullable().describe('MT5 symbol or JSON indicator key it came from; null without a reading'),
      reason: z.string().nullable().describe('Why value is null (no source configured, or none received yet); null when there is a value'),
    })
    .describe(`${name} reading`);

/** The trading session now and the latest VIX, DXY and US10Y readings with their ages. */
export const getMacroContext = defineTool({
  name: 'get_macro_context',
  title: 'Macro context',
  description:
    'The trading session now (Asia, London, New York and their overlaps, DST-aware; off_hours or weekend otherwise) and the latest ' +
    'VIX, DXY and US10Y readings with their ages and a stale flag. A reading is null with a reason when no macro source is configured ' +
    'or none arrived yet, so a model never reasons over missing or stale macro data silently.',
  input: z.object({}),
  output: z.object({
    asOf: z.string().describe('Server time of this answer, ISO 8601 UTC'),
    session: z
      .object({
        label: z.string().describe('asia, london, new_york, an overlap such as london_new_york, off_hours (FX open, no session) or weekend'),
        active: z.array(z.string()).describe('Open sessions'),
        overlap: z.boolean().describe('True when two or more sessions are open'),
        fxOpen: z.boolean().describe('FX market open (Sunday 17:00 to Friday 17:00 New York time)'),
        londonDst: z.boolean().describe('British Summer Time in force'),
        newYorkDst: z.boolean().describe('US daylight saving time in force'),
      })
      .describe('Trading session at asOf'),
    configured: z.boolean().describe('True when a macro source (MT5 symbols or JSON feed) is configured'),
    complete: z.boolean().describe('True when every indicator has a reading that is not stale'),
    readings: z
      .object({ VIX: reading('CBOE VIX'), DXY: reading('US dollar index (DXY)'), US10Y: reading('US 10-year Treasury yield') })
      .describe('Latest reading of each indicator'),
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  handler: (_args, ctx) => {
    const now = ctx.clock.now();
    const snapshot: MacroSnapshot | null = ctx.macro?.snapshot(now) ?? null;
    const s = snapshot?.session ?? tradingSession(now);
    const readings = {} as Record<MacroIndicator, z.infer<ReturnType<typeof reading>>>;
    for (const indicator of MACRO_INDICATORS) {
      const r = snapshot?.readings[indicator] ?? null;
      readings[indicator] = r
        ? { value: r.value, time: iso(r.tsEvent), ageMs: r.ageMs, stale: r.stale, source: r.source, origin: r.origin, reason: null }
        : { value: null, time: null, ageMs: null, stale: null, source: null, origin: null, reason: snapshot ? NO_READING_YET : NO_MACRO_SOURCE };
    }
    return {
      asOf: iso(now) as string,
      session: { label: s.label, active: [...s.active], overlap: s.overlap, fxOpen: s.fxOpen, londonDst: s.londonDst, newYorkDst: s.newYorkDst },
      configured: snapshot !== null,
      complete: snapshot?.complete ?? false,
      readings,
    };
  },
});
