/*
 * store.h: the inside of drove_store, for its tests.
 *
 * The schema is a list of migrations; migration i takes a database from
 * user_version i to i + 1.  inventory/schema.sql holds the same text,
 * concatenated, and test-store.c checks that they stay equal.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>

extern const char *const store_migrations[];
extern const size_t store_nmigrations;

#endif /* STORE_H */
