/*
 * pattern.c: host patterns, read as Ansible reads them, over clush node sets.
 *
 * A pattern is a list of terms separated by ',' or ':' outside brackets.  A
 * term prefixed with '&' intersects, with '!' excludes, otherwise it adds.
 * As in Ansible, every adding term is applied first (in order), then every
 * intersection, then every exclusion; a pattern with no adding term starts
 * from all.  The result is in Ansible's order without duplicates: each
 * adding term's hosts in turn, a group's in the order of order.c, globs and
 * regexes taking matching groups (in the order made) before hosts.
 *
 * A term is one of:
 *   all, *            every host
 *   ungrouped         hosts in no group but all (Ansible's implicit group)
 *   name              a host of that name (an adding term only: as in
 *                     Ansible, a host wins over a group of the same name),
 *                     else a group (its hosts and its children's)
 *   web*, db-?        an fnmatch glob over group and host names
 *   web[0], all[-1]   Ansible's subscripts, by position in the hosts of a
 *   web[1:], g[0:2]   group, all or a glob matching groups: [N], [-N],
 *                     [A:B] (B included), [A:]; an index past the end is
 *                     an error
 *   web[01-20]        after any other name, ranges as in inventories,
 *                     also "[1-3,7,10-12]"; every name they give must
 *                     exist; brackets without the shape of a range stay a
 *                     glob class ("db-[ab]", "web0[!2]")
 *   ~regex            a POSIX extended regex matched from the start of
 *                     group and host names, as Ansible's re.match
 *   [2001:db8::1]     an IPv6 host name, bracketed: as in Ansible, ':'
 *                     separates terms everywhere outside brackets, so a
 *                     bare "fe80::1" is the terms "fe80" and "1"
 *   @file             the terms of file, one pattern a line ('#' comments);
 *                     only ',' ends it, so the path may hold ':'
 * So "node[1]" is the second host of group node when there is one, and the
 * host node1 otherwise.  A name or glob that matches no group and no host
 * is an error (DROVE_E_NOTFOUND) naming the closest names, even after '!':
 * a typo must not widen a selection.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/err.h"
#include "drove.h"
#include "inventory/inventory.h"
#include "inventory/range.h"

/* How many close names an error lists. */
#define PAT_CLOSEST	3
/* Names longer than this are not compared for suggestions. */
#define PAT_NAME_MAX	255
/* The largest product of a regex's repetition counts. */
#define PAT_REGEX_REPS	1000

struct term {
	char	 op;		/* '|', '&' or '!' */
	char	*text;
};

struct terms {
	struct term	*v;
	size_t		 n;
	size_t		 cap;
};

/* The evaluation of one term into an ordered list of hosts. */
struct sel {
	drove_inventory	*inv;
	struct inv_idx	 list;		/* the term's hosts, in order */
	char		*marks;		/* per host: in list */
	int		 nomem;
};

/* Free every term. */
static void
terms_release(struct terms *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].text);
	free(t->v);
}

/* Append a term of len bytes. */
static int
terms_add(struct terms *t, char op, const char *s, size_t len)
{
	struct term *v;

	if (t->n == t->cap) {
		t->cap = t->cap != 0 ? 2 * t->cap : 8;
		if ((v = reallocarray(t->v, t->cap, sizeof *v)) == NULL)
			return DROVE_E_NOMEM;
		t->v = v;
	}
	if ((t->v[t->n].text = strndup(s, len)) == NULL)
		return DROVE_E_NOMEM;
	t->v[t->n++].op = op;
	return 0;
}

static int	pat_split(struct drove_err *, const char *, struct terms *,
		    int);

/* Append the terms of each line of pattern file path. */
static int
pat_file(struct drove_err *e, const char *path, struct terms *t)
{
	FILE *f;
	char *line = NULL, *s;
	size_t cap = 0, len;
	int r = 0;

	if ((f = fopen(path, "r")) == NULL)
		return err_set(e, DROVE_E_IO, "cannot open pattern file '%s': "
		    "%s", path, strerror(errno));
	while (r == 0 && getline(&line, &cap, f) != -1) {
		s = line + strspn(line, " \t");
		len = strcspn(s, "#\r\n");
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		s[len] = '\0';
		if (len > 0)
			r = pat_split(e, s, t, 0);
	}
	if (r == 0 && ferror(f))
		r = err_set(e, DROVE_E_IO, "cannot read pattern file '%s': %s",
		    path, strerror(errno));
	free(line);
	fclose(f);
	return r;
}

/* Split pattern into terms; files are read when files is set. */
static int
pat_split(struct drove_err *e, const char *pattern, struct terms *t,
    int files)
{
	const char *p = pattern, *s, *end;
	char op, *path;
	int depth, r;

	while (*p != '\0') {
		p += strspn(p, " \t");
		op = '|';
		if (*p == '&' || *p == '!')
			op = *p++;
		s = p += strspn(p, " \t");
		if (*s == '@')
			p += strcspn(p, ",");
		for (depth = 0; *p != '\0' && *s != '@'; p++) {
			if (*p == '[')
				depth++;
			else if (*p == ']' && --depth < 0)
				return err_set(e, DROVE_E_INVENTORY,
				    "unmatched ']' in '%.*s'",
				    (int)(p - s + 1), s);
			else if ((*p == ',' || *p == ':') && depth == 0)
				break;
		}
		if (depth > 0)
			return err_set(e, DROVE_E_INVENTORY, "unclosed '[' in "
			    "'%s'", s);
		for (end = p; end > s && isspace((unsigned char)end[-1]); end--)
			;
		if (*p != '\0')
			p++;
		if (end == s && op != '|')
			return err_set(e, DROVE_E_INVENTORY, "expected a name "
			    "after '%c' in pattern '%s'", op, pattern);
		if (end == s)
			continue;
		if (*s != '@') {
			if (terms_add(t, op, s, (size_t)(end - s)) != 0)
				return err_set(e, DROVE_E_NOMEM,
				    "out of memory");
			continue;
		}
		if (!files || op != '|')
			return err_set(e, DROVE_E_INVENTORY, "unexpected "
			    "'%.*s' in pattern '%s'", (int)(end - s), s,
			    pattern);
		if ((path = strndup(s + 1, (size_t)(end - s - 1))) == NULL)
			return err_set(e, DROVE_E_NOMEM, "out of memory");
		r = pat_file(e, path, t);
		free(path);
		if (r != 0)
			return r;
	}
	return 0;
}

/* Add host h to the term's hosts, once. */
static void
sel_host(struct sel *s, size_t h)
{
	if (s->marks[h])
		return;
	s->marks[h] = 1;
	if (inv_idx_add(&s->list, h) != 0)
		s->nomem = 1;
}

/* Add the hosts of group g and its descendants, in Ansible's order. */
static void
sel_group(struct sel *s, size_t g)
{
	struct inv_idx x;
	size_t i;

	if (inv_group_hosts(s->inv, g, &x) != 0) {
		s->nomem = 1;
		return;
	}
	for (i = 0; i < x.n; i++)
		sel_host(s, x.v[i]);
	free(x.v);
}

/* Add the ungrouped hosts (the group, or Ansible's implicit one). */
static void
sel_ungrouped(struct sel *s)
{
	size_t ug = inv_ungrouped_group(s->inv), h;

	if (ug != INV_NONE) {
		sel_group(s, ug);
		return;
	}
	for (h = 0; h < s->inv->nhosts; h++)
		if (inv_ungrouped(s->inv, h))
			sel_host(s, h);
}

/* The edit distance between a and b, both at most PAT_NAME_MAX long. */
static size_t
pat_distance(const char *a, const char *b)
{
	size_t row[PAT_NAME_MAX + 1], la = strlen(a), lb = strlen(b);
	size_t i, j, diag, up;

	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			up = row[j];
			row[j] = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < row[j])
				row[j] = up + 1;
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			diag = up;
		}
	}
	return row[lb];
}

/* Keep name among the closest PAT_CLOSEST names to the missing one. */
static void
pat_consider(const char *miss, const char *name, const char **best,
    size_t *dist)
{
	size_t d, k, lim = strlen(miss) / 4;

	if (strlen(name) > PAT_NAME_MAX || (d = pat_distance(miss, name)) >
	    (lim > 2 ? lim : 2) || d >= dist[PAT_CLOSEST - 1])
		return;
	for (k = PAT_CLOSEST - 1; k > 0 && dist[k - 1] > d; k--) {
		dist[k] = dist[k - 1];
		best[k] = best[k - 1];
	}
	dist[k] = d;
	best[k] = name;
}

/* Report that miss matches nothing, naming the closest names. */
static int
pat_notfound(drove_inventory *inv, const char *miss)
{
	const char *best[PAT_CLOSEST] = { NULL };
	size_t dist[PAT_CLOSEST], i;
	struct buf b;
	int r;

	for (i = 0; i < PAT_CLOSEST; i++)
		dist[i] = (size_t)-1;
	if (strlen(miss) <= PAT_NAME_MAX) {
		for (i = 0; i < inv->ngroups; i++)
			pat_consider(miss, inv->groups[i].name, best, dist);
		for (i = 0; i < inv->nhosts; i++)
			pat_consider(miss, inv->hosts[i].name, best, dist);
	}
	buf_init(&b);
	for (i = 0; i < PAT_CLOSEST && best[i] != NULL; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "; closest: ", best[i]);
	r = err_set(&inv->err, DROVE_E_NOTFOUND, "no group or host matches "
	    "'%s'%s", miss, b.data != NULL ? b.data : "");
	buf_release(&b);
	return r;
}

/* Mark the hosts one expanded name or glob matches. */
static int
sel_name(const char *name, void *arg)
{
	struct sel *s = arg;
	drove_inventory *inv = s->inv;
	size_t g, h, n = 0;

	if (strpbrk(name, "*?[") == NULL) {
		if ((g = inv_find_group(inv, name)) != INV_NONE) {
			sel_group(s, g);
			n++;
		} else if (strcmp(name, "ungrouped") == 0) {
			sel_ungrouped(s);
			n++;
		}
		if ((n == 0 || strchr(name, '.') != NULL) &&
		    (h = inv_find_host(inv, name)) != INV_NONE) {
			sel_host(s, h);
			n++;
		}
	} else {
		for (g = 0; g < inv->ngroups; g++) {
			if (fnmatch(name, inv->groups[g].name, 0) == 0) {
				sel_group(s, g);
				n++;
			}
		}
		if (inv_ungrouped_group(inv) == INV_NONE &&
		    fnmatch(name, "ungrouped", 0) == 0) {
			sel_ungrouped(s);
			n++;
		}
		for (h = 0; h < inv->nhosts; h++) {
			if (fnmatch(name, inv->hosts[h].name, 0) == 0) {
				sel_host(s, h);
				n++;
			}
		}
	}
	return n > 0 ? 0 : pat_notfound(inv, name);
}

/*
 * Why regcomp() must not see re, or NULL.  glibc copies the tree of an
 * expression for each repetition, so stacked repetitions ("a+++", undefined
 * in POSIX anyway) and large nested counts ("((a{99}){99}){99}") exhaust
 * memory: refuse the first, and intervals whose counts multiply past
 * PAT_REGEX_REPS.
 */
static const char *
regex_risky(const char *re)
{
	unsigned long prod = 1, n;
	const char *p = re;
	int prev_rep = 0;
	char *end;

	while (*p != '\0') {
		if (*p == '\\' && p[1] != '\0') {
			p += 2;
			prev_rep = 0;
			continue;
		}
		if (*p == '[') {
			p += p[1] == '^' ? 2 : 1;
			p += *p == ']';
			while (*p != '\0' && *p != ']')
				p++;
			p += *p == ']';
			prev_rep = 0;
			continue;
		}
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
			if (prev_rep)
				return "repetition of a repetition";
			prev_rep = 1;
			if (*p++ != '{')
				continue;
			n = strtoul(p, &end, 10);
			if (*end == ',' && end[1] != '}')
				n = strtoul(end + 1, &end, 10);
			if (n == 0)
				n = 1;
			if ((prod *= n) > PAT_REGEX_REPS)
				return "repetition counts too large";
			p = end;
			p += strcspn(p, "}");
			p += *p == '}';
			continue;
		}
		prev_rep = 0;
		p++;
	}
	return NULL;
}

/* Mark the hosts and groups whose names regex re matches from the start. */
static int
sel_regex(struct sel *s, const char *re)
{
	drove_inventory *inv = s->inv;
	regmatch_t m;
	regex_t rx;
	char msg[128];
	size_t i, n = 0;
	const char *why;
	int r;

	if ((why = regex_risky(re)) != NULL)
		return err_set(&inv->err, DROVE_E_INVENTORY, "bad regex '%s': "
		    "%s", re, why);
	if ((r = regcomp(&rx, re, REG_EXTENDED)) != 0) {
		regerror(r, &rx, msg, sizeof msg);
		return err_set(&inv->err, DROVE_E_INVENTORY, "bad regex '%s': "
		    "%s", re, msg);
	}
	for (i = 0; i < inv->ngroups; i++) {
		if (regexec(&rx, inv->groups[i].name, 1, &m, 0) == 0 &&
		    m.rm_so == 0) {
			sel_group(s, i);
			n++;
		}
	}
	if (inv_ungrouped_group(inv) == INV_NONE &&
	    regexec(&rx, "ungrouped", 1, &m, 0) == 0 && m.rm_so == 0) {
		sel_ungrouped(s);
		n++;
	}
	for (i = 0; i < inv->nhosts; i++) {
		if (regexec(&rx, inv->hosts[i].name, 1, &m, 0) == 0 &&
		    m.rm_so == 0) {
			sel_host(s, i);
			n++;
		}
	}
	regfree(&rx);
	if (n == 0)
		return err_set(&inv->err, DROVE_E_NOTFOUND, "no group or host "
		    "matches '~%s'", re);
	return 0;
}

/*
 * Split "BASE[SUBSCRIPT]" as Ansible does: [N], [-N], [A:B], [A:], [A-B].
 * Returns 1 with base's length in *blen and the bounds in *a and *b (*b
 * LONG_MIN for a single index, -1 for an open end), else 0.
 */
static int
pat_subscript(const char *t, size_t *blen, long *a, long *b)
{
	size_t len = strlen(t);
	const char *open, *p;
	char *end;

	if (len < 4 || t[len - 1] != ']' || *t == '~' ||
	    (open = strrchr(t, '[')) == NULL || open == t)
		return 0;
	p = open + 1;
	*blen = (size_t)(open - t);
	errno = 0;
	if (*p == '-' || (isdigit((unsigned char)*p) &&
	    p[strspn(p, "0123456789")] == ']')) {
		*a = strtol(p, &end, 10);
		*b = LONG_MIN;
		return end != p + (*p == '-') && *end == ']' && errno == 0 &&
		    end - p > (*p == '-');
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	*a = strtol(p, &end, 10);
	if ((*end != ':' && *end != '-') || errno != 0)
		return 0;
	p = end + 1;
	if (*p == ']') {
		*b = -1;
		return p[1] == '\0';
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	*b = strtol(p, &end, 10);
	return *end == ']' && end[1] == '\0' && errno == 0;
}

/*
 * Whether base (blen bytes) names hosts by position: all, "*", a group,
 * or a glob that matches a group.  Brackets after any other name are a
 * range of host names.
 */
static int
pat_positional(drove_inventory *inv, const char *base, size_t blen)
{
	char name[PAT_NAME_MAX + 1];
	size_t g;

	if (blen > PAT_NAME_MAX)
		return 0;
	memcpy(name, base, blen);
	name[blen] = '\0';
	if (strcmp(name, "all") == 0 || strcmp(name, "*") == 0 ||
	    inv_find_group(inv, name) != INV_NONE)
		return 1;
	if (strpbrk(name, "*?[") == NULL)
		return 0;
	for (g = 0; g < inv->ngroups; g++)
		if (fnmatch(name, inv->groups[g].name, 0) == 0)
			return 1;
	return 0;
}

/* Keep the hosts subscript [a:b] (see pat_subscript()) picks, as Ansible. */
static int
sel_slice(struct sel *s, const char *text, long a, long b)
{
	long n = (long)s->list.n, i;
	size_t *v = s->list.v, k = 0;

	if (n == 0)
		return 0;
	if (b == LONG_MIN || b == 0) {
		i = a < 0 ? n + a : a;
		if (i < 0 || i >= n)
			return err_set(&s->inv->err, DROVE_E_NOTFOUND, "no "
			    "hosts match the subscripted pattern '%s': %ld "
			    "hosts", text, n);
		v[0] = v[i];
		s->list.n = 1;
		return 0;
	}
	if (b == -1)
		b = n - 1;
	for (i = a; i <= b && i < n; i++)
		v[k++] = v[i];
	s->list.n = k;
	return 0;
}

static int	sel_term(struct sel *, const char *);

/* Select the hosts of a positional term ("web[0]", "all[1:]"). */
static int
sel_positional(struct sel *s, const char *text, size_t blen, long a, long b)
{
	char *base;
	int r;

	if ((base = strndup(text, blen)) == NULL)
		return err_set(&s->inv->err, DROVE_E_NOMEM, "out of memory");
	r = sel_term(s, base);
	free(base);
	return r != 0 ? r : sel_slice(s, text, a, b);
}

/* Add to s->list every host that term text matches, in Ansible's order. */
static int
sel_term(struct sel *s, const char *text)
{
	char why[400], *name;
	size_t len = strlen(text), blen;
	long a, b;
	int r;

	if (strcmp(text, "all") == 0 || strcmp(text, "*") == 0) {
		sel_group(s, INV_ALL);
		return 0;
	}
	if (*text == '~')
		return sel_regex(s, text + 1);
	if (*text == '[' && text[len - 1] == ']' &&
	    inv_is_ipv6(text + 1, len - 2)) {
		if ((name = strndup(text + 1, len - 2)) == NULL)
			return err_set(&s->inv->err, DROVE_E_NOMEM,
			    "out of memory");
		r = sel_name(name, s);
		free(name);
		return r;
	}
	if (pat_subscript(text, &blen, &a, &b) &&
	    pat_positional(s->inv, text, blen))
		return sel_positional(s, text, blen, a, b);
	r = range_expand(text, RANGE_LITERAL, sel_name, s, why, sizeof why);
	if (r == DROVE_E_INVENTORY)
		return err_set(&s->inv->err, r, "%s", why);
	if (r == DROVE_E_NOMEM)
		return err_set(&s->inv->err, r, "out of memory");
	return r;
}

/* Evaluate term text (op '|' also takes a host's exact name) into s. */
static int
sel_eval(struct sel *s, char op, const char *text)
{
	size_t h;
	int r;

	memset(s->marks, 0, s->inv->nhosts);
	s->list.n = 0;
	s->nomem = 0;
	if (op == '|' && (h = inv_find_host(s->inv, text)) != INV_NONE) {
		sel_host(s, h);
		r = 0;
	} else
		r = sel_term(s, text);
	if (r == 0 && s->nomem)
		r = err_set(&s->inv->err, DROVE_E_NOMEM, "out of memory");
	return r;
}

/* Select the hosts pattern names, in Ansible's order. */
int
drove_inventory_select(drove_inventory *inv, const char *pattern,
    size_t **out, size_t *n)
{
	struct terms t = { NULL, 0, 0 };
	struct inv_idx res = { NULL, 0, 0 };
	struct sel s;
	char *in = NULL;
	size_t i, k, j, m;
	int r = DROVE_E_NOMEM, any = 0;

	if (out != NULL)
		*out = NULL;
	if (n != NULL)
		*n = 0;
	if (inv == NULL || pattern == NULL || out == NULL || n == NULL)
		return DROVE_E_INVAL;
	memset(&s, 0, sizeof s);
	s.inv = inv;
	if ((r = pat_split(&inv->err, pattern, &t, 1)) != 0)
		goto out;
	if (t.n == 0) {
		r = err_set(&inv->err, DROVE_E_INVENTORY, "empty pattern");
		goto out;
	}
	r = DROVE_E_NOMEM;
	if ((in = calloc(inv->nhosts + 1, 1)) == NULL ||
	    (s.marks = calloc(inv->nhosts + 1, 1)) == NULL) {
		err_set(&inv->err, r, "out of memory");
		goto out;
	}
	for (i = 0; i < t.n; i++)
		any |= t.v[i].op == '|';
	for (k = 0; k < 3; k++) {
		for (i = 0; i < t.n + (k == 0 && !any); i++) {
			if (i == t.n)
				r = sel_eval(&s, '!', "all");
			else if (t.v[i].op != "|&!"[k])
				continue;
			else
				r = sel_eval(&s, t.v[i].op, t.v[i].text);
			if (r != 0)
				goto out;
			if (k == 0) {
				for (j = 0; j < s.list.n; j++) {
					if (in[s.list.v[j]])
						continue;
					in[s.list.v[j]] = 1;
					if (inv_idx_add(&res, s.list.v[j]) !=
					    0) {
						r = err_set(&inv->err,
						    DROVE_E_NOMEM,
						    "out of memory");
						goto out;
					}
				}
				continue;
			}
			for (j = m = 0; j < res.n; j++) {
				if ((s.marks[res.v[j]] != 0) == (k == 1))
					res.v[m++] = res.v[j];
				else
					in[res.v[j]] = 0;
			}
			res.n = m;
		}
	}
	if (res.n == 0) {
		r = err_set(&inv->err, DROVE_E_NOTFOUND, "pattern '%s' selects "
		    "no hosts", pattern);
		goto out;
	}
	*out = res.v;
	*n = res.n;
	res.v = NULL;
	r = 0;
 out:
	terms_release(&t);
	free(res.v);
	free(s.list.v);
	free(s.marks);
	free(in);
	return r;
}
