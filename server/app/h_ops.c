/* Operations: health and Prometheus metrics. */
#include <string.h>

#include "app/app.h"
#include "app/internal.h"
#include "core/core.h"

NAXD_HANDLER(h_health)
{
    naxd_app *a = app;
    int failed = a->store_failed || naxd_store_get_state(a->store) != NAXD_STORE_OK;
    nax_health h = {sizeof h, failed ? "degraded" : "ok", failed ? "failed" : "ok",
                    nax_version_string()};
    nax_buf body = NAX_BUF_INIT;
    if (nax_encode(&body, NAX_TYPE_HEALTH, &h) != 0) {
        naxd_fail(req, 500, "internal_error", NULL, "encoding failed");
        return;
    }
    /* Health is about now: no durability wait, and it must answer while the store is down. */
    naxd_idem_finish(a, req);
    naxd__send(req, failed ? 503 : 200, body.data, body.len);
    nax_buf_dispose(&body);
}

NAXD_HANDLER(h_metrics)
{
    naxd_app *a = app;
    nax_buf text = NAX_BUF_INIT;
    if (naxd_http_metrics(a->http, &text) != 0) {
        nax_buf_dispose(&text);
        naxd_fail(req, 500, "internal_error", NULL, "metrics could not be rendered");
        return;
    }
    naxd_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", text.data, text.len);
    naxd__ctx_release(req);
    nax_buf_dispose(&text);
}
