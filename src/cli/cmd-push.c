/*
 * cmd-push.c: "drove push PATTERN SRC... DEST": send files and trees to
 * every selected host over SFTP, and the run and output that push and pull
 * share (xfer_cli_*).
 *
 * Each host ends changed, unchanged or failed; the summary counts them.
 * On a terminal a status line shows hosts done, bytes, rate and time left.
 * Ctrl-C cancels as for run; the exit statuses are run's.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/cmd.h"

static int	cmd_push_exec(int, char **);

enum {
	OPT_MKDIR = OPT_COMMON_END, OPT_MODE, OPT_PRESERVE, OPT_OWNER,
	OPT_GROUP, OPT_CHECKSUM, OPT_HELP
};

static const struct option push_longopts[] = {
	{ "recursive", no_argument, NULL, 'r' },
	{ "mkdir", no_argument, NULL, OPT_MKDIR },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "preserve", no_argument, NULL, OPT_PRESERVE },
	{ "owner", required_argument, NULL, OPT_OWNER },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "update", no_argument, NULL, 'u' },
	{ "checksum", no_argument, NULL, OPT_CHECKSUM },
	{ "json", no_argument, NULL, OPT_XFER_JSON },
	{ "color", required_argument, NULL, OPT_XFER_COLOR },
	{ "out-dir", required_argument, NULL, 'o' },
	{ "rerun", required_argument, NULL, OPT_XFER_RERUN },
	{ "failed", no_argument, NULL, OPT_XFER_FAILED },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_push_entry = {
	.name = "push",
	.usage = "[options] PATTERN SRC... DEST | --rerun ID [--failed] "
	    "[SRC... DEST]",
	.help = "copy files to a group of hosts (SFTP)",
	.shortopts = "ruo:",
	.longopts = push_longopts,
	.exec = cmd_push_exec,
};

struct xfer_tick {
	drove_fleet	*f;
	drove_sink	*sink;
};

/* Hand the byte counts to the status line and redraw it. */
static void
xfer_tick(void *arg)
{
	struct xfer_tick *t = arg;
	uint64_t done, total;

	drove_fleet_xfer_progress(t->f, &done, &total);
	drove_sink_progress(t->sink, done, total);
	drove_sink_tick(t->sink);
}

/* Handle an output or common option. */
int
xfer_cli_opt(const struct cmd_entry *cmd, struct common_opts *o,
    struct xfer_cli *c, int ch, const char *arg)
{
	switch (ch) {
	case OPT_XFER_JSON:
		c->json = 1;
		return 1;
	case 'o':
		c->out_dir = arg;
		return 1;
	case OPT_XFER_RERUN:
		c->rerun = arg;
		return 1;
	case OPT_XFER_FAILED:
		c->failed = 1;
		return 1;
	case OPT_XFER_COLOR:
		if (strcmp(arg, "auto") && strcmp(arg, "always") &&
		    strcmp(arg, "never")) {
			usage_error(cmd, "bad --color: '%s'", arg);
			return -1;
		}
		c->color = arg;
		return 1;
	}
	return common_opt(o, ch, arg) == 1 ? 1 : -1;
}

/* Run the fleet's transfer with a sink and the history record; print the
 * summary. */
static int
xfer_cli_run(drove_fleet *f, const struct common_opts *o,
    const struct xfer_cli *c, struct common_history *hist, const char *kind)
{
	struct drove_sink_opts so;
	struct xfer_tick tick;
	drove_sink *sink;
	char errbuf[512];
	size_t i, w, n = drove_fleet_host_count(f);
	int rc = EXIT_USAGE, runrc, fatal;

	memset(&so, 0, sizeof so);
	so.mode = c->json ? DROVE_OUT_JSON : DROVE_OUT_LINES;
	so.out_dir = c->out_dir;
	so.xfer = 1;
	so.total_hosts = n;
	for (i = 0; i < n; i++)
		if ((w = strlen(drove_fleet_host_name(f, i))) > so.name_width)
			so.name_width = w;
	so.color = common_want_color(c->color != NULL ? c->color : "auto",
	    STDOUT_FILENO);
	so.color_err = common_want_color(c->color != NULL ? c->color :
	    "auto", STDERR_FILENO);
	so.status_line = !c->json && common_smart_tty(STDERR_FILENO);
	so.summary = !o->quiet;
	if ((sink = drove_sink_new(&so, errbuf, sizeof errbuf)) == NULL) {
		fprintf(stderr, "drove: %s\n", errbuf);
		return EXIT_USAGE;
	}
	hist->sink = sink;
	drove_fleet_set_event_cb(f, common_history_event, hist);
	tick.f = f;
	tick.sink = sink;
	if (so.status_line)
		drove_fleet_set_tick_cb(f, xfer_tick, &tick, 100);
	common_signals(f);
	runrc = drove_fleet_run(f);
	common_signals(NULL);
	fatal = runrc != 0 && runrc != DROVE_E_CANCELLED;
	if (fatal) {
		drove_sink_free(sink);
		sink = NULL;
		fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
		return EXIT_USAGE;
	}
	rc = common_run_end(f, runrc, sink, o, hist, kind);
	drove_sink_free(sink);
	return rc;
}

/*
 * With --rerun: the record's hosts, and unless words are given its SRC...
 * DEST and options (added to those given now); *av keeps the record's
 * words for *args.
 */
static int
xfer_rerun(const struct xfer_cmd *x, struct common_opts *o,
    const struct xfer_cli *c, drove_inventory **inv, size_t **sel,
    size_t *nsel, char ***args, int *nargs, char ***av)
{
	char *recorded = NULL, **w = NULL;
	int r, n = 0, k = -1, i;

	if ((r = common_rerun(o, c->rerun, x->entry, c->failed, inv,
	    &recorded, sel, nsel)) != 0)
		return r;
	if (common_split(recorded, &w, &n) != 0 ||
	    (*av = calloc((size_t)n + 2, sizeof **av)) == NULL ||
	    ((*av)[0] = strdup(x->entry->name)) == NULL) {
		fprintf(stderr, "drove: run %s: its record cannot be read\n",
		    c->rerun);
		goto out;
	}
	for (i = 0; i < n; i++)
		(*av)[i + 1] = w[i];
	n = 0;
	if ((k = x->recorded(x->opts, i + 1, *av)) < 0)
		goto out;
	if (*nargs == 0) {
		*args = *av + k;
		*nargs = i + 1 - k;
	}
 out:
	while (n > 0)
		free(w[--n]);
	free(w);
	free(recorded);
	return k < 0 ? -1 : 0;
}

/* Select the hosts, set the fleet's job, run it. */
int
xfer_cli_main(const struct xfer_cmd *x, struct common_opts *o,
    const struct xfer_cli *c, int argc, char **argv, int first)
{
	struct common_history hist;
	drove_inventory *inv = NULL;
	drove_fleet *f = NULL;
	size_t *sel = NULL, nsel = 0;
	char **args = argv + first, **av = NULL, *hosts = NULL;
	const char *pattern;
	struct buf what;
	int r, i, rc = EXIT_USAGE, nargs = argc - first;

	buf_init(&what);
	if (c->failed && c->rerun == NULL) {
		usage_error(x->entry, "--failed without --rerun");
		goto out;
	}
	if (c->rerun != NULL) {
		if ((r = xfer_rerun(x, o, c, &inv, &sel, &nsel, &args, &nargs,
		    &av)) != 0) {
			if (r == 1)
				rc = EXIT_OK;
			goto out;
		}
		if ((pattern = hosts = common_fold_hosts(inv, sel,
		    nsel)) == NULL)
			goto out;
	} else if (nargs == 0) {
		usage_error(x->entry, "no host pattern");
		goto out;
	} else {
		pattern = *args++;
		nargs--;
		if ((inv = common_inventory(o, pattern, &sel, &nsel)) == NULL)
			goto out;
	}
	if (nargs < 2) {
		usage_error(x->entry, "need what to copy and where to");
		goto out;
	}
	if ((f = common_fleet(o, inv, sel, nsel)) == NULL)
		goto out;
	if (x->set(f, x->opts, args, (size_t)nargs) != 0) {
		fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
		goto out;
	}
	x->words(x->opts, &what);
	buf_puts(&what, "--");
	for (i = 0; i < nargs; i++) {
		buf_puts(&what, " ");
		common_quote(&what, args[i]);
	}
	memset(&hist, 0, sizeof hist);
	hist.fleet = f;
	if (what.data == NULL)
		goto out;
	common_history_begin(o, &hist, x->entry->name, argc, argv, what.data,
	    pattern);
	rc = xfer_cli_run(f, o, c, &hist, x->entry->name);
	common_history_end(&hist, rc);
 out:
	drove_fleet_free(f);
	drove_inventory_free(inv);
	free(sel);
	free(hosts);
	for (i = 0; av != NULL && av[i] != NULL; i++)
		free(av[i]);
	free(av);
	buf_release(&what);
	return rc;
}

/* Give the fleet the push of args (SRC... DEST). */
static int
push_set(drove_fleet *f, const void *po, char **args, size_t n)
{
	return drove_fleet_push(f, po, (const char *const *)args, n - 1,
	    args[n - 1]);
}

/* Print push's help. */
static void
push_help(void)
{
	printf("usage: drove push %s\n\n"
	    "Copy SRC files (and directories with -r) to DEST on every host "
	    "PATTERN\nselects: into DEST when it is a directory, ends in '/' "
	    "or there are\nseveral SRCs, else as DEST.  Each file is written "
	    "beside its target\nunder a temporary name, synced and renamed "
	    "over it.\n\n"
	    "  -r, --recursive        copy directories\n"
	    "      --mkdir            make DEST's missing directories\n"
	    "      --mode OCTAL       permission bits (default: the "
	    "source's)\n"
	    "      --preserve         keep the source's modification time\n"
	    "      --owner UID, --group GID   numeric owner (as root)\n"
	    "  -u, --update           skip files of the same size and "
	    "mtime\n"
	    "      --checksum         skip files with the same SHA-256\n"
	    "      --json             one JSON object per host\n"
	    "  -o, --out-dir DIR      also write DIR/HOST.status\n"
	    "      --color WHEN       auto (default), always, never\n"
	    "      --rerun ID         the hosts of history record ID, and its "
	    "SRC... DEST\n"
	    "                         and options unless given\n"
	    "      --failed           with --rerun: only the hosts that did not "
	    "succeed\n"
	    "  (and the connection options of 'drove run --help')\n\n"
	    "Exit status: 0 all ok, 1 a transfer failed, 2 usage error, 3 a "
	    "host was\nnot reached or verified, 130 interrupted.\n",
	    cmd_push_entry.usage);
}

/* Parse a number between 0 and max in base; -1 when bad. */
static long
parse_num(const char *s, int base, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, base);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

/* Apply push option ch to po: 1 taken, 0 not push's own, -1 bad
 * (printed). */
static int
push_opt(struct drove_push_opts *po, int ch, const char *arg)
{
	long v;

	switch (ch) {
	case 'r':
		po->recursive = 1;
		return 1;
	case 'u':
		po->update = 1;
		return 1;
	case OPT_MKDIR:
		po->mkdir = 1;
		return 1;
	case OPT_PRESERVE:
		po->preserve = 1;
		return 1;
	case OPT_CHECKSUM:
		po->checksum = 1;
		return 1;
	case OPT_MODE:
		if ((v = parse_num(arg, 8, 07777)) < 0) {
			usage_error(&cmd_push_entry, "bad --mode: '%s' (octal)",
			    arg);
			return -1;
		}
		po->mode = (int)v;
		return 1;
	case OPT_OWNER:
	case OPT_GROUP:
		if ((v = parse_num(arg, 10, 0x7fffffff)) < 0) {
			usage_error(&cmd_push_entry, "bad %s: '%s' (a number)",
			    ch == OPT_OWNER ? "--owner" : "--group", arg);
			return -1;
		}
		*(ch == OPT_OWNER ? &po->owner : &po->group) = v;
		return 1;
	}
	return 0;
}

/* Push's options as words, for the history (xfer_cmd.words). */
static void
push_words(const void *arg, struct buf *b)
{
	const struct drove_push_opts *po = arg;

	buf_printf(b, "%s%s%s%s%s", po->recursive ? "-r " : "",
	    po->update ? "-u " : "", po->mkdir ? "--mkdir " : "",
	    po->preserve ? "--preserve " : "",
	    po->checksum ? "--checksum " : "");
	if (po->mode >= 0)
		buf_printf(b, "--mode %04o ", (unsigned int)po->mode);
	if (po->owner >= 0)
		buf_printf(b, "--owner %ld ", po->owner);
	if (po->group >= 0)
		buf_printf(b, "--group %ld ", po->group);
}

/* Add a record's push options to arg's: those given now win. */
static int
push_recorded(void *arg, int argc, char **argv)
{
	struct drove_push_opts *po = arg, rec;
	int ch;

	memset(&rec, 0, sizeof rec);
	rec.mode = -1;
	rec.owner = rec.group = -1;
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+ru", push_longopts,
	    NULL)) != -1)
		if (push_opt(&rec, ch, optarg) != 1) {
			fprintf(stderr, "drove: the record's options are not "
			    "push's: %s\n", argv[optind - 1]);
			return -1;
		}
	po->recursive |= rec.recursive;
	po->update |= rec.update;
	po->mkdir |= rec.mkdir;
	po->preserve |= rec.preserve;
	po->checksum |= rec.checksum;
	if (po->mode < 0)
		po->mode = rec.mode;
	if (po->owner < 0)
		po->owner = rec.owner;
	if (po->group < 0)
		po->group = rec.group;
	return optind;
}

static int
cmd_push_exec(int argc, char **argv)
{
	struct option longopts[LONGOPTS_MAX];
	struct common_opts o;
	struct drove_push_opts po;
	struct xfer_cli c;
	struct xfer_cmd x = {
		.entry = &cmd_push_entry, .opts = &po, .set = push_set,
		.words = push_words, .recorded = push_recorded
	};
	int ch, r, rc = EXIT_USAGE;

	common_init(&o);
	memset(&c, 0, sizeof c);
	memset(&po, 0, sizeof po);
	po.mode = -1;
	po.owner = po.group = -1;
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    push_longopts);
	while ((ch = getopt_long(argc, argv, COMMON_SHORTOPTS "ruo:",
	    longopts, NULL)) != -1) {
		if ((r = push_opt(&po, ch, optarg)) < 0)
			goto out;
		if (r == 1)
			continue;
		if (ch == OPT_HELP) {
			push_help();
			rc = EXIT_OK;
			goto out;
		}
		if (ch == '?') {
			usage_bad_option(&cmd_push_entry, argv);
			goto out;
		}
		if (xfer_cli_opt(&cmd_push_entry, &o, &c, ch, optarg) != 1)
			goto out;
	}
	rc = xfer_cli_main(&x, &o, &c, argc, argv, optind);
 out:
	common_release(&o);
	return rc;
}
