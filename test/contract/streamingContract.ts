// The shared contract suite of DESIGN.md section 3: every streaming calculator (indicators, offset calibrator, M5
// volatility bridge, structure detector) is checked by one call of `testStreamingContract` on real recorded inputs.
import { describe, expect, it } from 'vitest';
import type { StreamingCalculator } from '../../src/pipeline/indicators/StreamingCalculator.js';

/** Tuning of one contract run. */
export type StreamingContractOptions<In> = Readonly<{
  /**
   * The amended version of input `i` that `replace` substitutes for it (an open candle that changed). Default: the
   * next input of the list (the previous one for the last), which is a different, equally valid input.
   */
  amend?: (input: In, index: number) => In;
  /** Positions (1-based input counts) where replace is checked beyond the first requiredInputs + 2 (default 24, spread evenly). */
  replaceChecks?: number;
  /**
   * For calculators whose closed inputs are final (the structure detector: a closed candle confirms events, and
   * taking them back would be a repaint): `replace` is checked the way a live feed drives it, amending an OPEN
   * version of the input (`amend` must return one) and finally replacing it with the closed input; replacing a
   * closed input by a different one is not part of their contract.
   */
  closedInputsFinal?: boolean;
}>;

/** Feeds `inputs` to a fresh calculator with `add` and returns every result, cloned at the time it was returned. */
function trace<In, Out>(factory: () => StreamingCalculator<In, Out>, inputs: readonly In[]): (Out | null)[] {
  const calc = factory();
  return inputs.map((x) => structuredClone(calc.add(x)));
}

function positions(total: number, required: number, extra: number): number[] {
  const set = new Set<number>();
  for (let k = 1; k <= Math.min(total, required + 2); k++) set.add(k);
  for (let j = 1; j <= extra; j++) set.add(Math.max(1, Math.round((j * total) / extra)));
  return [...set].sort((a, b) => a - b);
}

/**
 * Registers the streaming contract tests for one calculator. Contract:
 * - before any input, and after every input, the result is null exactly when `isStable` is false;
 * - `requiredInputs` is a positive integer that never changes; with fewer inputs the calculator is not stable, and
 *   with exactly `requiredInputs` of the given (ordinary, real) inputs it is;
 * - `getResult()` equals what the last `add` or `replace` returned;
 * - results are deterministic (two fresh calculators agree at every step) and a returned result is never changed by
 *   later updates (it is compared with a clone taken when it was returned);
 * - `replace(x')` after `add(x1..xk)` equals a fresh calculator fed `x1..x(k-1), x'`, any number of times in a row;
 *   replacing back with `xk` and going on with `add` gives exactly the results of plain `add`s (replace never changes
 *   what earlier adds produced);
 * - `replace` before any `add` acts as `add` (the first version of an open candle may arrive through `replace`).
 *
 * `inputs` must hold more than `requiredInputs` + 2 inputs. Call at the top level of a test file, once per calculator:
 * `testStreamingContract('ATR(14)', () => new Atr(14), h1Candles)`.
 */
export function testStreamingContract<In, Out>(
  name: string,
  factory: () => StreamingCalculator<In, Out>,
  inputs: readonly In[],
  options: StreamingContractOptions<In> = {},
): void {
  const amend = options.amend ?? ((_x: In, i: number) => (inputs[i + 1] ?? inputs[i - 1])!);

  describe(`${name}: streaming contract`, () => {
    it('has enough inputs and a fixed positive integer requiredInputs', () => {
      const calc = factory();
      expect(Number.isInteger(calc.requiredInputs) && calc.requiredInputs >= 1).toBe(true);
      expect(inputs.length).toBeGreaterThan(calc.requiredInputs + 2);
      const required = calc.requiredInputs;
      for (const x of inputs) {
        calc.add(x);
        expect(calc.requiredInputs).toBe(required);
      }
    });

    it('returns null exactly while not stable, and is stable from requiredInputs inputs', () => {
      const calc = factory();
      expect(calc.getResult()).toBeNull();
      expect(calc.isStable).toBe(false);
      inputs.forEach((x, i) => {
        const result = calc.add(x);
        const count = i + 1;
        expect(result === null, `input ${count}`).toBe(!calc.isStable);
        if (count < calc.requiredInputs) expect(calc.isStable, `input ${count} < requiredInputs`).toBe(false);
        if (count === calc.requiredInputs) expect(calc.isStable, `input ${count} = requiredInputs`).toBe(true);
      });
    });

    it('getResult equals the last add or replace return', () => {
      const calc = factory();
      inputs.forEach((x, i) => {
        const added = calc.add(i % 2 === 0 ? x : amend(x, i));
        expect(calc.getResult()).toEqual(added);
        if (i % 2 === 1) {
          const replaced = calc.replace(x);
          expect(calc.getResult()).toEqual(replaced);
          expect(replaced === null).toBe(!calc.isStable);
        }
      });
    });

    it('is deterministic, and never changes a result it returned', () => {
      const first = factory();
      const returned = inputs.map((x) => first.add(x));
      const cloned = trace(factory, inputs);
      expect(returned).toEqual(cloned);
      expect(trace(factory, inputs)).toEqual(cloned);
    });

    it('replace equals a fresh calculator fed the same sequence with the last input substituted', () => {
      const plain = trace(factory, inputs);
      const probe = factory();
      const ks = positions(inputs.length, probe.requiredInputs, options.replaceChecks ?? 24);
      for (const k of ks) {
        const calc = factory();
        for (let i = 0; i < k - 1; i++) calc.add(inputs[i]!);
        const last = inputs[k - 1]!;
        const substitute = amend(last, k - 1);
        const fresh = trace(factory, [...inputs.slice(0, k - 1), substitute]);
        if (options.closedInputsFinal) {
          expect(structuredClone(calc.add(substitute)), `add of the open version at ${k}`).toEqual(fresh[k - 1]);
          expect(structuredClone(calc.replace(substitute)), `replace of the open version at ${k}`).toEqual(fresh[k - 1]);
          expect(structuredClone(calc.replace(last)), `replace with the closed input at ${k}`).toEqual(plain[k - 1]);
          const next = inputs.slice(k, k + 3).map((x) => structuredClone(calc.add(x)));
          expect(next, `adds after the close at ${k}`).toEqual(plain.slice(k, k + 3));
          continue;
        }
        expect(structuredClone(calc.add(last)), `add at ${k}`).toEqual(plain[k - 1]);
        expect(structuredClone(calc.replace(substitute)), `replace at ${k}`).toEqual(fresh[k - 1]);
        expect(structuredClone(calc.replace(substitute)), `second replace at ${k}`).toEqual(fresh[k - 1]);
        expect(structuredClone(calc.replace(last)), `replace back at ${k}`).toEqual(plain[k - 1]);
        const after = inputs.slice(k, k + 3).map((x) => structuredClone(calc.add(x)));
        expect(after, `adds after replace at ${k}`).toEqual(plain.slice(k, k + 3));
      }
    });

    it('replace before any add acts as add', () => {
      const viaReplace = factory();
      const viaAdd = factory();
      expect(viaReplace.replace(inputs[0]!)).toEqual(viaAdd.add(inputs[0]!));
      expect(viaReplace.isStable).toBe(viaAdd.isStable);
      const rest = inputs.slice(1, viaAdd.requiredInputs + 3);
      expect(rest.map((x) => viaReplace.add(x))).toEqual(rest.map((x) => viaAdd.add(x)));
    });
  });
}
