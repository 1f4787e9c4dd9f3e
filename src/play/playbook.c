/*
 * playbook.c: YAML playbooks -> plays and tasks (see play.h).
 *
 * libyaml loads the file into a document; the loader walks it once with a
 * table of keys for plays, tasks and each action, and stops at the first
 * error with the file, line and column of the offending key or value.
 * Every expression and "{{ }}" is parsed here, and the local files of
 * script, push and template tasks are found (template files parsed), so
 * that a playbook that loads has no syntax left to fail at run time.
 *
 * Plain YAML scalars are typed as YAML 1.1 does for vars and loop items:
 * null, ~ and empty are none; true/false/yes/no/on/off (lower, Capitalised
 * or UPPER case) are booleans; decimal integers without a leading zero are
 * integers; the rest (and every quoted scalar) are strings.  Merge keys
 * ("<<") are not supported; anchors and aliases are.
 */
#define _GNU_SOURCE	/* asprintf */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "base/buf.h"
#include "base/err.h"
#include "drove.h"
#include "inventory/ytag.h"
#include "play/play.h"

/* How deeply vars may nest, and how many nodes (aliases expanded) load. */
#define PB_DEPTH	64
#define PB_NODES	100000

struct pload {
	struct playbook		*pb;
	yaml_document_t		*doc;
	struct drove_err	*err;
	size_t			 nodes;		/* left to convert */
};

/* The action keys, in enum play_action order from PLAY_RUN. */
static const char *const actions[] = {
	"run", "script", "push", "pull", "template", "wait_for"
};
#define NACTIONS	(sizeof actions / sizeof actions[0])

/* Fail with "FILE:LINE:COLUMN: message" at mark m. */
static int
yerr(struct pload *ld, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
yerr(struct pload *ld, const yaml_mark_t *m, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return err_set(ld->err, DROVE_E_INVAL, "%s:%zu:%zu: %s", ld->pb->path,
	    m->line + 1, m->column + 1, msg);
}

/* Out of memory. */
static int
nomem(struct pload *ld)
{
	return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
}

/* The node of id. */
static yaml_node_t *
ynode(struct pload *ld, int id)
{
	return yaml_document_get_node(ld->doc, id);
}

/* Whether n is a plain scalar. */
static int
yplain(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* The text of a scalar, or NULL. */
static const char *
ytext(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value :
	    NULL;
}

/* Whether s is one of the words of list, in lower, Capital or UPPER case. */
static int
yword(const char *s, const char *const *list)
{
	char cap[16];
	size_t i;

	for (; *list != NULL; list++) {
		if (strcmp(s, *list) == 0)
			return 1;
		snprintf(cap, sizeof cap, "%s", *list);
		cap[0] = (char)toupper((unsigned char)cap[0]);
		if (strcmp(s, cap) == 0)
			return 1;
		for (i = 1; cap[i] != '\0'; i++)
			cap[i] = (char)toupper((unsigned char)cap[i]);
		if (strcmp(s, cap) == 0)
			return 1;
	}
	return 0;
}

static const char *const ytrue[] = { "true", "yes", "on", NULL };
static const char *const yfalse[] = { "false", "no", "off", NULL };
static const char *const ynull[] = { "null", "~", "", NULL };

/* Whether n is a YAML null. */
static int
ynull_p(const yaml_node_t *n)
{
	return yplain(n) && yword(ytext(n), ynull);
}

/* Whether s is a decimal integer without a leading zero; its value. */
static int
yint(const char *s, long long *out)
{
	const char *d = *s == '-' || *s == '+' ? s + 1 : s;
	char *end;

	if (!isdigit((unsigned char)*d) || (d[0] == '0' && d[1] != '\0'))
		return 0;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* "a string", "a list", "a mapping", "a number", "a boolean" or "null". */
static const char *
ykind(const yaml_node_t *n)
{
	long long i;

	if (n->type == YAML_SEQUENCE_NODE)
		return "a list";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	if (!yplain(n))
		return "a string";
	if (yword(ytext(n), ynull))
		return "null";
	if (yword(ytext(n), ytrue) || yword(ytext(n), yfalse))
		return "a boolean";
	return yint(ytext(n), &i) ? "a number" : "a string";
}

/* How to name scalar n's value in a message: 'text', or its kind. */
static const char *
yfound(const yaml_node_t *n, char *buf, size_t len)
{
	if (n->type != YAML_SCALAR_NODE || ynull_p(n))
		return ykind(n);
	snprintf(buf, len, "'%.60s'", ytext(n));
	return buf;
}

/* Fail: the value n of key is not what was expected. */
static int
ytype(struct pload *ld, const char *key, const yaml_node_t *n,
    const char *want)
{
	return yerr(ld, &n->start_mark, "%s: expected %s, found %s", key, want,
	    ykind(n));
}

/* A boolean value into *out. */
static int
ybool(struct pload *ld, const char *key, const yaml_node_t *n, int *out)
{
	if (yplain(n) && yword(ytext(n), ytrue))
		*out = 1;
	else if (yplain(n) && yword(ytext(n), yfalse))
		*out = 0;
	else
		return ytype(ld, key, n, "a boolean (true or false)");
	return 0;
}

/* An integer from lo to hi into *out. */
static int
ylong(struct pload *ld, const char *key, const yaml_node_t *n, long lo,
    long hi, long *out)
{
	long long i;

	if (!yplain(n) || !yint(ytext(n), &i))
		return ytype(ld, key, n, "a number");
	if (i < lo || i > hi)
		return yerr(ld, &n->start_mark, "%s: %lld is out of range "
		    "(%ld to %ld)", key, i, lo, hi);
	*out = (long)i;
	return 0;
}

/* A string (any non-null scalar) copied into *out. */
static int
ystr(struct pload *ld, const char *key, const yaml_node_t *n, char **out)
{
	if (n->type != YAML_SCALAR_NODE || ynull_p(n))
		return ytype(ld, key, n, "a string");
	free(*out);
	if ((*out = strdup(ytext(n))) == NULL)
		return nomem(ld);
	return 0;
}

/* Where the text of scalar n starts, and whether offsets in it are exact. */
static void
ypos(struct pload *ld, const yaml_node_t *n, struct play_pos *pos,
    int *exact)
{
	const unsigned char *s = n->data.scalar.value;
	size_t chars = 0, width, quote;

	quote = n->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
	    n->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	for (; *s != '\0'; s++)
		if ((*s & 0xc0) != 0x80)
			chars++;
	width = n->end_mark.column - n->start_mark.column;
	pos->file = ld->pb->path;
	pos->line = n->start_mark.line + 1;
	pos->col = n->start_mark.column + 1;
	*exact = n->start_mark.line == n->end_mark.line &&
	    (n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE || quote) &&
	    n->end_mark.column >= n->start_mark.column &&
	    width == chars + 2 * quote &&
	    memchr(n->data.scalar.value, '\0', n->data.scalar.length) == NULL;
	if (*exact)
		pos->col += quote;
}

/* Parse the template text of scalar n into the field p. */
static int
ypstr(struct pload *ld, const char *key, const yaml_node_t *n,
    struct pstr *p)
{
	size_t off = 0;
	int r;

	if (n->type != YAML_SCALAR_NODE || ynull_p(n))
		return ytype(ld, key, n, "a string");
	ypos(ld, n, &p->pos, &p->exact);
	if ((p->text = strdup(ytext(n))) == NULL)
		return nomem(ld);
	if ((r = ptmpl_parse(p->text, strlen(p->text), &p->tmpl, &off,
	    ld->err)) == DROVE_E_INVAL)
		return play_pos_err(ld->err, r, &p->pos, p->exact, p->text,
		    off);
	return r;
}

/* Check the "{{ }}" syntax of a string that stays in a value. */
static int
ycheck_tmpl(struct pload *ld, const yaml_node_t *n)
{
	struct pstr p;
	int r;

	memset(&p, 0, sizeof p);
	r = ypstr(ld, "value", n, &p);
	free(p.text);
	ptmpl_free(p.tmpl);
	return r;
}

/* Convert node n to a value (vars, loop lists). */
static int
yval(struct pload *ld, yaml_node_t *n, struct pval *out, int depth)
{
	yaml_node_item_t *it;
	yaml_node_pair_t *p;
	struct pval v = { 0 };
	const char *s;
	long long i;
	int r = 0;

	if (depth > PB_DEPTH)
		return yerr(ld, &n->start_mark, "value nested too deeply");
	if (ld->nodes-- == 0)
		return yerr(ld, &n->start_mark, "too many values");
	switch (n->type) {
	case YAML_SCALAR_NODE:
		s = ytext(n);
		if (!yplain(n) || !(yword(s, ynull) || yword(s, ytrue) ||
		    yword(s, yfalse) || yint(s, &i))) {
			if ((r = ycheck_tmpl(ld, n)) != 0)
				return r;
			if (pval_strn(out, s, n->data.scalar.length) != 0)
				return nomem(ld);
		} else if (yword(s, ynull))
			pval_release(out);
		else if (yint(s, &i))
			pval_int(out, i);
		else
			pval_bool(out, yword(s, ytrue));
		return 0;
	case YAML_SEQUENCE_NODE:
		pval_list(out);
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top && r == 0; it++) {
			if ((r = yval(ld, ynode(ld, *it), &v, depth + 1)) == 0 &&
			    pval_push(out, &v) != 0)
				r = nomem(ld);
		}
		break;
	default:
		pval_map(out);
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top && r == 0; p++) {
			yaml_node_t *k = ynode(ld, p->key);

			if (k->type != YAML_SCALAR_NODE)
				r = yerr(ld, &k->start_mark, "expected a "
				    "string key, found %s", ykind(k));
			else if (pval_get(out, ytext(k)) != NULL)
				r = yerr(ld, &k->start_mark, "duplicate key "
				    "'%s'", ytext(k));
			else if ((r = yval(ld, ynode(ld, p->value), &v,
			    depth + 1)) == 0 && pval_set(out, ytext(k), &v) != 0)
				r = nomem(ld);
		}
		break;
	}
	pval_release(&v);
	return r;
}

/* Parse one condition string (scalar n) into c. */
static int
ycond_one(struct pload *ld, const char *key, const yaml_node_t *n,
    struct pcond *c)
{
	char msg[sizeof ld->err->msg];
	const char *text;
	size_t off = 0;
	int r;

	if (n->type != YAML_SCALAR_NODE || ynull_p(n))
		return ytype(ld, key, n, "an expression");
	ypos(ld, n, &c->pos, &c->exact);
	text = ytext(n);
	if (yplain(n) && yword(text, ytrue))
		text = "true";
	else if (yplain(n) && yword(text, yfalse))
		text = "false";
	if ((r = pexpr_parse(text, &c->expr, &off, ld->err)) ==
	    DROVE_E_INVAL) {
		snprintf(msg, sizeof msg, "%s", ld->err->msg);
		err_set(ld->err, r, "%s: %s", key, msg);
		return play_pos_err(ld->err, r, &c->pos, c->exact, ytext(n),
		    off);
	}
	return r;
}

/* Release a condition chain (the first link is embedded). */
static void
pcond_release(struct pcond *c)
{
	struct pcond *next;

	pexpr_free(c->expr);
	for (c = c->next; c != NULL; c = next) {
		next = c->next;
		pexpr_free(c->expr);
		free(c);
	}
}

/* A condition: one expression or a list of them. */
static int
ycond(struct pload *ld, const char *key, yaml_node_t *n, struct pcond *c)
{
	yaml_node_item_t *it;
	struct pcond **tail = &c->next;
	int r;

	if (n->type != YAML_SEQUENCE_NODE)
		return ycond_one(ld, key, n, c);
	if (n->data.sequence.items.top == n->data.sequence.items.start)
		return ytype(ld, key, n, "an expression");
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		if (c->expr != NULL) {
			if ((*tail = calloc(1, sizeof **tail)) == NULL)
				return nomem(ld);
			c = *tail;
			tail = &c->next;
		}
		if ((r = ycond_one(ld, key, ynode(ld, *it), c)) != 0)
			return r;
	}
	return 0;
}

/* Add one tag (trimmed; empty ones are skipped) to the task. */
static int
ytag(struct pload *ld, struct play_task *t, const char *s, size_t len)
{
	char **v;

	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0)
		return 0;
	if ((v = realloc(t->tags, (t->ntags + 1) * sizeof *v)) == NULL)
		return nomem(ld);
	t->tags = v;
	if ((v[t->ntags] = strndup(s, len)) == NULL)
		return nomem(ld);
	t->ntags++;
	return 0;
}

/* Add the comma-separated tags of scalar n. */
static int
ytag_list(struct pload *ld, yaml_node_t *n, struct play_task *t)
{
	const char *s, *c;
	int r;

	if (n->type != YAML_SCALAR_NODE || ynull_p(n))
		return ytype(ld, "tags", n, "a string");
	for (s = ytext(n); ; s = c + 1) {
		c = strchr(s, ',');
		if ((r = ytag(ld, t, s, c != NULL ? (size_t)(c - s) :
		    strlen(s))) != 0 || c == NULL)
			return r;
	}
}

/* tags: a string (comma-separated) or a list of strings. */
static int
ytags(struct pload *ld, yaml_node_t *n, struct play_task *t)
{
	yaml_node_item_t *it;
	int r;

	if (n->type == YAML_MAPPING_NODE || ynull_p(n))
		return ytype(ld, "tags", n, "a string or a list");
	if (n->type != YAML_SEQUENCE_NODE)
		return ytag_list(ld, n, t);
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++)
		if ((r = ytag_list(ld, ynode(ld, *it), t)) != 0)
			return r;
	return 0;
}

/* Whether s is a variable name: [A-Za-z_][A-Za-z0-9_]*. */
static int
yident(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (s++; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* A file mode: octal digits as a number or a string ("0644", 644). */
static int
ymode(struct pload *ld, const yaml_node_t *n, int *out)
{
	const char *s = ytext(n);
	char *end;
	long m;

	if (n->type != YAML_SCALAR_NODE || ynull_p(n))
		return ytype(ld, "mode", n, "an octal mode");
	if (strncmp(s, "0o", 2) == 0)
		s += 2;
	errno = 0;
	m = strtol(s, &end, 8);
	if (!isdigit((unsigned char)*s) || *end != '\0' || errno != 0 ||
	    m > 07777)
		return yerr(ld, &n->start_mark, "mode: expected an octal "
		    "mode (0 to 7777), found '%s'", ytext(n));
	*out = (int)m;
	return 0;
}

/* One key of a mapping, checked against a list of allowed names. */
struct ykey {
	yaml_node_t	*k;
	yaml_node_t	*v;
	const char	*name;
};

/*
 * The pairs of mapping n (what names it in errors) into ks, each key a
 * plain string from allowed (NULL-terminated), none twice.
 */
static int
ykeys(struct pload *ld, yaml_node_t *n, const char *what,
    const char *const *allowed, struct ykey **ks, size_t *nk)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;
	size_t i, j, cnt = 0;

	*ks = NULL;
	*nk = 0;
	if (n->type != YAML_MAPPING_NODE)
		return yerr(ld, &n->start_mark, "%s: expected a mapping, found "
		    "%s", what, ykind(n));
	cnt = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	if (cnt > 0 && (*ks = calloc(cnt, sizeof **ks)) == NULL)
		return nomem(ld);
	for (p = n->data.mapping.pairs.start, i = 0; i < cnt; p++, i++) {
		k = ynode(ld, p->key);
		if (k->type != YAML_SCALAR_NODE)
			return yerr(ld, &k->start_mark, "%s: expected a key, "
			    "found %s", what, ykind(k));
		for (j = 0; allowed[j] != NULL; j++)
			if (strcmp(ytext(k), allowed[j]) == 0)
				break;
		if (allowed[j] == NULL)
			return yerr(ld, &k->start_mark, "unknown key '%s' in "
			    "%s%s", ytext(k), what, strcmp(what, "task") == 0 &&
			    (strcmp(ytext(k), "shell") == 0 ||
			    strcmp(ytext(k), "command") == 0) ? "; drove runs "
			    "commands with 'run:'" : "");
		for (j = 0; j < i; j++)
			if (strcmp((*ks)[j].name, ytext(k)) == 0)
				return yerr(ld, &k->start_mark, "duplicate "
				    "key '%s' in %s", ytext(k), what);
		(*ks)[i].k = k;
		(*ks)[i].v = ynode(ld, p->value);
		(*ks)[i].name = ytext(k);
		(*nk)++;
	}
	return 0;
}

/* The value of key in ks, or NULL. */
static struct ykey *
yget(struct ykey *ks, size_t nk, const char *key)
{
	size_t i;

	for (i = 0; i < nk; i++)
		if (strcmp(ks[i].name, key) == 0)
			return &ks[i];
	return NULL;
}

/* Fail unless src and dest are both there. */
static int
yneed(struct pload *ld, yaml_node_t *n, const char *what, struct ykey *ks,
    size_t nk, const char *const *keys)
{
	for (; *keys != NULL; keys++)
		if (yget(ks, nk, *keys) == NULL)
			return yerr(ld, &n->start_mark, "%s: missing '%s'",
			    what, *keys);
	return 0;
}

/* Find the local file of a src that has no "{{" and check it. */
static int
ylocal(struct pload *ld, struct play_task *t, yaml_node_t *n,
    const struct pstr *src)
{
	char *path = NULL;
	int r;

	if (!ptmpl_is_plain(src->tmpl))
		return 0;
	if ((r = playbook_file(ld->pb, t->action, src->text, &path,
	    ld->err)) == DROVE_E_IO) {
		r = yerr(ld, &n->start_mark, "%s: %.400s", t->action_name,
		    ld->err->msg);
	} else if (r == 0 && t->action == PLAY_TEMPLATE)
		r = ptmpl_check_file(path, ld->err);
	free(path);
	return r;
}

static const char *const push_keys[] = {
	"src", "dest", "mode", "mkdir", "checksum", NULL
};
static const char *const pull_keys[] = { "src", "dest", NULL };
static const char *const tmpl_keys[] = { "src", "dest", "mode", NULL };
static const char *const wait_keys[] = {
	"port", "host", "path", "state", "timeout", NULL
};

/* The body of push, pull or template (n, a mapping). */
static int
yxfer(struct pload *ld, struct play_task *t, yaml_node_t *n)
{
	const char *const *keys = t->action == PLAY_PUSH ? push_keys :
	    t->action == PLAY_PULL ? pull_keys : tmpl_keys;
	struct ykey *ks, *k;
	size_t nk, i;
	int r;

	if ((r = ykeys(ld, n, t->action_name, keys, &ks, &nk)) != 0 ||
	    (r = yneed(ld, n, t->action_name, ks, nk, pull_keys)) != 0)
		goto out;
	for (i = 0; i < nk && r == 0; i++) {
		k = &ks[i];
		if (strcmp(k->name, "src") == 0)
			r = ypstr(ld, "src", k->v, &t->src);
		else if (strcmp(k->name, "dest") == 0)
			r = ypstr(ld, "dest", k->v, &t->dest);
		else if (strcmp(k->name, "mode") == 0)
			r = ymode(ld, k->v, &t->mode);
		else if (strcmp(k->name, "mkdir") == 0)
			r = ybool(ld, "mkdir", k->v, &t->mkdir);
		else
			r = ybool(ld, "checksum", k->v, &t->checksum);
	}
	if (r == 0 && t->action != PLAY_PULL)
		r = ylocal(ld, t, yget(ks, nk, "src")->v, &t->src);
 out:
	free(ks);
	return r;
}

/* The body of wait_for. */
static int
ywait(struct pload *ld, struct play_task *t, yaml_node_t *n)
{
	struct ykey *ks, *k;
	const char *s;
	size_t nk, i;
	long port = 0;
	int r, has_port;

	if ((r = ykeys(ld, n, "wait_for", wait_keys, &ks, &nk)) != 0)
		goto out;
	for (i = 0; i < nk && r == 0; i++) {
		k = &ks[i];
		if (strcmp(k->name, "port") == 0 && ytext(k->v) != NULL &&
		    strstr(ytext(k->v), "{{") != NULL)
			r = ypstr(ld, "port", k->v, &t->port_tmpl);
		else if (strcmp(k->name, "port") == 0) {
			r = ylong(ld, "port", k->v, 1, 65535, &port);
			t->port = (int)port;
		} else if (strcmp(k->name, "host") == 0)
			r = ypstr(ld, "host", k->v, &t->host);
		else if (strcmp(k->name, "path") == 0)
			r = ypstr(ld, "path", k->v, &t->path);
		else if (strcmp(k->name, "timeout") == 0)
			r = ylong(ld, "timeout", k->v, 1, 86400 * 365,
			    &t->wait_timeout);
		else if ((s = ytext(k->v)) != NULL && strcmp(s, "present") == 0)
			t->present = 1;
		else if (s != NULL && strcmp(s, "absent") == 0)
			t->present = 0;
		else
			r = ytype(ld, "state", k->v, "present or absent");
	}
	if (r != 0)
		goto out;
	has_port = yget(ks, nk, "port") != NULL;
	if (has_port == (t->path.text != NULL))
		r = yerr(ld, &n->start_mark, "wait_for: expected one of 'port' "
		    "and 'path'");
	else if (has_port && (k = yget(ks, nk, "state")) != NULL)
		r = yerr(ld, &k->k->start_mark, "wait_for: 'state' goes with "
		    "'path', not 'port'");
	else if (!has_port && (k = yget(ks, nk, "host")) != NULL)
		r = yerr(ld, &k->k->start_mark, "wait_for: 'host' goes with "
		    "'port', not 'path'");
	else if (has_port && t->host.text == NULL) {
		if ((t->host.text = strdup("127.0.0.1")) == NULL ||
		    ptmpl_parse(t->host.text, strlen(t->host.text),
		    &t->host.tmpl, NULL, ld->err) != 0)
			r = nomem(ld);
		t->host.pos = t->pos;
	}
 out:
	free(ks);
	return r;
}

/* The value of an action key. */
static int
yaction(struct pload *ld, struct play_task *t, yaml_node_t *v)
{
	switch (t->action) {
	case PLAY_RUN:
		return ypstr(ld, "run", v, &t->cmd);
	case PLAY_SCRIPT:
		if (v->type != YAML_SCALAR_NODE || ynull_p(v))
			return ytype(ld, "script", v, "a local file");
		return ypstr(ld, "script", v, &t->cmd) != 0 ? ld->err->code :
		    ylocal(ld, t, v, &t->cmd);
	case PLAY_WAIT_FOR:
		return ywait(ld, t, v);
	default:
		return yxfer(ld, t, v);
	}
}

/* loop: a list (strings may hold "{{ }}") or a "{{ }}" string. */
static int
yloop(struct pload *ld, struct play_task *t, yaml_node_t *v)
{
	if (v->type == YAML_SEQUENCE_NODE)
		return yval(ld, v, &t->loop, 0);
	if (v->type != YAML_SCALAR_NODE || ynull_p(v))
		return ytype(ld, "loop", v, "a list or a \"{{ }}\" string");
	return ypstr(ld, "loop", v, &t->loop_tmpl);
}

static const char *const task_keys[] = {
	"name", "run", "script", "push", "pull", "template", "wait_for",
	"become", "become_user", "timeout", "ignore_errors", "creates",
	"removes", "when", "register", "changed_when", "failed_when", "tags",
	"loop", NULL
};

/* One option key of a task. */
static int
yoption(struct pload *ld, struct play_task *t, struct ykey *k)
{
	const char *s = k->name;

	if (strcmp(s, "name") == 0)
		return ystr(ld, s, k->v, &t->name) != 0 ? ld->err->code :
		    ycheck_tmpl(ld, k->v);
	if (strcmp(s, "become") == 0)
		return ybool(ld, s, k->v, &t->become);
	if (strcmp(s, "become_user") == 0)
		return ystr(ld, s, k->v, &t->become_user);
	if (strcmp(s, "timeout") == 0)
		return ylong(ld, s, k->v, 1, 86400 * 365, &t->timeout);
	if (strcmp(s, "ignore_errors") == 0)
		return ybool(ld, s, k->v, &t->ignore_errors);
	if (strcmp(s, "creates") == 0)
		return ypstr(ld, s, k->v, &t->creates);
	if (strcmp(s, "removes") == 0)
		return ypstr(ld, s, k->v, &t->removes);
	if (strcmp(s, "when") == 0)
		return ycond(ld, s, k->v, &t->when);
	if (strcmp(s, "changed_when") == 0)
		return ycond(ld, s, k->v, &t->changed_when);
	if (strcmp(s, "failed_when") == 0)
		return ycond(ld, s, k->v, &t->failed_when);
	if (strcmp(s, "tags") == 0)
		return ytags(ld, k->v, t);
	if (strcmp(s, "loop") == 0)
		return yloop(ld, t, k->v);
	if (ystr(ld, s, k->v, &t->reg) != 0)
		return ld->err->code;
	if (!yident(t->reg))
		return yerr(ld, &k->v->start_mark, "register: '%s' is not a "
		    "variable name", t->reg);
	return 0;
}

/* Load one task from mapping n into t. */
static int
ytask(struct pload *ld, yaml_node_t *n, struct play_task *t)
{
	struct ykey *ks, *act = NULL;
	size_t nk, i, a;
	int r;

	t->mode = t->mkdir = t->checksum = -1;
	t->become = t->ignore_errors = -1;
	t->present = 1;
	t->wait_timeout = 300;
	t->pos.file = ld->pb->path;
	t->pos.line = n->start_mark.line + 1;
	t->pos.col = n->start_mark.column + 1;
	if ((r = ykeys(ld, n, "task", task_keys, &ks, &nk)) != 0)
		goto out;
	for (i = 0; i < nk && r == 0; i++) {
		for (a = 0; a < NACTIONS; a++)
			if (strcmp(ks[i].name, actions[a]) == 0)
				break;
		if (a == NACTIONS) {
			r = yoption(ld, t, &ks[i]);
			continue;
		}
		if (act != NULL) {
			r = yerr(ld, &ks[i].k->start_mark, "task has two "
			    "actions: '%s' and '%s'", act->name, ks[i].name);
			break;
		}
		act = &ks[i];
		t->action = (enum play_action)(PLAY_RUN + (int)a);
		t->action_name = actions[a];
	}
	if (r == 0 && act == NULL)
		r = yerr(ld, &n->start_mark, "task has no action (run, script, "
		    "push, pull, template or wait_for)");
	if (r == 0)
		r = yaction(ld, t, act->v);
 out:
	free(ks);
	return r;
}

/* Free what a task holds. */
static void
task_release(struct play_task *t)
{
	struct pstr *f[] = { &t->cmd, &t->src, &t->dest, &t->host, &t->path,
	    &t->port_tmpl, &t->creates, &t->removes, &t->loop_tmpl };
	size_t i;

	free(t->name);
	for (i = 0; i < sizeof f / sizeof f[0]; i++) {
		free(f[i]->text);
		ptmpl_free(f[i]->tmpl);
	}
	free(t->become_user);
	pcond_release(&t->when);
	pcond_release(&t->changed_when);
	pcond_release(&t->failed_when);
	free(t->reg);
	for (i = 0; i < t->ntags; i++)
		free(t->tags[i]);
	free(t->tags);
	pval_release(&t->loop);
}

/* One serial element: N or "N%". */
static int
ybatch(struct pload *ld, yaml_node_t *n, struct play_batch *b)
{
	const char *s = ytext(n);
	long long i;
	char *end, w[64];

	if (s != NULL && yplain(n) && yint(s, &i) && i >= 1 && i <= 1000000) {
		b->n = (long)i;
		return 0;
	}
	if (s != NULL && isdigit((unsigned char)*s)) {
		errno = 0;
		i = strtoll(s, &end, 10);
		if (errno == 0 && strcmp(end, "%") == 0 && i >= 1 &&
		    i <= 100) {
			b->n = (long)i;
			b->percent = 1;
			return 0;
		}
	}
	return yerr(ld, &n->start_mark, "serial: expected a host count (1 or "
	    "more) or a percentage (\"1%%\" to \"100%%\"), found %s",
	    yfound(n, w, sizeof w));
}

/* serial: one element or a list of them. */
static int
yserial(struct pload *ld, yaml_node_t *n, struct play *p)
{
	yaml_node_item_t *it;
	size_t cnt;
	int r;

	cnt = n->type == YAML_SEQUENCE_NODE ? (size_t)(
	    n->data.sequence.items.top - n->data.sequence.items.start) : 1;
	if (n->type == YAML_MAPPING_NODE || cnt == 0)
		return ytype(ld, "serial", n, "a number, a percentage or a "
		    "list");
	if ((p->serial = calloc(cnt, sizeof *p->serial)) == NULL)
		return nomem(ld);
	if (n->type == YAML_SCALAR_NODE) {
		p->nserial = 1;
		return ybatch(ld, n, p->serial);
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++)
		if ((r = ybatch(ld, ynode(ld, *it), &p->serial[p->nserial++])) !=
		    0)
			return r;
	return 0;
}

/* max_fail_percentage: a number from 0 to 100 (decimals allowed). */
static int
ypercent(struct pload *ld, yaml_node_t *n, double *out)
{
	const char *s = ytext(n);
	char *end, w[64];

	if (s != NULL && yplain(n) && (isdigit((unsigned char)*s) ||
	    *s == '.')) {
		errno = 0;
		*out = strtod(s, &end);
		if (errno == 0 && *end == '\0' && *out >= 0 && *out <= 100)
			return 0;
	}
	return yerr(ld, &n->start_mark, "max_fail_percentage: expected a "
	    "number from 0 to 100, found %s", yfound(n, w, sizeof w));
}

/* tasks: a list of task mappings. */
static int
ytasks(struct pload *ld, yaml_node_t *n, struct play *p)
{
	yaml_node_item_t *it;
	size_t cnt;
	int r;

	if (ynull_p(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return ytype(ld, "tasks", n, "a list");
	cnt = (size_t)(n->data.sequence.items.top -
	    n->data.sequence.items.start);
	if (cnt > 0 && (p->tasks = calloc(cnt, sizeof *p->tasks)) == NULL)
		return nomem(ld);
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++)
		if ((r = ytask(ld, ynode(ld, *it), &p->tasks[p->ntasks++])) !=
		    0)
			return r;
	return 0;
}

/* vars: a mapping from variable names to values. */
static int
yvars(struct pload *ld, yaml_node_t *n, struct play *p)
{
	yaml_node_pair_t *pair;
	yaml_node_t *k;

	if (ynull_p(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return ytype(ld, "vars", n, "a mapping");
	for (pair = n->data.mapping.pairs.start;
	    pair < n->data.mapping.pairs.top; pair++) {
		k = ynode(ld, pair->key);
		if (k->type == YAML_SCALAR_NODE && !yident(ytext(k)))
			return yerr(ld, &k->start_mark, "vars: '%.60s' is not "
			    "a variable name", ytext(k));
	}
	return yval(ld, n, &p->vars, 0);
}

static const char *const play_keys[] = {
	"name", "hosts", "vars", "serial", "max_fail_percentage",
	"any_errors_fatal", "become", "become_user", "timeout", "tasks", NULL
};

/* One key of a play. */
static int
yplay_key(struct pload *ld, struct play *p, struct ykey *k)
{
	const char *s = k->name;

	if (strcmp(s, "name") == 0)
		return ystr(ld, s, k->v, &p->name);
	if (strcmp(s, "hosts") == 0)
		return ystr(ld, s, k->v, &p->hosts);
	if (strcmp(s, "vars") == 0)
		return yvars(ld, k->v, p);
	if (strcmp(s, "serial") == 0)
		return yserial(ld, k->v, p);
	if (strcmp(s, "max_fail_percentage") == 0)
		return ypercent(ld, k->v, &p->max_fail_percentage);
	if (strcmp(s, "any_errors_fatal") == 0)
		return ybool(ld, s, k->v, &p->any_errors_fatal);
	if (strcmp(s, "become") == 0)
		return ybool(ld, s, k->v, &p->become);
	if (strcmp(s, "become_user") == 0)
		return ystr(ld, s, k->v, &p->become_user);
	if (strcmp(s, "timeout") == 0)
		return ylong(ld, s, k->v, 1, 86400 * 365, &p->timeout);
	return ytasks(ld, k->v, p);
}

/* Load one play from mapping n into p. */
static int
yplay(struct pload *ld, yaml_node_t *n, struct play *p)
{
	struct ykey *ks;
	size_t nk, i;
	int r;

	p->max_fail_percentage = -1;
	pval_map(&p->vars);
	p->pos.file = ld->pb->path;
	p->pos.line = n->start_mark.line + 1;
	p->pos.col = n->start_mark.column + 1;
	if ((r = ykeys(ld, n, "play", play_keys, &ks, &nk)) != 0)
		goto out;
	for (i = 0; i < nk && r == 0; i++)
		r = yplay_key(ld, p, &ks[i]);
	if (r == 0 && p->hosts == NULL)
		r = yerr(ld, &n->start_mark, "play has no 'hosts'");
 out:
	free(ks);
	return r;
}

/* Free what a play holds. */
static void
play_release(struct play *p)
{
	size_t i;

	free(p->name);
	free(p->hosts);
	pval_release(&p->vars);
	free(p->serial);
	free(p->become_user);
	for (i = 0; i < p->ntasks; i++)
		task_release(&p->tasks[i]);
	free(p->tasks);
}

/* The document's root: a list of plays. */
static int
yplays(struct pload *ld, yaml_node_t *root)
{
	struct playbook *pb = ld->pb;
	yaml_node_item_t *it;
	size_t cnt;
	int r;

	if (root == NULL || root->type != YAML_SEQUENCE_NODE)
		return root == NULL ? err_set(ld->err, DROVE_E_INVAL, "%s:1:1: "
		    "empty playbook: expected a list of plays", pb->path) :
		    yerr(ld, &root->start_mark, "expected a list of plays, "
		    "found %s", ykind(root));
	cnt = (size_t)(root->data.sequence.items.top -
	    root->data.sequence.items.start);
	if (cnt == 0)
		return yerr(ld, &root->start_mark, "expected a list of plays, "
		    "found an empty list");
	if ((pb->plays = calloc(cnt, sizeof *pb->plays)) == NULL)
		return nomem(ld);
	for (it = root->data.sequence.items.start;
	    it < root->data.sequence.items.top; it++)
		if ((r = yplay(ld, ynode(ld, *it),
		    &pb->plays[pb->nplays++])) != 0)
			return r;
	return 0;
}

/* Fail with libyaml's own error. */
static int
yparse_err(struct pload *ld, const yaml_parser_t *parser)
{
	return yerr(ld, &parser->problem_mark, "%s", parser->problem != NULL ?
	    parser->problem : "bad YAML");
}

/* Fail when the parser has a second document after the first. */
static int
yone_doc(struct pload *ld, yaml_parser_t *parser)
{
	yaml_document_t more;
	yaml_node_t *root;
	int r = 0;

	if (!yaml_parser_load(parser, &more))
		return yparse_err(ld, parser);
	if ((root = yaml_document_get_root_node(&more)) != NULL)
		r = yerr(ld, &root->start_mark, "expected one YAML document, "
		    "found a second");
	yaml_document_delete(&more);
	return r;
}

/* Parse a playbook from text. */
int
playbook_parse(const char *path, const char *text, size_t len,
    struct playbook **out, struct drove_err *err)
{
	struct drove_err scratch;
	struct pload ld;
	struct playbook *pb;
	yaml_parser_t parser;
	yaml_document_t doc;
	const char *slash;
	int r, parsed = 0, loaded = 0;

	*out = NULL;
	if (err == NULL)
		err = &scratch;
	memset(&ld, 0, sizeof ld);
	ld.err = err;
	ld.doc = &doc;
	ld.nodes = PB_NODES;
	if ((pb = ld.pb = calloc(1, sizeof *pb)) == NULL ||
	    (pb->path = strdup(path)) == NULL) {
		r = err_set(err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	slash = strrchr(path, '/');
	pb->dir = slash == NULL ? strdup(".") : slash == path ? strdup("/") :
	    strndup(path, (size_t)(slash - path));
	if (pb->dir == NULL || !(parsed = yaml_parser_initialize(&parser))) {
		r = err_set(err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!(loaded = yaml_parser_load(&parser, &doc))) {
		r = yparse_err(&ld, &parser);
		goto out;
	}
	if (ytag_strings(&doc, text, len) != 0) {
		r = err_set(err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = yplays(&ld, yaml_document_get_root_node(&doc))) != 0 ||
	    (r = yone_doc(&ld, &parser)) != 0)
		goto out;
	*out = pb;
	pb = NULL;
 out:
	if (loaded)
		yaml_document_delete(&doc);
	if (parsed)
		yaml_parser_delete(&parser);
	playbook_free(pb);
	return r;
}

/* Load a playbook file. */
int
playbook_load(const char *path, struct playbook **out, struct drove_err *err)
{
	struct buf b;
	int r;

	*out = NULL;
	buf_init(&b);
	if ((r = play_read_file(path, &b, err)) == 0)
		r = playbook_parse(path, b.data, b.len, out, err);
	buf_release(&b);
	return r;
}

/* Load a YAML file of variables into the map into. */
int
play_vars_load(const char *path, struct pval *into, struct drove_err *err)
{
	struct drove_err scratch;
	struct playbook book;
	struct play p;
	struct pload ld;
	struct buf b;
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	size_t i;
	int r, parsed = 0, loaded = 0;

	if (err == NULL)
		err = &scratch;
	memset(&book, 0, sizeof book);
	memset(&p, 0, sizeof p);
	memset(&ld, 0, sizeof ld);
	book.path = (char *)path;
	ld.pb = &book;
	ld.err = err;
	ld.doc = &doc;
	ld.nodes = PB_NODES;
	buf_init(&b);
	if ((r = play_read_file(path, &b, err)) != 0)
		goto out;
	if (!(parsed = yaml_parser_initialize(&parser))) {
		r = nomem(&ld);
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)b.data,
	    b.len);
	if (!(loaded = yaml_parser_load(&parser, &doc))) {
		r = yparse_err(&ld, &parser);
		goto out;
	}
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		r = err_set(err, DROVE_E_INVAL, "%s: no variables", path);
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		r = ytype(&ld, "extra vars", root, "a mapping");
		goto out;
	}
	if ((r = yvars(&ld, root, &p)) != 0 ||
	    (r = yone_doc(&ld, &parser)) != 0)
		goto out;
	for (i = 0; i < p.vars.n && r == 0; i++)
		r = pval_set(into, p.vars.k[i], &p.vars.v[i]);
	if (r != 0)
		r = nomem(&ld);
 out:
	pval_release(&p.vars);
	if (loaded)
		yaml_document_delete(&doc);
	if (parsed)
		yaml_parser_delete(&parser);
	buf_release(&b);
	return r;
}

/* Load and free: the whole-file check. */
int
playbook_check(const char *path, struct drove_err *err)
{
	struct playbook *pb;
	int r;

	r = playbook_load(path, &pb, err);
	playbook_free(pb);
	return r;
}

/* Free a playbook. */
void
playbook_free(struct playbook *pb)
{
	size_t i;

	if (pb == NULL)
		return;
	for (i = 0; i < pb->nplays; i++)
		play_release(&pb->plays[i]);
	free(pb->plays);
	free(pb->path);
	free(pb->dir);
	free(pb);
}

/* The local file of a src. */
int
playbook_file(const struct playbook *pb, enum play_action a, const char *src,
    char **out, struct drove_err *err)
{
	char *try[2] = { NULL, NULL };
	const char *sub = a == PLAY_TEMPLATE ? "templates" : "files";
	size_t i;
	int r;

	*out = NULL;
	if (*src == '\0')
		return err_set(err, DROVE_E_IO, "empty file name");
	if (*src == '/') {
		if (access(src, F_OK) != 0)
			return err_set(err, DROVE_E_IO, "cannot find '%s': %s",
			    src, strerror(errno));
		if ((*out = strdup(src)) == NULL)
			return err_set(err, DROVE_E_NOMEM, "out of memory");
		return 0;
	}
	if (asprintf(&try[0], "%s/%s/%s", pb->dir, sub, src) < 0 ||
	    asprintf(&try[1], "%s/%s", pb->dir, src) < 0) {
		try[1] = NULL;
		r = err_set(err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < 2; i++)
		if (access(try[i], F_OK) == 0) {
			*out = try[i];
			try[i] = NULL;
			r = 0;
			goto out;
		}
	r = err_set(err, DROVE_E_IO, "cannot find '%s' in %s/%s or %s", src,
	    pb->dir, sub, pb->dir);
 out:
	free(try[0]);
	free(try[1]);
	return r;
}

/* Lookup for play_vars_render(): the vars done so far, then the caller's. */
struct vars_scope {
	const struct pval	*done;
	pval_lookup_fn		*lookup;
	void			*arg;
};

static const struct pval *
vars_lookup(void *arg, const char *name)
{
	struct vars_scope *sc = arg;
	const struct pval *v;

	if ((v = pval_get(sc->done, name)) != NULL)
		return v;
	return sc->lookup(sc->arg, name);
}

/* Copy in into out with "{{ }}" in its strings rendered. */
static int
render_deep(const struct pval *in, pval_lookup_fn *lookup, void *arg,
    struct pval *out, size_t *off, struct drove_err *err)
{
	struct pval item = { 0 };
	struct ptmpl *t;
	size_t i;
	int r = 0;

	if (in->kind == PV_STR) {
		if ((r = ptmpl_parse(in->s, in->len, &t, off, err)) == 0)
			r = ptmpl_value(t, lookup, arg, out, off, err);
		ptmpl_free(t);
		return r;
	}
	if (in->kind != PV_LIST && in->kind != PV_MAP)
		return pval_copy(out, in) != 0 ? err_set(err, DROVE_E_NOMEM,
		    "out of memory") : 0;
	in->kind == PV_LIST ? pval_list(out) : pval_map(out);
	for (i = 0; i < in->n && r == 0; i++) {
		if ((r = render_deep(&in->v[i], lookup, arg, &item, off,
		    err)) != 0)
			break;
		if ((in->kind == PV_LIST ? pval_push(out, &item) :
		    pval_set(out, in->k[i], &item)) != 0)
			r = err_set(err, DROVE_E_NOMEM, "out of memory");
	}
	pval_release(&item);
	return r;
}

/* The items of a task's loop. */
int
play_task_loop(const struct play_task *t, pval_lookup_fn *lookup, void *arg,
    struct pval *items, struct drove_err *err)
{
	struct pval v = { 0 };
	size_t off = 0;
	int r;

	if (t->loop_tmpl.text != NULL) {
		if ((r = ptmpl_value(t->loop_tmpl.tmpl, lookup, arg, &v, &off,
		    err)) == DROVE_E_INVAL)
			r = play_pos_err(err, r, &t->loop_tmpl.pos,
			    t->loop_tmpl.exact, t->loop_tmpl.text, off);
		else if (r == 0 && v.kind != PV_LIST) {
			err_set(err, DROVE_E_INVAL, "loop: expected a list, "
			    "found %s", v.kind == PV_STR ? "a string" :
			    v.kind == PV_MAP ? "a mapping" : "a scalar");
			r = play_pos_err(err, DROVE_E_INVAL, &t->loop_tmpl.pos,
			    0, NULL, 0);
		}
	} else if (t->loop.kind == PV_LIST) {
		if ((r = render_deep(&t->loop, lookup, arg, &v, &off, err)) ==
		    DROVE_E_INVAL)
			r = play_pos_err(err, r, &t->pos, 0, NULL, 0);
	} else
		r = 0;
	if (r == 0) {
		pval_release(items);
		*items = v;
	} else
		pval_release(&v);
	return r;
}

/* The port of a wait_for task. */
int
play_task_port(const struct play_task *t, pval_lookup_fn *lookup, void *arg,
    int *port, struct drove_err *err)
{
	struct pval v = { 0 };
	long long i = 0;
	size_t off = 0;
	int r;

	*port = t->port;
	if (t->port_tmpl.text == NULL)
		return t->port != 0 ? 0 : err_set(err, DROVE_E_INVAL,
		    "no port");
	if ((r = ptmpl_value(t->port_tmpl.tmpl, lookup, arg, &v, &off,
	    err)) == DROVE_E_INVAL)
		return play_pos_err(err, r, &t->port_tmpl.pos,
		    t->port_tmpl.exact, t->port_tmpl.text, off);
	if (v.kind == PV_INT)
		i = v.i;
	else if (v.kind != PV_STR || !yint(v.s, &i))
		i = 0;
	if (r == 0 && (i < 1 || i > 65535)) {
		err_set(err, DROVE_E_INVAL, "port: expected a number from 1 "
		    "to 65535");
		r = play_pos_err(err, DROVE_E_INVAL, &t->port_tmpl.pos, 0,
		    NULL, 0);
	}
	if (r == 0)
		*port = (int)i;
	pval_release(&v);
	return r;
}

/* The play's vars, rendered. */
int
play_vars_render(const struct play *p, pval_lookup_fn *lookup, void *arg,
    struct pval *out, struct drove_err *err)
{
	struct pval done = { 0 }, v = { 0 };
	struct vars_scope sc = { &done, lookup, arg };
	size_t i, off = 0;
	char msg[sizeof err->msg];
	int r = 0;

	pval_map(&done);
	for (i = 0; i < p->vars.n && r == 0; i++) {
		if ((r = render_deep(&p->vars.v[i], vars_lookup, &sc, &v, &off,
		    err)) == DROVE_E_INVAL) {
			snprintf(msg, sizeof msg, "%s", err->msg);
			err_set(err, r, "vars: %s: %s", p->vars.k[i], msg);
			r = play_pos_err(err, r, &p->pos, 0, NULL, 0);
		} else if (r == 0 && pval_set(&done, p->vars.k[i], &v) != 0)
			r = err_set(err, DROVE_E_NOMEM, "out of memory");
	}
	pval_release(&v);
	if (r == 0) {
		pval_release(out);
		*out = done;
	} else
		pval_release(&done);
	return r;
}
