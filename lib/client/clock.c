/*
 * The server's clock as the client estimates it. Signatures carry server
 * time, so a client whose clock drifted still lands inside the receive
 * window. The estimate comes from GET /v1/time (ms resolution, half the
 * round trip allowed for) and is kept honest by every response's Date
 * header (1 s resolution: it only corrects gross errors).
 */
#include "client/client_impl.h"
#include "core/core.h"
#include "nax/codec.h"

/* A Date value may trail the moment we read it by the network latency; only
 * an estimate more than this beyond the Date's second is corrected. */
#define DATE_SLACK_MS 2000
/* After a failed measurement, sign with the estimate for this long before
 * measuring again, so a down server does not double every call. */
#define CLOCK_RETRY_MS 5000

void nax__clock_observe_date(nax_client *c, int64_t date_ms, int64_t local_recv_ms)
{
    if (date_ms < 0)
        return;
    int64_t off = atomic_load(&c->offset_ms);
    int64_t est = local_recv_ms + off;
    /* The server wrote the header at some time in [date, date + 1000) and
     * we read it after that, so at receipt its clock read at least `date`. */
    if (est < date_ms)
        off += date_ms - est;
    else if (est > date_ms + 1000 + DATE_SLACK_MS)
        off -= est - (date_ms + 1000);
    else
        return;
    atomic_store(&c->offset_ms, off);
    nax__client_log(c, NAX_LOG_DEBUG, "nax: clock offset corrected from Date to %lld ms",
                    (long long)off);
}

int64_t nax__clock_server_now(nax_client *c)
{
    return nax__client_wall_ms(c) + atomic_load(&c->offset_ms);
}

int nax_client_sync_clock(nax_client *c, int64_t *offset_ms)
{
    if (!c)
        return nax__error_field(NAX_EINVAL, "client", "client must not be NULL");
    nax_server_time *t = NULL;
    nax__call call = {0};
    call.method = "GET";
    call.route = "/v1/time";
    call.target = "/v1/time";
    call.group = NAX_GROUP_MARKET_DATA;
    call.auth = NAX__AUTH_NONE;
    call.response_type = NAX_TYPE_SERVER_TIME;
    call.response = &t;
    uint64_t attempt_us = 0;
    call.attempt_us = &attempt_us;
    int rc = nax__client_call(c, &call);
    if (rc)
        return rc;
    /* Only the answered attempt counts: waits before it say nothing of the
     * server's clock. Its reading is taken about half a round trip ago. */
    int64_t t1 = nax__client_wall_ms(c);
    int64_t off = t->server_time - (t1 - (int64_t)(attempt_us / 2000u));
    nax_object_free(t);
    atomic_store(&c->offset_ms, off);
    atomic_store(&c->clock_synced, 1);
    nax__client_log(c, NAX_LOG_DEBUG, "nax: clock offset measured: %lld ms", (long long)off);
    if (offset_ms)
        *offset_ms = off;
    return 0;
}

int64_t nax_client_clock_offset(nax_client *c)
{
    return c ? atomic_load(&c->offset_ms) : 0;
}

int nax__clock_ensure(nax_client *c)
{
    if (atomic_load(&c->clock_synced) || nax__client_now_ms(c) < atomic_load(&c->clock_retry_at))
        return 0;
    /* Without a measurement we still sign, with the Date-based estimate:
     * the call itself will say whether the server agrees. */
    if (nax_client_sync_clock(c, NULL) == 0)
        return 0;
    atomic_store(&c->clock_retry_at, nax__client_now_ms(c) + CLOCK_RETRY_MS);
    nax__client_log(c, NAX_LOG_WARN, "nax: could not measure the server clock: %s",
                    nax_error_last()->message);
    return 0;
}
