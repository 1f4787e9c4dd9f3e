/*
 * sshbuf.h: SSH wire-format helpers (RFC 4251 section 5): a bounds-checked
 * reader over borrowed bytes, and writers that append to a struct buf.
 *
 * The reader never allocates; strings it returns point into the input and
 * live as long as it.  Getters return 0, or DROVE_E_INVAL when the input is
 * too short (the reader is then left unchanged).  Writers return 0 or
 * DROVE_E_NOMEM.  No global state; any thread.
 */
#ifndef SSHBUF_H
#define SSHBUF_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

struct sshbuf {
	const unsigned char	*p;
	size_t			 len;
};

void	sshbuf_from(struct sshbuf *, const void *, size_t);
int	sshbuf_get_u8(struct sshbuf *, uint8_t *);
int	sshbuf_get_u32(struct sshbuf *, uint32_t *);
int	sshbuf_get_string(struct sshbuf *, const unsigned char **, size_t *);
/* A string that must equal s. */
int	sshbuf_expect_cstring(struct sshbuf *, const char *s);

int	sshbuf_put_u8(struct buf *, uint8_t);
int	sshbuf_put_u32(struct buf *, uint32_t);
int	sshbuf_put_string(struct buf *, const void *, size_t);
int	sshbuf_put_cstring(struct buf *, const char *);
/* An mpint from an unsigned big-endian magnitude. */
int	sshbuf_put_mpint(struct buf *, const unsigned char *, size_t);

#endif /* SSHBUF_H */
