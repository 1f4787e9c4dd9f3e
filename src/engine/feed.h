/*
 * feed.h: the stdin feed, drove's own stdin as every host's command reads
 * it.
 *
 * The feed holds the bytes in chunks that never move once written, so a
 * channel write that returned EAGAIN can be repeated with the same pointer
 * and length (libssh2 requires the same arguments again: see the engine's
 * README).  Ownership: the fleet owns the feed and fills it on one loop
 * thread; jobs lend it.
 *
 * A regular file is not read into chunks: each reader reads it as it
 * sends it, FEED_FILE_READ bytes at a time into a buffer of its own, so a
 * file of any size costs that much per host still sending it.  A pipe is
 * held whole, since a host may start long after the first; past
 * FEED_PIPE_MAX bytes it is read no further, and a reader that gets there
 * fails with a message saying to redirect stdin from a file.
 */
#ifndef FEED_H
#define FEED_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define FEED_CHUNK	(64 * 1024)
#define FEED_FILE_READ	(32 * 1024)
#define FEED_PIPE_MAX	((size_t)64 * 1024 * 1024)

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
	int			 full;		/* stopped at FEED_PIPE_MAX */
	int			 file;		/* read from file_fd instead */
	int			 file_fd;	/* lent */
	off_t			 file_base;	/* where stdin starts in it */
	uint64_t		 file_size;	/* bytes from there */
};

/* Where one reader is in a feed. */
struct feed_pos {
	const struct feed_chunk	*chunk;
	size_t			 off;		/* in chunk */
	uint64_t		 done;		/* bytes taken in all */
	char			*buf;		/* a file's bytes, read ahead */
	size_t			 blen;
};

void	feed_init(struct feed *);
void	feed_release(struct feed *);
/* Room for at least one byte at the end: a pointer and its size. */
char	*feed_space(struct feed *, size_t *room);
void	feed_commit(struct feed *, size_t n);
/* Whether a pipe's feed holds all it may: set full and stop reading. */
int	feed_at_cap(struct feed *);
/* Whether the feed is known to hold nothing: a pipe read to its end. */
int	feed_empty(const struct feed *);
/* Read stdin from the regular file fd, from its offset now, as it goes. */
void	feed_use_file(struct feed *, int fd, uint64_t size);

/*
 * The next bytes for a reader at pos, at most max: 0 with *p and *len,
 * which stay valid and the same until feed_advance(), *len 0 at the end;
 * DROVE_AGAIN when more may come; or DROVE_E_IO with e set (the file
 * cannot be read, or a pipe went past FEED_PIPE_MAX).
 */
int	feed_next(const struct feed *, struct feed_pos *, size_t max,
	    const char **p, size_t *len, struct drove_err *e);
/* The reader sent n of the bytes feed_next() gave. */
void	feed_advance(struct feed_pos *, size_t n);
void	feed_pos_release(struct feed_pos *);	/* frees the read-ahead */

#endif /* FEED_H */
