/*
 * range.c: expansion of bracket ranges in host names.
 *
 * Inside brackets are comma-separated items, each a single value or a range
 * "A:B" or "A-B" with an optional stride ":S" ("[01:20:2]").  Values are
 * decimal numbers or single letters of one case ("[a:c]").  A number keeps
 * the width of A when A has a leading zero ("[01:10]" gives 01 .. 10), as
 * Ansible and clush do.  Several brackets multiply: "r[1:2]n[1:2]" gives
 * r1n1 r1n2 r2n1 r2n2.  With RANGE_LITERAL, brackets whose text does not
 * have the shape of a range ("[!x]", "[ab]") are kept as text so that
 * fnmatch sees them as character classes; "[5:1]" is still an error.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "drove.h"
#include "inventory/range.h"

/* One item of a bracket: the values a, a+step, ... up to b. */
struct item {
	int	 alpha;
	long	 a;
	long	 b;
	long	 step;
	int	 width;
};

/* A piece of the expression: literal text, or the items of one bracket. */
struct seg {
	const char	*text;
	size_t		 len;
	struct item	*items;
	size_t		 nitems;
};

struct expand {
	struct seg	*segs;
	size_t		 nsegs;
	struct buf	 name;
	range_cb	*fn;
	void		*arg;
};

/* Parse one value at *p: a number or a letter; 0 or -1 if there is none. */
static int
range_value(const char **p, const char *end, int *alpha, long *v, int *width)
{
	const char *s = *p;
	size_t n = 0;

	if (s < end && isalpha((unsigned char)*s)) {
		*alpha = islower((unsigned char)*s) ? 1 : 2;
		*v = *s;
		*width = 1;
		*p = s + 1;
		return 0;
	}
	*v = 0;
	while (s + n < end && isdigit((unsigned char)s[n]) && n < 18)
		*v = *v * 10 + (s[n++] - '0');
	if (n == 0 || (s + n < end && isdigit((unsigned char)s[n])))
		return -1;
	*alpha = 0;
	*width = s[0] == '0' && n > 1 ? (int)n : 0;
	*p = s + n;
	return 0;
}

/* Parse one item "A", "A:B", "A-B" or "A:B:S"; a reason on failure. */
static const char *
range_item(const char *s, const char *end, struct item *it)
{
	int alpha2, width2;

	if (range_value(&s, end, &it->alpha, &it->a, &it->width) != 0)
		return "expected a number or a letter";
	it->b = it->a;
	it->step = 1;
	if (s < end && (*s == ':' || *s == '-')) {
		s++;
		if (range_value(&s, end, &alpha2, &it->b, &width2) != 0)
			return "expected a number or a letter";
		if (alpha2 != it->alpha)
			return "start and end differ in kind";
		if (s < end && *s == ':') {
			s++;
			if (range_value(&s, end, &alpha2, &it->step,
			    &width2) != 0 || alpha2 != 0)
				return "expected a stride";
			if (it->step <= 0)
				return "stride must be positive";
		}
	}
	if (s != end)
		return "unexpected text";
	if (it->a > it->b)
		return "start after end";
	return NULL;
}

/* Parse the inside of a bracket into items; a reason on failure. */
static const char *
range_bracket(const char *s, size_t len, struct seg *seg, size_t *count)
{
	const char *end = s + len, *comma, *why;
	size_t n = 1, i;

	for (i = 0; i < len; i++)
		n += s[i] == ',';
	if ((seg->items = calloc(n, sizeof *seg->items)) == NULL)
		return "out of memory";
	*count = 0;
	for (i = 0; i < n; i++) {
		if ((comma = memchr(s, ',', (size_t)(end - s))) == NULL)
			comma = end;
		if ((why = range_item(s, comma, &seg->items[i])) != NULL)
			return why;
		*count += (size_t)((seg->items[i].b - seg->items[i].a) /
		    seg->items[i].step + 1);
		if (*count > RANGE_MAX)
			return "too many names";
		s = comma + 1;
	}
	seg->nitems = n;
	return NULL;
}

/* Whether a reason is about values rather than syntax: never a glob. */
static int
range_semantic(const char *why)
{
	return strcmp(why, "start after end") == 0 ||
	    strcmp(why, "stride must be positive") == 0 ||
	    strcmp(why, "too many names") == 0;
}

/* Produce every name from segment i on, after the current prefix. */
static int
range_walk(struct expand *x, size_t i)
{
	struct seg *seg;
	size_t len = x->name.len, k;
	long v;
	int r = 0;

	if (i == x->nsegs)
		return x->fn(x->name.data != NULL ? x->name.data : "", x->arg);
	seg = &x->segs[i];
	if (seg->items == NULL) {
		if (buf_append(&x->name, seg->text, seg->len) != 0)
			return DROVE_E_NOMEM;
		r = range_walk(x, i + 1);
		x->name.len = len;
		return r;
	}
	for (k = 0; k < seg->nitems && r == 0; k++) {
		for (v = seg->items[k].a; v <= seg->items[k].b && r == 0;
		    v += seg->items[k].step) {
			if (seg->items[k].alpha)
				r = buf_printf(&x->name, "%c", (int)v);
			else
				r = buf_printf(&x->name, "%0*ld",
				    seg->items[k].width, v);
			if (r == 0)
				r = range_walk(x, i + 1);
			x->name.len = len;
		}
	}
	return r;
}

/* Expand the bracket ranges of s, calling fn for each name. */
int
range_expand(const char *s, int flags, range_cb *fn, void *arg, char *err,
    size_t errlen)
{
	struct expand x;
	const char *p = s, *open, *close, *why;
	size_t i, count, total = 1;
	int r = DROVE_E_INVENTORY;

	memset(&x, 0, sizeof x);
	buf_init(&x.name);
	x.fn = fn;
	x.arg = arg;
	if ((x.segs = calloc(2 * strlen(s) + 1, sizeof *x.segs)) == NULL) {
		r = DROVE_E_NOMEM;
		goto out;
	}
	while (*p != '\0') {
		open = strchr(p, '[');
		if (open == NULL || (close = strchr(open, ']')) == NULL) {
			if (open != NULL && !(flags & RANGE_LITERAL)) {
				snprintf(err, errlen, "unclosed '[' in '%s'",
				    s);
				goto out;
			}
			x.segs[x.nsegs].text = p;
			x.segs[x.nsegs++].len = strlen(p);
			break;
		}
		if (open > p) {
			x.segs[x.nsegs].text = p;
			x.segs[x.nsegs++].len = (size_t)(open - p);
		}
		why = range_bracket(open + 1, (size_t)(close - open - 1),
		    &x.segs[x.nsegs], &count);
		if (why != NULL && strcmp(why, "out of memory") == 0) {
			r = DROVE_E_NOMEM;
			x.nsegs++;
			goto out;
		}
		if (why != NULL && (flags & RANGE_LITERAL) &&
		    !range_semantic(why)) {
			free(x.segs[x.nsegs].items);
			x.segs[x.nsegs].items = NULL;
			x.segs[x.nsegs].text = open;
			x.segs[x.nsegs].len = (size_t)(close - open + 1);
			count = 1;
		} else if (why != NULL) {
			snprintf(err, errlen, "bad range '%.*s' in '%s': %s",
			    (int)(close - open + 1), open, s, why);
			x.nsegs++;
			goto out;
		}
		x.nsegs++;
		if ((total *= count) > RANGE_MAX) {
			snprintf(err, errlen, "bad range in '%s': more than "
			    "%d names", s, RANGE_MAX);
			goto out;
		}
		p = close + 1;
	}
	r = range_walk(&x, 0);
 out:
	for (i = 0; x.segs != NULL && i < x.nsegs; i++)
		free(x.segs[i].items);
	free(x.segs);
	buf_release(&x.name);
	return r;
}
