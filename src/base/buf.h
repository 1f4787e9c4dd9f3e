/*
 * buf.h: a growable byte buffer.
 *
 * Embedded with buf_init()/buf_release().  data is always NUL-terminated past
 * len when cap > 0, so text can be read as a C string.  Functions return 0 or
 * DROVE_E_NOMEM and leave the buffer unchanged on failure.
 */
#ifndef BUF_H
#define BUF_H

#include <stddef.h>

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
};

void	buf_init(struct buf *);
void	buf_release(struct buf *);		/* frees and re-inits */
int	buf_reserve(struct buf *, size_t extra);
int	buf_append(struct buf *, const void *, size_t);
int	buf_puts(struct buf *, const char *);
int	buf_printf(struct buf *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_consume(struct buf *, size_t n);	/* drop n bytes from the front */
/* Take ownership of the data (NUL-terminated); the buffer is re-inited. */
char	*buf_steal(struct buf *, size_t *len);

#endif /* BUF_H */
