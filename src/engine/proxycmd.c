/*
 * proxycmd.c: the ProxyCommand transport: a child process, run through
 * /bin/sh -c once per host, carries the session's bytes on its stdin and
 * stdout.
 *
 * Both are one end of a socket pair whose other end becomes the session's
 * fd, so the session reads, writes and waits on it as on a TCP socket (and
 * a command that exits makes a write fail, never raise SIGPIPE).  The
 * command's stderr is a pipe read when the session lets go: its last line
 * joins the host's error.  The child runs in a process group of its own,
 * which is killed and reaped when the session lets go, whatever ended it
 * (done, failed, timed out or interrupted); the command may have started
 * children of its own.
 */
#define _GNU_SOURCE	/* pipe2 */

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/log.h"
#include "engine/proxycmd.h"
#include "engine/sess.h"
#include "engine/transport.h"

extern char **environ;

struct proxycmd {
	struct transport	 tp;
	char			*command;	/* expanded */
	pid_t			 pid;		/* 0: not started */
	int			 errfd;		/* its stderr, our end */
};

/* Expand %h %p %r %n %% of command for s (as ssh does); 0 or
 * DROVE_E_INVAL naming the bad token (e set). */
static int
expand(const char *command, const struct sess *s, const char *name,
    struct buf *b, struct drove_err *e)
{
	const char *p;

	for (p = command; *p != '\0'; p++) {
		if (*p != '%') {
			buf_append(b, p, 1);
			continue;
		}
		switch (*++p) {
		case 'h':
			buf_puts(b, s->address);
			break;
		case 'p':
			buf_printf(b, "%d", s->port);
			break;
		case 'r':
			buf_puts(b, s->user);
			break;
		case 'n':
			buf_puts(b, name);
			break;
		case '%':
			buf_puts(b, "%");
			break;
		default:
			return err_set(e, DROVE_E_INVAL, "proxy command of %s: "
			    "unknown token %%%.1s in '%s' (%%h %%p %%r %%n "
			    "%%%%)", name, *p ? p : "", command);
		}
	}
	return b->data == NULL ? err_set(e, DROVE_E_NOMEM, "out of memory") :
	    0;
}

/* Start the command with a socket pair as stdin and stdout. */
static int
pc_open(struct transport *tp, struct sess *s)
{
	struct proxycmd *p = (struct proxycmd *)tp;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	char sh[] = "sh", dashc[] = "-c";
	char *argv[] = { sh, dashc, p->command, NULL };
	int sv[2] = { -1, -1 }, ep[2] = { -1, -1 }, rc;

	if (p->pid > 0)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    pipe2(ep, O_CLOEXEC) == -1) {
		rc = errno;
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 0);
	posix_spawn_file_actions_adddup2(&fa, sv[1], 1);
	posix_spawn_file_actions_adddup2(&fa, ep[1], 2);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	rc = posix_spawn(&p->pid, "/bin/sh", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		p->pid = 0;
		goto fail;
	}
	LOG("%s: proxy command pid %d: %s", s->name, (int)p->pid, p->command);
	close(sv[1]);
	close(ep[1]);
	fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK);
	fcntl(ep[0], F_SETFL, fcntl(ep[0], F_GETFL) | O_NONBLOCK);
	p->errfd = ep[0];
	s->fd = sv[0];
	s->watching = 0;
	return 0;
 fail:
	if (sv[0] != -1) {
		close(sv[0]);
		close(sv[1]);
	}
	if (ep[0] != -1) {
		close(ep[0]);
		close(ep[1]);
	}
	return err_set(&s->err, DROVE_E_IO, "proxy command of %s: %s",
	    s->name, strerror(rc));
}

/* The last non-empty line of what the command wrote on stderr. */
static void
last_line(int fd, char *out, size_t size)
{
	char buf[4096], *p, *q;
	size_t keep = 0;
	ssize_t n;

	out[0] = '\0';
	while ((n = read(fd, buf + keep, sizeof buf - 1 - keep)) > 0) {
		keep += (size_t)n;
		buf[keep] = '\0';
		if (keep == sizeof buf - 1) {
			/* keep the tail only */
			memmove(buf, buf + keep / 2, keep - keep / 2 + 1);
			keep -= keep / 2;
		}
	}
	buf[keep] = '\0';
	while (keep > 0 && (buf[keep - 1] == '\n' || buf[keep - 1] == '\r'))
		buf[--keep] = '\0';
	p = (q = strrchr(buf, '\n')) != NULL ? q + 1 : buf;
	snprintf(out, size, "%.*s", (int)size - 1, p);
}

/* The session lets go: kill and reap the command, keep its words. */
static void
pc_close(struct transport *tp, struct sess *s)
{
	struct proxycmd *p = (struct proxycmd *)tp;
	char said[200];
	size_t n;
	int st = 0, exited = 0;

	if (p->pid <= 0)
		return;
	if (waitpid(p->pid, &st, WNOHANG) == p->pid)
		exited = 1;
	else {
		kill(-p->pid, SIGKILL);
		while (waitpid(p->pid, &st, 0) == -1 && errno == EINTR)
			;
	}
	/* its own children may linger; the group goes too */
	kill(-p->pid, SIGKILL);
	LOG("%s: proxy command pid %d %s", s->name, (int)p->pid,
	    exited ? "exited" : "killed");
	p->pid = -1;
	last_line(p->errfd, said, sizeof said);
	close(p->errfd);
	p->errfd = -1;
	if (s->err.code == 0)
		return;
	n = strlen(s->err.msg);
	if (said[0] != '\0')
		snprintf(s->err.msg + n, sizeof s->err.msg - n,
		    "; proxy command said: %s", said);
	else if (exited && WIFEXITED(st))
		snprintf(s->err.msg + n, sizeof s->err.msg - n,
		    "; proxy command exited with status %d",
		    WEXITSTATUS(st));
}

/* Free the transport (closed already, or never started). */
static void
pc_free(struct transport *tp)
{
	struct proxycmd *p = (struct proxycmd *)tp;

	if (p->pid > 0) {
		kill(-p->pid, SIGKILL);
		while (waitpid(p->pid, NULL, 0) == -1 && errno == EINTR)
			;
	}
	if (p->errfd != -1)
		close(p->errfd);
	free(p->command);
	free(p);
}

static const struct transport_ops pc_ops = {
	.open = pc_open,
	.close = pc_close,
	.free = pc_free,
};

/* Give s (not started) the proxy command transport. */
int
proxycmd_attach(struct sess *s, const char *command, const char *name,
    struct drove_err *e)
{
	struct proxycmd *p;
	struct buf b;
	int r;

	buf_init(&b);
	if ((r = expand(command, s, name, &b, e)) != 0) {
		buf_release(&b);
		return r;
	}
	if ((p = calloc(1, sizeof *p)) == NULL) {
		buf_release(&b);
		return err_set(e, DROVE_E_NOMEM, "out of memory");
	}
	p->tp.ops = &pc_ops;
	p->command = buf_steal(&b, NULL);
	p->errfd = -1;
	s->tp = &p->tp;
	return 0;
}
