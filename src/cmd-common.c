/*
 * cmd-common.c: what the host commands share: the common options, loading
 * inventories and selecting hosts, building a fleet, terminal prompts for
 * secrets, the history record of a run and the hosts of a rerun, and the
 * exit status of a run.
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

#include "buf.h"
#include "cmd-config.h"

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
	config_apply(o);
}

/* Free the option lists. */
void
common_release(struct common_opts *o)
{
	free(o->inventories);
	free(o->adhoc);
	free(o->keys);
	if (o->password != NULL) {
		explicit_bzero(o->password, strlen(o->password));
		free(o->password);
		o->password = NULL;
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

	if ((r = common_set(o, ch, arg)) != -1)
		return r;
	fprintf(stderr, "drove: bad value for option %s: '%s'\n",
	    ch == 'f' ? "-f" : ch == 'p' ? "-p" : ch == OPT_HOSTKEY ?
	    "--host-key-check (ask, strict, accept-new or off)" :
	    ch == OPT_FAIL_FAST ? "--fail-fast (or --fail-fast=cancel)" :
	    ch == OPT_CONNECT_RATE ? "--connect-rate (connections a second)" :
	    ch == OPT_MAX_STARTUPS ? "--max-startups" :
	    ch == OPT_LOOPS ? "--loops" : ch == OPT_RETRIES ?
	    "--retries (0 to 100)" : ch == OPT_KEEPALIVE ?
	    "--keepalive (seconds)" : ch == OPT_TIMEOUT ?
	    "--timeout (seconds)" : "--connect-timeout (seconds)", arg);
	return r;
}

/* Put the common long options and a command's own into out (n slots),
 * ending with the zero entry getopt_long wants. */
void
common_longopts_merge(struct option *out, size_t n, const struct option *own)
{
	size_t i, k = 0;

	for (i = 0; common_longopts[i].name != NULL && k + 1 < n; i++)
		out[k++] = common_longopts[i];
	for (i = 0; own != NULL && own[i].name != NULL && k + 1 < n; i++)
		out[k++] = own[i];
	memset(&out[k], 0, sizeof out[k]);
}

static drove_fleet *signalled;

static volatile sig_atomic_t interrupts;

/* SIGINT/SIGTERM: cancel the run (or the next, between two runs of one
 * command); a second one leaves at once. */
static void
on_signal(int sig)
{
	(void)sig;
	if (interrupts++ > 0)
		_exit(EXIT_INTERRUPT);
	if (signalled != NULL)
		drove_fleet_cancel(signalled);
}

/* Whether SIGINT or SIGTERM came since common_signals() first ran. */
int
common_interrupted(void)
{
	return interrupts > 0;
}

/* While f runs, Ctrl-C and SIGTERM cancel it; SIGPIPE is ignored (a closed
 * output is an error from the sink).  NULL when the run is over. */
void
common_signals(drove_fleet *f)
{
	struct sigaction sa;

	signalled = f;
	if (f == NULL)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
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

/* Whether fd is a terminal that takes escape sequences. */
int
common_smart_tty(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && term != NULL && strcmp(term, "dumb") != 0;
}

/* Whether to colour stdout: --color always or never, or auto: a terminal
 * that takes escapes, unless NO_COLOR is set. */
int
common_want_color(const char *when)
{
	const char *nc = getenv("NO_COLOR");

	if (strcmp(when, "always") == 0)
		return 1;
	if (strcmp(when, "never") == 0 || (nc != NULL && *nc != '\0'))
		return 0;
	return common_smart_tty(STDOUT_FILENO);
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

/* The hosts sel of inv as a folded list ("web[01-03],db1"), for the
 * history of a rerun; malloc'd, NULL without memory. */
char *
common_fold_hosts(drove_inventory *inv, const size_t *sel, size_t nsel)
{
	const char **names;
	char *folded;
	size_t i;

	if ((names = calloc(nsel + 1, sizeof *names)) == NULL)
		return NULL;
	for (i = 0; i < nsel; i++)
		names[i] = drove_inventory_name(inv, sel[i]);
	folded = drove_hosts_fold(names, nsel);
	free(names);
	return folded;
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
	    "      --connect-timeout SEC  connect+auth timeout (default 10)\n"
	    "      --connect-rate N[/s]   new connections a second to one "
	    "server (100)\n"
	    "      --max-startups N       connections to one server short of "
	    "auth (8)\n"
	    "      --retries N            retry connections refused, reset "
	    "or timed out\n"
	    "                             before the banner (default 1)\n"
	    "      --fail-fast[=cancel]   start no host after a failure "
	    "(and cancel)\n"
	    "      --keepalive SEC        keepalive interval (default 30, "
	    "0: off)\n"
	    "      --key FILE             identity file (repeatable)\n"
	    "      --no-agent             do not use ssh-agent\n"
	    "      --ask-pass             prompt once for a password\n"
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

/* Open --db or the default store, creating it. */
drove_store *
common_store(struct common_opts *o)
{
	drove_store *st = NULL;
	char *def = NULL, err[1024];

	if (o->db == NULL && (def = drove_store_default_path()) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return NULL;
	}
	if (drove_store_open(o->db != NULL ? o->db : def, &st, err,
	    sizeof err) != 0)
		fprintf(stderr, "drove: %s\n", err);
	free(def);
	return st;
}

/* Add the store's hosts to inv; 0 or -1 after printing the error. */
static int
common_load_store(struct common_opts *o, drove_inventory *inv)
{
	drove_store *st;
	int r;

	if ((st = common_store(o)) == NULL)
		return -1;
	if ((r = drove_inventory_load_store(inv, st)) != 0)
		fprintf(stderr, "drove: %s\n", drove_inventory_error(inv));
	drove_store_close(st);
	return r != 0 ? -1 : 0;
}

/* Load ssh_config and every inventory source, in order. */
drove_inventory *
common_load(struct common_opts *o)
{
	drove_inventory *inv;
	char *def = NULL;
	int store = o->db != NULL;
	size_t i;

	if ((inv = drove_inventory_new()) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return NULL;
	}
	if (drove_inventory_load_ssh_config(inv, o->ssh_config) != 0)
		goto fail;
	if (o->ninventories == 0 && o->nadhoc == 0 && !store) {
		if (config_inventory() != NULL)
			push(&o->inventories, &o->ninventories,
			    config_inventory());
		else if (access("inventory/hosts.yml", F_OK) == 0)
			push(&o->inventories, &o->ninventories,
			    "inventory/hosts.yml");
		else if ((def = drove_store_default_path()) != NULL)
			store = access(def, F_OK) == 0;
		free(def);
	}
	if (store && common_load_store(o, inv) != 0) {
		drove_inventory_free(inv);
		return NULL;
	}
	for (i = 0; i < o->ninventories; i++)
		if (drove_inventory_load(inv, o->inventories[i]) != 0)
			goto fail;
	for (i = 0; i < o->nadhoc; i++)
		if (drove_inventory_add_list(inv, o->adhoc[i]) != 0)
			goto fail;
	return inv;
 fail:
	fprintf(stderr, "drove: %s\n", drove_inventory_error(inv));
	drove_inventory_free(inv);
	return NULL;
}

/* Load every source and select pattern. */
drove_inventory *
common_inventory(struct common_opts *o, const char *pattern, size_t **sel,
    size_t *nsel)
{
	drove_inventory *inv;

	if ((inv = common_load(o)) == NULL)
		return NULL;
	if (drove_inventory_count(inv) == 0) {
		fprintf(stderr, "drove: no hosts: give an inventory with -i "
		    "FILE or hosts with -H host1,host2, or import one with "
		    "'drove inventory import FILE'\n");
		drove_inventory_free(inv);
		return NULL;
	}
	if (drove_inventory_select(inv, pattern, sel, nsel) != 0) {
		fprintf(stderr, "drove: %s\n", drove_inventory_error(inv));
		drove_inventory_free(inv);
		return NULL;
	}
	return inv;
}

/* Read a line from the terminal with echo off; 0 or -1. */
static int
read_secret(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	int fd, rc = -1, restore = 0;
	size_t n = 0;
	char c;

	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	if (tcgetattr(fd, &old) == 0) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		restore = tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
	}
	if (write(fd, prompt, strlen(prompt)) < 0)
		goto out;
	while (n + 1 < size) {
		ssize_t r = read(fd, &c, 1);

		if (r == -1 && errno == EINTR)
			continue;
		if (r != 1 || c == '\n' || c == '\r')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	rc = 0;
 out:
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		rc = -1;
	close(fd);
	return rc;
}

/* The fleet asks for a key's passphrase: prompt once on the terminal. */
static int
passphrase_prompt(const char *path, char *buf, size_t size, void *arg)
{
	char prompt[512];

	(void)arg;
	snprintf(prompt, sizeof prompt, "Enter passphrase for key '%s': ",
	    path);
	return read_secret(prompt, buf, size);
}

/* Read one answer line from the terminal into buf; 0 or -1 at its end. */
static int
tty_answer(FILE *tty, char *buf, size_t size)
{
	size_t n;

	fflush(tty);
	if (fgets(buf, (int)size, tty) == NULL)
		return -1;
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

/* Print the hosts of q sharing q[first]'s key, folded, and mark them. */
static void
ask_group(FILE *tty, struct drove_hostkey_query *q, size_t n, size_t first,
    int *group, int g)
{
	const char **names;
	char *folded;
	size_t i, k = 0, naddr = 0;

	if ((names = calloc(n, sizeof *names)) == NULL)
		return;
	for (i = first; i < n; i++) {
		if (group[i] != 0 ||
		    strcmp(q[i].fingerprint, q[first].fingerprint) != 0)
			continue;
		group[i] = g;
		names[k++] = q[i].name;
		if (strcmp(q[i].address, q[first].address) != 0 ||
		    q[i].port != q[first].port)
			naddr++;
	}
	folded = drove_hosts_fold(names, k);
	if (naddr == 0)
		fprintf(tty, "  %s (%s port %d)\n      %s %s\n",
		    folded ? folded : q[first].name, q[first].address,
		    q[first].port, q[first].keytype, q[first].fingerprint);
	else
		fprintf(tty, "  %s (%zu addresses)\n      %s %s\n",
		    folded ? folded : q[first].name, naddr + 1,
		    q[first].keytype, q[first].fingerprint);
	free(folded);
	free(names);
}

/*
 * The fleet holds hosts whose keys known_hosts lacks: one question for all
 * of them, hosts sharing a key shown together; all, none, or one key at a
 * time.
 */
static enum drove_ask_answer
ask_hostkeys(struct drove_hostkey_query *q, size_t n, void *arg)
{
	const char *kh = arg;
	enum drove_ask_answer ans = DROVE_ASK_NONE;
	char line[64];
	FILE *tty;
	int *group, g = 0, i, k;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return DROVE_ASK_NONE;
	if ((group = calloc(n, sizeof *group)) == NULL)
		goto out;
	fprintf(tty, "drove: %zu host%s presented a key that %s does not "
	    "hold:\n", n, n == 1 ? "" : "s", kh);
	for (i = 0; (size_t)i < n; i++)
		if (group[i] == 0)
			ask_group(tty, q, n, (size_t)i, group, ++g);
	for (;;) {
		fprintf(tty, "Accept and add %s to known_hosts? [a]ll, "
		    "[n]one, [r]eview one by one: ", g == 1 ? "it" : "them");
		if (tty_answer(tty, line, sizeof line) != 0)
			goto out;
		if (strcmp(line, "a") == 0 || strcmp(line, "all") == 0) {
			ans = DROVE_ASK_ALL;
			goto out;
		}
		if (strcmp(line, "n") == 0 || strcmp(line, "none") == 0)
			goto out;
		if (strcmp(line, "r") == 0 || strcmp(line, "review") == 0)
			break;
	}
	ans = DROVE_ASK_EACH;
	for (k = 1; k <= g; k++) {
		for (i = 0; group[i] != k; i++)
			;
		fprintf(tty, "[%d/%d] %s %s %s\n", k, g, q[i].name,
		    q[i].keytype, q[i].fingerprint);
		do {
			fprintf(tty, "Accept this key for the host%s above? "
			    "[y/n]: ", n > 1 ? "s" : "");
			if (tty_answer(tty, line, sizeof line) != 0)
				goto out;
		} while (strcmp(line, "y") != 0 && strcmp(line, "n") != 0);
		for (; (size_t)i < n; i++)
			if (group[i] == k)
				q[i].accept = line[0] == 'y';
	}
 out:
	free(group);
	fclose(tty);
	return ans;
}

/* The policy to use: the option's, else ask on a terminal, else strict. */
static int
hostkey_policy(const struct common_opts *o)
{
	int fd;

	if (o->hostkey_policy != -1)
		return o->hostkey_policy;
	if (!isatty(STDIN_FILENO) || (fd = open("/dev/tty", O_RDWR)) == -1)
		return DROVE_HOSTKEY_STRICT;
	close(fd);
	return DROVE_HOSTKEY_ASK;
}

/* The command line wins over a host's own settings (from ssh_config). */
static void
host_overrides(const struct common_opts *o, struct drove_hostspec *spec)
{
	if (o->given & GIVEN_CONNECT_TIMEOUT)
		spec->connect_timeout_ms = 0;
	if (o->given & GIVEN_KEEPALIVE)
		spec->keepalive_s = 0;
	if (o->given & GIVEN_KNOWN_HOSTS)
		spec->known_hosts = NULL;
	if (o->given & GIVEN_HOSTKEY)
		spec->hostkey_check = NULL;
}

/* With --ask-pass, read the password on the terminal unless it was read
 * already (once for every fleet of a command); 0, or -1 (printed). */
int
common_ask_pass(struct common_opts *o)
{
	char pw[512];

	if (!o->ask_pass || o->password != NULL)
		return 0;
	if (read_secret("Password: ", pw, sizeof pw) != 0) {
		fprintf(stderr, "drove: --ask-pass needs a terminal\n");
		return -1;
	}
	o->password = strdup(pw);
	explicit_bzero(pw, sizeof pw);
	if (o->password == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return -1;
	}
	return 0;
}

/* Make a fleet with the options and the selected hosts. */
drove_fleet *
common_fleet(struct common_opts *o, drove_inventory *inv, const size_t *sel,
    size_t nsel)
{
	struct drove_hostspec spec;
	drove_fleet *f;
	size_t i;

	if ((f = drove_fleet_new()) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return NULL;
	}
	drove_fleet_set_forks(f, o->forks);
	drove_fleet_set_connect_timeout(f, o->connect_timeout_ms);
	drove_fleet_set_command_timeout(f, o->timeout_ms);
	drove_fleet_set_keepalive(f, o->keepalive_s);
	drove_fleet_set_retries(f, o->retries);
	drove_fleet_set_fail_fast(f, o->fail_fast);
	drove_fleet_set_connect_rate(f, o->connect_rate, o->max_startups);
	drove_fleet_set_loops(f, o->loops);
	drove_fleet_set_hostkey_policy(f, hostkey_policy(o));
	snprintf(o->kh_shown, sizeof o->kh_shown, "%s", o->known_hosts ?
	    o->known_hosts : "~/.ssh/known_hosts");
	drove_fleet_set_hostkey_ask_cb(f, ask_hostkeys, o->kh_shown);
	drove_fleet_use_agent(f, !o->no_agent);
	drove_fleet_set_passphrase_cb(f, passphrase_prompt, NULL);
	if (o->known_hosts != NULL &&
	    drove_fleet_set_known_hosts(f, o->known_hosts) != 0)
		goto fail;
	for (i = 0; i < o->nkeys; i++)
		if (drove_fleet_add_identity(f, o->keys[i]) != 0)
			goto fail;
	if (common_ask_pass(o) != 0) {
		drove_fleet_free(f);
		return NULL;
	}
	if (o->password != NULL &&
	    drove_fleet_set_password(f, o->password) != 0)
		goto fail;
	for (i = 0; i < nsel; i++) {
		if (drove_inventory_hostspec(inv, sel[i], &spec) != 0) {
			fprintf(stderr, "drove: %s\n",
			    drove_inventory_error(inv));
			drove_fleet_free(f);
			return NULL;
		}
		/* -l and -p: over ssh_config and defaults, not the inventory */
		if (o->user != NULL && drove_inventory_var(inv, sel[i],
		    "ansible_user") == NULL)
			spec.user = o->user;
		if (o->port != 0 && drove_inventory_var(inv, sel[i],
		    "ansible_port") == NULL)
			spec.port = o->port;
		host_overrides(o, &spec);
		if (drove_fleet_add_host(f, &spec) < 0)
			goto fail;
	}
	return f;
 fail:
	fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
	drove_fleet_free(f);
	return NULL;
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

/* 3 if a host was not reached, else 1 if a command failed, else 0. */
int
common_exit_status(drove_fleet *f, int run_rc)
{
	const struct drove_result *r;
	int failed = 0, unreached = 0;
	size_t i;

	if (run_rc == DROVE_E_CANCELLED)
		return EXIT_INTERRUPT;
	for (i = 0; i < drove_fleet_host_count(f); i++) {
		/* hosts cancelled by --fail-fast: the failure decides */
		if ((r = drove_fleet_result(f, i)) == NULL ||
		    r->status == DROVE_ST_OK ||
		    r->status == DROVE_ST_CANCELLED)
			continue;
		if (r->reached && (r->status == DROVE_ST_FAILED ||
		    r->status == DROVE_ST_SIGNAL ||
		    r->status == DROVE_ST_TIMEOUT))
			failed = 1;
		else
			unreached = 1;
	}
	return unreached ? EXIT_UNREACHED : failed ? EXIT_FAILED : EXIT_OK;
}
