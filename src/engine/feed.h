/*
 * feed.h: the stdin feed, drove's own stdin as every host's command reads
 * it.
 *
 * The feed holds the bytes in chunks that never move once written, so a
 * channel write that returned EAGAIN can be repeated with the same pointer
 * and length (libssh2 requires the same arguments again: see the engine's
 * README).  Ownership: the fleet owns the feed and fills it on one loop
 * thread; jobs lend it.
 */
#ifndef FEED_H
#define FEED_H

#include <stddef.h>

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

#endif /* FEED_H */
