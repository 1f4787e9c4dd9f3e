/*
 * common-history.c: the run history as the commands keep it: the record
 * of a run (its command in quoted words, each host's result) and the hosts
 * and command of a rerun taken back from a record.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/cmd-config.h"

/*
 * Split s into words as common_quote() writes them (plain words, '...'
 * and the '\\'' of a quote inside): a NULL-ended malloc'd array of
 * malloc'd words in *words and their count in *n; -1 on an unclosed
 * quote or no memory.
 */
int
common_split(const char *s, char ***words, int *n)
{
	struct buf w;
	char **v = NULL, **nv;
	int k = 0, inq = 0, have = 0, r = -1;

	buf_init(&w);
	for (;; s++) {
		if (*s == '\0' || (!inq && *s == ' ')) {
			if (inq)
				goto out;
			if (have) {
				if ((nv = reallocarray(v, (size_t)k + 2,
				    sizeof *v)) == NULL)
					goto out;
				v = nv;
				if ((v[k] = strdup(w.data != NULL ? w.data :
				    "")) == NULL)
					goto out;
				v[++k] = NULL;
				buf_consume(&w, w.len);
				have = 0;
			}
			if (*s == '\0')
				break;
		} else if (*s == '\'') {
			inq = !inq;
			have = 1;
		} else {
			if (!inq && *s == '\\' && s[1] != '\0')
				s++;
			if (buf_append(&w, s, 1) != 0)
				goto out;
			have = 1;
		}
	}
	if (v == NULL && (v = calloc(1, sizeof *v)) == NULL)
		goto out;
	*words = v;
	*n = k;
	v = NULL;
	r = 0;
 out:
	while (v != NULL && k > 0)
		free(v[--k]);
	free(v);
	buf_release(&w);
	return r;
}

/* Append word to b, in single quotes when the shell would need them. */
void
common_quote(struct buf *b, const char *w)
{
	const char *p;

	if (*w != '\0' && strspn(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklm"
	    "nopqrstuvwxyz0123456789_@%+=:,./-") == strlen(w)) {
		buf_puts(b, w);
		return;
	}
	buf_puts(b, "'");
	for (p = w; *p != '\0'; p++)
		if (*p == '\'')
			buf_puts(b, "'\\''");
		else
			buf_append(b, p, 1);
	buf_puts(b, "'");
}

/* Begin the history record of a command, unless told not to. */
void
common_history_begin(struct common_opts *o, struct common_history *ch,
    const char *kind, int argc, char *const *argv, const char *command,
    const char *pattern)
{
	const char *env = getenv("DROVE_NO_HISTORY");
	struct buf line;
	int i;

	ch->h = NULL;
	ch->st = NULL;
	if (o->no_history || (env != NULL && strcmp(env, "1") == 0))
		return;
	buf_init(&line);
	buf_printf(&line, "drove %s", kind);
	for (i = 1; i < argc; i++) {
		if (config_added(argv[i]))
			continue;
		buf_puts(&line, " ");
		common_quote(&line, argv[i]);
	}
	if (line.data == NULL || (ch->st = common_store(o)) == NULL)
		fprintf(stderr, "drove: warning: no history record\n");
	else if (drove_history_begin(ch->st, kind, line.data, command, pattern,
	    0, &ch->h) != 0) {
		fprintf(stderr, "drove: warning: no history record: %s\n",
		    drove_store_error(ch->st));
		drove_store_close(ch->st);
		ch->st = NULL;
	}
	buf_release(&line);
}

/* Pass an event to the sink and the history record. */
void
common_history_event(const struct drove_event *ev, void *arg)
{
	struct common_history *ch = arg;

	drove_sink_event(ev, ch->sink);
	if (ch->h != NULL)
		drove_history_event(ev, ch->h);
}

/* End the record with the exit status and close its store. */
void
common_history_end(struct common_history *ch, int exit_code)
{
	if (ch->h != NULL && drove_history_end(ch->h, exit_code) != 0)
		fprintf(stderr, "drove: warning: history record incomplete: "
		    "%s\n", drove_store_error(ch->st));
	ch->h = NULL;
	drove_store_close(ch->st);
	ch->st = NULL;
}

/* What a rerun takes from a history record. */
struct rerun {
	struct common_opts *o;
	const char	 *kind;
	int		  failed;
	char		 *command;
	char		 *was;		/* the record's kind */
	char		**names;
	size_t		  n;
};

/* Keep the record's command and kind. */
static int
rerun_run(const struct drove_history_run *run, void *arg)
{
	struct rerun *rr = arg;

	rr->command = strdup(run->command);
	rr->was = strdup(run->kind);
	/* the same jump hosts, unless -J is given again */
	if (rr->o->jump == NULL && run->line != NULL &&
	    (rr->o->jump_recorded = route_recorded(run->line)) != NULL)
		rr->o->jump = rr->o->jump_recorded;
	return rr->command == NULL || rr->was == NULL ? DROVE_E_NOMEM : 0;
}

/* Keep a host's name: every one, or with failed those not ok. */
static int
rerun_host(const struct drove_history_host *hh, void *arg)
{
	struct rerun *rr = arg;
	char **p;

	if (rr->failed && strcmp(hh->status, "ok") == 0)
		return 0;
	if ((p = reallocarray(rr->names, rr->n + 1, sizeof *p)) == NULL)
		return DROVE_E_NOMEM;
	rr->names = p;
	return (p[rr->n++] = strdup(hh->host)) == NULL ? DROVE_E_NOMEM : 0;
}

/* Compare two names through pointers, for qsort and bsearch. */
static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Read record id into rr; prints the error. */
static int
rerun_read(struct common_opts *o, const char *id, struct rerun *rr)
{
	drove_store *st;
	char *end;
	long long v;
	int r = -1;

	errno = 0;
	v = strtoll(id, &end, 10);
	if (errno != 0 || end == id || *end != '\0' || v <= 0) {
		fprintf(stderr, "drove: bad run id for --rerun: '%s'\n", id);
		return -1;
	}
	if ((st = common_store(o)) == NULL)
		return -1;
	if (drove_history_get(st, v, rerun_run, rerun_host, rr) != 0)
		fprintf(stderr, "drove: %s\n", drove_store_error(st));
	else if (strcmp(rr->was, rr->kind) != 0)
		fprintf(stderr, "drove: run %lld was a '%s', not a '%s'\n", v,
		    rr->was, rr->kind);
	else
		r = 0;
	drove_store_close(st);
	return r;
}

/* Select the recorded hosts in inv; every one must be there. */
static int
rerun_select(struct rerun *rr, const char *id, drove_inventory *inv,
    size_t *sel, size_t *nsel)
{
	const char *name;
	char **hit;
	size_t i, missing = 0;

	qsort(rr->names, rr->n, sizeof *rr->names, name_cmp);
	for (i = 0; i < drove_inventory_count(inv); i++) {
		name = drove_inventory_name(inv, i);
		if ((hit = bsearch(&name, rr->names, rr->n, sizeof *rr->names,
		    name_cmp)) == NULL || **hit == '\0')
			continue;
		sel[(*nsel)++] = i;
		**hit = '\0';		/* found: a duplicate name is skipped */
	}
	for (i = 0; i < rr->n; i++) {
		if (*rr->names[i] == '\0')
			continue;
		if (missing++ == 0)
			fprintf(stderr, "drove: hosts of run %s not in the "
			    "inventory: %s", id, rr->names[i]);
		else
			fprintf(stderr, ", %s", rr->names[i]);
	}
	if (missing > 0)
		fputc('\n', stderr);
	return missing == 0 ? 0 : -1;
}

/* The hosts and command of a history record, for --rerun. */
int
common_rerun(struct common_opts *o, const char *id, const char *kind,
    int failed, drove_inventory **inv, char **command, size_t **sel,
    size_t *nsel)
{
	struct rerun rr;
	size_t i;
	int r = -1;

	memset(&rr, 0, sizeof rr);
	rr.o = o;
	rr.kind = kind;
	rr.failed = failed;
	*inv = NULL;
	*command = NULL;
	*sel = NULL;
	*nsel = 0;
	if (rerun_read(o, id, &rr) != 0)
		goto out;
	if (rr.n == 0) {
		fprintf(stderr, "drove: run %s had no %shosts\n", id,
		    failed ? "failed " : "");
		r = 1;
		goto out;
	}
	if ((*inv = common_load(o)) == NULL)
		goto out;
	if ((*sel = calloc(rr.n, sizeof **sel)) == NULL ||
	    rerun_select(&rr, id, *inv, *sel, nsel) != 0)
		goto out;
	*command = rr.command;
	rr.command = NULL;
	r = 0;
 out:
	if (r != 0) {
		drove_inventory_free(*inv);
		*inv = NULL;
		free(*sel);
		*sel = NULL;
		*nsel = 0;
	}
	for (i = 0; i < rr.n; i++)
		free(rr.names[i]);
	free(rr.names);
	free(rr.command);
	free(rr.was);
	return r;
}
