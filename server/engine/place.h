/*
 * Shared by the parts of naxd_engine_place (place.c): validation
 * (validate.c) and executing one fill (fill.c).
 */
#ifndef NAXD_ENGINE_PLACE_H
#define NAXD_ENGINE_PLACE_H

#include "engine_internal.h"

/* One placement in progress. */
typedef struct place_ctx {
    naxd_engine *e;
    naxd_exec *x;
    eng_market *m;
    eng_user *u;
    eng_order t; /* the incoming (taker) order, on the stack unless it rests */
    int is_buy, is_market;
    eng_side *opposite;
    nax__u128 hold;  /* what the order must hold, in hold units */
    nax__u128 avail; /* market buys: available quote in units, rounded down */
    int64_t ts;
} place_ctx;

/* Checks the spec against its market and the user's funds, and sets up the
 * taker (c->m, c->is_buy, c->is_market set by the caller). */
naxd_refusal eng_validate(place_ctx *c, const naxd_order_spec *spec);
/* Executes q lots between the taker and `maker` at the maker's price;
 * NAX_EOVERFLOW (nothing changed) when a balance would leave the decimal range. */
int eng_fill(place_ctx *c, eng_order *maker, int64_t q);

/* d += / -= mag at scale. */
int eng_add(nax_decimal *d, nax__u128 mag, int scale);
int eng_sub(nax_decimal *d, nax__u128 mag, int scale);

#endif /* NAXD_ENGINE_PLACE_H */
