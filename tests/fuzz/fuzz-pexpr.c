/*
 * fuzz-pexpr.c: libFuzzer target for expressions and templates.
 *
 * Each input is parsed as an expression (up to its first NUL) and as a
 * template (all of it), and evaluated and rendered against a few fixed
 * variables.  Error offsets must lie within the text.  Every string value
 * an expression yields is also quoted with the quote filter's quoting and
 * read back with the POSIX shell's quote rules, which must give the same
 * bytes: a quoted value is one shell word, whatever it holds.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "play/play.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* s="it's $(id)", n=-7, l=["a",1,true], m={"k":["v"]}. */
static struct pval fvars;

static const struct pval *
flookup(void *arg, const char *name)
{
	struct pval l = { 0 }, m = { 0 }, v = { 0 };

	(void)arg;
	if (fvars.kind != PV_MAP) {
		pval_map(&fvars);
		pval_set_str(&fvars, "s", "it's $(id)");
		pval_set_int(&fvars, "n", -7);
		pval_list(&l);
		pval_str(&v, "a");
		pval_push(&l, &v);
		pval_int(&v, 1);
		pval_push(&l, &v);
		pval_bool(&v, 1);
		pval_push(&l, &v);
		pval_set(&fvars, "l", &l);
		pval_map(&m);
		pval_list(&l);
		pval_str(&v, "v");
		pval_push(&l, &v);
		pval_set(&m, "k", &l);
		pval_set(&fvars, "m", &m);
	}
	return pval_get(&fvars, name);
}

/*
 * Read one shell word as sh does: '...' literally, \X as X, and bare bytes
 * as they are, which must be ones the shell never treats specially
 * (letters, digits and @%+=:,./_-); anything else aborts.
 */
static void
unquote(const char *q, size_t len, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		if (q[i] == '\'') {
			for (i++; i < len && q[i] != '\''; i++)
				buf_append(out, &q[i], 1);
			if (i == len)
				abort();
			i++;
		} else if (q[i] == '\\' && i + 1 < len) {
			buf_append(out, &q[i + 1], 1);
			i += 2;
		} else if (q[i] == '\0' || (!isalnum((unsigned char)q[i]) &&
		    strchr("@%+=:,./_-", q[i]) == NULL)) {
			abort();
		} else
			buf_append(out, &q[i++], 1);
	}
}

/* Quote a string value and read it back. */
static void
roundtrip(const struct pval *v)
{
	struct buf q, back;

	if (v->kind != PV_STR || memchr(v->s, '\0', v->len) != NULL)
		return;
	buf_init(&q);
	buf_init(&back);
	if (pval_quote(v->s, v->len, &q) == 0 && q.len > 0) {
		unquote(q.data, q.len, &back);
		if (back.len != v->len || (v->len > 0 &&
		    memcmp(back.data, v->s, v->len) != 0)) {
			fprintf(stderr, "quote: '%s' read back as '%.*s'\n",
			    v->s, (int)back.len, back.data);
			abort();
		}
	} else if (q.len == 0)
		abort();
	buf_release(&q);
	buf_release(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct drove_err err;
	struct pval v = { 0 };
	struct pexpr *e;
	struct ptmpl *t;
	size_t off, tlen;
	char *text, *out;
	int truth;

	if ((text = malloc(len + 1)) == NULL)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	tlen = strlen(text);
	off = 0;
	if (pexpr_parse(text, &e, &off, &err) == 0) {
		if (pexpr_eval(e, flookup, NULL, &v, &off, &err) == 0)
			roundtrip(&v);
		pexpr_test(e, flookup, NULL, &truth, &off, &err);
		pexpr_free(e);
	}
	if (off > tlen)
		abort();
	off = 0;
	if (ptmpl_parse(text, len, &t, &off, &err) == 0) {
		if (ptmpl_render(t, flookup, NULL, &out, NULL, &off,
		    &err) == 0)
			free(out);
		if (ptmpl_value(t, flookup, NULL, &v, &off, &err) == 0)
			roundtrip(&v);
		ptmpl_free(t);
	}
	if (off > len)
		abort();
	pval_release(&v);
	free(text);
	return 0;
}
