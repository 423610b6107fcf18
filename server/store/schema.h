/* The store's migrations: migration i (0-based) takes user_version i to i+1. */
#ifndef NAXD_STORE_SCHEMA_H
#define NAXD_STORE_SCHEMA_H

#include <stddef.h>

size_t naxd__schema_migration_count(void);
const char *naxd__schema_migration(size_t i);

#endif
