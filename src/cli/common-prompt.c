/*
 * common-prompt.c: the terminal: whether output goes to one (and in
 * colour), secrets read with echo off (passwords, passphrases), and the
 * one question about unknown host keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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

/* Whether fd is a terminal that takes escape sequences. */
int
common_smart_tty(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && term != NULL && strcmp(term, "dumb") != 0;
}

/* DROVE_VIS when fd is a terminal, else 0. */
int
common_vis(int fd)
{
	return isatty(fd) ? DROVE_VIS : 0;
}

/* Whether to colour what goes to fd: --color always or never, or auto: a
 * terminal that takes escapes, unless NO_COLOR is set. */
int
common_want_color(const char *when, int fd)
{
	const char *nc = getenv("NO_COLOR");

	if (strcmp(when, "always") == 0)
		return 1;
	if (strcmp(when, "never") == 0 || (nc != NULL && *nc != '\0'))
		return 0;
	return common_smart_tty(fd);
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

/* Read a line from the terminal with echo off; 0 or -1. */
int
common_read_secret(const char *prompt, char *buf, size_t size)
{
	return read_secret(prompt, buf, size);
}

/* The fleet asks for a key's passphrase: prompt once on the terminal. */
int
common_passphrase_prompt(const char *path, char *buf, size_t size, void *arg)
{
	char prompt[512];

	(void)arg;
	snprintf(prompt, sizeof prompt, "Enter passphrase for key '%s': ",
	    path);
	return read_secret(prompt, buf, size);
}

/*
 * Read one answer line from the terminal into buf; 0, or -1 at its end or
 * when Ctrl-C (or SIGTERM) came meanwhile: then the question is over.
 */
static int
tty_answer(FILE *tty, char *buf, size_t size)
{
	struct pollfd pfd[2];
	ssize_t r;
	size_t n;

	fflush(tty);
	pfd[0].fd = fileno(tty);
	pfd[0].events = POLLIN;
	pfd[1].fd = common_interrupt_fd();
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, pfd[1].fd != -1 ? 2 : 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pfd[1].fd != -1 && (pfd[1].revents & POLLIN)) {
			fputc('\n', tty);
			return -1;
		}
		if (pfd[0].revents != 0)
			break;
	}
	/* canonical mode: one read is one line */
	if ((r = read(pfd[0].fd, buf, size - 1)) <= 0)
		return -1;
	buf[r] = '\0';
	n = strcspn(buf, "\r\n");
	buf[n] = '\0';
	return 0;
}

/* The hosts of q in group g, folded; malloc'd, NULL without memory. */
static char *
group_names(const struct drove_hostkey_query *q, size_t n, const int *group,
    int g)
{
	const char **names;
	char *folded;
	size_t i, k = 0;

	if ((names = calloc(n, sizeof *names)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (group[i] == g)
			names[k++] = q[i].name;
	folded = drove_hosts_fold(names, k);
	free(names);
	return folded;
}

/* Print the hosts of q sharing q[first]'s key, folded, and mark them. */
static void
ask_group(FILE *tty, struct drove_hostkey_query *q, size_t n, size_t first,
    int *group, int g)
{
	char *folded;
	size_t i, naddr = 0;

	for (i = first; i < n; i++) {
		if (group[i] != 0 ||
		    strcmp(q[i].fingerprint, q[first].fingerprint) != 0)
			continue;
		group[i] = g;
		if (strcmp(q[i].address, q[first].address) != 0 ||
		    q[i].port != q[first].port)
			naddr++;
	}
	folded = group_names(q, n, group, g);
	if (naddr == 0)
		fprintf(tty, "  %s (%s port %d)\n      %s %s\n",
		    folded ? folded : q[first].name, q[first].address,
		    q[first].port, q[first].keytype, q[first].fingerprint);
	else
		fprintf(tty, "  %s (%zu addresses)\n      %s %s\n",
		    folded ? folded : q[first].name, naddr + 1,
		    q[first].keytype, q[first].fingerprint);
	free(folded);
}

/*
 * The fleet holds hosts whose keys known_hosts lacks: one question for all
 * of them, hosts sharing a key shown together; all, none, or one key at a
 * time.  A status line on the terminal is erased first (the fleet draws
 * none while the question is up); Ctrl-C ends the question as none.
 */
enum drove_ask_answer
common_ask_hostkeys(struct drove_hostkey_query *q, size_t n, void *arg)
{
	const char *kh = arg;
	enum drove_ask_answer ans = DROVE_ASK_NONE;
	char line[64], *folded;
	FILE *tty;
	int *group, g = 0, i, k;

	if ((tty = fopen("/dev/tty", "r+")) == NULL)
		return DROVE_ASK_NONE;
	if ((group = calloc(n, sizeof *group)) == NULL)
		goto out;
	if (common_smart_tty(STDERR_FILENO))
		fputs("\r\033[K", tty);
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
		folded = group_names(q, n, group, k);
		fprintf(tty, "[%d/%d] %s %s %s\n", k, g,
		    folded != NULL ? folded : q[i].name, q[i].keytype,
		    q[i].fingerprint);
		free(folded);
		do {
			fprintf(tty, "Accept this key for the host%s above? "
			    "[y/n]: ", n > 1 ? "s" : "");
			if (tty_answer(tty, line, sizeof line) != 0) {
				ans = DROVE_ASK_NONE;
				goto out;
			}
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

/* When asked to (ask) and not read yet, read a secret on the terminal
 * into *out with prompt; opt names the option for an error.  0, or -1
 * (printed). */
static int
ask_once(int ask, char **out, const char *prompt, const char *opt)
{
	char pw[512];

	if (!ask || *out != NULL)
		return 0;
	if (read_secret(prompt, pw, sizeof pw) != 0) {
		fprintf(stderr, "drove: %s needs a terminal\n", opt);
		return -1;
	}
	*out = strdup(pw);
	explicit_bzero(pw, sizeof pw);
	if (*out == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return -1;
	}
	return 0;
}

/* With -K, read the become password on the terminal unless it was read
 * already (once for every fleet of a command); 0, or -1 (printed). */
int
common_ask_become_pass(struct common_opts *o)
{
	return ask_once(o->ask_become_pass, &o->become_password,
	    "BECOME password: ", "-K (--ask-become-pass)");
}

/* With --ask-pass, read the password on the terminal unless it was read
 * already (once for every fleet of a command); 0, or -1 (printed). */
int
common_ask_pass(struct common_opts *o)
{
	return ask_once(o->ask_pass, &o->password, "Password: ",
	    "--ask-pass");
}
