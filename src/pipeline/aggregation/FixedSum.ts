/** Number of 1e-8 units in one whole unit (Binance quotes volumes with 8 decimals). */
const SCALE = 100_000_000;
/** The low part is folded into the high part before it can leave the safe-integer range. */
const LOW_LIMIT = 2 ** 52;
/** Largest |units| for which `units / SCALE` is computed exactly from one safe integer. */
const FAST_UNITS = Number.MAX_SAFE_INTEGER;
const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?$/;

/**
 * An exact decimal accumulator at 8 decimal places, for candle volumes and quote
 * volumes that must equal Binance's 8-decimal kline totals to the last digit.
 *
 * The sum is kept as two safe integers, whole units (`hi`) and 1e-8 units
 * (`lo`), so no BigInt is needed on the hot path and the total may far exceed
 * 2^53 units (a day of BTCUSDT quote volume is above 1e17 units). Each added
 * double is first rounded to 8 decimals, so `add(price * qty)` contributes the
 * per-trade quote quantity Binance reports. The result is guaranteed exact when
 * each added double is the nearest double to an 8-decimal value below 2^26
 * (about 6.7e7: per-trade quotes, 1m kline volumes); above that a double cannot
 * always tell neighbouring 1e-8 steps apart, so add such decimals exactly from
 * their text with `addDecimal`.
 */
export class FixedSum {
  private hi = 0;
  private lo = 0;

  /** Adds `value` rounded to 8 decimals (half away from zero). Non-finite values are ignored. */
  add(value: number): this {
    if (!Number.isFinite(value)) return this;
    const whole = Math.trunc(value);
    // value - trunc(value) is exact in binary floating point; only the scaling rounds.
    const frac = value - whole;
    const units = frac < 0 ? -Math.round(-frac * SCALE) : Math.round(frac * SCALE);
    this.hi += whole;
    this.lo += units;
    if (this.lo > LOW_LIMIT || this.lo < -LOW_LIMIT) this.normalise();
    return this;
  }

  /** Adds another exact sum (used to build higher timeframes from lower ones). */
  addFixed(other: FixedSum): this {
    this.hi += other.hi;
    this.lo += other.lo;
    if (this.lo > LOW_LIMIT || this.lo < -LOW_LIMIT) this.normalise();
    return this;
  }

  /** Alias of `addFixed`: merges another sum into this one. */
  merge(other: FixedSum): this {
    return this.addFixed(other);
  }

  /**
   * Adds a decimal written as text (e.g. a Binance kline field such as
   * `"3410122.64046520"`), exactly, truncated beyond 8 decimals.
   * @throws RangeError when the text is not a plain decimal number.
   */
  addDecimal(text: string): this {
    const m = DECIMAL_RE.exec(text.trim());
    if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
      throw new RangeError(`not a decimal number: ${JSON.stringify(text)}`);
    }
    const sign = m[1] === '-' ? -1 : 1;
    const intText = (m[2] ?? '').replace(/^0+/, '');
    if (intText.length > 15) throw new RangeError(`decimal too large for FixedSum: ${text}`);
    const fracText = (m[3] ?? '').slice(0, 8).padEnd(8, '0');
    this.hi += sign * Number(intText);
    this.lo += sign * Number(fracText);
    this.normalise();
    return this;
  }

  /** Empties the sum. */
  reset(): this {
    this.hi = 0;
    this.lo = 0;
    return this;
  }

  /** Replaces this sum by a copy of `other`. */
  copyFrom(other: FixedSum): this {
    this.hi = other.hi;
    this.lo = other.lo;
    return this;
  }

  /** A new sum with the same value. */
  clone(): FixedSum {
    return new FixedSum().copyFrom(this);
  }

  /** True when the sum is exactly zero. */
  isZero(): boolean {
    this.normalise();
    return this.hi === 0 && this.lo === 0;
  }

  /** True when both sums hold the same exact decimal. */
  equals(other: FixedSum): boolean {
    this.normalise();
    other.normalise();
    return this.hi === other.hi && this.lo === other.lo;
  }

  /**
   * The sum as the double nearest to the exact decimal, i.e. the same number as
   * `parseFloat` of Binance's 8-decimal string for this total.
   */
  value(): number {
    if (this.lo === 0) return this.hi;
    const hiUnits = this.hi * SCALE;
    if (Math.abs(this.hi) < FAST_UNITS / SCALE - 1) {
      const units = hiUnits + this.lo;
      // One exact integer divided by an exact power of ten: IEEE division rounds correctly.
      if (Math.abs(units) <= FAST_UNITS) return units / SCALE;
    }
    return Number(this.toString());
  }

  /** The exact decimal with 8 decimals, e.g. `"7564.90685084"` or `"-0.00000001"`. */
  toString(): string {
    this.normalise();
    const { hi, lo } = this;
    if (hi >= 0) return `${hi}.${pad8(lo)}`;
    if (lo === 0) return `-${-hi}.00000000`;
    return `-${-hi - 1}.${pad8(SCALE - lo)}`;
  }

  /** The exact sum in 1e-8 units as a BigInt (for checks and storage, not the hot path). */
  units(): bigint {
    this.normalise();
    return BigInt(this.hi) * BigInt(SCALE) + BigInt(this.lo);
  }

  /** Folds `lo` into `[0, 1e8)` and carries the rest into `hi`; the value is unchanged. */
  private normalise(): void {
    let lo = this.lo;
    if (lo >= 0 && lo < SCALE) return;
    const carry = Math.floor(lo / SCALE);
    let hi = this.hi + carry;
    lo -= carry * SCALE;
    // The quotient may have rounded across an integer; fix by one unit either way.
    if (lo < 0) {
      lo += SCALE;
      hi -= 1;
    } else if (lo >= SCALE) {
      lo -= SCALE;
      hi += 1;
    }
    this.hi = hi;
    this.lo = lo;
  }
}

function pad8(units: number): string {
  const s = String(units);
  return s.length >= 8 ? s : '00000000'.slice(s.length) + s;
}
