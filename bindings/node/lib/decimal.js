'use strict';
// A small exact decimal for money, prices and quantities: a BigInt
// coefficient and a scale (digits after the point), parsed and printed the
// way the API writes them. Never built from a JS number.

const util = require('node:util');

const TEXT = /^(-?)(0|[1-9][0-9]*)(?:\.([0-9]{1,18}))?$/;
const ROUNDINGS = new Set(['down', 'half_even', 'up', 'half_up', 'floor', 'ceiling']);

function pow10(n) {
  return 10n ** BigInt(n);
}

// q = n / d rounded by mode (d > 0n).
function divRound(n, d, mode) {
  let q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  const neg = n < 0n;
  const twice = (r < 0n ? -r : r) * 2n;
  let away;
  switch (mode) {
    case 'down': away = false; break;
    case 'up': away = true; break;
    case 'floor': away = neg; break;
    case 'ceiling': away = !neg; break;
    case 'half_up': away = twice >= d; break;
    case 'half_even': away = twice > d || (twice === d && (q & 1n) !== 0n); break;
    default: throw new TypeError(`unknown rounding ${mode}`);
  }
  if (away) q += neg ? -1n : 1n;
  return q;
}

class Decimal {
  /**
   * @param {string|Decimal|bigint} value a decimal string ("0.00100000"), a
   *   Decimal, or a BigInt integer. A JS number is refused: it cannot hold money exactly.
   */
  constructor(value) {
    if (value instanceof Decimal) {
      this.coef = value.coef;
      this.scale = value.scale;
    } else if (typeof value === 'bigint') {
      this.coef = value;
      this.scale = 0;
    } else if (typeof value === 'string') {
      const m = TEXT.exec(value);
      if (!m) throw new TypeError(`not a decimal: ${JSON.stringify(value)}`);
      const frac = m[3] || '';
      const mag = BigInt(m[2] + frac);
      this.coef = m[1] ? -mag : mag;
      this.scale = frac.length;
    } else {
      throw new TypeError(`a Decimal is made from a string or a BigInt, not a ${typeof value}` +
        (typeof value === 'number' ? ' (money is never a JS number)' : ''));
    }
    Object.freeze(this);
  }

  static from(value) {
    return value instanceof Decimal ? value : new Decimal(value);
  }

  static _make(coef, scale) {
    const d = Object.create(Decimal.prototype);
    d.coef = coef;
    d.scale = scale;
    return Object.freeze(d);
  }

  // Both coefficients at the larger scale.
  static _align(a, b) {
    a = Decimal.from(a);
    b = Decimal.from(b);
    const s = Math.max(a.scale, b.scale);
    return [a.coef * pow10(s - a.scale), b.coef * pow10(s - b.scale), s];
  }

  add(other) {
    const [x, y, s] = Decimal._align(this, other);
    return Decimal._make(x + y, s);
  }

  sub(other) {
    const [x, y, s] = Decimal._align(this, other);
    return Decimal._make(x - y, s);
  }

  /** The exact product (its scale is the sum of both scales). */
  mul(other) {
    const o = Decimal.from(other);
    return Decimal._make(this.coef * o.coef, this.scale + o.scale);
  }

  /** this / other with `scale` digits after the point, rounded by `rounding`. */
  div(other, scale, rounding = 'half_even') {
    const o = Decimal.from(other);
    if (o.coef === 0n) throw new RangeError('division by zero');
    // this.coef/10^a / (o.coef/10^b) * 10^scale
    let n = this.coef * pow10(scale + o.scale);
    let d = o.coef * pow10(this.scale);
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    return Decimal._make(divRound(n, d, rounding), scale);
  }

  /** The value with exactly `scale` digits after the point, rounded by `rounding`. */
  quantize(scale, rounding = 'half_even') {
    if (!ROUNDINGS.has(rounding)) throw new TypeError(`unknown rounding ${rounding}`);
    if (scale >= this.scale) return Decimal._make(this.coef * pow10(scale - this.scale), scale);
    return Decimal._make(divRound(this.coef, pow10(this.scale - scale), rounding), scale);
  }

  /** The nearest multiple of `step` (a tick or lot size) by `rounding`, at the step's scale. */
  roundTo(step, rounding = 'half_even') {
    const st = Decimal.from(step);
    if (st.coef <= 0n) throw new RangeError('step must be positive');
    const [x, y, s] = Decimal._align(this, st);
    return Decimal._make(divRound(x, y, rounding) * y, s).quantize(st.scale, 'down'); // exact: a multiple of step
  }

  cmp(other) {
    const [x, y] = Decimal._align(this, other);
    return x < y ? -1 : x > y ? 1 : 0;
  }

  eq(other) { return this.cmp(other) === 0; }
  lt(other) { return this.cmp(other) < 0; }
  lte(other) { return this.cmp(other) <= 0; }
  gt(other) { return this.cmp(other) > 0; }
  gte(other) { return this.cmp(other) >= 0; }
  isZero() { return this.coef === 0n; }
  isNegative() { return this.coef < 0n; }
  neg() { return Decimal._make(-this.coef, this.scale); }
  abs() { return this.coef < 0n ? this.neg() : this; }

  /** Canonical text with the value's own scale, e.g. "-12.500". */
  toString() {
    const neg = this.coef < 0n;
    let digits = (neg ? -this.coef : this.coef).toString();
    if (this.scale > 0) {
      digits = digits.padStart(this.scale + 1, '0');
      digits = `${digits.slice(0, -this.scale)}.${digits.slice(-this.scale)}`;
    }
    return neg ? `-${digits}` : digits;
  }

  /** JSON.stringify writes a Decimal as its string, as the API wants money. */
  toJSON() {
    return this.toString();
  }

  [util.inspect.custom]() {
    return `Decimal(${this.toString()})`;
  }
}

module.exports = { Decimal };
