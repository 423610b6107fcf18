#!/usr/bin/python3
"""Cross-check libnax decimals against Python's decimal module.

Generates random cases (all operations, all rounding modes, random scales,
zeros, negatives, small and near-38-digit values, exact ties), computes the
expected result of each with `decimal` at 200 digits of precision, and pipes
them to the C harness, which runs libnax and compares every case.

    decimal_crosscheck.py HARNESS [--cases N] [--seed S]

NAX_DECIMAL_SEED and NAX_DECIMAL_CASES override the defaults. The seed is
printed so a failure can be replayed.
"""

import argparse
import decimal
import os
import random
import subprocess
import sys
from collections import Counter
from decimal import Decimal

MAX_DIGITS = 38
MAX_SCALE = 18
MAX_COEFF = 10**MAX_DIGITS - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

# nax_rounding values, in enum order.
MODES = [
    decimal.ROUND_DOWN,
    decimal.ROUND_HALF_EVEN,
    decimal.ROUND_UP,
    decimal.ROUND_HALF_UP,
    decimal.ROUND_FLOOR,
    decimal.ROUND_CEILING,
]

# Exact for every operation here: products have at most 76 digits, and a
# 200-digit quotient is far closer to the exact one than any rounding
# boundary (quotients have denominators below 10^57).
CTX = decimal.Context(
    prec=200,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=999999,
    Emin=-999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
decimal.setcontext(CTX)

OVERFLOW = "!EOVERFLOW"
DIVZERO = "!EDIVZERO"
EINVAL = "!EINVAL"


# ---- values ----------------------------------------------------------------


class Value:
    """A decimal operand: sign, coefficient and scale, as libnax stores it."""

    __slots__ = ("negative", "coeff", "scale")

    def __init__(self, negative, coeff, scale):
        self.negative = negative and coeff != 0
        self.coeff = coeff
        self.scale = scale

    def dec(self):
        return Decimal((1 if self.negative else 0, tuple(map(int, str(self.coeff))), -self.scale))

    def text(self):
        return canonical_parts(self.negative, self.coeff, self.scale)


def canonical_parts(negative, coeff, scale):
    digits = str(coeff).rjust(scale + 1, "0")
    body = digits[: len(digits) - scale] + ("." + digits[len(digits) - scale :] if scale else "")
    return ("-" if negative and coeff else "") + body


def canonical(d, scale):
    """Text of d at the given scale, or the overflow marker past 38 digits."""
    q = d.quantize(Decimal(1).scaleb(-scale), rounding=decimal.ROUND_DOWN)
    if q != d:
        raise AssertionError(f"{d} is not exact at scale {scale}")
    sign, digits, _ = q.as_tuple()
    coeff = int("".join(map(str, digits)))
    if coeff > MAX_COEFF:
        return OVERFLOW
    return canonical_parts(sign == 1, coeff, scale)


SPECIAL = [
    MAX_COEFF,
    10**37,
    10**19,
    10**19 - 1,
    2**64 - 1,
    2**64,
    2**64 + 1,
    2**126,
    2**126 - 1,
    5 * 10**37,
    1,
    5,
    25,
    125,
]


def random_coeff(rng):
    kind = rng.random()
    if kind < 0.08:
        return 0
    if kind < 0.40:
        return rng.randint(1, 10 ** rng.randint(1, 8))
    if kind < 0.65:
        n = rng.randint(9, 26)
        return rng.randrange(10 ** (n - 1), 10**n)
    if kind < 0.90:
        n = rng.randint(33, 38)
        return rng.randrange(10 ** (n - 1), 10**n)
    return rng.choice(SPECIAL)


def random_value(rng, scale=None):
    coeff = random_coeff(rng)
    if rng.random() < 0.15:
        # Trailing 5s and 50s make exact ties when rounding drops digits.
        coeff = (coeff * 10 + 5) * 10 ** rng.randint(0, 2)
        while coeff > MAX_COEFF:
            coeff //= 10
    if scale is None:
        scale = rng.randint(0, MAX_SCALE)
    return Value(rng.random() < 0.5, coeff, scale)


def random_scale(rng, near=None):
    """A result scale: mostly in range, near an operand's scale half the time."""
    if rng.random() < 0.01:
        return rng.choice([-1, MAX_SCALE + 1, 40])
    if near is not None and rng.random() < 0.5:
        return max(0, min(MAX_SCALE, near + rng.randint(-3, 3)))
    return rng.randint(0, MAX_SCALE)


def random_mode(rng):
    if rng.random() < 0.005:
        return rng.choice([-1, 6, 100])
    return rng.randrange(len(MODES))


def bad_args(scale, mode):
    return not 0 <= scale <= MAX_SCALE or not 0 <= mode < len(MODES)


# ---- expected results ----------------------------------------------------------


def round_to(d, scale, mode):
    return canonical(d.quantize(Decimal(1).scaleb(-scale), rounding=MODES[mode]), scale)


def case_add(rng, op):
    a, b = random_value(rng), random_value(rng)
    if rng.random() < 0.1:
        b = Value(not a.negative, a.coeff, rng.randint(0, MAX_SCALE))  # near-cancellation
    exact = a.dec() + b.dec() if op == "add" else a.dec() - b.dec()
    return [a.text(), b.text()], canonical(exact, max(a.scale, b.scale))


def case_mul(rng, _op):
    a, b = random_value(rng), random_value(rng)
    scale, mode = random_scale(rng, a.scale + b.scale), random_mode(rng)
    if bad_args(scale, mode):
        expected = EINVAL
    else:
        expected = round_to(a.dec() * b.dec(), scale, mode)
    return [a.text(), b.text(), str(scale), str(mode)], expected


def tie_dividend(rng, b, scale):
    """a with a / b exactly halfway between two values at `scale`."""
    q = rng.randint(0, 10**6)
    a = (b.dec() * (2 * q + 1) / 2).scaleb(-scale)
    _, digits, exp = a.as_tuple()
    if -exp > MAX_SCALE or len(digits) > MAX_DIGITS:
        return None
    return Value(rng.random() < 0.5, int("".join(map(str, digits))), max(0, -exp))


def case_div(rng, _op):
    a, b = random_value(rng), random_value(rng)
    scale, mode = random_scale(rng, a.scale), random_mode(rng)
    if rng.random() < 0.1 and b.coeff and not bad_args(scale, mode):
        a = tie_dividend(rng, b, scale) or a
    if bad_args(scale, mode):
        expected = EINVAL
    elif b.coeff == 0:
        expected = DIVZERO
    else:
        expected = round_to(a.dec() / b.dec(), scale, mode)
    return [a.text(), b.text(), str(scale), str(mode)], expected


def case_rescale(rng, op):
    a = random_value(rng)
    scale, mode = random_scale(rng, a.scale), random_mode(rng)
    if rng.random() < 0.15 and 0 <= scale < a.scale:
        # Force an exact tie: the dropped digits are 5 followed by zeros.
        drop = a.scale - scale
        a.coeff = (a.coeff // 10**drop) * 10**drop + 5 * 10 ** (drop - 1)
        a.coeff = a.coeff if a.coeff <= MAX_COEFF else 5 * 10 ** (drop - 1)
        a.negative = rng.random() < 0.5
    expected = EINVAL if bad_args(scale, mode) else round_to(a.dec(), scale, mode)
    return [a.text(), str(scale), str(mode)], expected


def random_step(rng):
    """Tick and lot sizes: 1, 5, 25 or a random coefficient at a random scale."""
    if rng.random() < 0.6:
        coeff = rng.choice([1, 1, 1, 5, 25, 2, 3, 7])
        return Value(False, coeff, rng.randint(0, MAX_SCALE))
    v = random_value(rng)
    return Value(False, v.coeff, v.scale)


def case_quantize(rng, _op):
    a, step, mode = random_value(rng), random_step(rng), random_mode(rng)
    if rng.random() < 0.03:
        step.negative = step.coeff != 0
    if step.coeff == 0 or step.negative or bad_args(0, mode):
        return [a.text(), step.text(), str(mode)], EINVAL
    count = (a.dec() / step.dec()).to_integral_value(rounding=MODES[mode])
    return [a.text(), step.text(), str(mode)], canonical(count * step.dec(), step.scale)


def case_is_multiple(rng, _op):
    a, step = random_value(rng), random_step(rng)
    if rng.random() < 0.3 and step.coeff:
        # Build a real multiple that fits, or the expectation is almost always 0.
        k = rng.randint(0, 10**6)
        _, digits, exp = (step.dec() * k).as_tuple()
        if len(digits) <= MAX_DIGITS and -exp <= MAX_SCALE:
            a = Value(rng.random() < 0.5, int("".join(map(str, digits))), max(0, -exp))
    if step.coeff == 0:
        return [a.text(), step.text()], EINVAL
    return [a.text(), step.text()], "1" if a.dec() % step.dec() == 0 else "0"


def case_cmp(rng, _op):
    a, b = random_value(rng), random_value(rng)
    if rng.random() < 0.2:
        # Same value at another scale, or a close neighbour.
        shift = rng.randint(0, MAX_SCALE - a.scale)
        coeff = a.coeff * 10**shift + rng.choice([0, 0, 1, -1])
        if 0 <= coeff <= MAX_COEFF:
            b = Value(a.negative, coeff, a.scale + shift)
    x, y = a.dec(), b.dec()
    return [a.text(), b.text()], str((x > y) - (x < y))


def case_normalize(rng, _op):
    a = random_value(rng)
    if rng.random() < 0.5:
        zeros = rng.randint(0, MAX_SCALE - a.scale)
        if a.coeff * 10**zeros <= MAX_COEFF:
            a = Value(a.negative, a.coeff * 10**zeros, a.scale + zeros)
    n = a.dec().normalize(CTX)
    return [a.text()], canonical(n, max(0, -n.as_tuple().exponent) if n else 0)


def case_neg(rng, _op):
    a = random_value(rng)
    return [a.text()], canonical(-a.dec(), a.scale)


def case_fixed(rng, op):
    args, expected = case_rescale(rng, op)
    return args, expected


def case_to_int(rng, _op):
    a = random_value(rng)
    if rng.random() < 0.5:
        a = Value(a.negative, a.coeff % 10 ** rng.randint(1, 20), a.scale)
    scale = random_scale(rng, a.scale)
    if not 0 <= scale <= MAX_SCALE:
        return [a.text(), str(scale)], EINVAL
    v = a.dec().scaleb(scale)
    if v != v.to_integral_value():
        return [a.text(), str(scale)], "!EPARSE"
    n = int(v)
    if not INT64_MIN <= n <= INT64_MAX:
        return [a.text(), str(scale)], OVERFLOW
    return [a.text(), str(scale)], str(n)


def case_from_int(rng, _op):
    choice = rng.random()
    if choice < 0.1:
        n = rng.choice([INT64_MIN, INT64_MAX, 0, -1, 1])
    else:
        n = rng.randint(-(10 ** rng.randint(1, 18)), 10 ** rng.randint(1, 18))
    scale = random_scale(rng)
    if not 0 <= scale <= MAX_SCALE:
        return [str(n), str(scale)], EINVAL
    return [str(n), str(scale)], canonical(Decimal(n).scaleb(-scale), scale)


# ---- parsing ----------------------------------------------------------------------

MUTATION_BYTES = b"0123456789.-+eE x\x00\xff,_"


def ref_parse(text):
    """Reference for nax_decimal_parse: canonical text or !ERROR@offset."""
    n, i = len(text), 0
    digit = lambda k: k < n and 48 <= text[k] <= 57  # noqa: E731
    negative = n > 0 and text[0] == ord("-")
    i += negative
    if not digit(i):
        return f"!EPARSE@{i}"
    positions = []  # offset of every coefficient digit
    if text[i] == ord("0"):
        positions.append(i)
        i += 1
    else:
        while digit(i):
            positions.append(i)
            i += 1
    frac_start = None
    if i < n:
        if text[i] != ord("."):
            return f"!EPARSE@{i}"
        i += 1
        if not digit(i):
            return f"!EPARSE@{i}"
        frac_start = i
        while digit(i):
            positions.append(i)
            i += 1
        if i < n:
            return f"!EPARSE@{i}"
    limits = []
    if frac_start is not None and i - frac_start > MAX_SCALE:
        limits.append(frac_start + MAX_SCALE)
    significant = [p for k, p in enumerate(positions) if any(text[q] != 48 for q in positions[: k + 1])]
    if len(significant) > MAX_DIGITS:
        limits.append(significant[MAX_DIGITS])
    if limits:
        return f"!EOVERFLOW@{min(limits)}"
    body = text.decode()
    if negative and int(body[1:].replace(".", "")) == 0:
        body = body[1:]
    return body


def mutate(rng, text):
    b = bytearray(text)
    for _ in range(rng.randint(1, 2)):
        pos = rng.randint(0, len(b))
        kind = rng.random()
        if kind < 0.3:
            b.insert(pos, rng.choice(MUTATION_BYTES))
        elif kind < 0.55 and b:
            del b[min(pos, len(b) - 1)]
        elif kind < 0.8 and b:
            b[min(pos, len(b) - 1)] = rng.choice(MUTATION_BYTES)
        else:
            del b[pos:]
    return bytes(b)


def long_number(rng):
    """Digit strings around the 38-digit and 18-place limits."""
    whole = str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(rng.randint(0, 42)))
    if rng.random() < 0.3:
        whole = "0"
    text = ("-" if rng.random() < 0.3 else "") + whole
    if rng.random() < 0.7:
        lead = "0" * rng.randint(0, 20) if whole == "0" else ""
        text += "." + lead + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 22)))
    return text.encode()


def case_parse(rng, _op):
    kind = rng.random()
    if kind < 0.35:
        text = random_value(rng).text().encode()
        if rng.random() < 0.1:
            text = b"-" + text.lstrip(b"-")
    elif kind < 0.75:
        text = mutate(rng, random_value(rng).text().encode())
    else:
        text = long_number(rng)
    return [text.hex() or "-"], ref_parse(text)


OPS = [
    ("parse", case_parse, 20),
    ("add", case_add, 8),
    ("sub", case_add, 8),
    ("mul", case_mul, 12),
    ("div", case_div, 12),
    ("rescale", case_rescale, 8),
    ("fixed", case_fixed, 4),
    ("quantize", case_quantize, 8),
    ("ismul", case_is_multiple, 5),
    ("cmp", case_cmp, 5),
    ("norm", case_normalize, 3),
    ("neg", case_neg, 2),
    ("toint", case_to_int, 3),
    ("fromint", case_from_int, 2),
]


def generate(seed, count):
    rng = random.Random(seed)
    names = [name for name, _, _ in OPS]
    makers = {name: maker for name, maker, _ in OPS}
    weights = [w for _, _, w in OPS]
    lines, kinds = [], Counter()
    for case_id in range(count):
        op = rng.choices(names, weights)[0]
        args, expected = makers[op](rng, op)
        lines.append(f"{case_id} {op} {' '.join(args)} {expected}\n")
        kinds[(op, expected.split("@")[0] if expected.startswith("!") else "ok")] += 1
    return "".join(lines), kinds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("harness")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("NAX_DECIMAL_SEED", "20240611")))
    parser.add_argument("--cases", type=int, default=int(os.environ.get("NAX_DECIMAL_CASES", "120000")))
    parser.add_argument("--summary", action="store_true", help="print the case mix")
    args = parser.parse_args()

    print(f"seed {args.seed}, {args.cases} cases (replay with NAX_DECIMAL_SEED={args.seed})")
    cases, kinds = generate(args.seed, args.cases)
    if args.summary:
        for (op, outcome), n in sorted(kinds.items()):
            print(f"  {op:9} {outcome:11} {n}")
    proc = subprocess.run([args.harness], input=cases.encode(), capture_output=True)
    sys.stdout.write(proc.stdout.decode(errors="replace"))
    sys.stderr.write(proc.stderr.decode(errors="replace"))
    if proc.returncode != 0:
        print(f"FAILED: harness exited with {proc.returncode}", file=sys.stderr)
        return 1
    if f"{args.cases} cases, 0 mismatches" not in proc.stdout.decode():
        print("FAILED: the harness did not check every case", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
