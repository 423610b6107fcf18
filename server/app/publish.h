/*
 * The market stream's feed (app/publish.c): what a change did, captured when
 * memory changes, and published once the change is durable.
 *
 * Why capture early: by the time a batch commits, later requests may have
 * changed the engine again (speculatively, not yet durable), so the book
 * levels, seq and top of book must be read right after the engine call that
 * made them. The capture travels with the batch (naxd_mut_on_done) and is
 * published only when the batch reports 0, in commit order; a failed batch
 * publishes nothing, and the reload that follows resets every book.
 *
 * Publishing order of one change: book update, trades, ticker, then the
 * users' orders, fills and balances. App thread only.
 */
#ifndef NAXD_APP_PUBLISH_H
#define NAXD_APP_PUBLISH_H

#include "app/app.h"

typedef struct naxd_events naxd_events;

naxd_events *naxd_events_new(void); /* NULL on OOM */
void naxd_events_free(naxd_events *ev);

/* Captures an order-book call (place, cancel, cancel-all) right after it:
 * for each pair whose book changed, the levels touched with their new totals,
 * the book's seq and its top; the trades; every order touched (with its client
 * order id: taker_cid for the placed order x->orders[0], NULL otherwise),
 * both sides of every fill, and the users' balances. Keeps the app's map of
 * open orders' client ids in step. One capture per events. 0 or NAX_ENOMEM
 * (then the caller fails the batch: memory will be rebuilt). */
int naxd_events_capture(naxd_app *a, naxd_events *ev, const naxd_exec *x, const char *taker_cid);
/* Captures only the balances of a money movement (deposit, withdrawal). */
int naxd_events_capture_balances(naxd_app *a, naxd_events *ev, const naxd_exec *x);
/* Applies the change to the market data (last price, volume, ticker seq) and
 * publishes it. Only for a durable change. */
void naxd_events_publish(naxd_app *a, naxd_events *ev);
/* Fills the change carried (for metrics). */
size_t naxd_events_fills(const naxd_events *ev);

/* A naxd_mut_done_fn for money movements: publishes ev when status is 0,
 * then frees it. */
void naxd_events_committed(naxd_app *a, void *ev, int status);
/* Money movements: captures x's balances and publishes them once m's batch
 * is durable (sets m's on_done). On OOM fails m's batch (memory changed). */
void naxd_publish_balances_on_commit(naxd_app *a, naxd_mut *m, const naxd_exec *x);

/* After memory was rebuilt from the store: every book is reset in the stream
 * and a ticker published per market. */
int naxd_publish_reset(naxd_app *a);
/* At start-up: the latest trades per market from the store, for the trades
 * snapshot of new subscribers (no subscriber exists yet). */
int naxd_publish_recent_trades(naxd_app *a);

/* Open orders' client order ids (a->order_cids). */
int naxd_order_cid_put(naxd_app *a, uint64_t order, const char *cid);
void naxd_order_cids_clear(naxd_app *a);

#endif
