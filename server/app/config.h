/*
 * naxd configuration: a JSON file (docs/guides/naxd.md lists every member),
 * secrets from the environment, and defaults for everything else.
 */
#ifndef NAXD_CONFIG_H
#define NAXD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "auth/password.h"
#include "engine/engine.h"
#include "stream/stream.h"

/* The widest signature receive window, in the config or X-NAX-RECV-WINDOW. */
#define NAXD_MAX_RECV_WINDOW_MS 60000

typedef struct naxd_rate {
    double rate;  /* tokens per second */
    double burst; /* bucket size */
} naxd_rate;

typedef struct naxd_provider {
    char *name;     /* path segment of /v1/webhooks/{provider} */
    char **secrets; /* whsec_... ; several during rotation */
    size_t secrets_count;
} naxd_provider;

typedef struct naxd_asset_fee {
    char *asset;
    nax_decimal withdraw_fee; /* flat fee per withdrawal */
} naxd_asset_fee;

typedef struct naxd_config {
    char *listen_host;
    int port;
    char *data_dir;
    char *tls_cert, *tls_key;

    naxd_market_spec *markets; /* strings owned by the config */
    size_t markets_count;
    naxd_asset_fee *assets; /* known assets with withdrawal fees */
    size_t assets_count;

    naxd_provider *providers;
    size_t providers_count;

    naxd_kdf_params kdf;
    unsigned char jwt_key[64];
    size_t jwt_key_len;
    char *jwt_issuer, *jwt_audience;
    int64_t access_ttl_s, refresh_ttl_s;
    char *operator_token; /* NULL disables the admin routes */

    naxd_rate rate_default, rate_auth, rate_login_failures, rate_totp_failures;
    int64_t recv_window_ms; /* API-key signatures, 5000 default, max 60000 */

    size_t max_body, max_kyc_body, max_header_bytes;
    size_t max_body_total; /* request bodies held at once, all connections */
    unsigned int max_conns, idle_timeout_s;
    int access_log;

    naxd_stream_limits stream; /* "stream" member; zero members mean stream.h's defaults */
} naxd_config;

/* Defaults, then the file (may be NULL), then the environment:
 *   NAXD_JWT_SECRET              JWT HMAC key (else DIR/jwt.key, generated 0600)
 *   NAXD_WEBHOOK_SECRET_<NAME>   provider secret(s), space-separated; NAME upper-case
 *   NAXD_OPERATOR_TOKEN          admin routes
 * The JWT key is resolved by naxd_config_resolve_keys once data_dir exists.
 * NAX_EINVAL with a message naming the member on a bad file. */
int naxd_config_load(naxd_config **out, const char *path);
int naxd_config_resolve_keys(naxd_config *c);
void naxd_config_free(naxd_config *c);

/* Sets one stream limit by its JSON name ("max_queue_messages", ...) from a
 * non-negative integer: the file's "stream" member and naxd's --stream-*
 * flags. NAX_EINVAL naming it for an unknown name or a value out of range. */
int naxd_config_stream_limit(naxd_config *c, const char *name, int64_t value);
/* The names naxd_config_stream_limit knows, NULL-terminated. */
extern const char *const naxd_config_stream_limit_names[];

const naxd_provider *naxd_config_provider(const naxd_config *c, const char *name);
const naxd_asset_fee *naxd_config_asset(const naxd_config *c, const char *asset);

#endif
