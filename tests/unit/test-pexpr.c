/*
 * test-pexpr.c: values and expressions of the playbook language: truth
 * tables, precedence, comparisons, "in", "is defined", filters, errors
 * with their offsets, and registered results.
 */
#include <stdlib.h>

#include "base/buf.h"
#include "play/play.h"
#include "test.h"

/*
 * The variables the tests see: s="hello", n=42, ns="42", t=true, f=false,
 * e="", z=0, fs="False", l=["a","b",3], el=[], m={"k":"v","x":{"y":7}},
 * r=a registered result (rc 2, stdout "one\ntwo\n", stderr "oops").
 */
static struct pval vars;

static void
vars_init(void)
{
	struct pval l = { 0 }, x = { 0 }, m = { 0 }, el = { 0 }, r = { 0 };
	struct pval item = { 0 };

	if (vars.kind == PV_MAP)
		return;
	pval_map(&vars);
	pval_set_str(&vars, "s", "hello");
	pval_set_int(&vars, "n", 42);
	pval_set_str(&vars, "ns", "42");
	pval_set_bool(&vars, "t", 1);
	pval_set_bool(&vars, "f", 0);
	pval_set_str(&vars, "e", "");
	pval_set_int(&vars, "z", 0);
	pval_set_str(&vars, "fs", "False");
	pval_list(&l);
	pval_str(&item, "a");
	pval_push(&l, &item);
	pval_str(&item, "b");
	pval_push(&l, &item);
	pval_int(&item, 3);
	pval_push(&l, &item);
	pval_set(&vars, "l", &l);
	pval_list(&el);
	pval_set(&vars, "el", &el);
	pval_map(&m);
	pval_set_str(&m, "k", "v");
	pval_map(&x);
	pval_set_int(&x, "y", 7);
	pval_set(&m, "x", &x);
	pval_set(&vars, "m", &m);
	pval_result(&r, 2, "one\ntwo\n", 8, "oops", 4, 1, 0, 0);
	pval_set(&vars, "r", &r);
}

static const struct pval *
lookup(void *arg, const char *name)
{
	(void)arg;
	return pval_get(&vars, name);
}

/* Evaluate text as a condition: 1, 0, or -1 on any error. */
static int
truth(const char *text)
{
	struct drove_err err = { 0 };
	struct pexpr *e;
	int t, r;

	vars_init();
	if (pexpr_parse(text, &e, NULL, &err) != 0) {
		fprintf(stderr, "parse '%s': %s\n", text, err.msg);
		return -1;
	}
	r = pexpr_test(e, lookup, NULL, &t, NULL, &err);
	pexpr_free(e);
	return r != 0 ? -1 : t;
}

/* The error of text (parse or eval) and its offset, as "OFF: MSG". */
static const char *
failure(const char *text)
{
	static char out[600];
	struct drove_err err = { 0 };
	struct pval v = { 0 };
	struct pexpr *e;
	size_t off = 999;
	int r;

	vars_init();
	if ((r = pexpr_parse(text, &e, &off, &err)) == 0) {
		r = pexpr_eval(e, lookup, NULL, &v, &off, &err);
		pexpr_free(e);
		pval_release(&v);
	}
	if (r == 0)
		return "no error";
	snprintf(out, sizeof out, "%zu: %s", off, err.msg);
	return out;
}

/* The value of text in its string form. */
static const char *
value(const char *text)
{
	static char out[600];
	struct drove_err err = { 0 };
	struct pval v = { 0 };
	struct pexpr *e;
	struct buf b;

	vars_init();
	if (pexpr_parse(text, &e, NULL, &err) != 0 ||
	    pexpr_eval(e, lookup, NULL, &v, NULL, &err) != 0) {
		snprintf(out, sizeof out, "error: %s", err.msg);
		return out;
	}
	pexpr_free(e);
	buf_init(&b);
	pval_format(&v, &b);
	snprintf(out, sizeof out, "%s", b.data != NULL ? b.data : "");
	buf_release(&b);
	pval_release(&v);
	return out;
}

TEST(pexpr_literals_and_truthiness)
{
	T_EQ(truth("true"), 1);
	T_EQ(truth("True"), 1);
	T_EQ(truth("false"), 0);
	T_EQ(truth("False"), 0);
	T_EQ(truth("none"), 0);
	T_EQ(truth("1"), 1);
	T_EQ(truth("0"), 0);
	T_EQ(truth("-3"), 1);
	T_EQ(truth("'x'"), 1);
	T_EQ(truth("''"), 0);
	T_EQ(truth("[]"), 0);
	T_EQ(truth("[0]"), 1);
	T_EQ(truth("s"), 1);
	T_EQ(truth("e"), 0);
	T_EQ(truth("z"), 0);
	T_EQ(truth("n"), 1);
	T_EQ(truth("t"), 1);
	T_EQ(truth("f"), 0);
	T_EQ(truth("l"), 1);
	T_EQ(truth("el"), 0);
	T_EQ(truth("m"), 1);
	T_EQ(truth("fs"), 0);
	T_EQ(truth("'no'"), 0);
	T_EQ(truth("'OFF'"), 0);
	T_EQ(truth("'0'"), 0);
	T_EQ(truth("'00'"), 1);
}

TEST(pexpr_boolean_truth_tables)
{
	T_EQ(truth("true and true"), 1);
	T_EQ(truth("true and false"), 0);
	T_EQ(truth("false and true"), 0);
	T_EQ(truth("false and false"), 0);
	T_EQ(truth("true or true"), 1);
	T_EQ(truth("true or false"), 1);
	T_EQ(truth("false or true"), 1);
	T_EQ(truth("false or false"), 0);
	T_EQ(truth("not true"), 0);
	T_EQ(truth("not false"), 1);
	T_EQ(truth("not not s"), 1);
	/* Short circuit: the undefined right side is never looked at. */
	T_EQ(truth("false and nosuch"), 0);
	T_EQ(truth("true or nosuch"), 1);
	T_EQ(truth("true and nosuch"), -1);
}

TEST(pexpr_precedence)
{
	/* not > and > or, comparisons bind tighter than not. */
	T_EQ(truth("true or false and false"), 1);
	T_EQ(truth("(true or false) and false"), 0);
	T_EQ(truth("not false and false"), 0);
	T_EQ(truth("not (false and false)"), 1);
	T_EQ(truth("not n == 42"), 0);
	T_EQ(truth("not n == 41"), 1);
	T_EQ(truth("false or n > 40 and s == 'hello'"), 1);
	T_EQ(truth("not 'a' in l"), 0);
	T_EQ(truth("r.stdout | length > 3"), 1);
}

TEST(pexpr_comparisons)
{
	T_EQ(truth("n == 42"), 1);
	T_EQ(truth("n != 42"), 0);
	T_EQ(truth("ns == 42"), 1);
	T_EQ(truth("42 == ns"), 1);
	T_EQ(truth("ns == '42'"), 1);
	T_EQ(truth("n == '42'"), 1);
	T_EQ(truth("n == '042x'"), 0);
	T_EQ(truth("n < 43"), 1);
	T_EQ(truth("n <= 42"), 1);
	T_EQ(truth("n > 42"), 0);
	T_EQ(truth("n >= 42"), 1);
	T_EQ(truth("ns < 100"), 1);
	T_EQ(truth("'9' < '10'"), 1);
	T_EQ(truth("'b' < 'a10'"), 0);
	T_EQ(truth("'a' < 'b'"), 1);
	T_EQ(truth("'ab' > 'a'"), 1);
	T_EQ(truth("-1 < 0"), 1);
	T_EQ(truth("s == \"hello\""), 1);
	T_EQ(truth("t == true"), 1);
	T_EQ(truth("fs == false"), 1);
	T_EQ(truth("'yes' == true"), 1);
	T_EQ(truth("t == 1"), 0);
	T_EQ(truth("l == ['a', 'b', 3]"), 1);
	T_EQ(truth("l == ['a', 'b']"), 0);
	T_EQ(truth("none == none"), 1);
	T_EQ(truth("r.rc == 2"), 1);
	T_EQ(truth("r.rc != 0"), 1);
	T_STREQ(failure("l < 3"), "0: cannot compare a list with an integer");
	T_STREQ(failure("t > 'x'"),
	    "0: cannot compare a boolean with a string");
	T_STREQ(failure("n == 1 == 1"),
	    "7: comparisons do not chain: use 'and'");
}

TEST(pexpr_in)
{
	T_EQ(truth("'ell' in s"), 1);
	T_EQ(truth("'xyz' in s"), 0);
	T_EQ(truth("'xyz' not in s"), 1);
	T_EQ(truth("'' in s"), 1);
	T_EQ(truth("'a' in l"), 1);
	T_EQ(truth("3 in l"), 1);
	T_EQ(truth("'3' in l"), 1);
	T_EQ(truth("'c' in l"), 0);
	T_EQ(truth("'c' not in l"), 1);
	T_EQ(truth("'k' in m"), 1);
	T_EQ(truth("'v' in m"), 0);
	T_EQ(truth("'oops' in r.stderr"), 1);
	T_EQ(truth("'two' in r.stdout_lines"), 1);
	T_EQ(truth("4 in r.stdout"), 0);
	T_EQ(truth("s in ['x', 'hello']"), 1);
	T_STREQ(failure("'a' in n"), "7: 'in' needs a string, list or map on "
	    "its right, found an integer");
	T_STREQ(failure("l in s"),
	    "0: 'in' a string needs a string on its left, found a list");
}

TEST(pexpr_defined)
{
	T_EQ(truth("s is defined"), 1);
	T_EQ(truth("nosuch is defined"), 0);
	T_EQ(truth("nosuch is not defined"), 1);
	T_EQ(truth("s is not defined"), 0);
	T_EQ(truth("m.k is defined"), 1);
	T_EQ(truth("m.nokey is defined"), 0);
	T_EQ(truth("nosuch.k is defined"), 0);
	T_EQ(truth("m.x.y is defined"), 1);
	T_EQ(truth("l[5] is defined"), 0);
	T_EQ(truth("e is defined"), 1);
	T_EQ(truth("nosuch is defined and nosuch == 1"), 0);
	T_STREQ(failure("nosuch"), "0: undefined variable 'nosuch'");
	T_STREQ(failure("s == 'x' or m.nokey"),
	    "12: undefined variable 'm.nokey'");
	T_STREQ(failure("l[7]"), "0: undefined variable 'l[7]'");
	T_STREQ(failure("n.x"), "0: undefined variable 'n.x'");
}

TEST(pexpr_access)
{
	T_STREQ(value("m.k"), "v");
	T_STREQ(value("m['k']"), "v");
	T_STREQ(value("m[\"x\"].y"), "7");
	T_STREQ(value("m.x['y']"), "7");
	T_STREQ(value("l[0]"), "a");
	T_STREQ(value("l.1"), "b");
	T_STREQ(value("l[-1]"), "3");
	T_STREQ(value("l[ns | int - 0]"), "error: expected ']', found '-'");
	T_STREQ(value("r.stdout"), "one\ntwo");
	T_STREQ(value("r.stdout_lines[1]"), "two");
	T_STREQ(value("r.changed"), "true");
	T_STREQ(value("r.failed"), "false");
	T_STREQ(value("[1, 'a', [true]]"), "[1,\"a\",[true]]");
	T_STREQ(value("m"), "{\"k\":\"v\",\"x\":{\"y\":7}}");
	T_STREQ(value("'a\\'b\\n\\x'"), "a'b\n\\x");
	T_STREQ(failure("l['a']"), "2: cannot index a list with a string");
}

TEST(pexpr_filters)
{
	T_STREQ(value("s | upper"), "HELLO");
	T_STREQ(value("'AbC' | lower"), "abc");
	T_STREQ(value("'  x y \n' | trim"), "x y");
	T_STREQ(value("l | join(',')"), "a,b,3");
	T_STREQ(value("l | join"), "ab3");
	T_STREQ(value("l | length"), "3");
	T_STREQ(value("s | length"), "5");
	T_STREQ(value("m | length"), "2");
	T_STREQ(value("ns | int + 1"), "error: unexpected '+'");
	T_EQ(truth("ns | int == 42"), 1);
	T_EQ(truth("(ns | int) > 41"), 1);
	T_STREQ(value("n | string | length"), "2");
	T_STREQ(value("nosuch | default('d')"), "d");
	T_STREQ(value("s | default('d')"), "hello");
	T_STREQ(value("e | default('d')"), "");
	T_STREQ(value("e | default('d', true)"), "d");
	T_STREQ(value("m.nokey | default(5)"), "5");
	T_STREQ(value("nosuch.k | default('x') | upper"), "X");
	T_STREQ(value("'yes' | bool"), "true");
	T_STREQ(value("'nope' | bool"), "false");
	T_STREQ(value("t | int"), "1");
	T_STREQ(value("s | quote"), "hello");
	T_STREQ(value("'a b' | quote"), "'a b'");
	T_STREQ(value("\"it's\" | quote"), "'it'\\''s'");
	T_STREQ(value("'' | quote"), "''");
	T_STREQ(value("n | quote"), "42");
	T_STREQ(failure("s | int"), "4: int: a string is not an integer");
	T_STREQ(failure("n | upper"), "4: upper: expected a string, found "
	    "an integer");
	T_STREQ(failure("s | join"), "4: join: expected a list, found a "
	    "string");
	T_STREQ(failure("t | length"), "4: length: expected a string, list "
	    "or map, found a boolean");
	T_STREQ(failure("s | nosuch"), "4: unknown filter 'nosuch'");
	T_STREQ(failure("s | default"),
	    "4: filter 'default' takes up to 2 arguments");
	T_STREQ(failure("s | quote(1)"),
	    "4: filter 'quote' takes 0 arguments");
	T_STREQ(failure("nosuch | upper"), "0: undefined variable 'nosuch'");
}

TEST(pexpr_syntax_errors)
{
	T_STREQ(failure(""), "0: empty expression");
	T_STREQ(failure("   "), "3: empty expression");
	T_STREQ(failure("a =="), "4: expected a value, found end of text");
	T_STREQ(failure("a = b"), "2: unexpected '='");
	T_STREQ(failure("(a"), "2: expected ')', found end of text");
	T_STREQ(failure("a)"), "1: unexpected ')'");
	T_STREQ(failure("'abc"), "0: unterminated string");
	T_STREQ(failure("a is b"), "5: expected 'defined' after 'is', found "
	    "'b'");
	T_STREQ(failure("a not b"), "6: expected 'in' after 'not', found "
	    "'b'");
	T_STREQ(failure("a."), "2: expected a name after '.', found end of "
	    "text");
	T_STREQ(failure("a |"), "3: expected a filter name after '|', found "
	    "end of text");
	T_STREQ(failure("12ab"), "0: bad number '12a'");
	T_STREQ(failure("99999999999999999999"), "0: integer out of range");
	T_STREQ(failure("- x"), "2: expected a number after '-', found 'x'");
	T_STREQ(failure("a }} b"), "2: unexpected '}'");
	T_STREQ(failure("a and"), "5: expected a value, found end of text");
	T_STREQ(failure("[1, 2"), "5: expected ']', found end of text");
	T_STREQ(failure("a\001"), "1: unexpected byte 0x01");
	T_STREQ(failure("s | default('x' b)"), "16: expected ')', found 'b'");
	T_STREQ(failure("[1, (2 and ]"), "11: expected a value, found ']'");
	T_STREQ(failure("[1, [2, nosuch]]"), "8: undefined variable 'nosuch'");
	T_STREQ(failure("e | default(1, nosuch)"),
	    "15: undefined variable 'nosuch'");
}

TEST(pexpr_nesting_is_bounded)
{
	char text[1000];
	int i;

	for (i = 0; i < 300; i++)
		text[i] = '(';
	text[i] = '\0';
	T_STREQ(failure(text), "64: expression nested too deeply");
	for (i = 0; i < 200; i++)
		memcpy(text + 4 * i, "not ", 4);
	strcpy(text + 4 * 150, "x");
	T_STREQ(failure(text), "252: expression nested too deeply");
}

TEST(pexpr_text_is_kept)
{
	struct pexpr *e;

	T_EQ(pexpr_parse(" a == 1 ", &e, NULL, NULL), 0);
	T_STREQ(pexpr_text(e), " a == 1 ");
	pexpr_free(e);
	pexpr_free(NULL);
}

TEST(pval_result_fields)
{
	struct pval r = { 0 };
	const struct pval *v;

	T_EQ(pval_result(&r, 0, "a\r\nb\n\n", 6, NULL, 0, 0, 1, 1), 0);
	T_EQ(pval_get(&r, "rc")->kind, PV_INT);
	T_STREQ(pval_get(&r, "stdout")->s, "a\r\nb");
	T_STREQ(pval_get(&r, "stderr")->s, "");
	v = pval_get(&r, "stdout_lines");
	T_EQ(v->kind, PV_LIST);
	T_EQ(v->n, 2);
	T_STREQ(v->v[0].s, "a");
	T_STREQ(v->v[1].s, "b");
	T_EQ(pval_get(&r, "changed")->i, 0);
	T_EQ(pval_get(&r, "failed")->i, 1);
	T_EQ(pval_get(&r, "skipped")->i, 1);
	T_EQ(pval_result(&r, 1, NULL, 0, NULL, 0, 0, 0, 0), 0);
	T_EQ(pval_get(&r, "stdout_lines")->n, 0);
	T_EQ(pval_get(&r, "rc")->i, 1);
	pval_release(&r);
}

TEST(pval_maps_copy_and_chain)
{
	struct pval a = { 0 }, b = { 0 }, c = { 0 }, s = { 0 };
	const struct pval *chain[] = { &a, &s, &b, NULL };

	pval_map(&a);
	pval_map(&b);
	pval_set_str(&a, "x", "from a");
	pval_set_str(&b, "x", "from b");
	pval_set_str(&b, "y", "only b");
	pval_set_int(&b, "y", 5);
	T_EQ(b.n, 2);
	T_EQ(pval_get(&b, "y")->i, 5);
	pval_str(&s, "not a map");
	T_STREQ(pval_lookup_chain(chain, "x")->s, "from a");
	T_EQ(pval_lookup_chain(chain, "y")->i, 5);
	T_TRUE(pval_lookup_chain(chain, "z") == NULL);
	T_EQ(pval_push(&a, &s), DROVE_E_INVAL);
	T_EQ(pval_set(&s, "k", &c), DROVE_E_INVAL);
	T_EQ(pval_copy(&c, &b), 0);
	T_TRUE(pval_equal(&c, &b));
	pval_set_int(&c, "y", 6);
	T_TRUE(!pval_equal(&c, &b));
	pval_release(&a);
	pval_release(&b);
	pval_release(&c);
	pval_release(&s);
	pval_release(NULL);
}
