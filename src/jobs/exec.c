/*
 * exec.c: the exec job: open a channel, exec, feed stdin, stream stdout and
 * stderr, then close and read the exit status or signal.
 *
 * Both streams are read on every step so that neither window fills
 * (engine/README, 4).  A write that returned EAGAIN is repeated with the
 * same pointer and length before anything else is sent; a read's deferred
 * window adjust (-7) is not an error (engine/README, 1); a read whose
 * window adjust is half-sent is made again before any write (chan_half).
 * A remote EOF does not stop stdin (the command may still read it); the
 * job waits for the remote close, which follows the command's exit, then
 * closes its side and reads the exit status or signal (engine/README, 5).
 *
 * Stopping a command (--timeout, Ctrl-C): sshd does not signal a command
 * that has no pty when its channel or connection closes, so it would run
 * on.  With libssh2 1.11 on (libssh2_channel_signal_ex) the job first
 * sends the SSH "signal" request for TERM, which OpenSSH's sshd delivers,
 * and waits for the close as usual (the session gives it a moment, then
 * closes).  A job made with a pty (exec_job_set_tty) needs none: when the
 * connection closes, sshd closes the pty and the kernel hangs up the
 * command (SIGHUP).  The pty has one stream (stderr comes with stdout),
 * does not echo stdin and does not turn "\n" into "\r\n".
 *
 * A job that becomes another user (jobs/become.h) runs the wrapped command,
 * on a pty when the filter wants one, hands its output to the filter, and
 * sends stdin only once the command has started; a channel that ends
 * before it started may be tried once more with a pty.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/fleet.h"
#include "jobs/become.h"
#include "jobs/exec.h"

#define EXEC_WINDOW	(256 * 1024)	/* per-channel window (engine/README, 6) */
#define EXEC_READ_CAP	(256 * 1024)	/* bytes per step, for fairness */
#define EXEC_WRITE_MAX	32768

enum exec_state {
	EX_OPEN, EX_PTY, EX_EXEC, EX_RUN, EX_WAIT, EX_CLOSE, EX_DONE,
	EX_LEFT		/* interrupted: the close is sent, the channel is
			   left to the session (sshd answers it only when
			   the command exits) */
};

struct exec_job {
	struct job		 job;
	enum exec_state		 st;
	char			*command;
	const struct feed	*in;
	struct feed_pos		 pos;		/* where we are in it */
	const char		*wp;		/* a pending write */
	size_t			 wlen;		/* its length */
	enum chan_half		 half;		/* whose packet is half-sent */
	int			 unended;	/* stdin's last line has no
						   newline yet */
	int			 veof;		/* a pty's EOF is being sent */
	int			 in_done;	/* stdin fully sent or dropped */
	int			 eof_sent;
	int			 early_eof;	/* an EOF sent behind the exec
						   request is half-sent */
	int			 remote_eof;
	int			 tty;		/* run under a pty */
	int			 signal;	/* 1: send TERM, 2: sent */
	int			 interrupted;	/* close, keep the session */
	int			 starting;	/* a pty or exec request is
						   half sent */
	int			 opening;	/* the channel open is sent */
	LIBSSH2_CHANNEL		*ch;
	struct become		*bc;		/* NULL: the login user */
	int			 again;		/* become: once more, a pty */
	job_output_fn		*out;		/* NULL: the session's owner */
	void			*out_arg;
};

/* Whether this libssh2 can send the "signal" channel request. */
#define EXEC_CAN_SIGNAL	(LIBSSH2_VERSION_NUM >= 0x010b00)

/* The pty's modes: no echo, no "\n" to "\r\n" (RFC 4254, 8). */
static const unsigned char exec_pty_modes[] = {
	53, 0, 0, 0, 0,		/* ECHO 0 */
	72, 0, 0, 0, 0,		/* ONLCR 0 */
	0			/* TTY_OP_END */
};

/* Hand output to the session's owner. */
static void
to_owner(void *arg, int stream, const char *p, size_t n)
{
	struct sess *s = arg;

	s->ops->output(s->owner, stream, p, n);
}

/* Hand output on: through the become filter, to the job's taker. */
static int
exec_emit(struct exec_job *x, struct sess *s, int stream, const char *p,
    size_t n)
{
	job_output_fn *fn = x->out != NULL ? x->out : to_owner;
	void *arg = x->out != NULL ? x->out_arg : s;

	if (x->bc != NULL)
		return become_output(x->bc, s, stream, p, n, fn, arg);
	fn(arg, stream, p, n);
	return 0;
}

/* The text of libssh2's last error. */
static const char *
lserr(struct sess *s)
{
	char *msg = NULL;

	libssh2_session_last_error(s->ls, &msg, NULL, 0);
	return msg != NULL ? msg : "";
}

/*
 * The end of stdin on a pty.  A channel EOF does not end a pty's input:
 * OpenSSH closes one of its two descriptors of the pty master, and the
 * command never sees it; dropbear (2024 and later) closes its only one,
 * and the command is hung up (SIGHUP) while it runs.  So none is sent.  On
 * a pty in canonical mode (-t) the end is typed as a user types it: the
 * terminal's EOF character, ^D, twice after an unfinished line.  The pty
 * of a become (su, sudo's requiretty) is raw: there stdin has no end.
 */
static int
exec_pty_eof(struct exec_job *x, struct sess *s)
{
	static const char veof[] = "\004\004";
	ssize_t n;

	if (x->bc != NULL && become_pty(x->bc)) {
		x->eof_sent = 1;
		return 0;
	}
	if (!x->veof) {
		x->veof = 1;
		x->wp = x->unended ? veof : veof + 1;
		x->wlen = x->unended ? 2 : 1;
	}
	while (x->wlen > 0) {
		n = libssh2_channel_write_ex(x->ch, 0, x->wp, x->wlen);
		x->half = chan_half_after(s, x->half, HALF_WRITE, n);
		if (n == LIBSSH2_ERROR_EAGAIN || chan_send_blocked(n) ||
		    n == 0)
			return DROVE_AGAIN;
		if (n < 0)
			break;	/* the command is gone */
		x->wp += n;
		x->wlen -= (size_t)n;
	}
	x->wlen = 0;
	x->eof_sent = 1;
	return 0;
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
		x->half = chan_half_after(s, x->half, HALF_WRITE, n);
		if (n == LIBSSH2_ERROR_EAGAIN || chan_send_blocked(n))
			return DROVE_AGAIN;
		x->wlen = 0;	/* feed_next gives the same bytes again */
		if (n == 0)	/* no window: nothing was queued */
			return DROVE_AGAIN;
		if (n > 0)
			x->unended = x->wp[n - 1] != '\n';
		if (x->interrupted)
			return DROVE_AGAIN;	/* closed on the next step */
		if (n < 0) {
			/* the command stopped reading: keep its output */
			x->in_done = x->eof_sent = 1;
			break;
		}
		feed_advance(&x->pos, (size_t)n);
	}
	feed_pos_release(&x->pos);
	if (!x->eof_sent && (x->tty || (x->bc != NULL && become_pty(x->bc))))
		return exec_pty_eof(x, s);
	if (!x->eof_sent) {
		n = libssh2_channel_send_eof(x->ch);
		x->half = chan_half_after(s, x->half, HALF_WRITE, n);
		if (n == LIBSSH2_ERROR_EAGAIN || chan_send_blocked(n))
			return DROVE_AGAIN;
		if (n != 0)
			return err_set(&s->err, DROVE_E_PROTOCOL,
			    "send EOF to %s: %s (%d)", s->name, lserr(s),
			    (int)n);
		x->eof_sent = 1;
	}
	return 0;
}

/*
 * Whether a write or EOF failed only because another packet is half-sent
 * (a read's window adjust, libssh2 1.10 says -39 or -7): it is to be made
 * again, with the same buffer, once that packet is out.
 */
int
chan_send_blocked(ssize_t n)
{
	return n == LIBSSH2_ERROR_BAD_USE || n == LIBSSH2_ERROR_SOCKET_SEND;
}

/*
 * What is half-sent after a call: a call that returned EAGAIN with libssh2
 * waiting to send left its own packet half-sent, unless another one was
 * (then this one could not begin).  A write waiting for window (none
 * left) waits to receive, and has nothing half-sent.
 */
enum chan_half
chan_half_after(struct sess *s, enum chan_half half, enum chan_half kind,
    ssize_t n)
{
	if (half != HALF_NONE && half != kind)
		return half;
	if (n == LIBSSH2_ERROR_EAGAIN &&
	    (libssh2_session_block_directions(s->ls) &
	    LIBSSH2_SESSION_BLOCK_OUTBOUND))
		return kind;
	return HALF_NONE;
}

/* Read what both streams have; 1 when the remote sent EOF and all is read. */
static int
exec_read(struct exec_job *x, struct sess *s, size_t *budget)
{
	ssize_t n;
	int rc, stream, drained = 1;

	for (stream = 0; stream < 2; stream++) {
		while (*budget > 0) {
			n = libssh2_channel_read_ex(x->ch, stream,
			    s->cfg->rbuf, SESS_RBUF);
			x->half = chan_half_after(s, x->half, HALF_READ, n);
			if (n > 0) {
				if ((rc = exec_emit(x, s, stream,
				    s->cfg->rbuf, (size_t)n)) != 0)
					return rc;
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

/*
 * Whether the server closed ch (after its EOF): 0 when it did, DROVE_AGAIN
 * while it has not, or an error when the connection ended first.  The exit
 * status comes before the server's close, so without that close there is
 * none: libssh2 would report 0, which must not pass for the command's.
 */
int
chan_closed(LIBSSH2_CHANNEL *ch, struct sess *s)
{
	int rc = libssh2_channel_wait_closed(ch);

	if (rc == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	if (rc != 0)
		return err_set(&s->err, DROVE_E_PROTOCOL, "connection lost "
		    "before the command's exit status");
	return 0;
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

/* Send the TERM signal request once the job was stopped; 0, or
 * DROVE_AGAIN while it waits to go out. */
static int
exec_signal(struct exec_job *x)
{
#if EXEC_CAN_SIGNAL
	int rc;

	if (x->signal != 1)
		return 0;
	rc = libssh2_channel_signal_ex(x->ch, "TERM", sizeof "TERM" - 1);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	x->signal = 2;		/* sent, or refused: the close follows */
#else
	(void)x;
#endif
	return 0;
}

/* The run is stopped (timeout, cancel): with the signal request, send
 * TERM and step on to the command's end; else close at once (a pty's
 * command is hung up by the close). */
static int
exec_stop(struct job *j)
{
	struct exec_job *x = (struct exec_job *)j;

	if (!EXEC_CAN_SIGNAL || x->tty || x->st != EX_RUN || x->signal != 0)
		return 0;
	x->signal = 1;
	return 1;
}

/*
 * Send EOF, for a command known to get no stdin, right behind its exec
 * request (sent while the request's answer is awaited, as OpenSSH does;
 * engine/README, 15): both leave in one segment, one wake-up of the
 * server, and the command gets its EOF a round trip sooner.  0 when sent;
 * DROVE_AGAIN when half sent (made again by exec_request() before
 * anything else); < 0 on error.
 */
static int
exec_eof_behind(struct exec_job *x, struct sess *s)
{
	ssize_t n;

	n = libssh2_channel_send_eof(x->ch);
	x->half = chan_half_after(s, x->half, HALF_WRITE, n);
	if (n == LIBSSH2_ERROR_EAGAIN || chan_send_blocked(n)) {
		x->early_eof = 1;
		return DROVE_AGAIN;
	}
	x->early_eof = 0;
	if (n != 0)
		return err_set(&s->err, DROVE_E_PROTOCOL, "send EOF to %s: "
		    "%s (%d)", s->name, lserr(s), (int)n);
	x->eof_sent = 1;
	return 0;
}

/* EX_EXEC: the exec request and its answer, with the EOF of a command
 * that gets no stdin sent behind the request; 0, DROVE_AGAIN or < 0. */
static int
exec_request(struct exec_job *x, struct sess *s)
{
	int behind, rc, erc;

	if (x->early_eof && (rc = exec_eof_behind(x, s)) != 0)
		return rc;
	behind = !x->starting && !x->eof_sent && !x->tty && x->bc == NULL &&
	    (x->in == NULL || feed_empty(x->in));
	sess_more(s, behind);
	rc = libssh2_channel_process_startup(x->ch, "exec", sizeof "exec" - 1,
	    x->command, (unsigned int)strlen(x->command));
	sess_more(s, 0);
	x->starting = rc == LIBSSH2_ERROR_EAGAIN;
	if (behind && rc == LIBSSH2_ERROR_EAGAIN &&
	    !(libssh2_session_block_directions(s->ls) &
	    LIBSSH2_SESSION_BLOCK_OUTBOUND)) {
		/* the request is out: its answer is awaited */
		if ((erc = exec_eof_behind(x, s)) < 0)
			return erc;
	} else if (behind)
		sess_push(s);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	if (rc != 0)
		return err_set(&s->err, DROVE_E_CHANNEL, "exec on %s "
		    "refused: %s", s->name, lserr(s));
	return 0;
}

/* Advance the exec job. */
static int
exec_step(struct job *j, struct sess *s)
{
	struct exec_job *x = (struct exec_job *)j;
	size_t budget = EXEC_READ_CAP;
	int rc;

	/* interrupted: close the channel once no call is half done */
	if (x->interrupted && x->ch != NULL && !x->starting &&
	    x->wlen == 0 && x->st < EX_CLOSE)
		x->st = EX_CLOSE;
	switch (x->st) {
	case EX_OPEN:
		if (x->interrupted && !x->opening)
			return 0;	/* nothing was sent */
		x->opening = 1;
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
		x->st = EX_PTY;
		/* FALLTHROUGH */
	case EX_PTY:
		if (x->bc != NULL && become_pty(x->bc))
			rc = libssh2_channel_request_pty_ex(x->ch, "dumb", 4,
			    (const char *)become_pty_modes,
			    (unsigned int)become_pty_modes_len, 80, 24, 0, 0);
		else if (x->tty)
			rc = libssh2_channel_request_pty_ex(x->ch, "dumb", 4,
			    (const char *)exec_pty_modes,
			    sizeof exec_pty_modes, 80, 24, 0, 0);
		else
			rc = 0;
		x->starting = rc == LIBSSH2_ERROR_EAGAIN;
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc != 0)
			return err_set(&s->err, DROVE_E_CHANNEL,
			    "pty on %s refused: %s", s->name, lserr(s));
		x->st = EX_EXEC;
		if (x->interrupted)
			return exec_step(j, s);
		/* FALLTHROUGH */
	case EX_EXEC:
		if ((rc = exec_request(x, s)) != 0)
			return rc;
		x->st = EX_RUN;
		if (x->interrupted)
			return exec_step(j, s);
		/* FALLTHROUGH */
	case EX_RUN:
		if ((rc = exec_signal(x)) != 0)
			return rc;
		do {
			/* stdin waits until a become has started the
			 * command */
			rc = 0;
			/* a read's window adjust half-sent goes first */
			if (x->half != HALF_READ && x->bc != NULL)
				rc = become_step(x->bc, x->ch, s);
			if (rc == 0 && x->half != HALF_READ)
				rc = exec_write(x, s);
			if (rc < 0)
				return rc;
			/* a write half-sent goes first: a read could need to
			 * send a window adjust */
			if (x->half == HALF_WRITE) {
				sess_send_first(s);
				return DROVE_AGAIN;
			}
			rc = exec_read(x, s, &budget);
			if (rc < 0)
				return rc;
		} while (rc == 0 && x->bc != NULL && become_due(x->bc) &&
		    budget > 0);
		if (rc == 0) {
			/* a read's adjust half-sent: libssh2 reads no more
			 * until it is out */
			if (x->half == HALF_READ)
				sess_send_first(s);
			return DROVE_AGAIN;
		}
		if (x->bc != NULL && !become_started(x->bc) && !x->again) {
			if ((rc = become_ended(x->bc, s)) < 0)
				return rc;
			x->again = 1;
		}
		if (!x->in_done || !x->eof_sent) {
			/*
			 * The command may still read stdin, unless the
			 * channel is closed: then drop the rest of it.  A
			 * write waiting for window (none left) has nothing
			 * half-sent, so it may be dropped too.
			 */
			if (x->wlen != 0 &&
			    libssh2_channel_window_write(x->ch) > 0)
				return DROVE_AGAIN;
			if ((rc = chan_closed(x->ch, s)) != 0)
				return rc;
			x->wlen = 0;
			x->in_done = x->eof_sent = 1;
		}
		x->st = EX_WAIT;
		/* FALLTHROUGH */
	case EX_WAIT:
		if ((rc = chan_closed(x->ch, s)) != 0)
			return rc;
		x->st = EX_CLOSE;
		/* FALLTHROUGH */
	case EX_CLOSE:
		rc = libssh2_channel_close(x->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN && x->interrupted &&
		    !(libssh2_session_block_directions(s->ls) &
		    LIBSSH2_SESSION_BLOCK_OUTBOUND)) {
			/* nothing half sent: only the answer is awaited */
			x->st = EX_LEFT;
			return 0;
		}
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (x->again) {
			/* sudo wants a tty: the same on a channel with one */
			libssh2_channel_free(x->ch);
			x->ch = NULL;
			feed_pos_release(&x->pos);
			memset(&x->pos, 0, sizeof x->pos);
			x->wlen = 0;
			x->in_done = x->eof_sent = x->remote_eof = 0;
			x->unended = x->veof = 0;
			x->opening = x->starting = x->again = 0;
			x->early_eof = 0;
			x->st = EX_OPEN;
			return exec_step(j, s);
		}
		if (!x->interrupted)
			exec_outcome(x->ch, s);
		x->st = EX_DONE;
		/* FALLTHROUGH */
	case EX_DONE:
	case EX_LEFT:
		break;
	}
	return 0;
}

/* Whether libssh2 queued output or an EOF that epoll cannot show. */
static int
exec_hidden_input(struct job *j)
{
	struct exec_job *x = (struct exec_job *)j;

	return x->st == EX_RUN && x->half == HALF_NONE &&
	    chan_hidden(x->ch, !x->remote_eof);
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

	return x->st == EX_RUN && x->wlen == 0 && x->half == HALF_NONE &&
	    (x->in_done ? x->eof_sent : 1) &&
	    (x->bc == NULL || become_idle(x->bc));
}

/* Stop for sess_interrupt(): the channel closes on the next step. */
static int
exec_interrupt(struct job *j)
{
	((struct exec_job *)j)->interrupted = 1;
	return 1;
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
	become_free(x->bc);
	feed_pos_release(&x->pos);
	free(x->command);
	free(x);
}

static const struct job_ops exec_ops = {
	.step = exec_step,
	.hidden_input = exec_hidden_input,
	.idle = exec_idle,
	.stop = exec_stop,
	.interrupt = exec_interrupt,
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

/* Run the job's command under a pty. */
void
exec_job_set_tty(struct job *j)
{
	((struct exec_job *)j)->tty = 1;
}

/* Make an exec job that runs command as b's user (NULL: the login
 * user); the job owns b, even when it cannot be made. */
struct job *
exec_job_become(const char *command, const struct feed *in,
    struct become *b)
{
	struct exec_job *x;
	struct job *j;
	char *wrapped;

	if (b == NULL)
		return exec_job_new(command, in);
	if ((wrapped = become_command(b, command)) == NULL) {
		become_free(b);
		return NULL;
	}
	j = exec_job_new(wrapped, in);
	free(wrapped);
	if (j == NULL) {
		become_free(b);
		return NULL;
	}
	x = (struct exec_job *)j;
	x->bc = b;
	return j;
}

/* Send the job's output to fn instead of the session's owner. */
void
exec_job_output(struct job *j, job_output_fn *fn, void *arg)
{
	struct exec_job *x = (struct exec_job *)j;

	x->out = fn;
	x->out_arg = arg;
}

/* The job of host in a fleet set up by drove_fleet_exec(). */
struct job *
exec_fleet_job(struct drove_fleet *f, size_t host)
{
	struct job *j;

	struct become *b;

	if (become_host(f, host, 0, &b) != 0)
		return NULL;
	j = exec_job_become(f->command, f->stdin_fd >= 0 ? &f->feed :
	    NULL, b);
	if (j != NULL && f->tty)
		exec_job_set_tty(j);
	return j;
}

/* Run the commands of drove_fleet_exec() under a pty. */
int
drove_fleet_set_tty(drove_fleet *f, int on)
{
	if (f->shards != NULL)
		return err_set(&f->err, DROVE_E_INVAL, "a run is going on");
	f->tty = on != 0;
	return 0;
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
