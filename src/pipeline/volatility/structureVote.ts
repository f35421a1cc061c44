import type { Source } from '../../core/index.js';
import type { SourceWeights } from '../calibration/weights.js';
import type { Ballot, LabelTimeframe, SlopeDirection, StructureLabel, StructureLabelInput, VoteTally } from './types.js';

/** Last M1 direction counted per source (what an unconfirmed reversal falls back to). */
export type M1FilterState = Readonly<Partial<Record<Source, 'bullish' | 'bearish'>>>;

/**
 * The M1 reversal filter: a raw M1 label opposite to the last M1 direction
 * counted for that source is a reversal; it is counted only when the M5 slope
 * confirms it (`bearish` needs slope `down`, `bullish` needs `up`), otherwise
 * the previous direction is counted and the ballot is marked `filtered`.
 * A neutral M1 label is counted as neutral and keeps the last direction.
 */
export function filterM1Reversal(
  state: M1FilterState,
  source: Source,
  raw: StructureLabel,
  slope: SlopeDirection,
): { label: StructureLabel; filtered: boolean; state: M1FilterState } {
  if (raw === 'neutral') return { label: raw, filtered: false, state };
  const last = state[source];
  const confirms = (raw === 'bullish' && slope === 'up') || (raw === 'bearish' && slope === 'down');
  if (last !== undefined && last !== raw && !confirms) return { label: last, filtered: true, state };
  return { label: raw, filtered: false, state: last === raw ? state : { ...state, [source]: raw } };
}

/**
 * Decides the structure label by weighted majority over every source ×
 * timeframe label: each ballot weighs (source reconciliation weight) ×
 * (timeframe weight, default 1); sources without a weight do not vote. The
 * label is `bullish` (or `bearish`) when its weight is more than half the
 * total, otherwise `neutral` (no majority, ties included). M1 labels go
 * through `filterM1Reversal` first.
 */
export function voteStructure(
  labels: readonly StructureLabelInput[],
  weights: SourceWeights,
  timeframeWeights: Readonly<Partial<Record<LabelTimeframe, number>>>,
  m1State: M1FilterState,
  slope: SlopeDirection,
): { label: StructureLabel; tally: VoteTally; m1State: M1FilterState } {
  const ballots: Ballot[] = [];
  let state = m1State;
  const sums = { bullish: 0, bearish: 0, neutral: 0 };
  let total = 0;
  for (const input of labels) {
    const sourceWeight = weights[input.source] ?? 0;
    let label = input.label;
    let filtered = false;
    if (input.timeframe === 'M1') {
      const f = filterM1Reversal(state, input.source, input.label, slope);
      state = f.state;
      label = f.label;
      filtered = f.filtered;
    }
    const weight = sourceWeight * (timeframeWeights[input.timeframe] ?? 1);
    if (!(weight > 0)) continue;
    ballots.push({ source: input.source, timeframe: input.timeframe, label, raw: input.label, filtered, weight });
    sums[label] += weight;
    total += weight;
  }
  const label: StructureLabel = sums.bullish > total / 2 ? 'bullish' : sums.bearish > total / 2 ? 'bearish' : 'neutral';
  return { label, tally: { ...sums, total, ballots }, m1State: state };
}
