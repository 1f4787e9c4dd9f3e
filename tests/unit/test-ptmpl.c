/*
 * test-ptmpl.c: "{{ }}" templates: substitution, the string forms of
 * values, shell quoting checked by a real /bin/sh, typed values, syntax
 * errors with offsets, and template files with file:line:column errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "play/play.h"
#include "test.h"

/* name="web1", port=8080, l=["a","b c"], m={"k":"v"}, v=(set by tests). */
static struct pval tvars;

static void
tvars_init(void)
{
	struct pval l = { 0 }, m = { 0 }, item = { 0 };

	if (tvars.kind == PV_MAP)
		return;
	pval_map(&tvars);
	pval_set_str(&tvars, "name", "web1");
	pval_set_int(&tvars, "port", 8080);
	pval_list(&l);
	pval_str(&item, "a");
	pval_push(&l, &item);
	pval_str(&item, "b c");
	pval_push(&l, &item);
	pval_set(&tvars, "l", &l);
	pval_map(&m);
	pval_set_str(&m, "k", "v");
	pval_set(&tvars, "m", &m);
	pval_set_bool(&tvars, "yes", 1);
}

static const struct pval *
tlookup(void *arg, const char *name)
{
	(void)arg;
	return pval_get(&tvars, name);
}

/* Render text: the result, or "error OFF: MSG". */
static const char *
render(const char *text)
{
	static char out[1200];
	struct drove_err err = { 0 };
	size_t off = 999;
	char *s;

	tvars_init();
	if (ptmpl_render_str(text, tlookup, NULL, &s, &off, &err) != 0) {
		snprintf(out, sizeof out, "error %zu: %s", off, err.msg);
		return out;
	}
	snprintf(out, sizeof out, "%s", s);
	free(s);
	return out;
}

TEST(ptmpl_substitutes)
{
	T_STREQ(render(""), "");
	T_STREQ(render("plain text"), "plain text");
	T_STREQ(render("{{ name }}"), "web1");
	T_STREQ(render("{{name}}:{{port}}"), "web1:8080");
	T_STREQ(render("host={{ name | upper }} port={{ port + 0 }}"),
	    "error 37: unexpected '+'");
	T_STREQ(render("{{ l }}"), "[\"a\",\"b c\"]");
	T_STREQ(render("{{ m }}"), "{\"k\":\"v\"}");
	T_STREQ(render("{{ l | join(',') }}"), "a,b c");
	T_STREQ(render("{{ l[1] }}"), "b c");
	T_STREQ(render("{{ m.k }}"), "v");
	T_STREQ(render("{{ yes }} {{ not yes }}"), "true false");
	T_STREQ(render("[{{ none }}]"), "[]");
	T_STREQ(render("{{ nosuch | default('x') }}"), "x");
	T_STREQ(render("{{ '{{' }} literal }}"), "{{ literal }}");
	T_STREQ(render("{{ 'a }} b' }}"), "a }} b");
	T_STREQ(render("a { b } c {# d #} ${#x} }}"),
	    "a { b } c {# d #} ${#x} }}");
	T_STREQ(render("{{ port > 80 and 'web' in name }}"), "true");
	T_STREQ(render("{{ name }}\n{{ port }}\n"), "web1\n8080\n");
}

TEST(ptmpl_errors)
{
	T_STREQ(render("x {{ nosuch }} y"),
	    "error 5: undefined variable 'nosuch'");
	T_STREQ(render("{{ m.nokey }}"), "error 3: undefined variable "
	    "'m.nokey'");
	T_STREQ(render("ab {{ name"), "error 3: '{{' without '}}'");
	T_STREQ(render("ab {{ name }"), "error 11: unexpected '}'");
	T_STREQ(render("{{ }}"), "error 0: empty '{{ }}'");
	T_STREQ(render("{{"), "error 0: '{{' without '}}'");
	T_STREQ(render("a {% if x %}b{% endif %}"),
	    "error 2: '{%' statements are not supported: use '{{ }}' only");
	T_STREQ(render("{{ name | nosuch }}"),
	    "error 10: unknown filter 'nosuch'");
	T_STREQ(render("{{ name == }}"),
	    "error 11: expected a value, found '}}'");
	T_STREQ(render("ok {{ port | upper }}"),
	    "error 13: upper: expected a string, found an integer");
}

/* Run "printf %s {{ v | quote }}" through /bin/sh; its output in out. */
static int
shell_roundtrip(const char *value, char *out, size_t len)
{
	struct drove_err err = { 0 };
	char *cmd;
	size_t n;
	FILE *f;

	tvars_init();
	pval_set_str(&tvars, "v", value);
	if (ptmpl_render_str("printf %s {{ v | quote }}", tlookup, NULL, &cmd,
	    NULL, &err) != 0)
		return -1;
	f = popen(cmd, "r");
	free(cmd);
	if (f == NULL)
		return -1;
	n = fread(out, 1, len - 1, f);
	out[n] = '\0';
	return pclose(f);
}

TEST(ptmpl_quote_survives_a_shell)
{
	static const char *values[] = {
		"'; rm -rf / #", "$(id)", "`id`", "a\nb", "it's", "",
		"  spaces  ", "*", "~root", "\\", "-n", "$HOME", "a\"b", "!x",
		"'''", "a'b'c", "x; touch /tmp/drove-pwned-$$", "\t",
		"${IFS}", "{{ name }}", "plain", "--", "%s%s", "\x7f\x01"
	};
	char out[256];
	size_t i;

	for (i = 0; i < sizeof values / sizeof values[0]; i++) {
		T_EQ(shell_roundtrip(values[i], out, sizeof out), 0);
		T_STREQ(out, values[i]);
	}
	T_TRUE(access("/tmp/drove-pwned-", F_OK) != 0);
}

TEST(ptmpl_quote_forms)
{
	tvars_init();
	pval_set_str(&tvars, "v", "'; rm -rf / #");
	T_STREQ(render("{{ v | quote }}"), "''\\''; rm -rf / #'");
	pval_set_str(&tvars, "v", "web-1.example.com:22");
	T_STREQ(render("{{ v | quote }}"), "web-1.example.com:22");
	T_STREQ(render("{{ l | quote }}"), "'[\"a\",\"b c\"]'");
	T_STREQ(render("{{ l | join(' ') | quote }}"), "'a b c'");
	T_STREQ(render("{{ \"a\\x00b\" | quote }}"), "'a\\x00b'");
	pval_set(&tvars, "v", &(struct pval){ 0 });
	pval_strn((struct pval *)pval_get(&tvars, "v"), "a\0b", 3);
	T_STREQ(render("x {{ v | quote }}"),
	    "error 9: quote: the string holds a NUL byte");
	T_STREQ(render("x {{ v | length }}"), "x 3");
}

TEST(ptmpl_value_keeps_kinds)
{
	struct drove_err err = { 0 };
	struct pval v = { 0 };
	struct ptmpl *t;

	tvars_init();
	T_EQ(ptmpl_parse(" {{ l }} ", 9, &t, NULL, &err), 0);
	T_TRUE(!ptmpl_is_plain(t));
	T_EQ(ptmpl_value(t, tlookup, NULL, &v, NULL, &err), 0);
	T_EQ(v.kind, PV_LIST);
	T_EQ(v.n, 2);
	ptmpl_free(t);
	T_EQ(ptmpl_parse("{{ port }}", 10, &t, NULL, &err), 0);
	T_EQ(ptmpl_value(t, tlookup, NULL, &v, NULL, &err), 0);
	T_EQ(v.kind, PV_INT);
	T_EQ(v.i, 8080);
	ptmpl_free(t);
	T_EQ(ptmpl_parse("x{{ port }}", 11, &t, NULL, &err), 0);
	T_EQ(ptmpl_value(t, tlookup, NULL, &v, NULL, &err), 0);
	T_EQ(v.kind, PV_STR);
	T_STREQ(v.s, "x8080");
	ptmpl_free(t);
	T_EQ(ptmpl_parse("{{ l }}{{ l }}", 14, &t, NULL, &err), 0);
	T_EQ(ptmpl_value(t, tlookup, NULL, &v, NULL, &err), 0);
	T_EQ(v.kind, PV_STR);
	ptmpl_free(t);
	T_EQ(ptmpl_parse("just text", 9, &t, NULL, &err), 0);
	T_TRUE(ptmpl_is_plain(t));
	T_EQ(ptmpl_value(t, tlookup, NULL, &v, NULL, &err), 0);
	T_STREQ(v.s, "just text");
	ptmpl_free(t);
	pval_release(&v);
	ptmpl_free(NULL);
}

TEST(ptmpl_nul_bytes_in_text)
{
	struct drove_err err = { 0 };
	struct ptmpl *t;
	size_t len = 0;
	char *s;

	tvars_init();
	T_EQ(ptmpl_parse("a\0b{{ name }}", 13, &t, NULL, &err), 0);
	T_EQ(ptmpl_render(t, tlookup, NULL, &s, &len, NULL, &err), 0);
	T_EQ(len, 7);
	T_TRUE(memcmp(s, "a\0bweb1", 7) == 0);
	free(s);
	ptmpl_free(t);
}

/* Write text to a temporary file; its path in path (64 bytes). */
static int
tmpfile_with(char *path, const char *text)
{
	FILE *f;

	snprintf(path, 64, "/tmp/drove-ptmpl-%d.j2", (int)getpid());
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

TEST(ptmpl_files)
{
	struct drove_err err = { 0 };
	char path[64], want[200];
	size_t len;
	char *s;

	tvars_init();
	T_EQ(tmpfile_with(path, "# for {{ name }}\nport = {{ port }}\n"), 0);
	T_EQ(ptmpl_check_file(path, &err), 0);
	T_EQ(ptmpl_render_file(path, tlookup, NULL, &s, &len, &err), 0);
	T_STREQ(s, "# for web1\nport = 8080\n");
	T_EQ(len, strlen(s));
	free(s);

	T_EQ(tmpfile_with(path, "a\nb\n  x = {{ nosuch }}\n"), 0);
	T_EQ(ptmpl_check_file(path, &err), 0);
	T_EQ(ptmpl_render_file(path, tlookup, NULL, &s, &len, &err),
	    DROVE_E_INVAL);
	T_TRUE(s == NULL);
	snprintf(want, sizeof want, "%s:3:10: undefined variable 'nosuch'",
	    path);
	T_STREQ(err.msg, want);

	T_EQ(tmpfile_with(path, "ok\n\n{% for x in y %}\n"), 0);
	T_EQ(ptmpl_check_file(path, &err), DROVE_E_INVAL);
	snprintf(want, sizeof want, "%s:3:1: '{%%' statements are not "
	    "supported: use '{{ }}' only", path);
	T_STREQ(err.msg, want);
	T_EQ(ptmpl_render_file(path, tlookup, NULL, &s, &len, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, want);

	T_EQ(tmpfile_with(path, "x {{ a b }}"), 0);
	T_EQ(ptmpl_check_file(path, &err), DROVE_E_INVAL);
	snprintf(want, sizeof want, "%s:1:8: unexpected 'b'", path);
	T_STREQ(err.msg, want);
	unlink(path);

	T_EQ(ptmpl_check_file(path, &err), DROVE_E_IO);
	snprintf(want, sizeof want, "cannot open '%s': No such file or "
	    "directory", path);
	T_STREQ(err.msg, want);
}
