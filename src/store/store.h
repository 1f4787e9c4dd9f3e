/*
 * store.h: the inside of drove_store, for its tests.
 *
 * The schema is a list of migrations; migration i takes a database from
 * user_version i to i + 1.  inventory/schema.sql holds the same text,
 * concatenated, and test-store.c checks that they stay equal.  The
 * history module (history.c) reaches the database through store_db().
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>

#include <sqlite3.h>

#include "base/err.h"
#include "drove.h"

extern const char *const store_migrations[];
extern const size_t store_nmigrations;

/* The store's database handle and error, lent. */
sqlite3			*store_db(drove_store *);
struct drove_err	*store_err(drove_store *);

#endif /* STORE_H */
