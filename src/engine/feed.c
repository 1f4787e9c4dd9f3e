/*
 * feed.c: the stdin feed's chunks (feed.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drove.h"
#include "engine/feed.h"

/* Make an empty feed. */
void
feed_init(struct feed *f)
{
	memset(f, 0, sizeof *f);
}

/* Free a feed's chunks. */
void
feed_release(struct feed *f)
{
	struct feed_chunk *c, *next;

	for (c = f->head; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	feed_init(f);
}

/* Where the next bytes of input go; NULL when out of memory. */
char *
feed_space(struct feed *f, size_t *room)
{
	struct feed_chunk *c = f->tail;

	if (c == NULL || c->len == FEED_CHUNK) {
		if ((c = malloc(sizeof *c)) == NULL)
			return NULL;
		c->next = NULL;
		c->len = 0;
		if (f->tail != NULL)
			f->tail->next = c;
		else
			f->head = c;
		f->tail = c;
	}
	*room = FEED_CHUNK - c->len;
	return c->data + c->len;
}

/* Account for n bytes written at feed_space(). */
void
feed_commit(struct feed *f, size_t n)
{
	f->tail->len += n;
	f->total += n;
}

/* Whether the feed holds all a pipe may: then it is marked full. */
int
feed_at_cap(struct feed *f)
{
	if (f->total > FEED_PIPE_MAX)
		f->full = 1;
	return f->full;
}

/* Whether the feed is known to hold nothing: a pipe read to its end. */
int
feed_empty(const struct feed *f)
{
	return !f->file && f->eof && f->total == 0;
}

/* Read stdin from the regular file fd as each reader goes. */
void
feed_use_file(struct feed *f, int fd, uint64_t size)
{
	off_t at = lseek(fd, 0, SEEK_CUR);

	if (at < 0)
		at = 0;
	f->file = 1;
	f->file_fd = fd;
	f->file_base = at;
	f->file_size = (uint64_t)at < size ? size - (uint64_t)at : 0;
	f->eof = 1;
}

/* The next bytes of a file feed: read FEED_FILE_READ of them ahead. */
static int
feed_next_file(const struct feed *f, struct feed_pos *pos, const char **p,
    size_t *len, struct drove_err *e)
{
	size_t want;
	ssize_t n;

	*len = 0;
	if (pos->blen == 0) {
		if (pos->done >= f->file_size)
			return 0;
		if (pos->buf == NULL &&
		    (pos->buf = malloc(FEED_FILE_READ)) == NULL)
			return err_set(e, DROVE_E_NOMEM, "stdin: out of "
			    "memory");
		want = f->file_size - pos->done < FEED_FILE_READ ?
		    (size_t)(f->file_size - pos->done) : FEED_FILE_READ;
		do
			n = pread(f->file_fd, pos->buf, want, f->file_base +
			    (off_t)pos->done);
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			return err_set(e, DROVE_E_IO, "read stdin: %s", n == 0 ?
			    "the file shrank while it was sent" :
			    strerror(errno));
		pos->blen = (size_t)n;
		pos->off = 0;
	}
	*p = pos->buf + pos->off;
	*len = pos->blen - pos->off;
	return 0;
}

/* The next bytes at pos. */
int
feed_next(const struct feed *f, struct feed_pos *pos, size_t max,
    const char **p, size_t *len, struct drove_err *e)
{
	const struct feed_chunk *c;
	int rc;

	*len = 0;
	if (f->file) {
		if ((rc = feed_next_file(f, pos, p, len, e)) == 0 &&
		    *len > max)
			*len = max;
		return rc;
	}
	if (pos->chunk == NULL)
		pos->chunk = f->head;
	c = pos->chunk;
	if (c != NULL && pos->off == c->len && c->next != NULL) {
		pos->chunk = c = c->next;
		pos->off = 0;
	}
	if (c == NULL || pos->off == c->len) {
		if (!f->eof)
			return DROVE_AGAIN;
		if (f->full)
			return err_set(e, DROVE_E_IO, "stdin: more than %zu "
			    "MiB from a pipe; redirect it from a file to send "
			    "more (drove ... < FILE)", FEED_PIPE_MAX >> 20);
		return 0;
	}
	*p = c->data + pos->off;
	*len = c->len - pos->off < max ? c->len - pos->off : max;
	return 0;
}

/* The reader sent n bytes. */
void
feed_advance(struct feed_pos *pos, size_t n)
{
	pos->off += n;
	pos->done += n;
	if (pos->buf != NULL && pos->off == pos->blen)
		pos->blen = 0;
}

/* Free a reader's read-ahead. */
void
feed_pos_release(struct feed_pos *pos)
{
	free(pos->buf);
	memset(pos, 0, sizeof *pos);
}
