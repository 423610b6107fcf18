/* curl's failures as nax errors, and the rule for `sent`: a request may have
 * reached the server once curl was about to send it (the pre-request
 * callback ran) or when sending or receiving failed; resolve and connect
 * failures never sent anything. Transport failures are transient, except a
 * certificate or pin that verification refused. Messages carry curl's text and the path,
 * never a header value, a query or a body. */
#include <stdio.h>
#include <string.h>

#include "core/core.h"
#include "http_internal.h"

void nax__http_describe(char *out, size_t size, const nax__http_request *req)
{
    const char *method = req->method ? req->method : "?";
    const char *target = req->target ? req->target : "";
    int path_len = (int)strcspn(target, "?#");
    snprintf(out, size, "%s %.*s", method, path_len > 200 ? 200 : path_len, target);
}

typedef enum failure_kind {
    NOT_CONNECTED, /* resolve or connect: nothing left this host */
    TIMED_OUT,
    TLS,
    BROKEN, /* sent, then the exchange broke */
    OTHER
} failure_kind;

static failure_kind classify(CURLcode rc)
{
    switch (rc) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT: return NOT_CONNECTED;
    case CURLE_OPERATION_TIMEDOUT: return TIMED_OUT;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED: return TLS;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_WEIRD_SERVER_REPLY: return BROKEN;
    default: return OTHER;
    }
}

static const char *curl_text(const nax__http_handle *hh, CURLcode rc)
{
    return hh && hh->errbuf[0] ? hh->errbuf : curl_easy_strerror(rc);
}

int nax__http_fail(const nax__http_handle *hh, CURLcode rc, const nax__http_request *req,
                   nax__http_response *resp)
{
    const nax__http_transfer *t = hh ? &hh->transfer : NULL;
    const int about_to_send = t && t->prereq_seen;
    char what[256];
    nax__http_describe(what, sizeof what, req);

    /* Our own callbacks stopped the transfer. */
    if (t && t->resend_refused) {
        resp->sent = 1;
        nax__error(NAX_ENETWORK, "%s: the connection closed without a reply", what);
        nax__error_set_transient(1);
        return NAX_ENETWORK;
    }
    if (t && t->body_too_big) {
        resp->sent = 1;
        return nax__error(NAX_ELIMIT, "%s: the response body is larger than %zu bytes", what,
                          t->max_body);
    }
    if (rc == CURLE_OUT_OF_MEMORY || (t && t->out_of_memory)) {
        resp->sent = about_to_send;
        nax__error(NAX_ENOMEM, "%s: out of memory", what);
        return NAX_ENOMEM;
    }

    int code, transient = 1;
    const char *stage;
    switch (classify(rc)) {
    case NOT_CONNECTED:
        resp->sent = 0;
        code = NAX_ENETWORK;
        stage = "could not connect";
        break;
    case TIMED_OUT:
        resp->sent = about_to_send;
        code = NAX_ETIMEOUT;
        stage = about_to_send ? "timed out waiting for the response" : "timed out connecting";
        break;
    case TLS:
        resp->sent = about_to_send;
        code = NAX_ETLS;
        stage = "TLS failed";
        /* A refused certificate or pin stays refused; a broken handshake may not. */
        transient = rc == CURLE_SSL_CONNECT_ERROR;
        break;
    case BROKEN:
        resp->sent = 1;
        code = NAX_ENETWORK;
        stage = "the connection broke";
        break;
    default:
        if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL ||
            rc == CURLE_BAD_FUNCTION_ARGUMENT) {
            resp->sent = 0;
            return nax__error(NAX_EINVAL, "%s: curl cannot make this request: %s", what,
                              curl_text(hh, rc));
        }
        resp->sent = about_to_send;
        code = NAX_ENETWORK;
        stage = "transfer failed";
        break;
    }
    nax__error(code, "%s: %s: %s", what, stage, curl_text(hh, rc));
    nax__error_set_transient(transient);
    return code;
}
