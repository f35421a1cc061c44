import { describe, expect, it } from 'vitest';
import { FixedSum } from '../../../src/pipeline/aggregation/FixedSum.js';
import { fixtureRows, klineRows, TRADES_2017 } from '../../fixtures/load.js';
import { decimalUnits, unitsToNumber } from './fixtures.js';

describe('FixedSum', () => {
  it('sums per-trade quote quantities (price x qty rounded to 8 dp) to the archived quote_qty total', () => {
    // Spot trades 2017-08-17 04:00-08:00: columns trade_id, price, qty, quote_qty, ...
    const rows = fixtureRows(TRADES_2017);
    const sum = new FixedSum();
    let exact = 0n;
    for (const c of rows) {
      const one = new FixedSum().add(Number(c[1]) * Number(c[2]));
      // Each rounded product is the archive's own quote_qty, digit for digit.
      expect(one.toString()).toBe(c[3]);
      sum.add(Number(c[1]) * Number(c[2]));
      exact += decimalUnits(c[3] ?? '');
    }
    expect(sum.units()).toBe(exact);
    expect(sum.value()).toBe(unitsToNumber(exact));
  });

  it('keeps a day of BTCUSDT quote volume (> 1e17 units) exact where a double sum drifts', () => {
    const rows = klineRows('binance/BTCUSDT-1m-2024-03-15.csv');
    const fromNumbers = new FixedSum();
    const fromText = new FixedSum();
    let naive = 0;
    let exact = 0n;
    for (const r of rows) {
      fromNumbers.add(Number(r.quoteVolume));
      fromText.addDecimal(r.quoteVolume);
      naive += Number(r.quoteVolume);
      exact += decimalUnits(r.quoteVolume);
    }
    expect(exact > 10n ** 17n).toBe(true);
    expect(fromNumbers.units()).toBe(exact);
    expect(fromText.units()).toBe(exact);
    expect(fromNumbers.equals(fromText)).toBe(true);
    const whole = exact / 100_000_000n;
    const frac = (exact % 100_000_000n).toString().padStart(8, '0');
    expect(fromNumbers.toString()).toBe(`${whole}.${frac}`);
    expect(fromNumbers.value()).toBe(Number(`${whole}.${frac}`));
    expect(naive).not.toBe(fromNumbers.value());
  });

  it('rounds each added value to 8 decimals, half away from zero', () => {
    expect(new FixedSum().add(0.1).add(0.2).toString()).toBe('0.30000000');
    expect(new FixedSum().add(0.1).add(0.2).value()).toBe(0.3);
    expect(new FixedSum().add(1.000000004).value()).toBe(1);
    expect(new FixedSum().add(1.000000006).value()).toBe(1.00000001);
    expect(new FixedSum().add(-1.000000006).value()).toBe(-1.00000001);
    expect(new FixedSum().add(Number.NaN).add(Infinity).isZero()).toBe(true);
  });

  it('handles negative totals and carries between the two parts', () => {
    const s = new FixedSum().add(0.5).add(-2.25);
    expect(s.toString()).toBe('-1.75000000');
    expect(s.value()).toBe(-1.75);
    expect(new FixedSum().add(-0.00000001).toString()).toBe('-0.00000001');
    expect(new FixedSum().add(-3).toString()).toBe('-3.00000000');
    const t = new FixedSum().add(0.99999999).add(0.00000001);
    expect(t.toString()).toBe('1.00000000');
    expect(t.isZero()).toBe(false);
    expect(t.add(-1).isZero()).toBe(true);
  });

  it('stays exact over millions of fractional adds (low part folded before it overflows)', () => {
    const s = new FixedSum();
    for (let i = 0; i < 3_000_000; i++) s.add(0.99999999);
    expect(s.units()).toBe(3_000_000n * 99_999_999n);
    expect(s.toString()).toBe('2999999.97000000');
    // Doubling pushes the unfolded low part past 2^52, where it must be folded into whole units.
    for (let i = 0; i < 6; i++) s.addFixed(s);
    expect(s.units()).toBe(64n * 3_000_000n * 99_999_999n);
    expect(s.value()).toBe(191999998.08);
    expect(s.add(0.00000001).units()).toBe(64n * 3_000_000n * 99_999_999n + 1n);
  });

  it('returns the correctly rounded double for totals beyond 2^53 units', () => {
    const s = new FixedSum().addDecimal('1234567890.12345678').addDecimal('987654321.98765432');
    expect(s.toString()).toBe('2222222212.11111110');
    expect(s.value()).toBe(Number('2222222212.1111111'));
    expect(new FixedSum().addDecimal('-0.5').addDecimal('.25').addDecimal('007').toString()).toBe('6.75000000');
    expect(() => new FixedSum().addDecimal('1e5')).toThrow(RangeError);
    expect(() => new FixedSum().addDecimal('.')).toThrow(RangeError);
  });

  it('merges, copies and resets', () => {
    const a = new FixedSum().add(1.5);
    const b = new FixedSum().add(2.25);
    expect(a.clone().addFixed(b).value()).toBe(3.75);
    expect(a.merge(b).merge(b).value()).toBe(6);
    expect(new FixedSum().copyFrom(a).equals(a)).toBe(true);
    expect(a.reset().value()).toBe(0);
  });
});
