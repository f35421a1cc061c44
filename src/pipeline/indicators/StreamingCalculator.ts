/**
 * The one contract every streaming calculator follows (indicators, the offset
 * calibrator, the M5 volatility bridge, the structure detector), after
 * trading-signals: feed closed inputs with `add`, amend the still-open last
 * input with `replace` (a forming candle changed), read `getResult` (null
 * during warm-up). `replace` never changes what earlier `add`s produced.
 */
export interface StreamingCalculator<In, Out> {
  /** Takes the next input (a closed candle, a tick...). Returns the new result, or null in warm-up. */
  add(input: In): Out | null;
  /** Replaces the most recent input (the open candle changed) and returns the recomputed result. */
  replace(input: In): Out | null;
  /** The current result, or null while warming up. */
  getResult(): Out | null;
  /** True once enough inputs arrived for the result to be meaningful. */
  readonly isStable: boolean;
  /** How many inputs the calculator needs before it is stable. */
  readonly requiredInputs: number;
}
