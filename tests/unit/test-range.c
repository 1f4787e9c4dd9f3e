/*
 * test-range.c: expansion of bracket ranges in host names.
 */
#include <stdlib.h>

#include "base/buf.h"
#include "drove.h"
#include "inventory/range.h"
#include "test.h"

/* Collect names as "a b c". */
static int
collect(const char *name, void *arg)
{
	struct buf *b = arg;

	return buf_printf(b, "%s%s", b->len > 0 ? " " : "", name);
}

/* Stop after the second name. */
static int
stop_at_two(const char *name, void *arg)
{
	int *n = arg;

	(void)name;
	return ++*n == 2 ? 42 : 0;
}

/* Expand s with flags into "a b c" or "error: <message>". */
static char *
expand(const char *s, int flags)
{
	struct buf b;
	char err[256];
	int r;

	buf_init(&b);
	if ((r = range_expand(s, flags, collect, &b, err, sizeof err)) != 0) {
		b.len = 0;
		buf_printf(&b, "error %d: %s", r, err);
	}
	return buf_steal(&b, NULL);
}

static const struct {
	const char	*in;
	int		 flags;
	const char	*out;
} cases[] = {
	{ "web", 0, "web" },
	{ "", 0, "" },
	{ "web[1:3]", 0, "web1 web2 web3" },
	{ "web[1-3]", 0, "web1 web2 web3" },
	{ "web[01:03].example.com", 0,
	    "web01.example.com web02.example.com web03.example.com" },
	{ "web[8:11]", 0, "web8 web9 web10 web11" },
	{ "web[08:11]", 0, "web08 web09 web10 web11" },
	{ "n[001:3]", 0, "n001 n002 n003" },
	{ "db-[a:c]", 0, "db-a db-b db-c" },
	{ "db-[A-C]", 0, "db-A db-B db-C" },
	{ "w[01:07:3]", 0, "w01 w04 w07" },
	{ "w[1-8:3]", 0, "w1 w4 w7" },
	{ "node[1-3,7,10-12]", 0,
	    "node1 node2 node3 node7 node10 node11 node12" },
	{ "r[1:2]n[a:b]", 0, "r1na r1nb r2na r2nb" },
	{ "[1:2]x", 0, "1x 2x" },
	{ "x[5]", 0, "x5" },
	{ "x[05]", 0, "x05" },
	{ "x[0]", 0, "x0" },
	{ "x[0:2]", 0, "x0 x1 x2" },
	{ "a]b", 0, "a]b" },
	{ "web[5:1]", 0,
	    "error -14: bad range '[5:1]' in 'web[5:1]': start after end" },
	{ "web[1:]", 0, "error -14: bad range '[1:]' in 'web[1:]': "
	    "expected a number or a letter" },
	{ "web[]", 0, "error -14: bad range '[]' in 'web[]': "
	    "expected a number or a letter" },
	{ "web[1:3:0]", 0, "error -14: bad range '[1:3:0]' in "
	    "'web[1:3:0]': stride must be positive" },
	{ "web[1:c]", 0, "error -14: bad range '[1:c]' in 'web[1:c]': "
	    "start and end differ in kind" },
	{ "web[a:C]", 0, "error -14: bad range '[a:C]' in 'web[a:C]': "
	    "start and end differ in kind" },
	{ "web[1:3:x]", 0, "error -14: bad range '[1:3:x]' in "
	    "'web[1:3:x]': expected a stride" },
	{ "web[1:3x]", 0, "error -14: bad range '[1:3x]' in 'web[1:3x]': "
	    "unexpected text" },
	{ "web[1,]", 0, "error -14: bad range '[1,]' in 'web[1,]': "
	    "expected a number or a letter" },
	{ "web[01", 0, "error -14: unclosed '[' in 'web[01'" },
	{ "x[1234567890123456789]", 0, "error -14: bad range "
	    "'[1234567890123456789]' in 'x[1234567890123456789]': "
	    "expected a number or a letter" },
	{ "x[1:2000000]", 0, "error -14: bad range '[1:2000000]' in "
	    "'x[1:2000000]': too many names" },
	{ "x[1:1000]y[1:1001]", 0, "error -14: bad range in "
	    "'x[1:1000]y[1:1001]': more than 1000000 names" },
	{ "db-[ab]", RANGE_LITERAL, "db-[ab]" },
	{ "db-[ab][1:2]", RANGE_LITERAL, "db-[ab]1 db-[ab]2" },
	{ "web[01", RANGE_LITERAL, "web[01" },
	{ "w[!2]", RANGE_LITERAL, "w[!2]" },
	{ "w[1:3x]", RANGE_LITERAL, "w[1:3x]" },
	{ "w[3:1]", RANGE_LITERAL, "error -14: bad range '[3:1]' in "
	    "'w[3:1]': start after end" },
	{ "w[1:3:0]", RANGE_LITERAL, "error -14: bad range '[1:3:0]' in "
	    "'w[1:3:0]': stride must be positive" },
	{ "x[1:2000000]", RANGE_LITERAL, "error -14: bad range "
	    "'[1:2000000]' in 'x[1:2000000]': too many names" },
};

TEST(range_expand_table)
{
	size_t i;
	char *got;
	int ok;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		got = expand(cases[i].in, cases[i].flags);
		ok = strcmp(got, cases[i].out) == 0;
		if (!ok)
			test_fail(__FILE__, __LINE__, "'%s': \"%s\" != \"%s\"",
			    cases[i].in, got, cases[i].out);
		free(got);
		if (!ok)
			return;
	}
}

TEST(range_expand_stops_on_callback_error)
{
	char err[64];
	int n = 0;

	T_EQ(range_expand("h[1:9]", 0, stop_at_two, &n, err, sizeof err), 42);
	T_EQ(n, 2);
}

TEST(range_expand_at_the_limit)
{
	char err[64];
	int n = 0;

	T_EQ(range_expand("x[1:1000]y[1:1000]", 0, stop_at_two, &n, err,
	    sizeof err), 42);
}
