/*
 * Request targets for lib/api: escaped path segments, query parameters and
 * the list filters of nax_list_query, plus the argument checks every call
 * starts with. Nothing here does I/O.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "api/api_internal.h"

/* ---- argument checks ------------------------------------------------------------ */

int nax__api_need(const void *p, const char *name)
{
    return p ? 0 : nax__error_field(NAX_EINVAL, name, "%s must not be NULL", name);
}

int nax__api_need_str(const char *s, const char *name)
{
    if (!s)
        return nax__error_field(NAX_EINVAL, name, "%s must not be NULL", name);
    if (!*s)
        return nax__error_field(NAX_EINVAL, name, "%s must not be empty", name);
    return 0;
}

int nax__api_check_struct(size_t struct_size, size_t needed, const char *name)
{
    if (struct_size < needed)
        return nax__error_field(NAX_EVERSION, "struct_size",
                                "%s struct_size %zu is smaller than the %zu bytes this library "
                                "reads",
                                name, struct_size, needed);
    return 0;
}

int nax__api_check_client_order_id(const char *cid, const char *name)
{
    size_t n = strlen(cid);
    int ok = n >= 1 && n <= 36;
    for (const char *p = cid; ok && *p; p++)
        ok = *p >= 0x21 && *p <= 0x7e;
    if (!ok)
        return nax__error_field(NAX_EINVAL, name,
                                "%s must be 1 to 36 visible ASCII characters (got %zu bytes)", name,
                                n);
    return 0;
}

int nax__api_begin(nax_client *c, void *out)
{
    if (out)
        *(void **)out = NULL;
    return nax__api_need(c, "client");
}

/* ---- targets ------------------------------------------------------------------- */

int nax__api_need_segment(const char *s, const char *name)
{
    int rc = nax__api_need_str(s, name);
    /* "." and ".." would name another resource once a server or proxy
     * collapses them (DELETE /v1/orders/.. is DELETE /v1/). */
    if (!rc && (!strcmp(s, ".") || !strcmp(s, "..")))
        rc = nax__error_field(NAX_EINVAL, name, "%s must not be \"%s\" (a dot path segment)", name,
                              s);
    return rc;
}

int nax__api_path(nax_buf *out, const char *prefix, const char *segment, const char *name,
                  const char *suffix)
{
    nax__buf_reset(out);
    int rc = nax__api_need_segment(segment, name);
    if (rc)
        return rc;
    rc = nax__buf_append_str(out, prefix);
    if (!rc)
        rc = nax__url_escape(out, segment);
    if (!rc && suffix)
        rc = nax__buf_append_str(out, suffix);
    return rc;
}

int nax__api_query(nax_buf *out, const char *name, const char *value)
{
    int has_query = out->len && memchr(out->data, '?', out->len) != NULL;
    int rc = nax__buf_printf(out, "%c%s=", has_query ? '&' : '?', name);
    return rc ? rc : nax__url_escape(out, value);
}

int nax__api_query_i64(nax_buf *out, const char *name, int64_t value)
{
    char text[24];
    snprintf(text, sizeof text, "%" PRId64, value);
    return nax__api_query(out, name, text);
}

/* ---- enum names -------------------------------------------------------------- */

const char *nax__api_side_name(nax_side s)
{
    switch (s) {
    case NAX_SIDE_BUY: return "buy";
    case NAX_SIDE_SELL: return "sell";
    default: return NULL;
    }
}

const char *nax__api_status_name(nax_order_status s)
{
    switch (s) {
    case NAX_ORDER_STATUS_OPEN: return "open";
    case NAX_ORDER_STATUS_PARTIALLY_FILLED: return "partially_filled";
    case NAX_ORDER_STATUS_FILLED: return "filled";
    case NAX_ORDER_STATUS_CANCELLED: return "cancelled";
    case NAX_ORDER_STATUS_REJECTED: return "rejected";
    default: return NULL;
    }
}

const char *nax__api_tx_type_name(nax_tx_type t)
{
    switch (t) {
    case NAX_TX_TYPE_DEPOSIT: return "deposit";
    case NAX_TX_TYPE_WITHDRAWAL: return "withdrawal";
    default: return NULL;
    }
}

/* ---- list filters ------------------------------------------------------------ */

/* Every member of the first nax_list_query is read (to refuse the unused ones). */
#define LIST_QUERY_V1_SIZE (offsetof(nax_list_query, cursor) + sizeof(const char *))

static int unused(const char *member, const char *path)
{
    return nax__error_field(NAX_EINVAL, member, "%s is not a filter of GET %s", member, path);
}

/* Which members are set, as NAX__Q_* bits. */
static unsigned int members_set(const nax_list_query *q)
{
    unsigned int set = 0;
    set |= q->pair ? NAX__Q_PAIR : 0;
    set |= q->status ? NAX__Q_STATUS : 0;
    set |= q->side ? NAX__Q_SIDE : 0;
    set |= q->client_order_id ? NAX__Q_CLIENT_ORDER_ID : 0;
    set |= q->asset ? NAX__Q_ASSET : 0;
    set |= q->type ? NAX__Q_TYPE : 0;
    set |= q->from_ms ? NAX__Q_FROM : 0;
    set |= q->to_ms ? NAX__Q_TO : 0;
    set |= q->limit ? NAX__Q_LIMIT : 0;
    set |= q->cursor ? NAX__Q_CURSOR : 0;
    return set;
}

static const char *const member_names[] = {"pair", "status",  "side",  "client_order_id", "asset",
                                           "type", "from_ms", "to_ms", "limit",           "cursor"};

static int check_values(const nax_list_query *q, const char *asset_param)
{
    int rc = 0;
    if (q->pair)
        rc = nax__api_need_str(q->pair, "pair");
    if (!rc && q->status && !nax__api_status_name(q->status))
        rc = nax__error_field(NAX_EINVAL, "status", "status %d is not an order status",
                              (int)q->status);
    if (!rc && q->side && !nax__api_side_name(q->side))
        rc = nax__error_field(NAX_EINVAL, "side", "side %d is not buy or sell", (int)q->side);
    if (!rc && q->client_order_id)
        rc = nax__api_check_client_order_id(q->client_order_id, "client_order_id");
    if (!rc && q->asset && !*q->asset)
        rc = nax__error_field(NAX_EINVAL, "asset", "asset (%s) must not be empty", asset_param);
    if (!rc && q->type && !nax__api_tx_type_name(q->type))
        rc = nax__error_field(NAX_EINVAL, "type", "type %d is not deposit or withdrawal",
                              (int)q->type);
    if (!rc && q->from_ms < 0)
        rc = nax__error_field(NAX_EINVAL, "from_ms", "from_ms must not be negative");
    if (!rc && q->to_ms < 0)
        rc = nax__error_field(NAX_EINVAL, "to_ms", "to_ms must not be negative");
    if (!rc && q->limit > 1000)
        rc = nax__error_field(NAX_EINVAL, "limit", "limit %u is out of range 1..1000", q->limit);
    if (!rc && q->cursor)
        rc = nax__api_need_str(q->cursor, "cursor");
    return rc;
}

static int append_filters(nax_buf *out, const nax_list_query *q, const char *asset_param)
{
    int rc = 0;
    if (q->pair)
        rc = nax__api_query(out, "pair", q->pair);
    if (!rc && q->status)
        rc = nax__api_query(out, "status", nax__api_status_name(q->status));
    if (!rc && q->side)
        rc = nax__api_query(out, "side", nax__api_side_name(q->side));
    if (!rc && q->client_order_id)
        rc = nax__api_query(out, "client_order_id", q->client_order_id);
    if (!rc && q->asset)
        rc = nax__api_query(out, asset_param, q->asset);
    if (!rc && q->type)
        rc = nax__api_query(out, "type", nax__api_tx_type_name(q->type));
    if (!rc && q->from_ms)
        rc = nax__api_query_i64(out, "from", q->from_ms);
    if (!rc && q->to_ms)
        rc = nax__api_query_i64(out, "to", q->to_ms);
    if (!rc && q->limit)
        rc = nax__api_query_i64(out, "limit", (int64_t)q->limit);
    if (!rc && q->cursor)
        rc = nax__api_query(out, "cursor", q->cursor);
    return rc;
}

int nax__api_list_target(nax_buf *out, const char *path, const nax_list_query *q,
                         unsigned int allowed, const char *asset_param)
{
    nax__buf_reset(out);
    int rc = nax__buf_append_str(out, path);
    if (rc || !q)
        return rc;
    rc = nax__api_check_struct(q->struct_size, LIST_QUERY_V1_SIZE, "nax_list_query");
    if (rc)
        return rc;
    unsigned int extra = members_set(q) & ~allowed;
    for (size_t i = 0; extra && i < sizeof(member_names) / sizeof(member_names[0]); i++)
        if (extra & (1u << i))
            return unused(member_names[i], path);
    rc = check_values(q, asset_param);
    return rc ? rc : append_filters(out, q, asset_param);
}

/* ---- the call template -------------------------------------------------------- */

nax__call nax__api_call(const char *method, const char *route, const char *target,
                        nax_endpoint_group group, nax__auth_mode auth)
{
    nax__call call;
    memset(&call, 0, sizeof call);
    call.method = method;
    call.route = route;
    call.target = target;
    call.group = group;
    call.auth = auth;
    return call;
}

int nax__api_send(nax_client *client, int rc, nax_buf *target, const char *method,
                  const char *route, nax_endpoint_group group, nax__auth_mode auth,
                  nax_type response_type, void *out)
{
    if (!rc) {
        nax__call call = nax__api_call(method, route, target->data, group, auth);
        call.response_type = out ? response_type : NAX_TYPE_NONE;
        call.response = out;
        rc = nax__client_call(client, &call);
    }
    nax_buf_dispose(target);
    return rc;
}
