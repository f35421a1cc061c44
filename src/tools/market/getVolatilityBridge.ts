import * as z from 'zod';
import type { VolatilityBridgeReading } from '../../core/index.js';
import { defineTool, READ_ONLY_MARKET } from '../defineTool.js';
import { candleOutput, iso, resolveSymbol, symbolInput, toCandleOutput, provenanceOutput, provenanceFor } from './shared.js';

const label = z.enum(['bullish', 'bearish', 'neutral']);

const readingOutput = z.object({
  openTime: z.string().describe('Open time of the M5 candle, ISO 8601 UTC'),
  openTimeMs: z.number().int().describe('Open time of the M5 candle, epoch ms UTC'),
  primary: z.string().describe('Source whose M5 candle this is (binance for BTCUSD and XAUUSD, mt5 for GBPJPY)'),
  m5: candleOutput.describe('The primary source M5 candle, in that venue own prices (no offset)'),
  fusedClose: z.number().nullable().describe('Freshness- and quality-weighted close of both sources in broker terms; null when no source could be expressed in broker terms'),
  weights: z.record(z.string(), z.number()).describe('Normalised weight per source in fusedClose (sums to 1)'),
  fusedSources: z.array(z.string()).describe('Sources whose close entered fusedClose'),
  offset: z.number().nullable().describe('Binance-to-broker offset applied to the Binance close, null before calibration'),
  brokerSpread: z.number().nullable().describe('Broker spread used to move bid closes to mid, null when unknown'),
  atr: z.number().describe('Wilder ATR(14) of the primary M5 candles, this one included'),
  atrRatio: z.number().describe('ATR over the mean of the previous 24 ATR values (above 1: bars getting bigger)'),
  rangeExpansion: z.number().describe('High - low of this M5 over the ATR before it'),
  state: z.enum(['calm', 'normal', 'expanding', 'extreme']).describe('Volatility state from range expansion and ATR ratio'),
  slope: z.number().nullable().describe('Primary close drift per candle over the slope lookback, in ATR units; null without enough closes'),
  slopeDirection: z.enum(['up', 'down', 'flat']).describe('Direction of the slope'),
  expansionBeforeM15Close: z.boolean().describe('True once the forming M15 showed expansion before it closed'),
  m15: z
    .object({
      openTime: z.string().describe('Open time of the M15 containing this M5, ISO 8601 UTC'),
      range: z.number().describe('Highest high - lowest low of its M5 candles so far'),
      rangeAtr: z.number().nullable().describe('range in ATR(M5) as of before the M15 opened, null when unknown'),
      candles: z.number().int().describe('M5 candles of it seen so far (1-3)'),
      closed: z.boolean().describe('True once its third M5 closed'),
    })
    .describe('The M15 containing this M5, so far'),
  structureLabel: label.describe('Structure label by weighted majority across sources and M1/M5/M15 (neutral without a strict majority)'),
  votes: z
    .object({
      bullish: z.number().describe('Weight voting bullish'),
      bearish: z.number().describe('Weight voting bearish'),
      neutral: z.number().describe('Weight voting neutral'),
      total: z.number().describe('Total weight'),
      ballots: z
        .array(
          z.object({
            source: z.string().describe('Source of the detector'),
            timeframe: z.enum(['M1', 'M5', 'M15']).describe('Timeframe of the detector'),
            label: label.describe('Label as counted (M1 after the reversal filter)'),
            raw: label.describe('Label as the detector gave it'),
            filtered: z.boolean().describe('True when an M1 reversal the M5 slope did not confirm was filtered out'),
            weight: z.number().describe('Source weight x timeframe weight'),
          }),
        )
        .describe('Every counted vote'),
    })
    .describe('The weighted vote behind structureLabel'),
});

function toReadingOutput(r: VolatilityBridgeReading): z.infer<typeof readingOutput> {
  return {
    openTime: iso(r.openTime) as string,
    openTimeMs: r.openTime,
    primary: r.primary,
    m5: toCandleOutput(r.m5),
    fusedClose: r.fusedClose,
    weights: { ...r.weights } as Record<string, number>,
    fusedSources: [...r.sources],
    offset: r.offset,
    brokerSpread: r.brokerSpread,
    atr: r.atr,
    atrRatio: r.atrRatio,
    rangeExpansion: r.rangeExpansion,
    state: r.state,
    slope: r.slope,
    slopeDirection: r.slopeDirection,
    expansionBeforeM15Close: r.expansionBeforeM15Close,
    m15: { openTime: iso(r.m15.openTime) as string, range: r.m15.range, rangeAtr: r.m15.rangeAtr, candles: r.m15.candles, closed: r.m15.closed },
    structureLabel: r.structureLabel,
    votes: {
      bullish: r.votes.bullish,
      bearish: r.votes.bearish,
      neutral: r.votes.neutral,
      total: r.votes.total,
      ballots: r.votes.ballots.map((b) => ({ source: b.source, timeframe: b.timeframe, label: b.label, raw: b.raw, filtered: b.filtered, weight: b.weight })),
    },
  };
}

/** The M5 volatility bridge reading of one symbol. */
export const getVolatilityBridge = defineTool({
  name: 'get_volatility_bridge',
  title: 'M5 volatility bridge',
  description:
    'Latest M5 volatility bridge reading of a symbol: the primary source M5 candle, the weighted fused close of both sources in broker terms, ' +
    'ATR(14), ATR ratio, range expansion, the volatility state (calm, normal, expanding, extreme), early M15 expansion, ' +
    'and the structure label voted across sources and M1/M5/M15. reading is null with a reason while the bridge warms up.',
  input: z.object({ symbol: symbolInput }),
  output: z.object({
    symbol: z.string().describe('Canonical symbol answered'),
    reading: readingOutput.nullable().describe('Latest reading after a closed primary M5, null while warming up'),
    reason: z.string().nullable().describe('Why reading is null, or null when there is one'),
    warmUp: z
      .object({
        requiredInputs: z.number().int().describe('Primary M5 candles needed before the first reading'),
        stable: z.boolean().describe('True once that many were seen'),
      })
      .nullable()
      .describe('Warm-up of the bridge, null when the bridge is not configured'),
    asOf: z.string().nullable().describe('Venue time of the reading M5 candle last fact, ISO 8601 UTC; null without a reading'),
    ageMs: z.number().nullable().describe('Milliseconds since the reading was produced; null without a reading'),
    ...provenanceOutput,
  }),
  annotations: READ_ONLY_MARKET,
  scope: 'read',
  handler: ({ symbol }, ctx) => {
    const spec = resolveSymbol(ctx, symbol);
    const reading = ctx.fusion?.volatilityReading(spec.symbol) ?? null;
    const warmUp = ctx.fusion?.volatilityWarmUp(spec.symbol) ?? null;
    let reason: string | null = null;
    if (!ctx.fusion) reason = 'the volatility bridge is not configured in this server';
    else if (!reading) {
      reason = `warming up: the bridge needs ${warmUp?.requiredInputs ?? '?'} closed ${spec.primary} M5 candles (ATR(14) and its 24-value baseline) before its first reading`;
    }
    return {
      symbol: spec.symbol,
      reading: reading ? toReadingOutput(reading) : null,
      reason,
      warmUp: warmUp ? { requiredInputs: warmUp.requiredInputs, stable: warmUp.stable } : null,
      asOf: iso(reading?.tsEvent),
      ageMs: reading ? Math.max(0, ctx.clock.now() - reading.tsInit) : null,
      ...provenanceFor(ctx, spec.symbol),
    };
  },
});
