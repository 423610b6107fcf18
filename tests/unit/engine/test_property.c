/*
 * Property test: random order flows (several seeds, tens of thousands of
 * operations over two markets and ten users: deposits, external holds,
 * releases and settlements, every kind of order, cancels and cancel-alls),
 * checking after every step that
 *   - no balance is negative;
 *   - per asset, the sum over all accounts equals deposits - settlements;
 *   - per user and asset, locked equals the holds of the user's open orders
 *     plus the external holds the test placed;
 *   - no book is crossed, and each book equals one rebuilt from the open orders;
 *   - what a call reported (orders, balances) is what the engine now holds;
 * and, at a few points, that an engine rebuilt with restore_* holds the same
 * state and then behaves the same as the original for a while.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine_test.h"

/* Check records the place of every passing ck_assert (a write to a file), which
 * would dominate a test that checks millions of things: fail only when false. */
#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c))                                                                                  \
            ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #c);                                     \
    } while (0)
#define CHECK_MSG(c, ...)                                                                          \
    do {                                                                                           \
        if (!(c))                                                                                  \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

#define USERS     10
#define ASSETS    3
#define MAX_ORDER 40000
#define MAX_OPEN  4096

static const char *const asset_names[ASSETS] = {"AUD", "BTC", "ETH"};
static const char *const pairs[2] = {"BTC-AUD", "ETH-AUD"};

typedef struct model {
    uint64_t rng;
    nax_decimal total[ASSETS];               /* deposits - settlements */
    nax_decimal ext_hold[USERS + 1][ASSETS]; /* holds placed from outside */
    naxd_user_id owner[MAX_ORDER + 1];       /* who placed each order id */
    int64_t mid_ticks[2];
    naxd_order_id next_id;
} model;

static uint64_t next_rand(model *m)
{
    uint64_t z = (m->rng += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static int64_t rand_in(model *m, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_rand(m) % (uint64_t)(hi - lo + 1));
}

static nax_decimal from_int(int64_t coeff, int scale)
{
    nax_decimal d;
    CHECK((nax_decimal_from_int(&d, coeff, scale)) == (0));
    return d;
}

static void add_to(nax_decimal *acc, const nax_decimal *v, int subtract)
{
    if (subtract)
        CHECK((nax_decimal_sub(acc, acc, v)) == (0));
    else
        CHECK((nax_decimal_add(acc, acc, v)) == (0));
}

static int asset_index(const char *name)
{
    for (int a = 0; a < ASSETS; a++) {
        if (strcmp(asset_names[a], name) == 0)
            return a;
    }
    ck_abort_msg("unknown asset %s", name);
    return -1;
}

/* ---- the checks ------------------------------------------------------------------ */

typedef struct open_orders {
    naxd_order_state o[MAX_OPEN];
    size_t n;
} open_orders;

static int collect_open(const naxd_order_state *o, void *arg)
{
    open_orders *l = arg;
    CHECK((l->n) < (MAX_OPEN));
    l->o[l->n++] = *o;
    return 0;
}

static void all_open(const naxd_engine *e, open_orders *l)
{
    l->n = 0;
    for (naxd_user_id u = 1; u <= USERS; u++)
        CHECK((naxd_engine_foreach_open_order(e, u, collect_open, l)) == (0));
}

typedef struct sum_ctx {
    nax_decimal total[ASSETS];
} sum_ctx;

static int sum_balance(naxd_user_id user, const char *asset, const nax_decimal *available,
                       const nax_decimal *locked, void *arg)
{
    sum_ctx *s = arg;
    CHECK_MSG(nax_decimal_sign(available) >= 0 && nax_decimal_sign(locked) >= 0,
              "negative balance of user %llu %s", (unsigned long long)user, asset);
    int a = asset_index(asset);
    add_to(&s->total[a], available, 0);
    add_to(&s->total[a], locked, 0);
    return 0;
}

typedef struct level_ref {
    nax_decimal price, qty;
} level_ref;

static int by_price_desc(const void *a, const void *b)
{
    return -nax_decimal_cmp(&((const level_ref *)a)->price, &((const level_ref *)b)->price);
}

static int by_price_asc(const void *a, const void *b)
{
    return nax_decimal_cmp(&((const level_ref *)a)->price, &((const level_ref *)b)->price);
}

static level_ref refs[MAX_OPEN];
static naxd_level book_bids[MAX_OPEN], book_asks[MAX_OPEN];

/* Levels of one side rebuilt from the open orders, best first; returns the count. */
static size_t rebuild_side(const open_orders *l, const char *pair, nax_side side)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const naxd_order_state *o = &l->o[i];
        if (o->side != side || strcmp(o->pair, pair) != 0)
            continue;
        refs[n].price = o->price;
        CHECK((nax_decimal_sub(&refs[n].qty, &o->quantity, &o->filled)) == (0));
        CHECK((nax_decimal_sign(&refs[n].qty)) > (0));
        n++;
    }
    qsort(refs, n, sizeof refs[0], side == NAX_SIDE_BUY ? by_price_desc : by_price_asc);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (out > 0 && nax_decimal_cmp(&refs[out - 1].price, &refs[i].price) == 0)
            add_to(&refs[out - 1].qty, &refs[i].qty, 0);
        else
            refs[out++] = refs[i];
    }
    return out;
}

static void check_side(const naxd_level *levels, size_t count, const open_orders *l,
                       const char *pair, nax_side side)
{
    size_t n = rebuild_side(l, pair, side);
    CHECK_MSG(n == count, "%s %s: %zu levels, %zu rebuilt", pair,
              side == NAX_SIDE_BUY ? "bids" : "asks", count, n);
    for (size_t i = 0; i < n; i++) {
        CHECK((nax_decimal_cmp(&levels[i].price, &refs[i].price)) == (0));
        CHECK((nax_decimal_cmp(&levels[i].quantity, &refs[i].qty)) == (0));
    }
}

static void check_books(const naxd_engine *e, const open_orders *l)
{
    for (int p = 0; p < 2; p++) {
        size_t nb, na;
        uint64_t seq;
        CHECK((naxd_engine_book(e, pairs[p], MAX_OPEN, book_bids, &nb, book_asks, &na, &seq)) ==
              (0));
        if (nb > 0 && na > 0)
            CHECK_MSG(nax_decimal_cmp(&book_bids[0].price, &book_asks[0].price) < 0,
                      "%s is crossed", pairs[p]);
        check_side(book_bids, nb, l, pairs[p], NAX_SIDE_BUY);
        check_side(book_asks, na, l, pairs[p], NAX_SIDE_SELL);
    }
}

static void check_holds(const naxd_engine *e, const model *m, const open_orders *l)
{
    nax_decimal held[USERS + 1][ASSETS];
    memcpy(held, m->ext_hold, sizeof held);
    for (size_t i = 0; i < l->n; i++) {
        const naxd_order_state *o = &l->o[i];
        CHECK(o->status == NAX_ORDER_STATUS_OPEN || o->status == NAX_ORDER_STATUS_PARTIALLY_FILLED);
        CHECK((o->status == NAX_ORDER_STATUS_OPEN) == (nax_decimal_is_zero(&o->filled)));
        add_to(&held[o->user][asset_index(o->hold_asset)], &o->hold_remaining, 0);
    }
    for (naxd_user_id u = 1; u <= USERS; u++) {
        for (int a = 0; a < ASSETS; a++) {
            nax_decimal avail, locked;
            naxd_engine_balance(e, u, asset_names[a], &avail, &locked);
            char got[NAX_DECIMAL_STRING_MAX], want[NAX_DECIMAL_STRING_MAX];
            nax_decimal_format(got, sizeof got, &locked);
            nax_decimal_format(want, sizeof want, &held[u][a]);
            CHECK_MSG(nax_decimal_cmp(&locked, &held[u][a]) == 0,
                      "user %llu %s: locked %s, holds add up to %s", (unsigned long long)u,
                      asset_names[a], got, want);
        }
    }
}

static void check_exec(const naxd_engine *e, const naxd_exec *x)
{
    for (size_t i = 0; i < x->balances_count; i++) {
        nax_decimal avail, locked;
        naxd_engine_balance(e, x->balances[i].user, x->balances[i].asset, &avail, &locked);
        CHECK((nax_decimal_cmp(&avail, &x->balances[i].available)) == (0));
        CHECK((nax_decimal_cmp(&locked, &x->balances[i].locked)) == (0));
    }
    for (size_t i = 0; i < x->orders_count; i++) {
        const naxd_order_state *o = &x->orders[i], *open = naxd_engine_open_order(e, o->id);
        int is_open =
            o->status == NAX_ORDER_STATUS_OPEN || o->status == NAX_ORDER_STATUS_PARTIALLY_FILLED;
        CHECK((is_open) == (open != NULL));
        if (open)
            CHECK((nax_decimal_cmp(&open->filled, &o->filled)) == (0));
        else
            CHECK(nax_decimal_is_zero(&o->hold_remaining));
    }
    for (size_t i = 0; i < x->fills_count; i++) {
        CHECK(x->fills[i].maker_user != x->fills[i].taker_user);
        CHECK((nax_decimal_sign(&x->fills[i].quantity)) > (0));
    }
}

static open_orders open_now;

static void check_all(const naxd_engine *e, const model *m, const naxd_exec *x)
{
    sum_ctx s;
    memset(&s, 0, sizeof s);
    CHECK((naxd_engine_foreach_balance(e, 0, sum_balance, &s)) == (0));
    for (int a = 0; a < ASSETS; a++)
        CHECK_MSG(nax_decimal_cmp(&s.total[a], &m->total[a]) == 0, "%s is not conserved",
                  asset_names[a]);
    all_open(e, &open_now);
    check_holds(e, m, &open_now);
    check_books(e, &open_now);
    check_exec(e, x);
}

/* ---- the flow ----------------------------------------------------------------------- */

static int do_credit(naxd_engine *e, model *m, naxd_exec *x, naxd_user_id u, int a,
                     const nax_decimal *amount)
{
    int rc = naxd_engine_credit(e, u, asset_names[a], amount, x);
    CHECK((rc) == (0));
    add_to(&m->total[a], amount, 0);
    return rc;
}

/* An amount in (0, v], or 0 when v is zero. */
static nax_decimal part_of(model *m, const nax_decimal *v)
{
    nax_decimal r = from_int(rand_in(m, 1, 100), 2), out;
    CHECK((nax_decimal_mul(&out, v, &r, nax_decimal_scale(v), NAX_ROUND_DOWN)) == (0));
    return out;
}

/* External hold (kind 0), release (1) or settle (2) of a random part, on e
 * and on twin when there is one. */
static void external(naxd_engine *e, naxd_engine *twin, model *m, naxd_exec *x, int kind)
{
    typedef int (*money_fn)(naxd_engine *, naxd_user_id, const char *, const nax_decimal *,
                            naxd_exec *);
    static const money_fn fns[3] = {naxd_engine_hold, naxd_engine_release, naxd_engine_settle};
    naxd_user_id u = (naxd_user_id)rand_in(m, 1, USERS);
    int a = (int)rand_in(m, 0, ASSETS - 1);
    nax_decimal avail, locked;
    naxd_engine_balance(e, u, asset_names[a], &avail, &locked);
    nax_decimal amount = part_of(m, kind == 0 ? &avail : &m->ext_hold[u][a]);
    if (nax_decimal_is_zero(&amount))
        return;
    CHECK((fns[kind](e, u, asset_names[a], &amount, x)) == (0));
    if (twin)
        CHECK((fns[kind](twin, u, asset_names[a], &amount, x)) == (0));
    add_to(&m->ext_hold[u][a], &amount, kind != 0);
    if (kind == 2)
        add_to(&m->total[a], &amount, 1);
}

static naxd_order_spec random_order(model *m)
{
    naxd_order_spec s;
    memset(&s, 0, sizeof s);
    int p = (int)rand_in(m, 0, 1);
    s.id = ++m->next_id;
    s.user = (naxd_user_id)rand_in(m, 1, USERS);
    s.pair = pairs[p];
    s.side = rand_in(m, 0, 1) ? NAX_SIDE_BUY : NAX_SIDE_SELL;
    s.type = rand_in(m, 0, 4) ? NAX_ORDER_TYPE_LIMIT : NAX_ORDER_TYPE_MARKET;
    int64_t t = rand_in(m, 0, 19);
    s.tif = t < 12 ? (t < 6 ? NAX_TIF_NONE : NAX_TIF_GTC) : t < 16 ? NAX_TIF_IOC : NAX_TIF_FOK;
    s.post_only = rand_in(m, 0, 9) == 0;
    s.ts = (int64_t)s.id;
    m->mid_ticks[p] += rand_in(m, -2, 2);
    if (m->mid_ticks[p] < 50)
        m->mid_ticks[p] = 50;
    int64_t ticks = m->mid_ticks[p] + rand_in(m, -12, 12);
    if (p == 0) { /* BTC-AUD: tick 0.01, lot 0.0001 */
        s.price = from_int(ticks, 2);
        s.quantity = from_int(rand_in(m, 50, 2000), 4);
    } else { /* ETH-AUD: tick 0.05, lot 0.001 */
        s.price = from_int(ticks * 5, 2);
        s.quantity = from_int(rand_in(m, 1, 500), 3);
    }
    if (rand_in(m, 0, 49) == 0)
        s.price = from_int(ticks * 10 + 1, 3); /* off the tick */
    if (s.type == NAX_ORDER_TYPE_MARKET)
        memset(&s.price, 0, sizeof s.price);
    m->owner[s.id] = s.user;
    return s;
}

/* One random operation on e (and the same on twin, when not NULL). */
static void random_step(naxd_engine *e, naxd_engine *twin, model *m, naxd_exec *x, naxd_exec *y)
{
    int64_t r = rand_in(m, 0, 99);
    int rc, rc2 = 0;
    if (r < 3) {
        naxd_user_id u = (naxd_user_id)rand_in(m, 1, USERS);
        int a = (int)rand_in(m, 0, ASSETS - 1);
        nax_decimal amount = from_int(rand_in(m, 1, 100000), (int)rand_in(m, 0, 4));
        do_credit(e, m, x, u, a, &amount);
        if (twin)
            CHECK((naxd_engine_credit(twin, u, asset_names[a], &amount, y)) == (0));
        return;
    }
    if (r < 7) {
        external(e, twin, m, x, (int)(r - 3) % 3);
        return;
    }
    if (r < 70) {
        naxd_order_spec s = random_order(m);
        rc = naxd_engine_place(e, &s, x);
        if (twin)
            rc2 = naxd_engine_place(twin, &s, y);
    } else if (r < 96) {
        if (m->next_id == 0)
            return;
        naxd_order_id id = (naxd_order_id)rand_in(
            m, m->next_id > 300 ? (int64_t)m->next_id - 300 : 1, (int64_t)m->next_id);
        naxd_user_id u = rand_in(m, 0, 4) ? m->owner[id] : (naxd_user_id)rand_in(m, 1, USERS);
        rc = naxd_engine_cancel(e, u, id, (int64_t)m->next_id, x);
        CHECK(rc == 0 || rc == NAX_ENOTFOUND);
        if (twin)
            rc2 = naxd_engine_cancel(twin, u, id, (int64_t)m->next_id, y);
    } else {
        naxd_user_id u = (naxd_user_id)rand_in(m, 1, USERS);
        const char *pair = rand_in(m, 0, 1) ? NULL : pairs[rand_in(m, 0, 1)];
        rc = naxd_engine_cancel_all(e, u, pair, (int64_t)m->next_id, x);
        if (twin)
            rc2 = naxd_engine_cancel_all(twin, u, pair, (int64_t)m->next_id, y);
    }
    CHECK(rc == 0 || rc == NAX_ENOTFOUND);
    if (twin == NULL)
        return;
    /* The twin must do exactly the same. */
    CHECK((rc) == (rc2));
    CHECK((x->refusal) == (y->refusal));
    CHECK((x->orders_count) == (y->orders_count));
    CHECK((x->fills_count) == (y->fills_count));
    CHECK((x->balances_count) == (y->balances_count));
    for (size_t i = 0; i < x->orders_count; i++) {
        CHECK((x->orders[i].id) == (y->orders[i].id));
        CHECK((x->orders[i].status) == (y->orders[i].status));
        CHECK((nax_decimal_cmp(&x->orders[i].filled, &y->orders[i].filled)) == (0));
    }
    for (size_t i = 0; i < x->fills_count; i++) {
        CHECK((x->fills[i].trade_seq) == (y->fills[i].trade_seq));
        CHECK((x->fills[i].maker_order) == (y->fills[i].maker_order));
        CHECK((nax_decimal_cmp(&x->fills[i].taker_fee, &y->fills[i].taker_fee)) == (0));
    }
    for (size_t i = 0; i < x->balances_count; i++) {
        CHECK((x->balances[i].user) == (y->balances[i].user));
        CHECK((nax_decimal_cmp(&x->balances[i].available, &y->balances[i].available)) == (0));
        CHECK((nax_decimal_cmp(&x->balances[i].locked, &y->balances[i].locked)) == (0));
    }
}

/* ---- restore ------------------------------------------------------------------------ */

static int copy_balance(naxd_user_id user, const char *asset, const nax_decimal *available,
                        const nax_decimal *locked, void *arg)
{
    return naxd_engine_restore_balance(arg, user, asset, available, locked);
}

static int by_id(const void *a, const void *b)
{
    naxd_order_id x = ((const naxd_order_state *)a)->id, y = ((const naxd_order_state *)b)->id;
    return (x > y) - (x < y);
}

typedef struct balance_text {
    char text[8192];
    size_t len;
} balance_text;

static int print_balance(naxd_user_id user, const char *asset, const nax_decimal *available,
                         const nax_decimal *locked, void *arg)
{
    balance_text *t = arg;
    char a[NAX_DECIMAL_STRING_MAX], l[NAX_DECIMAL_STRING_MAX];
    nax_decimal_format(a, sizeof a, available);
    nax_decimal_format(l, sizeof l, locked);
    t->len += (size_t)snprintf(t->text + t->len, sizeof t->text - t->len, "%llu %s %s %s\n",
                               (unsigned long long)user, asset, a, l);
    CHECK((t->len) < (sizeof t->text));
    return 0;
}

static naxd_engine *restored_copy(const naxd_engine *e, uint64_t next_trade_seq)
{
    naxd_engine *r = NULL;
    CHECK((naxd_engine_new(&r, FEE_ACCOUNT)) == (0));
    add_markets(r);
    CHECK((naxd_engine_foreach_balance(e, 0, copy_balance, r)) == (0));
    static open_orders l;
    all_open(e, &l);
    qsort(l.o, l.n, sizeof l.o[0], by_id); /* ids rise with time: original priority */
    for (size_t i = 0; i < l.n; i++)
        CHECK((naxd_engine_restore_order(r, &l.o[i])) == (0));
    naxd_engine_restore_trade_seq(r, next_trade_seq);

    static balance_text a, b;
    a.len = b.len = 0;
    naxd_engine_foreach_balance(e, 0, print_balance, &a);
    naxd_engine_foreach_balance(r, 0, print_balance, &b);
    ck_assert_str_eq(a.text, b.text);
    for (int p = 0; p < 2; p++) {
        static book_snap x, y;
        snap_book(e, pairs[p], &x);
        snap_book(r, pairs[p], &y);
        CHECK(books_equal(&x, &y));
    }
    return r;
}

static uint64_t last_trade_seq;

static void run_seed(uint64_t seed, int steps)
{
    static model m;
    memset(&m, 0, sizeof m);
    m.rng = seed;
    m.mid_ticks[0] = 10000; /* 100.00 */
    m.mid_ticks[1] = 400;   /* 20.00 */
    naxd_engine *e = new_engine();
    naxd_exec x, y;
    naxd_exec_init(&x);
    naxd_exec_init(&y);
    for (naxd_user_id u = 1; u <= USERS; u++) {
        static const char *initial[ASSETS] = {"10000", "100", "500"};
        for (int a = 0; a < ASSETS; a++) {
            nax_decimal amount = dec(initial[a]);
            do_credit(e, &m, &x, u, a, &amount);
        }
    }
    size_t fills = 0, rested = 0;
    for (int i = 0; i < steps; i++) {
        naxd_engine *twin = NULL;
        if (i > 0 && i % (steps / 4) == 0) {
            /* Rebuild from what a store would hold, then run both side by side. */
            twin = restored_copy(e, last_trade_seq + 1);
            for (int j = 0; j < 300; j++, i++) {
                random_step(e, twin, &m, &x, &y);
                for (size_t f = 0; f < x.fills_count; f++)
                    last_trade_seq = x.fills[f].trade_seq;
                check_all(e, &m, &x);
            }
            naxd_engine_free(twin);
            continue;
        }
        random_step(e, NULL, &m, &x, &y);
        for (size_t f = 0; f < x.fills_count; f++)
            last_trade_seq = x.fills[f].trade_seq;
        fills += x.fills_count;
        rested += x.orders_count > 0 && x.orders[0].status == NAX_ORDER_STATUS_OPEN;
        check_all(e, &m, &x);
    }
    /* The flow must have exercised matching, not only refusals. */
    CHECK((fills) > ((size_t)steps / 10));
    CHECK((rested) > ((size_t)steps / 20));
    naxd_exec_dispose(&x);
    naxd_exec_dispose(&y);
    naxd_engine_free(e);
}

START_TEST(random_flows_keep_the_invariants)
{
    static const uint64_t seeds[] = {1, 0x6e61782d656e67, 20261121, 0xdeadbeef};
    last_trade_seq = 0;
    run_seed(seeds[_i], 25000);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("engine_property");
    TCase *tc = tcase_create("property");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, random_flows_keep_the_invariants, 0, 4);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
