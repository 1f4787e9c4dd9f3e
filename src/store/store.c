/*
 * store.c: the SQLite inventory store (and the run history's tables).
 *
 * The database holds hosts, groups, their links and their vars; loading it
 * rebuilds the same inventory the YAML gave, precedence included, and
 * drove_inventory_write_yaml() turns it back into YAML.  The schema is
 * versioned with PRAGMA user_version and moved forward by the migrations
 * below, each in its own immediate transaction, so that two processes that
 * open an old database at once migrate it once.  WAL mode lets readers run
 * while a writer works; writers wait for each other up to STORE_BUSY_MS.
 * The file is created 0600 (SQLite gives its -wal and -shm files the same
 * mode) and a missing directory 0700.  ansible_password and
 * ansible_become_password are never written unless the caller says so.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/err.h"
#include "drove.h"
#include "inventory/inventory.h"
#include "store/store.h"

/* How long a writer waits for another one. */
#define STORE_BUSY_MS	30000

const char *const store_migrations[] = {
	"-- schema.sql: drove's SQLite store.  Each \"version N\" part moves a\n"
	"-- database from user_version N-1 to N; src/store/store.c embeds this text.\n"
	"\n"
	"-- version 1: the inventory\n"
	"CREATE TABLE groups (\n"
	"\tid\tINTEGER PRIMARY KEY,\n"
	"\tname\tTEXT NOT NULL UNIQUE\n"
	");\n"
	"CREATE TABLE group_parents (\n"
	"\tchild\tINTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,\n"
	"\tparent\tINTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,\n"
	"\tUNIQUE (child, parent)\n"
	");\n"
	"CREATE TABLE hosts (\n"
	"\tid\tINTEGER PRIMARY KEY,\n"
	"\tname\tTEXT NOT NULL UNIQUE\n"
	");\n"
	"CREATE TABLE host_groups (\n"
	"\thost\tINTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,\n"
	"\tgrp\tINTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,\n"
	"\tUNIQUE (host, grp)\n"
	");\n"
	"CREATE INDEX host_groups_grp ON host_groups(grp);\n"
	"CREATE TABLE host_vars (\n"
	"\thost\tINTEGER NOT NULL REFERENCES hosts(id) ON DELETE CASCADE,\n"
	"\tname\tTEXT NOT NULL,\n"
	"\tvalue\tTEXT NOT NULL,\n"
	"\tUNIQUE (host, name)\n"
	");\n"
	"CREATE TABLE group_vars (\n"
	"\tgrp\tINTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,\n"
	"\tname\tTEXT NOT NULL,\n"
	"\tvalue\tTEXT NOT NULL,\n"
	"\tUNIQUE (grp, name)\n"
	");\n",

	"\n"
	"-- version 2: the run history\n"
	"CREATE TABLE runs (\n"
	"\tid\t\tINTEGER PRIMARY KEY,\n"
	"\tstarted_ms\tINTEGER NOT NULL,\n"
	"\tended_ms\tINTEGER,\n"
	"\tcommand\t\tTEXT NOT NULL,\n"
	"\tpattern\t\tTEXT NOT NULL\n"
	");\n"
	"CREATE TABLE run_hosts (\n"
	"\trun\t\tINTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
	"\thost\t\tTEXT NOT NULL,\n"
	"\tstatus\t\tTEXT NOT NULL,\n"
	"\texit_code\tINTEGER,\n"
	"\tsignal\t\tTEXT,\n"
	"\terror\t\tTEXT,\n"
	"\telapsed_ms\tINTEGER,\n"
	"\tstdout\t\tBLOB,\n"
	"\tstderr\t\tBLOB,\n"
	"\ttruncated\tINTEGER NOT NULL DEFAULT 0,\n"
	"\tUNIQUE (run, host)\n"
	");\n"
	"CREATE INDEX run_hosts_host ON run_hosts(host);\n",

	"\n"
	"-- version 3: the rest of a history record: the kind of command,\n"
	"-- the local user and command line, the exit status, the output\n"
	"-- cap and each host's byte counts; ended_ms is NULL until the end\n"
	"ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'run';\n"
	"ALTER TABLE runs ADD COLUMN user TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE runs ADD COLUMN line TEXT NOT NULL DEFAULT '';\n"
	"ALTER TABLE runs ADD COLUMN exit_code INTEGER;\n"
	"ALTER TABLE runs ADD COLUMN cap INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE run_hosts ADD COLUMN out_bytes INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE run_hosts ADD COLUMN err_bytes INTEGER NOT NULL DEFAULT 0;\n"
	"CREATE INDEX runs_started ON runs(started_ms);\n",

	"\n"
	"-- version 4: recorded shell sessions (asciicast v2 files)\n"
	"CREATE TABLE sessions (\n"
	"\tid\t\tINTEGER PRIMARY KEY,\n"
	"\thost\t\tTEXT NOT NULL,\n"
	"\tuser\t\tTEXT NOT NULL,\n"
	"\tstarted_ms\tINTEGER NOT NULL,\n"
	"\tended_ms\tINTEGER NOT NULL,\n"
	"\texit_status\tINTEGER NOT NULL,\n"
	"\tsize\t\tINTEGER NOT NULL,\n"
	"\tpath\t\tTEXT NOT NULL\n"
	");\n"
	"CREATE INDEX sessions_host ON sessions(host);\n",

	"\n"
	"-- version 5: each var's type, as Ansible has it: 0 text, 1 null,\n"
	"-- 2 boolean, 3 integer, 4 float, 5 list or mapping (JSON text),\n"
	"-- 6 vaulted (the ciphertext), 7 text tagged !unsafe\n"
	"ALTER TABLE host_vars ADD COLUMN type INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE group_vars ADD COLUMN type INTEGER NOT NULL DEFAULT 0;\n",
};
const size_t store_nmigrations =
    sizeof store_migrations / sizeof store_migrations[0];

struct drove_store {
	sqlite3			*db;
	struct drove_err	 err;
};

/* Set an error from SQLite's last message; returns DROVE_E_IO. */
static int
store_sqlerr(drove_store *st, const char *what)
{
	return err_set(&st->err, DROVE_E_IO, "%s: %s", what,
	    sqlite3_errmsg(st->db));
}

/* Run SQL without results. */
static int
store_exec(drove_store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_sqlerr(st, "database");
	return 0;
}

/* Prepare SQL, with an error on failure. */
static int
store_prep(drove_store *st, const char *sql, sqlite3_stmt **s)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
		return store_sqlerr(st, "database");
	return 0;
}

/* $DROVE_HOME/drove.db or ~/.local/share/drove/drove.db. */
char *
drove_store_default_path(void)
{
	const char *dh = getenv("DROVE_HOME"), *home = getenv("HOME");
	char *p;

	if (dh != NULL && *dh != '\0') {
		if (asprintf(&p, "%s/drove.db", dh) < 0)
			return NULL;
	} else if (asprintf(&p, "%s/.local/share/drove/drove.db",
	    home != NULL ? home : "") < 0)
		return NULL;
	return p;
}

/* Make the directories leading to path, the missing ones 0700. */
static int
store_mkdirs(const char *path)
{
	char *d, *p;
	int r = 0;

	if ((d = strdup(path)) == NULL)
		return DROVE_E_NOMEM;
	if ((p = strrchr(d, '/')) == NULL || p == d) {
		free(d);
		return 0;
	}
	*p = '\0';
	for (p = d + 1; r == 0; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if (*p == '\0') {
			if (mkdir(d, 0700) != 0 && errno != EEXIST)
				r = DROVE_E_IO;
			break;
		}
		*p = '\0';
		if (mkdir(d, 0700) != 0 && errno != EEXIST)
			r = DROVE_E_IO;
		*p = '/';
	}
	free(d);
	return r;
}

/* The database's user_version, or a negative code. */
static int
store_user_version(drove_store *st)
{
	sqlite3_stmt *s = NULL;
	int v;

	if (store_prep(st, "PRAGMA user_version", &s) != 0)
		return DROVE_E_IO;
	v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) :
	    store_sqlerr(st, "database");
	sqlite3_finalize(s);
	return v;
}

/* Bring the schema to the latest version, one migration at a time. */
static int
store_migrate(drove_store *st)
{
	char sql[64];
	int v, r;

	for (;;) {
		if ((r = store_exec(st, "BEGIN IMMEDIATE")) != 0)
			return r;
		if ((v = store_user_version(st)) < 0) {
			r = v;
			break;
		}
		if ((size_t)v > store_nmigrations) {
			r = err_set(&st->err, DROVE_E_INVAL, "database schema "
			    "version %d is newer than this drove's (%zu)", v,
			    store_nmigrations);
			break;
		}
		if ((size_t)v == store_nmigrations) {
			r = store_exec(st, "COMMIT");
			break;
		}
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if ((r = store_exec(st, store_migrations[v])) != 0 ||
		    (r = store_exec(st, sql)) != 0 ||
		    (r = store_exec(st, "COMMIT")) != 0)
			break;
	}
	if (r != 0)
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* Open the store at path, creating and migrating it as needed. */
int
drove_store_open(const char *path, drove_store **out, char *errbuf,
    size_t errlen)
{
	drove_store *st = NULL;
	int fd, r = DROVE_E_NOMEM;

	*out = NULL;
	if ((st = calloc(1, sizeof *st)) == NULL) {
		snprintf(errbuf, errlen, "out of memory");
		return r;
	}
	if (store_mkdirs(path) != 0 || (fd = open(path, O_RDWR | O_CREAT |
	    O_CLOEXEC, 0600)) == -1) {
		r = err_set(&st->err, DROVE_E_IO, "cannot open database '%s': "
		    "%s", path, strerror(errno));
		goto out;
	}
	close(fd);
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE,
	    NULL) != SQLITE_OK) {
		r = err_set(&st->err, DROVE_E_IO, "cannot open database '%s': "
		    "%s", path, st->db != NULL ? sqlite3_errmsg(st->db) :
		    "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	if ((r = store_exec(st, "PRAGMA foreign_keys = ON")) != 0 ||
	    (r = store_exec(st, "PRAGMA journal_mode = WAL")) != 0 ||
	    (r = store_exec(st, "PRAGMA synchronous = NORMAL")) != 0 ||
	    (r = store_migrate(st)) != 0) {
		snprintf(errbuf, errlen, "database '%s': %s", path,
		    st->err.msg);
		drove_store_close(st);
		return r;
	}
	*out = st;
	st = NULL;
 out:
	if (st != NULL) {
		snprintf(errbuf, errlen, "%s", st->err.msg);
		drove_store_close(st);
	}
	return r;
}

/* Close the store. */
void
drove_store_close(drove_store *st)
{
	if (st == NULL)
		return;
	sqlite3_close(st->db);
	free(st);
}

/* The last error message. */
const char *
drove_store_error(const drove_store *st)
{
	return st != NULL ? st->err.msg : "no store";
}

/* The database handle, for history.c. */
sqlite3 *
store_db(drove_store *st)
{
	return st->db;
}

/* The error context, for history.c. */
struct drove_err *
store_err(drove_store *st)
{
	return &st->err;
}

/* The schema version. */
int
drove_store_version(drove_store *st)
{
	return store_user_version(st);
}

/* The statements of one load. */
struct ld {
	drove_store	*st;
	drove_inventory	*inv;
	size_t		*gidx;		/* group id -> index */
	size_t		 ngidx;
	size_t		*hidx;		/* host id -> index */
	size_t		 nhidx;
};

/* A map from row ids of table to indices, sized by the largest id. */
static int
ld_map(struct ld *ld, const char *sql, size_t **map, size_t *n)
{
	sqlite3_stmt *s = NULL;
	sqlite3_int64 max = 0;
	size_t i;
	int r;

	if ((r = store_prep(ld->st, sql, &s)) != 0)
		return r;
	if (sqlite3_step(s) == SQLITE_ROW)
		max = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (max < 0 || (*map = calloc((size_t)max + 1, sizeof **map)) == NULL)
		return err_set(&ld->st->err, DROVE_E_NOMEM, "out of memory");
	*n = (size_t)max + 1;
	for (i = 0; i < *n; i++)
		(*map)[i] = INV_NONE;
	return 0;
}

/* The index for a row id, or INV_NONE. */
static size_t
ld_idx(const size_t *map, size_t n, sqlite3_int64 id)
{
	return id >= 0 && (size_t)id < n ? map[id] : INV_NONE;
}

/* Run one query of the load and apply each row. */
static int
ld_rows(struct ld *ld, const char *sql, int what)
{
	drove_inventory *inv = ld->inv;
	sqlite3_stmt *s = NULL;
	const char *a, *b;
	char why[256];
	size_t x, y;
	int r, t, rc = SQLITE_DONE;

	if ((r = store_prep(ld->st, sql, &s)) != 0)
		return r;
	while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		a = (const char *)sqlite3_column_text(s, 1);
		b = (const char *)sqlite3_column_text(s, 2);
		x = (size_t)sqlite3_column_int64(s, 0);
		switch (what) {
		case 'g':
			if ((y = inv_group_add(inv, a)) == INV_NONE)
				r = DROVE_E_NOMEM;
			else if (x < ld->ngidx)
				ld->gidx[x] = y;
			break;
		case 'h':
			if ((y = inv_host_add(inv, a)) == INV_NONE)
				r = DROVE_E_NOMEM;
			else if (x < ld->nhidx)
				ld->hidx[x] = y;
			break;
		case 'p':
			x = ld_idx(ld->gidx, ld->ngidx, sqlite3_column_int64(s,
			    0));
			y = ld_idx(ld->gidx, ld->ngidx, sqlite3_column_int64(s,
			    1));
			if (x != INV_NONE && y != INV_NONE)
				r = inv_link_group(inv, y, x);
			break;
		case 'l':
			x = ld_idx(ld->hidx, ld->nhidx, sqlite3_column_int64(s,
			    0));
			y = ld_idx(ld->gidx, ld->ngidx, sqlite3_column_int64(s,
			    1));
			if (x != INV_NONE && y != INV_NONE)
				r = inv_link_host(inv, y, x);
			break;
		case 'H':
		case 'G':
			x = what == 'H' ? ld_idx(ld->hidx, ld->nhidx,
			    sqlite3_column_int64(s, 0)) : ld_idx(ld->gidx,
			    ld->ngidx, sqlite3_column_int64(s, 0));
			t = sqlite3_column_int(s, 3);
			if (x != INV_NONE && a != NULL && b != NULL &&
			    (t < INV_STR || t >= INV_NTYPES)) {
				snprintf(why, sizeof why, "unknown type %d", t);
				r = DROVE_E_INVENTORY;
			} else if (x != INV_NONE && a != NULL && b != NULL)
				r = inv_vars_set_typed(what == 'H' ?
				    &inv->hosts[x].vars : &inv->groups[x].vars,
				    a, b, t, why, sizeof why);
			if (r == DROVE_E_INVENTORY)
				r = err_set(&ld->st->err, r, "database: var "
				    "'%s': %s", a, why);
			break;
		}
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = store_sqlerr(ld->st, "database");
	else if (r == DROVE_E_NOMEM)
		r = err_set(&ld->st->err, r, "out of memory");
	sqlite3_finalize(s);
	return r;
}

/* Add the store's hosts, groups and vars to inv, from one snapshot. */
int
drove_inventory_load_store(drove_inventory *inv, drove_store *st)
{
	struct ld ld;
	int r;

	if (inv == NULL || st == NULL)
		return DROVE_E_INVAL;
	memset(&ld, 0, sizeof ld);
	ld.st = st;
	if ((r = store_exec(st, "BEGIN")) != 0)
		goto out;
	if ((ld.inv = inv_clone(inv)) == NULL) {
		r = err_set(&st->err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = ld_map(&ld, "SELECT max(id) FROM groups", &ld.gidx,
	    &ld.ngidx)) != 0 ||
	    (r = ld_map(&ld, "SELECT max(id) FROM hosts", &ld.hidx,
	    &ld.nhidx)) != 0 ||
	    (r = ld_rows(&ld, "SELECT id, name FROM groups ORDER BY id",
	    'g')) != 0 ||
	    (r = ld_rows(&ld, "SELECT child, parent FROM group_parents "
	    "ORDER BY rowid", 'p')) != 0 ||
	    (r = ld_rows(&ld, "SELECT grp, name, value, type FROM group_vars "
	    "ORDER BY rowid", 'G')) != 0 ||
	    (r = ld_rows(&ld, "SELECT id, name FROM hosts ORDER BY id",
	    'h')) != 0 ||
	    (r = ld_rows(&ld, "SELECT host, grp FROM host_groups "
	    "ORDER BY rowid", 'l')) != 0 ||
	    (r = ld_rows(&ld, "SELECT host, name, value, type FROM host_vars "
	    "ORDER BY rowid", 'H')) != 0)
		goto out;
	inv_commit(inv, ld.inv);
	ld.inv = NULL;
 out:
	sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (r != 0)
		err_set(&inv->err, r, "%s", st->err.msg);
	drove_inventory_free(ld.inv);
	free(ld.gidx);
	free(ld.hidx);
	return r;
}

/* The prepared statements of one import. */
enum {
	S_GROUP, S_GROUP_ID, S_PARENT, S_GVAR, S_HOST, S_HOST_ID, S_LINK,
	S_HVAR, S_COUNT
};

static const char *const import_sql[S_COUNT] = {
	"INSERT OR IGNORE INTO groups (name) VALUES (?1)",
	"SELECT id FROM groups WHERE name = ?1",
	"INSERT OR IGNORE INTO group_parents (child, parent) VALUES (?1, ?2)",
	"INSERT INTO group_vars (grp, name, value, type) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (grp, name) "
	    "DO UPDATE SET value = excluded.value, type = excluded.type",
	"INSERT OR IGNORE INTO hosts (name) VALUES (?1)",
	"SELECT id FROM hosts WHERE name = ?1",
	"INSERT OR IGNORE INTO host_groups (host, grp) VALUES (?1, ?2)",
	"INSERT INTO host_vars (host, name, value, type) "
	    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (host, name) "
	    "DO UPDATE SET value = excluded.value, type = excluded.type",
};

/*
 * Run statement s with two int64 or text parameters, or an id, a var's
 * name t2, value t3 and type; 0 or an error.
 */
static int
imp_run(drove_store *st, sqlite3_stmt *s, const char *t1, sqlite3_int64 i1,
    sqlite3_int64 i2, const char *t2, const char *t3, int type,
    sqlite3_int64 *id)
{
	int rc;

	sqlite3_reset(s);
	if (t1 != NULL)
		sqlite3_bind_text(s, 1, t1, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(s, 1, i1);
	if (t2 != NULL) {
		sqlite3_bind_text(s, 2, t2, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, t3, -1, SQLITE_STATIC);
		sqlite3_bind_int(s, 4, type);
	} else if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, i2);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW && id != NULL)
		*id = sqlite3_column_int64(s, 0);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_sqlerr(st, "database");
	return 0;
}

/* Whether a var holds a password: the login's or the become one. */
static int
imp_is_secret(const char *name)
{
	return strcmp(name, "ansible_password") == 0 ||
	    strcmp(name, "ansible_become_password") == 0;
}

/* Name of the first host or group holding a password, or NULL; *var
 * says which. */
static const char *
imp_secret(const drove_inventory *inv, const char **kind, const char **var)
{
	size_t i, k;

	for (i = 0; i < inv->nhosts; i++)
		for (k = 0; k < inv->hosts[i].vars.n; k++)
			if (imp_is_secret(inv->hosts[i].vars.v[k].name)) {
				*kind = "host";
				*var = inv->hosts[i].vars.v[k].name;
				return inv->hosts[i].name;
			}
	for (i = 0; i < inv->ngroups; i++)
		for (k = 0; k < inv->groups[i].vars.n; k++)
			if (imp_is_secret(inv->groups[i].vars.v[k].name)) {
				*kind = "group";
				*var = inv->groups[i].vars.v[k].name;
				return inv->groups[i].name;
			}
	return NULL;
}

/* Write the inventory's groups, hosts, links and vars. */
static int
imp_write(drove_store *st, const drove_inventory *inv, sqlite3_stmt **s,
    sqlite3_int64 *gid)
{
	const struct inv_vars *vs;
	sqlite3_int64 hid;
	size_t i, k;
	int r = 0;

	for (i = 0; r == 0 && i < inv->ngroups; i++)
		if ((r = imp_run(st, s[S_GROUP], inv->groups[i].name, 0, 0,
		    NULL, NULL, 0, NULL)) == 0)
			r = imp_run(st, s[S_GROUP_ID], inv->groups[i].name, 0,
			    0, NULL, NULL, 0, &gid[i]);
	for (i = 0; r == 0 && i < inv->ngroups; i++) {
		for (k = 0; r == 0 && k < inv->groups[i].parents.n; k++)
			r = imp_run(st, s[S_PARENT], NULL, gid[i],
			    gid[inv->groups[i].parents.v[k]], NULL, NULL, 0,
			    NULL);
		vs = &inv->groups[i].vars;
		for (k = 0; r == 0 && k < vs->n; k++)
			r = imp_run(st, s[S_GVAR], NULL, gid[i], 0,
			    vs->v[k].name, vs->v[k].value, vs->v[k].type,
			    NULL);
	}
	for (i = 0; r == 0 && i < inv->nhosts; i++) {
		if ((r = imp_run(st, s[S_HOST], inv->hosts[i].name, 0, 0,
		    NULL, NULL, 0, NULL)) != 0 ||
		    (r = imp_run(st, s[S_HOST_ID],
		    inv->hosts[i].name, 0, 0, NULL, NULL, 0, &hid)) != 0)
			break;
		for (k = 0; r == 0 && k < inv->hosts[i].groups.n; k++)
			r = imp_run(st, s[S_LINK], NULL, hid,
			    gid[inv->hosts[i].groups.v[k]], NULL, NULL, 0,
			    NULL);
		vs = &inv->hosts[i].vars;
		for (k = 0; r == 0 && k < vs->n; k++)
			r = imp_run(st, s[S_HVAR], NULL, hid, 0,
			    vs->v[k].name, vs->v[k].value, vs->v[k].type,
			    NULL);
	}
	return r;
}

/* Merge or replace an inventory into the store in one transaction. */
int
drove_store_import(drove_store *st, const drove_inventory *inv, int flags)
{
	sqlite3_stmt *s[S_COUNT];
	sqlite3_int64 *gid = NULL;
	const char *who, *kind, *var;
	size_t i;
	int r;

	if (st == NULL || inv == NULL)
		return DROVE_E_INVAL;
	memset(s, 0, sizeof s);
	if (!(flags & DROVE_STORE_SECRETS) &&
	    (who = imp_secret(inv, &kind, &var)) != NULL)
		return err_set(&st->err, DROVE_E_INVAL, "refusing to store "
		    "the password (%s) of %s '%s' in the database", var, kind,
		    who);
	if ((gid = calloc(inv->ngroups, sizeof *gid)) == NULL)
		return err_set(&st->err, DROVE_E_NOMEM, "out of memory");
	for (i = 0; i < S_COUNT; i++)
		if ((r = store_prep(st, import_sql[i], &s[i])) != 0)
			goto out;
	if ((r = store_exec(st, "BEGIN IMMEDIATE")) != 0)
		goto out;
	if ((flags & DROVE_STORE_REPLACE) && ((r = store_exec(st,
	    "DELETE FROM hosts")) != 0 || (r = store_exec(st,
	    "DELETE FROM groups")) != 0))
		goto out;
	if ((r = imp_write(st, inv, s, gid)) == 0)
		r = store_exec(st, "COMMIT");
 out:
	if (r != 0 && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s[i]);
	free(gid);
	return r;
}

/* Add hosts to groups with vars, through an inventory and an import. */
int
drove_store_add_hosts(drove_store *st, const char *hosts,
    const char *const *groups, size_t ngroups, const char *const *vars,
    size_t nvars, int flags)
{
	drove_inventory *inv;
	const char *eq;
	char why[256], *name = NULL;
	size_t i, k, g;
	int r = DROVE_E_NOMEM;

	if (st == NULL || hosts == NULL)
		return DROVE_E_INVAL;
	if ((inv = drove_inventory_new()) == NULL)
		return err_set(&st->err, r, "out of memory");
	if ((r = drove_inventory_add_list(inv, hosts)) != 0) {
		err_set(&st->err, r, "%s", drove_inventory_error(inv));
		goto out;
	}
	for (i = 0; i < ngroups; i++) {
		if (*groups[i] == '\0' || (g = inv_group_add(inv,
		    groups[i])) == INV_NONE) {
			r = *groups[i] == '\0' ? err_set(&st->err,
			    DROVE_E_INVAL, "expected a group name") :
			    err_set(&st->err, DROVE_E_NOMEM, "out of memory");
			goto out;
		}
		for (k = 0; k < inv->nhosts; k++)
			if ((r = inv_link_host(inv, g, k)) != 0)
				goto out;
	}
	for (i = 0; i < nvars; i++) {
		if ((eq = strchr(vars[i], '=')) == NULL || eq == vars[i]) {
			r = err_set(&st->err, DROVE_E_INVAL, "bad var '%s': "
			    "expected NAME=VALUE", vars[i]);
			goto out;
		}
		free(name);
		if ((name = strndup(vars[i], (size_t)(eq - vars[i]))) == NULL)
			goto out;
		for (k = 0; k < inv->nhosts; k++) {
			if ((r = inv_vars_set(&inv->hosts[k].vars, name, eq + 1,
			    why, sizeof why)) != 0) {
				err_set(&st->err, r, "bad var '%s': %s",
				    vars[i], r == DROVE_E_NOMEM ?
				    "out of memory" : why);
				goto out;
			}
		}
	}
	r = drove_store_import(st, inv, flags & DROVE_STORE_SECRETS);
 out:
	free(name);
	drove_inventory_free(inv);
	return r;
}

/* Run a statement with one text parameter in a writing transaction; the
 * number of rows changed in *changed. */
static int
store_write1(drove_store *st, const char *sql, const char *const *args,
    size_t n, size_t *changed)
{
	sqlite3_stmt *s = NULL;
	size_t i;
	int r;

	*changed = 0;
	if ((r = store_prep(st, sql, &s)) != 0)
		return r;
	if ((r = store_exec(st, "BEGIN IMMEDIATE")) != 0)
		goto out;
	for (i = 0; r == 0 && i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_text(s, 1, args[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			r = store_sqlerr(st, "database");
		else
			*changed += (size_t)sqlite3_changes(st->db);
	}
	if (r == 0)
		r = store_exec(st, "COMMIT");
	else
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
 out:
	sqlite3_finalize(s);
	return r;
}

/* Remove hosts by name. */
int
drove_store_rm_hosts(drove_store *st, const char *const *names, size_t n,
    size_t *removed)
{
	if (st == NULL || names == NULL || removed == NULL)
		return DROVE_E_INVAL;
	return store_write1(st, "DELETE FROM hosts WHERE name = ?1", names, n,
	    removed);
}

/* Remove a group; its hosts and children stay. */
int
drove_store_group_rm(drove_store *st, const char *name)
{
	size_t n;
	int r;

	if (st == NULL || name == NULL)
		return DROVE_E_INVAL;
	if (strcmp(name, "all") == 0)
		return err_set(&st->err, DROVE_E_INVAL, "cannot remove group "
		    "'all'");
	if ((r = store_write1(st, "DELETE FROM groups WHERE name = ?1", &name,
	    1, &n)) != 0)
		return r;
	if (n == 0)
		return err_set(&st->err, DROVE_E_NOTFOUND, "no group '%s'",
		    name);
	return 0;
}

/* The id of group name in *id, 0 when there is none. */
static int
store_group_id(drove_store *st, const char *name, sqlite3_int64 *id)
{
	sqlite3_stmt *s = NULL;
	int r;

	*id = 0;
	if ((r = store_prep(st, "SELECT id FROM groups WHERE name = ?1",
	    &s)) != 0)
		return r;
	sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
	r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	r = r == SQLITE_ROW || r == SQLITE_DONE ? 0 :
	    store_sqlerr(st, "database");
	sqlite3_finalize(s);
	return r;
}

/* Whether group a is group b or one of its descendants. */
static int
store_descends(drove_store *st, sqlite3_int64 a, sqlite3_int64 b, int *yes)
{
	sqlite3_stmt *s = NULL;
	int r;

	*yes = 0;
	if ((r = store_prep(st, "WITH RECURSIVE d(id) AS (SELECT ?1 UNION "
	    "SELECT child FROM group_parents JOIN d ON parent = d.id) "
	    "SELECT 1 FROM d WHERE id = ?2", &s)) != 0)
		return r;
	sqlite3_bind_int64(s, 1, b);
	sqlite3_bind_int64(s, 2, a);
	r = sqlite3_step(s);
	*yes = r == SQLITE_ROW;
	r = r == SQLITE_ROW || r == SQLITE_DONE ? 0 :
	    store_sqlerr(st, "database");
	sqlite3_finalize(s);
	return r;
}

/* Add group name, or link it under parent. */
static int
group_add_tx(drove_store *st, const char *name, const char *parent)
{
	sqlite3_stmt *s = NULL;
	sqlite3_int64 gid, pid = 0;
	int r, loop;

	if ((r = store_group_id(st, name, &gid)) != 0)
		return r;
	if (gid != 0 && parent == NULL)
		return err_set(&st->err, DROVE_E_INVAL, "group '%s' exists",
		    name);
	if (parent != NULL) {
		if ((r = store_group_id(st, parent, &pid)) != 0)
			return r;
		if (pid == 0)
			return err_set(&st->err, DROVE_E_NOTFOUND, "no group "
			    "'%s'", parent);
		if (gid != 0 && ((r = store_descends(st, pid, gid, &loop)) !=
		    0 || loop))
			return r != 0 ? r : err_set(&st->err, DROVE_E_INVAL,
			    "group '%s' cannot be a child of '%s': it is its "
			    "ancestor", name, parent);
	}
	if (gid == 0) {
		if ((r = store_prep(st, "INSERT INTO groups (name) VALUES (?1)",
		    &s)) != 0)
			return r;
		r = imp_run(st, s, name, 0, 0, NULL, NULL, 0, NULL);
		sqlite3_finalize(s);
		if (r != 0 || (r = store_group_id(st, name, &gid)) != 0)
			return r;
	}
	if (parent == NULL)
		return 0;
	if ((r = store_prep(st, import_sql[S_PARENT], &s)) != 0)
		return r;
	r = imp_run(st, s, NULL, gid, pid, NULL, NULL, 0, NULL);
	sqlite3_finalize(s);
	return r;
}

/* Add a group under parent (NULL: all). */
int
drove_store_group_add(drove_store *st, const char *name, const char *parent)
{
	int r;

	if (st == NULL || name == NULL)
		return DROVE_E_INVAL;
	if (*name == '\0' || strcmp(name, "all") == 0)
		return err_set(&st->err, DROVE_E_INVAL, "bad group name '%s'",
		    name);
	if ((r = store_exec(st, "BEGIN IMMEDIATE")) != 0)
		return r;
	if ((r = group_add_tx(st, name, parent)) == 0)
		r = store_exec(st, "COMMIT");
	else
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* Index a recorded shell session; *id is its number. */
int
drove_store_session_add(drove_store *st, const struct drove_session_info *si,
    int64_t *id)
{
	sqlite3_stmt *s = NULL;
	int r;

	if ((r = store_prep(st, "INSERT INTO sessions (host, user, "
	    "started_ms, ended_ms, exit_status, size, path) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7)", &s)) != 0)
		goto out;
	sqlite3_bind_text(s, 1, si->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, si->user, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, si->started_ms);
	sqlite3_bind_int64(s, 4, si->ended_ms);
	sqlite3_bind_int(s, 5, si->exit_status);
	sqlite3_bind_int64(s, 6, si->size);
	sqlite3_bind_text(s, 7, si->path, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE) {
		r = store_sqlerr(st, "index session");
		goto out;
	}
	*id = sqlite3_last_insert_rowid(st->db);
 out:
	sqlite3_finalize(s);
	return r;
}

/* Call cb for each recorded session, oldest first. */
int
drove_store_sessions(drove_store *st, drove_session_cb *cb, void *arg)
{
	struct drove_session_info si;
	sqlite3_stmt *s = NULL;
	int r, rc;

	if ((r = store_prep(st, "SELECT id, host, user, started_ms, "
	    "ended_ms, exit_status, size, path FROM sessions ORDER BY id",
	    &s)) != 0)
		goto out;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		si.id = sqlite3_column_int64(s, 0);
		si.host = (const char *)sqlite3_column_text(s, 1);
		si.user = (const char *)sqlite3_column_text(s, 2);
		si.started_ms = sqlite3_column_int64(s, 3);
		si.ended_ms = sqlite3_column_int64(s, 4);
		si.exit_status = sqlite3_column_int(s, 5);
		si.size = sqlite3_column_int64(s, 6);
		si.path = (const char *)sqlite3_column_text(s, 7);
		if ((r = cb(&si, arg)) != 0)
			goto out;
	}
	if (rc != SQLITE_DONE)
		r = store_sqlerr(st, "list sessions");
 out:
	sqlite3_finalize(s);
	return r;
}
