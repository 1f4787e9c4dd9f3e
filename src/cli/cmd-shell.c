/*
 * cmd-shell.c: "drove shell PATTERN [-- COMMAND...]": an interactive shell
 * (or a command with a terminal, like ssh -t) on the one host PATTERN
 * selects, recorded in asciicast v2 under $DROVE_HOME/sessions/ and indexed
 * in the store.
 *
 * On a terminal the local side goes raw and is put back on every way out
 * (the end, an error, SIGINT, SIGTERM, SIGHUP); SIGWINCH sends the new size.
 * Without a terminal on stdin there is no pty and bytes pipe through.  The
 * exit status is the remote one; 255 when the connection failed (with the
 * reason), was cut with the escape, or the command was killed.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd-config.h"

#define EXIT_SHELL_FAILED	255

static int	cmd_shell_exec(int, char **);

enum { OPT_NO_RECORD = OPT_COMMON_END, OPT_RECORD_INPUT, OPT_HELP };

static const struct option shell_longopts[] = {
	{ "no-record", no_argument, NULL, OPT_NO_RECORD },
	{ "record-input", no_argument, NULL, OPT_RECORD_INPUT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_shell_entry = {
	.name = "shell",
	.usage = "[options] HOST [-- COMMAND...]",
	.help = "open an interactive shell on one host (recorded)",
	.shortopts = "e:",
	.longopts = shell_longopts,
	.exec = cmd_shell_exec,
};

static drove_fleet *running;
static struct termios saved_tty;
static int tty_raw;
static int saved_fl[2] = { -1, -1 };	/* stdin's and stdout's flags */

/* Put the terminal back as it was (signal handler safe). */
static void
tty_restore(void)
{
	if (saved_fl[1] != -1)
		fcntl(STDOUT_FILENO, F_SETFL, saved_fl[1]);
	if (saved_fl[0] != -1)
		fcntl(STDIN_FILENO, F_SETFL, saved_fl[0]);
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tty);
	tty_raw = 0;
}

/* SIGINT, SIGTERM, SIGHUP: close the session; a second one leaves. */
static void
on_signal(int sig)
{
	static volatile sig_atomic_t seen;

	(void)sig;
	if (seen++ || running == NULL) {
		tty_restore();
		_exit(EXIT_SHELL_FAILED);
	}
	common_interrupt_raise();	/* ends a host-key question */
	drove_fleet_cancel(running);
}

/* SIGWINCH: send the terminal's new size. */
static void
on_winch(int sig)
{
	struct winsize ws;
	int saved = errno;

	(void)sig;
	if (running != NULL && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		drove_fleet_shell_resize(running, ws.ws_col, ws.ws_row);
	errno = saved;
}

/* Print the shell's help. */
static void
shell_help(void)
{
	printf("usage: drove shell %s\n\n"
	    "Open a shell on the one host HOST selects, or run COMMAND there "
	    "with a\nterminal.  Without a terminal on stdin, bytes pipe "
	    "through.\n\n", cmd_shell_entry.usage);
	common_help(stdout);
	printf("  -e CHAR                    escape character after a newline "
	    "(default ~,\n"
	    "                             \"none\" to disable): CHAR. "
	    "disconnects, CHAR? lists\n"
	    "      --no-record            do not record this session (or set "
	    "DROVE_RECORD=no)\n"
	    "      --record-input         record typed input too\n\n"
	    "Exit status: the remote one; 255 when the connection failed or "
	    "was closed\nwith the escape.\n");
}

/* Parse -e: one character, ^X, or "none" (-1); -2 when bad. */
static int
parse_escape(const char *s)
{
	if (strcmp(s, "none") == 0)
		return -1;
	if (s[0] == '^' && s[1] >= '@' && s[1] <= '_' && s[2] == '\0')
		return s[1] & 0x1f;
	if (s[0] != '\0' && s[1] == '\0')
		return (unsigned char)s[0];
	return -2;
}

/* The command words as one line, as ssh joins them. */
static char *
command_line(int argc, char **argv)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m;
	int i;

	if (argc == 0 || (m = open_memstream(&s, &len)) == NULL)
		return NULL;
	for (i = 0; i < argc; i++)
		fprintf(m, "%s%s", i > 0 ? " " : "", argv[i]);
	fclose(m);
	return s;
}

/* Milliseconds since the epoch. */
static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A recording being made. */
struct rec {
	drove_store	*st;
	FILE		*fp;
	char		 path[4096];
	int64_t		 started_ms;
};

/* Make $DROVE_HOME/sessions/ (0700) and open a new cast file (0600) in
 * it; 0 or -1 after printing why. */
static int
rec_open(struct common_opts *o, struct rec *r, const char *host)
{
	char *db = NULL, stamp[32];
	struct tm tm;
	time_t now;
	int fd = -1;

	r->started_ms = now_ms();
	/* recordings go beside the store they are indexed in */
	if ((db = o->db != NULL ? strdup(o->db) :
	    drove_store_default_path()) == NULL ||
	    (r->st = common_store(o)) == NULL)
		goto fail;
	snprintf(r->path, sizeof r->path, "%s/sessions", dirname(db));
	if (mkdir(r->path, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "drove: create %s: %s\n", r->path,
		    strerror(errno));
		goto fail;
	}
	now = (time_t)(r->started_ms / 1000);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(r->path + strlen(r->path), sizeof r->path - strlen(r->path),
	    "/%s-%s-%ld.cast", stamp, host, (long)getpid());
	if ((fd = open(r->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1 || (r->fp = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "drove: create %s: %s\n", r->path,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		goto fail;
	}
	free(db);
	return 0;
 fail:
	free(db);
	drove_store_close(r->st);
	r->st = NULL;
	return -1;
}

/* Close the recording and index it; a session that never started is
 * dropped.  0 or -1 after printing why. */
static int
rec_close(struct rec *r, const char *host, const char *user, int status,
    int started)
{
	struct drove_session_info si;
	struct stat sb;
	int64_t id;
	int rc = 0;

	if (r->fp == NULL)
		return 0;
	if (fclose(r->fp) != 0) {
		fprintf(stderr, "drove: write %s: %s\n", r->path,
		    strerror(errno));
		rc = -1;
	}
	r->fp = NULL;
	if (!started || stat(r->path, &sb) != 0) {
		unlink(r->path);
		goto out;
	}
	memset(&si, 0, sizeof si);
	si.host = host;
	si.user = user;
	si.started_ms = r->started_ms;
	si.ended_ms = now_ms();
	si.exit_status = status;
	si.size = (int64_t)sb.st_size;
	si.path = r->path;
	if (drove_store_session_add(r->st, &si, &id) != 0) {
		fprintf(stderr, "drove: %s\n", drove_store_error(r->st));
		rc = -1;
	}
 out:
	drove_store_close(r->st);
	r->st = NULL;
	return rc;
}

/*
 * Whether recording is on for good: DROVE_RECORD=no (0, off) turns it off,
 * else "record = no" in the configuration file.
 */
static int
record_default(void)
{
	const char *v = getenv("DROVE_RECORD");

	if (v == NULL)
		return !config_no_record();
	return strcmp(v, "no") != 0 && strcmp(v, "0") != 0 &&
	    strcmp(v, "off") != 0;
}

/* Say which hosts a pattern matched when it is not exactly one. */
static void
not_one(drove_inventory *inv, const char *pattern, const size_t *sel,
    size_t nsel)
{
	const char **names;
	char *folded = NULL;
	size_t i;

	if ((names = calloc(nsel, sizeof *names)) != NULL) {
		for (i = 0; i < nsel; i++)
			names[i] = drove_inventory_name(inv, sel[i]);
		folded = drove_hosts_fold(names, nsel);
	}
	fprintf(stderr, "drove shell: '%s' matches %zu hosts, not one: %s\n",
	    pattern, nsel, folded != NULL ? folded : "");
	free(folded);
	free(names);
}

/* Install handler h for the signals in sigs (0-terminated). */
static void
catch(const int *sigs, void (*h)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sigemptyset(&sa.sa_mask);
	for (; *sigs != 0; sigs++)
		sigaction(*sigs, &sa, NULL);
}

/* The host-key question on the terminal as it was (echo, Enter, lines
 * from the left margin), raw again after the answer. */
static enum drove_ask_answer
shell_ask(struct drove_hostkey_query *q, size_t n, void *arg)
{
	enum drove_ask_answer a;
	struct termios raw;
	int was_raw = tty_raw;

	if (was_raw) {
		tty_raw = 0;
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tty);
	}
	a = common_ask_hostkeys(q, n, arg);
	if (was_raw) {
		raw = saved_tty;
		cfmakeraw(&raw);
		tty_raw = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
	}
	return a;
}

/* Run the session with the terminal raw; the exit status. */
static int
shell_run(drove_fleet *f, struct drove_shell_opts *so)
{
	static const int stop[] = { SIGINT, SIGTERM, SIGHUP, 0 };
	static const int winch[] = { SIGWINCH, 0 };
	const struct drove_result *r;
	struct termios raw;
	struct winsize ws;
	int rc;

	if (so->pty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
		so->cols = ws.ws_col;
		so->rows = ws.ws_row;
	}
	saved_fl[0] = fcntl(STDIN_FILENO, F_GETFL);
	saved_fl[1] = fcntl(STDOUT_FILENO, F_GETFL);
	running = f;
	common_interrupt_init();
	catch(stop, on_signal);
	catch(winch, on_winch);
	signal(SIGPIPE, SIG_IGN);
	if (so->pty && tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
		raw = saved_tty;
		cfmakeraw(&raw);
		tty_raw = tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
	}
	rc = drove_fleet_shell(f, so);
	tty_restore();
	running = NULL;
	r = drove_fleet_result(f, 0);
	if (rc != 0 && rc != DROVE_E_CANCELLED) {
		fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
		return EXIT_SHELL_FAILED;
	}
	if (r == NULL || r->error != 0) {
		if (r != NULL && strcmp(r->msg, "disconnected") == 0)
			fprintf(stderr, "Connection to %s closed.\n",
			    drove_fleet_host_name(f, 0));
		else
			fprintf(stderr, "drove: %s: %s\n",
			    drove_fleet_host_name(f, 0), r != NULL ? r->msg :
			    "interrupted");
		return EXIT_SHELL_FAILED;
	}
	if (r->signal[0] != '\0') {
		fprintf(stderr, "drove: %s: killed by signal %s\n",
		    drove_fleet_host_name(f, 0), r->signal);
		return EXIT_SHELL_FAILED;
	}
	return r->exit_code;
}

static int
cmd_shell_exec(int argc, char **argv)
{
	struct option longopts[LONGOPTS_MAX];
	struct common_opts o;
	struct drove_shell_opts so;
	struct drove_hostspec spec;
	struct rec rec;
	drove_inventory *inv = NULL;
	drove_fleet *f = NULL;
	const char *pattern = NULL, *user;
	char *command = NULL;
	size_t *sel = NULL, nsel = 0;
	int ch, rc = EXIT_USAGE, record = record_default();
	int started, escape_given = 0;

	common_init(&o);
	memset(&so, 0, sizeof so);
	memset(&rec, 0, sizeof rec);
	so.escape = '~';
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    shell_longopts);
	while ((ch = common_getopt_pattern(argc, argv, "+" COMMON_SHORTOPTS
	    "e:", longopts, &pattern)) != -1) {
		switch (ch) {
		case 'e':
			escape_given = 1;
			if ((so.escape = parse_escape(optarg)) == -2) {
				usage_error(&cmd_shell_entry, "bad escape "
				    "character: '%s'", optarg);
				goto out;
			}
			break;
		case OPT_NO_RECORD:
			record = 0;
			break;
		case OPT_RECORD_INPUT:
			so.record_input = 1;
			break;
		case OPT_HELP:
			shell_help();
			rc = EXIT_OK;
			goto out;
		case '?':
			usage_bad_option(&cmd_shell_entry, argv);
			goto out;
		default:
			if (common_opt(&o, ch, optarg) != 1)
				goto out;
			break;
		}
	}
	if (pattern == NULL) {
		usage_error(&cmd_shell_entry, "no host");
		goto out;
	}
	command = command_line(argc - optind, argv + optind);
	if ((inv = common_inventory(&o, pattern, &sel, &nsel)) == NULL)
		goto out;
	if (nsel != 1) {
		not_one(inv, pattern, sel, nsel);
		goto out;
	}
	if ((f = common_fleet(&o, inv, sel, nsel)) == NULL)
		goto out;
	drove_fleet_set_hostkey_ask_cb(f, shell_ask, o.kh_shown);
	user = o.user;
	if (drove_inventory_hostspec(inv, sel[0], &spec) == 0 &&
	    spec.user != NULL)
		user = spec.user;
	if (user == NULL && (user = getenv("USER")) == NULL)
		user = "";
	so.in_fd = STDIN_FILENO;
	so.out_fd = STDOUT_FILENO;
	so.err_fd = STDERR_FILENO;
	so.command = command;
	so.pty = isatty(STDIN_FILENO);
	if (!so.pty && !escape_given)
		so.escape = -1;		/* a script's "~." is data, as in ssh */
	so.term = getenv("TERM");
	so.record_shell = getenv("SHELL");
	if (record && rec_open(&o, &rec, drove_fleet_host_name(f, 0)) != 0) {
		rc = EXIT_SHELL_FAILED;
		goto out;
	}
	so.record = rec.fp;
	rc = shell_run(f, &so);
	started = drove_fleet_result(f, 0) != NULL &&
	    drove_fleet_result(f, 0)->reached;
	if (rec_close(&rec, drove_fleet_host_name(f, 0), user, rc,
	    started) != 0 && rc == EXIT_OK)
		rc = EXIT_FAILED;
 out:
	if (rec.fp != NULL)
		fclose(rec.fp);
	drove_store_close(rec.st);
	drove_fleet_free(f);
	drove_inventory_free(inv);
	free(sel);
	free(command);
	common_release(&o);
	return rc;
}
