/*
 * vis.c: hosts' output made safe for the operator's terminal (vis.h).
 *
 * Runs of safe bytes are written with one fwrite(); each unsafe byte
 * becomes the four characters \xHH.  UTF-8 is checked as Unicode's table
 * of well-formed sequences says (no overlong forms, no surrogates, nothing
 * past U+10FFFF), so a terminal never sees a byte it could take for the
 * start of a control sequence.
 */
#include "drove.h"
#include "output/vis.h"

#define VIS_SGR_MAX	64	/* longest colour sequence let through */

/* The length of the well-formed UTF-8 sequence at p other than a C1
 * control (U+0080..U+009F), or 0. */
static size_t
vis_utf8(const unsigned char *p, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		if (p[0] == 0xc2)
			lo = 0xa0;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (len < n || p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* The length of the colour sequence (ESC [ params m) at p, or 0. */
static size_t
vis_sgr(const unsigned char *p, size_t len)
{
	size_t i;

	if (len < 3 || p[0] != 0x1b || p[1] != '[')
		return 0;
	for (i = 2; i < len && i < VIS_SGR_MAX; i++) {
		if (p[i] == 'm')
			return i + 1;
		if ((p[i] < '0' || p[i] > '9') && p[i] != ';' && p[i] != ':')
			return 0;
	}
	return 0;
}

/* Write data to f with its control characters shown as \xHH. */
int
vis_write(FILE *f, const char *data, size_t len, int sgr)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i = 0, run = 0, k;
	int used = 0;

	while (i < len) {
		if (p[i] == '\t' || p[i] == '\n' ||
		    (p[i] >= 0x20 && p[i] < 0x7f)) {
			i++;
			continue;
		}
		k = p[i] >= 0x80 ? vis_utf8(p + i, len - i) : 0;
		if (k == 0 && sgr && (k = vis_sgr(p + i, len - i)) > 0)
			used = 1;
		if (k > 0) {
			i += k;
			continue;
		}
		fwrite(p + run, 1, i - run, f);
		fprintf(f, "\\x%02x", p[i]);
		run = ++i;
	}
	fwrite(p + run, 1, len - run, f);
	return used;
}

/* The same for the library's users, by DROVE_VIS flags. */
int
drove_vis_write(void *file, const char *data, size_t len, int vis)
{
	if (!(vis & DROVE_VIS)) {
		fwrite(data, 1, len, file);
		return 0;
	}
	return vis_write(file, data, len, (vis & DROVE_VIS_SGR) != 0);
}
