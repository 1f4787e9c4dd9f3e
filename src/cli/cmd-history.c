/*
 * cmd-history.c: "drove history": the records of past runs in the store
 * (--db FILE, else $DROVE_HOME/drove.db).
 *
 *   drove history [PATTERN] [--status S] [--since TIME] [--limit N] [--json]
 *   drove history show ID [--json]
 *   drove history diff ID1 ID2
 *
 * The list is newest first; PATTERN is a run's pattern or a glob matched
 * against the hosts it ran on, S a run's status (ok, failed, cancelled,
 * closed, incomplete) or one host's (timeout, unreachable, ...), TIME
 * "30m", "2h", "7d" ago or a local "YYYY-MM-DD[ HH:MM[:SS]]".  show prints
 * the per-host table, then each host's kept output, saying where it was
 * capped.  diff names the hosts whose status or output changed between two
 * runs, with each changed output as a unified diff; its exit status is 0
 * when none did, 1 when some did, 2 on an error.  An ID may be "last".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "cli/cmd.h"

static int	cmd_history_exec(int, char **);

enum {
	OPT_STATUS = OPT_COMMON_END, OPT_SINCE, OPT_LIMIT, OPT_JSON, OPT_HELP
};

static const struct option hist_longopts[] = {
	{ "status", required_argument, NULL, OPT_STATUS },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_history_entry = {
	.name = "history",
	.usage = "[PATTERN] [--status S] [--since TIME] [--limit N] [--json] | "
	    "show ID [--json] | diff ID1 ID2",
	.help = "list and show past runs",
	.shortopts = "",
	.longopts = hist_longopts,
	.exec = cmd_history_exec,
};

/* A run as read back, owned. */
struct hrun {
	struct drove_history_run	 r;	/* strings below */
	char				*strs[6];
};

/* A host of a run as read back, owned. */
struct hhost {
	char		*host;
	char		*status;
	char		*error;
	int		 exit_code;
	uint64_t	 elapsed_ms;
	uint64_t	 out_bytes;
	uint64_t	 err_bytes;
	char		*out;
	size_t		 outlen;
	char		*err;
	size_t		 errlen;
};

/* A record read back: the run and its hosts by name. */
struct hrec {
	struct hrun	 run;
	struct hhost	*hosts;
	size_t		 n;
};

/* Print the help. */
static void
hist_help(void)
{
	printf("usage: drove history [PATTERN] [options]\n"
	    "       drove history show ID [--json]\n"
	    "       drove history diff ID1 ID2\n\n"
	    "List past runs, newest first, or show one with its hosts and "
	    "outputs, or\nname the hosts whose status or output changed "
	    "between two runs.\n\n"
	    "  PATTERN                a run's pattern, or a glob on its "
	    "hosts' names\n"
	    "      --status S         ok, failed, cancelled, closed (output "
	    "closed),\n"
	    "                         incomplete, or a host's status "
	    "(timeout,\n"
	    "                         unreachable, ...)\n"
	    "      --since TIME       30m, 2h, 7d ago, or YYYY-MM-DD[ "
	    "HH:MM[:SS]]\n"
	    "      --limit N          the N newest runs\n"
	    "      --json             one JSON object per run\n"
	    "      --db FILE          the store (default "
	    "$DROVE_HOME/drove.db)\n");
}

/* Copy s (NULL as ""), or NULL when out of memory. */
static char *
dup0(const char *s)
{
	return strdup(s != NULL ? s : "");
}

/* Copy n bytes (and a NUL) of p. */
static char *
dupmem(const void *p, size_t n)
{
	char *d;

	if ((d = malloc(n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* Keep the run of a record. */
static int
rec_run(const struct drove_history_run *run, void *arg)
{
	struct hrun *h = &((struct hrec *)arg)->run;
	const char *src[6] = { run->kind, run->user, run->line, run->command,
	    run->pattern, run->status };
	size_t i;

	h->r = *run;
	for (i = 0; i < 6; i++)
		if ((h->strs[i] = dup0(src[i])) == NULL)
			return DROVE_E_NOMEM;
	h->r.kind = h->strs[0];
	h->r.user = h->strs[1];
	h->r.line = h->strs[2];
	h->r.command = h->strs[3];
	h->r.pattern = h->strs[4];
	h->r.status = h->strs[5];
	return 0;
}

/* Keep a host of a record. */
static int
rec_host(const struct drove_history_host *hh, void *arg)
{
	struct hrec *rec = arg;
	struct hhost *p;

	if ((p = reallocarray(rec->hosts, rec->n + 1, sizeof *p)) == NULL)
		return DROVE_E_NOMEM;
	rec->hosts = p;
	p += rec->n++;
	memset(p, 0, sizeof *p);
	p->exit_code = hh->exit_code;
	p->elapsed_ms = hh->elapsed_ms;
	p->out_bytes = hh->out_bytes;
	p->err_bytes = hh->err_bytes;
	p->outlen = hh->outlen;
	p->errlen = hh->errlen;
	if ((p->host = dup0(hh->host)) == NULL ||
	    (p->status = dup0(hh->status)) == NULL ||
	    (p->error = dup0(hh->error)) == NULL ||
	    (p->out = dupmem(hh->out, hh->outlen)) == NULL ||
	    (p->err = dupmem(hh->err, hh->errlen)) == NULL)
		return DROVE_E_NOMEM;
	return 0;
}

/* Free a record read back. */
static void
rec_release(struct hrec *rec)
{
	size_t i;

	for (i = 0; i < 6; i++)
		free(rec->run.strs[i]);
	for (i = 0; i < rec->n; i++) {
		free(rec->hosts[i].host);
		free(rec->hosts[i].status);
		free(rec->hosts[i].error);
		free(rec->hosts[i].out);
		free(rec->hosts[i].err);
	}
	free(rec->hosts);
	memset(rec, 0, sizeof *rec);
}

/* Read record id (text) into rec; prints the error. */
static int
rec_read(drove_store *st, const char *id, struct hrec *rec)
{
	int64_t v;
	int r;

	memset(rec, 0, sizeof *rec);
	if ((v = common_history_id(st, id, NULL)) == 0)
		return -1;
	if ((r = drove_history_get(st, v, rec_run, rec_host, rec)) != 0) {
		fprintf(stderr, "drove history: %s\n", r == DROVE_E_NOMEM ?
		    "out of memory" : drove_store_error(st));
		rec_release(rec);
		return -1;
	}
	return 0;
}

/* Local time of ms since the epoch as "YYYY-MM-DD HH:MM:SS". */
static const char *
fmt_time(int64_t ms, char *buf, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(buf, size, "%lld", (long long)ms);
	return buf;
}

/* Milliseconds as "1.2s", or "-" for a run without an end. */
static const char *
fmt_elapsed(int64_t ms, int known, char *buf, size_t size)
{
	if (!known)
		return "-";
	snprintf(buf, size, "%.1fs", (double)ms / 1000);
	return buf;
}

/* Parse --since: "N[smhd]" ago or a local date and time; -1 when bad. */
static int64_t
parse_since(const char *s)
{
	static const char *const fmts[] = { "%Y-%m-%d %H:%M:%S",
	    "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d" };
	struct tm tm;
	const char *end;
	char *unit;
	long long n;
	size_t i;
	time_t t;

	errno = 0;
	n = strtoll(s, &unit, 10);
	if (errno == 0 && unit != s && n >= 0 && strlen(unit) == 1 &&
	    strchr("smhd", *unit) != NULL) {
		n *= *unit == 's' ? 1 : *unit == 'm' ? 60 : *unit == 'h' ?
		    3600 : 86400;
		return ((int64_t)time(NULL) - n) * 1000;
	}
	for (i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		memset(&tm, 0, sizeof tm);
		tm.tm_isdst = -1;
		if ((end = strptime(s, fmts[i], &tm)) != NULL && *end == '\0' &&
		    (t = mktime(&tm)) != (time_t)-1)
			return (int64_t)t * 1000;
	}
	return -1;
}

/* Print the common fields of a run as JSON members (no braces). */
static void
json_run(const struct drove_history_run *run)
{
	const char *k[] = { "kind", "user", "line", "command", "pattern",
	    "status" };
	const char *v[] = { run->kind, run->user, run->line, run->command,
	    run->pattern, run->status };
	size_t i;

	printf("\"id\":%lld,\"started_ms\":%lld,", (long long)run->id,
	    (long long)run->started_ms);
	if (run->ended_ms != 0)
		printf("\"ended_ms\":%lld,\"exit_code\":%d,",
		    (long long)run->ended_ms, run->exit_code);
	else
		printf("\"ended_ms\":null,\"exit_code\":null,");
	for (i = 0; i < sizeof k / sizeof k[0]; i++) {
		printf("\"%s\":", k[i]);
		json_write_str(stdout, v[i], strlen(v[i]));
		putchar(',');
	}
	printf("\"hosts\":%zu,\"ok\":%zu,\"bytes\":%llu,\"cap\":%zu",
	    run->hosts, run->ok, (unsigned long long)run->bytes, run->cap);
}

/* Print one run of the list. */
static int
list_run(const struct drove_history_run *run, void *arg)
{
	const int *json = arg;
	char t[32], e[32], hosts[48];

	if (*json) {
		putchar('{');
		json_run(run);
		printf("}\n");
		return 0;
	}
	snprintf(hosts, sizeof hosts, "%zu/%zu ok", run->ok, run->hosts);
	printf("%-5lld %-19s %-10s %-10s %-10s %-8s %s\n", (long long)run->id,
	    fmt_time(run->started_ms, t, sizeof t), run->user, run->status,
	    hosts, fmt_elapsed(run->ended_ms - run->started_ms,
	    run->ended_ms != 0, e, sizeof e), run->line);
	return 0;
}

/* drove history [PATTERN]: the list. */
static int
hist_list(drove_store *st, struct drove_history_filter *flt, char **args,
    int nargs, int json)
{
	if (nargs > 1) {
		usage_error(&cmd_history_entry, "expected at most one PATTERN");
		return EXIT_USAGE;
	}
	flt->pattern = nargs == 1 ? args[0] : NULL;
	if (!json)
		printf("%-5s %-19s %-10s %-10s %-10s %-8s %s\n", "ID",
		    "STARTED", "USER", "STATUS", "HOSTS", "ELAPSED",
		    "COMMAND");
	if (drove_history_list(st, flt, list_run, &json) != 0) {
		fprintf(stderr, "drove history: %s\n", drove_store_error(st));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* Print a host's kept stream under a header, saying where it was cut. */
static void
show_stream(const struct hhost *h, const char *which, const char *data,
    size_t len, uint64_t total)
{
	if (total == 0 && len == 0)
		return;
	printf("--- %s %s", h->host, which);
	if (total > len)
		printf(" (capped: %zu of %llu bytes kept)", len,
		    (unsigned long long)total);
	putchar('\n');
	drove_vis_write(stdout, data, len, common_vis(STDOUT_FILENO));
	if (len > 0 && data[len - 1] != '\n')
		putchar('\n');
}

/* Print a record as JSON, its hosts with their outputs. */
static void
show_json(const struct hrec *rec)
{
	const struct hhost *h;
	size_t i;

	putchar('{');
	json_run(&rec->run.r);
	printf(",\"host_results\":[");
	for (i = 0; i < rec->n; i++) {
		h = &rec->hosts[i];
		printf("%s{\"host\":", i > 0 ? "," : "");
		json_write_str(stdout, h->host, strlen(h->host));
		printf(",\"status\":");
		json_write_str(stdout, h->status, strlen(h->status));
		printf(",\"exit_code\":%d,\"error\":", h->exit_code);
		json_write_str(stdout, h->error, strlen(h->error));
		printf(",\"elapsed_ms\":%llu,\"out_bytes\":%llu,"
		    "\"err_bytes\":%llu,\"stdout\":",
		    (unsigned long long)h->elapsed_ms,
		    (unsigned long long)h->out_bytes,
		    (unsigned long long)h->err_bytes);
		json_write_str(stdout, h->out, h->outlen);
		printf(",\"stderr\":");
		json_write_str(stdout, h->err, h->errlen);
		printf(",\"truncated\":%s}", h->outlen < h->out_bytes ||
		    h->errlen < h->err_bytes ? "true" : "false");
	}
	printf("]}\n");
}

/* drove history show ID: the record, its host table and outputs. */
static int
hist_show(drove_store *st, char **args, int nargs, int json)
{
	const struct drove_history_run *run;
	const struct hhost *h;
	struct hrec rec;
	char t[32], e[32];
	size_t i, w = 4;

	if (nargs != 2) {
		usage_error(&cmd_history_entry, "show: expected one ID");
		return EXIT_USAGE;
	}
	if (rec_read(st, args[1], &rec) != 0)
		return EXIT_USAGE;
	if (json) {
		show_json(&rec);
		rec_release(&rec);
		return EXIT_OK;
	}
	run = &rec.run.r;
	printf("run %lld: %s\n", (long long)run->id, run->line);
	printf("started %s by %s, %s", fmt_time(run->started_ms, t, sizeof t),
	    run->user, run->status);
	if (run->ended_ms != 0)
		printf(" (exit %d) after %s", run->exit_code,
		    fmt_elapsed(run->ended_ms - run->started_ms, 1, e,
		    sizeof e));
	printf("\ncommand: %s\npattern: %s\noutput kept: %zu bytes a host "
	    "a stream\n\n", run->command, run->pattern, run->cap);
	for (i = 0; i < rec.n; i++)
		if (strlen(rec.hosts[i].host) > w)
			w = strlen(rec.hosts[i].host);
	printf("%-*s  %-11s %4s %8s %10s %10s  %s\n", (int)w, "HOST",
	    "STATUS", "EXIT", "ELAPSED", "STDOUT", "STDERR", "ERROR");
	for (i = 0; i < rec.n; i++) {
		h = &rec.hosts[i];
		printf("%-*s  %-11s %4d %8s %10llu %10llu  %s\n", (int)w,
		    h->host, h->status, h->exit_code, fmt_elapsed((int64_t)
		    h->elapsed_ms, 1, e, sizeof e),
		    (unsigned long long)h->out_bytes,
		    (unsigned long long)h->err_bytes, h->error);
	}
	for (i = 0; i < rec.n; i++) {
		h = &rec.hosts[i];
		show_stream(h, "stdout", h->out, h->outlen, h->out_bytes);
		show_stream(h, "stderr", h->err, h->errlen, h->err_bytes);
	}
	rec_release(&rec);
	return EXIT_OK;
}

/* Whether two hosts' kept outputs differ. */
static int
output_differs(const struct hhost *a, const struct hhost *b)
{
	return a->outlen != b->outlen || a->errlen != b->errlen ||
	    a->out_bytes != b->out_bytes || a->err_bytes != b->err_bytes ||
	    memcmp(a->out, b->out, a->outlen) != 0 ||
	    memcmp(a->err, b->err, a->errlen) != 0;
}

/* Print how a host's kept stream changed, as a unified diff. */
static void
diff_stream(const char *host, const char *stream, const char *a,
    size_t alen, const char *b, size_t blen, const char *ida,
    const char *idb)
{
	if (alen == blen && memcmp(a, b, alen) == 0)
		return;
	printf("--- %s %s, run %s\n+++ %s %s, run %s\n", host, stream, ida,
	    host, stream, idb);
	if (drove_diff(stdout, a != NULL ? a : "", alen, b != NULL ? b : "",
	    blen, 3, common_vis(STDOUT_FILENO)) != 0)
		printf("(no memory for the diff)\n");
}

/* Print how host a (run A) became host b (run B); 1 if it changed. */
static int
diff_host(const struct hhost *a, const struct hhost *b, const char *ida,
    const char *idb)
{
	int st, out;

	if (a == NULL || b == NULL) {
		printf("%s: only in run %s\n", a != NULL ? a->host : b->host,
		    a != NULL ? ida : idb);
		return 1;
	}
	st = strcmp(a->status, b->status) != 0;
	out = output_differs(a, b);
	if (st)
		printf("%s: %s -> %s%s\n", a->host, a->status, b->status,
		    out ? ", output changed" : "");
	else if (out)
		printf("%s: output changed\n", a->host);
	if (out) {
		diff_stream(a->host, "stdout", a->out, a->outlen, b->out,
		    b->outlen, ida, idb);
		diff_stream(a->host, "stderr", a->err, a->errlen, b->err,
		    b->errlen, ida, idb);
	}
	return st || out;
}

/* drove history diff ID1 ID2: the hosts whose status or output changed. */
static int
hist_diff(drove_store *st, char **args, int nargs)
{
	struct hrec a, b;
	size_t i = 0, k = 0;
	int c, changed = 0;

	if (nargs != 3) {
		usage_error(&cmd_history_entry, "diff: expected two IDs");
		return EXIT_USAGE;
	}
	if (rec_read(st, args[1], &a) != 0)
		return EXIT_USAGE;
	if (rec_read(st, args[2], &b) != 0) {
		rec_release(&a);
		return EXIT_USAGE;
	}
	if (strcmp(a.run.r.command, b.run.r.command) != 0 ||
	    strcmp(a.run.r.kind, b.run.r.kind) != 0)
		fprintf(stderr, "drove history diff: warning: runs %s and %s "
		    "ran different commands\n", args[1], args[2]);
	/* both lists are sorted by name */
	while (i < a.n || k < b.n) {
		c = i == a.n ? 1 : k == b.n ? -1 : strcmp(a.hosts[i].host,
		    b.hosts[k].host);
		changed |= diff_host(c <= 0 ? &a.hosts[i] : NULL, c >= 0 ?
		    &b.hosts[k] : NULL, args[1], args[2]);
		i += c <= 0;
		k += c >= 0;
	}
	if (!changed)
		printf("no host changed status or output\n");
	rec_release(&a);
	rec_release(&b);
	return changed ? EXIT_FAILED : EXIT_OK;
}

static int
cmd_history_exec(int argc, char **argv)
{
	struct option longopts[LONGOPTS_MAX];
	struct common_opts o;
	struct drove_history_filter flt;
	drove_store *st = NULL;
	char **args;
	long long v;
	int ch, nargs, json = 0, rc = EXIT_USAGE;

	common_init(&o);
	memset(&flt, 0, sizeof flt);
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    hist_longopts);
	while ((ch = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_STATUS:
			flt.status = optarg;
			break;
		case OPT_SINCE:
			if ((flt.since_ms = parse_since(optarg)) < 0) {
				usage_error(&cmd_history_entry, "bad --since: "
				    "'%s'", optarg);
				goto out;
			}
			break;
		case OPT_LIMIT:
			v = strtoll(optarg, NULL, 10);
			if (v <= 0 || strspn(optarg, "0123456789") !=
			    strlen(optarg)) {
				usage_error(&cmd_history_entry, "bad --limit: "
				    "'%s'", optarg);
				goto out;
			}
			flt.limit = (size_t)v;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case OPT_HELP:
			hist_help();
			rc = EXIT_OK;
			goto out;
		case '?':
			usage_bad_option(&cmd_history_entry, argv);
			goto out;
		default:
			if (common_opt(&o, ch, optarg) != 1)
				goto out;
			break;
		}
	}
	args = argv + optind;
	nargs = argc - optind;
	if ((st = common_store(&o)) == NULL)
		goto out;
	if (nargs > 0 && strcmp(args[0], "show") == 0)
		rc = hist_show(st, args, nargs, json);
	else if (nargs > 0 && strcmp(args[0], "diff") == 0)
		rc = hist_diff(st, args, nargs);
	else
		rc = hist_list(st, &flt, args, nargs, json);
 out:
	drove_store_close(st);
	common_release(&o);
	return rc;
}
