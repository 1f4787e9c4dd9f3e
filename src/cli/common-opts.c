/*
 * common-opts.c: the options every host command shares: their table and
 * defaults (drove's, then the configuration file's), parsing them, getopt
 * around the PATTERN word, joining the command's words, the help text of
 * the common options and usage errors.
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

const struct option common_longopts[] = {
	{ "inventory", required_argument, NULL, 'i' },
	{ "hosts", required_argument, NULL, 'H' },
	{ "forks", required_argument, NULL, 'f' },
	{ "user", required_argument, NULL, 'l' },
	{ "port", required_argument, NULL, 'p' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "known-hosts", required_argument, NULL, OPT_KNOWN_HOSTS },
	{ "host-key-check", required_argument, NULL, OPT_HOSTKEY },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "ask-pass", no_argument, NULL, OPT_ASK_PASS },
	{ "no-agent", no_argument, NULL, OPT_NO_AGENT },
	{ "keepalive", required_argument, NULL, OPT_KEEPALIVE },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "fail-fast", optional_argument, NULL, OPT_FAIL_FAST },
	{ "connect-rate", required_argument, NULL, OPT_CONNECT_RATE },
	{ "max-startups", required_argument, NULL, OPT_MAX_STARTUPS },
	{ "loops", required_argument, NULL, OPT_LOOPS },
	{ "db", required_argument, NULL, OPT_DB },
	{ "ssh-config", required_argument, NULL, 'F' },
	{ "no-history", no_argument, NULL, OPT_NO_HISTORY },
	{ "vault-password-file", required_argument, NULL, OPT_VAULT_FILE },
	{ "ask-vault-pass", no_argument, NULL, OPT_ASK_VAULT },
	{ "jump", required_argument, NULL, 'J' },
	{ "jump-channels", required_argument, NULL, OPT_JUMP_CHANNELS },
	{ "become", no_argument, NULL, 'B' },
	{ "ask-become-pass", no_argument, NULL, 'K' },
	{ "become-user", required_argument, NULL, OPT_BECOME_USER },
	{ "become-method", required_argument, NULL, OPT_BECOME_METHOD },
	{ NULL, 0, NULL, 0 }
};

/* Set the defaults: drove's, then the configuration file's. */
void
common_init(struct common_opts *o)
{
	memset(o, 0, sizeof *o);
	o->forks = 256;
	o->connect_timeout_ms = 10000;
	o->hostkey_policy = -1;		/* ask on a terminal, else strict */
	o->keepalive_s = 30;
	o->retries = 1;
	o->connect_rate = 100;
	o->max_startups = 8;
	o->jump_channels = 32;
	config_apply(o);
}

/* Free the option lists. */
void
common_release(struct common_opts *o)
{
	size_t i;

	free(o->inventories);
	free(o->adhoc);
	free(o->keys);
	free(o->certs);
	for (i = 0; o->rec_words != NULL && o->rec_words[i] != NULL; i++)
		free(o->rec_words[i]);
	free(o->rec_words);
	free(o->adopted);
	if (o->password != NULL) {
		explicit_bzero(o->password, strlen(o->password));
		free(o->password);
		o->password = NULL;
	}
	if (o->become_password != NULL) {
		explicit_bzero(o->become_password,
		    strlen(o->become_password));
		free(o->become_password);
		o->become_password = NULL;
	}
}

/* Append s to a growing list of strings; exits when out of memory. */
static void
push(const char ***v, size_t *n, const char *s)
{
	const char **p;

	if ((p = realloc(*v, (*n + 1) * sizeof *p)) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		exit(EXIT_USAGE);
	}
	p[(*n)++] = s;
	*v = p;
}

/* Append s to a list of strings, for the commands' own options. */
void
common_push(const char ***v, size_t *n, const char *s)
{
	push(v, n, s);
}

/* Parse "N" or "N.NNN" seconds into milliseconds; -1 when bad. */
long
parse_seconds_ms(const char *s)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || d < 0 || d > 86400 * 30)
		return -1;
	return (long)(d * 1000 + 0.5);
}

/* Parse a non-negative integer up to max; -1 when bad. */
static long
parse_uint(const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > max)
		return -1;
	return v;
}

/* Parse "N" or "N/s" connections a second; -1 when bad. */
static long
parse_rate(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || v < 0 || v > 1000000 ||
	    (*end != '\0' && strcmp(end, "/s") != 0))
		return -1;
	return v;
}

/* Handle one common option without printing. */
int
common_set(struct common_opts *o, int ch, const char *arg)
{
	long v;

	switch (ch) {
	case 'i':
		push(&o->inventories, &o->ninventories, arg);
		return 1;
	case 'H':
		push(&o->adhoc, &o->nadhoc, arg);
		return 1;
	case 'f':
		if ((v = parse_uint(arg, 1000000)) < 0)
			goto bad;
		o->forks = (unsigned int)v;
		return 1;
	case 'l':
		o->user = arg;
		return 1;
	case 'p':
		if ((v = parse_uint(arg, 65535)) < 1)
			goto bad;
		o->port = (int)v;
		return 1;
	case 'q':
		o->quiet = 1;
		return 1;
	case 'F':
		o->ssh_config = arg;
		return 1;
	case OPT_DB:
		o->db = arg;
		return 1;
	case OPT_NO_HISTORY:
		o->no_history = 1;
		return 1;
	case OPT_KNOWN_HOSTS:
		o->given |= GIVEN_KNOWN_HOSTS;
		o->known_hosts = arg;
		return 1;
	case OPT_HOSTKEY:
		o->given |= GIVEN_HOSTKEY;
		if (strcmp(arg, "strict") == 0)
			o->hostkey_policy = DROVE_HOSTKEY_STRICT;
		else if (strcmp(arg, "accept-new") == 0)
			o->hostkey_policy = DROVE_HOSTKEY_ACCEPT_NEW;
		else if (strcmp(arg, "off") == 0)
			o->hostkey_policy = DROVE_HOSTKEY_OFF;
		else if (strcmp(arg, "ask") == 0)
			o->hostkey_policy = DROVE_HOSTKEY_ASK;
		else
			goto bad;
		return 1;
	case OPT_KEY:
		push(&o->keys, &o->nkeys, arg);
		return 1;
	case OPT_CERT:
		push(&o->certs, &o->ncerts, arg);
		return 1;
	case OPT_TIMEOUT:
		if ((v = parse_seconds_ms(arg)) < 0)
			goto bad;
		o->timeout_ms = (unsigned int)v;
		return 1;
	case OPT_CONNECT_TIMEOUT:
		if ((v = parse_seconds_ms(arg)) < 0)
			goto bad;
		o->connect_timeout_ms = (unsigned int)v;
		o->given |= GIVEN_CONNECT_TIMEOUT;
		return 1;
	case OPT_ASK_PASS:
		o->ask_pass = 1;
		return 1;
	case OPT_VAULT_FILE:
		o->vault_file = arg;
		return 1;
	case OPT_ASK_VAULT:
		o->ask_vault = 1;
		return 1;
	case 'B':
		o->become = 1;
		return 1;
	case 'K':
		o->ask_become_pass = 1;
		return 1;
	case OPT_BECOME_USER:
		if (*arg == '\0')
			goto bad;
		o->become_user = arg;
		return 1;
	case OPT_BECOME_METHOD:
		if (strcmp(arg, "sudo") == 0)
			o->become_method = DROVE_BECOME_SUDO;
		else if (strcmp(arg, "su") == 0)
			o->become_method = DROVE_BECOME_SU;
		else
			goto bad;
		return 1;
	case OPT_NO_AGENT:
		o->no_agent = 1;
		return 1;
	case OPT_FAIL_FAST:
		if (arg == NULL)
			o->fail_fast = DROVE_FAIL_FAST_STOP;
		else if (strcmp(arg, "cancel") == 0)
			o->fail_fast = DROVE_FAIL_FAST_CANCEL;
		else
			goto bad;
		return 1;
	case OPT_CONNECT_RATE:
		if ((v = parse_rate(arg)) < 0)
			goto bad;
		o->connect_rate = (double)v;
		return 1;
	case OPT_MAX_STARTUPS:
		if ((v = parse_uint(arg, 1000000)) < 0)
			goto bad;
		o->max_startups = (unsigned int)v;
		return 1;
	case 'J':
		o->jump = arg;
		return 1;
	case OPT_JUMP_CHANNELS:
		if ((v = parse_uint(arg, 100000)) < 1)
			goto bad;
		o->jump_channels = (unsigned int)v;
		return 1;
	case OPT_LOOPS:
		if ((v = parse_uint(arg, 1024)) < 0)
			goto bad;
		o->loops = (unsigned int)v;
		return 1;
	case OPT_RETRIES:
		if ((v = parse_uint(arg, 100)) < 0)
			goto bad;
		o->retries = (unsigned int)v;
		return 1;
	case OPT_KEEPALIVE:
		if ((v = parse_uint(arg, 86400)) < 0)
			goto bad;
		o->keepalive_s = (unsigned int)v;
		o->given |= GIVEN_KEEPALIVE;
		return 1;
	}
	return 0;
 bad:
	return -1;
}

/* Handle one common option; a bad value is printed. */
int
common_opt(struct common_opts *o, int ch, const char *arg)
{
	int r;

	if (ch >= 0 && (size_t)ch < sizeof o->seen)
		o->seen[ch] = 1;
	if ((r = common_set(o, ch, arg)) != -1)
		return r;
	fprintf(stderr, "drove: bad value for option %s: '%s'\n",
	    ch == 'f' ? "-f" : ch == 'p' ? "-p" : ch == OPT_HOSTKEY ?
	    "--host-key-check (ask, strict, accept-new or off)" :
	    ch == OPT_FAIL_FAST ? "--fail-fast (or --fail-fast=cancel)" :
	    ch == OPT_CONNECT_RATE ? "--connect-rate (connections a second)" :
	    ch == OPT_MAX_STARTUPS ? "--max-startups" :
	    ch == OPT_JUMP_CHANNELS ? "--jump-channels (1 or more)" :
	    ch == OPT_LOOPS ? "--loops" : ch == OPT_BECOME_METHOD ?
	    "--become-method (sudo or su)" : ch == OPT_BECOME_USER ?
	    "--become-user" : ch == OPT_RETRIES ?
	    "--retries (0 to 100)" : ch == OPT_KEEPALIVE ?
	    "--keepalive (seconds)" : ch == OPT_TIMEOUT ?
	    "--timeout (seconds)" : "--connect-timeout (seconds)", arg);
	return r;
}

/* Put the common long options and a command's own into out (n slots),
 * ending with the zero entry getopt_long wants; a table too small is a
 * bug, never a silently lost option. */
void
common_longopts_merge(struct option *out, size_t n, const struct option *own)
{
	size_t i, k = 0;

	for (i = 0; common_longopts[i].name != NULL; i++)
		out[k++ % n] = common_longopts[i];
	for (i = 0; own != NULL && own[i].name != NULL; i++)
		out[k++ % n] = own[i];
	if (k >= n) {
		fprintf(stderr, "drove: %zu long options, room for %zu\n", k,
		    n - 1);
		abort();
	}
	memset(&out[k], 0, sizeof out[k]);
}

/*
 * getopt_long() for "[options] PATTERN [options] [--] WORDS...": options
 * before and after the first word, which goes to *pattern; stops at the
 * next word, or at a "--" right after the pattern.  The next option, or
 * -1 with optind at the first of the words.
 */
int
common_getopt_pattern(int argc, char **argv, const char *shortopts,
    const struct option *longopts, const char **pattern)
{
	int ch;

	for (;;) {
		if ((ch = getopt_long(argc, argv, shortopts, longopts,
		    NULL)) != -1)
			return ch;
		if (optind >= argc || *pattern != NULL)
			return -1;
		*pattern = argv[optind++];
		if (strcmp(argv[optind - 2], "--") == 0)
			return -1;
	}
}

/* Join first (unless NULL) and argv words with spaces into one command. */
char *
common_join(const char *first, int argc, char **argv)
{
	size_t len = first != NULL ? strlen(first) + 1 : 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if ((s = malloc(len)) == NULL)
		return NULL;
	strcpy(s, first != NULL ? first : "");
	for (i = 0; i < argc; i++) {
		if (i > 0 || first != NULL)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

/* Print the options every host command takes. */
void
common_help(FILE *fp)
{
	fputs("  -i, --inventory FILE       YAML inventory or host list "
	    "(repeatable)\n"
	    "  -H, --hosts LIST           ad-hoc hosts: user@host:port,...\n"
	    "      --db FILE              inventory store (default "
	    "$DROVE_HOME/drove.db)\n"
	    "  -F, --ssh-config FILE      ssh_config (default "
	    "~/.ssh/config)\n"
	    "  -l, --user USER            remote user when the inventory "
	    "has none\n"
	    "  -p, --port PORT            port when the inventory has none\n"
	    "  -f, --forks N              concurrent hosts (default 256, "
	    "0: all)\n"
	    "      --loops N              loop threads (default: one per "
	    "core from 300\n"
	    "                             hosts on)\n"
	    "      --connect-timeout SEC  connect+auth timeout of each try "
	    "(default 10)\n"
	    "      --connect-rate N[/s]   new connections a second to one "
	    "server (100)\n"
	    "      --max-startups N       connections to one server short of "
	    "auth (8)\n"
	    "  -J, --jump [USER@]HOST[:PORT][,...]\n"
	    "                             reach every host through these "
	    "jump hosts\n"
	    "      --jump-channels N      hosts sharing one jump host "
	    "connection (32)\n"
	    "      --retries N            retry connections refused, reset "
	    "or timed out\n"
	    "                             before the banner (default 1); "
	    "a server\n"
	    "                             closing before it (busy) is tried "
	    "up to 8 times;\n"
	    "                             a failure says '(after N tries)'\n"
	    "      --fail-fast[=cancel]   start no host after a failure "
	    "(and cancel)\n"
	    "      --keepalive SEC        keepalive interval (default 30, "
	    "0: off)\n"
	    "      --key FILE             identity file (repeatable)\n"
	    "      --cert FILE            OpenSSH certificate of a --key or "
	    "default key\n"
	    "      --no-agent             do not use ssh-agent\n"
	    "      --ask-pass             prompt once for a password\n"
	    "      --vault-password-file FILE\n"
	    "                             decrypt Ansible vault values and "
	    "files (also\n"
	    "                             ANSIBLE_VAULT_PASSWORD_FILE)\n"
	    "      --ask-vault-pass       prompt once for the vault "
	    "password\n"
	    "  -B, --become               run as another user (sudo or su)\n"
	    "  -K, --ask-become-pass      prompt once for the become "
	    "password\n"
	    "      --become-user USER     the user to become (default "
	    "root)\n"
	    "      --become-method METHOD sudo (default) or su\n"
	    "      --known-hosts FILE     default ~/.ssh/known_hosts\n"
	    "      --host-key-check MODE  ask (on a terminal), strict, "
	    "accept-new, off\n"
	    "  -q, --quiet                no summary\n"
	    "      --no-history           write no history record (also "
	    "DROVE_NO_HISTORY=1)\n", fp);
}

/* Print a usage error for cmd and its usage line. */
void
usage_error(const struct cmd_entry *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "drove %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: drove %s %s\n", cmd->name, cmd->usage);
}
