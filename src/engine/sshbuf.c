/*
 * sshbuf.c: reading and writing SSH wire-format integers, strings and
 * mpints.
 */
#include <string.h>

#include "drove.h"
#include "engine/sshbuf.h"

/* Read from the len bytes at p. */
void
sshbuf_from(struct sshbuf *b, const void *p, size_t len)
{
	b->p = p;
	b->len = len;
}

/* Take one byte. */
int
sshbuf_get_u8(struct sshbuf *b, uint8_t *v)
{
	if (b->len < 1)
		return DROVE_E_INVAL;
	*v = b->p[0];
	b->p++;
	b->len--;
	return 0;
}

/* Take a big-endian 32-bit integer. */
int
sshbuf_get_u32(struct sshbuf *b, uint32_t *v)
{
	if (b->len < 4)
		return DROVE_E_INVAL;
	*v = (uint32_t)b->p[0] << 24 | (uint32_t)b->p[1] << 16 |
	    (uint32_t)b->p[2] << 8 | b->p[3];
	b->p += 4;
	b->len -= 4;
	return 0;
}

/* Take a length-prefixed string, pointing into the input. */
int
sshbuf_get_string(struct sshbuf *b, const unsigned char **s, size_t *len)
{
	struct sshbuf t = *b;
	uint32_t n;

	if (sshbuf_get_u32(&t, &n) != 0 || t.len < n)
		return DROVE_E_INVAL;
	*s = t.p;
	*len = n;
	b->p = t.p + n;
	b->len = t.len - n;
	return 0;
}

/* Take a string and check that it is s. */
int
sshbuf_expect_cstring(struct sshbuf *b, const char *s)
{
	struct sshbuf t = *b;
	const unsigned char *v;
	size_t len;

	if (sshbuf_get_string(&t, &v, &len) != 0 || len != strlen(s) ||
	    memcmp(v, s, len) != 0)
		return DROVE_E_INVAL;
	*b = t;
	return 0;
}

/* Append one byte. */
int
sshbuf_put_u8(struct buf *b, uint8_t v)
{
	return buf_append(b, &v, 1);
}

/* Append a big-endian 32-bit integer. */
int
sshbuf_put_u32(struct buf *b, uint32_t v)
{
	unsigned char x[4];

	x[0] = v >> 24;
	x[1] = v >> 16;
	x[2] = v >> 8;
	x[3] = v;
	return buf_append(b, x, sizeof x);
}

/* Append a length-prefixed string. */
int
sshbuf_put_string(struct buf *b, const void *s, size_t len)
{
	size_t old = b->len;

	if (len > UINT32_MAX)
		return DROVE_E_INVAL;
	if (sshbuf_put_u32(b, len) != 0 || buf_append(b, s, len) != 0) {
		b->len = old;
		return DROVE_E_NOMEM;
	}
	return 0;
}

/* Append a NUL-terminated string without its NUL. */
int
sshbuf_put_cstring(struct buf *b, const char *s)
{
	return sshbuf_put_string(b, s, strlen(s));
}

/* Append an mpint: no leading zeros, a zero byte when the top bit is set. */
int
sshbuf_put_mpint(struct buf *b, const unsigned char *v, size_t len)
{
	size_t old = b->len;
	int pad;

	while (len > 0 && v[0] == 0) {
		v++;
		len--;
	}
	pad = len > 0 && (v[0] & 0x80) != 0;
	if (sshbuf_put_u32(b, len + pad) != 0 ||
	    (pad && sshbuf_put_u8(b, 0) != 0) || buf_append(b, v, len) != 0) {
		b->len = old;
		return DROVE_E_NOMEM;
	}
	return 0;
}
