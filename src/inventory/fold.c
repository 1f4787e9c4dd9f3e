/*
 * fold.c: fold host names into clush/pdsh-style ranges.
 *
 * Each name is split on its last run of digits into prefix, number and
 * suffix ("r1n07.lan" is "r1n", 07, ".lan"); names with the same prefix and
 * suffix fold into one bracketed range list: "web[01-03,05]".  Zero padding
 * is kept: a number with a leading zero has the width of its digits, and
 * numbers of different widths never merge ("web1" and "web01" stay apart),
 * except that an unpadded number of the same width joins a padded group
 * ("web08,web09,web10" is "web[08-10]").  Names without a number, or with a
 * number of more than 18 digits, are kept as they are.
 *
 * Order: groups are sorted by prefix, then suffix (bytewise), a name without
 * a number first, then the unpadded group, then padded groups by width;
 * numbers inside a group are sorted numerically.  Duplicates are dropped.
 * The work is one sort and a linear scan.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "drove.h"

#define FOLD_MAX_DIGITS 18

struct fold_name {
	const char	*name;
	size_t		 pre;		/* prefix length */
	size_t		 digits;	/* 0: no number */
	const char	*suf;		/* suffix, NUL-terminated */
	uint64_t	 value;
	int		 padded;	/* the digits start with a zero */
};

/* Split name on its last run of digits into f. */
static void
fold_split(struct fold_name *f, const char *name)
{
	size_t len = strlen(name), end, start, i;

	memset(f, 0, sizeof *f);
	f->name = name;
	f->pre = len;
	f->suf = name + len;
	for (end = len; end > 0; end--)
		if (name[end - 1] >= '0' && name[end - 1] <= '9')
			break;
	if (end == 0)
		return;
	for (start = end; start > 0; start--)
		if (name[start - 1] < '0' || name[start - 1] > '9')
			break;
	if (end - start > FOLD_MAX_DIGITS)
		return;
	f->pre = start;
	f->digits = end - start;
	f->suf = name + end;
	for (i = start; i < end; i++)
		f->value = f->value * 10 + (uint64_t)(name[i] - '0');
	f->padded = f->digits > 1 && name[start] == '0';
}

/* Compare prefix and suffix of two split names. */
static int
fold_cmp_pattern(const struct fold_name *a, const struct fold_name *b)
{
	size_t n = a->pre < b->pre ? a->pre : b->pre;
	int r;

	if ((r = memcmp(a->name, b->name, n)) != 0)
		return r;
	if (a->pre != b->pre)
		return a->pre < b->pre ? -1 : 1;
	return strcmp(a->suf, b->suf);
}

/* qsort order: pattern, no number first, then digit count, then value. */
static int
fold_cmp(const void *va, const void *vb)
{
	const struct fold_name *a = va, *b = vb;
	int r;

	if ((r = fold_cmp_pattern(a, b)) != 0)
		return r;
	if (a->digits != b->digits)
		return a->digits < b->digits ? -1 : 1;
	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	return 0;
}

/* Append one group: prefix, then the ranges of v[0..n), then suffix. */
static int
fold_emit(struct buf *b, const struct fold_name *first, const uint64_t *v,
    size_t n, int width)
{
	size_t i, j;
	int r;

	if (b->len > 0 && (r = buf_puts(b, ",")) != 0)
		return r;
	if ((r = buf_append(b, first->name, first->pre)) != 0)
		return r;
	if (n > 1 && (r = buf_puts(b, "[")) != 0)
		return r;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && v[j] == v[j - 1] + 1; j++)
			;
		r = buf_printf(b, "%s%0*llu", i > 0 ? "," : "", width,
		    (unsigned long long)v[i]);
		if (r == 0 && j - i > 1)
			r = buf_printf(b, "-%0*llu", width,
			    (unsigned long long)v[j - 1]);
		if (r != 0)
			return r;
	}
	if (n > 1 && (r = buf_puts(b, "]")) != 0)
		return r;
	return buf_puts(b, first->suf);
}

/*
 * Fold one block of names sharing a pattern, f[0..n), sorted and with
 * numbers.  Runs of one digit count with a padded member form a padded
 * group; the other runs form the single unpadded group, emitted first.
 */
static int
fold_block(struct buf *b, const struct fold_name *f, size_t n, uint64_t *v)
{
	size_t i, j, k, nv = 0;
	int padded, r;

	for (i = 0; i < n; i = j) {
		padded = 0;
		for (j = i; j < n && f[j].digits == f[i].digits; j++)
			padded |= f[j].padded;
		if (padded)
			continue;
		for (k = i; k < j; k++)
			if (nv == 0 || v[nv - 1] != f[k].value)
				v[nv++] = f[k].value;
	}
	if (nv > 0 && (r = fold_emit(b, f, v, nv, 0)) != 0)
		return r;
	for (i = 0; i < n; i = j) {
		padded = 0;
		nv = 0;
		for (j = i; j < n && f[j].digits == f[i].digits; j++) {
			padded |= f[j].padded;
			if (nv == 0 || v[nv - 1] != f[j].value)
				v[nv++] = f[j].value;
		}
		if (padded && (r = fold_emit(b, &f[i], v, nv,
		    (int)f[i].digits)) != 0)
			return r;
	}
	return 0;
}

/* Fold names into ranges: "web[01-05,07],db1"; malloc'd, caller frees. */
char *
drove_hosts_fold(const char *const *names, size_t n)
{
	struct fold_name *f = NULL;
	uint64_t *v = NULL;
	struct buf b;
	size_t i, j;
	char *s = NULL;

	buf_init(&b);
	if (n == 0)
		goto done;
	if ((f = calloc(n, sizeof *f)) == NULL ||
	    (v = calloc(n, sizeof *v)) == NULL)
		goto out;
	for (i = 0; i < n; i++)
		fold_split(&f[i], names[i] != NULL ? names[i] : "");
	qsort(f, n, sizeof *f, fold_cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && fold_cmp_pattern(&f[i], &f[j]) == 0;
		    j++)
			;
		if (f[i].digits == 0) {
			/* A name without a number sorts first in its block. */
			if (fold_emit(&b, &f[i], NULL, 0, 0) != 0)
				goto out;
			i++;
			while (i < j && f[i].digits == 0)
				i++;
		}
		if (fold_block(&b, &f[i], j - i, v) != 0)
			goto out;
	}
 done:
	s = buf_steal(&b, NULL);
 out:
	buf_release(&b);
	free(f);
	free(v);
	return s;
}
