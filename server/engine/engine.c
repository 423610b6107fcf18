/* Engine lifecycle and market configuration. */
#include "engine_internal.h"

int naxd_engine_new(naxd_engine **out, naxd_user_id fee_account)
{
    if (out == NULL || fee_account == 0)
        return nax__error(NAX_EINVAL, "engine_new: NULL out or fee account 0");
    naxd_engine *e = nax__calloc(1, sizeof *e);
    if (e == NULL)
        return nax__error_oom();
    e->fee_account = fee_account;
    e->next_trade_seq = 1;
    e->rng = UINT64_C(0x2545F4914F6CDD1D);
    eng_pool_init(&e->user_pool, sizeof(eng_user));
    eng_pool_init(&e->order_pool, sizeof(eng_order));
    eng_pool_init(&e->level_pool, sizeof(eng_level));
    *out = e;
    return 0;
}

static void market_free(eng_market *m)
{
    if (m == NULL)
        return;
    nax__free((char *)m->spec.pair);
    nax__free((char *)m->spec.base);
    nax__free((char *)m->spec.quote);
    eng_side_dispose(&m->bids);
    eng_side_dispose(&m->asks);
    nax__free(m);
}

void naxd_engine_free(naxd_engine *e)
{
    if (e == NULL)
        return;
    for (size_t i = 0; i < e->market_count; i++)
        market_free(e->markets[i]);
    nax__free(e->markets);
    for (size_t i = 0; i < e->users.capacity; i++) {
        if (e->users.slots[i].key != 0)
            nax__free(((eng_user *)e->users.slots[i].value)->balances);
    }
    for (uint32_t i = 0; i < e->asset_count; i++)
        nax__free(e->assets[i]);
    nax__free(e->assets);
    nax__free(e->assets_by_name);
    eng_map_dispose(&e->users);
    eng_map_dispose(&e->orders);
    eng_pool_dispose(&e->user_pool);
    eng_pool_dispose(&e->order_pool);
    eng_pool_dispose(&e->level_pool);
    nax__free(e->touched);
    nax__free(e);
}

naxd_user_id naxd_engine_fee_account(const naxd_engine *e)
{
    return e ? e->fee_account : 0;
}

eng_market *eng_market_find(const naxd_engine *e, const char *pair)
{
    for (size_t i = 0; i < e->market_count; i++) {
        if (strcmp(e->markets[i]->spec.pair, pair) == 0)
            return e->markets[i];
    }
    return NULL;
}

/* A step (tick or lot): > 0 with a coefficient that fits 63 bits. */
static int step_ok(const nax_decimal *d, uint64_t *coeff)
{
    if (!nax__dec_valid(d) || d->negative || d->hi != 0 || d->lo == 0 || d->lo > INT64_MAX)
        return 0;
    *coeff = d->lo;
    return 1;
}

/* A fee rate in [0, 1). */
static int rate_ok(const nax_decimal *d, eng_rate *rate)
{
    static const nax_decimal one = {1, 0, 0, 0, {0}};
    if (!nax__dec_valid(d) || d->negative || nax__dec_cmp(d, &one) >= 0)
        return 0;
    rate->coeff = nax__dec_mag(d);
    rate->scale = d->scale;
    return 1;
}

static int text_ok(const char *s)
{
    return s != NULL && *s != '\0';
}

static int market_numbers(eng_market *m, const naxd_market_spec *spec)
{
    if (!step_ok(&spec->tick_size, &m->tick_coeff) || !step_ok(&spec->lot_size, &m->lot_coeff) ||
        !nax__dec_valid(&spec->min_notional) || spec->min_notional.negative ||
        !rate_ok(&spec->maker_fee, &m->maker) || !rate_ok(&spec->taker_fee, &m->taker))
        return 0;
    m->tick_scale = spec->tick_size.scale;
    m->lot_scale = spec->lot_size.scale;
    m->unit_scale = m->tick_scale + m->lot_scale;
    if (m->unit_scale > NAX_DECIMAL_MAX_SCALE)
        return 0; /* fees and notionals must be exact decimals */
    m->unit = (nax__u128)m->tick_coeff * m->lot_coeff;
    m->hold_rate = nax__dec_cmp(&spec->maker_fee, &spec->taker_fee) >= 0 ? m->maker : m->taker;
    return 1;
}

int naxd_engine_add_market(naxd_engine *e, const naxd_market_spec *spec)
{
    if (e == NULL || spec == NULL || !text_ok(spec->pair) || !text_ok(spec->base) ||
        !text_ok(spec->quote) || strcmp(spec->base, spec->quote) == 0)
        return nax__error(NAX_EINVAL, "add_market: pair, base and quote must be distinct names");
    if (eng_market_find(e, spec->pair) != NULL)
        return nax__error(NAX_EINVAL, "add_market: duplicate pair %s", spec->pair);
    if (spec->status < NAX_MARKET_STATUS_NONE || spec->status > NAX_MARKET_STATUS_POST_ONLY)
        return nax__error(NAX_EINVAL, "add_market: unknown status");
    eng_market *m = nax__calloc(1, sizeof *m);
    if (m == NULL)
        return nax__error_oom();
    if (!market_numbers(m, spec)) {
        nax__free(m);
        return nax__error(NAX_EINVAL,
                          "add_market %s: tick and lot must be > 0 (scales summing to <= 18), "
                          "min_notional >= 0 and fees in [0, 1)",
                          spec->pair);
    }
    eng_side_init(&m->bids);
    eng_side_init(&m->asks);
    m->seq = 1; /* the empty book is state 1: every published book has a seq (asyncapi) */
    m->spec = *spec;
    if (m->spec.status == NAX_MARKET_STATUS_NONE)
        m->spec.status = NAX_MARKET_STATUS_ACTIVE;
    m->spec.pair = nax__strdup(spec->pair);
    m->spec.base = nax__strdup(spec->base);
    m->spec.quote = nax__strdup(spec->quote);
    eng_market **grown = NULL;
    if (m->spec.pair == NULL || m->spec.base == NULL || m->spec.quote == NULL ||
        eng_asset_intern(e, spec->base, &m->base) != 0 ||
        eng_asset_intern(e, spec->quote, &m->quote) != 0 ||
        (grown = nax__realloc(e->markets, (e->market_count + 1) * sizeof *grown)) == NULL) {
        market_free(m);
        return nax__error_oom();
    }
    e->markets = grown;
    e->markets[e->market_count++] = m;
    return 0;
}

size_t naxd_engine_market_count(const naxd_engine *e)
{
    return e ? e->market_count : 0;
}

const naxd_market_spec *naxd_engine_market_at(const naxd_engine *e, size_t i)
{
    return e && i < e->market_count ? &e->markets[i]->spec : NULL;
}

const naxd_market_spec *naxd_engine_market(const naxd_engine *e, const char *pair)
{
    eng_market *m = e && pair ? eng_market_find(e, pair) : NULL;
    return m ? &m->spec : NULL;
}

int naxd_engine_set_market_status(naxd_engine *e, const char *pair, nax_market_status status)
{
    if (e == NULL || pair == NULL || status < NAX_MARKET_STATUS_ACTIVE ||
        status > NAX_MARKET_STATUS_POST_ONLY)
        return nax__error(NAX_EINVAL, "set_market_status: invalid argument");
    eng_market *m = eng_market_find(e, pair);
    if (m == NULL)
        return nax__error(NAX_ENOTFOUND, "set_market_status: unknown pair %s", pair);
    m->spec.status = status;
    return 0;
}
