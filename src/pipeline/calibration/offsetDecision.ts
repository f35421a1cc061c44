import type { DiscrepancyPhase } from './offsetTypes.js';

/** What the engine remembers between calibrations of one symbol. */
export type OffsetState = Readonly<{
  /** Offset in force, or null before the first calibration. */
  offset: number | null;
  /** True while a discrepancy has not settled. */
  flagged: boolean;
  /** Previous calibration's candidate while flagged (the reference for "stable"), else null. */
  lastCandidate: number | null;
  /** Consecutive stable calibrations since the flag. */
  streak: number;
  /** Calibrations spent flagged. */
  calibrations: number;
}>;

/** The state before any calibration. */
export const INITIAL_OFFSET_STATE: OffsetState = { offset: null, flagged: false, lastCandidate: null, streak: 0, calibrations: 0 };

/** Outcome of one calibration. */
export type OffsetDecision = Readonly<{
  state: OffsetState;
  /** Offset in force after the calibration. */
  offset: number;
  previous: number | null;
  held: boolean;
  discrepancy: boolean;
  /** Event to raise, or null. */
  event: DiscrepancyPhase | null;
  /** |candidate - offset in force before|, or null at the first calibration. */
  jump: number | null;
  /** Consecutive stable calibrations counted at this one (the settling one included; 0 when not flagged). */
  streak: number;
}>;

/**
 * The discrepancy rule of DESIGN.md §6, as a pure function of the state, the
 * new median `candidate` and the jump `threshold` (null = unknown: nothing
 * counts as a jump):
 *
 * - first calibration: adopt the candidate;
 * - not flagged: adopt the candidate when |candidate - offset| <= threshold;
 *   otherwise hold the offset and flag the symbol (`flagged` event);
 * - flagged: the offset stays held. A calibration is *stable* when its
 *   candidate is within the threshold of the previous calibration's
 *   candidate; `settleCount` consecutive stable calibrations settle the
 *   discrepancy: the latest candidate is adopted (whether the market came
 *   back to the held level or really moved to a new one) and the flag clears
 *   (`settled` event). An unstable calibration resets the count.
 */
export function decideOffset(state: OffsetState, candidate: number, threshold: number | null, settleCount: number): OffsetDecision {
  const previous = state.offset;
  if (previous === null) {
    return { state: { ...INITIAL_OFFSET_STATE, offset: candidate }, offset: candidate, previous, held: false, discrepancy: false, event: null, jump: null, streak: 0 };
  }
  const jump = Math.abs(candidate - previous);
  const within = (a: number, b: number): boolean => threshold === null || Math.abs(a - b) <= threshold;
  if (!state.flagged) {
    if (within(candidate, previous)) {
      return { state: { ...INITIAL_OFFSET_STATE, offset: candidate }, offset: candidate, previous, held: false, discrepancy: false, event: null, jump, streak: 0 };
    }
    const flagged: OffsetState = { offset: previous, flagged: true, lastCandidate: candidate, streak: 0, calibrations: 0 };
    return { state: flagged, offset: previous, previous, held: true, discrepancy: true, event: 'flagged', jump, streak: 0 };
  }
  const stable = state.lastCandidate === null || within(candidate, state.lastCandidate);
  const streak = stable ? state.streak + 1 : 0;
  const calibrations = state.calibrations + 1;
  if (streak >= settleCount) {
    return { state: { ...INITIAL_OFFSET_STATE, offset: candidate }, offset: candidate, previous, held: false, discrepancy: false, event: 'settled', jump, streak };
  }
  const next: OffsetState = { offset: previous, flagged: true, lastCandidate: candidate, streak, calibrations };
  return { state: next, offset: previous, previous, held: true, discrepancy: true, event: null, jump, streak };
}
