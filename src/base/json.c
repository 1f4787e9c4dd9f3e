/*
 * json.c: JSON string writer for arbitrary bytes (see json.h).
 */
#include <stdint.h>
#include <stdio.h>

#include "base/json.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	cp = p[0] & (0x7f >> len);
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	/* Overlong forms, surrogates and code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (cp >= 0xd800 && cp <= 0xdfff) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Write data as a quoted JSON string. */
void
json_write_str(FILE *f, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i = 0, run = 0, n;
	int c;

	putc('"', f);
	while (i < len) {
		c = p[i];
		n = c >= 0x20 && c != '"' && c != '\\' ? utf8_len(p + i,
		    len - i) : 0;
		if (n > 0) {
			run += n;
			i += n;
			continue;
		}
		fwrite(p + i - run, 1, run, f);
		run = 0;
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			fprintf(f, "\\u%04x", c);
			break;
		}
		i++;
	}
	fwrite(p + i - run, 1, run, f);
	putc('"', f);
}
