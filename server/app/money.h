/*
 * Money helpers shared by the wallet, fiat and webhook handlers (defined in
 * app/h_wallets.c). App-thread only.
 */
#ifndef NAXD_MONEY_H
#define NAXD_MONEY_H

#include "app/app.h"

/* Counter name of wallet and fiat transaction ids. */
#define NAXD_TX_COUNTER "next_tx_id"

/* Fiat: quoted by markets, never a base. Crypto: any other known asset. */
int naxd_money_is_fiat(const naxd_app *a, const char *asset);
int naxd_money_is_crypto(const naxd_app *a, const char *asset);
/* amount > 0 with at most max_scale decimals; else replies 4xx and returns -1. */
int naxd_money_check_amount(naxd_req *req, const nax_decimal *amount, int max_scale);
/* Withdrawal guard: verified KYC and, when on, a fresh TOTP code (its step in
 * *step). Replies and returns -1 when refused. */
int naxd_money_guard(naxd_app *a, naxd_req *req, naxd_user *u, const char *totp_code,
                     int64_t *step);
/* The configured withdrawal fee of asset, at the scale of amount. */
void naxd_money_fee(const naxd_app *a, const char *asset, const nax_decimal *amount,
                    nax_decimal *fee);
/* Audit record for a money change of user, with obj (of type) as "after". */
int naxd_money_audit(naxd_mut *m, const char *action, uint64_t user, const char *member,
                     nax_type type, const void *obj);
/* asset/type/from/to filters of the transaction lists; replies 400 on bad values. */
int naxd_money_list_filters(naxd_req *req, const char *asset_param, const char **asset,
                            int64_t *type, int64_t *from, int64_t *to);
/* Binds a transaction-list query whose parameters are ?1 user, ?2 asset or
 * currency, ?3 type, ?4 from, ?5 to, ?6 before-id, ?7 limit + 1 (one more row
 * tells whether a next page exists). Absent filters (NULL, -1) stay NULL. */
void naxd_money_bind_list(sqlite3_stmt *st, uint64_t user, const char *asset, int64_t type,
                          int64_t from, int64_t to, uint64_t before, uint32_t limit);
/* The user's deposit address for (asset, network), derived and stable. */
int naxd_money_deposit_address(naxd_app *a, uint64_t user, const char *asset, const char *network,
                               char *out, size_t size);
/* The network of a crypto asset ("bitcoin", "ethereum", else its lower-case name). */
const char *naxd_money_network(const char *asset, char *buf, size_t size);

/* Key of a credited crypto deposit in a->deposit_hashes: "address\ntx_hash",
 * the hash lower-cased (explorers print it either way). */
int naxd_money_deposit_key(nax_buf *out, const char *address, const char *tx_hash);

naxd_pending_tx *naxd_pending_tx_new(uint64_t id, int fiat, uint64_t user, const char *asset,
                                     nax_tx_type type, const nax_decimal *amount,
                                     const nax_decimal *fee, const char *reference,
                                     int64_t created_at);
void naxd_pending_tx_free(naxd_pending_tx *p);

#endif
