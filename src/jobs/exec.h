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

/* Whether a write of wlen bytes that returned EAGAIN (wpart) left its
 * packet half-sent, so that reading must wait for the socket. */
int	chan_half_sent(LIBSSH2_CHANNEL *ch, size_t wlen, int wpart);

/* Whether a read that returned n (EAGAIN or -7) waits for a half-sent
 * packet to go out (the socket writable), not for input. */
int	chan_read_blocked(struct sess *s, ssize_t n);

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
