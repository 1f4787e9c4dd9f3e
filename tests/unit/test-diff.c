/*
 * test-diff.c: line diffs as unified hunks: edge cases, hunk layout,
 * large inputs with few changes, and random inputs checked against a
 * quadratic LCS for minimality and against both sides for correctness.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "drove.h"
#include "output/diff.h"
#include "test.h"

/* The diff of a and b with ctx lines of context, malloc'd. */
static char *
diff_of(const char *a, size_t alen, const char *b, size_t blen, size_t ctx)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	if (diff_unified(f, a, alen, b, blen, ctx, 0) != 0) {
		fclose(f);
		free(s);
		return NULL;
	}
	fclose(f);
	return s;
}

/* 1 when the diff of the strings a and b with ctx is want. */
static int
diff_is(const char *a, const char *b, size_t ctx, const char *want)
{
	char *s = diff_of(a, strlen(a), b, strlen(b), ctx);
	int ok = s != NULL && strcmp(s, want) == 0;

	if (!ok)
		fprintf(stderr, "diff: got\n%s\nwant\n%s\n", s ? s : "(null)",
		    want);
	free(s);
	return ok;
}

TEST(diff_empty_and_identical)
{
	T_TRUE(diff_is("", "", 3, ""));
	T_TRUE(diff_is("a\nb\n", "a\nb\n", 3, ""));
	T_TRUE(diff_is("", "a\nb\n", 3, "@@ -0,0 +1,2 @@\n+a\n+b\n"));
	T_TRUE(diff_is("a\nb\n", "", 3, "@@ -1,2 +0,0 @@\n-a\n-b\n"));
	T_TRUE(diff_is("a\n", "b\n", 3, "@@ -1 +1 @@\n-a\n+b\n"));
}

TEST(diff_insert_delete_change_with_context)
{
	static const char ten[] = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";

	T_TRUE(diff_is(ten, "1\n2\n3\n4\n5\nx\n6\n7\n8\n9\n10\n", 3,
	    "@@ -3,6 +3,7 @@\n 3\n 4\n 5\n+x\n 6\n 7\n 8\n"));
	T_TRUE(diff_is(ten, "1\n2\n3\n4\n6\n7\n8\n9\n10\n", 3,
	    "@@ -2,7 +2,6 @@\n 2\n 3\n 4\n-5\n 6\n 7\n 8\n"));
	T_TRUE(diff_is(ten, "1\n2\n3\n4\n5\n6\n7\n8\n9\nten\n", 1,
	    "@@ -9,2 +9,2 @@\n 9\n-10\n+ten\n"));
	T_TRUE(diff_is(ten, "x\n2\n3\n4\n5\n6\n7\n8\n9\n10\n", 0,
	    "@@ -1 +1 @@\n-1\n+x\n"));
	/* A deletion at the start with no context is after line 0. */
	T_TRUE(diff_is("a\nb\n", "b\n", 0, "@@ -1 +0,0 @@\n-a\n"));
	T_TRUE(diff_is("b\n", "a\nb\n", 0, "@@ -0,0 +1 @@\n+a\n"));
}

TEST(diff_hunks_merge_when_close)
{
	static const char ten[] = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n";

	/* 4 common lines between changes, context 2: one hunk. */
	T_TRUE(diff_is(ten, "1\nB\n3\n4\n5\n6\nG\n8\n9\n10\n", 2,
	    "@@ -1,9 +1,9 @@\n 1\n-2\n+B\n 3\n 4\n 5\n 6\n-7\n+G\n 8\n 9\n"));
	/* 5 common lines apart, context 2: two hunks. */
	T_TRUE(diff_is(ten, "1\nB\n3\n4\n5\n6\n7\nH\n9\n10\n", 2,
	    "@@ -1,4 +1,4 @@\n 1\n-2\n+B\n 3\n 4\n"
	    "@@ -6,5 +6,5 @@\n 6\n 7\n-8\n+H\n 9\n 10\n"));
}

TEST(diff_last_line_without_newline)
{
	T_TRUE(diff_is("a\nb", "a\nb\n", 3,
	    "@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n"));
	T_TRUE(diff_is("a\n", "a\nc", 3,
	    "@@ -1 +1,2 @@\n a\n+c\n\\ No newline at end of file\n"));
}

/* Append line i of a numbered text, or its replacement. */
static void
big_line(FILE *f, size_t i, size_t changed)
{
	if (i == changed)
		fprintf(f, "changed %zu\n", i);
	else
		fprintf(f, "line %zu\n", i);
}

TEST(diff_large_inputs_few_changes)
{
	char *a = NULL, *b = NULL, *got = NULL, *want = NULL;
	size_t alen = 0, blen = 0, wlen = 0, i, n = 200000;
	FILE *fa = open_memstream(&a, &alen), *fb = open_memstream(&b, &blen);
	FILE *fw = open_memstream(&want, &wlen);

	for (i = 0; i < n; i++) {
		big_line(fa, i, SIZE_MAX);
		if (i != 1000)		/* deleted from b */
			big_line(fb, i, i == 150000 ? i : SIZE_MAX);
		if (i == 100000)	/* inserted into b */
			fputs("new\n", fb);
	}
	fclose(fa);
	fclose(fb);
	fputs("@@ -1000,3 +1000,2 @@\n line 999\n-line 1000\n line 1001\n"
	    "@@ -100001,2 +100000,3 @@\n line 100000\n+new\n line 100001\n"
	    "@@ -150000,3 +150000,3 @@\n line 149999\n-line 150000\n"
	    "+changed 150000\n line 150001\n", fw);
	fclose(fw);
	got = diff_of(a, alen, b, blen, 1);
	T_TRUE(got != NULL);
	T_STREQ(got, want);
	free(a);
	free(b);
	free(got);
	free(want);
}

/* xorshift64: a fixed sequence of pseudo-random numbers. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Write n random one-letter lines from the first k letters into p. */
static size_t
rnd_text(char *p, size_t n, unsigned k, uint64_t *seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[2 * i] = (char)('a' + rnd(seed) % k);
		p[2 * i + 1] = '\n';
	}
	p[2 * n] = '\0';
	return 2 * n;
}

/* Length of the longest common subsequence of one-letter lines. */
static size_t
lcs(const char *a, size_t na, const char *b, size_t nb)
{
	size_t *row = calloc((nb + 1) * 2, sizeof *row), i, j, r;
	size_t *prev = row, *cur = row + nb + 1, *t;

	for (i = 1; i <= na; i++) {
		for (j = 1; j <= nb; j++) {
			if (a[2 * (i - 1)] == b[2 * (j - 1)])
				cur[j] = prev[j - 1] + 1;
			else
				cur[j] = prev[j] > cur[j - 1] ? prev[j] :
				    cur[j - 1];
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	r = prev[nb];
	free(row);
	return r;
}

/*
 * Check a whole-file diff of a and b: its ' ' and '-' lines give a back, its
 * ' ' and '+' lines give b, and it has edits '-' and '+' lines.
 */
static int
diff_rebuilds(const char *a, const char *b, const char *d, size_t *edits)
{
	char *ra = calloc(strlen(d) + 1, 1), *rb = calloc(strlen(d) + 1, 1);
	const char *p = d, *nl;
	size_t la = 0, lb = 0;
	int ok;

	*edits = 0;
	if (*p == '@')
		p = strchr(p, '\n') + 1;
	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (*p != '+') {
			memcpy(ra + la, p + 1, (size_t)(nl - p));
			la += (size_t)(nl - p);
		}
		if (*p != '-') {
			memcpy(rb + lb, p + 1, (size_t)(nl - p));
			lb += (size_t)(nl - p);
		}
		*edits += *p != ' ';
	}
	ok = strcmp(ra, a) == 0 && strcmp(rb, b) == 0;
	free(ra);
	free(rb);
	return ok;
}

TEST(diff_random_is_correct_and_shortest)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL;
	char a[2 * 64 + 1], b[2 * 64 + 1], *d;
	size_t alen, blen, na, nb, edits, round;

	for (round = 0; round < 2000; round++) {
		na = rnd(&seed) % 40;
		nb = rnd(&seed) % 40;
		alen = rnd_text(a, na, 2 + round % 4, &seed);
		blen = rnd_text(b, nb, 2 + round % 4, &seed);
		d = diff_of(a, alen, b, blen, SIZE_MAX / 4);
		T_TRUE(d != NULL);
		if (!diff_rebuilds(a, b, d, &edits) ||
		    edits != na + nb - 2 * lcs(a, na, b, nb)) {
			fprintf(stderr, "a:\n%sb:\n%sdiff:\n%s", a, b, d);
			free(d);
			T_TRUE(0);
		}
		free(d);
	}
}

TEST(diff_costly_inputs_still_correct)
{
	uint64_t seed = 12345;
	size_t n = 6000, alen, blen, edits = 0, least;
	char *a = malloc(2 * n + 1), *b = malloc(2 * n + 1), *d;
	int ok;

	/* Far apart enough that the search hits its cost bound. */
	alen = rnd_text(a, n, 26, &seed);
	blen = rnd_text(b, n, 26, &seed);
	d = diff_of(a, alen, b, blen, SIZE_MAX / 4);
	ok = d != NULL && diff_rebuilds(a, b, d, &edits);
	least = 2 * n - 2 * lcs(a, n, b, n);
	free(a);
	free(b);
	free(d);
	T_TRUE(ok);
	T_TRUE(least > 2 * 256);
	T_TRUE(edits >= least);
}
