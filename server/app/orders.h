/*
 * Order placement shared by POST /v1/orders and the GraphQL createOrder
 * mutation (app/h_orders.c): one set of checks, one engine call, one record
 * of the change, whatever shape the reply takes.
 */
#ifndef NAXD_APP_ORDERS_H
#define NAXD_APP_ORDERS_H

#include "app/app.h"

typedef struct naxd_placement {
    /* in: set by the caller */
    const nax_order_request *request;
    uint64_t user;
    /* after naxd_order_check */
    const naxd_market_spec *market;
    char cid_key[96]; /* "user\ncid" when the request has a client order id */
    /* after naxd_order_execute placed it: the order as the client sees it
     * (strings point into this struct and the request) */
    nax_order order;
    char id[24];
    nax_decimal price, average;
    void *done; /* for naxd_order_committed */
    /* a refusal: the REST status, code, field (may be NULL) and message */
    int status;
    const char *code;
    const char *field;
    char message[512];
} naxd_placement;

/* The public view of an order, as the REST API shows it: ids formatted
 * ("o_9"), the average fill price, GTC when no time in force was given.
 * Strings point into v, the state's pair and cid: keep them alive. */
typedef struct naxd_order_view {
    nax_order o;
    char id[24];
    nax_decimal price, avg;
} naxd_order_view;

void naxd_order_view_of(naxd_order_view *v, const naxd_order_state *s, const char *client_order_id,
                        const naxd_market_spec *m);

/* Private stream snapshots from the store (durable state), for the stream's
 * private_snapshot hook: the user's open orders by id with their client order
 * ids into msg->orders, or the latest `limit` fills with trade ids up to
 * max_trade (those already published), oldest first, into msg->fills.
 * *cookie owns what msg points to; free it with naxd_order_snapshot_free.
 * 0 or an error code. */
int naxd_order_snapshot_orders(naxd_app *a, uint64_t user, nax_stream_message *msg, void **cookie);
int naxd_order_snapshot_fills(naxd_app *a, uint64_t user, uint64_t max_trade, size_t limit,
                              nax_stream_message *msg, void **cookie);
void naxd_order_snapshot_free(void *cookie);

/* Checks the request (market, price, post-only, client order id) without
 * changing anything. 0 to go on, else the refusal's status (p filled). */
int naxd_order_check(naxd_app *a, naxd_placement *p);

/* Places a checked order on the engine and records everything it changed in
 * b (orders, trades, fills, balances, the id counter, the audit record with
 * the request's actor). 0 when placed: memory changed, p->order is the
 * result, and the caller must submit b and call naxd_order_committed(a,
 * p->done, status) with the outcome (if recording failed, b was made to fail
 * its commit). Otherwise the refusal's status, with nothing changed. */
int naxd_order_execute(naxd_app *a, naxd_req *req, naxd_batch *b, naxd_placement *p);

/* The outcome of a placement's batch (status 0 = durable); a naxd_mut_done_fn. */
void naxd_order_committed(naxd_app *a, void *done, int status);

#endif /* NAXD_APP_ORDERS_H */
