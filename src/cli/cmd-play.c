/*
 * cmd-play.c: "drove play [options] PLAYBOOK": run a YAML playbook on the
 * inventory (see play.h for the language, play-run.c for the runner).
 *
 * Each task prints a header and one line per host (ok, changed, skipped,
 * failed, unreachable); a failure shows the host's output, capped unless
 * -v is given, which shows every host's output (on a terminal shown as
 * drove_vis_write() shows it, so that no host takes the terminal over).
 * --json prints one JSON object per line instead.  A recap per host ends
 * the run.  The run is recorded in the history with each host's final
 * status; --rerun ID [--failed] plays again on the hosts of a recorded
 * play.
 *
 * Exit status as for run: 0 all ok, 1 a host failed (or a play stopped),
 * 2 usage or playbook error, 3 a host was not reached, 130 interrupted.
 */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/json.h"
#include "cli/cmd.h"
#include "play/play-run.h"

static int	cmd_play_exec(int, char **);

/* Bytes of each stream a failure shows without -v. */
#define PLAY_SHOW_CAP	2048

enum {
	OPT_SYNTAX = OPT_COMMON_END, OPT_CHECK, OPT_LIMIT, OPT_TAGS,
	OPT_SKIP_TAGS, OPT_START_AT, OPT_JSON, OPT_RERUN, OPT_FAILED,
	OPT_HELP
};

static const struct option play_longopts[] = {
	{ "syntax-check", no_argument, NULL, OPT_SYNTAX },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "limit", required_argument, NULL, OPT_LIMIT },
	{ "tags", required_argument, NULL, OPT_TAGS },
	{ "skip-tags", required_argument, NULL, OPT_SKIP_TAGS },
	{ "start-at-task", required_argument, NULL, OPT_START_AT },
	{ "extra-vars", required_argument, NULL, 'e' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "rerun", required_argument, NULL, OPT_RERUN },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_play_entry = {
	.name = "play",
	.usage = "[options] PLAYBOOK | --rerun ID [--failed] [PLAYBOOK]",
	.help = "run a YAML playbook",
	.shortopts = "e:v",
	.longopts = play_longopts,
	.exec = cmd_play_exec,
};

/* What the output and the fleets need while the playbook runs. */
struct play_cli {
	struct common_opts	*o;
	drove_inventory		*inv;
	struct common_history	 hist;
	int			 json;
	int			 verbose;
	int			 vis;		/* how hosts' bytes are shown
						   (common_vis()) */
	int			 recapped;	/* its header is printed */
};

/* Print the play's help. */
static void
play_help(void)
{
	printf("usage: drove play %s\n\n"
	    "Run the plays of PLAYBOOK, task by task, on the hosts each "
	    "play selects.\n\n", cmd_play_entry.usage);
	common_help(stdout);
	printf("      --timeout SEC          per-host command timeout\n"
	    "      --syntax-check         check the playbook, run nothing\n"
	    "      --check                dry run: say what would change\n"
	    "      --limit PATTERN        only the hosts PATTERN selects "
	    "too\n"
	    "      --tags T1,T2           only tasks with one of these tags\n"
	    "      --skip-tags T1,T2      no task with one of these tags\n"
	    "      --start-at-task NAME   begin at the task named NAME\n"
	    "  -e, --extra-vars K=V       a variable over every other "
	    "(repeatable);\n"
	    "                             -e @FILE: those of a YAML file\n"
	    "  -v, --verbose              show every host's output\n"
	    "      --json                 one JSON object per event and "
	    "line\n"
	    "      --rerun ID             play again on the hosts of "
	    "history record ID\n"
	    "      --failed               with --rerun: only the hosts that "
	    "failed\n\n"
	    "Exit status: 0 all ok, 1 a host failed or a play stopped, 2 "
	    "usage or\nplaybook error, 3 a host was not reached, 130 "
	    "interrupted.\n");
}

/* A fleet over hosts with the command's options (the runner's
 * make_fleet). */
static drove_fleet *
play_fleet(void *arg, const size_t *hosts, size_t n)
{
	struct play_cli *c = arg;

	return common_fleet(c->o, c->inv, hosts, n);
}

/* Let Ctrl-C cancel the fleet that runs, and every later one when it
 * came between two (the runner's running). */
static void
play_running(void *arg, drove_fleet *f)
{
	(void)arg;
	common_signals(f);
	if (f != NULL && common_interrupted())
		drove_fleet_cancel(f);
}

/* Write "key":value-string to a JSON line, when s is set. */
static void
json_field(const char *key, const char *s, size_t len)
{
	if (s == NULL)
		return;
	printf(",\"%s\":", key);
	json_write_str(stdout, s, len);
}

/* One event as a JSON object on a line. */
static void
play_json(const struct prun_event *ev)
{
	static const char *const types[] = { "play", "task", "host", "stop",
	    "recap" };
	const struct prun_counts *k = ev->counts;

	printf("{\"event\":\"%s\"", types[ev->type]);
	json_field("play", ev->play, ev->play != NULL ? strlen(ev->play) : 0);
	json_field("task", ev->task, ev->task != NULL ? strlen(ev->task) : 0);
	json_field("host", ev->host, ev->host != NULL ? strlen(ev->host) : 0);
	json_field("status", ev->status, ev->status != NULL ?
	    strlen(ev->status) : 0);
	if (ev->type == PRUN_EV_HOST)
		printf(",\"rc\":%d,\"ignored\":%s", ev->rc, ev->ignored ?
		    "true" : "false");
	json_field("item", ev->item, ev->item != NULL ? strlen(ev->item) : 0);
	if (ev->type == PRUN_EV_HOST) {
		json_field("stdout", ev->out != NULL ? ev->out : "",
		    ev->outlen);
		json_field("stderr", ev->err != NULL ? ev->err : "",
		    ev->errlen);
	}
	json_field("msg", ev->msg, ev->msg != NULL ? strlen(ev->msg) : 0);
	if (ev->type == PRUN_EV_TASK)
		printf(",\"batch\":%zu,\"batches\":%zu", ev->batch,
		    ev->nbatches);
	if (k != NULL)
		printf(",\"ok\":%u,\"changed\":%u,\"skipped\":%u,\"failed\":%u,"
		    "\"unreachable\":%u,\"ignored\":%u", k->ok, k->changed,
		    k->skipped, k->failed, k->unreachable, k->ignored);
	printf("}\n");
}

/* Print a stream of a host's output, indented, capped unless verbose. */
static void
play_output(const struct play_cli *c, const char *what, const char *s,
    size_t len)
{
	size_t show = len, i, n;
	const char *nl;

	if (s == NULL || len == 0)
		return;
	if (!c->verbose && show > PLAY_SHOW_CAP)
		show = PLAY_SHOW_CAP;
	printf("    %s:\n", what);
	for (i = 0; i < show; i += n + 1) {
		nl = memchr(s + i, '\n', show - i);
		n = nl != NULL ? (size_t)(nl - (s + i)) : show - i;
		fputs("    ", stdout);
		drove_vis_write(stdout, s + i, n, c->vis);
		putchar('\n');
	}
	if (show < len)
		printf("    [%zu more bytes not shown; -v shows all]\n",
		    len - show);
}

/* A host's line of a task. */
static void
play_host(const struct play_cli *c, const struct prun_event *ev)
{
	int bad = strcmp(ev->status, "failed") == 0 ||
	    strcmp(ev->status, "unreachable") == 0;

	printf("%s: %s", ev->host, ev->status);
	if (ev->ignored)
		printf(" (ignored)");
	if (ev->item != NULL) {
		fputs(" (item=", stdout);
		drove_vis_write(stdout, ev->item, strlen(ev->item), c->vis);
		putchar(')');
	}
	if (bad && ev->rc >= 0)
		printf(": rc=%d", ev->rc);
	if ((bad || strncmp(ev->status, "skipped", 7) == 0) &&
	    ev->msg != NULL) {
		fputs(": ", stdout);
		drove_vis_write(stdout, ev->msg, strlen(ev->msg), c->vis);
	}
	putchar('\n');
	if (bad || c->verbose) {
		play_output(c, "stdout", ev->out, ev->outlen);
		play_output(c, "stderr", ev->err, ev->errlen);
	}
}

/* The runner's events: output, and the history at the recap. */
static void
play_event(const struct prun_event *ev, void *arg)
{
	struct play_cli *c = arg;
	const struct prun_counts *k = ev->counts;

	if (ev->type == PRUN_EV_RECAP && c->hist.h != NULL)
		drove_history_host(c->hist.h, ev->host, ev->result, ev->out,
		    ev->outlen, ev->err, ev->errlen);
	if (c->json) {
		play_json(ev);
		return;
	}
	switch (ev->type) {
	case PRUN_EV_PLAY:
		printf("PLAY [%s]\n", ev->play);
		break;
	case PRUN_EV_TASK:
		if (ev->nbatches > 1)
			printf("TASK [%s] (batch %zu/%zu)\n", ev->task,
			    ev->batch, ev->nbatches);
		else
			printf("TASK [%s]\n", ev->task);
		break;
	case PRUN_EV_HOST:
		play_host(c, ev);
		break;
	case PRUN_EV_STOP:
		printf("%s\n", ev->msg);
		break;
	case PRUN_EV_RECAP:
		if (!c->recapped++)
			printf("PLAY RECAP\n");
		printf("%s: ok=%u changed=%u unreachable=%u failed=%u "
		    "skipped=%u ignored=%u\n", ev->host, k->ok, k->changed,
		    k->unreachable, k->failed, k->skipped, k->ignored);
		break;
	}
	fflush(stdout);
}

/* Add "k=v", or the variables of the YAML file of "@FILE", to the extra
 * vars map; -1 after a usage error. */
static int
play_extra(struct pval *extra, const char *kv)
{
	const char *eq = strchr(kv, '=');
	struct drove_err e;
	char *k;
	int r;

	if (kv[0] == '@') {
		err_clear(&e);
		if (play_vars_load(kv + 1, extra, &e) == 0)
			return 0;
		fprintf(stderr, "drove play: -e: %s\n", e.msg);
		return -1;
	}
	if (eq == NULL || eq == kv) {
		usage_error(&cmd_play_entry, "bad -e: '%s' (KEY=VALUE)", kv);
		return -1;
	}
	if ((k = strndup(kv, (size_t)(eq - kv))) == NULL)
		return -1;
	r = pval_set_str(extra, k, eq + 1);
	free(k);
	return r == 0 ? 0 : -1;
}

/* Split a comma-separated list into words appended to v. */
static void
play_words(char *list, const char ***v, size_t *n)
{
	char *w, *save = NULL;

	for (w = strtok_r(list, ",", &save); w != NULL;
	    w = strtok_r(NULL, ",", &save))
		common_push(v, n, w);
}

/* The plays' host patterns joined by commas, for the history. */
static char *
play_patterns(const struct playbook *book, const char *limit)
{
	size_t i, len = 1;
	char *s;

	if (limit != NULL)
		return strdup(limit);
	for (i = 0; i < book->nplays; i++)
		len += strlen(book->plays[i].hosts) + 1;
	if ((s = calloc(1, len)) == NULL)
		return NULL;
	for (i = 0; i < book->nplays; i++) {
		if (i > 0)
			strcat(s, ",");
		strcat(s, book->plays[i].hosts);
	}
	return s;
}

/* The exit status of a finished run. */
static int
play_status(int rc, const struct prun_summary *sum,
    const struct drove_err *e)
{
	if (rc == DROVE_E_CANCELLED)
		return EXIT_INTERRUPT;
	if (rc != 0) {
		fprintf(stderr, "drove play: %s\n", e->msg);
		return rc == DROVE_E_NOTFOUND || rc == DROVE_E_INVAL ?
		    EXIT_USAGE : EXIT_FAILED;
	}
	if (sum->unreachable > 0)
		return EXIT_UNREACHED;
	if (sum->failed > 0 || sum->stopped)
		return EXIT_FAILED;
	return EXIT_OK;
}

/*
 * Read the group_vars/ and host_vars/ beside the playbook, then decrypt
 * the vaulted connection vars of every host: without the password they
 * are an error before anything connects.  Other vaulted vars are decrypted
 * with the play's vars; one that cannot be stays undefined, failing only
 * the tasks that read it.  -1 to go on, else the exit status (printed).
 */
static int
play_vars(drove_inventory *inv, const char *path)
{
	size_t *all = NULL, i, n = drove_inventory_count(inv);
	char *dir;
	int r;

	if ((dir = strdup(path)) == NULL ||
	    (all = calloc(n + 1, sizeof *all)) == NULL) {
		free(dir);
		fprintf(stderr, "drove play: out of memory\n");
		return EXIT_USAGE;
	}
	for (i = 0; i < n; i++)
		all[i] = i;
	if ((r = drove_inventory_load_vars(inv, dirname(dir))) == 0)
		r = drove_inventory_check_vault(inv, all, n, 0);
	if (r != 0)
		fprintf(stderr, "drove play: %s\n", drove_inventory_error(inv));
	free(dir);
	free(all);
	return r != 0 ? EXIT_USAGE : -1;
}

/* Load the playbook; with --rerun, the hosts and playbook recorded. */
static int
play_load(struct play_cli *c, const char *rerun, int failed,
    const char **path, char **recorded, struct playbook **book,
    size_t **only, size_t *nonly)
{
	struct drove_err e;
	int r;

	if (rerun != NULL) {
		if ((r = common_rerun(c->o, rerun, &cmd_play_entry, failed, &c->inv,
		    recorded, only, nonly)) != 0)
			return r == 1 ? EXIT_OK : EXIT_USAGE;
		if (*path == NULL)
			*path = *recorded;
	} else if ((c->inv = common_load(c->o)) == NULL)
		return EXIT_USAGE;
	if (playbook_load(*path, book, &e) != 0) {
		fprintf(stderr, "drove play: %s\n", e.msg);
		return EXIT_USAGE;
	}
	return play_vars(c->inv, *path);
}

/* Parse the options, load the playbook and run it. */
static int
cmd_play_exec(int argc, char **argv)
{
	struct option longopts[LONGOPTS_MAX];
	struct common_opts o;
	struct play_cli c;
	struct prun_opts po;
	struct prun_summary sum;
	struct playbook *book = NULL;
	struct drove_err e;
	struct pval extra;
	const char *path = NULL, *rerun = NULL;
	char *recorded = NULL, *pattern = NULL;
	size_t *only = NULL, nonly = 0;
	int ch, rc = EXIT_USAGE, syntax = 0, failed = 0;

	common_init(&o);
	memset(&c, 0, sizeof c);
	memset(&po, 0, sizeof po);
	memset(&extra, 0, sizeof extra);
	pval_map(&extra);
	c.o = &o;
	c.vis = common_vis(STDOUT_FILENO);
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    play_longopts);
	while ((ch = getopt_long(argc, argv, COMMON_SHORTOPTS "e:v",
	    longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_SYNTAX:
			syntax = 1;
			break;
		case OPT_CHECK:
			po.check = 1;
			break;
		case OPT_LIMIT:
			po.limit = optarg;
			break;
		case OPT_TAGS:
			play_words(optarg, (const char ***)&po.tags,
			    &po.ntags);
			break;
		case OPT_SKIP_TAGS:
			play_words(optarg, (const char ***)&po.skip_tags,
			    &po.nskip_tags);
			break;
		case OPT_START_AT:
			po.start_at = optarg;
			break;
		case 'e':
			if (play_extra(&extra, optarg) != 0)
				goto out;
			break;
		case 'v':
			c.verbose = 1;
			break;
		case OPT_JSON:
			c.json = 1;
			break;
		case OPT_RERUN:
			rerun = optarg;
			break;
		case OPT_FAILED:
			failed = 1;
			break;
		case OPT_HELP:
			play_help();
			rc = EXIT_OK;
			goto out;
		case '?':
			usage_bad_option(&cmd_play_entry, argv);
			goto out;
		default:
			if (common_opt(&o, ch, optarg) != 1)
				goto out;
			break;
		}
	}
	if (optind < argc)
		path = argv[optind++];
	if (optind < argc || (path == NULL && rerun == NULL)) {
		usage_error(&cmd_play_entry, path == NULL ? "no playbook" :
		    "one playbook at a time");
		goto out;
	}
	if (failed && rerun == NULL) {
		usage_error(&cmd_play_entry, "--failed without --rerun");
		goto out;
	}
	if (syntax) {
		if (playbook_check(path, &e) != 0) {
			fprintf(stderr, "drove play: %s\n", e.msg);
			goto out;
		}
		printf("%s: syntax ok\n", path);
		rc = EXIT_OK;
		goto out;
	}
	if ((rc = play_load(&c, rerun, failed, &path, &recorded, &book,
	    &only, &nonly)) != -1)
		goto out;
	rc = EXIT_USAGE;
	/* asked before the first play, not in the middle of one */
	if (common_ask_pass(&o) != 0 || common_ask_become_pass(&o) != 0)
		goto out;
	po.extra = extra.n > 0 ? &extra : NULL;
	po.only = only;
	po.nonly = nonly;
	po.make_fleet = play_fleet;
	po.fleet_arg = &c;
	po.running = play_running;
	po.cb = play_event;
	po.cb_arg = &c;
	if ((pattern = play_patterns(book, po.limit)) == NULL)
		goto out;
	common_history_begin(&o, &c.hist, "play", argc, argv, path, pattern);
	err_clear(&e);
	rc = play_status(prun_run(book, c.inv, &po, &sum, &e), &sum, &e);
	if (!o.quiet)
		common_run_id(&c.hist, "play", rc);
	common_history_end(&c.hist, rc);
 out:
	playbook_free(book);
	drove_inventory_free(c.inv);
	pval_release(&extra);
	free(only);
	free(recorded);
	free(pattern);
	free((void *)po.tags);
	free((void *)po.skip_tags);
	common_release(&o);
	return rc;
}
