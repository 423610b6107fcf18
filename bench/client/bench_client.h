/* The client benchmark's driver interface: each implementation (libnax, raw
 * libcurl) fetches the same ticker over kept-alive connections, one thread
 * per context, and main.c times them alike (see run.sh and README). */
#ifndef NAX_BENCH_CLIENT_H
#define NAX_BENCH_CLIENT_H

#include <stddef.h>

/** What every implementation is given. */
typedef struct bench_config {
    const char *base_url; /* e.g. "http://127.0.0.1:8080" */
    const char *pair;     /* e.g. "BTC-AUD" */
    const char *url;      /* base_url + "/v1/markets/<pair>/ticker" */
    const char *expect;   /* the body the server serves, for the check */
    size_t expect_len;    /* bytes at expect */
    unsigned int threads; /* threads sharing the implementation's state */
} bench_config;

/**
 * One implementation. open() makes the state all threads share (libnax: one
 * client), thread_open() what one thread uses alone (libcurl: an easy
 * handle). check() does one call and compares the result with the served
 * body; calls() does n calls as fast as it can, failing on any bad answer.
 * Everything returns 0 or -1 after printing why to stderr.
 */
typedef struct bench_impl {
    const char *name;
    int (*open)(void **shared, const bench_config *cfg);
    int (*thread_open)(void **ctx, void *shared, const bench_config *cfg);
    int (*check)(void *ctx, const bench_config *cfg);
    int (*calls)(void *ctx, unsigned long n);
    void (*thread_close)(void *ctx);
    void (*close)(void *shared);
} bench_impl;

extern const bench_impl bench_impl_libnax;
extern const bench_impl bench_impl_curl;

#endif
