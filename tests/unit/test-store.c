/*
 * test-store.c: the SQLite inventory store: the schema file matches the
 * embedded text, YAML -> store -> inventory -> YAML keeps hosts, groups,
 * vars and precedence, migrations from an older schema, a newer schema
 * refused, file modes, passwords refused, merge and replace, and the edits
 * (add, rm, group add and rm).
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "drove.h"
#include "store/store.h"
#include "test.h"

static char sdir[64];

/* A fresh directory for one test's files, removed with rm -r at exit. */
static const char *
st_dir(void)
{
	snprintf(sdir, sizeof sdir, "/tmp/drove-store-XXXXXX");
	return mkdtemp(sdir);
}

/* Remove the test's directory. */
static void
st_cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", sdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", sdir);
}

/* Write text to dir/name; the path in a static buffer. */
static const char *
st_file(const char *name, const char *text)
{
	static char path[192];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", sdir, name);
	if ((f = fopen(path, "w")) == NULL)
		return NULL;
	fputs(text, f);
	fclose(f);
	return path;
}

/* Append one var line to a buffer. */
static int
dump_var(const char *name, const char *value, const char *source, void *arg)
{
	(void)source;
	return buf_printf(arg, " %s=%s", name, value);
}

/* Append group g and its children, with sizes, to b. */
static void
dump_group(const drove_inventory *inv, size_t g, struct buf *b, int depth)
{
	size_t *kids, n, i;

	buf_printf(b, "%*s%s(%zu)", depth, "", drove_inventory_group_name(inv,
	    g), drove_inventory_group_size(inv, g));
	if (drove_inventory_group_children(inv, g, &kids, &n) != 0)
		return;
	for (i = 0; i < n; i++)
		dump_group(inv, kids[i], b, depth + 1);
	free(kids);
}

/* Every host with its resolved vars, then the group tree, as text. */
static char *
dump(const drove_inventory *inv)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; i < drove_inventory_count(inv); i++) {
		buf_printf(&b, "%s:", drove_inventory_name(inv, i));
		drove_inventory_each_var(inv, i, dump_var, &b);
		buf_puts(&b, "\n");
	}
	dump_group(inv, 0, &b, 0);
	return buf_steal(&b, NULL);
}

/* Names of the hosts, sorted, joined by spaces. */
static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
sorted_dump(const drove_inventory *inv)
{
	char *d = dump(inv), *lines[256], *p, *out;
	size_t n = 0, i, len = 0;

	for (p = strtok(d, "\n"); p != NULL && n < 256; p = strtok(NULL, "\n"))
		lines[n++] = p;
	qsort(lines, n, sizeof *lines, cmpstr);
	for (i = 0; i < n; i++)
		len += strlen(lines[i]) + 1;
	out = calloc(1, len + 1);
	for (i = 0; i < n; i++) {
		strcat(out, lines[i]);
		strcat(out, "\n");
	}
	free(d);
	return out;
}

static const char yaml_inv[] =
    "all:\n"
    "  vars:\n"
    "    ansible_user: deploy\n"
    "    note: \"a \\\"quoted\\\" value: #1\"\n"
    "  hosts:\n"
    "    lone.example.com:\n"
    "  children:\n"
    "    web:\n"
    "      vars: {tier: front, ansible_port: 2200}\n"
    "      hosts:\n"
    "        web[01:03]:\n"
    "        web04: {ansible_port: 2222}\n"
    "      children:\n"
    "        webeu:\n"
    "          vars: {tier: eu}\n"
    "          hosts:\n"
    "            web01:\n"
    "    db:\n"
    "      hosts:\n"
    "        db01: {ansible_host: 10.0.1.11, tags: [a, b]}\n"
    "        \"fe80::1\":\n"
    "      children:\n"
    "        webeu:\n"
    "empty:\n";

TEST(store_schema_file_matches_embedded)
{
	FILE *f = fopen("inventory/schema.sql", "r");
	struct buf want, got;
	char chunk[4096];
	size_t i, n;

	T_TRUE(f != NULL);
	buf_init(&want);
	buf_init(&got);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&got, chunk, n);
	fclose(f);
	for (i = 0; i < store_nmigrations; i++)
		buf_puts(&want, store_migrations[i]);
	T_TRUE(got.len > 0);
	T_STREQ(got.data, want.data);
	buf_release(&want);
	buf_release(&got);
}

TEST(store_round_trip)
{
	drove_inventory *a = drove_inventory_new(), *b = drove_inventory_new();
	drove_inventory *c = drove_inventory_new();
	drove_store *st = NULL;
	char err[256], db[128], *da, *db_, *dc;
	const char *path;
	FILE *f;

	T_TRUE(st_dir() != NULL);
	snprintf(db, sizeof db, "%s/drove.db", sdir);
	T_EQ(drove_inventory_load(a, st_file("inv.yml", yaml_inv)), 0);
	T_EQ(drove_store_open(db, &st, err, sizeof err), 0);
	T_EQ(drove_store_version(st), (int)store_nmigrations);
	T_EQ(drove_store_import(st, a, 0), 0);
	T_EQ(drove_inventory_load_store(b, st), 0);
	da = dump(a);
	db_ = dump(b);
	T_STREQ(db_, da);
	T_TRUE(strstr(da, "web01: tier=eu ansible_port=2200") != NULL);
	path = st_file("out.yml", "");
	T_TRUE((f = fopen(path, "w")) != NULL);
	T_EQ(drove_inventory_write_yaml(b, f), 0);
	fclose(f);
	T_EQ(drove_inventory_load(c, path), 0);
	free(da);
	free(db_);
	/* YAML lists hosts group by group: compare without order */
	da = sorted_dump(a);
	dc = sorted_dump(c);
	T_STREQ(dc, da);
	T_TRUE(strstr(dc, "note=a \"quoted\" value: #1") != NULL);
	free(da);
	free(dc);
	drove_store_close(st);
	drove_inventory_free(a);
	drove_inventory_free(b);
	drove_inventory_free(c);
	st_cleanup();
}

TEST(store_migrates_older_schema)
{
	drove_inventory *inv = drove_inventory_new();
	drove_store *st = NULL;
	sqlite3 *db;
	char err[256], path[128];

	T_TRUE(st_dir() != NULL);
	snprintf(path, sizeof path, "%s/old.db", sdir);
	T_EQ(sqlite3_open(path, &db), SQLITE_OK);
	T_EQ(sqlite3_exec(db, store_migrations[0], NULL, NULL, NULL),
	    SQLITE_OK);
	T_EQ(sqlite3_exec(db, "PRAGMA user_version = 1;"
	    "INSERT INTO hosts (name) VALUES ('old01');", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	T_EQ(drove_store_open(path, &st, err, sizeof err), 0);
	T_EQ(drove_store_version(st), (int)store_nmigrations);
	T_EQ(drove_inventory_load_store(inv, st), 0);
	T_EQ(drove_inventory_count(inv), 1);
	T_STREQ(drove_inventory_name(inv, 0), "old01");
	drove_store_close(st);
	T_EQ(sqlite3_open(path, &db), SQLITE_OK);
	T_EQ(sqlite3_exec(db, "INSERT INTO runs (started_ms, command, "
	    "pattern) VALUES (1, 'uptime', 'all')", NULL, NULL, NULL),
	    SQLITE_OK);
	T_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	T_TRUE(drove_store_open(path, &st, err, sizeof err) != 0);
	T_TRUE(st == NULL);
	T_TRUE(strstr(err, "schema version 99 is newer") != NULL);
	drove_inventory_free(inv);
	st_cleanup();
}

TEST(store_file_modes)
{
	drove_store *st = NULL;
	struct stat sb;
	char err[256], path[160], dir[128];
	mode_t old = umask(0);

	T_TRUE(st_dir() != NULL);
	snprintf(dir, sizeof dir, "%s/a/b", sdir);
	snprintf(path, sizeof path, "%s/drove.db", dir);
	T_EQ(drove_store_open(path, &st, err, sizeof err), 0);
	umask(old);
	T_EQ(stat(path, &sb), 0);
	T_EQ(sb.st_mode & 07777, 0600);
	T_EQ(stat(dir, &sb), 0);
	T_EQ(sb.st_mode & 07777, 0700);
	drove_store_close(st);
	st_cleanup();
}

TEST(store_default_path)
{
	char *p;

	setenv("DROVE_HOME", "/x/y", 1);
	p = drove_store_default_path();
	T_STREQ(p, "/x/y/drove.db");
	free(p);
	unsetenv("DROVE_HOME");
	p = drove_store_default_path();
	T_TRUE(p != NULL && strstr(p, "/.local/share/drove/drove.db") != NULL);
	free(p);
}

TEST(store_refuses_passwords)
{
	drove_inventory *inv = drove_inventory_new(), *back;
	drove_store *st = NULL;
	char err[256], db[128];

	T_TRUE(st_dir() != NULL);
	snprintf(db, sizeof db, "%s/drove.db", sdir);
	T_EQ(drove_inventory_load(inv, st_file("s.yml", "all:\n  hosts:\n"
	    "    a1:\n    s1: {ansible_ssh_pass: hunter2}\n")), 0);
	T_EQ(drove_store_open(db, &st, err, sizeof err), 0);
	T_EQ(drove_store_import(st, inv, 0), DROVE_E_INVAL);
	T_STREQ(drove_store_error(st), "refusing to store the password "
	    "(ansible_password) of host 's1' in the database");
	back = drove_inventory_new();
	T_EQ(drove_inventory_load_store(back, st), 0);
	T_EQ(drove_inventory_count(back), 0);
	T_EQ(drove_store_add_hosts(st, "x1", NULL, 0,
	    (const char *[]){ "ansible_password=pw" }, 1, 0), DROVE_E_INVAL);
	T_EQ(drove_store_import(st, inv, DROVE_STORE_SECRETS), 0);
	T_EQ(drove_inventory_load_store(back, st), 0);
	T_EQ(drove_inventory_count(back), 2);
	T_STREQ(drove_inventory_var(back, 1, "ansible_password"), "hunter2");
	drove_inventory_free(back);
	drove_inventory_free(inv);
	drove_store_close(st);
	st_cleanup();
}

/* The store's hosts as "a b c" in a static buffer. */
static const char *
st_names(drove_store *st)
{
	static char out[512];
	drove_inventory *inv = drove_inventory_new();
	size_t i, len = 0;

	out[0] = '\0';
	if (drove_inventory_load_store(inv, st) != 0)
		snprintf(out, sizeof out, "error: %s",
		    drove_inventory_error(inv));
	for (i = 0; i < drove_inventory_count(inv); i++)
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s",
		    i > 0 ? " " : "", drove_inventory_name(inv, i));
	drove_inventory_free(inv);
	return out;
}

TEST(store_merge_replace_and_edits)
{
	drove_inventory *inv = drove_inventory_new();
	drove_store *st = NULL;
	char err[256], db[128];
	size_t n;

	T_TRUE(st_dir() != NULL);
	snprintf(db, sizeof db, "%s/drove.db", sdir);
	T_EQ(drove_store_open(db, &st, err, sizeof err), 0);
	T_EQ(drove_store_add_hosts(st, "web[1:3]", (const char *[]){ "web" },
	    1, (const char *[]){ "port=2222", "role=fe" }, 2, 0), 0);
	T_EQ(drove_store_add_hosts(st, "root@db1:2200", NULL, 0, NULL, 0, 0),
	    0);
	T_STREQ(st_names(st), "web1 web2 web3 db1");
	T_EQ(drove_inventory_load_store(inv, st), 0);
	T_STREQ(drove_inventory_var(inv, 1, "ansible_port"), "2222");
	T_STREQ(drove_inventory_var(inv, 3, "ansible_user"), "root");
	T_EQ(drove_store_add_hosts(st, "x", NULL, 0, (const char *[]){
	    "port=99999" }, 1, 0), DROVE_E_INVENTORY);
	T_TRUE(strstr(drove_store_error(st), "bad port '99999'") != NULL);
	T_EQ(drove_store_add_hosts(st, "x", NULL, 0, (const char *[]){
	    "novalue" }, 1, 0), DROVE_E_INVAL);

	T_EQ(drove_store_group_add(st, "eu", NULL), 0);
	T_EQ(drove_store_group_add(st, "eu", NULL), DROVE_E_INVAL);
	T_EQ(drove_store_group_add(st, "web", "eu"), 0);
	T_EQ(drove_store_group_add(st, "eu", "web"), DROVE_E_INVAL);
	T_TRUE(strstr(drove_store_error(st), "ancestor") != NULL);
	T_EQ(drove_store_group_add(st, "x", "nosuch"), DROVE_E_NOTFOUND);
	T_EQ(drove_store_group_add(st, "all", NULL), DROVE_E_INVAL);
	drove_inventory_free(inv);
	inv = drove_inventory_new();
	T_EQ(drove_inventory_load_store(inv, st), 0);
	{
		size_t *sel, nsel;

		T_EQ(drove_inventory_select(inv, "eu", &sel, &nsel), 0);
		T_EQ(nsel, 3);
		free(sel);
	}
	T_EQ(drove_store_group_rm(st, "web"), 0);
	T_EQ(drove_store_group_rm(st, "web"), DROVE_E_NOTFOUND);
	T_EQ(drove_store_group_rm(st, "all"), DROVE_E_INVAL);
	T_STREQ(st_names(st), "web1 web2 web3 db1");
	T_EQ(drove_store_rm_hosts(st, (const char *[]){ "web2", "nosuch" }, 2,
	    &n), 0);
	T_EQ(n, 1);
	T_STREQ(st_names(st), "web1 web3 db1");

	drove_inventory_free(inv);
	inv = drove_inventory_new();
	T_EQ(drove_inventory_add_list(inv, "n1,n2"), 0);
	T_EQ(drove_store_import(st, inv, 0), 0);
	T_STREQ(st_names(st), "web1 web3 db1 n1 n2");
	T_EQ(drove_store_import(st, inv, DROVE_STORE_REPLACE), 0);
	T_STREQ(st_names(st), "n1 n2");
	drove_inventory_free(inv);
	drove_store_close(st);
	st_cleanup();
}

TEST(store_export_rejects_what_yaml_cannot_hold)
{
	static const char *const bad[] = {
		"ot@h5:ot@h1:2200\n", "u@h@x\n", ":[00:1]:2\n", "a\x01z\n",
		"caf\xc3\n", "x\xc2\x85y\n",
	};
	drove_inventory *inv;
	size_t i;

	T_TRUE(st_dir() != NULL);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		inv = drove_inventory_new();
		T_EQ(drove_inventory_load(inv, st_file("l.txt", bad[i])),
		    DROVE_E_INVENTORY);
		T_EQ(drove_inventory_count(inv), 0);
		drove_inventory_free(inv);
	}
	inv = drove_inventory_new();
	T_EQ(drove_inventory_load(inv, st_file("l.txt",
	    "caf\xc3\xa9\nfe80::1\n[::2]:22\n")), 0);
	T_EQ(drove_inventory_count(inv), 3);
	drove_inventory_free(inv);
	st_cleanup();
}
