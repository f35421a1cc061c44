/**
 * The pure arbitration of one decision for one position: DTMS actions first
 * (close > hedge > partial close > stop), then the exits engine (close >
 * partial close > stop); a stop is the most protective of the DTMS stop and
 * every exits stop; at most one command per position per decision, the rest
 * are reported as deferred; a hedge only ever comes from DTMS.
 */
import type { DtmsAction } from '../dtms/index.js';
import type { Side } from '../../core/index.js';
import type { ExitProposal } from './types.js';

/** The one command chosen for a position, with where it came from. */
export type Chosen = Readonly<{
  source: 'dtms' | 'exits';
  kind: 'modify_sl' | 'partial_close' | 'close' | 'hedge';
  value: number;
  rule: string;
  reason: string;
  data: Readonly<Record<string, unknown>>;
}>;

/** A candidate that was not chosen, with why. */
export type Passed = Chosen & Readonly<{ why: string }>;

/** Result of the arbitration. */
export type Selection = Readonly<{ chosen: Chosen | null; deferred: readonly Passed[]; declined: readonly Passed[] }>;

const RANK: Readonly<Record<Chosen['kind'], number>> = { close: 0, hedge: 1, partial_close: 2, modify_sl: 3 };

/**
 * Chooses at most one command. `price` is the exit-side price (exits stops on
 * the wrong side of it are declined); `currentSl` is the DTMS stop before
 * this decision's DTMS stop move.
 */
export function selectAction(side: Side, price: number, currentSl: number, dtms: readonly DtmsAction[], exits: readonly ExitProposal[]): Selection {
  const dir = side === 'buy' ? 1 : -1;
  const tighter = (a: number, b: number): boolean => dir * (a - b) > 0;
  const declined: Passed[] = [];
  const fromDtms: Chosen[] = dtms.map((a) => ({ source: 'dtms', kind: a.kind, value: a.value, rule: a.rule, reason: a.reason, data: a.data }));
  const fromExits: Chosen[] = [];
  for (const p of exits) {
    const c: Chosen = { source: 'exits', kind: p.kind, value: p.value, rule: 'exits', reason: p.reason, data: p.data };
    if (p.kind === 'modify_sl' && !(dir * (price - p.value) > 0)) declined.push({ ...c, why: 'exits stop is at or beyond the price' });
    else fromExits.push(c);
  }
  // Most protective stop among DTMS and exits: it replaces the others.
  const stops = [...fromDtms, ...fromExits].filter((c) => c.kind === 'modify_sl');
  let bestStop: Chosen | null = null;
  for (const s of stops) if (bestStop === null || tighter(s.value, bestStop.value)) bestStop = s;
  if (bestStop !== null && !tighter(bestStop.value, currentSl)) {
    declined.push({ ...bestStop, why: 'would not tighten the stop (a stop never loosens)' });
    bestStop = null;
  }
  for (const s of stops) if (s !== bestStop && bestStop !== null) declined.push({ ...s, why: `a more protective ${bestStop.source} stop (${bestStop.value}) was chosen` });
  const pick = (list: readonly Chosen[]): Chosen[] => list.filter((c) => c.kind !== 'modify_sl').sort((a, b) => RANK[a.kind] - RANK[b.kind]);
  const ordered: Chosen[] = [...pick(fromDtms), ...pick(fromExits)];
  // The stop goes right after the DTMS actions when it is a DTMS stop, after the exits actions when it only comes from exits.
  if (bestStop !== null) ordered.splice(bestStop.source === 'dtms' || fromDtms.some((c) => c.kind === 'modify_sl') ? pick(fromDtms).length : ordered.length, 0, bestStop);
  const [chosen = null, ...rest] = ordered;
  const deferred = rest.map((c) => ({ ...c, why: `one action per position per decision: ${chosen?.source} ${chosen?.kind} goes first` }));
  return { chosen, deferred, declined };
}
