/*
 * Helpers shared by the files of lib/api: argument checks, request targets
 * (escaped path segments, query strings, list filters), the call template
 * and the local order checks. Internal.
 */
#ifndef NAX_API_API_INTERNAL_H
#define NAX_API_API_INTERNAL_H

#include <stddef.h>

#include "client/client.h"
#include "core/core.h"
#include "nax/api.h"
#include "nax/codec.h"

/* ---- argument checks: each sets NAX_EINVAL naming `name` ---- */
int nax__api_need(const void *p, const char *name);     /* non-NULL */
int nax__api_need_str(const char *s, const char *name); /* non-NULL, non-empty */
int nax__api_check_struct(size_t struct_size, size_t needed, const char *name); /* EVERSION */
/* 1..36 visible ASCII (0x21..0x7e), as naxd accepts for client_order_id. */
int nax__api_check_client_order_id(const char *cid, const char *name);

/* Starts every call: *out = NULL (when out is given), client checked. */
int nax__api_begin(nax_client *c, void *out);

/* ---- request targets ---- */
/* A path segment argument: not NULL, not empty, not "." or ".." (which a
 * server or proxy would collapse into another path); NAX_EINVAL naming it. */
int nax__api_need_segment(const char *s, const char *name);
/* out = prefix + escape(segment) + suffix (suffix may be NULL); the segment,
 * the argument called `name`, is checked with nax__api_need_segment first. */
int nax__api_path(nax_buf *out, const char *prefix, const char *segment, const char *name,
                  const char *suffix);
/* Appends "?name=value" or "&name=value", the value escaped. */
int nax__api_query(nax_buf *out, const char *name, const char *value);
int nax__api_query_i64(nax_buf *out, const char *name, int64_t value);

/* The nax_list_query members a list endpoint uses. */
enum {
    NAX__Q_PAIR = 1u << 0,
    NAX__Q_STATUS = 1u << 1,
    NAX__Q_SIDE = 1u << 2,
    NAX__Q_CLIENT_ORDER_ID = 1u << 3,
    NAX__Q_ASSET = 1u << 4,
    NAX__Q_TYPE = 1u << 5,
    NAX__Q_FROM = 1u << 6,
    NAX__Q_TO = 1u << 7,
    NAX__Q_LIMIT = 1u << 8,
    NAX__Q_CURSOR = 1u << 9
};

/*
 * out = path + the query string of `q` (may be NULL). Members outside
 * `allowed` that are set fail with NAX_EINVAL naming them; `asset_param`
 * is the query name the asset member travels under ("asset", "currency").
 */
int nax__api_list_target(nax_buf *out, const char *path, const nax_list_query *q,
                         unsigned int allowed, const char *asset_param);

/* A call with the common members set. */
nax__call nax__api_call(const char *method, const char *route, const char *target,
                        nax_endpoint_group group, nax__auth_mode auth);

/* A body-less call to the target built in `target` (disposed here), when
 * `rc` (the result of building it) is 0; decodes into `out` when not NULL. */
int nax__api_send(nax_client *client, int rc, nax_buf *target, const char *method,
                  const char *route, nax_endpoint_group group, nax__auth_mode auth,
                  nax_type response_type, void *out);

/* ---- lists (lists.c): one table behind the list calls and nax_pager ---- */
/* Checks `q` against the list's accepted members, without I/O. */
int nax__api_list_check(nax_list_kind kind, const nax_list_query *q);
/* One page of the list into `out` (a pointer to the list type's pointer). */
int nax__api_list(nax_client *client, nax_list_kind kind, const nax_list_query *q, void *out);

/* ---- orders ---- */
/* The checks that need no market (fields, enums, price presence, client id). */
int nax__order_check_request(const nax_order_request *r);
/* The market's rules: status, tick, lot, minimum notional. */
int nax__order_check_market(const nax_order_request *r, const nax_market *m);
/*
 * The exactly-once resolver of a placement (a nax__resolve_fn): `ctx` is the
 * nax_order_request sent, its client_order_id set; `out` a nax_order **.
 * 1 when the order holding that client id is this one (pair, side, type,
 * quantity and, for limit orders, price equal; *out filled); 0 when none
 * holds it; NAX_ECONFLICT (field client_order_id) when a different order
 * does; another error when the lookup failed.
 */
int nax__order_resolve(nax_client *c, void *ctx, void *out);

/* ---- enum names as the API spells them (NULL for unknown values) ---- */
const char *nax__api_side_name(nax_side s);
const char *nax__api_status_name(nax_order_status s);
const char *nax__api_tx_type_name(nax_tx_type t);

#endif /* NAX_API_API_INTERNAL_H */
