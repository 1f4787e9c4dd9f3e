/*
 * ini.c: Ansible's INI inventory format, read as Ansible's ini plugin
 * reads it.
 *
 * Lines are stripped; blank lines and lines starting with '#' or ';' are
 * comments.  "[NAME]" (or "[NAME:hosts]") starts a section of hosts,
 * "[NAME:children]" one of child group names, "[NAME:vars]" one of
 * "KEY=VALUE" lines; a section header may end with a "#" comment.  Hosts
 * before any section are in the group "ungrouped".  A host line is split
 * as a POSIX shell would (quotes, backslashes, an unquoted '#' ends the
 * line): the first word is the host ("[user@]name[:port]", ranges), the
 * others KEY=VALUE vars.  A group named in a children section or a vars
 * section must be defined by a section of its own somewhere in the file.
 *
 * Values are typed as Ansible types them, through Python's literal_eval:
 * a Python string literal ('a', "b\tc", 'x' "y") becomes its text, a
 * number, True, False or None (a null) may be followed by a "# comment",
 * which is dropped; anything else (lists, maps, plain words) is kept as
 * written.
 * As Ansible does, a host line's quotes are removed before the value is
 * typed (x="5" is the number 5, x="'5'" the string "5").
 *
 * drove's own extensions: a "user@" before a host name sets ansible_user,
 * and a bracketed IPv6 address ("[::1]", "[::1]:22") is a host, not a
 * section, so that plain host lists read as before; and the host lines
 * before the first section are such a list, where the same name with
 * another user or port is another host, as in -H lists (Ansible would
 * merge them into one).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "base/buf.h"
#include "base/err.h"
#include "drove.h"
#include "inventory/inventory.h"

/* A group named before its own section. */
struct pend {
	size_t		 g;		/* its index, or INV_NONE */
	char		*name;
	char		 state;		/* 'c': a child, 'v': vars */
	yaml_mark_t	 m;
	struct inv_idx	 parents;
};

struct ini {
	struct inv_load	*ld;
	yaml_mark_t	 m;		/* of the current line */
	size_t		 g;		/* the current section's group */
	char		 state;		/* 'h', 'c' or 'v' */
	struct pend	*pend;
	size_t		 npend;
	size_t		 cappend;
	struct inv_vars	 vars;		/* of the current host line */
	int		 sectioned;	/* a section has begun */
	struct buf	 word;
};

/* The pending entry for name, or NULL. */
static struct pend *
ini_pending(struct ini *in, const char *name)
{
	size_t i;

	for (i = 0; i < in->npend; i++)
		if (in->pend[i].name != NULL &&
		    strcmp(in->pend[i].name, name) == 0)
			return &in->pend[i];
	return NULL;
}

/* Add a pending entry for name; NULL when out of memory. */
static struct pend *
ini_pend(struct ini *in, const char *name, char state, size_t col)
{
	struct pend *p;

	if (in->npend == in->cappend) {
		in->cappend = in->cappend != 0 ? 2 * in->cappend : 8;
		p = reallocarray(in->pend, in->cappend, sizeof *p);
		if (p == NULL)
			return NULL;
		in->pend = p;
	}
	p = &in->pend[in->npend];
	memset(p, 0, sizeof *p);
	if ((p->name = strdup(name)) == NULL)
		return NULL;
	in->npend++;
	p->g = INV_NONE;
	p->state = state;
	p->m = in->m;
	p->m.column = col;
	return p;
}

/* Forget a pending entry. */
static void
ini_unpend(struct pend *p)
{
	free(p->name);
	free(p->parents.v);
	memset(p, 0, sizeof *p);
}

/* Make group c a child of p, refusing a loop; an error at column col. */
static int
ini_link(struct ini *in, size_t p, size_t c, size_t col)
{
	struct inv_load *ld = in->ld;
	yaml_mark_t m = in->m;

	ld->gen++;
	m.column = col;
	if (inv_is_ancestor(ld, c, p))
		return inv_load_err(ld, &m, 0, "group '%s' cannot be a child "
		    "of '%s': it is its ancestor", ld->inv->groups[c].name,
		    ld->inv->groups[p].name);
	if (inv_link_group(ld->inv, p, c) != 0)
		return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	return 0;
}

/* Link a group now defined to the parents that named it as a child. */
static int
ini_adopt(struct ini *in, struct pend *p, size_t g)
{
	struct pend *pp;
	size_t i;
	int r;

	for (i = 0; i < p->parents.n; i++) {
		if ((r = ini_link(in, p->parents.v[i], g, 0)) != 0)
			return r;
		pp = ini_pending(in, in->ld->inv->groups[p->parents.v[i]].name);
		if (pp != NULL && pp->state == 'c' &&
		    (r = ini_adopt(in, pp, p->parents.v[i])) != 0)
			return r;
	}
	ini_unpend(p);
	return 0;
}

/* Whether s is a group name: no blanks, ':' or ']'. */
static size_t
ini_name_len(const char *s)
{
	return strcspn(s, ": \t\r\n\v\f]");
}

/* Read a section header line s (stripped), at column col. */
static int
ini_section(struct ini *in, char *s, size_t col)
{
	struct inv_load *ld = in->ld;
	struct pend *p;
	char *name, *tag = NULL, *end;
	size_t n, g;

	name = s + 1;
	n = ini_name_len(name);
	end = name + n;
	if (*end == ':') {
		tag = end + 1;
		for (end = tag; isalnum((unsigned char)*end) || *end == '_';
		    end++)
			;
	}
	if (n == 0 || *end != ']' || (tag != NULL && end == tag) ||
	    (end[1 + strspn(end + 1, " \t")] != '\0' &&
	    end[1 + strspn(end + 1, " \t")] != '#'))
		return inv_load_err(ld, &in->m, col, "bad section header "
		    "'%s': expected [GROUP], [GROUP:children] or [GROUP:vars], "
		    "without blanks", s);
	name[n] = '\0';
	*end = '\0';
	if (tag == NULL || strcmp(tag, "hosts") == 0)
		in->state = 'h';
	else if (strcmp(tag, "children") == 0)
		in->state = 'c';
	else if (strcmp(tag, "vars") == 0)
		in->state = 'v';
	else
		return inv_load_err(ld, &in->m, col + (size_t)(tag - s),
		    "unknown section type '%s' in [%s:%s]: expected hosts, "
		    "children or vars", tag, name, tag);
	p = ini_pending(in, name);
	if (inv_find_group(ld->inv, name) == INV_NONE && in->state == 'v' &&
	    p == NULL && ini_pend(in, name, 'v', col) == NULL)
		return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	if ((g = inv_group_new(ld, name)) == INV_NONE)
		return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	in->g = g;
	if (p != NULL && in->state != 'v') {
		if (p->state == 'c')
			return ini_adopt(in, p, g);
		ini_unpend(p);
	}
	return 0;
}

/* Read a line of a children section: one group name. */
static int
ini_child(struct ini *in, const char *s, size_t col)
{
	struct inv_load *ld = in->ld;
	struct pend *p;
	char name[1024];
	size_t n = ini_name_len(s), c;
	const char *rest = s + n + strspn(s + n, " \t");

	if (n == 0 || n >= sizeof name || (*rest != '\0' && *rest != '#'))
		return inv_load_err(ld, &in->m, col + n, "expected a group "
		    "name in [%s:children], found '%s'",
		    ld->inv->groups[in->g].name, s);
	memcpy(name, s, n);
	name[n] = '\0';
	if ((c = inv_find_group(ld->inv, name)) != INV_NONE)
		return ini_link(in, in->g, c, col);
	if ((p = ini_pending(in, name)) == NULL &&
	    (p = ini_pend(in, name, 'c', col)) == NULL)
		return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	if (inv_idx_add(&p->parents, in->g) != 0)
		return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	return 0;
}

/* Append the UTF-8 of code point c. */
static int
utf8_put(struct buf *b, unsigned long c)
{
	char u[4];
	size_t n;

	if (c < 0x80) {
		u[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	return buf_append(b, u, n);
}

/* The value of the n hex digits at s, or -1. */
static long
hexn(const char *s, int n)
{
	long v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		v = v * 16 + (isdigit((unsigned char)s[i]) ? s[i] - '0' :
		    tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return v;
}

/*
 * Decode one Python string literal at *sp (prefix, quotes, escapes) onto
 * b and move *sp past it; -1 when s holds none, DROVE_E_NOMEM.
 */
static int
py_string(const char **sp, struct buf *b)
{
	const char *s = *sp, *p;
	int raw = 0, bytes = 0, triple, r = 0;
	long v;
	char q;

	for (; *s != '\0' && strchr("rRuUbB", *s) != NULL; s++) {
		raw |= *s == 'r' || *s == 'R';
		bytes |= *s == 'b' || *s == 'B';
		if (s - *sp >= 2)
			return -1;
	}
	if (*s != '\'' && *s != '"')
		return -1;
	q = *s;
	triple = s[1] == q && s[2] == q;
	s += triple ? 3 : 1;
	for (;;) {
		if (*s == '\0')
			return -1;
		if (*s == q && (!triple || (s[1] == q && s[2] == q)))
			break;
		if (*s != '\\' || raw) {
			if (raw && *s == '\\' && s[1] != '\0') {
				r |= buf_append(b, s, 2);
				s += 2;
				continue;
			}
			r |= buf_append(b, s++, 1);
			continue;
		}
		s++;
		p = strchr("\\'\"abfnrtv", *s);
		if (*s != '\0' && p != NULL) {
			r |= buf_append(b, &"\\'\"\a\b\f\n\r\t\v"[p -
			    "\\'\"abfnrtv"], 1);
			s++;
		} else if (*s >= '0' && *s <= '7') {
			for (v = 0, p = s; s - p < 3 && *s >= '0' && *s <= '7';
			    s++)
				v = v * 8 + *s - '0';
			r |= bytes || v < 0x80 ? buf_append(b, &(char){ (char)v },
			    1) : utf8_put(b, (unsigned long)v);
		} else if (*s == 'x' && (v = hexn(s + 1, 2)) >= 0) {
			r |= bytes || v < 0x80 ? buf_append(b, &(char){ (char)v },
			    1) : utf8_put(b, (unsigned long)v);
			s += 3;
		} else if (!bytes && (*s == 'u' || *s == 'U') &&
		    (v = hexn(s + 1, *s == 'u' ? 4 : 8)) >= 0 &&
		    v < 0x110000 && (v < 0xd800 || v > 0xdfff)) {
			r |= utf8_put(b, (unsigned long)v);
			s += *s == 'u' ? 5 : 9;
		} else if (*s == 'x' || *s == 'u' || *s == 'U' || *s == 'N' ||
		    *s == '\0')
			return -1;
		else
			r |= buf_append(b, s - 1, 1);
	}
	*sp = s + (triple ? 3 : 1);
	return r != 0 ? DROVE_E_NOMEM : 0;
}

/*
 * The type of the Python number, True, False or None at the start of s
 * (INV_INT, INV_FLOAT, INV_BOOL or INV_NULL) with its length in *len, or
 * -1 when s starts with none.
 */
static int
py_token(const char *s, size_t *len)
{
	regmatch_t m;
	const char *p;

	if (!val_match(VAL_RX_PY, s, &m))
		return -1;
	*len = (size_t)m.rm_eo;
	p = s + strspn(s, "+-");
	if (*p == 'N')
		return INV_NULL;
	if (*p == 'T' || *p == 'F')
		return INV_BOOL;
	if (p[0] == '0' && p[1] != '\0' && strchr("xXoObB", p[1]) != NULL)
		return INV_INT;
	return memchr(s, '.', *len) != NULL || memchr(s, 'e', *len) != NULL ||
	    memchr(s, 'E', *len) != NULL ? INV_FLOAT : INV_INT;
}

/* Whether s, after blanks, ends or starts a "#" comment. */
static int
py_end(const char *s)
{
	s += strspn(s, " \t");
	return *s == '\0' || *s == '#';
}

/*
 * Decode Python string literals at *sp (adjacent ones joined, as Python
 * joins them) onto b and move *sp past them; -1 when s holds none.
 */
static int
py_strings(const char **sp, struct buf *b)
{
	const char *p;
	int r, n = 0;

	for (;;) {
		p = *sp + strspn(*sp, " \t");
		if ((r = py_string(&p, b)) == DROVE_E_NOMEM)
			return r;
		if (r != 0)
			return n > 0 ? 0 : -1;
		*sp = p;
		n++;
	}
}

/*
 * Write the Python literal at *sp (a string, a number, True, False, None,
 * or a list, tuple or dict of them) as JSON onto b, moving *sp past it;
 * a dict's keys become text as Python's json writes them.  -1 when s holds
 * no such literal (a set, a complex number, a name, ...), DROVE_E_NOMEM.
 */
static int
py_literal(const char **sp, struct buf *b, int depth, int key)
{
	const char *s = *sp + strspn(*sp, " \t");
	struct buf t, k;
	char open, close;
	size_t len, n, at;
	int type, r = -1, tuple = 0;

	if (depth > 64)
		return -1;
	buf_init(&t);
	buf_init(&k);
	if ((r = py_strings(&s, &t)) == 0) {
		r = val_json_str(b, t.data != NULL ? t.data : "", t.len);
		goto out;
	}
	if (r == DROVE_E_NOMEM)
		goto out;
	if ((type = py_token(s, &len)) >= 0) {
		/* A key's JSON goes in k first, to be written as text. */
		if ((r = buf_append(&t, s, len)) == 0 &&
		    (r = buf_append(&t, "", 1)) == 0)
			r = val_json(key ? &k : b, type, t.data);
		if (r == 0 && key)
			r = val_json_str(b, k.data, k.len);
		s += len;
		goto out;
	}
	if (key || (*s != '[' && *s != '(' && *s != '{'))
		goto out;
	open = *s++;
	close = open == '[' ? ']' : open == '(' ? ')' : '}';
	at = b->len;
	if ((r = buf_puts(b, open == '{' ? "{" : "[")) != 0)
		goto out;
	for (n = 0;; n++) {
		s += strspn(s, " \t");
		if (*s == close)
			break;
		if ((n > 0 && (r = buf_puts(b, ", ")) != 0) ||
		    (r = py_literal(&s, b, depth + 1, open == '{')) != 0)
			goto out;
		s += strspn(s, " \t");
		if (open == '{') {
			r = -1;
			if (*s++ != ':' || (r = buf_puts(b, ": ")) != 0 ||
			    (r = py_literal(&s, b, depth + 1, 0)) != 0)
				goto out;
			s += strspn(s, " \t");
		}
		if (*s == ',') {
			s++;
			tuple = 1;
			continue;
		}
		r = -1;
		if (*s != close)
			goto out;
		n++;
		break;
	}
	s++;
	/* "(x)" is x: its "[" goes; "(x,)" is a tuple. */
	if (open == '(' && n == 1 && !tuple) {
		memmove(b->data + at, b->data + at + 1, b->len - at - 1);
		b->data[--b->len] = '\0';
		r = 0;
	} else
		r = buf_puts(b, open == '{' ? "}" : "]");
 out:
	if (r == 0)
		*sp = s;
	buf_release(&t);
	buf_release(&k);
	return r;
}

/*
 * The value Ansible gives the text of an INI value (see the top of the
 * file), in out, with its type in *type; 0 or DROVE_E_NOMEM.
 */
static int
ini_value(const char *s, struct buf *out, int *type)
{
	const char *p = s;
	char *inner;
	size_t len;
	int r;

	out->len = 0;
	if ((*type = py_token(s, &len)) >= 0 && py_end(s + len))
		return buf_append(out, s, len) != 0 || buf_reserve(out, 0) != 0 ?
		    DROVE_E_NOMEM : (out->data[out->len] = '\0', 0);
	*type = INV_STR;
	if ((r = py_strings(&p, out)) == DROVE_E_NOMEM)
		return r;
	if (r == 0 && py_end(p))
		return buf_reserve(out, 0) != 0 ? DROVE_E_NOMEM :
		    (out->data[out->len] = '\0', 0);
	out->len = 0;
	p = s;
	if (*p == '[' || *p == '(' || *p == '{') {
		if ((r = py_literal(&p, out, 0, 0)) == DROVE_E_NOMEM)
			return r;
		if (r == 0 && py_end(p) && *out->data != '[' &&
		    *out->data != '{') {
			/* "(x)" is x. */
			if ((inner = strndup(s + 1, (size_t)(p - s - 2))) ==
			    NULL)
				return DROVE_E_NOMEM;
			r = ini_value(inner, out, type);
			free(inner);
			return r;
		}
		if (r == 0 && py_end(p)) {
			*type = INV_JSON;
			return 0;
		}
		out->len = 0;
	}
	if (buf_puts(out, s) != 0 || buf_reserve(out, 0) != 0)
		return DROVE_E_NOMEM;
	out->data[out->len] = '\0';
	return 0;
}

/* Set var key to the typed value of text in vars; an error at col. */
static int
ini_set(struct ini *in, struct inv_vars *vars, const char *key,
    const char *text, size_t col)
{
	struct buf v;
	char why[256];
	int r, type;

	buf_init(&v);
	if ((r = ini_value(text, &v, &type)) == 0)
		r = inv_vars_set_typed(vars, key, v.data, type, why,
		    sizeof why);
	buf_release(&v);
	if (r == DROVE_E_INVENTORY)
		return inv_load_err(in->ld, &in->m, col, "%s", why);
	if (r != 0)
		return err_set(in->ld->err, r, "out of memory");
	return 0;
}

/* Read a line of a vars section: KEY=VALUE, both stripped. */
static int
ini_var(struct ini *in, char *s, size_t col)
{
	struct inv_load *ld = in->ld;
	char *eq = strchr(s, '='), *k, *v, *e;
	int r;

	if (eq == NULL)
		return inv_load_err(ld, &in->m, col, "expected KEY=VALUE in "
		    "[%s:vars], found '%s'", ld->inv->groups[in->g].name, s);
	*eq = '\0';
	for (e = eq; e > s && isspace((unsigned char)e[-1]); e--)
		e[-1] = '\0';
	k = s;
	v = eq + 1 + strspn(eq + 1, " \t");
	if ((r = ini_set(in, &ld->inv->groups[in->g].vars, k, v,
	    col + (size_t)(v - s))) != 0)
		return r;
	return inv_priority(ld, in->g, &in->m);
}

/*
 * The next word of a host line at *sp (at column col0), split as POSIX sh
 * would, onto in->word, its column in *col; 1 when there is one, 0 at the
 * end, or an error (an unclosed quote, at its column).
 */
static int
ini_word(struct ini *in, const char **sp, size_t col0, size_t *col)
{
	const char *base = *sp, *s, *open;
	struct buf *w = &in->word;
	int r = 0;
	char q;

	s = base + strspn(base, " \t\r\v\f");
	w->len = 0;
	*col = col0 + (size_t)(s - base);
	if (*s == '\0' || *s == '#')
		return 0;
	while (*s != '\0' && strchr(" \t\r\v\f#", *s) == NULL) {
		if (*s == '\\' && s[1] != '\0') {
			r |= buf_append(w, s + 1, 1);
			s += 2;
			continue;
		}
		if (*s != '\'' && *s != '"') {
			r |= buf_append(w, s++, 1);
			continue;
		}
		q = *s;
		open = s++;
		while (*s != '\0' && *s != q) {
			if (q == '"' && *s == '\\' && (s[1] == '"' ||
			    s[1] == '\\'))
				s++;
			r |= buf_append(w, s++, 1);
		}
		if (*s == '\0')
			return inv_load_err(in->ld, &in->m, col0 +
			    (size_t)(open - base), "unclosed %s quote",
			    q == '"' ? "double" : "single");
		s++;
	}
	if (r != 0 || buf_reserve(w, 0) != 0)
		return err_set(in->ld->err, DROVE_E_NOMEM, "out of memory");
	w->data[w->len] = '\0';
	*sp = s;
	return 1;
}

/* Read a host line: a host entry and KEY=VALUE vars. */
static int
ini_host(struct ini *in, const char *s, size_t col0)
{
	struct inv_load *ld = in->ld;
	const char *p = s;
	char *host = NULL, *eq;
	size_t hcol, col, i;
	int r;

	for (i = 0; i < in->vars.n; i++) {
		free(in->vars.v[i].name);
		free(in->vars.v[i].value);
	}
	in->vars.n = 0;
	if ((r = ini_word(in, &p, col0, &hcol)) <= 0)
		return r;
	if ((host = strdup(in->word.data)) == NULL)
		return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	r = 0;
	if (strcmp(host, "---") == 0)
		r = inv_load_err(ld, &in->m, hcol, "unexpected host '---' in "
		    "an INI inventory: YAML needs .yml or a first line "
		    "'---'");
	while (r == 0 && (r = ini_word(in, &p, col0 + (size_t)(p - s),
	    &col)) == 1) {
		if ((eq = strchr(in->word.data, '=')) == NULL) {
			r = inv_load_err(ld, &in->m, col, "expected KEY=VALUE "
			    "after host '%s', found '%s'", host,
			    in->word.data);
			break;
		}
		*eq = '\0';
		r = ini_set(in, &in->vars, in->word.data, eq + 1, col);
	}
	if (r == 0 && in->g == INV_NONE &&
	    (in->g = inv_group_new(ld, "ungrouped")) == INV_NONE)
		r = err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	ld->list = !in->sectioned;
	if (r == 0)
		r = inv_entry_add(ld, in->g, host, NULL, &in->vars, &in->m,
		    hcol);
	free(host);
	return r;
}

/* Whether s is a bracketed IPv6 host ("[::1]", "[::1]:22"), no section. */
static int
ini_v6_host(const char *s)
{
	const char *close = strchr(s, ']');

	return close != NULL && inv_is_ipv6(s + 1, (size_t)(close - s - 1)) &&
	    (close[1] == '\0' || close[1] == ':' || close[1] == ' ' ||
	    close[1] == '\t');
}

/* Report the first group named but never defined. */
static int
ini_undefined(struct ini *in)
{
	struct inv_load *ld = in->ld;
	struct pend *p;
	size_t i;

	for (i = 0; i < in->npend; i++) {
		p = &in->pend[i];
		if (p->name == NULL)
			continue;
		if (p->state == 'v')
			return inv_load_err(ld, &p->m, 0, "section [%s:vars] "
			    "names a group no section defines", p->name);
		return inv_load_err(ld, &p->m, 0, "[%s:children] names group "
		    "'%s', which no section defines",
		    ld->inv->groups[p->parents.v[p->parents.n - 1]].name,
		    p->name);
	}
	return 0;
}

/* Read INI text (changed in place) into ld->inv. */
int
ini_load(struct inv_load *ld, char *text)
{
	struct ini in;
	char *line, *next, *s, *e;
	size_t col, i;
	long bad;
	int r = 0;

	memset(&in, 0, sizeof in);
	in.ld = ld;
	in.g = INV_NONE;
	in.state = 'h';
	buf_init(&in.word);
	for (line = text; r == 0 && line != NULL; line = next,
	    in.m.line++) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		for (s = line; isspace((unsigned char)*s); s++)
			;
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s == '\0' || *s == '#' || *s == ';')
			continue;
		col = (size_t)(s - line);
		if ((bad = inv_bad_text(s, 1)) >= 0) {
			r = inv_load_err(ld, &in.m, col + (size_t)bad,
			    "expected printable UTF-8, found byte 0x%02x",
			    (unsigned char)s[bad]);
			break;
		}
		if (*s == '[' && !ini_v6_host(s)) {
			in.sectioned = 1;
			r = ini_section(&in, s, col);
		}
		else if (in.state == 'h')
			r = ini_host(&in, s, col);
		else if (in.state == 'c')
			r = ini_child(&in, s, col);
		else
			r = ini_var(&in, s, col);
	}
	if (r == 0)
		r = ini_undefined(&in);
	for (i = 0; i < in.npend; i++)
		ini_unpend(&in.pend[i]);
	free(in.pend);
	for (i = 0; i < in.vars.n; i++) {
		free(in.vars.v[i].name);
		free(in.vars.v[i].value);
	}
	free(in.vars.v);
	buf_release(&in.word);
	return r;
}
