/*
 * pexpr.c: values and expressions of the playbook language (see play.h).
 *
 * An expression is parsed by recursive descent into a tree of nodes, each
 * with the offset of its text, and evaluated later against a lookup
 * callback.  Evaluation lends values where it can: a node yields a pointer
 * either into the caller's variables or into a scratch value of the frame
 * that asked, so "result.stdout" copies nothing.
 */
#define _GNU_SOURCE	/* memmem */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/err.h"
#include "drove.h"
#include "play/play.h"

/* How deeply expressions and values may nest. */
#define PEXPR_DEPTH	64

enum node_kind {
	N_LIT,			/* lit */
	N_VAR,			/* name */
	N_ATTR,			/* a.name */
	N_INDEX,		/* a[b] */
	N_LIST,			/* [args] */
	N_NOT,			/* not a */
	N_AND,
	N_OR,
	N_CMP,			/* a op b */
	N_IN,			/* a in b; neg: not in */
	N_DEFINED,		/* a is defined; neg: is not defined */
	N_FILTER		/* a | name(args) */
};

enum cmp_op {
	OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE
};

enum filter_id {
	F_QUOTE, F_DEFAULT, F_INT, F_STRING, F_BOOL, F_JOIN, F_LENGTH,
	F_UPPER, F_LOWER, F_TRIM
};

static const struct {
	const char	*name;
	size_t		 min;
	size_t		 max;
} filters[] = {
	[F_QUOTE] = { "quote", 0, 0 },
	[F_DEFAULT] = { "default", 1, 2 },
	[F_INT] = { "int", 0, 0 },
	[F_STRING] = { "string", 0, 0 },
	[F_BOOL] = { "bool", 0, 0 },
	[F_JOIN] = { "join", 0, 1 },
	[F_LENGTH] = { "length", 0, 0 },
	[F_UPPER] = { "upper", 0, 0 },
	[F_LOWER] = { "lower", 0, 0 },
	[F_TRIM] = { "trim", 0, 0 },
};

struct node {
	enum node_kind	 kind;
	int		 op;		/* enum cmp_op, enum filter_id */
	int		 neg;		/* N_IN, N_DEFINED */
	size_t		 off;		/* where its text starts */
	size_t		 end;		/* and ends */
	size_t		 at;		/* where its errors point */
	struct pval	 lit;
	char		*name;
	struct node	*a;
	struct node	*b;
	struct node	**args;
	size_t		 nargs;
};

struct pexpr {
	char		*text;		/* from offset base of the parsed text */
	size_t		 base;
	struct node	*root;
};

enum tok_type {
	T_END,			/* end of text, or "}}" in a template */
	T_IDENT,
	T_INT,
	T_STR,
	T_OP,			/* == != < <= > >= */
	T_PUNCT			/* ( ) [ ] , . | - */
};

struct tok {
	enum tok_type	 type;
	size_t		 off;
	size_t		 len;
	int		 op;		/* T_OP: enum cmp_op; T_PUNCT: the char */
	long long	 i;
	struct buf	 s;		/* T_STR: the unescaped text */
};

struct parser {
	const char		*text;
	size_t			 len;
	size_t			 pos;
	int			 tmpl;		/* stop at "}}" */
	int			 depth;
	struct tok		 tok;
	struct drove_err	*err;
	size_t			 erroff;
};

/* Evaluation context. */
struct ev {
	pval_lookup_fn		*lookup;
	void			*arg;
	const struct pexpr	*e;
	struct drove_err	*err;
	size_t			 erroff;
	int			 depth;
};

/* Make v a string of len bytes from s. */
int
pval_strn(struct pval *v, const char *s, size_t len)
{
	char *c;

	pval_release(v);
	if ((c = malloc(len + 1)) == NULL)
		return DROVE_E_NOMEM;
	memcpy(c, s, len);
	c[len] = '\0';
	v->kind = PV_STR;
	v->s = c;
	v->len = len;
	return 0;
}

/* Make v a copy of the C string s. */
int
pval_str(struct pval *v, const char *s)
{
	return pval_strn(v, s, strlen(s));
}

/* Make v the integer i. */
void
pval_int(struct pval *v, long long i)
{
	pval_release(v);
	v->kind = PV_INT;
	v->i = i;
}

/* Make v a boolean. */
void
pval_bool(struct pval *v, int b)
{
	pval_release(v);
	v->kind = PV_BOOL;
	v->i = b != 0;
}

/* Make v an empty list. */
void
pval_list(struct pval *v)
{
	pval_release(v);
	v->kind = PV_LIST;
}

/* Make v an empty map. */
void
pval_map(struct pval *v)
{
	pval_release(v);
	v->kind = PV_MAP;
}

/* Free what v holds; v becomes NONE. */
void
pval_release(struct pval *v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n; i++) {
		pval_release(&v->v[i]);
		if (v->k != NULL)
			free(v->k[i]);
	}
	free(v->v);
	free(v->k);
	free(v->s);
	memset(v, 0, sizeof *v);
}

/* Room for one more item (and key, for a map). */
static int
pval_grow(struct pval *v)
{
	struct pval *nv;
	char **nk;
	size_t cap;

	if (v->n < v->cap)
		return 0;
	cap = v->cap ? 2 * v->cap : 4;
	if ((nv = realloc(v->v, cap * sizeof *nv)) == NULL)
		return DROVE_E_NOMEM;
	v->v = nv;
	if (v->kind == PV_MAP) {
		if ((nk = realloc(v->k, cap * sizeof *nk)) == NULL)
			return DROVE_E_NOMEM;
		v->k = nk;
	}
	v->cap = cap;
	return 0;
}

/* Move item to the end of list. */
int
pval_push(struct pval *list, struct pval *item)
{
	if (list->kind != PV_LIST)
		return DROVE_E_INVAL;
	if (pval_grow(list) != 0)
		return DROVE_E_NOMEM;
	list->v[list->n++] = *item;
	memset(item, 0, sizeof *item);
	return 0;
}

/* The index of key in map, or map->n. */
static size_t
pval_find(const struct pval *map, const char *key)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (strcmp(map->k[i], key) == 0)
			break;
	return i;
}

/* Move v into map under key. */
int
pval_set(struct pval *map, const char *key, struct pval *v)
{
	size_t i;
	char *k;

	if (map->kind != PV_MAP)
		return DROVE_E_INVAL;
	if ((i = pval_find(map, key)) < map->n) {
		pval_release(&map->v[i]);
		map->v[i] = *v;
		memset(v, 0, sizeof *v);
		return 0;
	}
	if (pval_grow(map) != 0 || (k = strdup(key)) == NULL)
		return DROVE_E_NOMEM;
	map->k[map->n] = k;
	map->v[map->n++] = *v;
	memset(v, 0, sizeof *v);
	return 0;
}

/* Set a string under key. */
int
pval_set_str(struct pval *map, const char *key, const char *s)
{
	struct pval v = { 0 };
	int r;

	if ((r = pval_str(&v, s)) != 0 || (r = pval_set(map, key, &v)) != 0)
		pval_release(&v);
	return r;
}

/* Set an integer under key. */
int
pval_set_int(struct pval *map, const char *key, long long i)
{
	struct pval v = { 0 };

	pval_int(&v, i);
	return pval_set(map, key, &v);
}

/* Set a boolean under key. */
int
pval_set_bool(struct pval *map, const char *key, int b)
{
	struct pval v = { 0 };

	pval_bool(&v, b);
	return pval_set(map, key, &v);
}

/* The value under key, lent. */
const struct pval *
pval_get(const struct pval *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != PV_MAP)
		return NULL;
	if ((i = pval_find(map, key)) == map->n)
		return NULL;
	return &map->v[i];
}

/* Deep copy of src into dst. */
int
pval_copy(struct pval *dst, const struct pval *src)
{
	struct pval tmp = { 0 }, item;
	size_t i;
	int r = 0;

	switch (src->kind) {
	case PV_NONE:
		break;
	case PV_STR:
		r = pval_strn(&tmp, src->s, src->len);
		break;
	case PV_INT:
	case PV_BOOL:
		tmp.kind = src->kind;
		tmp.i = src->i;
		break;
	case PV_LIST:
	case PV_MAP:
		tmp.kind = src->kind;
		for (i = 0; i < src->n && r == 0; i++) {
			memset(&item, 0, sizeof item);
			if ((r = pval_copy(&item, &src->v[i])) != 0)
				break;
			r = src->kind == PV_LIST ? pval_push(&tmp, &item) :
			    pval_set(&tmp, src->k[i], &item);
			pval_release(&item);
		}
		break;
	}
	if (r != 0) {
		pval_release(&tmp);
		return r;
	}
	pval_release(dst);
	*dst = tmp;
	return 0;
}

/* Whether s reads as a false word: "false", "no", "off" or "0". */
static int
str_false(const char *s)
{
	return strcasecmp(s, "false") == 0 || strcasecmp(s, "no") == 0 ||
	    strcasecmp(s, "off") == 0 || strcmp(s, "0") == 0;
}

/* Whether s reads as a true word: "true", "yes", "on" or "1". */
static int
str_true(const char *s)
{
	return strcasecmp(s, "true") == 0 || strcasecmp(s, "yes") == 0 ||
	    strcasecmp(s, "on") == 0 || strcmp(s, "1") == 0;
}

/* Truthiness (play.h). */
int
pval_truthy(const struct pval *v)
{
	switch (v->kind) {
	case PV_NONE:
		return 0;
	case PV_STR:
		return v->len > 0 && !str_false(v->s);
	case PV_INT:
	case PV_BOOL:
		return v->i != 0;
	case PV_LIST:
	case PV_MAP:
		return v->n > 0;
	}
	return 0;
}

/* Whether the whole of s (len bytes) is a decimal integer; its value. */
static int
str_int(const char *s, size_t len, long long *out)
{
	char *end;
	long long i;

	if (len == 0 || isspace((unsigned char)*s) || strlen(s) != len)
		return 0;
	errno = 0;
	i = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	*out = i;
	return 1;
}

/* Whether v is an integer or an integer string; its value. */
static int
pval_as_int(const struct pval *v, long long *out)
{
	if (v->kind == PV_INT) {
		*out = v->i;
		return 1;
	}
	return v->kind == PV_STR && str_int(v->s, v->len, out);
}

/* Whether the string s equals the boolean b as "==" says. */
static int
str_bool_equal(const struct pval *s, const struct pval *b)
{
	return b->i ? str_true(s->s) : str_false(s->s);
}

/* Equality (play.h). */
int
pval_equal(const struct pval *a, const struct pval *b)
{
	long long x, y;
	size_t i;

	if (a->kind != b->kind) {
		if (a->kind == PV_STR && b->kind == PV_BOOL)
			return str_bool_equal(a, b);
		if (a->kind == PV_BOOL && b->kind == PV_STR)
			return str_bool_equal(b, a);
		return (a->kind == PV_INT || b->kind == PV_INT) &&
		    pval_as_int(a, &x) && pval_as_int(b, &y) && x == y;
	}
	switch (a->kind) {
	case PV_NONE:
		return 1;
	case PV_STR:
		return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	case PV_INT:
	case PV_BOOL:
		return a->i == b->i;
	case PV_LIST:
	case PV_MAP:
		if (a->n != b->n)
			return 0;
		for (i = 0; i < a->n; i++) {
			if (a->kind == PV_MAP && strcmp(a->k[i], b->k[i]) != 0)
				return 0;
			if (!pval_equal(&a->v[i], &b->v[i]))
				return 0;
		}
		return 1;
	}
	return 0;
}

/* Append s as a JSON string. */
static int
json_str(struct buf *b, const char *s, size_t len)
{
	size_t i;
	int r;

	if ((r = buf_puts(b, "\"")) != 0)
		return r;
	for (i = 0; i < len && r == 0; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			r = buf_printf(b, "\\%c", c);
		else if (c == '\n')
			r = buf_puts(b, "\\n");
		else if (c == '\t')
			r = buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			r = buf_printf(b, "\\u%04x", c);
		else
			r = buf_append(b, &c, 1);
	}
	return r != 0 ? r : buf_puts(b, "\"");
}

/* Append v as compact JSON. */
static int
pval_json(const struct pval *v, struct buf *b)
{
	size_t i;
	int r;

	switch (v->kind) {
	case PV_NONE:
		return buf_puts(b, "null");
	case PV_STR:
		return json_str(b, v->s, v->len);
	case PV_LIST:
	case PV_MAP:
		if ((r = buf_puts(b, v->kind == PV_LIST ? "[" : "{")) != 0)
			return r;
		for (i = 0; i < v->n; i++) {
			if ((i > 0 && (r = buf_puts(b, ",")) != 0) ||
			    (v->kind == PV_MAP &&
			    ((r = json_str(b, v->k[i], strlen(v->k[i]))) != 0 ||
			    (r = buf_puts(b, ":")) != 0)) ||
			    (r = pval_json(&v->v[i], b)) != 0)
				return r;
		}
		return buf_puts(b, v->kind == PV_LIST ? "]" : "}");
	default:
		return pval_format(v, b);
	}
}

/* The string form of v (play.h). */
int
pval_format(const struct pval *v, struct buf *b)
{
	switch (v->kind) {
	case PV_NONE:
		return buf_append(b, "", 0);
	case PV_STR:
		return buf_append(b, v->s, v->len);
	case PV_INT:
		return buf_printf(b, "%lld", v->i);
	case PV_BOOL:
		return buf_puts(b, v->i ? "true" : "false");
	default:
		return pval_json(v, b);
	}
}

/* Set a string under key from len bytes, without trailing CR and LF. */
static int
result_text(struct pval *map, const char *key, const char *s, size_t len)
{
	struct pval v = { 0 };
	int r;

	while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
		len--;
	if ((r = pval_strn(&v, len > 0 ? s : "", len)) != 0 ||
	    (r = pval_set(map, key, &v)) != 0)
		pval_release(&v);
	return r;
}

/* The lines of s (len bytes, trailing newlines gone) as a list. */
static int
result_lines(struct pval *list, const char *s, size_t len)
{
	struct pval v = { 0 };
	const char *nl;
	size_t n;
	int r = 0;

	pval_list(list);
	while (len > 0 && r == 0) {
		nl = memchr(s, '\n', len);
		n = nl != NULL ? (size_t)(nl - s) : len;
		if ((r = pval_strn(&v, s, n > 0 && s[n - 1] == '\r' ? n - 1 :
		    n)) == 0)
			r = pval_push(list, &v);
		pval_release(&v);
		s += n < len ? n + 1 : n;
		len -= n < len ? n + 1 : n;
	}
	return r;
}

/* A registered result (play.h). */
int
pval_result(struct pval *dst, int rc, const char *out, size_t outlen,
    const char *err, size_t errlen, int changed, int failed, int skipped)
{
	struct pval m = { 0 }, lines = { 0 };
	const struct pval *so;
	int r;

	pval_map(&m);
	if ((r = pval_set_int(&m, "rc", rc)) != 0 ||
	    (r = result_text(&m, "stdout", out, out != NULL ? outlen : 0)) !=
	    0 ||
	    (r = result_text(&m, "stderr", err, err != NULL ? errlen : 0)) !=
	    0)
		goto out;
	so = pval_get(&m, "stdout");
	if ((r = result_lines(&lines, so->s, so->len)) != 0 ||
	    (r = pval_set(&m, "stdout_lines", &lines)) != 0 ||
	    (r = pval_set_bool(&m, "changed", changed)) != 0 ||
	    (r = pval_set_bool(&m, "failed", failed)) != 0 ||
	    (r = pval_set_bool(&m, "skipped", skipped)) != 0)
		goto out;
	pval_release(dst);
	*dst = m;
	memset(&m, 0, sizeof m);
 out:
	pval_release(&lines);
	pval_release(&m);
	return r;
}

/* Look name up in a NULL-terminated array of maps. */
const struct pval *
pval_lookup_chain(void *arg, const char *name)
{
	const struct pval *const *maps = arg, *v;

	for (; *maps != NULL; maps++)
		if ((v = pval_get(*maps, name)) != NULL)
			return v;
	return NULL;
}

/* Append s quoted for a POSIX shell, as shlex.quote does. */
int
pval_quote(const char *s, size_t len, struct buf *b)
{
	size_t i;
	int r;

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) &&
		    strchr("@%+=:,./_-", s[i]) == NULL)
			break;
	if (len > 0 && i == len)
		return buf_append(b, s, len);
	if ((r = buf_puts(b, "'")) != 0)
		return r;
	for (i = 0; i < len && r == 0; i++)
		r = s[i] == '\'' ? buf_puts(b, "'\\''") :
		    buf_append(b, &s[i], 1);
	return r != 0 ? r : buf_puts(b, "'");
}

/* Free a node and its children. */
static void
node_free(struct node *n)
{
	size_t i;

	if (n == NULL)
		return;
	pval_release(&n->lit);
	free(n->name);
	node_free(n->a);
	node_free(n->b);
	for (i = 0; i < n->nargs; i++)
		node_free(n->args[i]);
	free(n->args);
	free(n);
}

/* Set err to DROVE_E_INVAL with a message (err may be NULL). */
static void
verr(struct drove_err *err, const char *fmt, va_list ap)
{
	if (err == NULL)
		return;
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	err->code = DROVE_E_INVAL;
}

/* Set a parse error at offset off. */
static int
perr(struct parser *p, size_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr(struct parser *p, size_t off, const char *fmt, ...)
{
	va_list ap;

	p->erroff = off;
	va_start(ap, fmt);
	verr(p->err, fmt, ap);
	va_end(ap);
	return DROVE_E_INVAL;
}

/* Out of memory while parsing. */
static int
pnomem(struct parser *p)
{
	p->erroff = p->pos;
	return err_set(p->err, DROVE_E_NOMEM, "out of memory");
}

/* How to show the current token in a message. */
static const char *
tok_what(struct parser *p, char *buf, size_t len)
{
	if (p->tok.type == T_END)
		return p->tmpl && p->tok.len == 2 ? "'}}'" : "end of text";
	snprintf(buf, len, "'%.*s'", p->tok.len > 20 ? 20 : (int)p->tok.len,
	    p->text + p->tok.off);
	return buf;
}

/* Lex a quoted string starting at p->pos. */
static int
lex_str(struct parser *p)
{
	char q = p->text[p->pos], c;
	size_t i = p->pos + 1;

	p->tok.type = T_STR;
	p->tok.s.len = 0;
	if (buf_append(&p->tok.s, "", 0) != 0)
		return pnomem(p);
	for (; i < p->len && p->text[i] != q; i++) {
		c = p->text[i];
		if (c == '\\' && i + 1 < p->len) {
			switch (p->text[++i]) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case '\\':
			case '\'':
			case '"':
				c = p->text[i];
				break;
			default:
				i--;
				break;
			}
		}
		if (buf_append(&p->tok.s, &c, 1) != 0)
			return pnomem(p);
	}
	if (i >= p->len)
		return perr(p, p->pos, "unterminated string");
	p->tok.len = i + 1 - p->pos;
	p->pos = i + 1;
	return 0;
}

/* Lex the next token into p->tok. */
static int
lex(struct parser *p)
{
	const char *t = p->text;
	char c, n;
	size_t s;

	while (p->pos < p->len && strchr(" \t\r\n", t[p->pos]) != NULL &&
	    t[p->pos] != '\0')
		p->pos++;
	s = p->tok.off = p->pos;
	p->tok.len = 1;
	if (p->pos >= p->len) {
		p->tok.type = T_END;
		p->tok.len = 0;
		return 0;
	}
	c = t[s];
	n = s + 1 < p->len ? t[s + 1] : '\0';
	if (p->tmpl && c == '}' && n == '}') {
		p->tok.type = T_END;
		p->tok.len = 2;
		p->pos += 2;
		return 0;
	}
	if (c == '\'' || c == '"')
		return lex_str(p);
	if (isdigit((unsigned char)c)) {
		while (p->pos < p->len && isdigit((unsigned char)t[p->pos]))
			p->pos++;
		if (p->pos < p->len && (isalpha((unsigned char)t[p->pos]) ||
		    t[p->pos] == '_'))
			return perr(p, s, "bad number '%.*s'",
			    (int)(p->pos - s + 1), t + s);
		p->tok.type = T_INT;
		p->tok.len = p->pos - s;
		errno = 0;
		p->tok.i = strtoll(t + s, NULL, 10);
		if (errno != 0 || p->tok.len > 19)
			return perr(p, s, "integer out of range");
		return 0;
	}
	if (isalpha((unsigned char)c) || c == '_') {
		while (p->pos < p->len && (isalnum((unsigned char)t[p->pos]) ||
		    t[p->pos] == '_'))
			p->pos++;
		p->tok.type = T_IDENT;
		p->tok.len = p->pos - s;
		return 0;
	}
	p->tok.type = T_OP;
	p->tok.len = 2;
	if (c == '=' && n == '=')
		p->tok.op = OP_EQ;
	else if (c == '!' && n == '=')
		p->tok.op = OP_NE;
	else if (c == '<' && n == '=')
		p->tok.op = OP_LE;
	else if (c == '>' && n == '=')
		p->tok.op = OP_GE;
	else {
		p->tok.len = 1;
		if (c == '<')
			p->tok.op = OP_LT;
		else if (c == '>')
			p->tok.op = OP_GT;
		else if (c != '\0' && strchr("()[],.|-", c) != NULL) {
			p->tok.type = T_PUNCT;
			p->tok.op = c;
		} else if (isprint((unsigned char)c))
			return perr(p, s, "unexpected '%c'", c);
		else
			return perr(p, s, "unexpected byte 0x%02x",
			    (unsigned char)c);
	}
	p->pos += p->tok.len;
	return 0;
}

/* Whether the current token is the keyword kw. */
static int
tok_is(struct parser *p, const char *kw)
{
	size_t n = strlen(kw);

	return p->tok.type == T_IDENT && p->tok.len == n &&
	    memcmp(p->text + p->tok.off, kw, n) == 0;
}

/* Whether the current token is the punctuation c. */
static int
tok_punct(struct parser *p, char c)
{
	return p->tok.type == T_PUNCT && p->tok.op == c;
}

/* Fail unless the current token is punctuation c, then move past it. */
static int
expect(struct parser *p, char c)
{
	char w[32];

	if (!tok_punct(p, c))
		return perr(p, p->tok.off, "expected '%c', found %s", c,
		    tok_what(p, w, sizeof w));
	return lex(p);
}

/* A new node of kind k starting at off. */
static struct node *
node_new(enum node_kind k, size_t off)
{
	struct node *n = calloc(1, sizeof *n);

	if (n != NULL) {
		n->kind = k;
		n->off = n->at = off;
	}
	return n;
}

/* Wrap a as the left operand of a new node of kind k; NULL when no memory. */
static struct node *
node_wrap(enum node_kind k, struct node *a)
{
	struct node *n = node_new(k, a->off);

	if (n != NULL) {
		n->a = a;
		n->end = a->end;
	}
	return n;
}

/* Append n to parent's args. */
static int
node_arg(struct node *parent, struct node *n)
{
	struct node **v;

	v = realloc(parent->args, (parent->nargs + 1) * sizeof *v);
	if (v == NULL)
		return DROVE_E_NOMEM;
	parent->args = v;
	v[parent->nargs++] = n;
	return 0;
}

static int	parse_or(struct parser *, struct node **);

/* Parse "EXPR, ..." up to the closing char close into n's args. */
static int
parse_args(struct parser *p, struct node *n, char close)
{
	struct node *a;
	int r;

	while (!tok_punct(p, close)) {
		if ((r = parse_or(p, &a)) != 0) {
			node_free(a);
			return r;
		}
		if (node_arg(n, a) != 0) {
			node_free(a);
			return pnomem(p);
		}
		if (!tok_punct(p, ','))
			break;
		if ((r = lex(p)) != 0)
			return r;
	}
	n->end = p->tok.off + p->tok.len;
	return expect(p, close);
}

/* A literal node for the keyword at the current token, or NULL. */
static int
parse_keyword(struct parser *p, struct node *n)
{
	if (tok_is(p, "true") || tok_is(p, "True"))
		pval_bool(&n->lit, 1);
	else if (tok_is(p, "false") || tok_is(p, "False"))
		pval_bool(&n->lit, 0);
	else if (tok_is(p, "none") || tok_is(p, "None"))
		pval_release(&n->lit);
	else
		return 0;
	n->kind = N_LIT;
	return 1;
}

/* primary: literal, name, (EXPR) or [EXPR, ...]. */
static int
parse_primary(struct parser *p, struct node **out)
{
	struct node *n;
	size_t off = p->tok.off;
	char w[32];
	int r;

	*out = NULL;
	if (tok_punct(p, '(')) {
		if ((r = lex(p)) != 0 || (r = parse_or(p, out)) != 0)
			return r;
		return expect(p, ')');
	}
	if ((n = node_new(N_LIT, off)) == NULL)
		return pnomem(p);
	*out = n;
	n->end = p->tok.off + p->tok.len;
	if (tok_punct(p, '[')) {
		n->kind = N_LIST;
		if ((r = lex(p)) != 0)
			return r;
		return parse_args(p, n, ']');
	}
	if (tok_punct(p, '-')) {
		if ((r = lex(p)) != 0)
			return r;
		if (p->tok.type != T_INT)
			return perr(p, p->tok.off, "expected a number after "
			    "'-', found %s", tok_what(p, w, sizeof w));
		pval_int(&n->lit, -p->tok.i);
		n->end = p->tok.off + p->tok.len;
	} else if (p->tok.type == T_INT)
		pval_int(&n->lit, p->tok.i);
	else if (p->tok.type == T_STR) {
		if (pval_strn(&n->lit, p->tok.s.data, p->tok.s.len) != 0)
			return pnomem(p);
	} else if (p->tok.type == T_IDENT) {
		if (!parse_keyword(p, n)) {
			n->kind = N_VAR;
			if ((n->name = strndup(p->text + off, p->tok.len)) ==
			    NULL)
				return pnomem(p);
		}
	} else
		return perr(p, off, "expected a value, found %s",
		    tok_what(p, w, sizeof w));
	return lex(p);
}

/* postfix: primary followed by .name, .N and [EXPR]. */
static int
parse_postfix(struct parser *p, struct node **out)
{
	struct node *n;
	char w[32];
	int r;

	if ((r = parse_primary(p, out)) != 0)
		return r;
	for (;;) {
		if (tok_punct(p, '[')) {
			if ((n = node_wrap(N_INDEX, *out)) == NULL)
				return pnomem(p);
			*out = n;
			if ((r = lex(p)) != 0 || (r = parse_or(p, &n->b)) != 0)
				return r;
			n->end = p->tok.off + p->tok.len;
			if ((r = expect(p, ']')) != 0)
				return r;
		} else if (tok_punct(p, '.')) {
			if ((r = lex(p)) != 0)
				return r;
			if (p->tok.type != T_IDENT && p->tok.type != T_INT)
				return perr(p, p->tok.off, "expected a name "
				    "after '.', found %s",
				    tok_what(p, w, sizeof w));
			if ((n = node_wrap(N_ATTR, *out)) == NULL)
				return pnomem(p);
			*out = n;
			n->end = p->tok.off + p->tok.len;
			if ((n->name = strndup(p->text + p->tok.off,
			    p->tok.len)) == NULL)
				return pnomem(p);
			if ((r = lex(p)) != 0)
				return r;
		} else
			return 0;
	}
}

/* filtered: postfix followed by "| name" and "| name(args)". */
static int
parse_filtered(struct parser *p, struct node **out)
{
	struct node *n;
	size_t i, off;
	char w[32];
	int r;

	if ((r = parse_postfix(p, out)) != 0)
		return r;
	while (tok_punct(p, '|')) {
		if ((r = lex(p)) != 0)
			return r;
		off = p->tok.off;
		if (p->tok.type != T_IDENT)
			return perr(p, off, "expected a filter name after "
			    "'|', found %s", tok_what(p, w, sizeof w));
		for (i = 0; i < sizeof filters / sizeof filters[0]; i++)
			if (tok_is(p, filters[i].name))
				break;
		if (i == sizeof filters / sizeof filters[0])
			return perr(p, off, "unknown filter '%.*s'",
			    (int)p->tok.len, p->text + off);
		if ((n = node_wrap(N_FILTER, *out)) == NULL)
			return pnomem(p);
		*out = n;
		n->op = (int)i;
		n->at = off;
		n->end = p->tok.off + p->tok.len;
		if ((r = lex(p)) != 0)
			return r;
		if (tok_punct(p, '(') && ((r = lex(p)) != 0 ||
		    (r = parse_args(p, n, ')')) != 0))
			return r;
		if (n->nargs < filters[i].min || n->nargs > filters[i].max)
			return perr(p, off, "filter '%s' takes %s%zu "
			    "argument%s", filters[i].name,
			    filters[i].min == filters[i].max ? "" : "up to ",
			    filters[i].max, filters[i].max == 1 ? "" : "s");
	}
	return 0;
}

/* comparison: filtered [op filtered | [not] in filtered | is [not] defined]. */
static int
parse_cmp(struct parser *p, struct node **out)
{
	struct node *n;
	char w[32];
	int r, neg = 0;

	if ((r = parse_filtered(p, out)) != 0)
		return r;
	if (tok_is(p, "is")) {
		if ((n = node_wrap(N_DEFINED, *out)) == NULL)
			return pnomem(p);
		*out = n;
		if ((r = lex(p)) != 0)
			return r;
		if (tok_is(p, "not")) {
			n->neg = 1;
			if ((r = lex(p)) != 0)
				return r;
		}
		if (!tok_is(p, "defined"))
			return perr(p, p->tok.off, "expected 'defined' after "
			    "'is', found %s", tok_what(p, w, sizeof w));
		n->end = p->tok.off + p->tok.len;
		return lex(p);
	}
	if (tok_is(p, "not")) {
		neg = 1;
		if ((r = lex(p)) != 0)
			return r;
		if (!tok_is(p, "in"))
			return perr(p, p->tok.off, "expected 'in' after "
			    "'not', found %s", tok_what(p, w, sizeof w));
	}
	if (tok_is(p, "in") || p->tok.type == T_OP) {
		if ((n = node_wrap(tok_is(p, "in") ? N_IN : N_CMP, *out)) ==
		    NULL)
			return pnomem(p);
		*out = n;
		n->neg = neg;
		n->op = p->tok.op;
		if ((r = lex(p)) != 0 || (r = parse_filtered(p, &n->b)) != 0)
			return r;
		n->end = n->b->end;
		if (p->tok.type == T_OP || tok_is(p, "in"))
			return perr(p, p->tok.off, "comparisons do not chain: "
			    "use 'and'");
	}
	return 0;
}

/* not: "not" not | comparison. */
static int
parse_not(struct parser *p, struct node **out)
{
	struct node *n;
	int r;

	if (!tok_is(p, "not"))
		return parse_cmp(p, out);
	if (++p->depth > PEXPR_DEPTH)
		return perr(p, p->tok.off, "expression nested too deeply");
	if ((n = node_new(N_NOT, p->tok.off)) == NULL)
		return pnomem(p);
	*out = n;
	if ((r = lex(p)) != 0 || (r = parse_not(p, &n->a)) != 0)
		return r;
	n->end = n->a->end;
	p->depth--;
	return 0;
}

/* A left-associative chain of the keyword kw over operands of sub. */
static int
parse_chain(struct parser *p, struct node **out, const char *kw,
    enum node_kind k, int (*sub)(struct parser *, struct node **))
{
	struct node *n;
	int r;

	if ((r = sub(p, out)) != 0)
		return r;
	while (tok_is(p, kw)) {
		if ((n = node_wrap(k, *out)) == NULL)
			return pnomem(p);
		*out = n;
		if ((r = lex(p)) != 0 || (r = sub(p, &n->b)) != 0)
			return r;
		n->end = n->b->end;
	}
	return 0;
}

/* and: not ("and" not)*. */
static int
parse_and(struct parser *p, struct node **out)
{
	return parse_chain(p, out, "and", N_AND, parse_not);
}

/* or: and ("or" and)*; the whole grammar, entered again for nesting. */
static int
parse_or(struct parser *p, struct node **out)
{
	int r;

	*out = NULL;
	if (++p->depth > PEXPR_DEPTH)
		return perr(p, p->tok.off, "expression nested too deeply");
	r = parse_chain(p, out, "or", N_OR, parse_and);
	p->depth--;
	return r;
}

/* Parse text[start..len) (after "{{" in a template) into *out. */
static int
pexpr_parse_at(const char *text, size_t len, size_t start, int tmpl,
    struct pexpr **out, size_t *end, size_t *off, struct drove_err *err)
{
	struct parser p;
	struct pexpr *e = NULL;
	struct node *root = NULL;
	char w[32];
	int r;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.text = text;
	p.len = len;
	p.pos = start + (tmpl ? 2 : 0);
	p.tmpl = tmpl;
	p.err = err;
	buf_init(&p.tok.s);
	if ((r = lex(&p)) != 0)
		goto out;
	if (p.tok.type == T_END) {
		r = perr(&p, tmpl ? start : p.tok.off, tmpl && p.tok.len == 2 ?
		    "empty '{{ }}'" : tmpl ? "'{{' without '}}'" :
		    "empty expression");
		goto out;
	}
	if ((r = parse_or(&p, &root)) != 0)
		goto out;
	if (p.tok.type != T_END) {
		r = perr(&p, p.tok.off, "unexpected %s",
		    tok_what(&p, w, sizeof w));
		goto out;
	}
	if (tmpl && p.tok.len != 2) {
		r = perr(&p, start, "'{{' without '}}'");
		goto out;
	}
	if ((e = calloc(1, sizeof *e)) == NULL ||
	    (e->text = strndup(text + start, p.pos - start)) == NULL) {
		r = pnomem(&p);
		goto out;
	}
	e->base = start;
	e->root = root;
	root = NULL;
	*out = e;
	e = NULL;
	if (end != NULL)
		*end = p.pos;
	r = 0;
 out:
	if (r != 0 && off != NULL)
		*off = p.erroff;
	node_free(root);
	pexpr_free(e);
	buf_release(&p.tok.s);
	return r;
}

/* Parse a whole expression. */
int
pexpr_parse(const char *text, struct pexpr **out, size_t *off,
    struct drove_err *err)
{
	return pexpr_parse_at(text, strlen(text), 0, 0, out, NULL, off, err);
}

/* Parse the expression of "{{ EXPR }}" at text[start]. */
int
pexpr_parse_tmpl(const char *text, size_t len, size_t start,
    struct pexpr **out, size_t *end, size_t *off, struct drove_err *err)
{
	return pexpr_parse_at(text, len, start, 1, out, end, off, err);
}

/* Set an evaluation error about node n. */
static int
everr(struct ev *ev, const struct node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
everr(struct ev *ev, const struct node *n, const char *fmt, ...)
{
	va_list ap;

	ev->erroff = n->at;
	va_start(ap, fmt);
	verr(ev->err, fmt, ap);
	va_end(ap);
	return DROVE_E_INVAL;
}

/* Out of memory while evaluating n. */
static int
evnomem(struct ev *ev, const struct node *n)
{
	ev->erroff = n->at;
	return err_set(ev->err, DROVE_E_NOMEM, "out of memory");
}

/* "a string", "an integer", ... */
static const char *
kind_name(const struct pval *v)
{
	static const char *names[] = {
		[PV_NONE] = "none", [PV_STR] = "a string",
		[PV_INT] = "an integer", [PV_BOOL] = "a boolean",
		[PV_LIST] = "a list", [PV_MAP] = "a map"
	};

	return names[v->kind];
}

static int	ev_node(struct ev *, const struct node *, struct pval *,
		    const struct pval **, int *);

/* Evaluate n strictly into tmp (a copy when the value was lent). */
static int
ev_own(struct ev *ev, const struct node *n, struct pval *tmp)
{
	const struct pval *v;
	int r;

	if ((r = ev_node(ev, n, tmp, &v, NULL)) != 0)
		return r;
	if (v != tmp && pval_copy(tmp, v) != 0)
		return evnomem(ev, n);
	return 0;
}

/* An undefined name or key: an error, or *undef = 1 when allowed. */
static int
ev_undef(struct ev *ev, const struct node *n, const struct pval **res,
    int *undef)
{
	*res = NULL;
	if (undef != NULL) {
		*undef = 1;
		return 0;
	}
	return everr(ev, n, "undefined variable '%.*s'", (int)(n->end - n->off),
	    ev->e->text + n->off - ev->e->base);
}

/* a.name and a[b]: the item of a map or list, lent where a is. */
static int
ev_item(struct ev *ev, const struct node *n, struct pval *tmp,
    const struct pval **res, int *undef)
{
	struct pval base = { 0 }, key = { 0 };
	const struct pval *b, *item = NULL;
	struct buf kb;
	long long i;
	int r;

	buf_init(&kb);
	if ((r = ev_node(ev, n->a, &base, &b, undef)) != 0)
		goto out;
	if (b == NULL) {
		*res = NULL;
		goto out;
	}
	if (n->kind == N_ATTR)
		r = pval_str(&key, n->name);
	else
		r = ev_own(ev, n->b, &key);
	if (r != 0) {
		r = r == DROVE_E_NOMEM ? evnomem(ev, n) : r;
		goto out;
	}
	if (b->kind == PV_LIST && pval_as_int(&key, &i)) {
		if (i < 0)
			i += (long long)b->n;
		if (i >= 0 && (unsigned long long)i < b->n)
			item = &b->v[i];
	} else if (b->kind == PV_MAP && key.kind != PV_LIST &&
	    key.kind != PV_MAP) {
		if (pval_format(&key, &kb) != 0) {
			r = evnomem(ev, n);
			goto out;
		}
		item = pval_get(b, kb.data);
	} else if (n->kind == N_INDEX && b->kind != PV_STR) {
		r = everr(ev, n->b, "cannot index %s with %s", kind_name(b),
		    kind_name(&key));
		goto out;
	}
	if (item == NULL) {
		r = ev_undef(ev, n, res, undef);
		goto out;
	}
	if (b == &base) {
		if (pval_copy(tmp, item) != 0) {
			r = evnomem(ev, n);
			goto out;
		}
		item = tmp;
	}
	*res = item;
 out:
	buf_release(&kb);
	pval_release(&base);
	pval_release(&key);
	return r;
}

/* a == b and the others. */
static int
ev_cmp(struct ev *ev, const struct node *n, const struct pval *a,
    const struct pval *b, int *truth)
{
	long long x, y;
	int c;

	if (n->op == OP_EQ || n->op == OP_NE) {
		*truth = pval_equal(a, b) == (n->op == OP_EQ);
		return 0;
	}
	if (pval_as_int(a, &x) && pval_as_int(b, &y))
		c = x < y ? -1 : x > y;
	else if (a->kind == PV_STR && b->kind == PV_STR) {
		c = memcmp(a->s, b->s, a->len < b->len ? a->len : b->len);
		if (c == 0)
			c = a->len < b->len ? -1 : a->len > b->len;
	} else
		return everr(ev, n, "cannot compare %s with %s", kind_name(a),
		    kind_name(b));
	switch (n->op) {
	case OP_LT:
		*truth = c < 0;
		break;
	case OP_LE:
		*truth = c <= 0;
		break;
	case OP_GT:
		*truth = c > 0;
		break;
	default:
		*truth = c >= 0;
		break;
	}
	return 0;
}

/* a in b. */
static int
ev_in(struct ev *ev, const struct node *n, const struct pval *a,
    const struct pval *b, int *truth)
{
	struct buf s;
	size_t i;
	int r = 0;

	*truth = 0;
	if (b->kind == PV_LIST) {
		for (i = 0; i < b->n && !*truth; i++)
			*truth = pval_equal(a, &b->v[i]);
		return 0;
	}
	if (b->kind != PV_STR && b->kind != PV_MAP)
		return everr(ev, n->b, "'in' needs a string, list or map on "
		    "its right, found %s", kind_name(b));
	if (a->kind != PV_STR && a->kind != PV_INT)
		return everr(ev, n->a, "'in' a %s needs a string on its left, "
		    "found %s", b->kind == PV_STR ? "string" : "map",
		    kind_name(a));
	buf_init(&s);
	if (pval_format(a, &s) != 0 || buf_append(&s, "", 0) != 0)
		r = evnomem(ev, n);
	else if (b->kind == PV_MAP)
		*truth = pval_get(b, s.data) != NULL;
	else
		*truth = memmem(b->s, b->len, s.data, s.len) != NULL;
	buf_release(&s);
	return r;
}

/* Binary operators that need both sides: comparisons and "in". */
static int
ev_binary(struct ev *ev, const struct node *n, int *truth)
{
	struct pval ta = { 0 }, tb = { 0 };
	const struct pval *a, *b;
	int r;

	if ((r = ev_node(ev, n->a, &ta, &a, NULL)) != 0 ||
	    (r = ev_node(ev, n->b, &tb, &b, NULL)) != 0)
		goto out;
	if (n->kind == N_CMP)
		r = ev_cmp(ev, n, a, b, truth);
	else if ((r = ev_in(ev, n, a, b, truth)) == 0 && n->neg)
		*truth = !*truth;
 out:
	pval_release(&ta);
	pval_release(&tb);
	return r;
}

/* Change case or trim a string value in place. */
static void
str_edit(struct pval *v, int f)
{
	size_t i, s = 0;

	if (f == F_TRIM) {
		while (s < v->len && isspace((unsigned char)v->s[s]))
			s++;
		while (v->len > s && isspace((unsigned char)v->s[v->len - 1]))
			v->len--;
		memmove(v->s, v->s + s, v->len - s);
		v->len -= s;
		v->s[v->len] = '\0';
		return;
	}
	for (i = 0; i < v->len; i++)
		v->s[i] = (char)(f == F_UPPER ? toupper((unsigned char)v->s[i]) :
		    tolower((unsigned char)v->s[i]));
}

/* Make *v its string form. */
static int
to_string(struct pval *v)
{
	struct buf b;
	int r;

	if (v->kind == PV_STR)
		return 0;
	buf_init(&b);
	if ((r = pval_format(v, &b)) == 0 &&
	    (r = pval_strn(v, b.len > 0 ? b.data : "", b.len)) != 0)
		r = DROVE_E_NOMEM;
	buf_release(&b);
	return r;
}

/* Apply the filter of n to the value in out (owned). */
static int
ev_apply(struct ev *ev, const struct node *n, struct pval *out)
{
	struct pval sep = { 0 };
	struct buf b;
	long long i;
	size_t k;
	int r = 0;

	buf_init(&b);
	switch (n->op) {
	case F_QUOTE:
		if ((r = to_string(out)) != 0)
			break;
		if (memchr(out->s, '\0', out->len) != NULL) {
			r = everr(ev, n, "quote: the string holds a NUL byte");
			break;
		}
		if ((r = pval_quote(out->s, out->len, &b)) == 0)
			r = pval_strn(out, b.data, b.len);
		break;
	case F_INT:
		if (out->kind == PV_BOOL || pval_as_int(out, &i))
			pval_int(out, out->kind == PV_BOOL ? out->i : i);
		else
			r = everr(ev, n, "int: %s is not an integer",
			    kind_name(out));
		break;
	case F_STRING:
		r = to_string(out);
		break;
	case F_BOOL:
		if (out->kind == PV_STR)
			pval_bool(out, str_true(out->s));
		else
			pval_bool(out, pval_truthy(out));
		break;
	case F_JOIN:
		if (out->kind != PV_LIST) {
			r = everr(ev, n, "join: expected a list, found %s",
			    kind_name(out));
			break;
		}
		if (n->nargs > 0 && ((r = ev_own(ev, n->args[0], &sep)) != 0 ||
		    (r = to_string(&sep)) != 0))
			break;
		for (k = 0; k < out->n && r == 0; k++) {
			if (k > 0 && sep.kind == PV_STR)
				r = buf_append(&b, sep.s, sep.len);
			if (r == 0)
				r = pval_format(&out->v[k], &b);
		}
		if (r == 0)
			r = pval_strn(out, b.len > 0 ? b.data : "", b.len);
		break;
	case F_LENGTH:
		if (out->kind == PV_STR)
			pval_int(out, (long long)out->len);
		else if (out->kind == PV_LIST || out->kind == PV_MAP)
			pval_int(out, (long long)out->n);
		else
			r = everr(ev, n, "length: expected a string, list or "
			    "map, found %s", kind_name(out));
		break;
	default:
		if (out->kind != PV_STR)
			r = everr(ev, n, "%s: expected a string, found %s",
			    filters[n->op].name, kind_name(out));
		else
			str_edit(out, n->op);
		break;
	}
	if (r == DROVE_E_NOMEM)
		r = evnomem(ev, n);
	buf_release(&b);
	pval_release(&sep);
	return r;
}

/* a | filter(args), into tmp. */
static int
ev_filter(struct ev *ev, const struct node *n, struct pval *tmp)
{
	struct pval flag = { 0 };
	const struct pval *v;
	int r, undef = 0;

	if (n->op != F_DEFAULT)
		return (r = ev_own(ev, n->a, tmp)) != 0 ? r :
		    ev_apply(ev, n, tmp);
	if ((r = ev_node(ev, n->a, tmp, &v, &undef)) != 0)
		return r;
	if (!undef && n->nargs > 1) {
		r = ev_own(ev, n->args[1], &flag);
		undef = r == 0 && pval_truthy(&flag) && !pval_truthy(v);
		pval_release(&flag);
		if (r != 0)
			return r;
	}
	if (undef)
		return ev_own(ev, n->args[0], tmp);
	if (v != tmp && pval_copy(tmp, v) != 0)
		return evnomem(ev, n);
	return 0;
}

/* A list literal into tmp. */
static int
ev_list(struct ev *ev, const struct node *n, struct pval *tmp)
{
	struct pval item = { 0 };
	size_t i;
	int r;

	pval_list(tmp);
	for (i = 0; i < n->nargs; i++) {
		if ((r = ev_own(ev, n->args[i], &item)) == 0 &&
		    pval_push(tmp, &item) != 0)
			r = evnomem(ev, n);
		pval_release(&item);
		if (r != 0)
			return r;
	}
	return 0;
}

/*
 * Evaluate n: *res is the value, lent from the variables or n's literal,
 * or tmp (the caller releases tmp either way).  With undef non-NULL an
 * undefined name or key sets *undef and *res = NULL instead of failing.
 */
static int
ev_node(struct ev *ev, const struct node *n, struct pval *tmp,
    const struct pval **res, int *undef)
{
	int r = 0, truth = 0, u = 0;

	*res = tmp;
	if (++ev->depth > PEXPR_DEPTH)
		return everr(ev, n, "expression nested too deeply");
	switch (n->kind) {
	case N_LIT:
		*res = &n->lit;
		break;
	case N_VAR:
		if ((*res = ev->lookup(ev->arg, n->name)) == NULL)
			r = ev_undef(ev, n, res, undef);
		break;
	case N_ATTR:
	case N_INDEX:
		r = ev_item(ev, n, tmp, res, undef);
		break;
	case N_LIST:
		r = ev_list(ev, n, tmp);
		break;
	case N_FILTER:
		r = ev_filter(ev, n, tmp);
		break;
	case N_DEFINED:
		if ((r = ev_node(ev, n->a, tmp, res, &u)) == 0)
			pval_bool(tmp, (u == 0) != (n->neg != 0));
		*res = tmp;
		break;
	case N_NOT:
	case N_AND:
	case N_OR:
		if ((r = ev_node(ev, n->a, tmp, res, NULL)) != 0)
			break;
		truth = pval_truthy(*res);
		if (n->kind == N_NOT)
			truth = !truth;
		else if (truth == (n->kind == N_AND) &&
		    (r = ev_node(ev, n->b, tmp, res, NULL)) == 0)
			truth = pval_truthy(*res);
		pval_bool(tmp, truth);
		*res = tmp;
		break;
	case N_CMP:
	case N_IN:
		if ((r = ev_binary(ev, n, &truth)) == 0)
			pval_bool(tmp, truth);
		break;
	}
	ev->depth--;
	return r;
}

/* Evaluate an expression into out. */
int
pexpr_eval(const struct pexpr *e, pval_lookup_fn *lookup, void *arg,
    struct pval *out, size_t *off, struct drove_err *err)
{
	struct ev ev = { lookup, arg, e, err, 0, 0 };
	struct pval tmp = { 0 };
	int r;

	if ((r = ev_own(&ev, e->root, &tmp)) != 0) {
		if (off != NULL)
			*off = ev.erroff;
		pval_release(&tmp);
		return r;
	}
	pval_release(out);
	*out = tmp;
	return 0;
}

/* Evaluate an expression to a truth value. */
int
pexpr_test(const struct pexpr *e, pval_lookup_fn *lookup, void *arg,
    int *truth, size_t *off, struct drove_err *err)
{
	struct pval v = { 0 };
	int r;

	*truth = 0;
	if ((r = pexpr_eval(e, lookup, arg, &v, off, err)) != 0)
		return r;
	*truth = pval_truthy(&v);
	pval_release(&v);
	return 0;
}

/* The text e was parsed from. */
const char *
pexpr_text(const struct pexpr *e)
{
	return e->text;
}

/* Free an expression. */
void
pexpr_free(struct pexpr *e)
{
	if (e == NULL)
		return;
	node_free(e->root);
	free(e->text);
	free(e);
}
