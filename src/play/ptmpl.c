/*
 * ptmpl.c: "{{ }}" templates of the playbook language (see play.h).
 *
 * A template is its text cut into parts: runs of literal text and the
 * expressions of "{{ }}", parsed once by pexpr.c with offsets into the
 * whole text, so that an error while rendering points at its expression.
 * This file also turns those offsets into FILE:LINE:COLUMN for playbook
 * fields, conditions and template files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "drove.h"
#include "play/play.h"

struct tpart {
	size_t		 off;		/* literal: where it starts */
	size_t		 len;		/* and how long */
	struct pexpr	*expr;		/* or an expression */
};

struct ptmpl {
	char		*text;
	size_t		 len;
	struct tpart	*parts;
	size_t		 nparts;
};

/* Append a part; 0 or DROVE_E_NOMEM. */
static int
tpart_add(struct ptmpl *t, size_t off, size_t len, struct pexpr *e)
{
	struct tpart *v;

	if ((v = realloc(t->parts, (t->nparts + 1) * sizeof *v)) == NULL)
		return DROVE_E_NOMEM;
	t->parts = v;
	v[t->nparts].off = off;
	v[t->nparts].len = len;
	v[t->nparts++].expr = e;
	return 0;
}

/* Parse a template. */
int
ptmpl_parse(const char *text, size_t len, struct ptmpl **out, size_t *off,
    struct drove_err *err)
{
	struct ptmpl *t;
	struct pexpr *e = NULL;
	size_t i, lit = 0, end, where = 0;
	int r = DROVE_E_NOMEM;

	*out = NULL;
	if ((t = calloc(1, sizeof *t)) == NULL ||
	    (t->text = malloc(len + 1)) == NULL)
		goto out;
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	t->len = len;
	for (i = 0; i + 1 < len; i++) {
		if (text[i] != '{' || (text[i + 1] != '{' &&
		    text[i + 1] != '%'))
			continue;
		if (text[i + 1] == '%') {
			where = i;
			r = err_set(err, DROVE_E_INVAL, "'{%%' statements are "
			    "not supported: use '{{ }}' only");
			goto out;
		}
		if (i > lit && tpart_add(t, lit, i - lit, NULL) != 0)
			goto nomem;
		if ((r = pexpr_parse_tmpl(text, len, i, &e, &end, &where,
		    err)) != 0)
			goto out;
		if (tpart_add(t, i, end - i, e) != 0)
			goto nomem;
		e = NULL;
		lit = end;
		i = end - 1;
	}
	if (len > lit && tpart_add(t, lit, len - lit, NULL) != 0)
		goto nomem;
	*out = t;
	t = NULL;
	r = 0;
	goto out;
 nomem:
	where = i;
	r = DROVE_E_NOMEM;
 out:
	if (r != 0 && off != NULL)
		*off = where;
	if (r == DROVE_E_NOMEM)
		err_set(err, r, "out of memory");
	pexpr_free(e);
	ptmpl_free(t);
	return r;
}

/* Whether t has no "{{ }}". */
int
ptmpl_is_plain(const struct ptmpl *t)
{
	size_t i;

	for (i = 0; i < t->nparts; i++)
		if (t->parts[i].expr != NULL)
			return 0;
	return 1;
}

/* Render t into b. */
static int
ptmpl_render_buf(const struct ptmpl *t, pval_lookup_fn *lookup, void *arg,
    struct buf *b, size_t *off, struct drove_err *err)
{
	struct pval v = { 0 };
	size_t i;
	int r = 0;

	for (i = 0; i < t->nparts && r == 0; i++) {
		if (t->parts[i].expr == NULL) {
			r = buf_append(b, t->text + t->parts[i].off,
			    t->parts[i].len);
		} else {
			if ((r = pexpr_eval(t->parts[i].expr, lookup, arg, &v,
			    off, err)) != 0)
				break;
			r = pval_format(&v, b);
		}
		if (r == DROVE_E_NOMEM) {
			if (off != NULL)
				*off = t->parts[i].off;
			err_set(err, r, "out of memory");
		}
	}
	pval_release(&v);
	if (r == 0 && buf_append(b, "", 0) != 0)
		r = err_set(err, DROVE_E_NOMEM, "out of memory");
	return r;
}

/* Render t into a malloc'd string. */
int
ptmpl_render(const struct ptmpl *t, pval_lookup_fn *lookup, void *arg,
    char **out, size_t *len, size_t *off, struct drove_err *err)
{
	struct buf b;
	size_t n;
	int r;

	*out = NULL;
	buf_init(&b);
	if ((r = ptmpl_render_buf(t, lookup, arg, &b, off, err)) == 0) {
		*out = buf_steal(&b, &n);
		if (len != NULL)
			*len = n;
	}
	buf_release(&b);
	return r;
}

/* Whether s (len bytes) is blanks only. */
static int
blank(const char *s, size_t len)
{
	return strspn(s, " \t\r\n") >= len;
}

/* The value of t (play.h). */
int
ptmpl_value(const struct ptmpl *t, pval_lookup_fn *lookup, void *arg,
    struct pval *out, size_t *off, struct drove_err *err)
{
	const struct tpart *p, *e = NULL;
	struct buf b;
	size_t i;
	int r;

	for (i = 0; i < t->nparts; i++) {
		p = &t->parts[i];
		if (p->expr != NULL && e != NULL)
			break;
		if (p->expr != NULL)
			e = p;
		else if (!blank(t->text + p->off, p->len))
			break;
	}
	if (e != NULL && i == t->nparts)
		return pexpr_eval(e->expr, lookup, arg, out, off, err);
	buf_init(&b);
	if ((r = ptmpl_render_buf(t, lookup, arg, &b, off, err)) == 0 &&
	    pval_strn(out, b.data, b.len) != 0)
		r = err_set(err, DROVE_E_NOMEM, "out of memory");
	buf_release(&b);
	return r;
}

/* Free a template. */
void
ptmpl_free(struct ptmpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nparts; i++)
		pexpr_free(t->parts[i].expr);
	free(t->parts);
	free(t->text);
	free(t);
}

/* Parse and render in one step. */
int
ptmpl_render_str(const char *text, pval_lookup_fn *lookup, void *arg,
    char **out, size_t *off, struct drove_err *err)
{
	struct ptmpl *t;
	int r;

	*out = NULL;
	if ((r = ptmpl_parse(text, strlen(text), &t, off, err)) != 0)
		return r;
	r = ptmpl_render(t, lookup, arg, out, NULL, off, err);
	ptmpl_free(t);
	return r;
}

/* Read the whole local file path into b (NUL-terminated). */
int
play_read_file(const char *path, struct buf *b, struct drove_err *err)
{
	char chunk[65536];
	size_t n;
	FILE *f;
	int r = 0;

	if ((f = fopen(path, "r")) == NULL)
		return err_set(err, DROVE_E_IO, "cannot open '%s': %s", path,
		    strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if ((r = buf_append(b, chunk, n)) != 0)
			break;
	if (r == 0 && ferror(f))
		r = err_set(err, DROVE_E_IO, "cannot read '%s': %s", path,
		    strerror(errno));
	else if (r != 0 || buf_append(b, "", 0) != 0)
		r = err_set(err, DROVE_E_NOMEM, "out of memory");
	fclose(f);
	return r;
}

/* The 1-based line and column (in bytes) of offset off in text. */
static void
text_linecol(const char *text, size_t off, size_t *line, size_t *col)
{
	size_t i, bol = 0;

	*line = 1;
	for (i = 0; i < off; i++)
		if (text[i] == '\n') {
			(*line)++;
			bol = i + 1;
		}
	*col = off - bol + 1;
}

/* Prefix err's message with path:line:col of offset off in text. */
static int
file_err(struct drove_err *err, const char *path, const char *text,
    size_t off, int code)
{
	char msg[sizeof err->msg];
	size_t line, col;

	text_linecol(text, off, &line, &col);
	snprintf(msg, sizeof msg, "%s", err->msg);
	return err_set(err, code, "%s:%zu:%zu: %s", path, line, col, msg);
}

/* Read and parse a template file; *t and b hold it. */
static int
tmpl_load(const char *path, struct buf *b, struct ptmpl **t,
    struct drove_err *err)
{
	size_t off = 0;
	int r;

	*t = NULL;
	if ((r = play_read_file(path, b, err)) != 0)
		return r;
	if ((r = ptmpl_parse(b->data, b->len, t, &off, err)) == DROVE_E_INVAL)
		return file_err(err, path, b->data, off, r);
	return r;
}

/* Read, parse and render a template file. */
int
ptmpl_render_file(const char *path, pval_lookup_fn *lookup, void *arg,
    char **out, size_t *len, struct drove_err *err)
{
	struct ptmpl *t = NULL;
	struct buf b;
	size_t off = 0;
	int r;

	*out = NULL;
	buf_init(&b);
	if ((r = tmpl_load(path, &b, &t, err)) == 0 &&
	    (r = ptmpl_render(t, lookup, arg, out, len, &off, err)) ==
	    DROVE_E_INVAL)
		r = file_err(err, path, b.data, off, r);
	ptmpl_free(t);
	buf_release(&b);
	return r;
}

/* Only read and parse a template file. */
int
ptmpl_check_file(const char *path, struct drove_err *err)
{
	struct ptmpl *t = NULL;
	struct buf b;
	int r;

	buf_init(&b);
	r = tmpl_load(path, &b, &t, err);
	ptmpl_free(t);
	buf_release(&b);
	return r;
}

/* Prefix err's message with the file:line:col of offset off in a field. */
int
play_pos_err(struct drove_err *err, int code, const struct play_pos *pos,
    int exact, const char *text, size_t off)
{
	char msg[sizeof err->msg];
	size_t i, col = pos->col;

	for (i = 0; exact && i < off && text[i] != '\0'; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80)
			col++;
	snprintf(msg, sizeof msg, "%s", err->msg);
	return err_set(err, code, "%s:%zu:%zu: %s", pos->file, pos->line, col,
	    msg);
}

/* Render a field of a task. */
int
pstr_render(const struct pstr *p, pval_lookup_fn *lookup, void *arg,
    char **out, struct drove_err *err)
{
	size_t off = 0;
	int r;

	*out = NULL;
	if (p->text == NULL)
		return err_set(err, DROVE_E_INVAL, "no value");
	if ((r = ptmpl_render(p->tmpl, lookup, arg, out, NULL, &off, err)) ==
	    DROVE_E_INVAL)
		r = play_pos_err(err, r, &p->pos, p->exact, p->text,
		    off);
	return r;
}

/* Test a condition and the rest of its chain. */
int
pcond_test(const struct pcond *c, pval_lookup_fn *lookup, void *arg,
    int *truth, struct drove_err *err)
{
	size_t off = 0;
	int r;

	*truth = 1;
	for (; c != NULL && c->expr != NULL && *truth; c = c->next)
		if ((r = pexpr_test(c->expr, lookup, arg, truth, &off,
		    err)) != 0)
			return r == DROVE_E_INVAL ? play_pos_err(err, r, &c->pos,
			    c->exact, pexpr_text(c->expr), off) : r;
	return 0;
}
