/*
 * test-fold.c: folding host names into ranges.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "drove.h"
#include "test.h"

/* Fold the n names and compare with want; 1 when they match. */
static int
fold_is(const char *const *names, size_t n, const char *want)
{
	char *s = drove_hosts_fold(names, n);
	int ok = s != NULL && strcmp(s, want) == 0;

	if (!ok)
		fprintf(stderr, "fold: got \"%s\", want \"%s\"\n",
		    s ? s : "(null)", want);
	free(s);
	return ok;
}

#define FOLD_IS(want, ...) do {						\
	const char *const n_[] = { __VA_ARGS__ };			\
	T_TRUE(fold_is(n_, sizeof n_ / sizeof n_[0], want));		\
} while (0)

TEST(fold_ranges_keep_padding)
{
	FOLD_IS("db1,web[01-03,05]", "web01", "web02", "web03", "web05", "db1");
	FOLD_IS("web[08-10]", "web10", "web08", "web09");
	FOLD_IS("web[9-11]", "web11", "web9", "web10");
	FOLD_IS("web[1-2],web[01,03],web001", "web01", "web1", "web001",
	    "web2", "web03");
	FOLD_IS("n[0-2]", "n2", "n0", "n1");
}

TEST(fold_single_names_and_duplicates)
{
	FOLD_IS("web1", "web1");
	FOLD_IS("web1", "web1", "web1");
	FOLD_IS("a,b", "b", "a", "b");
	FOLD_IS("web,web[1-2]", "web2", "web", "web1", "web", "web2");
	FOLD_IS("db[1,3],web[01-02]", "web02", "db3", "web01", "db1",
	    "web02", "db1");
	T_TRUE(fold_is(NULL, 0, ""));
}

TEST(fold_last_number_and_suffix)
{
	FOLD_IS("r1n[01-02],r2n01", "r2n01", "r1n02", "r1n01");
	FOLD_IS("node[1-3].lan,node4.wan", "node2.lan", "node4.wan",
	    "node1.lan", "node3.lan");
	FOLD_IS("10.0.0.[1-3]", "10.0.0.3", "10.0.0.1", "10.0.0.2");
	FOLD_IS("x[5-6],x1234567890123456789012", "x6",
	    "x1234567890123456789012", "x5");
}

TEST(fold_many_names)
{
	const size_t n = 100000;
	char **names = calloc(n, sizeof *names), *tmp, *s;
	size_t i, j;

	T_TRUE(names != NULL);
	for (i = 0; i < n; i++)
		T_TRUE(asprintf(&names[i], "web%06zu", i + 1) > 0);
	srand(7);
	for (i = n - 1; i > 0; i--) {
		j = (size_t)rand() % (i + 1);
		tmp = names[i];
		names[i] = names[j];
		names[j] = tmp;
	}
	/* Leave out web050000 to split the range. */
	for (i = 0; i < n; i++)
		if (strcmp(names[i], "web050000") == 0)
			names[i][3] = 'x';
	s = drove_hosts_fold((const char *const *)names, n);
	T_STREQ(s, "web[000001-049999,050001-100000],webx50000");
	free(s);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
