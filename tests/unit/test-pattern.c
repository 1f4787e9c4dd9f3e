/*
 * test-pattern.c: host patterns: Ansible's documented examples, globs,
 * ranges, regexes, @files, IPv6 terms, and every error with its message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/buf.h"
#include "drove.h"
#include "test.h"

/* An inventory loaded from inventory/name in the source tree. */
static drove_inventory *
load_example(const char *name)
{
	drove_inventory *inv = drove_inventory_new();
	const char *end = strstr(__FILE__, "tests/unit/");
	char path[512];

	snprintf(path, sizeof path, "%.*sinventory/%s",
	    (int)(end != NULL ? end - __FILE__ : 0), __FILE__, name);
	if (inv != NULL && drove_inventory_load(inv, path) != 0) {
		fprintf(stderr, "%s\n", drove_inventory_error(inv));
		drove_inventory_free(inv);
		return NULL;
	}
	return inv;
}

/* Short names ("foo" for foo.example.com) of a selection, or the error. */
static char *
select_names(drove_inventory *inv, const char *pattern)
{
	struct buf b;
	size_t *sel = NULL, n = 0, i, len;
	const char *name;
	int r;

	buf_init(&b);
	if ((r = drove_inventory_select(inv, pattern, &sel, &n)) != 0) {
		buf_printf(&b, "error %d: %s%s", r, drove_inventory_error(inv),
		    sel == NULL && n == 0 ? "" : " (and a selection)");
	}
	for (i = 0; i < n; i++) {
		name = drove_inventory_name(inv, sel[i]);
		len = strcspn(name, ".");
		buf_printf(&b, "%s%.*s", i > 0 ? " " : "", (int)len, name);
	}
	free(sel);
	return buf_steal(&b, NULL);
}

/* Whether pattern selects want; reports the difference when not. */
static int
check(drove_inventory *inv, const char *pattern, const char *want, int line)
{
	char *got = select_names(inv, pattern);
	int ok = strcmp(got, want) == 0;

	if (!ok)
		test_fail(__FILE__, line, "'%s': \"%s\" != \"%s\"", pattern,
		    got, want);
	free(got);
	return ok;
}

#define T_SELECT(inv, pattern, want) do {				\
	if (!check(inv, pattern, want, __LINE__))			\
		return;							\
} while (0)

static const struct {
	const char	*pattern;
	const char	*want;
} docs_cases[] = {
	/* Ansible's "Patterns: targeting hosts and groups" examples. */
	{ "all", "foo bar www01 www02 www03 one two three" },
	{ "*", "foo bar www01 www02 www03 one two three" },
	{ "webservers", "foo bar www01 www02 www03" },
	{ "webservers:dbservers", "foo bar www01 www02 www03 one two three" },
	{ "webservers,dbservers", "foo bar www01 www02 www03 one two three" },
	{ "webservers:!atlanta", "bar www02 www03" },
	{ "webservers:&staging", "foo www02" },
	{ "webservers:dbservers:&staging:!phoenix", "foo www02 one" },
	{ "*.example.com", "foo bar www01 www02 www03 one two three" },
	{ "one.example.com", "one" },
	{ "one.example.com:two.example.com", "one two" },
	{ "~(web|db).*", "foo bar www01 www02 www03 one two three" },
	/* Ansible's order (ansible --list-hosts): term by term, each
	 * group's hosts in its order, without duplicates. */
	{ "atlanta:phoenix", "foo one www01 bar two" },
	{ "two.example.com,foo.example.com,webservers", "two foo bar www01 "
	    "www02 www03" },
	/* Exclusions and intersections are applied after every union. */
	{ "!atlanta:webservers", "bar www02 www03" },
	{ "&staging:dbservers", "one two" },
	{ "!atlanta", "bar www02 www03 two three" },
	{ "&staging", "foo www02 one two" },
	{ "webservers:&staging:&atlanta", "foo" },
	{ " webservers , !atlanta ", "bar www02 www03" },
	{ "webservers::,dbservers", "foo bar www01 www02 www03 one two three" },
	/* Globs, ranges and regexes. */
	{ "www*", "www01 www02 www03" },
	{ "www0?.example.com", "www01 www02 www03" },
	{ "*servers", "foo bar www01 www02 www03 one two three" },
	{ "www0[!2].example.com", "www01 www03" },
	{ "www0[13].example.com", "error -15: no group or host matches "
	    "'www013.example.com'; closest: www01.example.com, "
	    "www03.example.com, www02.example.com" },
	{ "www[01:02].example.com", "www01 www02" },
	{ "www[01-02].example.com", "www01 www02" },
	{ "www[01:03:2].example.com", "www01 www03" },
	{ "www[01,03].example.com", "www01 www03" },
	{ "~www", "www01 www02 www03" },
	{ "~(one|two)\\.", "one two" },
	{ "~[ot]", "one two three" },
	/* Errors. */
	{ "webserver", "error -15: no group or host matches 'webserver'; "
	    "closest: webservers" },
	{ "wbeservers", "error -15: no group or host matches 'wbeservers'; "
	    "closest: webservers, dbservers" },
	{ "www04.example.com", "error -15: no group or host matches "
	    "'www04.example.com'; closest: www01.example.com, "
	    "www02.example.com, www03.example.com" },
	{ "zzz", "error -15: no group or host matches 'zzz'" },
	{ "webservers:!atlnta", "error -15: no group or host matches "
	    "'atlnta'; closest: atlanta" },
	{ "www[01:04].example.com", "error -15: no group or host matches "
	    "'www04.example.com'; closest: www01.example.com, "
	    "www02.example.com, www03.example.com" },
	{ "db*x", "error -15: no group or host matches 'db*x'" },
	{ "~example", "error -15: no group or host matches '~example'" },
	{ "webservers:&phoenix:&dbservers", "error -15: pattern "
	    "'webservers:&phoenix:&dbservers' selects no hosts" },
	{ "atlanta:!all", "error -15: pattern 'atlanta:!all' selects no "
	    "hosts" },
	{ "a:web[01", "error -14: unclosed '[' in 'web[01'" },
	{ "a,web]x,b", "error -14: unmatched ']' in 'web]'" },
	{ "webservers:!", "error -14: expected a name after '!' in pattern "
	    "'webservers:!'" },
	{ "&:a", "error -14: expected a name after '&' in pattern '&:a'" },
	{ "", "error -14: empty pattern" },
	{ " , :", "error -14: empty pattern" },
	{ "~web(", "error -14: bad regex 'web(': Unmatched ( or \\(" },
	{ "www[3:1]", "error -14: bad range '[3:1]' in 'www[3:1]': start "
	    "after end" },
	{ "!@hosts", "error -14: unexpected '@hosts' in pattern '!@hosts'" },
	{ "@/nonexistent/p", "error -4: cannot open pattern file "
	    "'/nonexistent/p': No such file or directory" },
};

TEST(pattern_table)
{
	drove_inventory *inv = load_example("ansible-docs.yml");
	size_t i;

	T_TRUE(inv != NULL);
	for (i = 0; i < sizeof docs_cases / sizeof docs_cases[0]; i++)
		if (!check(inv, docs_cases[i].pattern, docs_cases[i].want,
		    __LINE__))
			break;
	drove_inventory_free(inv);
}

TEST(pattern_nested_groups)
{
	drove_inventory *inv = load_example("demo.yml");

	T_TRUE(inv != NULL);
	T_SELECT(inv, "all:!prod", "bastion");
	T_SELECT(inv, "ungrouped", "bastion");
	T_SELECT(inv, "ungrouped:db01", "bastion db01");
	T_SELECT(inv, "prod:!db:!web0[2-9]", "web01 web10");
	/* Groups take Ansible's subscripts, as ansible --list-hosts does. */
	T_SELECT(inv, "db[01-03],web[1-2]", "db02 db03 db04 web02 web03");
	/* A list in brackets is a range; web[01-02] is a subscript. */
	T_SELECT(inv, "db[01-03,10],web[01-02]",
	    "db01 db02 db03 db10 web02 web03");
	drove_inventory_free(inv);
}

TEST(pattern_ipv6_terms)
{
	drove_inventory *inv = drove_inventory_new();

	T_EQ(drove_inventory_add_list(inv, "a,[::1]:2222,fe80::2,b"), 0);
	T_SELECT(inv, "[::1]:b", "::1 b");
	T_SELECT(inv, "ungrouped", "a ::1 fe80::2 b");
	T_SELECT(inv, "all:![fe80::2]", "a ::1 b");
	T_SELECT(inv, "fe80::2", "error -15: no group or host matches 'fe80'");
	drove_inventory_free(inv);
}

TEST(pattern_file)
{
	drove_inventory *inv = load_example("ansible-docs.yml");
	char path[] = "/tmp/drove-pat-XXXXXX", pattern[64];
	FILE *f;
	int fd;

	T_TRUE(inv != NULL);
	T_TRUE((fd = mkstemp(path)) >= 0);
	T_TRUE((f = fdopen(fd, "w")) != NULL);
	fputs("# hosts to fix\n  webservers:!atlanta  \n\nthree.example.com "
	    "# last\n", f);
	fclose(f);
	snprintf(pattern, sizeof pattern, "@%s", path);
	T_SELECT(inv, pattern, "bar www02 www03 three");
	snprintf(pattern, sizeof pattern, "two.example.com,@%s", path);
	T_SELECT(inv, pattern, "two bar www02 www03 three");
	f = fopen(path, "w");
	fputs("@other\n", f);
	fclose(f);
	snprintf(pattern, sizeof pattern, "@%s", path);
	T_SELECT(inv, pattern, "error -14: unexpected '@other' in pattern "
	    "'@other'");
	unlink(path);
	drove_inventory_free(inv);
}

TEST(pattern_bad_arguments)
{
	drove_inventory *inv = drove_inventory_new();
	size_t *sel = (size_t *)1, n = 9;

	T_EQ(drove_inventory_select(inv, NULL, &sel, &n), DROVE_E_INVAL);
	T_TRUE(sel == NULL);
	T_EQ(n, 0);
	T_EQ(drove_inventory_select(NULL, "all", &sel, &n), DROVE_E_INVAL);
	T_EQ(drove_inventory_select(inv, "all", &sel, &n), DROVE_E_NOTFOUND);
	T_STREQ(drove_inventory_error(inv), "pattern 'all' selects no hosts");
	drove_inventory_free(inv);
}
