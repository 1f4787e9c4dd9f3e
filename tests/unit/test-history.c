/*
 * test-history.c: the run history: a record written and read back with its
 * hosts, outputs capped with the byte counts kept whole, output gathered
 * from events, the list filters, a record left incomplete by a process
 * that dies before its end, two processes writing records at once, and a
 * record of schema version 2 read after the migration to 3.
 */
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "base/buf.h"
#include "drove.h"
#include "store/store.h"
#include "test.h"

static char hdir[64], hpath[96];

/* A fresh store in a temp dir; NULL on failure. */
static drove_store *
h_open(void)
{
	drove_store *st = NULL;
	char err[256];

	snprintf(hdir, sizeof hdir, "/tmp/drove-hist-XXXXXX");
	if (mkdtemp(hdir) == NULL)
		return NULL;
	snprintf(hpath, sizeof hpath, "%s/drove.db", hdir);
	if (drove_store_open(hpath, &st, err, sizeof err) != 0)
		fprintf(stderr, "%s\n", err);
	return st;
}

/* Close the store and remove its dir. */
static void
h_close(drove_store *st)
{
	char cmd[128];

	drove_store_close(st);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", hdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", hdir);
}

/* A result of status st with exit code and byte counts. */
static struct drove_result
h_result(enum drove_status st, int code, uint64_t out, uint64_t err)
{
	struct drove_result r;

	memset(&r, 0, sizeof r);
	r.status = st;
	r.exit_code = code;
	r.out_bytes = out;
	r.err_bytes = err;
	r.elapsed_ms = 42;
	return r;
}

/* Append a run as "ID STATUS HOSTS OK BYTES PATTERN;" to a buf. */
static int
dump_run(const struct drove_history_run *run, void *arg)
{
	return buf_printf(arg, "%lld %s %zu %zu %llu %s;", (long long)run->id,
	    run->status, run->hosts, run->ok, (unsigned long long)run->bytes,
	    run->pattern);
}

/* Append a host as "HOST STATUS EXIT OUT|ERR TRUNC OUTB/ERRB;". */
static int
dump_host(const struct drove_history_host *hh, void *arg)
{
	return buf_printf(arg, "%s %s %d %.*s|%.*s %d %llu/%llu;", hh->host,
	    hh->status, hh->exit_code, (int)hh->outlen, (const char *)hh->out,
	    (int)hh->errlen, (const char *)hh->err, hh->truncated,
	    (unsigned long long)hh->out_bytes,
	    (unsigned long long)hh->err_bytes);
}

/* A record, as text: the run, then its hosts. */
static char *
h_get(drove_store *st, int64_t id)
{
	struct buf b;

	buf_init(&b);
	if (drove_history_get(st, id, dump_run, dump_host, &b) != 0)
		buf_puts(&b, drove_store_error(st));
	return buf_steal(&b, NULL);
}

/* The list the filter selects, as text. */
static char *
h_list(drove_store *st, const char *pattern, const char *status,
    int64_t since, size_t limit)
{
	struct drove_history_filter f = { pattern, status, since, limit };
	struct buf b;

	buf_init(&b);
	if (drove_history_list(st, &f, dump_run, &b) != 0)
		buf_puts(&b, drove_store_error(st));
	return buf_steal(&b, NULL);
}

TEST(history_write_and_read_back)
{
	drove_store *st = h_open();
	drove_history *h = NULL;
	struct drove_result ok = h_result(DROVE_ST_OK, 0, 3, 0);
	struct drove_result bad = h_result(DROVE_ST_FAILED, 2, 12, 4);
	char *got;

	T_TRUE(st != NULL);
	T_EQ(drove_history_begin(st, "run", "drove run web uptime", "uptime",
	    "web", 8, &h), 0);
	T_EQ(drove_history_id(h), 1);
	T_EQ(drove_history_host(h, "web2", &bad, "0123456789ab", 12, "oops",
	    4), 0);
	T_EQ(drove_history_host(h, "web1", &ok, "hi\n", 3, "", 0), 0);
	T_EQ(drove_history_end(h, 1), 0);
	got = h_get(st, 1);
	T_STREQ(got, "1 failed 2 1 19 web;web1 ok 0 hi\n| 0 3/0;"
	    "web2 failed 2 01234567|oops 1 12/4;");
	free(got);
	got = h_get(st, 7);
	T_STREQ(got, "no run 7 in the history");
	free(got);
	h_close(st);
}

TEST(history_gathers_output_from_events)
{
	drove_store *st = h_open();
	drove_history *h = NULL;
	struct drove_result ok = h_result(DROVE_ST_OK, 0, 10, 2);
	struct drove_event ev;
	char *got;

	T_TRUE(st != NULL);
	T_EQ(drove_history_begin(st, "run", "drove run a,b echo", "echo",
	    "a,b", 6, &h), 0);
	memset(&ev, 0, sizeof ev);
	ev.host = 1;
	ev.name = "b";
	ev.type = DROVE_EV_START;
	drove_history_event(&ev, h);
	ev.type = DROVE_EV_STDOUT;
	ev.data = "abcd";
	ev.len = 4;
	drove_history_event(&ev, h);
	ev.data = "efghij";
	ev.len = 6;
	drove_history_event(&ev, h);
	ev.type = DROVE_EV_STDERR;
	ev.data = "e!";
	ev.len = 2;
	drove_history_event(&ev, h);
	ev.type = DROVE_EV_DONE;
	ev.result = &ok;
	drove_history_event(&ev, h);
	T_EQ(drove_history_end(h, 0), 0);
	got = h_get(st, 1);
	T_STREQ(got, "1 ok 1 1 12 a,b;b ok 0 abcdef|e! 1 10/2;");
	free(got);
	h_close(st);
}

/* Write one record of kind run with n hosts, all ok; exit code rc. */
static int
h_record(drove_store *st, const char *pattern, size_t n, int rc)
{
	struct drove_result ok = h_result(DROVE_ST_OK, 0, 1, 0);
	drove_history *h;
	char name[32];
	size_t i;
	int r;

	if ((r = drove_history_begin(st, "run", "drove run x", "x", pattern,
	    0, &h)) != 0)
		return r;
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "%s%zu", pattern, i);
		if ((r = drove_history_host(h, name, &ok, "x", 1, NULL,
		    0)) != 0)
			break;
	}
	return r != 0 ? r : drove_history_end(h, rc);
}

TEST(history_list_filters)
{
	drove_store *st = h_open();
	struct drove_result to = h_result(DROVE_ST_TIMEOUT, -1, 0, 0);
	drove_history *h = NULL;
	char *got;

	T_TRUE(st != NULL);
	T_EQ(h_record(st, "web", 2, 0), 0);
	T_EQ(h_record(st, "db", 1, 0), 0);
	T_EQ(drove_history_begin(st, "run", "drove run web x", "x", "web", 0,
	    &h), 0);
	T_EQ(drove_history_host(h, "web1", &to, NULL, 0, NULL, 0), 0);
	T_EQ(drove_history_end(h, 1), 0);
	got = h_list(st, NULL, NULL, 0, 0);
	T_STREQ(got, "3 failed 1 0 0 web;2 ok 1 1 1 db;1 ok 2 2 2 web;");
	free(got);
	got = h_list(st, NULL, NULL, 0, 2);
	T_STREQ(got, "3 failed 1 0 0 web;2 ok 1 1 1 db;");
	free(got);
	got = h_list(st, "web", NULL, 0, 0);
	T_STREQ(got, "3 failed 1 0 0 web;1 ok 2 2 2 web;");
	free(got);
	got = h_list(st, "db*", NULL, 0, 0);
	T_STREQ(got, "2 ok 1 1 1 db;");
	free(got);
	got = h_list(st, NULL, "failed", 0, 0);
	T_STREQ(got, "3 failed 1 0 0 web;");
	free(got);
	got = h_list(st, NULL, "ok", 0, 0);
	T_STREQ(got, "2 ok 1 1 1 db;1 ok 2 2 2 web;");
	free(got);
	got = h_list(st, NULL, "timeout", 0, 0);
	T_STREQ(got, "3 failed 1 0 0 web;");
	free(got);
	got = h_list(st, NULL, NULL, (int64_t)1 << 50, 0);
	T_STREQ(got, "");
	free(got);
	h_close(st);
}

TEST(history_crash_leaves_incomplete_record)
{
	drove_store *st = h_open(), *st2 = NULL;
	struct drove_result ok = h_result(DROVE_ST_OK, 0, 1, 0);
	drove_history *h = NULL;
	char err[256], *got;
	int status;
	pid_t pid;

	T_TRUE(st != NULL);
	drove_store_close(st);
	if ((pid = fork()) == 0) {
		if (drove_store_open(hpath, &st2, err, sizeof err) != 0 ||
		    drove_history_begin(st2, "run", "drove run a x", "x", "a",
		    0, &h) != 0)
			_exit(1);
		drove_history_host(h, "a", &ok, "x", 1, NULL, 0);
		_exit(0);	/* dies without drove_history_end */
	}
	T_TRUE(pid > 0);
	T_EQ(waitpid(pid, &status, 0), pid);
	T_EQ(status, 0);
	T_EQ(drove_store_open(hpath, &st, err, sizeof err), 0);
	got = h_list(st, NULL, "incomplete", 0, 0);
	T_STREQ(got, "1 incomplete 0 0 0 a;");
	free(got);
	/* the store is still whole: a later record is written after it */
	T_EQ(h_record(st, "b", 1, 0), 0);
	got = h_list(st, NULL, NULL, 0, 0);
	T_STREQ(got, "2 ok 1 1 1 b;1 incomplete 0 0 0 a;");
	free(got);
	h_close(st);
}

/* Count the records with hosts hosts, all ok. */
static int
count_whole(const struct drove_history_run *run, void *arg)
{
	size_t *n = arg;

	if (strcmp(run->status, "ok") == 0 &&
	    run->hosts == DROVE_HISTORY_BATCH + 44 && run->ok == run->hosts)
		(*n)++;
	return 0;
}

TEST(history_two_processes_write_at_once)
{
	drove_store *st = h_open(), *mine = NULL;
	struct drove_history_filter f;
	pid_t pid[2];
	char err[256];
	int i, k, status, fails = 0;
	size_t n = 0;

	T_TRUE(st != NULL);
	drove_store_close(st);
	for (i = 0; i < 2; i++) {
		if ((pid[i] = fork()) != 0)
			continue;
		if (drove_store_open(hpath, &mine, err, sizeof err) != 0)
			_exit(1);
		for (k = 0; k < 10; k++)
			if (h_record(mine, i == 0 ? "p" : "q",
			    DROVE_HISTORY_BATCH + 44, 0) != 0)
				_exit(1);
		drove_store_close(mine);
		_exit(0);
	}
	for (i = 0; i < 2; i++) {
		T_TRUE(pid[i] > 0);
		T_EQ(waitpid(pid[i], &status, 0), pid[i]);
		fails += status != 0;
	}
	T_EQ(fails, 0);
	T_EQ(drove_store_open(hpath, &st, err, sizeof err), 0);
	memset(&f, 0, sizeof f);
	T_EQ(drove_history_list(st, &f, count_whole, &n), 0);
	T_EQ(n, 20);
	h_close(st);
}

TEST(history_reads_a_record_of_schema_2)
{
	drove_store *st = h_open();
	sqlite3 *db;
	char err[256], *got;

	T_TRUE(st != NULL);
	drove_store_close(st);
	T_EQ(unlink(hpath), 0);
	T_EQ(sqlite3_open(hpath, &db), SQLITE_OK);
	T_EQ(sqlite3_exec(db, store_migrations[0], NULL, NULL, NULL),
	    SQLITE_OK);
	T_EQ(sqlite3_exec(db, store_migrations[1], NULL, NULL, NULL),
	    SQLITE_OK);
	T_EQ(sqlite3_exec(db, "PRAGMA user_version = 2;"
	    "INSERT INTO runs (started_ms, ended_ms, command, pattern) "
	    "VALUES (1, 2, 'uptime', 'all');"
	    "INSERT INTO run_hosts (run, host, status, exit_code) "
	    "VALUES (1, 'a', 'ok', 0);", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	T_EQ(drove_store_open(hpath, &st, err, sizeof err), 0);
	T_EQ(drove_store_version(st), (int)store_nmigrations);
	got = h_get(st, 1);
	T_STREQ(got, "1 ok 1 1 0 all;a ok 0 | 0 0/0;");
	free(got);
	h_close(st);
}
