/*
 * cmd-pull.c: "drove pull PATTERN REMOTE... LOCALDIR": fetch files and
 * trees from every selected host over SFTP into LOCALDIR/HOST/NAME, or
 * with --flat into LOCALDIR/NAME.HOST (--flat=prefix: HOST.NAME).
 *
 * Names that would leave LOCALDIR and symbolic links in remote listings
 * are refused; partial files never have their final name.  Output, exit
 * statuses and Ctrl-C are push's (xfer_cli_run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "cli/cmd.h"

static int	cmd_pull_exec(int, char **);

enum { OPT_FLAT = OPT_COMMON_END, OPT_PRESERVE, OPT_HELP };

static const struct option pull_longopts[] = {
	{ "recursive", no_argument, NULL, 'r' },
	{ "flat", optional_argument, NULL, OPT_FLAT },
	{ "preserve", no_argument, NULL, OPT_PRESERVE },
	{ "json", no_argument, NULL, OPT_XFER_JSON },
	{ "color", required_argument, NULL, OPT_XFER_COLOR },
	{ "out-dir", required_argument, NULL, 'o' },
	{ "rerun", required_argument, NULL, OPT_XFER_RERUN },
	{ "failed", no_argument, NULL, OPT_XFER_FAILED },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_pull_entry = {
	.name = "pull",
	.usage = "[options] PATTERN REMOTE... LOCALDIR | --rerun ID [--failed] "
	    "[REMOTE... LOCALDIR]",
	.help = "copy files from a group of hosts (SFTP)",
	.shortopts = "ro:",
	.longopts = pull_longopts,
	.exec = cmd_pull_exec,
};

/* Print pull's help. */
static void
pull_help(void)
{
	printf("usage: drove pull %s\n\n"
	    "Copy REMOTE files (and directories with -r) from every host "
	    "PATTERN\nselects into LOCALDIR/HOST/NAME.\n\n"
	    "  -r, --recursive        copy directories\n"
	    "      --flat[=suffix]    LOCALDIR/NAME.HOST instead\n"
	    "      --flat=prefix      LOCALDIR/HOST.NAME instead\n"
	    "      --preserve         keep the remote modification time\n"
	    "      --json             one JSON object per host\n"
	    "  -o, --out-dir DIR      also write DIR/HOST.status\n"
	    "      --color WHEN       auto (default), always, never\n"
	    "      --rerun ID         the hosts of history record ID, and its "
	    "REMOTE...\n"
	    "                         LOCALDIR and options unless given\n"
	    "      --failed           with --rerun: only the hosts that did not "
	    "succeed\n"
	    "  (and the connection options of 'drove run --help')\n\n"
	    "Exit status: 0 all ok, 1 a transfer failed, 2 usage error, 3 a "
	    "host was\nnot reached or verified, 130 interrupted.\n",
	    cmd_pull_entry.usage);
}

/* Give the fleet the pull of args (REMOTE... LOCALDIR). */
static int
pull_set(drove_fleet *f, const void *po, char **args, size_t n)
{
	return drove_fleet_pull(f, po, (const char *const *)args, n - 1,
	    args[n - 1]);
}

/* Apply pull option ch to po: 1 taken, 0 not pull's own, -1 bad
 * (printed). */
static int
pull_opt(struct drove_pull_opts *po, int ch, const char *arg)
{
	switch (ch) {
	case 'r':
		po->recursive = 1;
		return 1;
	case OPT_FLAT:
		if (arg == NULL || strcmp(arg, "suffix") == 0)
			po->layout = DROVE_PULL_FLAT_SUFFIX;
		else if (strcmp(arg, "prefix") == 0)
			po->layout = DROVE_PULL_FLAT_PREFIX;
		else {
			usage_error(&cmd_pull_entry, "bad --flat: '%s' (suffix "
			    "or prefix)", arg);
			return -1;
		}
		return 1;
	case OPT_PRESERVE:
		po->preserve = 1;
		return 1;
	}
	return 0;
}

/* Pull's options as words, for the history (xfer_cmd.words). */
static void
pull_words(const void *arg, struct buf *b)
{
	const struct drove_pull_opts *po = arg;

	buf_printf(b, "%s%s%s", po->recursive ? "-r " : "",
	    po->layout == DROVE_PULL_FLAT_SUFFIX ? "--flat=suffix " :
	    po->layout == DROVE_PULL_FLAT_PREFIX ? "--flat=prefix " : "",
	    po->preserve ? "--preserve " : "");
}

/* Add a record's pull options to arg's: a layout given now wins. */
static int
pull_recorded(void *arg, int argc, char **argv)
{
	struct drove_pull_opts *po = arg, rec;
	int ch;

	memset(&rec, 0, sizeof rec);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "+r", pull_longopts,
	    NULL)) != -1)
		if (pull_opt(&rec, ch, optarg) != 1) {
			fprintf(stderr, "drove: the record's options are not "
			    "pull's: %s\n", argv[optind - 1]);
			return -1;
		}
	po->recursive |= rec.recursive;
	po->preserve |= rec.preserve;
	if (po->layout == DROVE_PULL_TREE)
		po->layout = rec.layout;
	return optind;
}

static int
cmd_pull_exec(int argc, char **argv)
{
	struct option longopts[CMD_LONGOPTS];
	struct common_opts o;
	struct drove_pull_opts po;
	struct xfer_cli c;
	struct xfer_cmd x = {
		.entry = &cmd_pull_entry, .opts = &po, .set = pull_set,
		.words = pull_words, .recorded = pull_recorded
	};
	int ch, r, rc = EXIT_USAGE;

	common_init(&o);
	memset(&c, 0, sizeof c);
	memset(&po, 0, sizeof po);
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    pull_longopts);
	while ((ch = getopt_long(argc, argv, COMMON_SHORTOPTS "ro:",
	    longopts, NULL)) != -1) {
		if ((r = pull_opt(&po, ch, optarg)) < 0)
			goto out;
		if (r == 1)
			continue;
		if (ch == OPT_HELP) {
			pull_help();
			rc = EXIT_OK;
			goto out;
		}
		if (xfer_cli_opt(&cmd_pull_entry, &o, &c, ch, optarg) != 1)
			goto out;
	}
	rc = xfer_cli_main(&x, &o, &c, argc, argv, optind);
 out:
	common_release(&o);
	return rc;
}
