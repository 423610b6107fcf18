/*
 * `naxd set-kyc`: the operator command that sets a user's KYC status on a
 * running naxd through its operator route (POST /admin/users/{id}/kyc), with
 * the operator token from NAXD_OPERATOR_TOKEN. Memory and store stay in the
 * server's hands: the command never opens the data folder.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/operator.h"
#include "core/core.h"

static size_t collect(char *data, size_t size, size_t n, void *arg)
{
    return nax__buf_append(arg, data, size * n) == 0 ? size * n : 0;
}

/* JSON string body member, escaped the simple way: operators type reasons. */
static int append_json_string(nax_buf *b, const char *s)
{
    int rc = nax__buf_append(b, "\"", 1);
    for (; !rc && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            rc = nax__buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            rc = nax__buf_printf(b, "\\u%04x", c);
        else
            rc = nax__buf_append(b, s, 1);
    }
    return rc ? rc : nax__buf_append(b, "\"", 1);
}

int naxd_operator_set_kyc(int argc, char **argv)
{
    const char *url = "http://127.0.0.1:8080", *user = NULL, *status = NULL, *reason = NULL;
    for (int i = 2; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--url") && v)
            url = argv[++i];
        else if (!strcmp(argv[i], "--user") && v)
            user = argv[++i];
        else if (!strcmp(argv[i], "--status") && v)
            status = argv[++i];
        else if (!strcmp(argv[i], "--reason") && v)
            reason = argv[++i];
        else
            user = status = NULL, i = argc;
    }
    const char *token = getenv("NAXD_OPERATOR_TOKEN");
    if (!user || !status || (strcmp(status, "verified") && strcmp(status, "rejected"))) {
        fputs("usage: naxd set-kyc [--url URL] --user ID --status verified|rejected "
              "[--reason TEXT]\n       (the operator token comes from NAXD_OPERATOR_TOKEN)\n",
              stderr);
        return 2;
    }
    if (!token || !*token) {
        fputs("naxd set-kyc: NAXD_OPERATOR_TOKEN is not set\n", stderr);
        return 2;
    }
    nax_buf target = NAX_BUF_INIT, body = NAX_BUF_INIT, auth = NAX_BUF_INIT, reply = NAX_BUF_INIT;
    CURL *curl = curl_easy_init();
    char *escaped = curl ? curl_easy_escape(curl, user, 0) : NULL;
    int rc = !escaped;
    if (!rc)
        rc = nax__buf_printf(&target, "%s/admin/users/%s/kyc", url, escaped);
    if (!rc)
        rc = nax__buf_printf(&body, "{\"status\":\"%s\"", status);
    if (!rc && reason) {
        rc = nax__buf_append_str(&body, ",\"reason\":");
        if (!rc)
            rc = append_json_string(&body, reason);
    }
    if (!rc)
        rc = nax__buf_append_str(&body, "}");
    if (!rc)
        rc = nax__buf_printf(&auth, "Authorization: Bearer %s", token);
    long http = 0;
    if (!rc) {
        struct curl_slist *h = curl_slist_append(NULL, auth.data);
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(curl, CURLOPT_URL, target.data);
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)body.len);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
        curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
        CURLcode cc = curl_easy_perform(curl);
        curl_slist_free_all(h);
        if (cc != CURLE_OK) {
            fprintf(stderr, "naxd set-kyc: %s: %s\n", url, curl_easy_strerror(cc));
            rc = 1;
        } else {
            curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
        }
    }
    if (!rc) {
        printf("%s\n", reply.data ? reply.data : "");
        rc = http == 200 ? 0 : 1;
    }
    /* The token was in a header buffer: wipe it. */
    if (auth.data)
        memset(auth.data, 0, auth.len);
    curl_free(escaped);
    curl_easy_cleanup(curl);
    nax_buf_dispose(&target);
    nax_buf_dispose(&body);
    nax_buf_dispose(&auth);
    nax_buf_dispose(&reply);
    return rc;
}
