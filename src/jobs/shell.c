/*
 * shell.c: the shell job (see shell.h) and drove_fleet_shell(), which runs
 * it on a fleet of one host.
 *
 * Each step sends first, then reads: a write or window change that
 * returned EAGAIN is repeated with the same arguments before anything else
 * is sent, and a window change waits for the write in flight (engine/README,
 * 1).  Typed input is read only when what was typed before has been
 * sent, and the channel only when what it said before has been written out,
 * so neither side is buffered without bound.  The remote EOF ends the
 * input; the remote close gives the exit status (engine/README, 5).
 *
 * A shell that becomes another user (jobs/become.h) runs sudo or su with a
 * login shell (or the command) as the exec request; until it has started,
 * output goes through the become filter, which writes the password at its
 * prompt, and typed input waits.  Only what the filter hands on is shown
 * and recorded.
 */
#define _GNU_SOURCE	/* pipe2 */

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/fleet.h"
#include "jobs/become.h"
#include "jobs/exec.h"
#include "jobs/shell.h"

#define SHELL_WINDOW	(256 * 1024)	/* channel window (engine/README, 6) */
#define SHELL_IN_READ	4096		/* typed bytes taken at once */
#define SHELL_OUT	32768		/* output bytes held at once */
#define SHELL_READ_CAP	(256 * 1024)	/* bytes per step, for fairness */

enum shell_state {
	SH_OPEN, SH_PTY, SH_START, SH_RUN, SH_WAIT, SH_CLOSE, SH_DONE
};

struct shell_job {
	struct job		 job;
	enum shell_state	 st;
	struct shell_ctl	*ctl;
	struct sess		*s;
	LIBSSH2_CHANNEL		*ch;
	struct shell_esc	 esc;
	struct timespec		 t0;		/* the recording's start */
	/* typed input, filtered, waiting to be sent */
	char			 in[2 * SHELL_IN_READ];
	size_t			 inlen;
	size_t			 inoff;
	size_t			 wlen;		/* length of a pending write */
	enum chan_half		 half;		/* whose packet is half-sent */
	int			 in_eof;
	int			 in_poll;	/* epoll refused in_fd: read it
						   on each step */
	int			 eofing;	/* send_eof returned EAGAIN */
	int			 eof_sent;
	/* output read from the channel, not yet written out */
	char			 out[SHELL_OUT];
	size_t			 outlen;
	size_t			 outoff;
	int			 outfd;
	int			 remote_eof;
	unsigned int		 cols;		/* the size the server has */
	unsigned int		 rows;
	int			 resizing;	/* a window change in flight */
	int			 in_watched;
	int			 out_watched;	/* outfd */
	int			 pipe_watched;
	struct become		*bc;		/* NULL: the login user */
};

/* Start the filter at a line start. */
void
shell_esc_init(struct shell_esc *e, int ch)
{
	e->ch = ch;
	e->line_start = 1;
	e->seen = 0;
}

/* Filter one typed byte. */
enum shell_esc_action
shell_esc_byte(struct shell_esc *e, unsigned char c, char out[2],
    size_t *nout)
{
	*nout = 0;
	if (e->seen) {
		e->seen = 0;
		if (c == '.')
			return SHELL_ESC_DISCONNECT;
		if (c == '?')
			return SHELL_ESC_HELP;
		if ((int)c == e->ch) {
			out[(*nout)++] = (char)c;
			e->line_start = 0;
			return SHELL_ESC_NONE;
		}
		out[(*nout)++] = (char)e->ch;
	} else if (e->line_start && (int)c == e->ch) {
		e->seen = 1;
		return SHELL_ESC_NONE;
	}
	out[(*nout)++] = (char)c;
	e->line_start = c == '\r' || c == '\n';
	return SHELL_ESC_NONE;
}

/* Seconds since the recording began. */
static double
shell_clock(const struct shell_job *x)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - x->t0.tv_sec) +
	    (double)(now.tv_nsec - x->t0.tv_nsec) / 1e9;
}

/* The text of libssh2's last error. */
static const char *
shell_lserr(struct sess *s)
{
	char *msg = NULL;

	libssh2_session_last_error(s->ls, &msg, NULL, 0);
	return msg != NULL ? msg : "";
}

/* Show the escapes on the output, as ssh does. */
static void
shell_help(struct shell_job *x)
{
	char buf[512];
	int c = x->esc.ch, n;

	n = snprintf(buf, sizeof buf, "%c?\r\nSupported escape sequences:\r\n"
	    " %c.   - terminate connection\r\n"
	    " %c?   - this message\r\n"
	    " %c%c   - send the escape character by typing it twice\r\n"
	    "(Note that escapes are only recognized immediately after "
	    "newline.)\r\n", c, c, c, c, c);
	if (n > 0 && write(x->ctl->o.out_fd, buf, (size_t)n) < 0)
		return;
}

/* Read what was typed into the input buffer (empty), through the escape
 * filter; sets in_eof at its end and ctl->disconnected on the escape. */
static void
shell_take_input(struct shell_job *x)
{
	char raw[SHELL_IN_READ], two[2];
	enum shell_esc_action a;
	size_t i, n2;
	ssize_t n;

	do
		n = read(x->ctl->o.in_fd, raw, sizeof raw);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return;
	if (n <= 0) {
		x->in_eof = 1;
		return;
	}
	if (x->ctl->recording && x->ctl->o.record_input)
		record_event(&x->ctl->rec, shell_clock(x), 'i', raw,
		    (size_t)n);
	for (i = 0; i < (size_t)n; i++) {
		a = shell_esc_byte(&x->esc, (unsigned char)raw[i], two, &n2);
		if (a == SHELL_ESC_DISCONNECT) {
			x->ctl->disconnected = 1;
			return;
		}
		if (a == SHELL_ESC_HELP)
			shell_help(x);
		memcpy(x->in + x->inlen, two, n2);
		x->inlen += n2;
	}
}

/* Watch fd for events, or stop (events 0); *watched tracks it. */
static void
shell_watch(struct shell_job *x, int fd, int events, loop_fd_cb *cb,
    int *watched)
{
	struct loop *l = x->s->cfg->loop;

	if (events == 0 && *watched) {
		loop_unwatch(l, fd);
		*watched = 0;
	} else if (events != 0 && !*watched) {
		if (loop_watch(l, fd, events, cb, x) == 0)
			*watched = 1;
		else if (fd == x->ctl->o.in_fd)
			x->in_poll = 1;	/* a file: reads never wait */
	}
}

/* Typed input is ready. */
static void
shell_in_cb(struct loop *l, int fd, int events, void *arg)
{
	struct shell_job *x = arg;

	(void)l;
	(void)fd;
	(void)events;
	if (x->inoff == x->inlen && !x->in_eof)
		shell_take_input(x);
	if (x->inoff < x->inlen || x->in_eof || x->ctl->disconnected)
		shell_watch(x, x->ctl->o.in_fd, 0, shell_in_cb,
		    &x->in_watched);
	sess_wake(x->s);
}

/* The output fd takes more, or the window changed: step. */
static void
shell_wake_cb(struct loop *l, int fd, int events, void *arg)
{
	struct shell_job *x = arg;
	char buf[64];

	(void)l;
	(void)events;
	if (fd == x->ctl->pipe[0]) {
		while (read(fd, buf, sizeof buf) > 0)
			;
	} else if (x->out_watched) {
		loop_unwatch(x->s->cfg->loop, fd);
		x->out_watched = 0;
	}
	sess_wake(x->s);
}

/* Read typed input when there is room, i.e. all before it was sent, and
 * a become has started the shell. */
static void
shell_arm_input(struct shell_job *x)
{
	int want = x->st == SH_RUN && x->inoff == x->inlen && !x->in_eof &&
	    !x->remote_eof && !x->ctl->disconnected &&
	    (x->bc == NULL || become_started(x->bc));

	if (x->in_poll)
		return;
	shell_watch(x, x->ctl->o.in_fd, want ? LOOP_READ : 0, shell_in_cb,
	    &x->in_watched);
}

/* Send a window change, pending input, then EOF after the last input;
 * 0 when all is sent, DROVE_AGAIN to wait, or an error. */
static int
shell_send(struct shell_job *x)
{
	struct shell_ctl *c = x->ctl;
	ssize_t n;
	int rc;

	for (;;) {
		if (x->wlen == 0 && !x->eofing && !x->resizing && c->o.pty &&
		    (x->cols != (unsigned int)c->cols ||
		    x->rows != (unsigned int)c->rows)) {
			x->cols = (unsigned int)c->cols;
			x->rows = (unsigned int)c->rows;
			x->resizing = 1;
			if (c->recording)
				record_resize(&c->rec, shell_clock(x),
				    x->cols, x->rows);
		}
		if (x->resizing) {
			rc = libssh2_channel_request_pty_size_ex(x->ch,
			    (int)x->cols, (int)x->rows, 0, 0);
			x->half = chan_half_after(x->s, x->half, HALF_WRITE,
			    rc);
			if (rc == LIBSSH2_ERROR_EAGAIN || chan_send_blocked(rc))
				return DROVE_AGAIN;
			x->resizing = 0;
			continue;
		}
		if (x->inoff == x->inlen) {
			x->inoff = x->inlen = 0;
			if (!x->in_poll || x->in_eof || c->disconnected)
				break;
			shell_take_input(x);
			if (x->inlen == 0)
				break;
			continue;
		}
		if (x->wlen == 0)
			x->wlen = x->inlen - x->inoff;
		n = libssh2_channel_write_ex(x->ch, 0, x->in + x->inoff,
		    x->wlen);
		x->half = chan_half_after(x->s, x->half, HALF_WRITE, n);
		if (n == LIBSSH2_ERROR_EAGAIN || chan_send_blocked(n))
			return DROVE_AGAIN;
		x->wlen = 0;
		if (n == 0)	/* no window: nothing was queued */
			return DROVE_AGAIN;
		if (n < 0) {	/* the channel is closing: drop it */
			x->inoff = x->inlen;
			x->in_eof = x->eof_sent = 1;
			continue;
		}
		x->inoff += (size_t)n;
	}
	if (x->in_eof && !x->eof_sent) {
		x->eofing = 1;
		rc = libssh2_channel_send_eof(x->ch);
		x->half = chan_half_after(x->s, x->half, HALF_WRITE, rc);
		if (rc == LIBSSH2_ERROR_EAGAIN || chan_send_blocked(rc))
			return DROVE_AGAIN;
		if (rc != 0)
			return err_set(&x->s->err, DROVE_E_PROTOCOL,
			    "send EOF to %s: %s (%d)", x->s->name,
			    shell_lserr(x->s), rc);
		x->eofing = 0;
		x->eof_sent = 1;
	}
	return 0;
}

/* Write held output; 0 when all is out, DROVE_AGAIN while the fd is full. */
static int
shell_flush(struct shell_job *x, struct sess *s)
{
	ssize_t n;

	while (x->outoff < x->outlen) {
		n = write(x->outfd, x->out + x->outoff, x->outlen - x->outoff);
		if (n > 0) {
			x->outoff += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			if (!x->out_watched && loop_watch(s->cfg->loop,
			    x->outfd, LOOP_WRITE, shell_wake_cb, x) == 0)
				x->out_watched = 1;
			return DROVE_AGAIN;
		}
		return err_set(&s->err, DROVE_E_IO, "write output: %s",
		    n == 0 ? "nothing written" : strerror(errno));
	}
	x->outoff = x->outlen = 0;
	return 0;
}

/* What the become filter hands on as the shell starts: held for out_fd
 * (both streams: a pty has one) and recorded; past SHELL_OUT, which only
 * sudo's or su's chatter could fill, it is dropped. */
static void
shell_keep(void *arg, int stream, const char *p, size_t n)
{
	struct shell_job *x = arg;

	(void)stream;
	if (n > sizeof x->out - x->outlen)
		n = sizeof x->out - x->outlen;
	memcpy(x->out + x->outlen, p, n);
	x->outlen += n;
	x->outfd = x->ctl->o.out_fd;
	if (x->ctl->recording)
		record_event(&x->ctl->rec, shell_clock(x), 'o', p, n);
}

/* n bytes read into x->out from stream: to be shown and recorded, or
 * through the become filter until the shell started; 0 or an error. */
static int
shell_output(struct shell_job *x, struct sess *s, int stream, size_t n)
{
	if (x->bc != NULL && !become_started(x->bc)) {
		memcpy(s->cfg->rbuf, x->out, n);
		return become_output(x->bc, s, stream, s->cfg->rbuf, n,
		    shell_keep, x);
	}
	x->outlen = n;
	x->outfd = stream == 0 ? x->ctl->o.out_fd : x->ctl->o.err_fd;
	if (x->ctl->recording)
		record_event(&x->ctl->rec, shell_clock(x), 'o', x->out, n);
	return 0;
}

/* Move the channel's output out until a fd is full; 1 when the remote
 * sent EOF and everything is out, 0 when not, DROVE_E_* on failure. */
static int
shell_pump(struct shell_job *x, struct sess *s)
{
	size_t budget = SHELL_READ_CAP;
	int stream, rc, again;
	ssize_t n;

	for (;;) {
		if ((rc = shell_flush(x, s)) != 0)
			return rc < 0 ? rc : 0;
		if (budget == 0)
			return 0;
		again = 0;
		for (stream = 0; stream < 2 && x->outlen == 0; stream++) {
			n = libssh2_channel_read_ex(x->ch, stream, x->out,
			    sizeof x->out);
			x->half = chan_half_after(s, x->half, HALF_READ, n);
			if (n > 0) {
				budget -= (size_t)n < budget ? (size_t)n :
				    budget;
				if ((rc = shell_output(x, s, stream,
				    (size_t)n)) != 0)
					return rc;
			} else if (n == LIBSSH2_ERROR_EAGAIN ||
			    n == LIBSSH2_ERROR_SOCKET_SEND)
				again = 1;
			else if (n < 0)
				return err_set(&s->err, DROVE_E_PROTOCOL,
				    "read output of %s: %s (%d)", s->name,
				    shell_lserr(s), (int)n);
		}
		if (x->outlen > 0)
			continue;
		if (libssh2_channel_eof(x->ch) == 1)
			x->remote_eof = 1;
		return !again && x->remote_eof;
	}
}

/* The shell started: watch the local side, begin the recording. */
static void
shell_started(struct shell_job *x)
{
	struct shell_ctl *c = x->ctl;

	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	if (c->recording)
		record_header(&c->rec, x->cols, x->rows, (long long)time(NULL),
		    c->o.term, c->o.record_shell);
	shell_watch(x, c->pipe[0], LOOP_READ, shell_wake_cb,
	    &x->pipe_watched);
	x->st = SH_RUN;
	shell_arm_input(x);
}

/* Advance the shell job. */
static int
shell_step(struct job *j, struct sess *s)
{
	struct shell_job *x = (struct shell_job *)j;
	struct shell_ctl *c = x->ctl;
	const char *cmd = c->o.command;
	char *wrapped = NULL;
	int rc;

	x->s = s;
	switch (x->st) {
	case SH_OPEN:
		x->ch = libssh2_channel_open_ex(s->ls, "session",
		    sizeof "session" - 1, SHELL_WINDOW,
		    LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
		if (x->ch == NULL) {
			if (libssh2_session_last_errno(s->ls) ==
			    LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			return err_set(&s->err, DROVE_E_CHANNEL,
			    "open channel on %s: %s", s->name,
			    shell_lserr(s));
		}
		x->cols = (unsigned int)c->cols;
		x->rows = (unsigned int)c->rows;
		x->st = SH_PTY;
		/* FALLTHROUGH */
	case SH_PTY:
		if (c->o.pty) {
			rc = libssh2_channel_request_pty_ex(x->ch, c->o.term,
			    (unsigned int)strlen(c->o.term), NULL, 0,
			    (int)x->cols, (int)x->rows, 0, 0);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			if (rc != 0)
				return err_set(&s->err, DROVE_E_CHANNEL,
				    "pty request on %s refused: %s", s->name,
				    shell_lserr(s));
		}
		x->st = SH_START;
		/* FALLTHROUGH */
	case SH_START:
		if (x->bc != NULL && (cmd = wrapped = become_command(x->bc,
		    cmd)) == NULL)
			return err_set(&s->err, DROVE_E_NOMEM, "out of memory");
		if (cmd != NULL)
			rc = libssh2_channel_process_startup(x->ch, "exec",
			    sizeof "exec" - 1, cmd, (unsigned int)strlen(cmd));
		else
			rc = libssh2_channel_process_startup(x->ch, "shell",
			    sizeof "shell" - 1, NULL, 0);
		free(wrapped);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc != 0)
			return err_set(&s->err, DROVE_E_CHANNEL,
			    "%s on %s refused: %s", cmd ? "exec" : "shell",
			    s->name, shell_lserr(s));
		shell_started(x);
		/* FALLTHROUGH */
	case SH_RUN:
		if (c->disconnected)
			return err_set(&s->err, DROVE_E_CANCELLED,
			    "disconnected");
		do {
			/* nothing typed goes out before a become started */
			rc = 0;
			/* a read's window adjust half-sent goes first */
			if (x->half != HALF_READ && x->bc != NULL)
				rc = become_step(x->bc, x->ch, s);
			if (rc == 0 && x->half != HALF_READ)
				rc = shell_send(x);
			if (rc < 0)
				return rc;
			if (x->half == HALF_WRITE) {
				sess_send_first(s);
				return DROVE_AGAIN;
			}
			rc = shell_pump(x, s);
		} while (rc == 0 && x->bc != NULL && become_due(x->bc));
		if (rc == 0 && x->half == HALF_READ)
			sess_send_first(s);	/* as in exec_step() */
		shell_arm_input(x);
		if (rc <= 0)
			return rc < 0 ? rc : DROVE_AGAIN;
		if (x->bc != NULL && !become_started(x->bc) &&
		    (rc = become_ended(x->bc, s)) != 0)
			return rc < 0 ? rc : err_set(&s->err, DROVE_E_AUTH,
			    "become: sudo needs a terminal (requiretty): run "
			    "the shell on one");
		/* a write waiting for window (none left) has nothing
		 * half-sent, so it may be dropped */
		if (x->resizing || x->eofing || (x->wlen != 0 &&
		    libssh2_channel_window_write(x->ch) > 0))
			return DROVE_AGAIN;
		x->wlen = 0;
		x->st = SH_WAIT;
		/* FALLTHROUGH */
	case SH_WAIT:
		if ((rc = chan_closed(x->ch, s)) != 0)
			return rc;
		x->st = SH_CLOSE;
		/* FALLTHROUGH */
	case SH_CLOSE:
		if (libssh2_channel_close(x->ch) == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		exec_outcome(x->ch, s);
		x->st = SH_DONE;
		/* FALLTHROUGH */
	case SH_DONE:
		break;
	}
	return 0;
}

/* Whether libssh2 holds output the job would take now, or an EOF. */
static int
shell_hidden_input(struct job *j)
{
	struct shell_job *x = (struct shell_job *)j;

	if (x->st != SH_RUN || x->outlen > 0 || x->ctl->disconnected ||
	    x->half != HALF_NONE)
		return 0;
	return chan_hidden(x->ch, !x->remote_eof);
}

/* Whether nothing is being sent. */
static int
shell_idle(struct job *j)
{
	struct shell_job *x = (struct shell_job *)j;

	return x->st == SH_RUN && x->wlen == 0 && x->half == HALF_NONE &&
	    !x->resizing &&
	    !x->eofing && (x->bc == NULL || become_idle(x->bc));
}

/* Stop watching the local fds and free the job; the channel only when it
 * is closed (else the session frees it after the socket is shut down). */
static void
shell_free(struct job *j, int abort)
{
	struct shell_job *x = (struct shell_job *)j;

	if (x == NULL)
		return;
	if (x->s != NULL) {
		shell_watch(x, x->ctl->o.in_fd, 0, NULL, &x->in_watched);
		shell_watch(x, x->ctl->pipe[0], 0, NULL, &x->pipe_watched);
		if (x->out_watched)
			loop_unwatch(x->s->cfg->loop, x->outfd);
	}
	if (x->ch != NULL && !abort && x->st == SH_DONE)
		libssh2_channel_free(x->ch);
	become_free(x->bc);
	free(x);
}

/* Whether output waits for the local side: the socket must not wake us. */
static int
shell_local_wait(struct job *j)
{
	struct shell_job *x = (struct shell_job *)j;

	return x->outoff < x->outlen;
}

static const struct job_ops shell_ops = {
	.step = shell_step,
	.hidden_input = shell_hidden_input,
	.local_wait = shell_local_wait,
	.idle = shell_idle,
	.free = shell_free,
};

/* Make a shell job, as b's user (NULL: the login user); the job owns b,
 * made or not. */
struct job *
shell_job_new(struct shell_ctl *c, struct become *b)
{
	struct shell_job *x;

	if ((x = calloc(1, sizeof *x)) == NULL) {
		become_free(b);
		return NULL;
	}
	x->bc = b;
	x->job.ops = &shell_ops;
	x->ctl = c;
	shell_esc_init(&x->esc, c->o.escape);
	return &x->job;
}

/* Make fd non-blocking. */
static void
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl != -1 && !(fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* The job of the one host of a fleet in drove_fleet_shell(). */
static struct job *
shell_fleet_job(struct drove_fleet *f, size_t host)
{
	struct become *b;

	if (become_host(f, host, f->shell->o.command == NULL, &b) != 0)
		return NULL;
	return shell_job_new(f->shell, b);
}

/* Run a shell on the fleet's one host. */
int
drove_fleet_shell(drove_fleet *f, const struct drove_shell_opts *o)
{
	struct shell_ctl c;
	int rc, in_fl, out_fl;

	if (f->nhosts != 1)
		return err_set(&f->err, DROVE_E_INVAL, "a shell needs one "
		    "host, not %zu", f->nhosts);
	memset(&c, 0, sizeof c);
	c.o = *o;
	if (c.o.term == NULL)
		c.o.term = "vt100";
	c.cols = o->cols > 0 ? (int)o->cols : 80;
	c.rows = o->rows > 0 ? (int)o->rows : 24;
	if (o->record != NULL) {
		record_init(&c.rec, o->record);
		c.recording = 1;
	}
	if (pipe2(c.pipe, O_NONBLOCK | O_CLOEXEC) != 0)
		return err_set(&f->err, DROVE_E_IO, "pipe: %s",
		    strerror(errno));
	free(f->command);
	f->command = NULL;
	f->keyscan = 0;
	f->stdin_fd = -1;
	in_fl = fcntl(o->in_fd, F_GETFL);
	out_fl = fcntl(o->out_fd, F_GETFL);
	set_nonblock(o->in_fd);
	set_nonblock(o->out_fd);
	fleet_set_job(f, shell_fleet_job, NULL, NULL);
	__atomic_store_n(&f->shell, &c, __ATOMIC_SEQ_CST);
	rc = drove_fleet_run(f);
	__atomic_store_n(&f->shell, NULL, __ATOMIC_SEQ_CST);
	fleet_set_job(f, NULL, NULL, NULL);
	if (out_fl != -1)
		fcntl(o->out_fd, F_SETFL, out_fl);
	if (in_fl != -1)
		fcntl(o->in_fd, F_SETFL, in_fl);
	close(c.pipe[0]);
	close(c.pipe[1]);
	if (rc == 0 && c.recording && fflush(o->record) != 0)
		rc = err_set(&f->err, DROVE_E_IO, "write recording: %s",
		    strerror(errno));
	return rc;
}

/* Signal handler safe: note the new size and wake the job. */
void
drove_fleet_shell_resize(drove_fleet *f, unsigned int cols,
    unsigned int rows)
{
	struct shell_ctl *c = __atomic_load_n(&f->shell, __ATOMIC_SEQ_CST);
	int saved = errno;
	ssize_t n;

	if (c == NULL)
		return;
	c->cols = (int)cols;
	c->rows = (int)rows;
	n = write(c->pipe[1], "", 1);	/* full: a wake-up waits anyway */
	(void)n;
	errno = saved;
}
