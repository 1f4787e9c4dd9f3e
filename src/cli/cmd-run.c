/*
 * cmd-run.c: "drove run PATTERN [--] COMMAND...": run a command on every
 * selected host and show the output as it arrives, gathered, as diffs
 * against the most common output, or as JSON.  On a terminal, a status line
 * at the bottom of stderr shows the progress.
 *
 * The command words are joined with spaces, as ssh does, and run by the
 * remote user's shell.  When drove's stdin is not a terminal it is sent to
 * every host's command, then EOF.  Ctrl-C cancels: running hosts are closed,
 * the summary is still printed, and the exit status is 130.
 *
 * Each run is recorded in the history (see common-history.c).  --rerun ID
 * runs again on the hosts of history record ID (with --failed, on those
 * that were not ok), the recorded command and common options unless given
 * again.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"

static int	cmd_run_exec(int, char **);

enum {
	OPT_JSON = OPT_COMMON_END, OPT_DIFF, OPT_COLOR, OPT_RERUN, OPT_FAILED,
	OPT_HELP, OPT_HOST_COLOR
};

static const struct option run_longopts[] = {
	{ "gather", no_argument, NULL, 'g' },
	{ "tty", no_argument, NULL, 't' },
	{ "out-dir", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "diff", no_argument, NULL, OPT_DIFF },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "host-color", no_argument, NULL, OPT_HOST_COLOR },
	{ "rerun", required_argument, NULL, OPT_RERUN },
	{ "failed", no_argument, NULL, OPT_FAILED },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_run_entry = {
	.name = "run",
	.usage = "[options] PATTERN [--] COMMAND... | --rerun ID [--failed] "
	    "[COMMAND...]",
	.help = "run a command on a group of hosts",
	.shortopts = "gto:",
	.longopts = run_longopts,
	.exec = cmd_run_exec,
};

/* Keep the status line fresh while nothing else happens. */
static void
status_tick(void *sink)
{
	drove_sink_tick(sink);
}

/* Print the run's help. */
static void
run_help(void)
{
	printf("usage: drove run %s\n\n"
	    "Run COMMAND on every host PATTERN selects.\n\n",
	    cmd_run_entry.usage);
	common_help(stdout);
	printf("      --timeout SEC          per-host command timeout (see "
	    "--tty)\n"
	    "  -t, --tty                  run the command under a pty, so "
	    "that a timeout\n"
	    "                             or Ctrl-C hangs it up; stderr "
	    "comes with stdout\n"
	    "  -g, --gather               identical outputs once, under "
	    "their hosts\n"
	    "      --diff                 outputs that differ from the most "
	    "common one,\n"
	    "                             as unified diffs\n"
	    "      --json                 one JSON object per host\n"
	    "  -o, --out-dir DIR          also write DIR/HOST.{out,err,"
	    "status}\n"
	    "      --color WHEN           auto (default), always, never\n"
	    "      --host-color           let the hosts' colours reach the "
	    "terminal\n"
	    "                             (other control characters are "
	    "shown as \\xHH)\n"
	    "      --rerun ID             run on the hosts of history record "
	    "ID (last:\n"
	    "                             the newest run), its command and "
	    "common\n"
	    "                             options unless given again\n"
	    "      --failed               with --rerun: only the hosts that "
	    "were not ok\n\n"
	    "Exit status: 0 all ok, 1 a command failed or timed out, 2 usage "
	    "error,\n3 a host was not reached or verified, 130 "
	    "interrupted.\n");
}

/* Select the hosts and command: from the pattern and words, or --rerun. */
static int
run_select(struct common_opts *o, const char *rerun, int failed,
    const char *pattern, int argc, char **argv, drove_inventory **inv,
    char **command, size_t **sel, size_t *nsel)
{
	char *recorded = NULL;
	int r;

	if (rerun == NULL) {
		if ((*command = common_join(NULL, argc, argv)) == NULL)
			return -1;
		*inv = common_inventory(o, pattern, sel, nsel);
		return *inv != NULL ? 0 : -1;
	}
	if ((r = common_rerun(o, rerun, &cmd_run_entry, failed, inv, &recorded, sel,
	    nsel)) != 0)
		return r;
	if (pattern == NULL) {
		*command = recorded;
		return 0;
	}
	free(recorded);
	/* with --rerun every word is the command's */
	return (*command = common_join(pattern, argc, argv)) != NULL ? 0 : -1;
}

static int
cmd_run_exec(int argc, char **argv)
{
	struct option longopts[LONGOPTS_MAX];
	struct common_opts o;
	struct drove_sink_opts so;
	drove_sink *sink = NULL;
	drove_inventory *inv = NULL;
	drove_fleet *f = NULL;
	struct common_history hist;
	const char *pattern = NULL, *color = "auto", *rerun = NULL;
	char *command = NULL, *hosts = NULL, errbuf[512];
	size_t *sel = NULL, nsel = 0, i, w;
	int ch, rc = EXIT_USAGE, runrc, fatal, failed = 0, sr, tty = 0;

	common_init(&o);
	memset(&hist, 0, sizeof hist);
	memset(&so, 0, sizeof so);
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    run_longopts);
	while ((ch = common_getopt_pattern(argc, argv, "+" COMMON_SHORTOPTS
	    "gto:", longopts, &pattern)) != -1) {
		switch (ch) {
		case 'g':
			so.mode = DROVE_OUT_GATHER;
			break;
		case 't':
			tty = 1;
			break;
		case 'o':
			so.out_dir = optarg;
			break;
		case OPT_JSON:
			so.mode = DROVE_OUT_JSON;
			break;
		case OPT_DIFF:
			so.mode = DROVE_OUT_DIFF;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never")) {
				usage_error(&cmd_run_entry, "bad --color: '%s'",
				    optarg);
				goto out;
			}
			color = optarg;
			break;
		case OPT_HOST_COLOR:
			so.escape_sgr = 1;
			break;
		case OPT_RERUN:
			rerun = optarg;
			break;
		case OPT_FAILED:
			failed = 1;
			break;
		case OPT_HELP:
			run_help();
			rc = EXIT_OK;
			goto out;
		case '?':
			usage_bad_option(&cmd_run_entry, argv);
			goto out;
		default:
			if (common_opt(&o, ch, optarg) != 1)
				goto out;
			break;
		}
	}
	if (failed && rerun == NULL) {
		usage_error(&cmd_run_entry, "--failed without --rerun");
		goto out;
	}
	if (pattern == NULL && rerun == NULL) {
		usage_error(&cmd_run_entry, "no host pattern");
		goto out;
	}
	if (optind >= argc && rerun == NULL) {
		usage_error(&cmd_run_entry, "no command to run");
		goto out;
	}
	if ((sr = run_select(&o, rerun, failed, pattern, argc - optind,
	    argv + optind, &inv, &command, &sel, &nsel)) != 0) {
		if (sr == 1)
			rc = EXIT_OK;
		goto out;
	}
	if ((f = common_fleet(&o, inv, sel, nsel)) == NULL)
		goto out;
	if (drove_fleet_exec(f, command, isatty(STDIN_FILENO) ? -1 :
	    STDIN_FILENO) != 0 || drove_fleet_set_tty(f, tty) != 0) {
		fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
		goto out;
	}
	for (i = 0; i < nsel; i++)
		if ((w = strlen(drove_fleet_host_name(f, i))) > so.name_width)
			so.name_width = w;
	so.color = common_want_color(color, STDOUT_FILENO);
	so.color_err = common_want_color(color, STDERR_FILENO);
	so.escape = (isatty(STDOUT_FILENO) ? DROVE_ESC_OUT : 0) |
	    (isatty(STDERR_FILENO) ? DROVE_ESC_ERR : 0);
	so.status_line = so.mode != DROVE_OUT_JSON && common_smart_tty(STDERR_FILENO);
	so.summary = !o.quiet;
	so.total_hosts = nsel;
	if ((sink = drove_sink_new(&so, errbuf, sizeof errbuf)) == NULL) {
		fprintf(stderr, "drove: %s\n", errbuf);
		goto out;
	}
	if (rerun != NULL)
		hosts = common_fold_hosts(inv, sel, nsel);
	hist.sink = sink;
	hist.fleet = f;
	common_history_begin(&o, &hist, "run", argc, argv, command,
	    rerun != NULL ? (hosts != NULL ? hosts : "") : pattern);
	drove_fleet_set_event_cb(f, common_history_event, &hist);
	if (so.status_line)
		drove_fleet_set_tick_cb(f, status_tick, sink, 100);
	common_signals(f);
	runrc = drove_fleet_run(f);
	common_signals(NULL);
	fatal = runrc != 0 && runrc != DROVE_E_CANCELLED;
	if (fatal) {
		/* Freeing the sink erases its status line. */
		drove_sink_free(sink);
		sink = NULL;
		if (drove_fleet_warning(f) != NULL)
			fprintf(stderr, "drove: warning: %s\n",
			    drove_fleet_warning(f));
		fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
		goto out;
	}
	rc = common_run_end(f, runrc, sink, &o, &hist, "run");
 out:
	common_history_end(&hist, rc);
	drove_sink_free(sink);
	drove_fleet_free(f);
	drove_inventory_free(inv);
	free(sel);
	free(command);
	free(hosts);
	common_release(&o);
	return rc;
}
