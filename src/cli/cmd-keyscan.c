/*
 * cmd-keyscan.c: "drove keyscan PATTERN": collect the host keys of a host
 * group in parallel, like ssh-keyscan but from the inventory: print them as
 * known_hosts lines, or add those the known_hosts file lacks (--append).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"

static int	cmd_keyscan_exec(int, char **);

enum { OPT_HASH = OPT_COMMON_END, OPT_APPEND, OPT_HELP };

static const struct option keyscan_longopts[] = {
	{ "types", required_argument, NULL, 't' },
	{ "hash", no_argument, NULL, OPT_HASH },
	{ "append", no_argument, NULL, OPT_APPEND },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_keyscan_entry = {
	.name = "keyscan",
	.usage = "[options] PATTERN",
	.help = "collect the host keys of a group of hosts",
	.shortopts = "t:",
	.longopts = keyscan_longopts,
	.exec = cmd_keyscan_exec,
};

/* Key lines go out as they are; the rest to the sink (errors, summary). */
static void
keyscan_event(const struct drove_event *ev, void *sink)
{
	if (ev->type == DROVE_EV_STDOUT)
		fwrite(ev->data, 1, ev->len, stdout);
	else
		drove_sink_event(ev, sink);
}

/* Print the help. */
static void
keyscan_help(void)
{
	printf("usage: drove keyscan %s\n\n"
	    "Connect to every host PATTERN selects, without logging in, and "
	    "print its\nhost key as a known_hosts line.\n\n"
	    "  -t, --types LIST     key types to ask for, e.g. ssh-ed25519 "
	    "(default:\n"
	    "                       the best the server has)\n"
	    "      --hash           hash the host names, as ssh-keyscan -H\n"
	    "      --append         add the keys the known_hosts file lacks "
	    "instead of\n"
	    "                       printing them; a changed key fails "
	    "its host\n"
	    , cmd_keyscan_entry.usage);
	common_help(stdout);
}

static int
cmd_keyscan_exec(int argc, char **argv)
{
	struct option longopts[CMD_LONGOPTS];
	struct common_opts o;
	struct drove_sink_opts so;
	drove_inventory *inv = NULL;
	drove_fleet *f = NULL;
	drove_sink *sink = NULL;
	const char *types = NULL;
	char errbuf[512];
	size_t *sel = NULL, nsel = 0, i;
	int ch, hash = 0, append = 0, rc = EXIT_USAGE, runrc;

	common_init(&o);
	o.hostkey_policy = DROVE_HOSTKEY_OFF;
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    keyscan_longopts);
	while ((ch = getopt_long(argc, argv, COMMON_SHORTOPTS "t:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 't':
			types = optarg;
			break;
		case OPT_HASH:
			hash = 1;
			break;
		case OPT_APPEND:
			append = 1;
			break;
		case OPT_HELP:
			keyscan_help();
			rc = EXIT_OK;
			goto out;
		case '?':
			usage_error(&cmd_keyscan_entry, "bad option");
			goto out;
		default:
			if (common_opt(&o, ch, optarg) != 1)
				goto out;
			break;
		}
	}
	if (optind != argc - 1) {
		usage_error(&cmd_keyscan_entry, optind >= argc ?
		    "no host pattern" : "one host pattern only");
		goto out;
	}
	if ((inv = common_inventory(&o, argv[optind], &sel, &nsel)) == NULL ||
	    (f = common_fleet(&o, inv, sel, nsel)) == NULL)
		goto out;
	if (drove_fleet_keyscan(f, types, hash, append) != 0) {
		fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
		goto out;
	}
	memset(&so, 0, sizeof so);
	for (i = 0; i < nsel; i++)
		if (strlen(drove_fleet_host_name(f, i)) > so.name_width)
			so.name_width = strlen(drove_fleet_host_name(f, i));
	if ((sink = drove_sink_new(&so, errbuf, sizeof errbuf)) == NULL) {
		fprintf(stderr, "drove: %s\n", errbuf);
		goto out;
	}
	drove_fleet_set_event_cb(f, keyscan_event, sink);
	common_signals(f);
	runrc = drove_fleet_run(f);
	common_signals(NULL);
	if (runrc != 0 && runrc != DROVE_E_CANCELLED) {
		fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
		goto out;
	}
	rc = common_exit_status(f, runrc);
	if (fflush(stdout) != 0 || drove_sink_finish(sink) != 0) {
		fprintf(stderr, "drove: writing output failed\n");
		if (rc == EXIT_OK)
			rc = EXIT_FAILED;
	}
	if (!o.quiet)
		drove_sink_summary(sink, stderr);
 out:
	drove_sink_free(sink);
	drove_fleet_free(f);
	drove_inventory_free(inv);
	free(sel);
	common_release(&o);
	return rc;
}
