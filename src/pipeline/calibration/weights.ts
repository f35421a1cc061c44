import type { Source } from '../../core/index.js';
import type { SourceWeights } from '../../core/types/Volatility.js';

/** What the reconciliation knows about one source's latest contribution. */
export type SourceContribution = Readonly<{
  source: Source;
  /** Venue time of the source's latest fact that contributes (last tick, or last tick inside a candle), epoch ms. */
  tsEvent: number;
  /** Quality in [0, 1]: configured base quality times the penalties in force (down, gap open, discrepancy). */
  quality: number;
}>;

export type { SourceWeights } from '../../core/types/Volatility.js';

/**
 * Freshness of a fact `ageMs` old: exp(-age / tau). 1 for a fact of this very
 * instant, 1/e after one `tauMs`, never negative; a fact from the future
 * (clock skew) counts as age 0.
 */
export function freshness(ageMs: number, tauMs: number): number {
  if (!(tauMs > 0)) return ageMs <= 0 ? 1 : 0;
  return Math.exp(-Math.max(0, ageMs) / tauMs);
}

/**
 * The weighted-reconciliation weights of DESIGN.md §6: each source gets
 * `w = exp(-(now - tsEvent) / tauMs) × quality` (quality clamped to [0, 1]),
 * normalised to sum 1. Sources with zero raw weight are left out; when every
 * weight is zero the result is empty (nothing fresh and trusted to reconcile).
 */
export function reconciliationWeights(contributions: readonly SourceContribution[], now: number, tauMs: number): SourceWeights {
  return weightsByAge(
    contributions.map((c) => ({ source: c.source, ageMs: now - c.tsEvent, quality: c.quality })),
    tauMs,
  );
}

/** `reconciliationWeights` with each source's age given directly (ms). */
export function weightsByAge(items: ReadonlyArray<Readonly<{ source: Source; ageMs: number; quality: number }>>, tauMs: number): SourceWeights {
  const raw: Array<[Source, number]> = [];
  let total = 0;
  for (const c of items) {
    const q = Math.min(1, Math.max(0, Number.isFinite(c.quality) ? c.quality : 0));
    const w = freshness(c.ageMs, tauMs) * q;
    if (!(w > 0)) continue;
    raw.push([c.source, w]);
    total += w;
  }
  const out: Partial<Record<Source, number>> = {};
  if (!(total > 0)) return out;
  for (const [source, w] of raw) out[source] = (out[source] ?? 0) + w / total;
  return out;
}

/** Weighted mean of per-source values with the given weights; null when no value has weight. */
export function weightedValue(values: Readonly<Partial<Record<Source, number>>>, weights: SourceWeights): number | null {
  let sum = 0;
  let total = 0;
  for (const [source, w] of Object.entries(weights) as Array<[Source, number]>) {
    const v = values[source];
    if (v === undefined || !(w > 0)) continue;
    sum += v * w;
    total += w;
  }
  return total > 0 ? sum / total : null;
}
