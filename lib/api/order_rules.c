/*
 * The local checks of nax_orders_place(): an order that naxd would refuse
 * for its shape or for the market's rules fails here, before any request,
 * with NAX_EINVAL, the field naxd would name and the numbers involved.
 */
#include <stdio.h>
#include <string.h>

#include "api/api_internal.h"

#define ORDER_REQUEST_V1_SIZE (offsetof(nax_order_request, client_order_id) + sizeof(const char *))

static void fmt(char out[NAX_DECIMAL_STRING_MAX], const nax_decimal *d)
{
    if (nax_decimal_format(out, NAX_DECIMAL_STRING_MAX, d) < 0)
        snprintf(out, NAX_DECIMAL_STRING_MAX, "?");
}

int nax__order_check_request(const nax_order_request *r)
{
    int rc = nax__api_need(r, "request");
    if (!rc)
        rc = nax__api_check_struct(r->struct_size, ORDER_REQUEST_V1_SIZE, "nax_order_request");
    if (!rc)
        rc = nax__api_need_str(r->pair, "pair");
    if (rc)
        return rc;
    if (!nax__api_side_name(r->side))
        return nax__error_field(NAX_EINVAL, "side", "side must be buy or sell");
    if (r->type != NAX_ORDER_TYPE_LIMIT && r->type != NAX_ORDER_TYPE_MARKET)
        return nax__error_field(NAX_EINVAL, "type", "type must be limit or market");
    if ((int)r->time_in_force < NAX_TIF_NONE || (int)r->time_in_force > NAX_TIF_FOK)
        return nax__error_field(NAX_EINVAL, "time_in_force",
                                "time_in_force %d is not GTC, IOC or FOK", (int)r->time_in_force);
    if (r->type == NAX_ORDER_TYPE_LIMIT && !r->price)
        return nax__error_field(NAX_EINVAL, "price", "a limit order needs a price");
    if (r->type == NAX_ORDER_TYPE_MARKET && r->price)
        return nax__error_field(NAX_EINVAL, "price", "a market order must not have a price");
    if (r->type == NAX_ORDER_TYPE_MARKET && r->post_only)
        return nax__error_field(NAX_EINVAL, "post_only", "a market order cannot be post-only");
    if (r->client_order_id)
        return nax__api_check_client_order_id(r->client_order_id, "client_order_id");
    return 0;
}

static int check_status(const nax_order_request *r, const nax_market *m)
{
    if (m->status == NAX_MARKET_STATUS_HALTED)
        return nax__error_field(NAX_EINVAL, "pair", "market %s is halted: it takes no orders",
                                m->pair);
    if (m->status == NAX_MARKET_STATUS_POST_ONLY &&
        (r->type != NAX_ORDER_TYPE_LIMIT || !r->post_only))
        return nax__error_field(NAX_EINVAL, "pair",
                                "market %s is post-only: it takes only post-only limit orders",
                                m->pair);
    return 0;
}

/* `value` is a positive multiple of `step` (the field's name in messages). */
static int check_steps(const nax_decimal *value, const nax_decimal *step, const char *field,
                       const char *step_name, const char *pair)
{
    char v[NAX_DECIMAL_STRING_MAX], s[NAX_DECIMAL_STRING_MAX];
    fmt(v, value);
    fmt(s, step);
    if (nax_decimal_sign(value) <= 0)
        return nax__error_field(NAX_EINVAL, field, "%s %s must be greater than zero", field, v);
    /* A market whose step is not positive has no step rule to break. */
    if (nax_decimal_is_multiple(value, step) == 0)
        return nax__error_field(NAX_EINVAL, field, "%s %s is not a multiple of the %s %s for %s",
                                field, v, step_name, s, pair);
    return 0;
}

/*
 * price × quantity >= min_notional, decided exactly: the product rounded
 * down to a scale at least the minimum's compares with it exactly as the
 * true product does; a product too large for any such scale is above it.
 */
static int reaches_min_notional(const nax_decimal *price, const nax_decimal *qty,
                                const nax_decimal *min, nax_decimal *product)
{
    nax_decimal p, q;
    nax_decimal_normalize(&p, price);
    nax_decimal_normalize(&q, qty);
    int scale = nax_decimal_scale(&p) + nax_decimal_scale(&q);
    if (scale > NAX_DECIMAL_MAX_SCALE)
        scale = NAX_DECIMAL_MAX_SCALE;
    if (scale < nax_decimal_scale(min))
        scale = nax_decimal_scale(min);
    nax__error_state saved;
    nax__error_save(&saved);
    for (;;) {
        if (nax_decimal_mul(product, &p, &q, scale, NAX_ROUND_DOWN) == 0)
            return nax_decimal_cmp(product, min) >= 0;
        if (scale <= nax_decimal_scale(min)) {
            nax__error_restore(&saved);
            memset(product, 0, sizeof(*product));
            return 1;
        }
        scale = nax_decimal_scale(min);
    }
}

int nax__order_check_market(const nax_order_request *r, const nax_market *m)
{
    int rc = check_status(r, m);
    if (!rc && r->type == NAX_ORDER_TYPE_LIMIT)
        rc = check_steps(r->price, &m->tick_size, "price", "tick size", m->pair);
    if (!rc)
        rc = check_steps(&r->quantity, &m->lot_size, "quantity", "lot size", m->pair);
    if (rc || r->type != NAX_ORDER_TYPE_LIMIT)
        return rc; /* a market order has no price to judge its notional by */
    nax_decimal product;
    if (reaches_min_notional(r->price, &r->quantity, &m->min_notional, &product))
        return 0;
    char p[NAX_DECIMAL_STRING_MAX], q[NAX_DECIMAL_STRING_MAX], n[NAX_DECIMAL_STRING_MAX],
        min[NAX_DECIMAL_STRING_MAX];
    fmt(p, r->price);
    fmt(q, &r->quantity);
    fmt(n, &product);
    fmt(min, &m->min_notional);
    return nax__error_field(NAX_EINVAL, "quantity",
                            "price %s x quantity %s = %s is below the minimum notional %s for %s",
                            p, q, n, min, m->pair);
}
