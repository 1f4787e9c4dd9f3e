/*
 * exec.h: the exec job (run a command, stream its output, get its status)
 * and the stdin feed shared by every host's command.
 *
 * The feed holds the bytes of drove's own stdin in chunks that never move
 * once written, so a channel write that returned EAGAIN can be repeated with
 * the same pointer and length (LIBSSH2-NOTES §1.3).  Each exec job keeps its
 * own offset into it.
 *
 * Ownership: the fleet owns the feed; a job lends it.  Loop thread only.
 */
#ifndef EXEC_H
#define EXEC_H

#include <stddef.h>

#include "sess.h"

#define FEED_CHUNK	(64 * 1024)

struct feed_chunk {
	struct feed_chunk	*next;
	size_t			 len;
	char			 data[FEED_CHUNK];
};

struct feed {
	struct feed_chunk	*head;
	struct feed_chunk	*tail;
	size_t			 total;
	int			 eof;
};

void	feed_init(struct feed *);
void	feed_release(struct feed *);
/* Room for at least one byte at the end: a pointer and its size. */
char	*feed_space(struct feed *, size_t *room);
void	feed_commit(struct feed *, size_t n);

/* Whether libssh2 holds data for ch that epoll cannot show (and, with
 * eof, an EOF not yet taken); 0 for NULL. */
int	chan_hidden(LIBSSH2_CHANNEL *ch, int eof);

/* Record a closed channel's exit signal, or else its exit status, in s
 * (exec and shell jobs). */
void	exec_outcome(LIBSSH2_CHANNEL *, struct sess *);

/* A job that runs command; in may be NULL (EOF is sent at once). */
struct job	*exec_job_new(const char *command, const struct feed *in);

#endif /* EXEC_H */
