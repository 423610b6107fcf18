/**
 * @file nax/auth.h
 * @brief Signing helpers: API-key request signatures and provider webhooks.
 *
 * These are the same functions naxd uses to check what it receives, so a
 * backend service, a test or the `nax` command line can act as a payment
 * provider, and a service that receives provider callbacks can verify them.
 *
 * All functions are thread-safe and keep no state; they need no
 * nax_global_init(). Secrets are only read: they are never copied into
 * nax_error_last() or a log.
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
 * Nothing separates the parts, exactly as naxd checks them.
 *
 * All inputs are only read during the call and not kept.
 *
 * @param out receives 64 hex digits and a NUL (an empty string on failure).
 * @param secret the API key's secret (NUL-terminated).
 * @param timestamp the `X-NAX-TIMESTAMP` value exactly as sent (ms since the epoch).
 * @param method upper-case HTTP method, e.g. `"POST"`.
 * @param target path with query exactly as sent, e.g. `"/v1/orders?pair=BTC-AUD"`.
 * @param body the raw body bytes; may be NULL when @p body_len is 0.
 * @param body_len body length.
 * @return 0, or #NAX_EINVAL when an argument is NULL or @p method is not upper case;
 *         #NAX_ERROR when the crypto library fails.
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
 * @p secret over `id.timestamp.body`, where timestamp is written in decimal.
 * To send several signatures during a key rotation, call it once per
 * secret and put a space between the results.
 *
 * The buffer is grown with the allocator given to nax_global_init(); on
 * failure it is left as it was. Other inputs are only read.
 *
 * @param out buffer to append the `webhook-signature` value to (see #nax_buf).
 * @param secret the provider secret: `whsec_` followed by base64 of the key.
 *        A secret without the prefix is used as the key bytes themselves.
 * @param id the `webhook-id` value.
 * @param timestamp the `webhook-timestamp` value, seconds since the epoch, >= 0.
 * @param body the raw body; may be NULL when @p body_len is 0.
 * @param body_len body length.
 * @return 0; #NAX_EINVAL for a malformed or empty secret, a negative timestamp
 *         or a NULL argument; #NAX_ENOMEM; #NAX_ERROR when the crypto library fails.
 */
NAX_API int nax_webhook_sign(nax_buf *out, const char *secret, const char *id, int64_t timestamp,
                             const void *body, size_t body_len);

/**
 * @brief Verify a received webhook.
 *
 * Accepts when any `v1,` signature in the space-separated @p signatures header
 * matches any of @p secrets (key rotation on either side), compared in
 * constant time, and @p timestamp is within @p tolerance_s of @p now either way.
 * Entries of other versions are ignored. Deduplicating by id is the
 * receiver's job. The timestamp is checked first, so a stale or replayed
 * message is refused without computing a MAC.
 *
 * All inputs are only read during the call and not kept.
 *
 * @param secrets provider secrets (`whsec_...`, see nax_webhook_sign()), at least one.
 * @param secrets_count number of @p secrets.
 * @param id the `webhook-id` header.
 * @param timestamp the `webhook-timestamp` header text (decimal seconds, digits only).
 * @param signatures the `webhook-signature` header.
 * @param body the raw body; may be NULL when @p body_len is 0.
 * @param body_len body length.
 * @param now the receiver's clock, seconds since the epoch.
 * @param tolerance_s allowed distance, usually #NAX_WEBHOOK_TOLERANCE_S; >= 0.
 * @return 0 when valid; #NAX_EAUTH with nax_error_last() naming the reason
 *         in @c server_code and the header in @c field: `timestamp_out_of_window`
 *         and `"webhook-timestamp"` for a timestamp that is not decimal digits
 *         or is too far from @p now, `invalid_signature` and
 *         `"webhook-signature"` when no v1 signature matches;
 *         #NAX_EINVAL for NULL arguments, no secret, a bad secret or a negative
 *         tolerance; #NAX_ERROR when the crypto library fails.
 */
NAX_API int nax_webhook_verify(const char *const *secrets, size_t secrets_count, const char *id,
                               const char *timestamp, const char *signatures, const void *body,
                               size_t body_len, int64_t now, int64_t tolerance_s);

NAX_END_DECLS

#endif /* NAX_AUTH_H */
