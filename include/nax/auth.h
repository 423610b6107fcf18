/**
 * @file nax/auth.h
 * @brief Signing helpers: API-key request signatures and provider webhooks.
 *
 * These are the same functions naxd uses to check what it receives, so a
 * backend service, a test or the `nax` command line can act as a payment
 * provider, and a service that receives provider callbacks can verify them.
 * All functions are thread-safe and keep no state.
 */
#ifndef NAX_AUTH_H
#define NAX_AUTH_H

#include "common.h"

NAX_BEGIN_DECLS

/**
 * @brief Sign an API-key request.
 *
 * Computes lowercase hex HMAC-SHA256, keyed with @p secret's bytes, over
 * `timestamp || METHOD || target || body`, the value of `X-NAX-SIGNATURE`.
 *
 * @param out receives 64 hex digits and a NUL.
 * @param secret the API key's secret (NUL-terminated).
 * @param timestamp the `X-NAX-TIMESTAMP` value exactly as sent (ms since the epoch).
 * @param method upper-case HTTP method, e.g. `"POST"`.
 * @param target path with query exactly as sent, e.g. `"/v1/orders?pair=BTC-AUD"`.
 * @param body the raw body bytes; may be NULL when @p body_len is 0.
 * @param body_len body length.
 * @return 0, or #NAX_EINVAL when an argument is NULL or @p method is not upper case.
 */
NAX_API int nax_sign_request(char out[65], const char *secret, const char *timestamp,
                             const char *method, const char *target, const void *body,
                             size_t body_len);

/** Default tolerance of webhook timestamps, in seconds, each way. */
#define NAX_WEBHOOK_TOLERANCE_S 300

/**
 * @brief Sign a webhook the Standard Webhooks way, as a provider would.
 *
 * Appends `v1,<base64 HMAC-SHA256>` to @p out, computed with the key inside
 * @p secret (`whsec_<base64>`) over `id.timestamp.body`.
 *
 * @param out buffer to append the `webhook-signature` value to (see #nax_buf).
 * @param secret the provider secret, `whsec_` followed by base64.
 * @param id the `webhook-id` value.
 * @param timestamp the `webhook-timestamp` value, seconds since the epoch.
 * @param body the raw body; may be NULL when @p body_len is 0.
 * @param body_len body length.
 * @return 0; #NAX_EINVAL for a malformed secret or NULL argument; #NAX_ENOMEM.
 */
NAX_API int nax_webhook_sign(nax_buf *out, const char *secret, const char *id, int64_t timestamp,
                             const void *body, size_t body_len);

/**
 * @brief Verify a received webhook.
 *
 * Accepts when any `v1,` signature in the space-separated @p signatures header
 * matches any of @p secrets (key rotation on either side), compared in
 * constant time, and @p timestamp is within @p tolerance_s of @p now either way.
 * Deduplicating by id is the receiver's job.
 *
 * @param secrets provider secrets (`whsec_...`), at least one.
 * @param secrets_count number of @p secrets.
 * @param id the `webhook-id` header.
 * @param timestamp the `webhook-timestamp` header text (decimal seconds).
 * @param signatures the `webhook-signature` header.
 * @param body the raw body.
 * @param body_len body length.
 * @param now the receiver's clock, seconds since the epoch.
 * @param tolerance_s allowed distance, usually #NAX_WEBHOOK_TOLERANCE_S.
 * @return 0 when valid; #NAX_EAUTH with nax_error_last() naming the reason
 *         (server code `invalid_signature`, `timestamp_out_of_window`) and the
 *         header in @c field; #NAX_EINVAL for NULL arguments or a bad secret.
 */
NAX_API int nax_webhook_verify(const char *const *secrets, size_t secrets_count, const char *id,
                               const char *timestamp, const char *signatures, const void *body,
                               size_t body_len, int64_t now, int64_t tolerance_s);

NAX_END_DECLS

#endif /* NAX_AUTH_H */
