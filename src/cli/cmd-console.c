/*
 * cmd-console.c: "drove console PATTERN": a prompt that runs each line typed
 * on every live host PATTERN selects, over sessions connected once and
 * kept (drove_fleet_set_keep_sessions): no handshake after the first.
 *
 * Output is gathered by default (identical outputs once, under their
 * folded hosts and exit code), or streamed as lines, or diffs against the
 * most common output (":mode").  Built-ins start with ':' so no shell
 * command is taken for one: :hosts, :pattern P, :retry, :mode M, :help,
 * :quit.  A host that cannot be reached (or whose session drops and cannot
 * be connected again) leaves the live set and is listed after the command;
 * :retry connects such hosts again.  Each command is recorded in the
 * history as the equivalent "drove run" (so history, --rerun and history
 * diff take it).
 *
 * On a terminal, lines are read with libedit (emacs keys, ~/.editrc) and
 * its history is kept in console_history beside the store; Ctrl-C stops
 * the running command on every host (its channels close, the sessions
 * stay) or clears the line being typed; Ctrl-D leaves.  Without a terminal
 * on stdin, commands are read one a line and run in turn.
 *
 * The fleet holds every inventory host, so a new pattern only selects
 * others: hosts it drops are closed, hosts it adds are connected.
 */
#define _GNU_SOURCE	/* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <histedit.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "base/buf.h"
#include "cli/cmd.h"

static int	cmd_console_exec(int, char **);

enum { OPT_MODE = OPT_COMMON_END, OPT_COLOR, OPT_HELP };

static const struct option console_longopts[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_console_entry = {
	.name = "console",
	.usage = "[options] [--mode gather|lines|diff] PATTERN",
	.help = "a prompt that runs each line on a group of hosts",
	.shortopts = "",
	.longopts = console_longopts,
	.exec = cmd_console_exec,
};

/* A host's place in the console. */
enum chost { CH_OUT = 0, CH_LIVE, CH_FAILED };

struct console {
	struct common_opts	*o;
	drove_inventory		*inv;
	drove_fleet		*f;
	enum chost		*st;		/* by inventory index */
	char		       **why;		/* CH_FAILED: the reason */
	size_t			 n;
	char			*pattern;
	enum drove_output	 mode;
	const char		*color;
	int			 last;		/* last command's exit status */
	int			 quit;
};

static drove_fleet *volatile running;
static volatile sig_atomic_t interrupted;
/* Written by on_interrupt, read by console_getc: a Ctrl-C wakes the prompt
 * wherever it lands (-1: no prompt). */
static int wake[2] = { -1, -1 };
/* The terminal, opened again non-blocking for console_getc alone. */
static int tty_in = -1;

/* Ctrl-C: stop the running command (its sessions stay), or, at the
 * prompt, drop the line. */
static void
on_interrupt(int sig)
{
	int e = errno;

	(void)sig;
	interrupted = 1;
	if (running != NULL)
		drove_fleet_cancel(running);
	if (wake[1] != -1)
		(void)!write(wake[1], "", 1);	/* full: one is there */
	errno = e;
}

/* Close the wake-up pipe (the handler first stops writing to it) and the
 * terminal's second descriptor. */
static void
wake_close(void)
{
	int w = wake[1];

	wake[1] = -1;
	close(w);
	close(wake[0]);
	wake[0] = -1;
	if (tty_in != -1)
		close(tty_in);
	tty_in = -1;
}

/* Empty the wake-up pipe (before each prompt). */
static void
wake_drain(void)
{
	char b[64];

	while (read(wake[0], b, sizeof b) > 0)
		;
}

/*
 * libedit's read function: the next character typed (1), end of input
 * (0), or -1 with errno EINTR once Ctrl-C has been pressed.  libedit's own
 * sees a SIGINT only when it lands during read(); one landing while it
 * handles the keys before (the tty has then discarded those not yet read)
 * would leave it blocked in read() until the next key.  This one waits on
 * the terminal and on the pipe the handler writes, so the flag is never
 * missed.  It reads a descriptor of its own that does not block: a Ctrl-C
 * landing after poll() said a key was there, before read(), has the tty
 * discard that key, and a blocking read() would then wait for the next
 * one with the flag already set.  Bytes are read one at a time and decoded
 * as libedit does: an invalid sequence is dropped.
 */
static int
console_getc(EditLine *el, wchar_t *wc)
{
	struct pollfd p[2];
	char b[MB_LEN_MAX];
	mbstate_t st;
	size_t n = 0, r;
	ssize_t got;

	(void)el;
	*wc = L'\0';
	p[0].fd = tty_in;
	p[1].fd = wake[0];
	p[0].events = p[1].events = POLLIN;
	for (;;) {
		if (interrupted) {
			errno = EINTR;
			return -1;
		}
		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (p[1].revents != 0) {
			wake_drain();
			interrupted = 1;
			continue;
		}
		if ((got = read(tty_in, b + n, 1)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (got == 0)
			return 0;
		n++;
		memset(&st, 0, sizeof st);
		r = mbrtowc(wc, b, n, &st);
		if (r == (size_t)-2 && n < sizeof b)
			continue;		/* more bytes of one character */
		if (r == (size_t)-1 || r == (size_t)-2) {
			n = 0;
			continue;
		}
		return 1;
	}
}

/* Catch Ctrl-C without restarting reads, ignore SIGPIPE. */
static void
console_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Print the console's help. */
static void
console_help(void)
{
	printf("usage: drove console %s\n\n"
	    "Connect once to every host PATTERN selects, then run each line "
	    "read on the\nlive ones at once.\n\n", cmd_console_entry.usage);
	common_help(stdout);
	printf("      --timeout SEC          per-host command timeout\n"
	    "      --mode MODE            gather (default), lines or diff\n"
	    "      --color WHEN           auto (default), always, never\n\n"
	    "Built-ins: :hosts, :pattern PATTERN, :retry, :mode MODE, "
	    ":help, :quit.\n"
	    "Ctrl-C stops the running command on every host; Ctrl-D "
	    "leaves.\n");
}

/* The output mode a word names; -1 for none. */
static int
mode_of(const char *w)
{
	if (strcmp(w, "gather") == 0)
		return DROVE_OUT_GATHER;
	if (strcmp(w, "lines") == 0)
		return DROVE_OUT_LINES;
	if (strcmp(w, "diff") == 0)
		return DROVE_OUT_DIFF;
	return -1;
}

static const char *const mode_names[] = { "lines", "gather", "json", "diff" };

/* Hosts in state st; malloc'd, *n of them. */
static size_t *
console_hosts(struct console *c, enum chost st, size_t *n)
{
	size_t *v, i;

	*n = 0;
	if ((v = calloc(c->n + 1, sizeof *v)) == NULL)
		return NULL;
	for (i = 0; i < c->n; i++)
		if (c->st[i] == st)
			v[(*n)++] = i;
	return v;
}

/* Mark host i failed with why. */
static void
console_fail(struct console *c, size_t i, const char *why)
{
	c->st[i] = CH_FAILED;
	free(c->why[i]);
	c->why[i] = strdup(why);
}

/* Run the fleet with Ctrl-C able to stop it; the run's code. */
static int
console_run(struct console *c)
{
	int rc;

	interrupted = 0;
	running = c->f;
	rc = drove_fleet_run(c->f);
	running = NULL;
	return rc;
}

/*
 * Connect hosts v[0..n) (marked live first); those that fail are marked
 * failed and listed.
 */
static void
console_connect(struct console *c, const size_t *v, size_t n)
{
	const struct drove_result *r;
	size_t i, ok = 0;
	int rc;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		c->st[v[i]] = CH_LIVE;
	if (drove_fleet_select(c->f, v, n) != 0 ||
	    drove_fleet_connect(c->f) != 0) {
		fprintf(stderr, "drove: %s\n", drove_fleet_error(c->f));
		return;
	}
	rc = console_run(c);
	if (rc != 0 && rc != DROVE_E_CANCELLED)
		fprintf(stderr, "drove: %s\n", drove_fleet_error(c->f));
	for (i = 0; i < n; i++) {
		r = drove_fleet_result(c->f, v[i]);
		if (r != NULL && r->status == DROVE_ST_OK) {
			ok++;
			continue;
		}
		console_fail(c, v[i], r != NULL ? r->msg : "not connected");
		fprintf(stderr, "drove: %s: %s%s%s\n",
		    drove_inventory_name(c->inv, v[i]), r != NULL ?
		    drove_status_name(r->status) : "error",
		    c->why[v[i]] != NULL && *c->why[v[i]] != '\0' ? ": " : "",
		    c->why[v[i]] != NULL ? c->why[v[i]] : "");
	}
	fprintf(stderr, "connected to %zu of %zu host%s\n", ok, n,
	    n == 1 ? "" : "s");
}

/* Select pattern p: close the hosts it drops, connect those it adds. */
static int
console_pattern(struct console *c, const char *p)
{
	size_t *sel = NULL, nsel = 0, *add = NULL, nadd = 0, i, k;
	char *copy;
	int rc = -1;

	if (drove_inventory_select(c->inv, p, &sel, &nsel) != 0) {
		fprintf(stderr, "drove: %s\n", drove_inventory_error(c->inv));
		goto out;
	}
	if ((add = calloc(nsel + 1, sizeof *add)) == NULL ||
	    (copy = strdup(p)) == NULL)
		goto out;
	free(c->pattern);
	c->pattern = copy;
	for (i = 0, k = 0; i < c->n; i++) {
		while (k < nsel && sel[k] < i)
			k++;
		if (k < nsel && sel[k] == i) {
			if (c->st[i] == CH_OUT)
				add[nadd++] = i;
		} else if (c->st[i] != CH_OUT) {
			c->st[i] = CH_OUT;
			drove_fleet_close_host(c->f, i);
		}
	}
	console_connect(c, add, nadd);
	rc = 0;
 out:
	free(sel);
	free(add);
	return rc;
}

/* :hosts: every host of the pattern and its state. */
static void
console_list(struct console *c)
{
	const char *lost;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (c->st[i] == CH_OUT)
			continue;
		if (c->st[i] == CH_FAILED)
			printf("%s failed: %s\n", drove_inventory_name(c->inv,
			    i), c->why[i] != NULL ? c->why[i] : "");
		else if (drove_fleet_host_connected(c->f, i, &lost))
			printf("%s connected\n", drove_inventory_name(c->inv,
			    i));
		else
			printf("%s not connected%s%s\n",
			    drove_inventory_name(c->inv, i),
			    lost != NULL ? ": " : "", lost != NULL ? lost : "");
	}
}

/* The status of a host that never ran the command. */
static int
unreached(const struct drove_result *r)
{
	return !r->reached && r->status != DROVE_ST_OK &&
	    r->status != DROVE_ST_CANCELLED;
}

/* Run line on the live hosts, with a sink, a summary and a record. */
static void
console_command(struct console *c, const char *line)
{
	struct common_history hist;
	struct drove_sink_opts so;
	const struct drove_result *r;
	drove_sink *sink = NULL;
	char errbuf[512], *argv[3];
	size_t *live, nlive, i, w;
	int rc;

	if ((live = console_hosts(c, CH_LIVE, &nlive)) == NULL)
		return;
	if (nlive == 0) {
		fprintf(stderr, "drove: no live host (:retry connects the "
		    "failed ones, :pattern selects others)\n");
		goto out;
	}
	if (drove_fleet_select(c->f, live, nlive) != 0 ||
	    drove_fleet_exec(c->f, line, -1) != 0) {
		fprintf(stderr, "drove: %s\n", drove_fleet_error(c->f));
		goto out;
	}
	memset(&so, 0, sizeof so);
	so.mode = c->mode;
	for (i = 0; i < nlive; i++)
		if ((w = strlen(drove_inventory_name(c->inv, live[i]))) >
		    so.name_width)
			so.name_width = w;
	so.color = common_want_color(c->color, STDOUT_FILENO);
	so.color_err = common_want_color(c->color, STDERR_FILENO);
	so.escape = (isatty(STDOUT_FILENO) ? DROVE_ESC_OUT : 0) |
	    (isatty(STDERR_FILENO) ? DROVE_ESC_ERR : 0);
	so.status_line = common_smart_tty(STDERR_FILENO);
	so.total_hosts = nlive;
	if ((sink = drove_sink_new(&so, errbuf, sizeof errbuf)) == NULL) {
		fprintf(stderr, "drove: %s\n", errbuf);
		goto out;
	}
	memset(&hist, 0, sizeof hist);
	hist.sink = sink;
	argv[0] = (char *)"console";
	argv[1] = c->pattern;
	argv[2] = (char *)line;
	common_history_begin(c->o, &hist, "run", 3, argv, line, c->pattern);
	drove_fleet_set_event_cb(c->f, common_history_event, &hist);
	rc = console_run(c);
	if (rc != 0 && rc != DROVE_E_CANCELLED)
		fprintf(stderr, "drove: %s\n", drove_fleet_error(c->f));
	c->last = common_exit_status(c->f, rc);
	if (drove_sink_finish(sink) != 0)
		fprintf(stderr, "drove: writing output failed\n");
	if (!c->o->quiet)
		drove_sink_summary(sink, stderr);
	common_history_end(&hist, c->last);
	for (i = 0; i < nlive; i++) {
		r = drove_fleet_result(c->f, live[i]);
		if (r != NULL && unreached(r))
			console_fail(c, live[i], r->msg);
	}
 out:
	drove_sink_free(sink);
	free(live);
}

/* A built-in; unknown ones are an error. */
static void
console_builtin(struct console *c, char *line)
{
	char *arg = line + strcspn(line, " \t");
	size_t *v, n;
	int m;

	if (*arg != '\0')
		*arg++ = '\0';
	arg += strspn(arg, " \t");
	if (strcmp(line, ":quit") == 0 || strcmp(line, ":q") == 0)
		c->quit = 1;
	else if (strcmp(line, ":hosts") == 0)
		console_list(c);
	else if (strcmp(line, ":pattern") == 0 && *arg != '\0')
		console_pattern(c, arg);
	else if (strcmp(line, ":pattern") == 0)
		printf("%s\n", c->pattern);
	else if (strcmp(line, ":retry") == 0) {
		if ((v = console_hosts(c, CH_FAILED, &n)) != NULL)
			console_connect(c, v, n);
		free(v);
	} else if (strcmp(line, ":mode") == 0 && *arg == '\0')
		printf("%s\n", mode_names[c->mode]);
	else if (strcmp(line, ":mode") == 0) {
		if ((m = mode_of(arg)) < 0)
			fprintf(stderr, "drove: bad mode '%s': gather, lines "
			    "or diff\n", arg);
		else
			c->mode = (enum drove_output)m;
	} else if (strcmp(line, ":help") == 0)
		printf(":hosts          the hosts and their state\n"
		    ":pattern [P]    show the pattern, or select P's hosts\n"
		    ":retry          connect the failed hosts again\n"
		    ":mode [M]       show the output mode, or set it: gather, "
		    "lines, diff\n"
		    ":quit           leave (Ctrl-D too)\n");
	else
		fprintf(stderr, "drove: unknown command '%s' (:help lists "
		    "them)\n", line);
}

/* One line read: trimmed, then a built-in or a command. */
static void
console_line(struct console *c, char *line)
{
	size_t n;

	line += strspn(line, " \t");
	n = strlen(line);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r' ||
	    line[n - 1] == ' ' || line[n - 1] == '\t'))
		line[--n] = '\0';
	if (n == 0)
		return;
	if (line[0] == ':')
		console_builtin(c, line);
	else
		console_command(c, line);
	fflush(stdout);
}

/* The prompt: the pattern and the live hosts. */
static char *
console_prompt(EditLine *el)
{
	static char buf[512];
	struct console *c = NULL;
	size_t i, live = 0;

	el_get(el, EL_CLIENTDATA, &c);
	for (i = 0; i < c->n; i++)
		live += c->st[i] == CH_LIVE;
	snprintf(buf, sizeof buf, "drove %s (%zu)> ", c->pattern, live);
	return buf;
}

/* The history file: console_history beside the store; malloc'd. */
static char *
history_path(void)
{
	char *db, *dir, *p = NULL;
	struct buf b;

	if ((db = drove_store_default_path()) == NULL)
		return NULL;
	dir = dirname(db);
	buf_init(&b);
	if (buf_printf(&b, "%s/console_history", dir) == 0)
		p = buf_steal(&b, NULL);
	buf_release(&b);
	free(db);
	return p;
}

/* Read lines with libedit until :quit or Ctrl-D. */
static void
console_tty(struct console *c)
{
	EditLine *el;
	History *h;
	HistEvent ev;
	const char *got, *tty;
	char *path, *line;
	int count;

	if (pipe2(wake, O_CLOEXEC | O_NONBLOCK) == -1) {
		fprintf(stderr, "drove: pipe: %s\n", strerror(errno));
		return;
	}
	/* O_NONBLOCK on a descriptor of our own: stdin's is shared with the
	 * shell, which must get it back as it was */
	if ((tty = ttyname(STDIN_FILENO)) == NULL ||
	    (tty_in = open(tty, O_RDONLY | O_NONBLOCK | O_NOCTTY |
	    O_CLOEXEC)) == -1) {
		fprintf(stderr, "drove: open the terminal %s: %s\n",
		    tty != NULL ? tty : "of stdin", strerror(errno));
		wake_close();
		return;
	}
	if ((el = el_init("drove", stdin, stdout, stderr)) == NULL ||
	    (h = history_init()) == NULL) {
		fprintf(stderr, "drove: libedit: cannot start\n");
		if (el != NULL)
			el_end(el);
		wake_close();
		return;
	}
	history(h, &ev, H_SETSIZE, 1000);
	history(h, &ev, H_SETUNIQUE, 1);
	el_set(el, EL_CLIENTDATA, c);
	el_set(el, EL_PROMPT, console_prompt);
	el_set(el, EL_EDITOR, "emacs");
	el_set(el, EL_HIST, history, h);
	el_set(el, EL_GETCFN, console_getc);
	el_source(el, NULL);
	if ((path = history_path()) != NULL)
		history(h, &ev, H_LOAD, path);
	while (!c->quit) {
		interrupted = 0;
		wake_drain();
		got = el_gets(el, &count);
		if (got == NULL && count == -1 && (errno == EINTR ||
		    interrupted)) {
			/* Ctrl-C at the prompt: a new line */
			fputc('\n', stdout);
			el_reset(el);
			continue;
		}
		if (got == NULL || count <= 0) {
			fputc('\n', stdout);
			break;
		}
		if ((line = strdup(got)) == NULL)
			break;
		line[strcspn(line, "\n")] = '\0';
		if (line[strspn(line, " \t")] != '\0') {
			history(h, &ev, H_ENTER, line);
			if (path != NULL && history(h, &ev, H_SAVE, path) >= 0)
				chmod(path, 0600);
		}
		console_line(c, line);
		free(line);
	}
	free(path);
	history_end(h);
	el_end(el);
	wake_close();
}

/* Read commands from stdin, one a line. */
static void
console_pipe(struct console *c)
{
	char *line = NULL;
	size_t cap = 0;

	while (!c->quit && getline(&line, &cap, stdin) != -1)
		console_line(c, line);
	free(line);
}

static int
cmd_console_exec(int argc, char **argv)
{
	struct option longopts[LONGOPTS_MAX];
	struct common_opts o;
	struct console c;
	const char *pattern = NULL;
	size_t *sel = NULL, nsel = 0, *all = NULL, i;
	int ch, rc = EXIT_USAGE, m;

	common_init(&o);
	memset(&c, 0, sizeof c);
	c.o = &o;
	c.mode = DROVE_OUT_GATHER;
	c.color = "auto";
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    console_longopts);
	while ((ch = common_getopt_pattern(argc, argv, "+" COMMON_SHORTOPTS,
	    longopts, &pattern)) != -1) {
		switch (ch) {
		case OPT_MODE:
			if ((m = mode_of(optarg)) < 0) {
				usage_error(&cmd_console_entry, "bad --mode: "
				    "'%s' (gather, lines or diff)", optarg);
				goto out;
			}
			c.mode = (enum drove_output)m;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") &&
			    strcmp(optarg, "always") &&
			    strcmp(optarg, "never")) {
				usage_error(&cmd_console_entry, "bad --color: "
				    "'%s'", optarg);
				goto out;
			}
			c.color = optarg;
			break;
		case OPT_HELP:
			console_help();
			rc = EXIT_OK;
			goto out;
		case '?':
			usage_error(&cmd_console_entry, "bad option");
			goto out;
		default:
			if (common_opt(&o, ch, optarg) != 1)
				goto out;
			break;
		}
	}
	if (pattern == NULL) {
		usage_error(&cmd_console_entry, "no host pattern");
		goto out;
	}
	if (optind < argc) {
		usage_error(&cmd_console_entry, "'%s' after the pattern: the "
		    "console reads its commands", argv[optind]);
		goto out;
	}
	if ((c.inv = common_inventory(&o, pattern, &sel, &nsel)) == NULL)
		goto out;
	c.n = drove_inventory_count(c.inv);
	if ((all = calloc(c.n + 1, sizeof *all)) == NULL ||
	    (c.st = calloc(c.n + 1, sizeof *c.st)) == NULL ||
	    (c.why = calloc(c.n + 1, sizeof *c.why)) == NULL ||
	    (c.pattern = strdup(pattern)) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		goto out;
	}
	for (i = 0; i < c.n; i++)
		all[i] = i;
	if ((c.f = common_fleet(&o, c.inv, all, c.n)) == NULL)
		goto out;
	if (drove_fleet_set_keep_sessions(c.f, 1) != 0) {
		fprintf(stderr, "drove: %s\n", drove_fleet_error(c.f));
		goto out;
	}
	console_signals();
	console_connect(&c, sel, nsel);
	if (isatty(STDIN_FILENO))
		console_tty(&c);
	else
		console_pipe(&c);
	rc = c.last;
 out:
	drove_fleet_free(c.f);
	drove_inventory_free(c.inv);
	for (i = 0; c.why != NULL && i < c.n; i++)
		free(c.why[i]);
	free(c.why);
	free(c.st);
	free(c.pattern);
	free(sel);
	free(all);
	common_release(&o);
	return rc;
}
