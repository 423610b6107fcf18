/*
 * sandbox: the parts of an exchange session that a partner's program never
 * does itself, for examples and tests against a local naxd.
 *
 * - The operator: approving a user's identity (KYC) through naxd's
 *   operator route, `POST /admin/users/{id}/kyc`, with the operator token.
 * - The providers: a payment provider reporting a fiat deposit or payout,
 *   and a custody provider reporting a crypto deposit or payout, each as a webhook
 *   signed with nax_webhook_sign(), exactly as the real provider would.
 *
 * Neither the operator route nor the webhooks are calls a client makes, so
 * this file speaks plain libcurl. The secrets come from the environment
 * variables naxd reads: NAXD_OPERATOR_TOKEN, NAXD_WEBHOOK_SECRET_PAYMENTS and
 * NAXD_WEBHOOK_SECRET_CUSTODY (the first secret of a space-separated list).
 *
 * Every function returns 0, or -1 after printing on stderr what went wrong.
 */
#ifndef NAX_EXAMPLES_SANDBOX_H
#define NAX_EXAMPLES_SANDBOX_H

#include <nax.h>

typedef struct sandbox sandbox;

/* A sandbox for the naxd at `base_url` (e.g. "http://127.0.0.1:8080"). */
int sandbox_open(sandbox **out, const char *base_url);
void sandbox_close(sandbox *sb);

/* The operator marks the user's identity verified. */
int sandbox_verify_kyc(sandbox *sb, const char *user_id);

/* The payment provider reports that the deposit with `reference` was paid. */
int sandbox_payment_succeeded(sandbox *sb, const char *reference, const nax_decimal *amount,
                              const char *currency);

/* The payment provider reports that the fiat withdrawal with `reference` was paid out. */
int sandbox_payout_completed(sandbox *sb, const char *reference);

/* The custody provider reports that the crypto withdrawal `reference`
 * (its transaction id, wtx_N) was sent on chain. */
int sandbox_custody_payout_completed(sandbox *sb, const char *reference);

/* The custody provider reports `amount` of `asset` arriving at `address`. */
int sandbox_custody_deposit(sandbox *sb, const char *address, const nax_decimal *amount,
                            const char *asset);

#endif /* NAX_EXAMPLES_SANDBOX_H */
