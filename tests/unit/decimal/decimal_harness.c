/*
 * Cross-check harness: reads cases with expected results (computed by
 * Python's decimal module, see decimal_crosscheck.py) from stdin, one per
 * line, runs each through libnax and compares. Prints the first mismatches
 * and a summary; exits non-zero on any mismatch or malformed line.
 *
 * Line: <id> <op> <operands...> <expected>
 *   expected is a canonical decimal, an integer, or !<ERROR>[@offset].
 * Odd ids write the result over the first operand to exercise aliasing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nax.h"

#define MAX_TOKENS   8
#define MAX_REPORTED 10
#define RESULT_MAX   128

typedef struct harness {
    unsigned long cases;
    unsigned long mismatches;
} harness;

typedef struct test_case {
    unsigned long id;
    const char *op;
    const char *arg[MAX_TOKENS];
    int nargs; /* operands, without id, op and expected */
    const char *expected;
} test_case;

static const char *error_name(int code)
{
    switch (code) {
    case NAX_EINVAL: return "EINVAL";
    case NAX_EBUFSIZE: return "EBUFSIZE";
    case NAX_EOVERFLOW: return "EOVERFLOW";
    case NAX_EDIVZERO: return "EDIVZERO";
    case NAX_EPARSE: return "EPARSE";
    default: return "E?";
    }
}

/* Operands are canonical text from the generator; they must parse. */
static int operand(nax_decimal *out, const char *text)
{
    return nax_decimal_parse(out, text, strlen(text), NULL);
}

static void describe_decimal(char *out, const nax_decimal *d)
{
    int n = nax_decimal_format(out, RESULT_MAX, d);
    if (n < 0)
        snprintf(out, RESULT_MAX, "<invalid value: %s>", error_name(n));
}

/* Describes a failure, and checks it was also recorded as the last error. */
static void describe_error(char *out, int rc)
{
    const nax_error *e = nax_error_last();
    if (e->code != rc)
        snprintf(out, RESULT_MAX, "!%s (but nax_error_last says %d)", error_name(rc), e->code);
    else
        snprintf(out, RESULT_MAX, "!%s", error_name(rc));
}

/* A failed call must leave its output as it was. */
static void describe_failure(char *out, int rc, const nax_decimal *result,
                             const nax_decimal *before)
{
    describe_error(out, rc);
    if (memcmp(result, before, sizeof *result) != 0)
        strncat(out, " (output changed)", RESULT_MAX - strlen(out) - 1);
}

static int parse_int(const char *text, long long *out)
{
    char *end;
    *out = strtoll(text, &end, 10);
    return *end == '\0' && end != text;
}

/* ---- one function per family of operations ---- */

static int run_parse(const test_case *c, char *result)
{
    unsigned char bytes[256];
    /* "-" stands for the empty text. */
    size_t len = strcmp(c->arg[0], "-") == 0 ? 0 : strlen(c->arg[0]) / 2;
    if (len > sizeof bytes)
        return -1;
    for (size_t i = 0; i < len; i++) {
        unsigned v;
        if (sscanf(c->arg[0] + 2 * i, "%2x", &v) != 1)
            return -1;
        bytes[i] = (unsigned char)v;
    }
    nax_decimal d, before;
    nax_decimal_from_int(&d, -31, 1);
    before = d;
    size_t offset = (size_t)-1;
    int rc = nax_decimal_parse(&d, (const char *)bytes, len, &offset);
    if (rc == 0) {
        describe_decimal(result, &d);
        return 0;
    }
    describe_failure(result, rc, &d, &before);
    char at[32];
    snprintf(at, sizeof at, "@%zu", offset);
    strncat(result, at, RESULT_MAX - strlen(result) - 1);
    return 0;
}

typedef int (*rounded_binary)(nax_decimal *, const nax_decimal *, const nax_decimal *, int,
                              nax_rounding);

/* Integer operands (scale, mode) that follow `first` decimal operands. */
static int int_operands(const test_case *c, int first, long long *ints)
{
    for (int i = first; i < c->nargs; i++)
        if (!parse_int(c->arg[i], &ints[i - first]))
            return -1;
    return 0;
}

/* Binary operations that produce a decimal; aliasing on odd ids. */
static int run_binary(const test_case *c, char *result)
{
    nax_decimal a, b, out;
    long long ints[2] = {0, 0};
    if (operand(&a, c->arg[0]) || operand(&b, c->arg[1]) || int_operands(c, 2, ints))
        return -1;
    nax_decimal *target = (c->id & 1) ? &a : &out;
    nax_decimal_from_int(&out, 77, 3);
    nax_decimal before = *target;
    int rc;
    if (strcmp(c->op, "add") == 0)
        rc = nax_decimal_add(target, &a, &b);
    else if (strcmp(c->op, "sub") == 0)
        rc = nax_decimal_sub(target, &a, &b);
    else if (strcmp(c->op, "quantize") == 0)
        rc = nax_decimal_quantize(target, &a, &b, (nax_rounding)ints[0]);
    else {
        rounded_binary op = strcmp(c->op, "mul") == 0 ? nax_decimal_mul : nax_decimal_div;
        rc = op(target, &a, &b, (int)ints[0], (nax_rounding)ints[1]);
    }
    if (rc == 0)
        describe_decimal(result, target);
    else
        describe_failure(result, rc, target, &before);
    return 0;
}

/* Unary operations that produce a decimal; aliasing on odd ids. */
static int run_unary(const test_case *c, char *result)
{
    nax_decimal a, out;
    long long ints[2] = {0, 0};
    if (operand(&a, c->arg[0]) || int_operands(c, 1, ints))
        return -1;
    nax_decimal *target = (c->id & 1) ? &a : &out;
    nax_decimal_from_int(&out, 77, 3);
    nax_decimal before = *target;
    int rc;
    if (strcmp(c->op, "rescale") == 0)
        rc = nax_decimal_rescale(target, &a, (int)ints[0], (nax_rounding)ints[1]);
    else if (strcmp(c->op, "norm") == 0)
        rc = nax_decimal_normalize(target, &a);
    else
        rc = nax_decimal_neg(target, &a);
    if (rc == 0)
        describe_decimal(result, target);
    else
        describe_failure(result, rc, target, &before);
    return 0;
}

static int run_fixed(const test_case *c, char *result)
{
    nax_decimal a;
    long long scale, mode;
    if (operand(&a, c->arg[0]) || !parse_int(c->arg[1], &scale) || !parse_int(c->arg[2], &mode))
        return -1;
    char buf[NAX_DECIMAL_STRING_MAX];
    int n = nax_decimal_format_fixed(buf, sizeof buf, &a, (int)scale, (nax_rounding)mode);
    if (n < 0)
        describe_error(result, n);
    else if ((size_t)n != strlen(buf))
        snprintf(result, RESULT_MAX, "%s (length %d)", buf, n);
    else
        snprintf(result, RESULT_MAX, "%s", buf);
    return 0;
}

static int run_query(const test_case *c, char *result)
{
    nax_decimal a, b;
    if (operand(&a, c->arg[0]) || operand(&b, c->arg[1]))
        return -1;
    int v = strcmp(c->op, "cmp") == 0 ? nax_decimal_cmp(&a, &b) : nax_decimal_is_multiple(&a, &b);
    if (v < -1)
        describe_error(result, v);
    else
        snprintf(result, RESULT_MAX, "%d", v);
    return 0;
}

static int run_toint(const test_case *c, char *result)
{
    nax_decimal a;
    long long scale;
    if (operand(&a, c->arg[0]) || !parse_int(c->arg[1], &scale))
        return -1;
    int64_t v = 12345;
    int rc = nax_decimal_to_int(&v, &a, (int)scale);
    if (rc == 0)
        snprintf(result, RESULT_MAX, "%lld", (long long)v);
    else if (v != 12345)
        snprintf(result, RESULT_MAX, "!%s (output changed)", error_name(rc));
    else
        describe_error(result, rc);
    return 0;
}

static int run_fromint(const test_case *c, char *result)
{
    long long coefficient, scale;
    if (!parse_int(c->arg[0], &coefficient) || !parse_int(c->arg[1], &scale))
        return -1;
    nax_decimal out, before;
    nax_decimal_from_int(&out, 5, 0);
    before = out;
    int rc = nax_decimal_from_int(&out, (int64_t)coefficient, (int)scale);
    if (rc == 0)
        describe_decimal(result, &out);
    else
        describe_failure(result, rc, &out, &before);
    return 0;
}

/* Operand counts: decimals first, then scale and/or mode. */
typedef struct op_entry {
    const char *name;
    int nargs;
    int (*run)(const test_case *, char *);
} op_entry;

static const op_entry ops[] = {
    {"parse", 1, run_parse},   {"add", 2, run_binary},      {"sub", 2, run_binary},
    {"mul", 4, run_binary},    {"div", 4, run_binary},      {"quantize", 3, run_binary},
    {"rescale", 3, run_unary}, {"norm", 1, run_unary},      {"neg", 1, run_unary},
    {"fixed", 3, run_fixed},   {"cmp", 2, run_query},       {"ismul", 2, run_query},
    {"toint", 2, run_toint},   {"fromint", 2, run_fromint},
};

static const op_entry *find_op(const char *name)
{
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0)
            return &ops[i];
    return NULL;
}

static int split(char *line, char **tokens, int max)
{
    int n = 0;
    for (char *save = NULL, *t = strtok_r(line, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
        if (n < max)
            tokens[n++] = t;
        else
            return -1;
    return n;
}

static void report(harness *h, const char *line, const char *got, const char *expected)
{
    h->mismatches++;
    if (h->mismatches <= MAX_REPORTED)
        fprintf(stderr, "MISMATCH %s\n    got      %s\n    expected %s\n", line, got, expected);
}

static int run_line(harness *h, char *line)
{
    char copy[1024];
    snprintf(copy, sizeof copy, "%s", line);
    copy[strcspn(copy, "\n")] = '\0';

    char *tokens[MAX_TOKENS + 3];
    int n = split(line, tokens, MAX_TOKENS + 3);
    if (n == 0)
        return 0;
    const op_entry *op = n >= 3 ? find_op(tokens[1]) : NULL;
    if (!op || n != op->nargs + 3) {
        fprintf(stderr, "malformed case: %s\n", copy);
        return -1;
    }
    test_case c = {.op = op->name, .nargs = op->nargs, .expected = tokens[n - 1]};
    c.id = strtoul(tokens[0], NULL, 10);
    for (int i = 0; i < op->nargs; i++)
        c.arg[i] = tokens[2 + i];

    char got[RESULT_MAX] = "";
    if (op->run(&c, got) != 0) {
        fprintf(stderr, "unusable operands: %s\n", copy);
        return -1;
    }
    h->cases++;
    if (strcmp(got, c.expected) != 0)
        report(h, copy, got, c.expected);
    return 0;
}

int main(void)
{
    harness h = {0, 0};
    char line[1024];
    while (fgets(line, sizeof line, stdin)) {
        if (run_line(&h, line) != 0)
            return 2;
    }
    printf("decimal cross-check: %lu cases, %lu mismatches\n", h.cases, h.mismatches);
    return h.mismatches ? 1 : 0;
}
