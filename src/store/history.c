/*
 * history.c: the run history in the store (see drove.h).
 *
 * drove_history_begin() inserts the runs row in its own transaction, so a
 * record exists, incomplete, from the first moment of the run.  Host
 * results queue in memory with their output (each stream capped at the
 * record's cap, the received byte counts kept whole) and are written in one
 * short immediate transaction per batch: every HISTORY_BATCH hosts, a
 * second or more after the last write, and at the end.  No write
 * transaction stays open between events, so other drove processes writing
 * the same store wait at most one batch (the store's busy timeout covers
 * that).  drove_history_end() sets ended_ms and the exit code.
 *
 * The batches are written by a writer thread of the record, fed by a queue
 * under a mutex: the caller (an event callback on a loop thread) only
 * appends a row and signals, so neither the transaction, nor the fsync of
 * the WAL, nor a wait of up to the busy timeout for another drove holding
 * the store's lock stalls the hosts.  drove_history_end() and _free() stop
 * the writer, which writes what is queued first.  Without a thread (it
 * could not be made) the caller writes the batches itself, as before.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drove.h"
#include "store/history.h"
#include "store/store.h"

/* Output kept for one host until its DONE event. */
struct hist_keep {
	char	*out;
	size_t	 outlen;
	char	*err;
	size_t	 errlen;
};

/* One host's row waiting for the next batch. */
struct hist_row {
	char			*name;
	struct drove_result	 res;
	struct hist_keep	 keep;
	int			 truncated;
};

struct drove_history {
	drove_store		*st;
	int64_t			 id;
	size_t			 cap;
	int			 error;		/* first failure, kept */
	struct hist_keep	*keep;		/* by host index */
	size_t			 nkeep;
	struct hist_row		*rows;		/* pending (under lock) */
	size_t			 nrows;
	uint64_t		 flushed_ms;	/* monotonic, last batch */
	pthread_mutex_t		 lock;		/* rows, nrows, error, stop */
	pthread_cond_t		 cond;		/* rows queued, or stop */
	pthread_t		 writer;
	int			 writing;	/* the writer thread runs */
	int			 stop;		/* write what is left, end */
};

static void	 hist_free(drove_history *);
static void	*hist_writer(void *);

/* Milliseconds on clock c. */
static uint64_t
hist_now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Set the store's error from SQLite; returns DROVE_E_IO. */
static int
hist_sqlerr(drove_store *st)
{
	return err_set(store_err(st), DROVE_E_IO, "history: %s",
	    sqlite3_errmsg(store_db(st)));
}

/* The local user's name. */
static const char *
hist_user(void)
{
	struct passwd *pw = getpwuid(getuid());
	const char *u = getenv("USER");

	if (pw != NULL)
		return pw->pw_name;
	return u != NULL ? u : "";
}

/* Append up to cap - *len bytes of data to a kept stream; 1 if cut. */
static int
hist_append(char **buf, size_t *len, size_t cap, const void *data, size_t n)
{
	size_t room = *len < cap ? cap - *len : 0, take = n < room ? n : room;
	char *p;

	if (take > 0) {
		if ((p = realloc(*buf, *len + take)) == NULL)
			return -1;
		memcpy(p + *len, data, take);
		*buf = p;
		*len += take;
	}
	return take < n;
}

/* Free the buffers of one kept output. */
static void
hist_keep_release(struct hist_keep *k)
{
	free(k->out);
	free(k->err);
	memset(k, 0, sizeof *k);
}

/* A new empty record with its lock; NULL when out of memory. */
static drove_history *
hist_new(void)
{
	drove_history *h;
	pthread_condattr_t ca;

	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->cond, &ca);
	pthread_condattr_destroy(&ca);
	return h;
}

/* Stop the writer thread, which writes what is queued first. */
static void
hist_stop(drove_history *h)
{
	if (!h->writing)
		return;
	pthread_mutex_lock(&h->lock);
	h->stop = 1;
	pthread_cond_signal(&h->cond);
	pthread_mutex_unlock(&h->lock);
	pthread_join(h->writer, NULL);
	h->writing = 0;
}

/* Begin a record: insert its runs row, incomplete. */
int
drove_history_begin(drove_store *st, const char *kind, const char *line,
    const char *command, const char *pattern, size_t cap,
    drove_history **out)
{
	drove_history *h = NULL;
	sqlite3_stmt *s = NULL;
	int r = DROVE_E_INVAL;

	*out = NULL;
	if (st == NULL || kind == NULL || line == NULL || command == NULL ||
	    pattern == NULL)
		return r;
	if ((h = hist_new()) == NULL)
		return err_set(store_err(st), DROVE_E_NOMEM, "out of memory");
	h->st = st;
	h->cap = cap != 0 ? cap : DROVE_HISTORY_CAP;
	h->flushed_ms = hist_now(CLOCK_MONOTONIC);
	if (sqlite3_prepare_v2(store_db(st), "INSERT INTO runs (started_ms, "
	    "command, pattern, kind, user, line, cap) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7)", -1, &s, NULL) != SQLITE_OK) {
		r = hist_sqlerr(st);
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)hist_now(CLOCK_REALTIME));
	sqlite3_bind_text(s, 2, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, pattern, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, hist_user(), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 6, line, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 7, (sqlite3_int64)h->cap);
	if (sqlite3_step(s) != SQLITE_DONE) {
		r = hist_sqlerr(st);
		goto out;
	}
	h->id = sqlite3_last_insert_rowid(store_db(st));
	h->writing = pthread_create(&h->writer, NULL, hist_writer, h) == 0;
	*out = h;
	h = NULL;
	r = 0;
 out:
	sqlite3_finalize(s);
	if (h != NULL)
		hist_free(h);
	return r;
}

/* The record's id. */
int64_t
drove_history_id(const drove_history *h)
{
	return h != NULL ? h->id : 0;
}

/* Keep the first error of the record (locked). */
static void
hist_fail_locked(drove_history *h, int r)
{
	if (h->error == 0)
		h->error = r;
}

/* Keep the first error of the record. */
static void
hist_fail(drove_history *h, int r)
{
	pthread_mutex_lock(&h->lock);
	hist_fail_locked(h, r);
	pthread_mutex_unlock(&h->lock);
}

/* Record the run's hosts as pending, in one transaction, so that a run
 * killed before its first batch still names them. */
int
drove_history_hosts(drove_history *h, const char *const *names, size_t n)
{
	sqlite3 *db;
	sqlite3_stmt *s = NULL;
	size_t i;
	int r = 0;

	if (h == NULL)
		return DROVE_E_INVAL;
	db = store_db(h->st);
	if (sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO run_hosts (run, "
	    "host, status) VALUES (?1, ?2, 'pending')", -1, &s, NULL) !=
	    SQLITE_OK || sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		r = hist_sqlerr(h->st);
		goto out;
	}
	for (i = 0; r == 0 && i < n; i++) {
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, h->id);
		sqlite3_bind_text(s, 2, names[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_DONE)
			r = hist_sqlerr(h->st);
	}
	if (sqlite3_exec(db, r == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL,
	    NULL) != SQLITE_OK && r == 0)
		r = hist_sqlerr(h->st);
 out:
	sqlite3_finalize(s);
	if (r != 0)
		hist_fail(h, r);
	return r;
}

/* Write rows[0..n) in one transaction and free them. */
static int
hist_write(drove_history *h, struct hist_row *rows, size_t n)
{
	sqlite3 *db = store_db(h->st);
	sqlite3_stmt *s = NULL;
	struct hist_row *w;
	size_t i;
	int r = 0;

	if (n == 0)
		return 0;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO run_hosts (run, "
	    "host, status, exit_code, signal, error, elapsed_ms, stdout, "
	    "stderr, truncated, out_bytes, err_bytes) VALUES (?1, ?2, ?3, ?4, "
	    "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		r = hist_sqlerr(h->st);
		goto out;
	}
	for (i = 0; r == 0 && i < n; i++) {
		w = &rows[i];
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, h->id);
		sqlite3_bind_text(s, 2, w->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, drove_status_name(w->res.status), -1,
		    SQLITE_STATIC);
		sqlite3_bind_int(s, 4, w->res.exit_code);
		sqlite3_bind_text(s, 5, w->res.signal, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 6, w->res.msg, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 7, (sqlite3_int64)w->res.elapsed_ms);
		sqlite3_bind_blob(s, 8, w->keep.out != NULL ? w->keep.out : "",
		    (int)w->keep.outlen, SQLITE_STATIC);
		sqlite3_bind_blob(s, 9, w->keep.err != NULL ? w->keep.err : "",
		    (int)w->keep.errlen, SQLITE_STATIC);
		sqlite3_bind_int(s, 10, w->truncated);
		sqlite3_bind_int64(s, 11, (sqlite3_int64)w->res.out_bytes);
		sqlite3_bind_int64(s, 12, (sqlite3_int64)w->res.err_bytes);
		if (sqlite3_step(s) != SQLITE_DONE)
			r = hist_sqlerr(h->st);
	}
	if (r == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK)
		r = hist_sqlerr(h->st);
	if (r != 0 && !sqlite3_get_autocommit(db))
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
 out:
	sqlite3_finalize(s);
	for (i = 0; i < n; i++) {
		free(rows[i].name);
		hist_keep_release(&rows[i].keep);
	}
	free(rows);
	return r;
}

/* Write the queued rows now, on the caller's thread (no writer). */
static int
hist_flush(drove_history *h)
{
	struct hist_row *rows = h->rows;
	size_t n = h->nrows;

	h->rows = NULL;
	h->nrows = 0;
	h->flushed_ms = hist_now(CLOCK_MONOTONIC);
	return hist_write(h, rows, n);
}

/* Whether a batch is due (locked): a full one, or one waited long. */
static int
hist_due(const drove_history *h)
{
	return h->nrows >= DROVE_HISTORY_BATCH || (h->nrows > 0 &&
	    hist_now(CLOCK_MONOTONIC) - h->flushed_ms >= HISTORY_FLUSH_MS);
}

/* Write the queued rows with the lock let go meanwhile (writer). */
static int
hist_flush_unlocked(drove_history *h)
{
	struct hist_row *rows = h->rows;
	size_t n = h->nrows;
	int r;

	h->rows = NULL;
	h->nrows = 0;
	pthread_mutex_unlock(&h->lock);
	r = hist_write(h, rows, n);
	pthread_mutex_lock(&h->lock);
	h->flushed_ms = hist_now(CLOCK_MONOTONIC);
	return r;
}

/* The writer thread: write batches as they fall due, all at stop. */
static void *
hist_writer(void *arg)
{
	drove_history *h = arg;
	struct timespec ts;
	uint64_t at;
	int r;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (!h->stop && !hist_due(h)) {
			if (h->nrows == 0) {
				pthread_cond_wait(&h->cond, &h->lock);
				continue;
			}
			at = h->flushed_ms + HISTORY_FLUSH_MS;
			ts.tv_sec = (time_t)(at / 1000);
			ts.tv_nsec = (long)(at % 1000) * 1000000;
			pthread_cond_timedwait(&h->cond, &h->lock, &ts);
		}
		if (h->nrows == 0 && h->stop)
			break;
		r = hist_flush_unlocked(h);
		if (r != 0)
			hist_fail_locked(h, r);
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static int	hist_append_row(drove_history *, char *,
		    const struct drove_result *, struct hist_keep *);

/* Queue one host's row, taking keep's buffers; flush when a batch is due
 * (the writer does, when there is one). */
static int
hist_queue(drove_history *h, const char *name, const struct drove_result *res,
    struct hist_keep *keep)
{
	char *dup;
	int r;

	if ((dup = strdup(name)) == NULL)
		return err_set(store_err(h->st), DROVE_E_NOMEM,
		    "out of memory");
	pthread_mutex_lock(&h->lock);
	r = hist_append_row(h, dup, res, keep);
	pthread_mutex_unlock(&h->lock);
	return r;
}

/* Append a row named name (taken) to the queue (locked); see hist_queue. */
static int
hist_append_row(drove_history *h, char *name, const struct drove_result *res,
    struct hist_keep *keep)
{
	struct hist_row *w;
	int r;

	if ((w = reallocarray(h->rows, h->nrows + 1, sizeof *w)) == NULL) {
		free(name);
		return err_set(store_err(h->st), DROVE_E_NOMEM,
		    "out of memory");
	}
	h->rows = w;
	w += h->nrows;
	w->name = name;
	w->res = *res;
	w->keep = *keep;
	w->truncated = keep->outlen < res->out_bytes ||
	    keep->errlen < res->err_bytes;
	memset(keep, 0, sizeof *keep);
	h->nrows++;
	if (h->writing) {
		if (hist_due(h))
			pthread_cond_signal(&h->cond);
		return 0;
	}
	if (hist_due(h) && (r = hist_flush(h)) != 0)
		return r;
	return 0;
}

/* Record one host's result and output. */
int
drove_history_host(drove_history *h, const char *name,
    const struct drove_result *res, const void *out, size_t outlen,
    const void *err, size_t errlen)
{
	struct hist_keep k;
	int r;

	if (h == NULL || name == NULL || res == NULL)
		return DROVE_E_INVAL;
	memset(&k, 0, sizeof k);
	if (hist_append(&k.out, &k.outlen, h->cap, out, outlen) < 0 ||
	    hist_append(&k.err, &k.errlen, h->cap, err, errlen) < 0)
		r = err_set(store_err(h->st), DROVE_E_NOMEM, "out of memory");
	else
		r = hist_queue(h, name, res, &k);
	hist_keep_release(&k);
	if (r != 0)
		hist_fail(h, r);
	return r;
}

/* The kept output of host i, growing the table as needed. */
static struct hist_keep *
hist_keep_get(drove_history *h, size_t i)
{
	struct hist_keep *k;
	size_t n;

	if (i >= h->nkeep) {
		n = i + 1 > 2 * h->nkeep ? i + 1 : 2 * h->nkeep;
		if ((k = reallocarray(h->keep, n, sizeof *k)) == NULL)
			return NULL;
		memset(k + h->nkeep, 0, (n - h->nkeep) * sizeof *k);
		h->keep = k;
		h->nkeep = n;
	}
	return &h->keep[i];
}

/* The event callback: keep output, queue the row at DONE. */
void
drove_history_event(const struct drove_event *ev, void *arg)
{
	drove_history *h = arg;
	struct hist_keep *k;
	int r = 0;

	if (ev->type == DROVE_EV_START || ev->type == DROVE_EV_WARN)
		return;
	if ((k = hist_keep_get(h, ev->host)) == NULL) {
		hist_fail(h, err_set(store_err(h->st), DROVE_E_NOMEM,
		    "out of memory"));
		return;
	}
	if (ev->type == DROVE_EV_STDOUT)
		r = hist_append(&k->out, &k->outlen, h->cap, ev->data, ev->len);
	else if (ev->type == DROVE_EV_STDERR)
		r = hist_append(&k->err, &k->errlen, h->cap, ev->data, ev->len);
	else
		r = hist_queue(h, ev->name, ev->result, k);
	if (r < 0)
		hist_fail(h, r == -1 ? err_set(store_err(h->st), DROVE_E_NOMEM,
		    "out of memory") : r);
}

/* Free the record's memory. */
static void
hist_free(drove_history *h)
{
	size_t i;

	for (i = 0; i < h->nkeep; i++)
		hist_keep_release(&h->keep[i]);
	free(h->keep);
	free(h->rows);
	pthread_cond_destroy(&h->cond);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* Write what is pending and free, leaving the record incomplete. */
void
drove_history_free(drove_history *h)
{
	if (h == NULL)
		return;
	hist_stop(h);
	hist_flush(h);
	hist_free(h);
}

/* Write what is pending, mark the record complete and free it. */
int
drove_history_end(drove_history *h, int exit_code)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (h == NULL)
		return DROVE_E_INVAL;
	hist_stop(h);
	if ((r = hist_flush(h)) != 0)
		hist_fail(h, r);
	if (sqlite3_prepare_v2(store_db(h->st), "UPDATE runs SET ended_ms = "
	    "?1, exit_code = ?2 WHERE id = ?3", -1, &s, NULL) != SQLITE_OK) {
		hist_fail(h, hist_sqlerr(h->st));
		goto out;
	}
	sqlite3_bind_int64(s, 1, (sqlite3_int64)hist_now(CLOCK_REALTIME));
	sqlite3_bind_int(s, 2, exit_code);
	sqlite3_bind_int64(s, 3, h->id);
	if (sqlite3_step(s) != SQLITE_DONE)
		hist_fail(h, hist_sqlerr(h->st));
 out:
	sqlite3_finalize(s);
	r = h->error;
	hist_free(h);
	return r;
}

/*
 * The runs query: every column of struct drove_history_run.  A record of
 * schema 2 has no exit code: it is ok when every host was.
 */
#define RUNS_SQL							\
	"SELECT * FROM (SELECT r.id, r.started_ms, r.ended_ms, "	\
	"r.kind, r.user, r.line, r.command, r.pattern, "		\
	"coalesce(r.exit_code, -1), "					\
	"r.cap, (SELECT count(*) FROM run_hosts h WHERE h.run = r.id), " \
	"(SELECT count(*) FROM run_hosts h WHERE h.run = r.id AND "	\
	"h.status = 'ok'), (SELECT coalesce(sum(h.out_bytes + h.err_bytes), " \
	"0) FROM run_hosts h WHERE h.run = r.id), CASE WHEN r.ended_ms IS " \
	"NULL THEN 'incomplete' WHEN r.exit_code = 0 OR (r.exit_code IS " \
	"NULL AND NOT EXISTS (SELECT 1 FROM run_hosts h WHERE h.run = "	\
	"r.id AND h.status != 'ok')) THEN 'ok' WHEN r.exit_code = 130 "	\
	"THEN 'cancelled' WHEN r.exit_code = 141 THEN 'closed' "	\
	"ELSE 'failed' END AS st FROM runs r) "

/* Fill a run from a row of RUNS_SQL. */
static void
hist_run_row(sqlite3_stmt *s, struct drove_history_run *run)
{
	memset(run, 0, sizeof *run);
	run->id = sqlite3_column_int64(s, 0);
	run->started_ms = sqlite3_column_int64(s, 1);
	run->ended_ms = sqlite3_column_int64(s, 2);
	run->kind = (const char *)sqlite3_column_text(s, 3);
	run->user = (const char *)sqlite3_column_text(s, 4);
	run->line = (const char *)sqlite3_column_text(s, 5);
	run->command = (const char *)sqlite3_column_text(s, 6);
	run->pattern = (const char *)sqlite3_column_text(s, 7);
	run->exit_code = sqlite3_column_int(s, 8);
	run->cap = (size_t)sqlite3_column_int64(s, 9);
	run->hosts = (size_t)sqlite3_column_int64(s, 10);
	run->ok = (size_t)sqlite3_column_int64(s, 11);
	run->bytes = (uint64_t)sqlite3_column_int64(s, 12);
	run->status = (const char *)sqlite3_column_text(s, 13);
}

/* Step s, calling cb on each row filled by fill; 0, cb's or an error. */
static int
hist_walk(drove_store *st, sqlite3_stmt *s,
    int (*fill)(sqlite3_stmt *, void *, void *), void *cb, void *arg)
{
	int rc, r = 0;

	while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
		r = fill(s, cb, arg);
	if (r == 0 && rc != SQLITE_DONE)
		r = hist_sqlerr(st);
	return r;
}

/* Pass one runs row to a drove_history_run_cb. */
static int
hist_run_fill(sqlite3_stmt *s, void *cb, void *arg)
{
	struct drove_history_run run;

	hist_run_row(s, &run);
	return ((drove_history_run_cb *)cb)(&run, arg);
}

/* Pass one run_hosts row to a drove_history_host_cb. */
static int
hist_host_fill(sqlite3_stmt *s, void *cb, void *arg)
{
	struct drove_history_host hh;

	memset(&hh, 0, sizeof hh);
	hh.host = (const char *)sqlite3_column_text(s, 0);
	hh.status = (const char *)sqlite3_column_text(s, 1);
	hh.exit_code = sqlite3_column_int(s, 2);
	hh.signal = (const char *)sqlite3_column_text(s, 3);
	hh.error = (const char *)sqlite3_column_text(s, 4);
	hh.elapsed_ms = (uint64_t)sqlite3_column_int64(s, 5);
	hh.out_bytes = (uint64_t)sqlite3_column_int64(s, 6);
	hh.err_bytes = (uint64_t)sqlite3_column_int64(s, 7);
	hh.out = sqlite3_column_blob(s, 8);
	hh.outlen = (size_t)sqlite3_column_bytes(s, 8);
	hh.err = sqlite3_column_blob(s, 9);
	hh.errlen = (size_t)sqlite3_column_bytes(s, 9);
	hh.truncated = sqlite3_column_int(s, 10);
	if (hh.signal == NULL)
		hh.signal = "";
	if (hh.error == NULL)
		hh.error = "";
	return ((drove_history_host_cb *)cb)(&hh, arg);
}

/* The records the filter selects, newest first. */
int
drove_history_list(drove_store *st, const struct drove_history_filter *flt,
    drove_history_run_cb *cb, void *arg)
{
	sqlite3_stmt *s = NULL;
	int r;

	if (st == NULL || flt == NULL || cb == NULL)
		return DROVE_E_INVAL;
	if (sqlite3_prepare_v2(store_db(st), RUNS_SQL "WHERE (?1 IS NULL OR "
	    "pattern = ?1 OR EXISTS (SELECT 1 FROM run_hosts h WHERE h.run = "
	    "id AND h.host GLOB ?1)) AND (?2 IS NULL OR st = ?2 OR (?2 NOT "
	    "IN ('ok', 'failed', 'cancelled', 'incomplete') AND EXISTS "
	    "(SELECT 1 FROM run_hosts h WHERE h.run = id AND h.status = ?2))) "
	    "AND started_ms >= ?3 ORDER BY id DESC LIMIT ?4", -1, &s,
	    NULL) != SQLITE_OK)
		return hist_sqlerr(st);
	if (flt->pattern != NULL)
		sqlite3_bind_text(s, 1, flt->pattern, -1, SQLITE_STATIC);
	if (flt->status != NULL)
		sqlite3_bind_text(s, 2, flt->status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 3, flt->since_ms);
	sqlite3_bind_int64(s, 4, flt->limit != 0 ? (sqlite3_int64)flt->limit :
	    -1);
	r = hist_walk(st, s, hist_run_fill, (void *)cb, arg);
	sqlite3_finalize(s);
	return r;
}

/* One record and its hosts, from one snapshot. */
int
drove_history_get(drove_store *st, int64_t id, drove_history_run_cb *run_cb,
    drove_history_host_cb *host_cb, void *arg)
{
	sqlite3 *db;
	sqlite3_stmt *s = NULL, *hs = NULL;
	int r;

	if (st == NULL || run_cb == NULL || host_cb == NULL)
		return DROVE_E_INVAL;
	db = store_db(st);
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return hist_sqlerr(st);
	if (sqlite3_prepare_v2(db, RUNS_SQL "WHERE id = ?1", -1, &s,
	    NULL) != SQLITE_OK || sqlite3_prepare_v2(db, "SELECT host, status, "
	    "exit_code, signal, error, elapsed_ms, out_bytes, err_bytes, "
	    "stdout, stderr, truncated FROM run_hosts WHERE run = ?1 ORDER BY "
	    "host", -1, &hs, NULL) != SQLITE_OK) {
		r = hist_sqlerr(st);
		goto out;
	}
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(hs, 1, id);
	r = sqlite3_step(s);
	if (r != SQLITE_ROW) {
		r = r == SQLITE_DONE ? err_set(store_err(st), DROVE_E_NOTFOUND,
		    "no run %lld in the history", (long long)id) :
		    hist_sqlerr(st);
		goto out;
	}
	if ((r = hist_run_fill(s, (void *)run_cb, arg)) == 0)
		r = hist_walk(st, hs, hist_host_fill, (void *)host_cb, arg);
 out:
	sqlite3_finalize(s);
	sqlite3_finalize(hs);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return r;
}
