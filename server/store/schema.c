/*
 * The store's schema as numbered migrations. A migration is never edited once
 * released: add a new one. Money is TEXT holding the exact decimal string.
 * Times are INTEGER milliseconds since the epoch.
 */
#include "schema.h"

static const char migration_1[] =
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " email TEXT NOT NULL UNIQUE,"
    " password_hash TEXT NOT NULL,"
    " full_name TEXT, country TEXT, phone TEXT,"
    " kyc_status INTEGER NOT NULL,"
    " kyc_reason TEXT,"
    " kyc_updated_at INTEGER NOT NULL,"
    " totp_secret TEXT,"
    " totp_enabled INTEGER NOT NULL DEFAULT 0,"
    " created_at INTEGER NOT NULL);"

    "CREATE TABLE refresh_tokens ("
    " token_hash TEXT PRIMARY KEY,"
    " family TEXT NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " expires_at INTEGER NOT NULL,"
    " used INTEGER NOT NULL DEFAULT 0,"
    " revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX refresh_tokens_family ON refresh_tokens(family);"

    "CREATE TABLE api_keys ("
    " id TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " label TEXT NOT NULL,"
    " scopes INTEGER NOT NULL,"
    " secret TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " last_used_at INTEGER NOT NULL DEFAULT 0,"
    " revoked INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX api_keys_user ON api_keys(user_id);"

    "CREATE TABLE kyc_documents ("
    " id TEXT PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " document_type INTEGER NOT NULL,"
    " file_name TEXT NOT NULL,"
    " content_type TEXT NOT NULL,"
    " size_bytes INTEGER NOT NULL,"
    " path TEXT NOT NULL,"
    " created_at INTEGER NOT NULL);"

    "CREATE TABLE balances ("
    " user_id INTEGER NOT NULL,"
    " asset TEXT NOT NULL,"
    " available TEXT NOT NULL,"
    " locked TEXT NOT NULL,"
    " PRIMARY KEY (user_id, asset)) WITHOUT ROWID;"

    "CREATE TABLE orders ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " client_order_id TEXT,"
    " pair TEXT NOT NULL,"
    " side INTEGER NOT NULL,"
    " type INTEGER NOT NULL,"
    " price TEXT,"
    " quantity TEXT NOT NULL,"
    " filled TEXT NOT NULL,"
    " filled_notional TEXT NOT NULL,"
    " tif INTEGER NOT NULL,"
    " post_only INTEGER NOT NULL,"
    " status INTEGER NOT NULL,"
    " hold_asset TEXT NOT NULL,"
    " hold_remaining TEXT NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE UNIQUE INDEX orders_client_id ON orders(user_id, client_order_id)"
    " WHERE client_order_id IS NOT NULL;"
    "CREATE INDEX orders_user ON orders(user_id, id);"
    "CREATE INDEX orders_open ON orders(status) WHERE status IN (1, 2);"

    "CREATE TABLE trades ("
    " id INTEGER PRIMARY KEY,"
    " pair TEXT NOT NULL,"
    " price TEXT NOT NULL,"
    " quantity TEXT NOT NULL,"
    " taker_side INTEGER NOT NULL,"
    " maker_order INTEGER NOT NULL,"
    " taker_order INTEGER NOT NULL,"
    " ts INTEGER NOT NULL);"
    "CREATE INDEX trades_pair ON trades(pair, id);"

    "CREATE TABLE fills ("
    " trade_id INTEGER NOT NULL,"
    " user_id INTEGER NOT NULL,"
    " order_id INTEGER NOT NULL,"
    " pair TEXT NOT NULL,"
    " side INTEGER NOT NULL,"
    " price TEXT NOT NULL,"
    " quantity TEXT NOT NULL,"
    " fee TEXT NOT NULL,"
    " fee_asset TEXT NOT NULL,"
    " liquidity INTEGER NOT NULL,"
    " ts INTEGER NOT NULL,"
    " PRIMARY KEY (user_id, trade_id, liquidity)) WITHOUT ROWID;"

    "CREATE TABLE deposit_addresses ("
    " user_id INTEGER NOT NULL,"
    " asset TEXT NOT NULL,"
    " network TEXT NOT NULL,"
    " address TEXT NOT NULL UNIQUE,"
    " memo TEXT,"
    " PRIMARY KEY (user_id, asset, network)) WITHOUT ROWID;"

    "CREATE TABLE wallet_txs ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " asset TEXT NOT NULL,"
    " type INTEGER NOT NULL,"
    " amount TEXT NOT NULL,"
    " fee TEXT NOT NULL,"
    " status INTEGER NOT NULL,"
    " address TEXT, network TEXT, memo TEXT, tx_hash TEXT,"
    " reference TEXT UNIQUE,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX wallet_txs_user ON wallet_txs(user_id, id);"

    "CREATE TABLE fiat_txs ("
    " id INTEGER PRIMARY KEY,"
    " user_id INTEGER NOT NULL,"
    " currency TEXT NOT NULL,"
    " type INTEGER NOT NULL,"
    " amount TEXT NOT NULL,"
    " fee TEXT NOT NULL,"
    " status INTEGER NOT NULL,"
    " method INTEGER NOT NULL,"
    " reference TEXT NOT NULL UNIQUE,"
    " account_name TEXT, account_number TEXT, bank_code TEXT,"
    " created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL);"
    "CREATE INDEX fiat_txs_user ON fiat_txs(user_id, id);"

    "CREATE TABLE webhook_events ("
    " id TEXT PRIMARY KEY,"
    " provider TEXT NOT NULL,"
    " type TEXT NOT NULL,"
    " received_at INTEGER NOT NULL) WITHOUT ROWID;"

    "CREATE TABLE idempotency ("
    " scope TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " body_hash TEXT NOT NULL,"
    " status INTEGER NOT NULL,"
    " response BLOB NOT NULL,"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (scope, key)) WITHOUT ROWID;"
    "CREATE INDEX idempotency_age ON idempotency(created_at);"

    "CREATE TABLE counters ("
    " name TEXT PRIMARY KEY,"
    " value INTEGER NOT NULL) WITHOUT ROWID;"

    "CREATE TABLE audit ("
    " seq INTEGER PRIMARY KEY,"
    " ts INTEGER NOT NULL,"
    " actor TEXT NOT NULL,"
    " action TEXT NOT NULL,"
    " before TEXT,"
    " after TEXT,"
    " request_id TEXT,"
    " prev_hash TEXT NOT NULL,"
    " hash TEXT NOT NULL);"

    "CREATE TABLE health_probe ("
    " id INTEGER PRIMARY KEY CHECK (id = 1),"
    " ts INTEGER NOT NULL);";

/* Audit rows may only be appended. */
static const char migration_2[] = "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
                                  " BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;"
                                  "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
                                  " BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;";

/* One credit per on-chain transaction and address (the app checks first;
 * this is the backstop). */
static const char migration_3[] =
    "CREATE UNIQUE INDEX wallet_txs_deposit ON wallet_txs(address, lower(tx_hash))"
    " WHERE type = 1 AND tx_hash IS NOT NULL;";

/* The last TOTP step used survives restarts, so a code cannot be used twice. */
static const char migration_4[] =
    "ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0;";

/* The health probe writes a blob, so that it needs free space like a real commit. */
static const char migration_5[] = "ALTER TABLE health_probe ADD COLUMN pad BLOB;";

static const char *const migrations[] = {migration_1, migration_2, migration_3, migration_4,
                                         migration_5};

size_t naxd__schema_migration_count(void)
{
    return sizeof(migrations) / sizeof(migrations[0]);
}

const char *naxd__schema_migration(size_t i)
{
    return i < naxd__schema_migration_count() ? migrations[i] : NULL;
}
