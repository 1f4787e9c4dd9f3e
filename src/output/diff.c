/*
 * diff.c: line diffs of two byte strings, as unified diff hunks.
 *
 * Both sides are cut into lines and every distinct line gets a number, so
 * that lines compare as integers.  The comparison is Myers' linear-space
 * divide and conquer: strip the common head and tail, find a point the
 * shortest edit path goes through by searching forward from the top-left
 * corner and backward from the bottom-right one at once, and split there.
 * It marks the lines of each side that are not common; the hunks are then
 * read off those marks.  Two arrays of diagonals, the lines, their numbers
 * and the marks are all the memory used: O(N+M).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drove.h"
#include "output/diff.h"

#define DIFF_MIN_COST	256

struct diff_line {
	const char	*p;
	size_t		 len;		/* with its '\n', if it has one */
};

struct diff {
	struct diff_line *line;		/* a's lines, then b's */
	size_t		 na, nb;
	size_t		*id;		/* per line: the first equal line */
	const size_t	*ida, *idb;	/* id of a's lines, b's lines */
	unsigned char	*chg;		/* per line: not common */
	unsigned char	*cha, *chb;
	ptrdiff_t	*kvf, *kvb;	/* furthest x per diagonal x - y */
	ptrdiff_t	 maxcost;
	int		 vis;		/* DROVE_VIS...: how lines are shown */
};

/* Count the lines of p[0..len). */
static size_t
diff_count(const char *p, size_t len)
{
	const char *end = p + len, *nl;
	size_t n = 0;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl != NULL ? nl + 1 : end;
		n++;
	}
	return n;
}

/* Store the lines of p[0..len) into v. */
static void
diff_cut(struct diff_line *v, const char *p, size_t len)
{
	const char *end = p + len, *nl;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		v->p = p;
		p = nl != NULL ? nl + 1 : end;
		v->len = (size_t)(p - v->p);
		v++;
	}
}

/* FNV-1a of a line. */
static uint64_t
diff_hash(const struct diff_line *l)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < l->len; i++)
		h = (h ^ (unsigned char)l->p[i]) * 0x100000001b3ULL;
	return h;
}

/* Give every line the index of the first line equal to it; 0 or NOMEM. */
static int
diff_number(struct diff *d)
{
	size_t n = d->na + d->nb, cap = 16, i, j, *slot;
	const struct diff_line *l, *m;

	while (cap < 2 * n)
		cap *= 2;
	if ((slot = calloc(cap, sizeof *slot)) == NULL)
		return DROVE_E_NOMEM;
	for (i = 0; i < n; i++) {
		l = &d->line[i];
		for (j = (size_t)diff_hash(l) & (cap - 1);; j = (j + 1) &
		    (cap - 1)) {
			if (slot[j] == 0) {
				slot[j] = i + 1;
				d->id[i] = i;
				break;
			}
			m = &d->line[slot[j] - 1];
			if (m->len == l->len &&
			    memcmp(m->p, l->p, l->len) == 0) {
				d->id[i] = slot[j] - 1;
				break;
			}
		}
	}
	free(slot);
	return 0;
}

/*
 * When the search has cost too much, the split is the point, among those
 * the two searches reached, that went furthest from its corner.
 */
static void
diff_split_far(const struct diff *d, ptrdiff_t off1, ptrdiff_t lim1,
    ptrdiff_t off2, ptrdiff_t lim2, const ptrdiff_t range[4], ptrdiff_t *s1,
    ptrdiff_t *s2)
{
	ptrdiff_t k, x, y, fbest = -1, fx = 0, bbest = PTRDIFF_MAX, bx = 0;

	for (k = range[1]; k >= range[0]; k -= 2) {
		x = d->kvf[k] < lim1 ? d->kvf[k] : lim1;
		if ((y = x - k) > lim2) {
			x = lim2 + k;
			y = lim2;
		}
		if (x + y > fbest) {
			fbest = x + y;
			fx = x;
		}
	}
	for (k = range[3]; k >= range[2]; k -= 2) {
		x = d->kvb[k] > off1 ? d->kvb[k] : off1;
		if ((y = x - k) < off2) {
			x = off2 + k;
			y = off2;
		}
		if (x + y < bbest) {
			bbest = x + y;
			bx = x;
		}
	}
	if (lim1 + lim2 - bbest < fbest - (off1 + off2)) {
		*s1 = fx;
		*s2 = fbest - fx;
	} else {
		*s1 = bx;
		*s2 = bbest - bx;
	}
}

/*
 * Find a point (*s1, *s2) a shortest path from (off1, off2) to (lim1, lim2)
 * goes through, where the forward and backward searches meet; both boxes
 * it cuts are smaller.  The sides differ at both ends.
 */
static void
diff_split(const struct diff *d, ptrdiff_t off1, ptrdiff_t lim1,
    ptrdiff_t off2, ptrdiff_t lim2, ptrdiff_t *s1, ptrdiff_t *s2)
{
	const size_t *a = d->ida, *b = d->idb;
	ptrdiff_t *kf = d->kvf, *kb = d->kvb;
	ptrdiff_t dmin = off1 - lim2, dmax = lim1 - off2;
	ptrdiff_t fmid = off1 - off2, bmid = lim1 - lim2;
	/* The diagonals searched: forward min, max, backward min, max. */
	ptrdiff_t r[4] = { fmid, fmid, bmid, bmid };
	ptrdiff_t k, x, y, cost;
	int odd = (int)((fmid - bmid) & 1);

	kf[fmid] = off1;
	kb[bmid] = lim1;
	for (cost = 1;; cost++) {
		if (r[0] > dmin)
			kf[--r[0] - 1] = -1;
		else
			r[0]++;
		if (r[1] < dmax)
			kf[++r[1] + 1] = -1;
		else
			r[1]--;
		for (k = r[1]; k >= r[0]; k -= 2) {
			x = kf[k - 1] >= kf[k + 1] ? kf[k - 1] + 1 : kf[k + 1];
			for (y = x - k; x < lim1 && y < lim2 && a[x] == b[y];
			    y++)
				x++;
			kf[k] = x;
			if (odd && r[2] <= k && k <= r[3] && kb[k] <= x) {
				*s1 = x;
				*s2 = y;
				return;
			}
		}
		if (r[2] > dmin)
			kb[--r[2] - 1] = PTRDIFF_MAX;
		else
			r[2]++;
		if (r[3] < dmax)
			kb[++r[3] + 1] = PTRDIFF_MAX;
		else
			r[3]--;
		for (k = r[3]; k >= r[2]; k -= 2) {
			x = kb[k - 1] < kb[k + 1] ? kb[k - 1] : kb[k + 1] - 1;
			for (y = x - k; x > off1 && y > off2 &&
			    a[x - 1] == b[y - 1]; y--)
				x--;
			kb[k] = x;
			if (!odd && r[0] <= k && k <= r[1] && x <= kf[k]) {
				*s1 = x;
				*s2 = y;
				return;
			}
		}
		if (cost >= d->maxcost) {
			diff_split_far(d, off1, lim1, off2, lim2, r, s1, s2);
			return;
		}
	}
}

/* Mark the lines of a[off1..lim1) and b[off2..lim2) that are not common. */
static void
diff_compare(struct diff *d, ptrdiff_t off1, ptrdiff_t lim1, ptrdiff_t off2,
    ptrdiff_t lim2)
{
	const size_t *a = d->ida, *b = d->idb;
	ptrdiff_t s1, s2;

	for (;;) {
		while (off1 < lim1 && off2 < lim2 && a[off1] == b[off2]) {
			off1++;
			off2++;
		}
		while (off1 < lim1 && off2 < lim2 &&
		    a[lim1 - 1] == b[lim2 - 1]) {
			lim1--;
			lim2--;
		}
		if (off1 == lim1 || off2 == lim2)
			break;
		diff_split(d, off1, lim1, off2, lim2, &s1, &s2);
		diff_compare(d, off1, s1, off2, s2);
		off1 = s1;
		off2 = s2;
	}
	if (off1 < lim1)
		memset(d->cha + off1, 1, (size_t)(lim1 - off1));
	if (off2 < lim2)
		memset(d->chb + off2, 1, (size_t)(lim2 - off2));
}

/* Common lines from a[i], b[j] on. */
static size_t
diff_common(const struct diff *d, size_t i, size_t j)
{
	size_t n = 0;

	while (i + n < d->na && j + n < d->nb && !d->cha[i + n] &&
	    !d->chb[j + n])
		n++;
	return n;
}

/* Print one side's range of a hunk header: "3", "3,4" or "2,0". */
static void
diff_range(FILE *f, size_t start, size_t n)
{
	if (n == 1)
		fprintf(f, "%zu", start + 1);
	else
		fprintf(f, "%zu,%zu", n > 0 ? start + 1 : start, n);
}

/* Print one line of a hunk after its mark, shown as vis says (a colour
 * let through reset before its newline). */
static void
diff_put(FILE *f, int mark, const struct diff_line *l, int vis)
{
	int nl = l->len > 0 && l->p[l->len - 1] == '\n';

	putc(mark, f);
	if (drove_vis_write(f, l->p, l->len - (size_t)nl, vis))
		fputs("\033[0m", f);
	fputs(nl ? "\n" : "\n\\ No newline at end of file\n", f);
}

/* Print the hunk from (i0, j0) to (i1, j1). */
static void
diff_hunk(FILE *f, const struct diff *d, size_t i0, size_t j0, size_t i1,
    size_t j1)
{
	const struct diff_line *a = d->line, *b = d->line + d->na;
	size_t i = i0, j = j0;

	fputs("@@ -", f);
	diff_range(f, i0, i1 - i0);
	fputs(" +", f);
	diff_range(f, j0, j1 - j0);
	fputs(" @@\n", f);
	while (i < i1 || j < j1) {
		if (i < i1 && j < j1 && !d->cha[i] && !d->chb[j]) {
			diff_put(f, ' ', &a[i++], d->vis);
			j++;
			continue;
		}
		while (i < i1 && d->cha[i])
			diff_put(f, '-', &a[i++], d->vis);
		while (j < j1 && d->chb[j])
			diff_put(f, '+', &b[j++], d->vis);
	}
}

/* Print the hunks: changes less than 2 * context lines apart share one. */
static void
diff_print(FILE *f, const struct diff *d, size_t ctx)
{
	size_t i = 0, j = 0, n, lead, x, y;

	for (;;) {
		n = diff_common(d, i, j);
		if (i + n == d->na && j + n == d->nb)
			return;
		lead = n < ctx ? n : ctx;
		x = i + n;
		y = j + n;
		i = x - lead;
		j = y - lead;
		for (;;) {
			while (x < d->na && d->cha[x])
				x++;
			while (y < d->nb && d->chb[y])
				y++;
			n = diff_common(d, x, y);
			if ((x + n == d->na && y + n == d->nb) || n > 2 * ctx) {
				n = n < ctx ? n : ctx;
				break;
			}
			x += n;
			y += n;
		}
		diff_hunk(f, d, i, j, x + n, y + n);
		i = x + n;
		j = y + n;
	}
}

/* Print the hunks turning a into b; 0 or DROVE_E_NOMEM. */
int
diff_unified(FILE *f, const char *a, size_t alen, const char *b, size_t blen,
    size_t context, int vis)
{
	struct diff d;
	size_t n, root = 1;
	int r = DROVE_E_NOMEM;

	memset(&d, 0, sizeof d);
	d.vis = vis;
	if (alen == 0)
		a = "";
	if (blen == 0)
		b = "";
	d.na = diff_count(a, alen);
	d.nb = diff_count(b, blen);
	n = d.na + d.nb;
	if ((d.line = calloc(n + 1, sizeof *d.line)) == NULL ||
	    (d.id = calloc(n + 1, sizeof *d.id)) == NULL ||
	    (d.chg = calloc(n + 1, 1)) == NULL ||
	    (d.kvf = calloc(n + 3, sizeof *d.kvf)) == NULL ||
	    (d.kvb = calloc(n + 3, sizeof *d.kvb)) == NULL)
		goto out;
	diff_cut(d.line, a, alen);
	diff_cut(d.line + d.na, b, blen);
	if (diff_number(&d) != 0)
		goto out;
	d.ida = d.id;
	d.idb = d.id + d.na;
	d.cha = d.chg;
	d.chb = d.chg + d.na;
	while (root * root < n)
		root++;
	d.maxcost = root > DIFF_MIN_COST ? (ptrdiff_t)root : DIFF_MIN_COST;
	/* Diagonals run from -nb - 1 to na + 1. */
	d.kvf += d.nb + 1;
	d.kvb += d.nb + 1;
	diff_compare(&d, 0, (ptrdiff_t)d.na, 0, (ptrdiff_t)d.nb);
	diff_print(f, &d, context);
	d.kvf -= d.nb + 1;
	d.kvb -= d.nb + 1;
	r = 0;
 out:
	free(d.line);
	free(d.id);
	free(d.chg);
	free(d.kvf);
	free(d.kvb);
	return r;
}

/* The same for the library's users. */
int
drove_diff(void *file, const char *a, size_t alen, const char *b,
    size_t blen, size_t context, int vis)
{
	return diff_unified(file, a, alen, b, blen, context, vis);
}
