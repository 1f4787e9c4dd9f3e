/*
 * main.c: drove's entry point: find the command in argv and run it.
 *
 * Options may stand before or after the command name ("drove -i inv.yml run
 * web uptime" is "drove run -i inv.yml web uptime"), so main moves the
 * command name out of the way and passes every other word to the command.
 * A unique prefix names a command (tmux cmd.c); an ambiguous one is an error
 * that lists the candidates, an unknown one names the closest command.
 * "drove help [COMMAND]" and "drove COMMAND -h" print help.  The
 * configuration file is read before the command runs (see cmd-config.c);
 * an error in it runs nothing.
 */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd-config.h"

static const struct cmd_entry *cmd_table[] = {
	&cmd_console_entry,
	&cmd_history_entry,
	&cmd_inventory_entry,
	&cmd_keyscan_entry,
	&cmd_play_entry,
	&cmd_pull_entry,
	&cmd_push_entry,
	&cmd_replay_entry,
	&cmd_run_entry,
	&cmd_sessions_entry,
	&cmd_shell_entry,
	NULL
};

/* Print the overview of every command. */
static void
usage(FILE *fp)
{
	const struct cmd_entry **c;

	fprintf(fp, "usage: drove [-i INVENTORY]... [options] COMMAND "
	    "[ARGS]\n\ncommands:\n");
	for (c = cmd_table; *c != NULL; c++)
		fprintf(fp, "  %-9s %s\n", (*c)->name, (*c)->help);
	fprintf(fp, "\nrun 'drove help COMMAND' (or 'drove COMMAND -h') for a "
	    "command's options\n");
}

/*
 * Print drove's version, the libssh2 it runs with and what that libssh2
 * lets it do.
 */
static void
version(FILE *fp)
{
	unsigned int f = drove_libssh2_features();

	fprintf(fp, "drove %s\nlibssh2 %s\n", drove_version(),
	    drove_libssh2_version());
	if (f & DROVE_LIBSSH2_RSA_SHA2)
		fprintf(fp, "  rsa-sha2: yes (RSA keys, RSA-only servers)\n");
	else
		fprintf(fp, "  rsa-sha2: no (RSA keys and RSA-only servers fail "
		    "with OpenSSH >= 8.8;\n            libssh2 >= 1.11 has "
		    "it)\n");
	fprintf(fp, "  user certificates: ecdsa%s%s",
	    f & DROVE_LIBSSH2_CERT_RSA ? ", rsa" : "",
	    f & DROVE_LIBSSH2_CERT_ED25519 ? ", ed25519" : "");
	if ((f & DROVE_LIBSSH2_CERT_RSA) == 0)
		fprintf(fp, " (rsa needs libssh2 >= 1.11.0, ed25519 "
		    ">= 1.11.1)");
	else if ((f & DROVE_LIBSSH2_CERT_ED25519) == 0)
		fprintf(fp, " (ed25519 needs libssh2 >= 1.11.1)");
	fprintf(fp, "\n  host certificates: no (known_hosts @cert-authority "
	    "lines are not used)\n");
}

/* Find a command by name or unique prefix. */
static const struct cmd_entry *
find_cmd(const char *name)
{
	const struct cmd_entry **c, *found = NULL;
	const char *names[sizeof cmd_table / sizeof cmd_table[0]], *close;
	size_t n = strlen(name);
	int nfound = 0;

	for (c = cmd_table; *c != NULL; c++) {
		if (strcmp((*c)->name, name) == 0)
			return *c;
		if (strncmp((*c)->name, name, n) == 0) {
			found = *c;
			nfound++;
		}
	}
	if (nfound == 1)
		return found;
	if (nfound == 0) {
		for (c = cmd_table; *c != NULL; c++)
			names[nfound++] = (*c)->name;
		if ((close = common_closest(name, names, (size_t)nfound)) !=
		    NULL)
			fprintf(stderr, "drove: unknown command: %s; did you "
			    "mean '%s'?\n", name, close);
		else
			fprintf(stderr, "drove: unknown command: %s\n", name);
		return NULL;
	}
	fprintf(stderr, "drove: ambiguous command: %s, could be:", name);
	for (c = cmd_table; *c != NULL; c++)
		if (strncmp((*c)->name, name, n) == 0)
			fprintf(stderr, " %s", (*c)->name);
	fputc('\n', stderr);
	return NULL;
}

/* Whether w is the full name of a command. */
static int
is_cmd_name(const char *w)
{
	const struct cmd_entry **c;

	for (c = cmd_table; *c != NULL; c++)
		if (strcmp((*c)->name, w) == 0)
			return 1;
	return 0;
}

/* Whether short option c takes a value in optstring. */
static int
short_takes_value(const char *optstring, int c)
{
	const char *p = strchr(optstring, c);

	return p != NULL && p[1] == ':';
}

/* Whether long option name (a prefix is enough) takes a value. */
static int
long_takes_value(const struct option *o, const char *name)
{
	size_t n = strlen(name);

	for (; o != NULL && o->name != NULL; o++)
		if (strncmp(o->name, name, n) == 0)
			return o->has_arg == required_argument;
	return 0;
}

/*
 * Whether option word w takes the next word as its value: an option of
 * cmd, or before the command name (cmd NULL, not known yet) of any
 * command.
 */
static int
takes_value(const char *w, const struct cmd_entry *cmd)
{
	const struct cmd_entry **c;

	if (w[1] != '-') {
		if (w[2] != '\0')
			return 0;
		if (short_takes_value(COMMON_SHORTOPTS, w[1]))
			return 1;
		for (c = cmd_table; *c != NULL; c++)
			if ((cmd == NULL || *c == cmd) &&
			    short_takes_value((*c)->shortopts, w[1]))
				return 1;
		return 0;
	}
	if (strchr(w, '=') != NULL)
		return 0;
	if (long_takes_value(common_longopts, w + 2))
		return 1;
	for (c = cmd_table; *c != NULL; c++)
		if ((cmd == NULL || *c == cmd) &&
		    long_takes_value((*c)->longopts, w + 2))
			return 1;
	return 0;
}

/*
 * "drove CMD -h" is "drove CMD --help": -h among the options before the
 * command's second word (a pattern, then the remote command, whose own -h
 * it is) or a "--".
 */
static void
help_short(const struct cmd_entry *cmd, int argc, char **argv)
{
	static char help[] = "--help";
	int i, words = 0;

	for (i = 1; i < argc && words < 2; i++) {
		if (strcmp(argv[i], "--") == 0)
			return;
		if (strcmp(argv[i], "-h") == 0)
			argv[i] = help;
		else if (argv[i][0] != '-' || argv[i][1] == '\0')
			words++;
		else if (takes_value(argv[i], cmd))
			i++;
	}
}

/* "drove help [COMMAND]": the overview, or a command's --help. */
static int
help_cmd(int argc, char **argv)
{
	static char help[] = "--help";
	const struct cmd_entry *cmd;
	char *av[3] = { argv[0], help, NULL };

	if (argc < 2) {
		usage(stdout);
		return EXIT_OK;
	}
	if ((cmd = find_cmd(argv[1])) == NULL)
		return EXIT_USAGE;
	return cmd->exec(2, av);
}

/*
 * Take LC_CTYPE from the environment when it is UTF-8, else C.UTF-8: the
 * regexes and globs of patterns then match characters, not bytes, as
 * Ansible's do ("~p.íbor").  Nothing else of the locale is used.
 */
static void
utf8_ctype(void)
{
	if (setlocale(LC_CTYPE, "") == NULL ||
	    strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
		setlocale(LC_CTYPE, "C.UTF-8");
}

int
main(int argc, char **argv)
{
	const struct cmd_entry *cmd;
	int i, rc;

	utf8_ctype();
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		}
		if (strcmp(argv[i], "--version") == 0 ||
		    strcmp(argv[i], "-V") == 0) {
			version(stdout);
			return EXIT_OK;
		}
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			break;
		/* "-t run": -t is keyscan's with a value, run's without */
		if (takes_value(argv[i], NULL) && !(i + 1 < argc &&
		    is_cmd_name(argv[i + 1])))
			i++;
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* the commands print their own messages for options */
	opterr = 0;
	if (strcmp(argv[i], "help") == 0)
		return help_cmd(argc - i, argv + i);
	if ((cmd = find_cmd(argv[i])) == NULL || config_load() != 0)
		return EXIT_USAGE;
	/* argv[0..i-1] are the program and global options: shift them up */
	for (; i > 1; i--)
		argv[i] = argv[i - 1];
	argv[1] = argv[0];
	argc--;
	argv++;
	help_short(cmd, argc, argv);
	config_argv(cmd, &argc, &argv);
	rc = cmd->exec(argc, argv);
	config_release();
	return rc;
}
