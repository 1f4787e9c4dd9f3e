/*
 * exec.h: the exec job (run a command, stream its output, get its status),
 * fed from the fleet's stdin feed (engine/feed.h), of which each exec job
 * keeps its own offset.  Loop thread only.
 */
#ifndef EXEC_H
#define EXEC_H

#include <stddef.h>

#include "engine/feed.h"
#include "engine/sess.h"
#include "jobs/become.h"

/* Whether libssh2 holds data for ch that epoll cannot show (and, with
 * eof, an EOF not yet taken); 0 for NULL. */
int	chan_hidden(LIBSSH2_CHANNEL *ch, int eof);

/* Whether a channel write or send_eof that returned n failed only because
 * another packet is half-sent: make it again later, same buffer. */
int	chan_send_blocked(ssize_t n);

/*
 * Which call of a channel job has a packet half-sent: libssh2 takes no
 * other packet until that one is out (1.10 refuses it with -39 or -7,
 * 1.11.1 answers EAGAIN and leaves the socket's direction as it was, so
 * the loop would wait for a writable socket for ever), and only that call,
 * made again, sends the rest.  HALF_WRITE: a write, EOF or request;
 * HALF_READ: a read's window adjust.
 */
enum chan_half { HALF_NONE, HALF_WRITE, HALF_READ };

/* What is half-sent after a call of kind (HALF_WRITE or HALF_READ) that
 * returned n, half being what was before it. */
enum chan_half	chan_half_after(struct sess *s, enum chan_half half,
		    enum chan_half kind, ssize_t n);

/* Whether the server closed ch, after its EOF: 0, DROVE_AGAIN, or
 * DROVE_E_PROTOCOL ("connection lost before the command's exit status")
 * with s->err set when the connection ended first. */
int	chan_closed(LIBSSH2_CHANNEL *ch, struct sess *s);

/* Record a closed channel's exit signal, or else its exit status, in s
 * (exec and shell jobs). */
void	exec_outcome(LIBSSH2_CHANNEL *, struct sess *);

/* A job that runs command; in may be NULL (EOF is sent at once). */
struct job	*exec_job_new(const char *command, const struct feed *in);
/* The same as the user of b (NULL: the login user), which the job owns
 * from here on, made or not. */
struct job	*exec_job_become(const char *command, const struct feed *in,
		    struct become *b);
/* Hand the job's output to fn instead of the session's owner. */
void		 exec_job_output(struct job *, job_output_fn *fn, void *arg);

/* Run job's command under a pty (see exec.c: stopping a command). */
void	exec_job_set_tty(struct job *);

struct drove_fleet;
/* The fleet's job maker for drove_fleet_exec(): its command and stdin. */
struct job	*exec_fleet_job(struct drove_fleet *, size_t host);

#endif /* EXEC_H */
