/* The balance ledger: assets by id, users with one balance slot per asset,
 * money movement from outside (credit, hold, release, settle) and the list of
 * balances each call changed. */
#include <stdlib.h>

#include "engine_internal.h"

/* ---- assets ---------------------------------------------------------------- */

uint32_t eng_asset_find(const naxd_engine *e, const char *name)
{
    for (uint32_t i = 0; i < e->asset_count; i++) {
        if (strcmp(e->assets[i], name) == 0)
            return i;
    }
    return UINT32_MAX;
}

int eng_asset_intern(naxd_engine *e, const char *name, uint32_t *id)
{
    uint32_t found = eng_asset_find(e, name);
    if (found != UINT32_MAX) {
        *id = found;
        return 0;
    }
    size_t n = e->asset_count;
    char **names = nax__realloc(e->assets, (n + 1) * sizeof *names);
    if (names == NULL)
        return nax__error_oom();
    e->assets = names;
    uint32_t *order = nax__realloc(e->assets_by_name, (n + 1) * sizeof *order);
    if (order == NULL)
        return nax__error_oom();
    e->assets_by_name = order;
    char *copy = nax__strdup(name);
    if (copy == NULL)
        return nax__error_oom();
    names[n] = copy;
    /* Insertion into the name-ordered index: assets are few and rarely added. */
    size_t at = n;
    while (at > 0 && strcmp(names[order[at - 1]], copy) > 0) {
        order[at] = order[at - 1];
        at--;
    }
    order[at] = (uint32_t)n;
    e->asset_count = (uint32_t)(n + 1);
    *id = (uint32_t)n;
    return 0;
}

/* ---- users ----------------------------------------------------------------- */

eng_user *eng_user_find(const naxd_engine *e, naxd_user_id id)
{
    return eng_map_get(&e->users, id);
}

int eng_user_reserve_asset(eng_user *u, uint32_t asset)
{
    if (asset < u->balance_count)
        return 0;
    uint32_t count = asset + 1;
    eng_balance *grown = nax__realloc(u->balances, count * sizeof *grown);
    if (grown == NULL)
        return nax__error_oom();
    memset(grown + u->balance_count, 0, (count - u->balance_count) * sizeof *grown);
    u->balances = grown;
    u->balance_count = count;
    return 0;
}

int eng_user_prepare(naxd_engine *e, naxd_user_id id, uint32_t asset, eng_user **out)
{
    eng_user *u = eng_user_find(e, id);
    if (u == NULL) {
        if (eng_pool_reserve(&e->user_pool, 1) != 0 || eng_map_reserve(&e->users, 1) != 0)
            return nax__error_oom();
        u = eng_pool_take(&e->user_pool);
        memset(u, 0, sizeof *u);
        u->id = id;
        eng_map_put(&e->users, id, u);
    }
    *out = u;
    return asset == UINT32_MAX ? 0 : eng_user_reserve_asset(u, asset);
}

/* ---- what a call changed ----------------------------------------------------- */

void eng_begin(naxd_engine *e, naxd_exec *x)
{
    naxd_exec_reset(x);
    e->touched_count = 0;
    if (++e->stamp == 0) {
        /* Wrapped after 2^32 calls: clear old stamps so none looks current. */
        for (size_t i = 0; i < e->users.capacity; i++) {
            eng_user *u = e->users.slots[i].key ? e->users.slots[i].value : NULL;
            for (uint32_t a = 0; u != NULL && a < u->balance_count; a++)
                u->balances[a].stamp = 0;
        }
        for (size_t i = 0; i < e->market_count; i++)
            e->markets[i]->changed_stamp = 0;
        e->stamp = 1;
    }
}

int eng_reserve_call(naxd_engine *e, naxd_exec *x, size_t orders, size_t fills, size_t balances)
{
    if (balances > e->touched_cap - e->touched_count) {
        size_t want = e->touched_cap ? e->touched_cap : 16;
        while (want - e->touched_count < balances)
            want *= 2;
        eng_touch *grown = nax__realloc(e->touched, want * sizeof *grown);
        if (grown == NULL)
            return nax__error_oom();
        e->touched = grown;
        e->touched_cap = want;
    }
    return eng_exec_reserve(x, orders, fills, balances);
}

eng_balance *eng_touch_balance(naxd_engine *e, eng_user *u, uint32_t asset)
{
    eng_balance *b = &u->balances[asset];
    if (b->stamp != e->stamp) {
        b->stamp = e->stamp;
        e->touched[e->touched_count].user = u;
        e->touched[e->touched_count].asset = asset;
        e->touched_count++;
    }
    b->present = 1;
    return b;
}

void eng_emit_balances(naxd_engine *e, naxd_exec *x)
{
    for (size_t i = 0; i < e->touched_count; i++) {
        const eng_touch *t = &e->touched[i];
        const eng_balance *b = &t->user->balances[t->asset];
        naxd_balance_event *ev = &x->balances[x->balances_count++];
        ev->user = t->user->id;
        ev->asset = e->assets[t->asset];
        ev->available = b->available;
        ev->locked = b->locked;
    }
    e->touched_count = 0;
}

void eng_mark_changed(naxd_engine *e, eng_market *m, naxd_exec *x)
{
    if (m->changed_stamp != e->stamp) {
        m->changed_stamp = e->stamp;
        m->seq++;
    }
    x->book_changed = 1;
}

/* ---- reading balances ---------------------------------------------------------- */

static const eng_balance *find_balance(const naxd_engine *e, naxd_user_id user, const char *asset)
{
    eng_user *u = eng_user_find(e, user);
    uint32_t id = asset ? eng_asset_find(e, asset) : UINT32_MAX;
    if (u == NULL || id == UINT32_MAX || id >= u->balance_count)
        return NULL;
    return &u->balances[id];
}

void naxd_engine_balance(const naxd_engine *e, naxd_user_id user, const char *asset,
                         nax_decimal *available, nax_decimal *locked)
{
    static const nax_decimal zero;
    const eng_balance *b = e ? find_balance(e, user, asset) : NULL;
    if (available != NULL)
        *available = b ? b->available : zero;
    if (locked != NULL)
        *locked = b ? b->locked : zero;
}

typedef int (*balance_fn)(naxd_user_id user, const char *asset, const nax_decimal *available,
                          const nax_decimal *locked, void *arg);

static int each_balance_of(const naxd_engine *e, const eng_user *u, balance_fn fn, void *arg)
{
    for (uint32_t i = 0; i < e->asset_count; i++) {
        uint32_t a = e->assets_by_name[i];
        if (a < u->balance_count && u->balances[a].present &&
            fn(u->id, e->assets[a], &u->balances[a].available, &u->balances[a].locked, arg) != 0)
            return NAX_EUSER;
    }
    return 0;
}

static int by_user_id(const void *a, const void *b)
{
    naxd_user_id x = (*(eng_user *const *)a)->id, y = (*(eng_user *const *)b)->id;
    return (x > y) - (x < y);
}

int naxd_engine_foreach_balance(const naxd_engine *e, naxd_user_id user, balance_fn fn, void *arg)
{
    if (e == NULL || fn == NULL)
        return nax__error(NAX_EINVAL, "foreach_balance: NULL argument");
    if (user != 0) {
        eng_user *u = eng_user_find(e, user);
        return u ? each_balance_of(e, u, fn, arg) : 0;
    }
    if (e->users.count == 0)
        return 0;
    eng_user **all = nax__malloc(e->users.count * sizeof *all);
    if (all == NULL)
        return nax__error_oom();
    size_t n = 0;
    for (size_t i = 0; i < e->users.capacity; i++) {
        if (e->users.slots[i].key != 0)
            all[n++] = e->users.slots[i].value;
    }
    qsort(all, n, sizeof *all, by_user_id);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = each_balance_of(e, all[i], fn, arg);
    nax__free(all);
    return rc;
}

/* ---- money from outside --------------------------------------------------------- */

typedef enum money_op { MONEY_CREDIT, MONEY_HOLD, MONEY_RELEASE, MONEY_SETTLE } money_op;

static int move_money(naxd_engine *e, naxd_user_id user, const char *asset,
                      const nax_decimal *amount, naxd_exec *x, money_op op)
{
    static const char *const names[] = {"credit", "hold", "release", "settle"};
    if (e == NULL || x == NULL || asset == NULL || *asset == '\0' || amount == NULL || user == 0)
        return nax__error(NAX_EINVAL, "%s: invalid argument", names[op]);
    eng_begin(e, x);
    if (!nax__dec_valid(amount) || nax_decimal_sign(amount) <= 0)
        return nax__error(NAX_EINVAL, "%s: amount must be greater than zero", names[op]);

    uint32_t id;
    eng_user *u;
    int rc = eng_asset_intern(e, asset, &id);
    if (rc == 0)
        rc = eng_user_prepare(e, user, id, &u);
    if (rc == 0)
        rc = eng_reserve_call(e, x, 0, 0, 1);
    if (rc != 0)
        return rc;

    eng_balance *b = &u->balances[id];
    nax_decimal available = b->available, locked = b->locked;
    const nax_decimal *short_of = op == MONEY_HOLD ? &available : &locked;
    if (op != MONEY_CREDIT && nax__dec_cmp(short_of, amount) < 0) {
        x->refusal = NAXD_REFUSE_INSUFFICIENT_FUNDS;
        return nax__error(NAX_EINVAL, "%s: insufficient %s balance", names[op],
                          op == MONEY_HOLD ? "available" : "locked");
    }
    switch (op) {
    case MONEY_CREDIT: rc = nax__dec_add(&available, &available, amount, 0); break;
    case MONEY_HOLD:
        rc = nax__dec_add(&available, &available, amount, 1);
        rc = rc ? rc : nax__dec_add(&locked, &locked, amount, 0);
        break;
    case MONEY_RELEASE:
        rc = nax__dec_add(&locked, &locked, amount, 1);
        rc = rc ? rc : nax__dec_add(&available, &available, amount, 0);
        break;
    case MONEY_SETTLE: rc = nax__dec_add(&locked, &locked, amount, 1); break;
    }
    if (rc != 0)
        return nax__error(NAX_EOVERFLOW, "%s: balance out of the decimal range", names[op]);
    b = eng_touch_balance(e, u, id);
    b->available = available;
    b->locked = locked;
    eng_emit_balances(e, x);
    return 0;
}

int naxd_engine_credit(naxd_engine *e, naxd_user_id user, const char *asset,
                       const nax_decimal *amount, naxd_exec *x)
{
    return move_money(e, user, asset, amount, x, MONEY_CREDIT);
}

int naxd_engine_hold(naxd_engine *e, naxd_user_id user, const char *asset,
                     const nax_decimal *amount, naxd_exec *x)
{
    return move_money(e, user, asset, amount, x, MONEY_HOLD);
}

int naxd_engine_release(naxd_engine *e, naxd_user_id user, const char *asset,
                        const nax_decimal *amount, naxd_exec *x)
{
    return move_money(e, user, asset, amount, x, MONEY_RELEASE);
}

int naxd_engine_settle(naxd_engine *e, naxd_user_id user, const char *asset,
                       const nax_decimal *amount, naxd_exec *x)
{
    return move_money(e, user, asset, amount, x, MONEY_SETTLE);
}
