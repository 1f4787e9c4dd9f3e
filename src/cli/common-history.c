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

/* Record the fleet's hosts as pending: a killed run still names them. */
static void
history_hosts(struct common_history *ch)
{
	const char **names;
	size_t i, n = drove_fleet_host_count(ch->fleet);

	if ((names = calloc(n + 1, sizeof *names)) == NULL)
		return;
	for (i = 0; i < n; i++)
		names[i] = drove_fleet_host_name(ch->fleet, i);
	if (drove_history_hosts(ch->h, names, n) != 0)
		fprintf(stderr, "drove: warning: history record without its "
		    "hosts: %s\n", drove_store_error(ch->st));
	free(names);
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
	if (o->adopted != NULL)
		buf_printf(&line, "%s", o->adopted);
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
	} else if (ch->fleet != NULL)
		history_hosts(ch);
	buf_release(&line);
}

/* Pass an event to the sink (none once stdout is closed) and the history
 * record. */
void
common_history_event(const struct drove_event *ev, void *arg)
{
	struct common_history *ch = arg;

	if (!ch->closed)
		drove_sink_event(ev, ch->sink);
	if (ch->h != NULL)
		drove_history_event(ev, ch->h);
	/* | head has read enough: end the run quietly */
	if (ch->fleet != NULL && !ch->closed && ferror(stdout) &&
	    common_stdout_closed()) {
		ch->closed = 1;
		drove_fleet_cancel(ch->fleet);
	}
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
	const char	 *kind;
	int		  failed;
	char		 *command;
	char		 *was;		/* the record's kind */
	char		 *line;		/* its command line */
	char		**names;
	size_t		  n;
	size_t		  total;	/* hosts recorded, ok or not */
};

/* Keep the record's command, kind and command line. */
static int
rerun_run(const struct drove_history_run *run, void *arg)
{
	struct rerun *rr = arg;

	rr->command = strdup(run->command);
	rr->was = strdup(run->kind);
	rr->line = strdup(run->line);
	return rr->command == NULL || rr->was == NULL || rr->line == NULL ?
	    DROVE_E_NOMEM : 0;
}

/* Keep a host's name: every one, or with failed those not ok. */
static int
rerun_host(const struct drove_history_host *hh, void *arg)
{
	struct rerun *rr = arg;
	char **p;

	rr->total++;
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
	int64_t v;
	int r = -1;

	if ((st = common_store(o)) == NULL)
		return -1;
	if ((v = common_history_id(st, id, rr->kind)) == 0)
		;
	else if (drove_history_get(st, v, rerun_run, rerun_host, rr) != 0)
		fprintf(stderr, "drove: %s\n", drove_store_error(st));
	else if (strcmp(rr->was, rr->kind) != 0)
		fprintf(stderr, "drove: run %lld was a '%s', not a '%s'\n",
		    (long long)v, rr->was, rr->kind);
	else
		r = 0;
	drove_store_close(st);
	return r;
}

/* What "last" looks for: the newest record of kind (NULL: any). */
struct last {
	const char	*kind;
	int64_t		 id;
};

/* The walk is newest first: stop at the first record of the kind. */
static int
last_run(const struct drove_history_run *run, void *arg)
{
	struct last *l = arg;

	if (l->kind != NULL && strcmp(run->kind, l->kind) != 0)
		return 0;
	l->id = run->id;
	return 1;
}

/* The id of record word (see cmd.h). */
int64_t
common_history_id(drove_store *st, const char *word, const char *kind)
{
	struct drove_history_filter f;
	struct last l = { kind, 0 };
	char *end;
	long long v;

	if (strcmp(word, "last") != 0) {
		errno = 0;
		v = strtoll(word, &end, 10);
		if (errno != 0 || end == word || *end != '\0' || v <= 0) {
			fprintf(stderr, "drove: bad run id: '%s' (a number, "
			    "or last)\n", word);
			return 0;
		}
		return v;
	}
	memset(&f, 0, sizeof f);
	if (drove_history_list(st, &f, last_run, &l) < 0) {
		fprintf(stderr, "drove: %s\n", drove_store_error(st));
		return 0;
	}
	if (l.id == 0 && (kind == NULL || strcmp(kind, "run") == 0))
		fprintf(stderr, "drove: no run in the history\n");
	else if (l.id == 0)
		fprintf(stderr, "drove: no %s run in the history\n", kind);
	return l.id;
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

/* Whether option ch names where hosts come from (-i, -H, --db). */
static int
is_source(int ch)
{
	return ch == 'i' || ch == 'H' || ch == OPT_DB;
}

/*
 * Take the common options of a record's command line ("drove KIND
 * WORDS...", parsed as cmd parses its own) that were not given now: a
 * list option (--key) only when none of its kind was, the host sources
 * (-i, -H, --db) only when none of them was.  The words taken go to
 * o->adopted, for this run's own record.
 */
static int
rerun_options(struct common_opts *o, const char *line,
    const struct cmd_entry *cmd)
{
	struct option longopts[LONGOPTS_MAX];
	char shortopts[64];
	const char *pattern = NULL;
	struct buf ad;
	int n, ch, k, before, r = -1;

	if (common_split(line, &o->rec_words, &n) != 0 || n < 2) {
		fprintf(stderr, "drove: the record's command line cannot be "
		    "read: %s\n", line);
		return -1;
	}
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    cmd->longopts);
	snprintf(shortopts, sizeof shortopts, "+%s%s", COMMON_SHORTOPTS,
	    cmd->shortopts);
	buf_init(&ad);
	optind = 0;
	for (;;) {
		before = optind > 0 ? optind : 1;
		if ((ch = common_getopt_pattern(n - 1, o->rec_words + 1,
		    shortopts, longopts, &pattern)) == -1)
			break;
		if (ch < 0 || (size_t)ch >= sizeof o->seen || o->seen[ch] ||
		    (is_source(ch) && (o->seen['i'] || o->seen['H'] ||
		    o->seen[OPT_DB])) || common_set(o, ch, optarg) != 1)
			continue;
		for (k = before; k < optind; k++)
			if (o->rec_words[k + 1] != pattern) {
				buf_puts(&ad, " ");
				common_quote(&ad, o->rec_words[k + 1]);
			}
	}
	optind = 0;
	if (ad.len > 0 && (o->adopted = buf_steal(&ad, NULL)) == NULL)
		goto out;
	r = 0;
 out:
	buf_release(&ad);
	return r;
}

/* The hosts and command of a history record, for --rerun. */
int
common_rerun(struct common_opts *o, const char *id,
    const struct cmd_entry *cmd, int failed, drove_inventory **inv,
    char **command, size_t **sel, size_t *nsel)
{
	struct rerun rr;
	size_t i;
	int r = -1;

	memset(&rr, 0, sizeof rr);
	rr.kind = cmd->name;
	rr.failed = failed;
	*inv = NULL;
	*command = NULL;
	*sel = NULL;
	*nsel = 0;
	if (rerun_read(o, id, &rr) != 0)
		goto out;
	if (rr.total == 0) {
		fprintf(stderr, "drove: run %s has no hosts recorded: nothing "
		    "to run again\n", id);
		goto out;
	}
	if (rr.n == 0) {
		fprintf(stderr, "drove: run %s had no failed hosts\n", id);
		r = 1;
		goto out;
	}
	if (rerun_options(o, rr.line, cmd) != 0)
		goto out;
	if ((*inv = common_load(o)) == NULL)
		goto out;
	if ((*sel = calloc(rr.n, sizeof **sel)) == NULL ||
	    rerun_select(&rr, id, *inv, *sel, nsel) != 0)
		goto out;
	if (drove_inventory_check_vault(*inv, *sel, *nsel, 0) != 0) {
		fprintf(stderr, "drove: %s\n", drove_inventory_error(*inv));
		goto out;
	}
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
	free(rr.line);
	return r;
}
