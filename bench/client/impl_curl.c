/* The floor: raw libcurl, one easy handle per thread, GET into a reused
 * memory buffer, status checked, nothing decoded. */
#include "bench_client.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct curl_ctx {
    CURL *easy;
    char *body;
    size_t len;
    size_t cap;
} curl_ctx;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    curl_ctx *c = userdata;
    size_t n = size * nmemb;
    if (c->len + n > c->cap) {
        size_t cap = (c->len + n) * 2;
        char *grown = realloc(c->body, cap);
        if (!grown)
            return 0; /* curl then fails the transfer */
        c->body = grown;
        c->cap = cap;
    }
    memcpy(c->body + c->len, data, n);
    c->len += n;
    return n;
}

static int curl_open(void **shared, const bench_config *cfg)
{
    (void)cfg;
    *shared = NULL;
    return 0; /* curl_global_init is done by nax_global_init in main */
}

static int curl_thread_open(void **out, void *shared, const bench_config *cfg)
{
    (void)shared;
    curl_ctx *c = calloc(1, sizeof(*c));
    if (!c || !(c->easy = curl_easy_init())) {
        free(c);
        fprintf(stderr, "curl: out of memory\n");
        return -1;
    }
    curl_easy_setopt(c->easy, CURLOPT_URL, cfg->url);
    curl_easy_setopt(c->easy, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->easy, CURLOPT_TCP_NODELAY, 1L);
    *out = c;
    return 0;
}

static int curl_get(curl_ctx *c)
{
    c->len = 0;
    CURLcode rc = curl_easy_perform(c->easy);
    if (rc != CURLE_OK) {
        fprintf(stderr, "curl: %s\n", curl_easy_strerror(rc));
        return -1;
    }
    long status = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        fprintf(stderr, "curl: HTTP status %ld\n", status);
        return -1;
    }
    return 0;
}

static int curl_check(void *ctx, const bench_config *cfg)
{
    curl_ctx *c = ctx;
    if (curl_get(c) != 0)
        return -1;
    char *type = NULL;
    curl_easy_getinfo(c->easy, CURLINFO_CONTENT_TYPE, &type);
    if (!type || strncmp(type, "application/json", 16) != 0) {
        fprintf(stderr, "curl: Content-Type %s, not application/json\n", type ? type : "none");
        return -1;
    }
    if (c->len != cfg->expect_len || memcmp(c->body, cfg->expect, c->len) != 0) {
        fprintf(stderr, "curl: the body differs from the served file\n");
        return -1;
    }
    return 0;
}

static int curl_calls(void *ctx, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        if (curl_get(ctx) != 0)
            return -1;
    return 0;
}

static void curl_thread_close(void *ctx)
{
    curl_ctx *c = ctx;
    curl_easy_cleanup(c->easy);
    free(c->body);
    free(c);
}

static void curl_close(void *shared)
{
    (void)shared;
}

const bench_impl bench_impl_curl = {"curl",     curl_open,         curl_thread_open, curl_check,
                                    curl_calls, curl_thread_close, curl_close};
