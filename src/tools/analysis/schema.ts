import * as z from 'zod';

const tf = z.enum(['M1', 'M5', 'M15', 'H1', 'H4']);
const dir = z.enum(['bullish', 'bearish']);
const bias = z.enum(['bullish', 'bearish', 'neutral']);
const vol = z.enum(['calm', 'normal', 'expanding', 'extreme']);
const side = z.enum(['above', 'below', 'inside']).describe('Where it lies against the current price (inside: the price is in the zone or at the level)');

/** An order block or unfilled fair-value gap as the analysis reports it. */
export const zoneOutput = z.object({
  timeframe: tf.describe('Timeframe whose structure found the zone'),
  kind: z.enum(['order_block', 'fvg']).describe('order_block (unmitigated) or fvg (the still-unfilled part of a fair-value gap)'),
  direction: dir.describe('bullish zones are support below price (reached from above); bearish zones are resistance above'),
  top: z.number().describe('Upper bound of the zone'),
  bottom: z.number().describe('Lower bound of the zone'),
  distance: z.number().describe('Signed distance from the price to the nearest edge (negative: below), 0 inside'),
  side,
  formedAt: z.string().describe('Open time of the candle that formed it, ISO 8601 UTC'),
  confirmedAt: z.string().describe('Close time of the candle that confirmed it, ISO 8601 UTC'),
});

/** One key level. */
export const keyLevelOutput = z.object({
  timeframe: tf.describe('Timeframe the level comes from'),
  kind: z.enum(['swing_high', 'swing_low', 'fvg', 'order_block', 'vwap']).describe('swing_high/swing_low: untaken swing (resting liquidity); fvg; order_block; vwap: session VWAP'),
  direction: dir.nullable().describe('Zone direction; bearish for a swing high, bullish for a swing low; null for VWAP'),
  price: z.number().describe('The level; for a zone its edge nearest to the price (the price itself when inside)'),
  top: z.number().nullable().describe('Zone top, null for a single-price level'),
  bottom: z.number().nullable().describe('Zone bottom, null for a single-price level'),
  distance: z.number().describe('Signed distance level - price (0 inside a zone)'),
  side,
  formedAt: z.string().nullable().describe('Open time of the candle that formed it, ISO 8601 UTC; null for VWAP'),
});

const swing = z
  .object({
    price: z.number().describe('Swing price'),
    formedAt: z.string().describe('Open time of the swing candle, ISO 8601 UTC'),
    broken: z.boolean().describe('True once a candle closed beyond it (a BOS or CHOCH)'),
  })
  .nullable();

const timeframeOutput = z.object({
  timeframe: tf.describe('Timeframe'),
  bars: z.number().int().describe('Closed candles analysed (empty ones left out)'),
  skippedEmpty: z.number().int().describe('Empty candles (no trade, no volume: market closed or silent) left out'),
  lastCloseAt: z.string().nullable().describe('Close time of the last closed candle, ISO 8601 UTC; null without candles'),
  lastClose: z.number().nullable().describe('Close of the last closed candle'),
  atr: z.number().nullable().describe('Wilder ATR(14); null in warm-up'),
  atrPercentile: z.number().nullable().describe('Percent (0-100) of the window ATR values at or below the current ATR; null with fewer than 10 ATR values'),
  rangeExpansion: z.number().nullable().describe('Last candle range over the ATR(14) before it (1 = ordinary); null in warm-up'),
  volatility: vol
    .nullable()
    .describe('extreme: expansion >= 2.5 or ATR percentile >= 95; expanding: >= 1.5 or >= 80; calm: < 0.75 and <= 25; else normal; null in warm-up'),
  vwap: z.number().nullable().describe('Session VWAP (UTC day) of this timeframe; null without volume'),
  ema20: z.number().nullable().describe('EMA(20) of closes; null in warm-up'),
  ema50: z.number().nullable().describe('EMA(50) of closes; null in warm-up'),
  structure: z
    .object({
      trend: dir.nullable().describe('Direction of the last BOS or CHOCH; null before any break'),
      lastBreak: z
        .object({
          kind: z.enum(['bos', 'choch']).describe('bos: break with the trend; choch: change of character (against it)'),
          direction: dir.describe('Direction of the break'),
          level: z.number().describe('Swing level broken'),
          at: z.string().describe('Close time of the breaking candle, ISO 8601 UTC'),
        })
        .nullable()
        .describe('The last break of structure; null before any'),
      swingHigh: swing.describe('Latest confirmed structure swing high (the level a bullish break closes above)'),
      swingLow: swing.describe('Latest confirmed structure swing low (the level a bearish break closes below)'),
      lastSweep: z
        .object({
          direction: dir.describe('bearish: buy-side liquidity above a swing high taken; bullish: sell-side below a swing low'),
          level: z.number().describe('Swing level swept'),
          at: z.string().describe('Close time of the sweeping candle, ISO 8601 UTC'),
        })
        .nullable()
        .describe('The last liquidity sweep (wick beyond a swing, close back inside); null when none'),
      events: z.number().int().describe('Structure events confirmed over the analysed candles'),
      openOrderBlocks: z.number().int().describe('Unmitigated order blocks'),
      openFvgs: z.number().int().describe('Fair-value gaps not fully filled'),
      nearestZones: z.array(zoneOutput).describe('The open order blocks and gaps nearest to price (at most 3 of each kind), nearest first'),
    })
    .describe('Causal market structure of the analysed candles'),
  bias: z
    .object({
      direction: bias.describe('bullish at score >= 0.25, bearish at <= -0.25, else neutral'),
      score: z.number().nullable().describe('(trend +-2, price vs VWAP +-1, EMA20 vs EMA50 +-1) / 4, in [-1, 1]; null with fewer than 20 bars'),
      reasons: z.array(z.string()).describe('One line per vote'),
    })
    .describe('Directional bias of this timeframe'),
});

const reading = z
  .object({
    value: z.number().describe('Latest value'),
    ageMs: z.number().describe('Age of the reading at the macro snapshot, ms'),
    stale: z.boolean().describe('True when older than the configured maximum age'),
    source: z.string().describe('mt5 or json'),
  })
  .nullable();

const engineLog = z
  .array(
    z.object({
      at: z.string().describe('When, ISO 8601 UTC'),
      action: z.string().describe('What the engine did or proposed'),
      detail: z.string().describe('Detail'),
    }),
  )
  .nullable();

/** The whole deterministic analysis, as `analyze_market` answers it and `analysis_history` stores it. */
export const marketAnalysisOutput = z.object({
  model: z.string().describe('Analysis model, utp-deterministic-v1: the same data always gives the same analysis'),
  symbol: z.string().describe('Canonical symbol analysed'),
  asOf: z.string().describe('Instant the analysis describes (newest data time), ISO 8601 UTC'),
  price: z
    .object({
      value: z.number().describe('Price every distance is measured from'),
      basis: z.enum(['live', 'last_close']).describe('live: quote mid or last trade; last_close: no live price, the last closed candle'),
      at: z.string().nullable().describe('Venue time of that price, ISO 8601 UTC'),
    })
    .describe('The current price'),
  session: z
    .object({
      label: z.string().describe('asia, london, new_york, an overlap such as london_new_york, off_hours or weekend'),
      active: z.array(z.string()).describe('Open sessions'),
      overlap: z.boolean().describe('True when two or more sessions are open'),
      fxOpen: z.boolean().describe('FX market open (Sunday 17:00 to Friday 17:00 New York)'),
    })
    .nullable()
    .describe('Trading session at asOf'),
  timeframes: z.array(timeframeOutput).describe('Per-timeframe reading, M1 to H4'),
  map: z
    .array(
      z.object({
        timeframe: tf.describe('Timeframe'),
        weight: z.number().describe('Weight in the overall bias (H4 0.35, H1 0.25, M15 0.2, M5 0.12, M1 0.08)'),
        bias: bias.describe('Timeframe bias'),
        score: z.number().nullable().describe('Timeframe score, null when it has too few bars (left out)'),
        trend: dir.nullable().describe('Structure trend'),
        volatility: vol.nullable().describe('Volatility regime'),
      }),
    )
    .describe('Multi-timeframe map, H4 first'),
  keyLevels: z.array(keyLevelOutput).describe('Key levels of every timeframe (2 nearest per kind, plus VWAP), nearest to price first'),
  plan: z
    .object({
      bias: bias.describe('Overall bias: weighted mean score >= 0.2 bullish, <= -0.2 bearish, else neutral'),
      score: z.number().describe('Weighted mean of the timeframe scores, in [-1, 1]'),
      agreement: z.number().describe('Share (0-1) of the counted weight whose timeframe bias equals the overall bias'),
      anchorTimeframe: tf.nullable().describe('Highest timeframe agreeing with the bias; null when neutral'),
      invalidation: z
        .object({
          price: z.number().describe('The level'),
          timeframe: tf.describe('Timeframe whose structure swing it is'),
          kind: z.enum(['swing_high', 'swing_low']).describe('Swing kind'),
          rule: z.string().describe('What would invalidate the bias'),
        })
        .nullable()
        .describe('Level whose break (a close beyond) invalidates the bias; null when neutral or none found'),
      entryZones: z.array(zoneOutput).describe('H1/M15 zones in the bias direction on the pullback side, not beyond the invalidation, nearest first'),
      entryZonesOmitted: z.number().int().describe('Qualifying entry zones left out beyond the first 6'),
      targets: z.array(keyLevelOutput).describe('Nearest untaken swing levels in the bias direction (resting liquidity), at most 3'),
      summary: z.string().describe('One-paragraph reading'),
      note: z.string().describe('Reminder that this is analysis, never an order'),
    })
    .describe('The actionable reading (analysis only, never an order)'),
  macro: z
    .object({
      complete: z.boolean().describe('True when every indicator has a fresh reading'),
      readings: z
        .object({ VIX: reading.describe('CBOE VIX'), DXY: reading.describe('US dollar index'), US10Y: reading.describe('US 10-year yield') })
        .describe('Latest readings, null when none'),
      notes: z.array(z.string()).describe('Context notes (missing or stale readings, elevated VIX); macro never moves the bias'),
    })
    .nullable()
    .describe('Macro context, null when no macro source is configured'),
  engines: z
    .object({
      dtms: engineLog.describe('Latest DTMS actions (newest first), null when the engine is not running'),
      exits: engineLog.describe('Latest exit-plan entries (newest first), null when the engine is not running'),
    })
    .describe('Engine logs of the symbol'),
  warnings: z.array(z.string()).describe('What limits this analysis (missing price, too few bars, no macro)'),
});
