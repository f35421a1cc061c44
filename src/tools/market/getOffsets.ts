import * as z from 'zod';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { gapsFor, gapsOutput, iso, sourcesFor, sourceStatusOutput } from './shared.js';

/** The Binance-to-broker offset in force per symbol. */
export const getOffsets = defineTool({
  name: 'get_offsets',
  title: 'Binance-to-broker offsets',
  description:
    'Per symbol the Binance-to-broker price offset in force (broker mid - Binance price; the fused stream adds it to Binance prices), ' +
    'from the median of paired Binance and MT5 mids, recalibrated every minute. A jump larger than 0.5 ATR(M5) is a discrepancy: ' +
    'the previous offset is held (held=true, discrepancy=true) until the candidates settle. Symbols without both sources, or not calibrated yet, have offset null.',
  input: z.object({}),
  output: z.object({
    offsets: z
      .array(
        z.object({
          symbol: z.string().describe('Canonical symbol'),
          offset: z.number().nullable().describe('Offset in force (add to a Binance price for broker terms); null before the first calibration'),
          candidate: z.number().nullable().describe('Median of the last calibration pairs (differs from offset while held)'),
          pairs: z.number().int().describe('Binance/MT5 pairs the last calibration used (0 before any)'),
          held: z.boolean().describe('True when offset is the previous value held because of a discrepancy'),
          discrepancy: z.boolean().describe('True while the symbol is flagged: a jump past the threshold has not settled yet'),
          threshold: z.number().nullable().describe('Jump threshold used (0.5 ATR(M5), or a 25 bp fallback before ATR is known)'),
          atr: z.number().nullable().describe('ATR(M5) the threshold came from, null in warm-up'),
          settleStreak: z.number().int().describe('Consecutive stable calibrations counted towards settling (0 when not flagged)'),
          updatedAt: z.string().nullable().describe('When the last calibration ran, ISO 8601 UTC; null before any'),
          updatedAtMs: z.number().nullable().describe('When the last calibration ran, epoch ms; null before any'),
          lastPairAt: z.string().nullable().describe('Venue time of the newest pair used, ISO 8601 UTC; null before any'),
          reason: z.string().nullable().describe('Why offset is null, or null when there is one'),
          sources: z.array(sourceStatusOutput).describe('Feeds serving this symbol and their health'),
          gaps: gapsOutput.describe('Data gaps for this symbol'),
        }),
      )
      .describe('One entry per configured symbol, in configuration order'),
    asOf: z.string().nullable().describe('Newest calibration time across symbols, ISO 8601 UTC; null before any'),
    ageMs: z.number().nullable().describe('Milliseconds since the newest calibration; null before any'),
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  handler: (_args, ctx) => {
    const updates = new Map((ctx.fusion?.offsetUpdates() ?? []).map((u) => [u.symbol, u]));
    let newest: number | null = null;
    const offsets = ctx.symbols.map((spec) => {
      const u = updates.get(spec.symbol);
      if (u && (newest === null || u.tsInit > newest)) newest = u.tsInit;
      const reason = u
        ? null
        : !ctx.fusion
          ? 'offset calibration is not configured in this server'
          : !spec.binance || !spec.mt5
            ? `${spec.symbol} has no ${spec.binance ? 'MT5' : 'Binance'} source: nothing to calibrate (no offset is applied)`
            : 'not calibrated yet: needs 10 paired Binance and MT5 mids, at most one a second';
      return {
        symbol: spec.symbol,
        offset: u?.offset ?? null,
        candidate: u?.candidate ?? null,
        pairs: u?.pairs ?? 0,
        held: u?.held ?? false,
        discrepancy: u?.discrepancy ?? false,
        threshold: u?.threshold ?? null,
        atr: u?.atr ?? null,
        settleStreak: u?.settleStreak ?? 0,
        updatedAt: iso(u?.tsInit),
        updatedAtMs: u?.tsInit ?? null,
        lastPairAt: iso(u?.tsEvent),
        reason,
        sources: sourcesFor(ctx, spec.symbol),
        gaps: gapsFor(ctx, spec.symbol),
      };
    });
    const at: number | null = newest;
    return { offsets, asOf: iso(at), ageMs: at === null ? null : Math.max(0, ctx.clock.now() - at) };
  },
});
