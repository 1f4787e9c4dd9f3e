/*
 * exec.c: the exec job: open a channel, exec, feed stdin, stream stdout and
 * stderr, then close and read the exit status or signal.
 *
 * Both streams are read on every step so that neither window fills
 * (engine/README, 4).  A write that returned EAGAIN is repeated with the
 * same pointer and length before anything else is sent; a read's deferred
 * window adjust (-7) is not an error (engine/README, 1).  A remote EOF
 * does not stop stdin (the command may still read it); the job waits for
 * the remote close, which follows the command's exit, then closes its side
 * and reads the exit status or signal (engine/README, 5).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fleet.h"
#include "jobs/exec.h"

#define EXEC_WINDOW	(256 * 1024)	/* per-channel window (engine/README, 6) */
#define EXEC_READ_CAP	(256 * 1024)	/* bytes per step, for fairness */
#define EXEC_WRITE_MAX	32768

enum exec_state { EX_OPEN, EX_EXEC, EX_RUN, EX_WAIT, EX_CLOSE, EX_DONE };

struct exec_job {
	struct job		 job;
	enum exec_state		 st;
	char			*command;
	const struct feed	*in;
	struct feed_pos		 pos;		/* where we are in it */
	const char		*wp;		/* a pending write */
	size_t			 wlen;		/* its length */
	int			 in_done;	/* stdin fully sent or dropped */
	int			 eof_sent;
	int			 remote_eof;
	LIBSSH2_CHANNEL		*ch;
};

/* The text of libssh2's last error. */
static const char *
lserr(struct sess *s)
{
	char *msg = NULL;

	libssh2_session_last_error(s->ls, &msg, NULL, 0);
	return msg != NULL ? msg : "";
}

/* Send the next piece of stdin, then EOF; 0, DROVE_AGAIN to wait, or
 * DROVE_E_IO when stdin cannot be read (s->err set). */
static int
exec_write(struct exec_job *x, struct sess *s)
{
	ssize_t n;
	int rc;

	while (!x->in_done) {
		if (x->in == NULL) {
			x->in_done = 1;
			break;
		}
		if (x->wlen == 0) {
			rc = feed_next(x->in, &x->pos, EXEC_WRITE_MAX, &x->wp,
			    &x->wlen, &s->err);
			if (rc != 0)
				return rc;
			if (x->wlen == 0) {
				x->in_done = 1;
				break;
			}
		}
		/* the same pointer and length until it is taken */
		n = libssh2_channel_write_ex(x->ch, 0, x->wp, x->wlen);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (n == 0)	/* no window: nothing was queued */
			return DROVE_AGAIN;
		x->wlen = 0;
		if (n < 0) {
			/* the command stopped reading: keep its output */
			x->in_done = x->eof_sent = 1;
			break;
		}
		feed_advance(&x->pos, (size_t)n);
	}
	feed_pos_release(&x->pos);
	if (!x->eof_sent) {
		n = libssh2_channel_send_eof(x->ch);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		x->eof_sent = 1;
	}
	return 0;
}

/* Read what both streams have; 1 when the remote sent EOF and all is read. */
static int
exec_read(struct exec_job *x, struct sess *s, size_t *budget)
{
	ssize_t n;
	int stream, drained = 1;

	for (stream = 0; stream < 2; stream++) {
		while (*budget > 0) {
			n = libssh2_channel_read_ex(x->ch, stream,
			    s->cfg->rbuf, SESS_RBUF);
			if (n > 0) {
				s->ops->output(s->owner, stream, s->cfg->rbuf,
				    (size_t)n);
				*budget -= (size_t)n < *budget ? (size_t)n :
				    *budget;
				continue;
			}
			if (n == 0)
				break;
			if (n == LIBSSH2_ERROR_EAGAIN ||
			    n == LIBSSH2_ERROR_SOCKET_SEND) {
				drained = 0;
				break;
			}
			return err_set(&s->err, DROVE_E_PROTOCOL,
			    "read output of %s: %s (%d)", s->name, lserr(s),
			    (int)n);
		}
		if (*budget == 0)
			drained = 0;
	}
	if (libssh2_channel_eof(x->ch) == 1)
		x->remote_eof = 1;
	return drained && x->remote_eof;
}

/* Record a closed channel's exit signal, or else its exit status, in s. */
void
exec_outcome(LIBSSH2_CHANNEL *ch, struct sess *s)
{
	char *sig = NULL;
	size_t siglen = 0;

	libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL, NULL,
	    NULL);
	if (sig != NULL) {
		snprintf(s->signal, sizeof s->signal, "%.*s", (int)siglen, sig);
		free(sig);
	} else
		s->exit_code = libssh2_channel_get_exit_status(ch);
}

/* Advance the exec job. */
static int
exec_step(struct job *j, struct sess *s)
{
	struct exec_job *x = (struct exec_job *)j;
	size_t budget = EXEC_READ_CAP;
	int rc;

	switch (x->st) {
	case EX_OPEN:
		x->ch = libssh2_channel_open_ex(s->ls, "session",
		    sizeof "session" - 1, EXEC_WINDOW,
		    LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
		if (x->ch == NULL) {
			rc = libssh2_session_last_errno(s->ls);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			return err_set(&s->err, DROVE_E_CHANNEL,
			    "open channel on %s: %s", s->name, lserr(s));
		}
		x->st = EX_EXEC;
		/* FALLTHROUGH */
	case EX_EXEC:
		rc = libssh2_channel_process_startup(x->ch, "exec",
		    sizeof "exec" - 1, x->command,
		    (unsigned int)strlen(x->command));
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc != 0)
			return err_set(&s->err, DROVE_E_CHANNEL,
			    "exec on %s refused: %s", s->name, lserr(s));
		x->st = EX_RUN;
		/* FALLTHROUGH */
	case EX_RUN:
		rc = exec_write(x, s);
		if (rc < 0)
			return rc;
		rc = exec_read(x, s, &budget);
		if (rc < 0)
			return rc;
		if (rc == 0)
			return DROVE_AGAIN;
		if (!x->in_done || !x->eof_sent) {
			/*
			 * The command may still read stdin, unless the
			 * channel is closed: then drop the rest of it.  A
			 * write waiting for window (none left) has nothing
			 * half-sent, so it may be dropped too.
			 */
			if ((x->wlen != 0 &&
			    libssh2_channel_window_write(x->ch) > 0) ||
			    libssh2_channel_wait_closed(x->ch) != 0)
				return DROVE_AGAIN;
			x->wlen = 0;
			x->in_done = x->eof_sent = 1;
		}
		x->st = EX_WAIT;
		/* FALLTHROUGH */
	case EX_WAIT:
		rc = libssh2_channel_wait_closed(x->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		x->st = EX_CLOSE;
		/* FALLTHROUGH */
	case EX_CLOSE:
		rc = libssh2_channel_close(x->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		exec_outcome(x->ch, s);
		x->st = EX_DONE;
		/* FALLTHROUGH */
	case EX_DONE:
		break;
	}
	return 0;
}

/* Whether libssh2 queued output or an EOF that epoll cannot show. */
static int
exec_hidden_input(struct job *j)
{
	struct exec_job *x = (struct exec_job *)j;

	return x->st == EX_RUN && chan_hidden(x->ch, !x->remote_eof);
}

/* Whether libssh2 holds data (or an EOF) for ch that epoll cannot show. */
int
chan_hidden(LIBSSH2_CHANNEL *ch, int eof)
{
	unsigned long avail = 0;

	if (ch == NULL)
		return 0;
	libssh2_channel_window_read_ex(ch, &avail, NULL);
	return avail > 0 || (eof && libssh2_channel_eof(ch) == 1);
}

/* Whether nothing is being sent. */
static int
exec_idle(struct job *j)
{
	struct exec_job *x = (struct exec_job *)j;

	return x->st == EX_RUN && x->wlen == 0 &&
	    (x->in_done ? x->eof_sent : 1);
}

/* Free the job; the channel only when it is closed (else the session
 * frees it after the socket is shut down). */
static void
exec_free(struct job *j, int abort)
{
	struct exec_job *x = (struct exec_job *)j;

	if (x == NULL)
		return;
	if (x->ch != NULL && !abort && x->st == EX_DONE)
		libssh2_channel_free(x->ch);
	feed_pos_release(&x->pos);
	free(x->command);
	free(x);
}

static const struct job_ops exec_ops = {
	.step = exec_step,
	.hidden_input = exec_hidden_input,
	.idle = exec_idle,
	.free = exec_free,
};

/* Make an exec job. */
struct job *
exec_job_new(const char *command, const struct feed *in)
{
	struct exec_job *x;

	if ((x = calloc(1, sizeof *x)) == NULL)
		return NULL;
	if ((x->command = strdup(command)) == NULL) {
		free(x);
		return NULL;
	}
	x->job.ops = &exec_ops;
	x->in = in;
	return &x->job;
}

/* The job of host in a fleet set up by drove_fleet_exec(). */
struct job *
exec_fleet_job(struct drove_fleet *f, size_t host)
{
	(void)host;
	return exec_job_new(f->command, f->stdin_fd >= 0 ? &f->feed : NULL);
}

/* Set the command every host runs, and where its stdin comes from. */
int
drove_fleet_exec(drove_fleet *f, const char *command, int stdin_fd)
{
	char *p;

	if (command == NULL || *command == '\0')
		return err_set(&f->err, DROVE_E_INVAL, "empty command");
	if ((p = strdup(command)) == NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	fleet_set_job(f, exec_fleet_job, NULL, NULL);
	free(f->command);
	f->command = p;
	f->stdin_fd = stdin_fd;
	return 0;
}
