/*
 * feed.c: the stdin feed's chunks (feed.h).
 */
#include <stdlib.h>
#include <string.h>

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
