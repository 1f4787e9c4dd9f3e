/*
 * inventory.c: Ansible-style inventories: hosts, groups and their vars.
 *
 * Two file formats load into one inventory:
 *
 * - YAML in Ansible's format: a mapping of groups ("all:" or any other name,
 *   which becomes a child of all), each a mapping with "hosts:", "children:"
 *   (groups again, to any depth) and "vars:".  Host names may hold ranges
 *   ("web[01:20]") and a ":port".  Anchors, aliases and "<<" merge keys
 *   work.  Scalar values keep their text and the type YAML 1.1 gives them
 *   (value.c); lists and maps become JSON text; a !vault value stays
 *   encrypted until used.
 * - A plain host list: one [user@]host[:port] a line, "#" comments and blank
 *   lines; "[v6addr]:port" brackets an IPv6 address.
 *
 * The format is told by the first line that is neither blank nor a comment,
 * without its trailing comment: it is YAML when it starts with "---", "%" or
 * "{", holds a space or a tab ("all: {}", "- a"), or ends with ":" without
 * being an IPv6 address ("all:"); otherwise it is a host list.  A host list
 * entry is one word that never ends with ":" unless it is an IPv6 address.
 *
 * A load works on a copy of the inventory and replaces the original only
 * when the whole file was read, so a bad file adds nothing.  Vars are stored
 * under canonical names (user -> ansible_user, ...) so that drove's short
 * names and Ansible's names override each other by precedence alone.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <libgen.h>
#include <errno.h>
#include <pwd.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <yaml.h>

#include "base/buf.h"
#include "base/err.h"
#include "drove.h"
#include "inventory/inventory.h"
#include "inventory/range.h"
#include "inventory/sshconfig.h"
#include "inventory/vault.h"
#include "inventory/ytag.h"

/* How deep merge keys and flow values may nest. */
#define INV_MAX_DEPTH	64

/* Reason given for a bad port. */
#define BAD_PORT	"expected a number from 1 to 65535"

/* Alternative var names and the canonical name they are stored under. */
static const struct {
	const char	*alias;
	const char	*canon;
} inv_aliases[] = {
	{ "host", "ansible_host" },
	{ "ansible_ssh_host", "ansible_host" },
	{ "port", "ansible_port" },
	{ "ansible_ssh_port", "ansible_port" },
	{ "user", "ansible_user" },
	{ "ansible_ssh_user", "ansible_user" },
	{ "key", "ansible_ssh_private_key_file" },
	{ "ansible_private_key_file", "ansible_ssh_private_key_file" },
	{ "ansible_ssh_pass", "ansible_password" },
	{ "ansible_become_pass", "ansible_become_password" },
};

/* One parsed "[user@]host[:port]" entry; name may still hold ranges. */
struct entry {
	const char	*user;
	const char	*name;
	const char	*port;
};

/* A key and value of a YAML mapping after merge keys are applied. */
struct ypair {
	yaml_node_t	*k;
	yaml_node_t	*v;
};

struct ypairs {
	struct ypair	*v;
	size_t		 n;
	size_t		 cap;
};

/* Context of adding the hosts of one entry. */
struct add {
	struct inv_load	*ld;
	size_t		 group;
	struct entry	*e;
	yaml_node_t	*vars;
	const struct inv_vars *ivars;
	int		 r;
	char		 why[256];
};

static int	yl_vars(struct inv_load *, struct inv_vars *, yaml_node_t *);
static int	inv_unvault(struct inv_load *, const char *, const yaml_mark_t *,
		    const char *, char **);
static int	inv_read(struct drove_err *, const char *, struct buf *);

/* The FNV-1a hash of s. */
static uint64_t
inv_hash(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

/* The slot of key in m: its own or the empty one where it would go. */
static struct inv_slot *
map_slot(const struct inv_map *m, const char *key)
{
	size_t i = (size_t)inv_hash(key) & (m->cap - 1);

	while (m->slot[i].key != NULL && strcmp(m->slot[i].key, key) != 0)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

/* The index stored for key, or INV_NONE. */
static size_t
map_get(const struct inv_map *m, const char *key)
{
	const struct inv_slot *s;

	if (m->cap == 0)
		return INV_NONE;
	s = map_slot(m, key);
	return s->key != NULL ? s->idx : INV_NONE;
}

/* Store key -> idx; key is lent and must outlive the map. */
static int
map_put(struct inv_map *m, const char *key, size_t idx)
{
	struct inv_map big;
	struct inv_slot *s;
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		big.cap = m->cap != 0 ? 2 * m->cap : 64;
		big.n = 0;
		if ((big.slot = calloc(big.cap, sizeof *big.slot)) == NULL)
			return DROVE_E_NOMEM;
		for (i = 0; i < m->cap; i++)
			if (m->slot[i].key != NULL)
				*map_slot(&big, m->slot[i].key) = m->slot[i];
		big.n = m->n;
		free(m->slot);
		*m = big;
	}
	s = map_slot(m, key);
	if (s->key == NULL)
		m->n++;
	s->key = key;
	s->idx = idx;
	return 0;
}

/* Grow an array of n elements of size sz to hold one more. */
static int
inv_grow(void *arrp, size_t n, size_t *cap, size_t sz)
{
	void **arr = arrp, *p;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap != 0 ? 2 * *cap : 8;
	if ((p = reallocarray(*arr, c, sz)) == NULL)
		return DROVE_E_NOMEM;
	*arr = p;
	*cap = c;
	return 0;
}

/* Append i to the set. */
int
inv_idx_add(struct inv_idx *x, size_t i)
{
	if (inv_grow(&x->v, x->n, &x->cap, sizeof *x->v) != 0)
		return DROVE_E_NOMEM;
	x->v[x->n++] = i;
	return 0;
}

/* Whether i is in the set. */
int
inv_idx_has(const struct inv_idx *x, size_t i)
{
	size_t k;

	for (k = 0; k < x->n; k++)
		if (x->v[k] == i)
			return 1;
	return 0;
}

/* Copy a set. */
static int
idx_copy(struct inv_idx *dst, const struct inv_idx *src)
{
	dst->n = dst->cap = 0;
	if ((dst->v = reallocarray(NULL, src->n + 1, sizeof *dst->v)) == NULL)
		return DROVE_E_NOMEM;
	if (src->n > 0)
		memcpy(dst->v, src->v, src->n * sizeof *dst->v);
	dst->n = src->n;
	dst->cap = src->n + 1;
	return 0;
}

/* The name var is stored under. */
static const char *
inv_var_canon(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof inv_aliases / sizeof inv_aliases[0]; i++)
		if (strcmp(name, inv_aliases[i].alias) == 0)
			return inv_aliases[i].canon;
	return name;
}

/* Parse a port number; -1 unless it is a decimal from 1 to 65535. */
static int
inv_port(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + *s - '0') > 65535)
			return -1;
	}
	return v >= 1 ? (int)v : -1;
}

/* Wipe and free the decrypted text of a vaulted var. */
static void
var_wipe(struct inv_var *var)
{
	if (var->plain != NULL) {
		explicit_bzero(var->plain, strlen(var->plain));
		free(var->plain);
		var->plain = NULL;
	}
}

/* Store canonical var canon with value v (taken), replacing the old one. */
static int
vars_put(struct inv_vars *vars, const char *canon, char *v, int type)
{
	char *n;
	size_t i;

	for (i = 0; i < vars->n; i++) {
		if (strcmp(vars->v[i].name, canon) == 0) {
			var_wipe(&vars->v[i]);
			free(vars->v[i].value);
			vars->v[i].value = v;
			vars->v[i].type = type;
			return 0;
		}
	}
	if ((n = strdup(canon)) == NULL ||
	    inv_grow(&vars->v, vars->n, &vars->cap, sizeof *vars->v) != 0) {
		free(n);
		free(v);
		return DROVE_E_NOMEM;
	}
	vars->v[vars->n].name = n;
	vars->v[vars->n].plain = NULL;
	vars->v[vars->n].type = type;
	vars->v[vars->n++].value = v;
	return 0;
}

/* Set a text var, replacing its old value; a reason in why on a bad value. */
int
inv_vars_set(struct inv_vars *vars, const char *name, const char *value,
    char *why, size_t whylen)
{
	return inv_vars_set_typed(vars, name, value, INV_STR, why, whylen);
}

/* Set a var of type (INV_*), replacing its old value. */
int
inv_vars_set_typed(struct inv_vars *vars, const char *name, const char *value,
    int type, char *why, size_t whylen)
{
	const char *canon = inv_var_canon(name), *home, *text = value;
	struct buf dec;
	char *v = NULL;
	int r = DROVE_E_NOMEM;

	/* A port written 0x8AE or 2_222 is the number Ansible reads. */
	buf_init(&dec);
	if (strcmp(canon, "ansible_port") == 0 && type == INV_INT) {
		if (val_json(&dec, type, value) != 0)
			return r;
		value = dec.data;
	}
	if (strcmp(canon, "ansible_port") == 0 && type != INV_VAULT &&
	    type != INV_NULL && inv_port(value) < 0) {
		snprintf(why, whylen, "bad port '%s': " BAD_PORT, text);
		buf_release(&dec);
		return DROVE_E_INVENTORY;
	}
	if (strcmp(canon, "ansible_ssh_private_key_file") == 0 &&
	    strncmp(value, "~/", 2) == 0 && (home = getenv("HOME")) != NULL) {
		if (asprintf(&v, "%s%s", home, value + 1) < 0)
			return DROVE_E_NOMEM;
	} else if ((v = strdup(type == INV_NULL ? "" : value)) == NULL) {
		buf_release(&dec);
		return r;
	}
	buf_release(&dec);
	return vars_put(vars, canon, v, type);
}

/* Set var name to null (the value ""). */
int
inv_vars_set_null(struct inv_vars *vars, const char *name)
{
	char *v;

	if ((v = strdup("")) == NULL)
		return DROVE_E_NOMEM;
	return vars_put(vars, inv_var_canon(name), v, INV_NULL);
}

/* Copy every var. */
static int
vars_copy(struct inv_vars *dst, const struct inv_vars *src)
{
	size_t i;

	memset(dst, 0, sizeof *dst);
	if ((dst->v = calloc(src->n + 1, sizeof *dst->v)) == NULL ||
	    (src->locked != NULL &&
	    (dst->locked = strdup(src->locked)) == NULL))
		return DROVE_E_NOMEM;
	dst->cap = src->n + 1;
	for (i = 0; i < src->n; i++, dst->n++) {
		dst->v[i].name = strdup(src->v[i].name);
		dst->v[i].value = strdup(src->v[i].value);
		dst->v[i].type = src->v[i].type;
		if (dst->v[i].name == NULL || dst->v[i].value == NULL) {
			dst->n++;
			return DROVE_E_NOMEM;
		}
	}
	return 0;
}

/* Free every var. */
static void
vars_release(struct inv_vars *vars)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		var_wipe(&vars->v[i]);
		free(vars->v[i].name);
		free(vars->v[i].value);
	}
	free(vars->v);
	free(vars->locked);
}

/*
 * The index of name in an array of hosts or groups (whose first member is
 * the name), added at the end when new; INV_NONE when out of memory.
 */
static size_t
inv_add(struct inv_map *map, void *arrp, size_t *n, size_t *cap, size_t sz,
    const char *name)
{
	char **elem;
	size_t i;

	if ((i = map_get(map, name)) != INV_NONE)
		return i;
	if (inv_grow(arrp, *n, cap, sz) != 0)
		return INV_NONE;
	elem = (char **)(void *)((char *)*(void **)arrp + *n * sz);
	memset(elem, 0, sz);
	if ((*elem = strdup(name)) == NULL)
		return INV_NONE;
	if (map_put(map, *elem, *n) != 0) {
		free(*elem);
		return INV_NONE;
	}
	return (*n)++;
}

/* The index of host name, added when new; INV_NONE on ENOMEM. */
size_t
inv_host_add(drove_inventory *inv, const char *name)
{
	return inv_add(&inv->hostmap, &inv->hosts, &inv->nhosts,
	    &inv->caphosts, sizeof *inv->hosts, name);
}

/* The index of group name, added when new; INV_NONE on ENOMEM. */
size_t
inv_group_add(drove_inventory *inv, const char *name)
{
	size_t n = inv->ngroups, g;

	g = inv_add(&inv->groupmap, &inv->groups, &inv->ngroups,
	    &inv->capgroups, sizeof *inv->groups, name);
	if (g != INV_NONE && g == n)
		inv->groups[g].priority = 1;
	return g;
}

/* Put host h in group g. */
int
inv_link_host(drove_inventory *inv, size_t g, size_t h)
{
	if (inv_idx_has(&inv->hosts[h].groups, g))
		return 0;
	if (inv_idx_add(&inv->hosts[h].groups, g) != 0)
		return DROVE_E_NOMEM;
	if (inv_idx_add(&inv->groups[g].hosts, h) != 0) {
		inv->hosts[h].groups.n--;
		return DROVE_E_NOMEM;
	}
	return 0;
}

/* Make group c a child of group p. */
int
inv_link_group(drove_inventory *inv, size_t p, size_t c)
{
	if (inv_idx_has(&inv->groups[c].parents, p))
		return 0;
	if (inv_idx_add(&inv->groups[c].parents, p) != 0)
		return DROVE_E_NOMEM;
	if (inv_idx_add(&inv->groups[p].children, c) != 0) {
		inv->groups[c].parents.n--;
		return DROVE_E_NOMEM;
	}
	return 0;
}

/* Free what an inventory holds, leaving the error. */
static void
inv_release(drove_inventory *inv)
{
	size_t i;
	size_t k;

	for (i = 0; i < inv->nhosts; i++) {
		free(inv->hosts[i].name);
		vars_release(&inv->hosts[i].vars);
		for (k = 0; k < INV_NFILES; k++)
			vars_release(&inv->hosts[i].fvars[k]);
		free(inv->hosts[i].groups.v);
	}
	for (i = 0; i < inv->ngroups; i++) {
		free(inv->groups[i].name);
		vars_release(&inv->groups[i].vars);
		for (k = 0; k < INV_NFILES; k++)
			vars_release(&inv->groups[i].fvars[k]);
		free(inv->groups[i].parents.v);
		free(inv->groups[i].children.v);
		free(inv->groups[i].hosts.v);
	}
	free(inv->hosts);
	free(inv->groups);
	free(inv->hostmap.slot);
	free(inv->groupmap.slot);
}

/* Make an empty inventory holding the group all. */
drove_inventory *
drove_inventory_new(void)
{
	drove_inventory *inv;

	if ((inv = calloc(1, sizeof *inv)) == NULL)
		return NULL;
	if ((inv->pool = calloc(1, sizeof *inv->pool)) == NULL ||
	    inv_group_add(inv, "all") != INV_ALL) {
		drove_inventory_free(inv);
		return NULL;
	}
	return inv;
}

/* A note on host-list entries given twice (each runs once), or NULL. */
const char *
drove_inventory_note(drove_inventory *inv)
{
	if (inv == NULL || inv->ndups == 0)
		return NULL;
	if (inv->ndups == 1)
		snprintf(inv->note, sizeof inv->note, "%s is given twice in "
		    "the host lists: it runs once", inv->dup);
	else
		snprintf(inv->note, sizeof inv->note, "%s and %zu more are "
		    "given twice in the host lists: each runs once", inv->dup,
		    inv->ndups - 1);
	return inv->note;
}

/* Free an inventory and everything it lent. */
void
drove_inventory_free(drove_inventory *inv)
{
	size_t i;

	if (inv == NULL)
		return;
	inv_release(inv);
	sshcfg_free(inv->ssh);
	if (inv->vault_pw != NULL) {
		explicit_bzero(inv->vault_pw, inv->vault_pwlen);
		free(inv->vault_pw);
	}
	if (inv->pool != NULL) {
		for (i = 0; i < inv->pool->n; i++)
			free(inv->pool->v[i]);
		free(inv->pool->v);
		free(inv->pool);
	}
	free(inv);
}

/* The last error message, never NULL. */
const char *
drove_inventory_error(const drove_inventory *inv)
{
	return inv != NULL ? inv->err.msg : "no inventory";
}

/* The number of hosts. */
size_t
drove_inventory_count(const drove_inventory *inv)
{
	return inv != NULL ? inv->nhosts : 0;
}

/* The name of a host, or NULL when out of range. */
const char *
drove_inventory_name(const drove_inventory *inv, size_t host)
{
	if (inv == NULL || host >= inv->nhosts)
		return NULL;
	return inv->hosts[host].name;
}

/* The index of a host by name, or INV_NONE. */
size_t
inv_find_host(const drove_inventory *inv, const char *name)
{
	return map_get(&inv->hostmap, name);
}

/* The index of a group by name, or INV_NONE. */
size_t
inv_find_group(const drove_inventory *inv, const char *name)
{
	return map_get(&inv->groupmap, name);
}

/* Whether host h is in no group other than all. */
int
inv_ungrouped(const drove_inventory *inv, size_t h)
{
	const struct inv_idx *g = &inv->hosts[h].groups;
	size_t i, ug = inv_ungrouped_group(inv);

	for (i = 0; i < g->n; i++)
		if (g->v[i] != INV_ALL && g->v[i] != ug)
			return 0;
	return 1;
}

/* A deep copy of src's hosts and groups, or NULL when out of memory. */
drove_inventory *
inv_clone(const drove_inventory *src)
{
	drove_inventory *dst;
	struct inv_host *dh;
	struct inv_group *dg;
	size_t i, k;
	int r = DROVE_E_NOMEM;

	if ((dst = calloc(1, sizeof *dst)) == NULL)
		return NULL;
	dst->hosts = calloc(src->nhosts + 1, sizeof *dst->hosts);
	dst->groups = calloc(src->ngroups + 1, sizeof *dst->groups);
	if (dst->hosts == NULL || dst->groups == NULL)
		goto out;
	dst->caphosts = src->nhosts + 1;
	dst->capgroups = src->ngroups + 1;
	dst->ndups = src->ndups;
	memcpy(dst->dup, src->dup, sizeof dst->dup);
	for (i = 0; i < src->nhosts; i++) {
		dh = &dst->hosts[dst->nhosts++];
		dh->listed = src->hosts[i].listed;
		if ((dh->name = strdup(src->hosts[i].name)) == NULL ||
		    vars_copy(&dh->vars, &src->hosts[i].vars) != 0 ||
		    idx_copy(&dh->groups, &src->hosts[i].groups) != 0 ||
		    map_put(&dst->hostmap, dh->name, i) != 0)
			goto out;
		for (k = 0; k < INV_NFILES; k++)
			if (vars_copy(&dh->fvars[k],
			    &src->hosts[i].fvars[k]) != 0)
				goto out;
	}
	for (i = 0; i < src->ngroups; i++) {
		dg = &dst->groups[dst->ngroups++];
		dg->depth = src->groups[i].depth;
		dg->priority = src->groups[i].priority;
		if ((dg->name = strdup(src->groups[i].name)) == NULL ||
		    vars_copy(&dg->vars, &src->groups[i].vars) != 0 ||
		    idx_copy(&dg->parents, &src->groups[i].parents) != 0 ||
		    idx_copy(&dg->children, &src->groups[i].children) != 0 ||
		    idx_copy(&dg->hosts, &src->groups[i].hosts) != 0 ||
		    map_put(&dst->groupmap, dg->name, i) != 0)
			goto out;
		for (k = 0; k < INV_NFILES; k++)
			if (vars_copy(&dg->fvars[k],
			    &src->groups[i].fvars[k]) != 0)
				goto out;
	}
	r = 0;
 out:
	if (r != 0) {
		drove_inventory_free(dst);
		return NULL;
	}
	return dst;
}

/* Compute the depth of group g: the longest path from all. */
static int
inv_depth(drove_inventory *inv, size_t g)
{
	struct inv_group *gr = &inv->groups[g];
	size_t i;
	int d;

	if (gr->depth >= 0)
		return gr->depth;
	gr->depth = 1;
	for (i = 0; i < gr->parents.n; i++) {
		d = inv_depth(inv, gr->parents.v[i]) + 1;
		if (d > inv->groups[g].depth)
			inv->groups[g].depth = d;
	}
	return inv->groups[g].depth;
}

/* Recompute the depth of every group after a load. */
static void
inv_depths(drove_inventory *inv)
{
	size_t i;

	for (i = 0; i < inv->ngroups; i++)
		inv->groups[i].depth = -1;
	inv->groups[INV_ALL].depth = 0;
	for (i = 1; i < inv->ngroups; i++)
		inv_depth(inv, i);
}

/* Whether group a is group b or one of its ancestors (after ld->gen++). */
int
inv_is_ancestor(struct inv_load *ld, size_t a, size_t b)
{
	const struct inv_group *g = &ld->inv->groups[b];
	size_t i;

	if (a == b || a == INV_ALL)
		return 1;
	if (ld->mark[b] == ld->gen)
		return 0;
	ld->mark[b] = ld->gen;
	for (i = 0; i < g->parents.n; i++)
		if (inv_is_ancestor(ld, a, g->parents.v[i]))
			return 1;
	return 0;
}

/* Set an error naming path:line:column of node. */
int
inv_load_err(struct inv_load *ld, const yaml_mark_t *m, size_t off,
    const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (ld->path == NULL)
		return err_set(ld->err, DROVE_E_INVENTORY, "%s (column %zu)",
		    msg, m->column + 1 + off);
	return err_set(ld->err, DROVE_E_INVENTORY, "%s:%zu:%zu: %s", ld->path,
	    m->line + 1, m->column + 1 + off, msg);
}

/* Whether s (len bytes, up to a "%zone") is an IPv6 address. */
int
inv_is_ipv6(const char *s, size_t len)
{
	struct in6_addr a;
	char tmp[INET6_ADDRSTRLEN];
	const char *pct = memchr(s, '%', len);

	if (pct != NULL)
		len = (size_t)(pct - s);
	if (len == 0 || len >= sizeof tmp)
		return 0;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	return inet_pton(AF_INET6, tmp, &a) == 1;
}

/*
 * Split "[user@]host[:port]" in place.  A bracketed IPv6 address loses its
 * brackets; a bare one (two colons or more) has no port.  Returns NULL, or a
 * reason with *off at the offending text.
 */
static const char *
entry_parse(char *s, struct entry *e, size_t *off, char *why, size_t whylen)
{
	char *at, *host, *close, *colon = NULL, *p;
	int depth = 0, ncolon = 0;

	memset(e, 0, sizeof *e);
	*off = 0;
	host = s;
	if ((at = strchr(s, '@')) != NULL) {
		*at = '\0';
		e->user = s;
		host = at + 1;
		if (*e->user == '\0')
			return "expected a user name before '@'";
	}
	*off = (size_t)(host - s);
	if (*host == '[' && (close = strchr(host, ']')) != NULL &&
	    inv_is_ipv6(host + 1, (size_t)(close - host - 1)) &&
	    (close[1] == '\0' || close[1] == ':')) {
		*close = '\0';
		e->name = host + 1;
		if (close[1] == ':')
			e->port = close + 2;
	} else {
		for (p = host; *p != '\0'; p++) {
			depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
			if (*p == ':' && depth == 0) {
				ncolon++;
				colon = p;
			}
		}
		e->name = host;
		if (ncolon == 1) {
			*colon = '\0';
			e->port = colon + 1;
		}
		if (ncolon > 1 && strchr(host, '[') == NULL &&
		    !inv_is_ipv6(host, strlen(host)))
			return "expected host[:port] or an IPv6 address";
	}
	if ((at = strchr(e->name, '@')) != NULL) {
		*off = (size_t)(at - s);
		return "expected one '@' between user and host";
	}
	if (*e->name == '\0')
		return "expected a host name";
	if (e->port != NULL && inv_port(e->port) < 0) {
		*off = (size_t)(e->port - s);
		snprintf(why, whylen, "bad port '%s': " BAD_PORT, e->port);
		return why;
	}
	return NULL;
}

/* Host h's own value of canonical var name, or NULL. */
static const char *
own_var(const struct inv_host *h, const char *name)
{
	size_t i;

	for (i = 0; i < h->vars.n; i++)
		if (strcmp(h->vars.v[i].name, name) == 0)
			return h->vars.v[i].value;
	return NULL;
}

/* Whether two optional strings are equal. */
static int
same_opt(const char *a, const char *b)
{
	return a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0;
}

/* Count a duplicate entry of a host list, keeping the first's name. */
static void
entry_dup(drove_inventory *inv, const char *name)
{
	if (inv->ndups++ == 0)
		snprintf(inv->dup, sizeof inv->dup, "%.*s",
		    (int)sizeof inv->dup - 1, name);
}

/*
 * In a host list, name is taken by an earlier entry: the same user and port
 * is a duplicate (kept once, noted: 1); another user or port is another
 * host, named by what tells it apart ("deploy@h", "h:2222") in alt with
 * ansible_host the name (0); an entry that cannot be told apart so is an
 * error (DROVE_E_INVENTORY, why set).
 */
static int
entry_twice(struct add *a, const char *name, size_t h, char *alt,
    size_t altlen)
{
	drove_inventory *inv = a->ld->inv;
	const char *user = own_var(&inv->hosts[h], "ansible_user");
	const char *port = own_var(&inv->hosts[h], "ansible_port");
	int du = !same_opt(user, a->e->user), dp = !same_opt(port, a->e->port);

	if (!du && !dp) {
		entry_dup(inv, name);
		return 1;
	}
	if ((du && a->e->user == NULL) || (dp && a->e->port == NULL)) {
		snprintf(a->why, sizeof a->why, "'%s' is given again with "
		    "another user or port: give each its user@ and :port",
		    name);
		return DROVE_E_INVENTORY;
	}
	snprintf(alt, altlen, "%s%s%s%s%s", du ? a->e->user : "", du ? "@" :
	    "", name, dp ? ":" : "", dp ? a->e->port : "");
	return 0;
}

/* Add one host of an entry to the group, with its user, port and vars. */
static int
entry_host(const char *name, void *arg)
{
	struct add *a = arg;
	drove_inventory *inv = a->ld->inv;
	const char *address = NULL;
	char alt[512];
	struct inv_vars *vars;
	size_t h, g, i, n = inv->nhosts;
	int r, fresh;

	if (strchr(name, ':') != NULL && !inv_is_ipv6(name, strlen(name))) {
		snprintf(a->why, sizeof a->why, "expected host[:port] or an "
		    "IPv6 address, found '%s'", name);
		return DROVE_E_INVENTORY;
	}
	if (a->ld->list && (h = inv_find_host(inv, name)) != INV_NONE &&
	    inv->hosts[h].listed) {
		if ((r = entry_twice(a, name, h, alt, sizeof alt)) != 0)
			return r == 1 ? 0 : r;
		address = name;
		name = alt;
		if (inv_find_host(inv, name) != INV_NONE) {
			entry_dup(inv, name);
			return 0;
		}
	}
	/* As Ansible, a file's ":port" counts where it makes the host. */
	fresh = inv_find_host(inv, name) == INV_NONE || a->ld->path == NULL;
	if ((h = inv_host_add(inv, name)) == INV_NONE ||
	    (address != NULL && inv_vars_set(&inv->hosts[h].vars,
	    "ansible_host", address, a->why, sizeof a->why) != 0) ||
	    inv_link_host(inv, a->group, h) != 0 ||
	    (a->e->user != NULL && inv_vars_set(&inv->hosts[h].vars,
	    "ansible_user", a->e->user, a->why, sizeof a->why) != 0) ||
	    (a->e->port != NULL && fresh && inv_vars_set_typed(
	    &inv->hosts[h].vars, "ansible_port", a->e->port, INV_INT, a->why,
	    sizeof a->why) != 0))
		return DROVE_E_NOMEM;
	if (a->ld->list && inv->nhosts > n)
		inv->hosts[h].listed = 1;
	/* As Ansible: the vars of a host named as a group go to the group. */
	g = inv_find_group(inv, name);
	vars = g != INV_NONE ? &inv->groups[g].vars : &inv->hosts[h].vars;
	if (a->vars != NULL && (r = yl_vars(a->ld, vars, a->vars)) != 0) {
		a->r = r;
		return r;
	}
	for (i = 0; a->ivars != NULL && i < a->ivars->n; i++)
		if ((r = inv_vars_set_typed(vars, a->ivars->v[i].name,
		    a->ivars->v[i].value, a->ivars->v[i].type, a->why,
		    sizeof a->why)) != 0)
			return r;
	return 0;
}

/*
 * The offset of the first byte of s that is not printable UTF-8 (a control
 * character, C1 included, or a bad sequence), or -1 when there is none.
 */
long
inv_bad_text(const char *s, int tabs)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned int c;
	int i, n;

	while (*p != '\0') {
		n = *p < 0x80 ? 0 : *p >= 0xc2 && *p <= 0xdf ? 1 :
		    *p >= 0xe0 && *p <= 0xef ? 2 : *p >= 0xf0 && *p <= 0xf4 ?
		    3 : -1;
		if (n < 0 || (*p < 0x20 && !(tabs && *p == '\t')) || *p == 0x7f)
			return (long)(p - (const unsigned char *)s);
		c = n == 0 ? *p : *p & (0x3f >> n);
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (long)(p - (const unsigned char *)s);
			c = c << 6 | (p[i] & 0x3f);
		}
		if ((n == 1 && c < 0xa0) || (n == 2 && (c < 0x800 ||
		    (c >= 0xd800 && c <= 0xdfff))) || (n == 3 &&
		    (c < 0x10000 || c > 0x10ffff)))
			return (long)(p - (const unsigned char *)s);
		p += n + 1;
	}
	return -1;
}

/* Add the hosts of entry text s to group g (see inventory.h). */
int
inv_entry_add(struct inv_load *ld, size_t g, const char *s, yaml_node_t *vars,
    const struct inv_vars *ivars, const yaml_mark_t *m, size_t colshift)
{
	struct entry e;
	struct add a;
	const char *why;
	char *copy;
	size_t off;
	long bad;
	int r;

	if ((bad = inv_bad_text(s, 0)) >= 0)
		return inv_load_err(ld, m, colshift + (size_t)bad, "expected "
		    "printable UTF-8 in host entry, found byte 0x%02x",
		    (unsigned char)s[bad]);
	if ((copy = strdup(s)) == NULL)
		return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	memset(&a, 0, sizeof a);
	a.ld = ld;
	a.group = g;
	a.e = &e;
	a.vars = vars;
	a.ivars = ivars;
	if ((why = entry_parse(copy, &e, &off, a.why, sizeof a.why)) != NULL) {
		r = inv_load_err(ld, m, colshift + off, "%s", why);
		goto out;
	}
	r = range_expand(e.name, 0, entry_host, &a, a.why, sizeof a.why);
	if (r == DROVE_E_INVENTORY && a.r == 0)
		r = inv_load_err(ld, m, colshift + (size_t)(e.name - copy), "%s",
		    a.why);
	else if (r == DROVE_E_NOMEM)
		r = err_set(ld->err, DROVE_E_NOMEM, "out of memory");
 out:
	free(copy);
	return r;
}

/* "a scalar", "a sequence" or "a mapping". */
static const char *
yl_kind(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return "a sequence";
	if (n->type == YAML_MAPPING_NODE)
		return "a mapping";
	return "a scalar";
}

/* Whether n is a YAML null: empty, "~" or "null" unquoted. */
static int
yl_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return *v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* The text of a scalar node, or NULL for other nodes. */
static const char *
yl_text(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE)
		return NULL;
	return (const char *)n->data.scalar.value;
}

/* Append a pair to the list. */
static int
ypairs_add(struct ypairs *p, yaml_node_t *k, yaml_node_t *v)
{
	if (inv_grow(&p->v, p->n, &p->cap, sizeof *p->v) != 0)
		return DROVE_E_NOMEM;
	p->v[p->n].k = k;
	p->v[p->n++].v = v;
	return 0;
}

static int	yl_pairs(struct inv_load *, yaml_node_t *, struct ypairs *, int);

/* Append the pairs merged in by the value of a "<<" key. */
static int
yl_merge(struct inv_load *ld, yaml_node_t *v, struct ypairs *out, int depth)
{
	yaml_node_item_t *it;
	yaml_node_t *m;
	int r;

	if (v->type == YAML_MAPPING_NODE)
		return yl_pairs(ld, v, out, depth + 1);
	if (v->type != YAML_SEQUENCE_NODE)
		return inv_load_err(ld, &v->start_mark, 0, "expected a mapping to "
		    "merge, found %s", yl_kind(v));
	for (it = v->data.sequence.items.top;
	    it > v->data.sequence.items.start; it--) {
		m = yaml_document_get_node(ld->doc, it[-1]);
		if (m->type != YAML_MAPPING_NODE)
			return inv_load_err(ld, &m->start_mark, 0, "expected a "
			    "mapping to merge, found %s", yl_kind(m));
		if ((r = yl_pairs(ld, m, out, depth + 1)) != 0)
			return r;
	}
	return 0;
}

/*
 * The pairs of mapping n with merge keys applied as PyYAML does: merged
 * pairs first (the last of a merged list first), then n's own, so that when
 * later pairs override earlier ones n's own win.
 */
static int
yl_pairs(struct inv_load *ld, yaml_node_t *n, struct ypairs *out, int depth)
{
	yaml_node_pair_t *p;
	yaml_node_t *k;
	int pass, r, merge;

	if (depth > INV_MAX_DEPTH)
		return inv_load_err(ld, &n->start_mark, 0, "merge keys nested too "
		    "deeply");
	for (pass = 0; pass < 2; pass++) {
		for (p = n->data.mapping.pairs.start;
		    p < n->data.mapping.pairs.top; p++) {
			k = yaml_document_get_node(ld->doc, p->key);
			merge = k->type == YAML_SCALAR_NODE &&
			    k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
			    strcmp(yl_text(k), "<<") == 0;
			if (pass == 0 && merge)
				r = yl_merge(ld, yaml_document_get_node(
				    ld->doc, p->value), out, depth);
			else if (pass == 1 && !merge)
				r = ypairs_add(out, k, yaml_document_get_node(
				    ld->doc, p->value));
			else
				r = 0;
			if (r == DROVE_E_NOMEM)
				return err_set(ld->err, r, "out of memory");
			if (r != 0)
				return r;
		}
	}
	return 0;
}

/* Whether a scalar can be written in flow text without quotes. */
static int
yl_plain(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && strchr("_./+-", *s) == NULL)
			return 0;
	return 1;
}

/* Whether n is a "!vault" scalar. */
static int
yl_vaulted(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE && n->tag != NULL &&
	    strcmp((const char *)n->tag, "!vault") == 0;
}

/*
 * The type Ansible gives scalar n: an explicit !!int, !!float, !!bool or
 * !!null, else YAML 1.1's reading of a plain scalar; quoted, "!unsafe",
 * "!!str" (ytag_strings) and other scalars are text.
 */
static int
yl_type(const yaml_node_t *n)
{
	static const struct {
		const char	*tag;
		int		 type;
	} tags[] = {
		{ YAML_INT_TAG, INV_INT }, { YAML_FLOAT_TAG, INV_FLOAT },
		{ YAML_BOOL_TAG, INV_BOOL }, { YAML_NULL_TAG, INV_NULL },
	};
	const char *t = (const char *)n->tag;
	size_t i;

	if (yl_vaulted(n))
		return INV_VAULT;
	if (t != NULL && strcmp(t, "!unsafe") == 0)
		return INV_UNSAFE;
	for (i = 0; t != NULL && i < sizeof tags / sizeof tags[0]; i++)
		if (strcmp(t, tags[i].tag) == 0)
			return tags[i].type;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    (t != NULL && strcmp(t, YAML_STR_TAG) != 0))
		return INV_STR;
	return val_plain(yl_text(n));
}

/*
 * Write node n as JSON text with Ansible's types: scalars typed as
 * yl_type() says, a mapping's keys as text (as Python's json writes them).
 */
static int
yl_json(struct inv_load *ld, yaml_node_t *n, struct buf *b, int depth,
    int key)
{
	struct ypairs ps = { NULL, 0, 0 };
	yaml_node_item_t *it;
	struct buf k;
	size_t i;
	int r = DROVE_E_NOMEM;

	if (depth > INV_MAX_DEPTH)
		return inv_load_err(ld, &n->start_mark, 0, "value nested too deeply");
	if (n->type == YAML_SCALAR_NODE && key && yl_type(n) != INV_STR &&
	    yl_type(n) != INV_UNSAFE) {
		buf_init(&k);
		if ((r = val_json(&k, yl_type(n), yl_text(n))) == 0)
			r = val_json_str(b, k.data, k.len);
		buf_release(&k);
		return r;
	}
	if (n->type == YAML_SCALAR_NODE)
		return val_json(b, key ? INV_STR : yl_type(n), yl_text(n));
	if (key)
		return inv_load_err(ld, &n->start_mark, 0, "expected a scalar "
		    "key, found %s", yl_kind(n));
	if (n->type == YAML_SEQUENCE_NODE) {
		if (buf_puts(b, "[") != 0)
			return r;
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			if ((it > n->data.sequence.items.start &&
			    buf_puts(b, ", ") != 0) || (r = yl_json(ld,
			    yaml_document_get_node(ld->doc, *it), b,
			    depth + 1, 0)) != 0)
				return r;
		}
		return buf_puts(b, "]");
	}
	if ((r = yl_pairs(ld, n, &ps, depth + 1)) != 0 ||
	    (r = buf_puts(b, "{")) != 0)
		goto out;
	for (i = 0; i < ps.n; i++) {
		if ((i > 0 && (r = buf_puts(b, ", ")) != 0) ||
		    (r = yl_json(ld, ps.v[i].k, b, depth + 1, 1)) != 0 ||
		    (r = buf_puts(b, ": ")) != 0 ||
		    (r = yl_json(ld, ps.v[i].v, b, depth + 1, 0)) != 0)
			goto out;
	}
	r = buf_puts(b, "}");
 out:
	free(ps.v);
	return r;
}

/* Read a mapping of vars into vars. */
static int
yl_vars(struct inv_load *ld, struct inv_vars *vars, yaml_node_t *n)
{
	struct ypairs ps = { NULL, 0, 0 };
	struct buf b;
	const char *name;
	char why[256];
	size_t i;
	int r;

	buf_init(&b);
	if ((r = yl_pairs(ld, n, &ps, 0)) != 0)
		goto out;
	for (i = 0; i < ps.n; i++) {
		if ((name = yl_text(ps.v[i].k)) == NULL) {
			r = inv_load_err(ld, &ps.v[i].k->start_mark, 0, "expected a "
			    "var name, found %s", yl_kind(ps.v[i].k));
			goto out;
		}
		b.len = 0;
		if (ps.v[i].v->type == YAML_SCALAR_NODE)
			r = inv_vars_set_typed(vars, name, yl_text(ps.v[i].v),
			    yl_type(ps.v[i].v), why, sizeof why);
		else if ((r = yl_json(ld, ps.v[i].v, &b, 0, 0)) == 0)
			r = inv_vars_set_typed(vars, name, b.data, INV_JSON,
			    why, sizeof why);
		if (r == DROVE_E_INVENTORY)
			r = inv_load_err(ld, &ps.v[i].v->start_mark, 0, "%s", why);
		if (r != 0)
			goto out;
	}
 out:
	if (r == DROVE_E_NOMEM)
		err_set(ld->err, r, "out of memory");
	buf_release(&b);
	free(ps.v);
	return r;
}

/* Read the mapping n of a group, checking it is null or a mapping. */
static int
yl_mapping(struct inv_load *ld, yaml_node_t *n, struct ypairs *ps,
    const char *what, const char *name)
{
	if (yl_null(n))
		return 0;
	if (n->type != YAML_MAPPING_NODE)
		return inv_load_err(ld, &n->start_mark, 0, "expected a mapping %s "
		    "'%s', found %s", what, name, yl_kind(n));
	return yl_pairs(ld, n, ps, 0);
}

static int	yl_group(struct inv_load *, yaml_node_t *, yaml_node_t *, size_t);

/* Add the hosts of entry node k to group g, with vars v (or NULL). */
static int
yl_host(struct inv_load *ld, size_t g, yaml_node_t *k, yaml_node_t *v)
{
	return inv_entry_add(ld, g, yl_text(k), v, NULL, &k->start_mark, 0);
}

/* Whether text s reads as an integer or a float in YAML 1.1. */
static int
yl_numeric(const char *s)
{
	int t = val_plain(s);

	return t == INV_INT || t == INV_FLOAT;
}

/*
 * Whether n is a plain scalar that YAML 1.1 (PyYAML, so Ansible) reads as
 * an integer or a float.
 */
static int
yl_number(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	    yl_numeric(yl_text(n));
}

/* Read the hosts: mapping of group g. */
static int
yl_hosts(struct inv_load *ld, size_t g, yaml_node_t *n)
{
	struct ypairs ps = { NULL, 0, 0 };
	const char *gname = ld->inv->groups[g].name, *name;
	yaml_node_t *v;
	size_t i;
	int r;

	if (n->type == YAML_SCALAR_NODE && !yl_null(n))
		return yl_host(ld, g, n, NULL);
	if ((r = yl_mapping(ld, n, &ps, "of hosts in group", gname)) != 0)
		goto out;
	for (i = 0; i < ps.n; i++) {
		v = ps.v[i].v;
		if (yl_number(ps.v[i].k)) {
			r = inv_load_err(ld, &ps.v[i].k->start_mark, 0, "host "
			    "name %s reads as a number: quote it, as Ansible "
			    "asks", yl_text(ps.v[i].k));
			goto out;
		}
		if ((name = yl_text(ps.v[i].k)) == NULL) {
			r = inv_load_err(ld, &ps.v[i].k->start_mark, 0, "expected a "
			    "host name in group '%s', found %s",
			    ld->inv->groups[g].name, yl_kind(ps.v[i].k));
			goto out;
		}
		if (!yl_null(v) && v->type != YAML_MAPPING_NODE) {
			r = inv_load_err(ld, &v->start_mark, 0, "expected a mapping "
			    "of vars for host '%s', found %s", name,
			    yl_kind(v));
			goto out;
		}
		if ((r = yl_host(ld, g, ps.v[i].k, yl_null(v) ? NULL : v)) != 0)
			goto out;
	}
 out:
	free(ps.v);
	return r;
}

/* Read a mapping of groups, children of group parent (INV_NONE: top). */
static int
yl_groups(struct inv_load *ld, yaml_node_t *n, size_t parent)
{
	struct ypairs ps = { NULL, 0, 0 };
	size_t i;
	int r;

	if (parent == INV_NONE && yl_null(n))
		return 0;
	if (parent == INV_NONE && n->type != YAML_MAPPING_NODE)
		return inv_load_err(ld, &n->start_mark, 0, "expected a mapping of "
		    "groups, found %s", yl_kind(n));
	if (parent != INV_NONE && n->type == YAML_SCALAR_NODE && !yl_null(n))
		return yl_group(ld, n, NULL, parent);
	if (parent != INV_NONE)
		r = yl_mapping(ld, n, &ps, "of groups in children of",
		    ld->inv->groups[parent].name);
	else
		r = yl_pairs(ld, n, &ps, 0);
	for (i = 0; r == 0 && i < ps.n; i++)
		r = yl_group(ld, ps.v[i].k, ps.v[i].v, parent);
	free(ps.v);
	return r;
}

/* The index of group name, added when new; INV_NONE on ENOMEM. */
size_t
inv_group_new(struct inv_load *ld, const char *name)
{
	drove_inventory *inv = ld->inv;
	size_t g;

	if ((g = inv_group_add(inv, name)) == INV_NONE)
		return INV_NONE;
	if (inv->ngroups > ld->nmark) {
		free(ld->mark);
		ld->nmark = 2 * inv->ngroups;
		if ((ld->mark = calloc(ld->nmark, sizeof *ld->mark)) == NULL)
			return INV_NONE;
	}
	ld->gen++;
	return g;
}

/*
 * Take ansible_group_priority out of group g's inventory vars: as in
 * Ansible it orders sibling groups and is no var.  A bad value is an error
 * at m.
 */
int
inv_priority(struct inv_load *ld, size_t g, const yaml_mark_t *m)
{
	struct inv_vars *vars = &ld->inv->groups[g].vars;
	const char *v;
	char *end;
	long p;
	size_t i;

	for (i = 0; i < vars->n; i++)
		if (strcmp(vars->v[i].name, "ansible_group_priority") == 0)
			break;
	if (i == vars->n)
		return 0;
	v = vars->v[i].value;
	errno = 0;
	p = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0)
		return inv_load_err(ld, m, 0, "bad ansible_group_priority "
		    "'%s' for group '%s': expected an integer", v,
		    ld->inv->groups[g].name);
	ld->inv->groups[g].priority = p;
	free(vars->v[i].name);
	free(vars->v[i].value);
	memmove(&vars->v[i], &vars->v[i + 1], (--vars->n - i) *
	    sizeof *vars->v);
	return 0;
}

/* Read group k: v (NULL: empty), a child of parent (INV_NONE: of all). */
static int
yl_group(struct inv_load *ld, yaml_node_t *k, yaml_node_t *v, size_t parent)
{
	struct ypairs ps = { NULL, 0, 0 };
	drove_inventory *inv = ld->inv;
	const char *name, *key;
	size_t g, i;
	int r = DROVE_E_NOMEM;

	if ((name = yl_text(k)) == NULL || *name == '\0')
		return inv_load_err(ld, &k->start_mark, 0, "expected a group name, "
		    "found %s", name == NULL ? yl_kind(k) : "an empty name");
	if ((g = inv_group_new(ld, name)) == INV_NONE)
		return err_set(ld->err, r, "out of memory");
	if (parent != INV_NONE && inv_is_ancestor(ld, g, parent))
		return inv_load_err(ld, &k->start_mark, 0, "group '%s' cannot be a "
		    "child of '%s': it is its ancestor", name,
		    inv->groups[parent].name);
	if (parent != INV_NONE && inv_link_group(inv, parent, g) != 0)
		return err_set(ld->err, r, "out of memory");
	if (v != NULL && (r = yl_mapping(ld, v, &ps, "for group", name)) != 0)
		goto out;
	for (i = 0; i < ps.n; i++) {
		if ((key = yl_text(ps.v[i].k)) == NULL) {
			r = inv_load_err(ld, &ps.v[i].k->start_mark, 0, "expected "
			    "hosts, children or vars in group '%s', found %s",
			    inv->groups[g].name, yl_kind(ps.v[i].k));
		} else if (strcmp(key, "hosts") == 0)
			r = yl_hosts(ld, g, ps.v[i].v);
		else if (strcmp(key, "children") == 0)
			r = yl_groups(ld, ps.v[i].v, g);
		else if (strcmp(key, "vars") == 0 && yl_null(ps.v[i].v))
			r = 0;
		else if (strcmp(key, "vars") == 0 &&
		    ps.v[i].v->type != YAML_MAPPING_NODE)
			r = inv_load_err(ld, &ps.v[i].v->start_mark, 0, "expected a "
			    "mapping for vars of group '%s', found %s",
			    inv->groups[g].name, yl_kind(ps.v[i].v));
		else if (strcmp(key, "vars") == 0) {
			if ((r = yl_vars(ld, &inv->groups[g].vars,
			    ps.v[i].v)) == 0)
				r = inv_priority(ld, g,
				    &ps.v[i].v->start_mark);
		}
		else
			r = inv_load_err(ld, &ps.v[i].k->start_mark, 0, "unknown key "
			    "'%s' in group '%s': expected hosts, children or "
			    "vars", key, inv->groups[g].name);
		if (r != 0)
			goto out;
	}
 out:
	free(ps.v);
	return r;
}

/*
 * Check the tags of every node: YAML's own, "!vault" on a scalar and
 * "!unsafe" (a plain string here) are known; any other is an error, as in
 * Ansible.
 */
static int
yl_tags(struct inv_load *ld, yaml_document_t *doc)
{
	const yaml_node_t *n;
	const char *t;

	for (n = doc->nodes.start; n < doc->nodes.top; n++) {
		t = (const char *)n->tag;
		if (t == NULL || strncmp(t, YAML_DEFAULT_SCALAR_TAG, 18) == 0 ||
		    strcmp(t, "!unsafe") == 0 || (strcmp(t, "!vault") == 0 &&
		    n->type == YAML_SCALAR_NODE))
			continue;
		return inv_load_err(ld, &n->start_mark, 0, "unknown YAML tag "
		    "'%s'%s", t, strcmp(t, "!vault") == 0 ? " on a "
		    "collection: expected a scalar" : "");
	}
	return 0;
}

/*
 * Parse YAML text into doc and set ld->doc, checking its tags; on success
 * the caller deletes doc.
 */
static int
yl_parse(struct inv_load *ld, const char *text, size_t len,
    yaml_document_t *doc)
{
	yaml_parser_t parser;
	int r;

	if (!yaml_parser_initialize(&parser))
		return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    len);
	if (!yaml_parser_load(&parser, doc)) {
		r = err_set(ld->err, DROVE_E_INVENTORY, "%s:%zu:%zu: %s",
		    ld->path, parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1, parser.problem != NULL ?
		    parser.problem : "bad YAML");
		yaml_parser_delete(&parser);
		return r;
	}
	yaml_parser_delete(&parser);
	ld->doc = doc;
	if (ytag_strings(doc, text, len) != 0)
		r = err_set(ld->err, DROVE_E_NOMEM, "out of memory");
	else
		r = yl_tags(ld, doc);
	if (r != 0)
		yaml_document_delete(doc);
	return r;
}

/* Load YAML text into ld->inv. */
static int
yaml_load(struct inv_load *ld, const char *text, size_t len)
{
	yaml_document_t doc;
	yaml_node_t *root;
	int r;

	if ((r = yl_parse(ld, text, len, &doc)) != 0)
		return r;
	root = yaml_document_get_root_node(&doc);
	r = root != NULL ? yl_groups(ld, root, INV_NONE) : 0;
	yaml_document_delete(&doc);
	return r;
}

/*
 * Decrypt vault text with the inventory's vault password into *plain (to
 * wipe and free); an error at m naming what when there is no password or
 * it does not decrypt.
 */
static int
inv_unvault(struct inv_load *ld, const char *text, const yaml_mark_t *m,
    const char *what, char **plain)
{
	const char *why;
	size_t len;
	int r;

	*plain = NULL;
	if (ld->vault_pw == NULL)
		return inv_load_err(ld, m, 0, "%s is vault-encrypted: give "
		    "--vault-password-file FILE or --ask-vault-pass", what);
	r = vault_decrypt(text, ld->vault_pw, ld->vault_pwlen, plain, &len,
	    &why);
	if (r == DROVE_E_NOMEM)
		return err_set(ld->err, r, "out of memory");
	if (r != 0)
		return inv_load_err(ld, m, 0, "cannot decrypt %s: %s", what,
		    why);
	return 0;
}

/* Read a whole file into b; a vault-encrypted file is decrypted. */
static int
inv_read_plain(struct inv_load *ld, const char *path, struct buf *b)
{
	yaml_mark_t m;
	char *plain = NULL, what[300];
	int r;

	if ((r = inv_read(ld->err, path, b)) != 0 || !vault_is(b->data))
		return r;
	memset(&m, 0, sizeof m);
	snprintf(what, sizeof what, "file '%s'", path);
	if ((r = inv_unvault(ld, b->data, &m, what, &plain)) != 0)
		return r;
	explicit_bzero(b->data, b->len);
	b->len = 0;
	r = buf_puts(b, plain);
	explicit_bzero(plain, strlen(plain));
	free(plain);
	return r != 0 ? err_set(ld->err, r, "out of memory") : 0;
}

/* Read a YAML file of vars (group_vars/, host_vars/) into vars. */
int
inv_vars_load(struct inv_load *ld, struct inv_vars *vars, const char *path)
{
	yaml_document_t doc;
	yaml_node_t *root;
	struct buf b;
	const char *saved = ld->path;
	int r;

	buf_init(&b);
	ld->path = path;
	if (ld->vault_pw == NULL && (r = inv_read(ld->err, path, &b)) == 0 &&
	    vault_is(b.data)) {
		/* As Ansible: an error only for the hosts that use it. */
		if (vars->locked == NULL &&
		    (vars->locked = strdup(path)) == NULL)
			r = err_set(ld->err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	if (r != 0 || (ld->vault_pw != NULL &&
	    (r = inv_read_plain(ld, path, &b)) != 0) ||
	    (r = yl_parse(ld, b.data, b.len, &doc)) != 0)
		goto out;
	root = yaml_document_get_root_node(&doc);
	if (root != NULL && !yl_null(root) && root->type != YAML_MAPPING_NODE)
		r = inv_load_err(ld, &root->start_mark, 0, "expected a mapping "
		    "of vars, found %s", yl_kind(root));
	else if (root != NULL && !yl_null(root))
		r = yl_vars(ld, vars, root);
	yaml_document_delete(&doc);
 out:
	ld->path = saved;
	if (b.data != NULL)
		explicit_bzero(b.data, b.len);
	buf_release(&b);
	return r;
}

/*
 * Whether the file at path holding text is YAML rather than INI (see the
 * top of the file).
 */
static int
inv_is_yaml(const char *path, const char *text)
{
	const char *s = text, *e, *p, *ext = strrchr(path, '.');

	if (ext != NULL && strchr(ext, '/') == NULL)
		if (strcmp(ext, ".yml") == 0 || strcmp(ext, ".yaml") == 0 ||
		    strcmp(ext, ".json") == 0 || strcmp(ext, ".ini") == 0)
			return strcmp(ext, ".ini") != 0;
	for (;;) {
		s += strspn(s, " \t\r\n");
		if (*s != '#' && *s != ';')
			break;
		if ((s = strchr(s, '\n')) == NULL)
			return 0;
	}
	if (*s == '\0')
		return 1;
	if (*s == '[')
		return 0;
	if (strncmp(s, "---", 3) == 0 || *s == '%' || *s == '{' ||
	    strncmp(s, "- ", 2) == 0)
		return 1;
	e = s + strcspn(s, "\r\n#");
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	for (p = s; p + 1 < e; p++)
		if (*p == ':' && (p[1] == ' ' || p[1] == '\t'))
			return 1;
	return e > s && e[-1] == ':' && !inv_is_ipv6(s, (size_t)(e - s));
}

/* Read a whole file into b. */
static int
inv_read(struct drove_err *err, const char *path, struct buf *b)
{
	char chunk[65536];
	size_t n;
	FILE *f;
	int r = 0;

	if ((f = fopen(path, "r")) == NULL)
		return err_set(err, DROVE_E_IO, "cannot open '%s': %s",
		    path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		if ((r = buf_append(b, chunk, n)) != 0)
			break;
	if (r == 0 && ferror(f))
		r = err_set(err, DROVE_E_IO, "cannot read '%s': %s",
		    path, strerror(errno));
	else if (r != 0)
		r = err_set(err, r, "out of memory");
	fclose(f);
	if (r == 0 && buf_reserve(b, 0) != 0)
		r = err_set(err, DROVE_E_NOMEM, "out of memory");
	else if (r == 0)
		b->data[b->len] = '\0';
	return r;
}

/* Replace inv's contents by those of the copy it was loaded into. */
void
inv_commit(drove_inventory *inv, drove_inventory *copy)
{
	inv_depths(copy);
	inv_release(inv);
	copy->err = inv->err;
	copy->ssh = inv->ssh;
	copy->pool = inv->pool;
	copy->vault_pw = inv->vault_pw;
	copy->vault_pwlen = inv->vault_pwlen;
	*inv = *copy;
	free(copy);
	err_clear(&inv->err);
}

/* Load a YAML inventory or a plain host list, adding nothing on failure. */
int
drove_inventory_load(drove_inventory *inv, const char *path)
{
	struct inv_load ld;
	struct buf b;
	char *dir = NULL;
	int r;

	if (inv == NULL || path == NULL)
		return DROVE_E_INVAL;
	memset(&ld, 0, sizeof ld);
	buf_init(&b);
	ld.err = &inv->err;
	ld.path = path;
	ld.files = INV_FILES_INV;
	ld.vault_pw = inv->vault_pw;
	ld.vault_pwlen = inv->vault_pwlen;
	if ((ld.inv = inv_clone(inv)) == NULL) {
		r = err_set(&inv->err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	if ((r = inv_read_plain(&ld, path, &b)) != 0)
		goto out;
	if (inv_is_yaml(path, b.data))
		r = yaml_load(&ld, b.data, b.len);
	else
		r = ini_load(&ld, b.data);
	if (r == 0 && (dir = strdup(path)) == NULL)
		r = err_set(&inv->err, DROVE_E_NOMEM, "out of memory");
	if (r == 0)
		r = varsdir_load(&ld, dirname(dir));
	if (r == 0) {
		inv_commit(inv, ld.inv);
		ld.inv = NULL;
	}
 out:
	drove_inventory_free(ld.inv);
	free(ld.mark);
	free(dir);
	if (b.data != NULL)
		explicit_bzero(b.data, b.len);
	buf_release(&b);
	return r;
}

/*
 * Read the group_vars/ and host_vars/ of dir (beside a playbook), adding
 * nothing on failure.
 */
int
drove_inventory_load_vars(drove_inventory *inv, const char *dir)
{
	struct inv_load ld;
	int r;

	if (inv == NULL || dir == NULL)
		return DROVE_E_INVAL;
	memset(&ld, 0, sizeof ld);
	ld.err = &inv->err;
	ld.path = dir;
	ld.files = INV_FILES_PLAY;
	ld.vault_pw = inv->vault_pw;
	ld.vault_pwlen = inv->vault_pwlen;
	if ((ld.inv = inv_clone(inv)) == NULL)
		return err_set(&inv->err, DROVE_E_NOMEM, "out of memory");
	if ((r = varsdir_load(&ld, dir)) == 0) {
		inv_commit(inv, ld.inv);
		ld.inv = NULL;
	}
	drove_inventory_free(ld.inv);
	free(ld.mark);
	return r;
}

/* Set the password that decrypts vaulted values and files; NULL: none. */
int
drove_inventory_set_vault_password(drove_inventory *inv, const char *pw,
    size_t len)
{
	char *copy = NULL;

	if (inv == NULL)
		return DROVE_E_INVAL;
	if (pw != NULL && (copy = malloc(len + 1)) == NULL)
		return err_set(&inv->err, DROVE_E_NOMEM, "out of memory");
	if (copy != NULL) {
		memcpy(copy, pw, len);
		copy[len] = '\0';
	}
	if (inv->vault_pw != NULL) {
		explicit_bzero(inv->vault_pw, inv->vault_pwlen);
		free(inv->vault_pw);
	}
	inv->vault_pw = copy;
	inv->vault_pwlen = copy != NULL ? len : 0;
	return 0;
}

/* Add comma-separated [user@]host[:port] entries, adding nothing on error. */
int
drove_inventory_add_list(drove_inventory *inv, const char *list)
{
	struct inv_load ld;
	yaml_mark_t m;
	char *copy = NULL, *s, *p;
	int depth = 0, r = DROVE_E_NOMEM;

	if (inv == NULL || list == NULL)
		return DROVE_E_INVAL;
	memset(&ld, 0, sizeof ld);
	memset(&m, 0, sizeof m);
	ld.err = &inv->err;
	ld.list = 1;
	if ((copy = strdup(list)) == NULL ||
	    (ld.inv = inv_clone(inv)) == NULL) {
		err_set(&inv->err, r, "out of memory");
		goto out;
	}
	for (s = p = copy; ; p++) {
		depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
		if ((*p != ',' || depth != 0) && *p != '\0')
			continue;
		m.column = (size_t)(s - copy);
		if (p == s) {
			r = inv_load_err(&ld, &m, 0, "expected a host name");
			goto out;
		}
		if (*p == '\0') {
			r = inv_entry_add(&ld, INV_ALL, s, NULL, NULL, &m, 0);
			break;
		}
		*p = '\0';
		if ((r = inv_entry_add(&ld, INV_ALL, s, NULL, NULL, &m, 0)) != 0)
			goto out;
		s = p + 1;
	}
	if (r == 0) {
		inv_commit(inv, ld.inv);
		ld.inv = NULL;
	}
 out:
	drove_inventory_free(ld.inv);
	free(copy);
	return r;
}

/* Order groups by depth, priority, then name: later ones win. */
static int
inv_group_cmp(const void *a, const void *b, void *arg)
{
	const drove_inventory *inv = arg;
	const struct inv_group *ga = &inv->groups[*(const size_t *)a];
	const struct inv_group *gb = &inv->groups[*(const size_t *)b];

	if (ga->depth != gb->depth)
		return ga->depth < gb->depth ? -1 : 1;
	if (ga->priority != gb->priority)
		return ga->priority < gb->priority ? -1 : 1;
	return strcmp(ga->name, gb->name);
}

/* Add group g and its ancestors to the set. */
static int
inv_ancestors(const drove_inventory *inv, size_t g, struct inv_idx *set)
{
	size_t i;

	if (inv_idx_has(set, g))
		return 0;
	if (inv_idx_add(set, g) != 0)
		return DROVE_E_NOMEM;
	for (i = 0; i < inv->groups[g].parents.n; i++)
		if (inv_ancestors(inv, inv->groups[g].parents.v[i], set) != 0)
			return DROVE_E_NOMEM;
	return 0;
}

/* Every group of host h, sorted by precedence, lowest first. */
static int
inv_chain(const drove_inventory *inv, size_t h, struct inv_idx *set)
{
	const struct inv_host *host = &inv->hosts[h];
	size_t i, ug = inv_ungrouped_group(inv);

	memset(set, 0, sizeof *set);
	if (inv_ancestors(inv, INV_ALL, set) != 0)
		return DROVE_E_NOMEM;
	if (ug != INV_NONE && inv_ungrouped(inv, h) &&
	    inv_ancestors(inv, ug, set) != 0)
		return DROVE_E_NOMEM;
	for (i = 0; i < host->groups.n; i++)
		if (inv_ancestors(inv, host->groups.v[i], set) != 0)
			return DROVE_E_NOMEM;
	qsort_r(set->v, set->n, sizeof *set->v, inv_group_cmp,
	    (void *)inv);
	return 0;
}

/*
 * The k-th set of vars of host h, highest precedence first, with where it
 * came from; NULL after the last.  As Ansible ranks them: the host's
 * host_vars/ beside the playbook, then beside the inventory, the host's
 * inventory vars, the groups' group_vars/ (beside the playbook, then the
 * inventory; deepest group first, all last), then the groups' inventory
 * vars (all last).  chain is inv_chain()'s, all first.
 */
static const struct inv_vars *
inv_layer(const drove_inventory *inv, size_t h, const struct inv_idx *chain,
    size_t k, const char **src, const char **where)
{
	static const char *const hsrc[] = { "host_vars", "playbook host_vars" };
	static const char *const gsrc[] = { "group_vars",
	    "playbook group_vars" };
	size_t n = chain->n, f;

	*where = inv->hosts[h].name;
	if (k < INV_NFILES) {
		f = INV_NFILES - 1 - k;
		*src = hsrc[f];
		return &inv->hosts[h].fvars[f];
	}
	if ((k -= INV_NFILES) == 0) {
		*src = "host";
		return &inv->hosts[h].vars;
	}
	k--;
	if (k < INV_NFILES * n) {
		f = INV_NFILES - 1 - k / n;
		k %= n;
		*src = gsrc[f];
		*where = inv->groups[chain->v[n - 1 - k]].name;
		return &inv->groups[chain->v[n - 1 - k]].fvars[f];
	}
	if ((k -= INV_NFILES * n) < n) {
		*src = "group";
		*where = inv->groups[chain->v[n - 1 - k]].name;
		return &inv->groups[chain->v[n - 1 - k]].vars;
	}
	return NULL;
}

/* One resolved var and where its value came from. */
struct res {
	const char	*name;
	const char	*value;
	int		 type;		/* INV_* */
	struct inv_var	*var;		/* the inventory's, or NULL */
	const char	*src;		/* "host", "group", "ssh_config", ... */
	const char	*where;		/* host, group or file name */
	unsigned	 line;
};

struct resv {
	struct res	*v;
	size_t		 n;
	size_t		 cap;
	const char	*locked;	/* the first vars file of the host's
					   left encrypted, or NULL */
};

/* The resolved value of name, or NULL. */
static const char *
res_get(const struct resv *rv, const char *name)
{
	size_t i;

	for (i = 0; i < rv->n; i++)
		if (strcmp(rv->v[i].name, name) == 0)
			return rv->v[i].value;
	return NULL;
}

/* The resolved value of name unless unset or empty (a null), else NULL. */
static const char *
res_nonempty(const struct resv *rv, const char *name)
{
	const char *v = res_get(rv, name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* Find host h's value of var after precedence into *res; 0 if unset. */
static int
inv_find_var(const drove_inventory *inv, size_t h, const char *var,
    struct res *res)
{
	const struct inv_vars *vars;
	struct inv_idx chain;
	const char *canon, *src, *where;
	size_t k, i;
	int found = 0;

	if (inv == NULL || var == NULL || h >= inv->nhosts ||
	    inv_chain(inv, h, &chain) != 0)
		return 0;
	canon = inv_var_canon(var);
	for (k = 0; !found && (vars = inv_layer(inv, h, &chain, k, &src,
	    &where)) != NULL; k++)
		for (i = 0; !found && i < vars->n; i++)
			if (strcmp(vars->v[i].name, canon) == 0) {
				found = 1;
				res->name = vars->v[i].name;
				res->value = vars->v[i].value;
				res->type = vars->v[i].type;
				res->var = (struct inv_var *)&vars->v[i];
				res->src = src;
				res->where = where;
				res->line = 0;
			}
	free(chain.v);
	return found;
}

static int	inv_plain(const drove_inventory *, size_t, struct res *);

/* The host's value of var after precedence (a vaulted one decrypted), or
 * NULL. */
const char *
drove_inventory_var(const drove_inventory *inv, size_t host, const char *var)
{
	struct res res;

	if (!inv_find_var(inv, host, var, &res) ||
	    inv_plain(inv, host, &res) != 0)
		return NULL;
	return res.value;
}

/* Whether the host's value of var after precedence is a null. */
int
drove_inventory_var_is_null(const drove_inventory *inv, size_t host,
    const char *var)
{
	struct res res;

	return inv_find_var(inv, host, var, &res) && res.type == INV_NULL;
}

/* Whether the host's value of var after precedence is vaulted. */
int
drove_inventory_var_is_vaulted(const drove_inventory *inv, size_t host,
    const char *var)
{
	struct res res;

	return inv_find_var(inv, host, var, &res) && res.type == INV_VAULT;
}

/* Add name unless it is resolved already. */
static int
res_add(struct resv *rv, const char *name, const char *value, int type,
    const char *src, const char *where, unsigned line)
{
	if (res_get(rv, name) != NULL)
		return 0;
	if (inv_grow(&rv->v, rv->n, &rv->cap, sizeof *rv->v) != 0)
		return DROVE_E_NOMEM;
	rv->v[rv->n].name = name;
	rv->v[rv->n].value = value;
	rv->v[rv->n].type = type;
	rv->v[rv->n].var = NULL;
	rv->v[rv->n].src = src;
	rv->v[rv->n].where = where;
	rv->v[rv->n++].line = line;
	return 0;
}

/* Add every var of a set. */
static int
res_vars(struct resv *rv, const struct inv_vars *vars, const char *src,
    const char *where)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		if (res_get(rv, vars->v[i].name) != NULL)
			continue;
		if (res_add(rv, vars->v[i].name, vars->v[i].value,
		    vars->v[i].type, src, where, 0) != 0)
			return DROVE_E_NOMEM;
		/* Lookups decrypt vaulted values into the var on first use. */
		rv->v[rv->n - 1].var = (struct inv_var *)&vars->v[i];
	}
	return 0;
}

/* sshcfg_lookup() callback: add a value from ssh_config (a port is a
 * number). */
static int
res_ssh(const char *var, const char *value, const char *file, unsigned line,
    void *arg)
{
	return res_add(arg, var, value, strcmp(var, "ansible_port") == 0 ?
	    INV_INT : INV_STR, "ssh_config", file, line);
}

/* Keep s in the inventory's pool; NULL when out of memory. */
static const char *
inv_keep(const drove_inventory *inv, char *s)
{
	struct inv_pool *p = inv->pool;

	if (s == NULL || inv_grow(&p->v, p->n, &p->cap, sizeof *p->v) != 0) {
		free(s);
		return NULL;
	}
	return p->v[p->n++] = s;
}

/* The local user's name. */
static const char *
inv_local_user(void)
{
	struct passwd *pw;
	const char *u = getenv("USER");

	if (u != NULL && *u != '\0')
		return u;
	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_name;
	return "root";
}

/* Replace the %-tokens of the path vars ssh_config gave. */
static int
res_expand(const drove_inventory *inv, struct resv *rv, const char *host)
{
	const char *user = res_get(rv, "ansible_user");
	const char *port = res_get(rv, "ansible_port");
	char *s;
	size_t i;

	for (i = 0; i < rv->n; i++) {
		if (strcmp(rv->v[i].src, "ssh_config") != 0 ||
		    strchr(rv->v[i].value, '%') == NULL)
			continue;
		if (sshcfg_expand(rv->v[i].value, host, user != NULL ? user :
		    inv_local_user(), port != NULL ? port : "22", &s) != 0 ||
		    (rv->v[i].value = inv_keep(inv, s)) == NULL)
			return DROVE_E_NOMEM;
	}
	return 0;
}

/*
 * Every var of host h after precedence: the host's, its groups' (deepest
 * first), ssh_config's for the name ssh would be given (ansible_host or the
 * host's name), then, when defaults is set, the built-in port and user.
 */
static int
inv_resolve(const drove_inventory *inv, size_t h, int defaults,
    struct resv *rv)
{
	const struct inv_vars *vars;
	struct inv_idx chain;
	const char *host, *src, *where;
	size_t k;
	int r;

	memset(rv, 0, sizeof *rv);
	if ((r = inv_chain(inv, h, &chain)) != 0)
		goto out;
	for (k = 0; (vars = inv_layer(inv, h, &chain, k, &src, &where)) !=
	    NULL; k++) {
		if (vars->locked != NULL && rv->locked == NULL)
			rv->locked = vars->locked;
		if ((r = res_vars(rv, vars, src, where)) != 0)
			goto out;
	}
	if ((host = res_get(rv, "ansible_host")) == NULL)
		host = inv->hosts[h].name;
	if ((r = sshcfg_lookup(inv->ssh, host, res_ssh, rv)) != 0)
		goto out;
	if ((r = res_expand(inv, rv, res_get(rv, "ansible_host") != NULL ?
	    res_get(rv, "ansible_host") : host)) != 0)
		goto out;
	if (defaults && ((r = res_add(rv, "ansible_port", "22", INV_INT,
	    "default", NULL, 0)) != 0 || (r = res_add(rv, "ansible_user",
	    inv_local_user(), INV_STR, "default", NULL, 0)) != 0))
		goto out;
 out:
	free(chain.v);
	return r;
}

/* The vars a connection reads. */
static const char *const inv_conn[] = { "ansible_host", "ansible_port",
    "ansible_user", "ansible_password", "ansible_ssh_private_key_file",
    "password_env", "ansible_become", "ansible_become_method",
    "ansible_become_password", "ansible_become_user", "become_password_env",
    "ssh_certificate_file", "ssh_connect_timeout",
    "ssh_server_alive_interval", "ssh_user_known_hosts_file",
    "ssh_strict_host_key_checking", "ssh_identities_only",
    "ssh_proxy_jump", "ssh_proxy_command" };

/* Whether name is a var a connection reads. */
static int
inv_is_conn(const char *name)
{
	size_t c;

	for (c = 0; c < sizeof inv_conn / sizeof inv_conn[0]; c++)
		if (strcmp(name, inv_conn[c]) == 0)
			return 1;
	return 0;
}

/*
 * Decrypt the vaulted value of resolved var res for host h in place (the
 * plaintext is kept in the var, wiped on free), as Ansible does when a
 * value is used: an error naming the host, the var and the option without
 * a password, or when the password does not decrypt it.  The inventory's
 * error and the vars' decrypted texts change, though it is lent const:
 * lookups are made from one thread.
 */
static int
inv_plain(const drove_inventory *cinv, size_t h, struct res *res)
{
	drove_inventory *inv = (drove_inventory *)cinv;
	struct inv_var *var = res->var;
	const char *why;
	size_t len;
	int r;

	if (res->type != INV_VAULT || var == NULL)
		return 0;
	if (var->plain == NULL && inv->vault_pw == NULL)
		return err_set(&inv->err, DROVE_E_INVENTORY, "host %s: %s "
		    "(%s %s) is vault-encrypted: give --vault-password-file "
		    "FILE or --ask-vault-pass", inv->hosts[h].name, res->name,
		    res->src, res->where);
	if (var->plain == NULL &&
	    (r = vault_decrypt(var->value, inv->vault_pw, inv->vault_pwlen,
	    &var->plain, &len, &why)) != 0)
		return r == DROVE_E_NOMEM ? err_set(&inv->err, r,
		    "out of memory") : err_set(&inv->err, DROVE_E_INVENTORY,
		    "host %s: cannot decrypt %s (%s %s): %s",
		    inv->hosts[h].name, res->name, res->src, res->where, why);
	res->value = var->plain;
	res->type = INV_STR;
	return 0;
}

/*
 * An error when a vars file of host h was left vault-encrypted (no
 * password): its vars are unknown, as in Ansible, which fails the hosts
 * that use such a file.
 */
static int
inv_locked(const drove_inventory *cinv, size_t h, const struct resv *rv)
{
	drove_inventory *inv = (drove_inventory *)cinv;

	if (rv->locked == NULL)
		return 0;
	return err_set(&inv->err, DROVE_E_INVENTORY, "host %s: file '%s' is "
	    "vault-encrypted: give --vault-password-file FILE or "
	    "--ask-vault-pass", inv->hosts[h].name, rv->locked);
}

/* Fill spec with the host's connection settings. */
int
drove_inventory_hostspec(const drove_inventory *inv, size_t host,
    struct drove_hostspec *spec)
{
	struct resv rv;
	const char *port, *env, *v;
	size_t i;
	int r = DROVE_E_INVAL;

	memset(&rv, 0, sizeof rv);
	if (spec != NULL)
		memset(spec, 0, sizeof *spec);
	if (inv == NULL || spec == NULL || host >= inv->nhosts)
		return r;
	if ((r = inv_resolve(inv, host, 0, &rv)) != 0 ||
	    (r = inv_locked(inv, host, &rv)) != 0)
		goto out;
	for (i = 0; i < rv.n; i++)
		if (inv_is_conn(rv.v[i].name) &&
		    (r = inv_plain(inv, host, &rv.v[i])) != 0)
			goto out;
	spec->name = inv->hosts[host].name;
	spec->address = res_nonempty(&rv, "ansible_host");
	if (spec->address == NULL)
		spec->address = spec->name;
	if ((port = res_nonempty(&rv, "ansible_port")) != NULL)
		spec->port = inv_port(port);
	spec->user = res_nonempty(&rv, "ansible_user");
	spec->key = res_nonempty(&rv, "ansible_ssh_private_key_file");
	spec->cert = res_nonempty(&rv, "ssh_certificate_file");
	spec->password = res_get(&rv, "ansible_password");
	if (spec->password == NULL &&
	    (env = res_get(&rv, "password_env")) != NULL)
		spec->password = getenv(env);
	if ((v = res_get(&rv, "ssh_connect_timeout")) != NULL && atol(v) > 0)
		spec->connect_timeout_ms = (unsigned int)atol(v) * 1000;
	if ((v = res_get(&rv, "ssh_server_alive_interval")) != NULL &&
	    atol(v) > 0)
		spec->keepalive_s = (unsigned int)atol(v);
	spec->known_hosts = res_get(&rv, "ssh_user_known_hosts_file");
	spec->hostkey_check = res_get(&rv, "ssh_strict_host_key_checking");
	if ((v = res_get(&rv, "ssh_identities_only")) != NULL)
		spec->identities_only = strcasecmp(v, "yes") == 0;
	spec->become = res_get(&rv, "ansible_become");
	spec->become_user = res_get(&rv, "ansible_become_user");
	spec->become_method = res_get(&rv, "ansible_become_method");
	spec->become_password = res_get(&rv, "ansible_become_password");
	if (spec->become_password == NULL &&
	    (env = res_get(&rv, "become_password_env")) != NULL)
		spec->become_password = getenv(env);
 out:
	free(rv.v);
	return r;
}

/*
 * Decrypt the vaulted values the hosts need: the vars a connection reads,
 * or every var when every is set; an error naming the host and the var
 * when one cannot be.
 */
int
drove_inventory_check_vault(drove_inventory *inv, const size_t *hosts,
    size_t n, int every)
{
	struct resv rv;
	size_t i, k;
	int r = 0;

	if (inv == NULL || (hosts == NULL && n > 0))
		return DROVE_E_INVAL;
	for (i = 0; r == 0 && i < n; i++) {
		if (hosts[i] >= inv->nhosts)
			return DROVE_E_INVAL;
		if ((r = inv_resolve(inv, hosts[i], 0, &rv)) != 0)
			r = err_set(&inv->err, r, "out of memory");
		else
			r = inv_locked(inv, hosts[i], &rv);
		for (k = 0; r == 0 && k < rv.n; k++)
			if (every || inv_is_conn(rv.v[k].name))
				r = inv_plain(inv, hosts[i], &rv.v[k]);
		free(rv.v);
	}
	return r;
}

/*
 * Call fn with every resolved var of the host and where it came from, the
 * value as JSON when json is set.
 */
static int
inv_each_var(const drove_inventory *inv, size_t host, int json,
    drove_var_cb *fn, void *arg)
{
	struct resv rv;
	struct buf b;
	char src[1024];
	size_t i;
	int r;

	if (inv == NULL || fn == NULL || host >= inv->nhosts)
		return DROVE_E_INVAL;
	buf_init(&b);
	if ((r = inv_resolve(inv, host, 1, &rv)) != 0 ||
	    (r = inv_locked(inv, host, &rv)) != 0)
		goto out;
	for (i = 0; r == 0 && i < rv.n; i++) {
		if (rv.v[i].where == NULL)
			snprintf(src, sizeof src, "%s", rv.v[i].src);
		else if (rv.v[i].line > 0)
			snprintf(src, sizeof src, "%s %s:%u", rv.v[i].src,
			    rv.v[i].where, rv.v[i].line);
		else
			snprintf(src, sizeof src, "%s %s", rv.v[i].src,
			    rv.v[i].where);
		b.len = 0;
		if (json && (r = val_json(&b, rv.v[i].type,
		    rv.v[i].value)) != 0)
			break;
		/* Text: a vaulted value decrypted when it can be. */
		if (!json && inv_plain(inv, host, &rv.v[i]) != 0)
			err_clear((struct drove_err *)&inv->err);
		r = fn(rv.v[i].name, json ? b.data : rv.v[i].value, src, arg);
	}
 out:
	buf_release(&b);
	free(rv.v);
	return r;
}

/* Call fn with every resolved var of the host and where it came from. */
int
drove_inventory_each_var(const drove_inventory *inv, size_t host,
    drove_var_cb *fn, void *arg)
{
	return inv_each_var(inv, host, 0, fn, arg);
}

/* drove_inventory_each_var() with each value as typed JSON. */
int
drove_inventory_each_var_json(const drove_inventory *inv, size_t host,
    drove_var_cb *fn, void *arg)
{
	return inv_each_var(inv, host, 1, fn, arg);
}

/* Read an OpenSSH client config (NULL: ~/.ssh/config, when present). */
int
drove_inventory_load_ssh_config(drove_inventory *inv, const char *path)
{
	struct sshcfg *cfg;
	char *def = NULL;
	const char *home = getenv("HOME");
	int r;

	if (inv == NULL)
		return DROVE_E_INVAL;
	if ((cfg = sshcfg_new()) == NULL)
		return err_set(&inv->err, DROVE_E_NOMEM, "out of memory");
	if (path == NULL && asprintf(&def, "%s/.ssh/config",
	    home != NULL ? home : "") < 0) {
		sshcfg_free(cfg);
		return err_set(&inv->err, DROVE_E_NOMEM, "out of memory");
	}
	if ((r = sshcfg_load(cfg, path != NULL ? path : def,
	    path == NULL)) != 0) {
		err_set(&inv->err, r, "%s", sshcfg_error(cfg));
		sshcfg_free(cfg);
	} else {
		sshcfg_free(inv->ssh);
		inv->ssh = cfg;
	}
	free(def);
	return r;
}

/* The number of groups, all included. */
size_t
drove_inventory_group_count(const drove_inventory *inv)
{
	return inv != NULL ? inv->ngroups : 0;
}

/* The name of a group, or NULL when out of range. */
const char *
drove_inventory_group_name(const drove_inventory *inv, size_t group)
{
	if (inv == NULL || group >= inv->ngroups)
		return NULL;
	return inv->groups[group].name;
}

/* Whether group g is a child of all, linked or for want of parents. */
static int
inv_top(const drove_inventory *inv, size_t g)
{
	return g != INV_ALL && (inv->groups[g].parents.n == 0 ||
	    inv_idx_has(&inv->groups[g].parents, INV_ALL));
}

/* How many hosts a group holds, its children's included. */
size_t
drove_inventory_group_size(const drove_inventory *inv, size_t group)
{
	struct inv_idx x;
	size_t n = 0;

	if (inv == NULL || group >= inv->ngroups)
		return 0;
	if (group == INV_ALL)
		return inv->nhosts;
	if (inv_group_hosts(inv, group, &x) == 0)
		n = x.n;
	free(x.v);
	return n;
}

/*
 * Write s as a YAML scalar: plain when safe and read back as text, else
 * double-quoted.
 */
static void
yw_scalar(FILE *f, const char *s)
{
	if (yl_plain(s) && (isalnum((unsigned char)*s) || *s == '/' ||
	    *s == '_') && val_plain(s) == INV_STR) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fprintf(f, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/*
 * Write a value of type as YAML that loads back with the same type: a
 * scalar as written when YAML reads it so, else as its JSON; lists and
 * mappings as their JSON (YAML flow text); a vaulted value tagged !vault.
 */
static void
yw_value(FILE *f, const struct inv_var *var)
{
	struct buf b;
	const char *e;

	if (var->type == INV_STR || var->type == INV_VAULT ||
	    var->type == INV_UNSAFE) {
		fputs(var->type == INV_VAULT ? "!vault " :
		    var->type == INV_UNSAFE ? "!unsafe " : "", f);
		yw_scalar(f, var->value);
		return;
	}
	if (var->type == INV_NULL) {
		fputs("~", f);
		return;
	}
	if (var->type != INV_JSON && val_plain(var->value) == var->type) {
		fputs(var->value, f);
		return;
	}
	buf_init(&b);
	if (val_json(&b, var->type, var->value) != 0)
		fputs("~", f);
	else if (var->type == INV_FLOAT && strpbrk(b.data, "IN") != NULL)
		fputs(*b.data == '-' ? "-.inf" : *b.data == 'N' ? ".nan" :
		    ".inf", f);
	else if (var->type == INV_FLOAT && strchr(b.data, '.') == NULL &&
	    (e = strchr(b.data, 'e')) != NULL)
		fprintf(f, "%.*s.0%s", (int)(e - b.data), b.data, e);
	else
		fputs(b.data, f);
	buf_release(&b);
}

/* Write vars as a block mapping at indent ind. */
static void
yw_vars(FILE *f, const struct inv_vars *vars, int ind)
{
	size_t i;

	for (i = 0; i < vars->n; i++) {
		fprintf(f, "%*s", ind, "");
		yw_scalar(f, vars->v[i].name);
		fputs(": ", f);
		yw_value(f, &vars->v[i]);
		fputc('\n', f);
	}
}

/* The state of one YAML export. */
struct yw {
	const drove_inventory	*inv;
	FILE			*f;
	char			*hdone;		/* host vars written */
	char			*gdone;		/* group body written */
};

/* Write host h at indent ind, with its vars the first time. */
static void
yw_host(struct yw *w, size_t h, int ind)
{
	const struct inv_host *host = &w->inv->hosts[h];

	fprintf(w->f, "%*s", ind, "");
	yw_scalar(w->f, host->name);
	fputs(":\n", w->f);
	if (!w->hdone[h])
		yw_vars(w->f, &host->vars, ind + 2);
	w->hdone[h] = 1;
}

/* Write group g's body (vars, hosts, children) at indent ind, once. */
static void
yw_group(struct yw *w, size_t g, int ind)
{
	const drove_inventory *inv = w->inv;
	const struct inv_group *gr = &inv->groups[g];
	size_t i, k;

	if (w->gdone[g])
		return;
	w->gdone[g] = 1;
	if (gr->vars.n > 0) {
		fprintf(w->f, "%*svars:\n", ind, "");
		yw_vars(w->f, &gr->vars, ind + 2);
	}
	for (i = k = 0; i < inv->nhosts; i++) {
		if (g == INV_ALL ? !inv_ungrouped(inv, i) &&
		    !inv_idx_has(&inv->hosts[i].groups, INV_ALL) :
		    !inv_idx_has(&inv->hosts[i].groups, g))
			continue;
		if (k++ == 0)
			fprintf(w->f, "%*shosts:\n", ind, "");
		yw_host(w, i, ind + 2);
	}
	for (i = k = 0; i < inv->ngroups; i++) {
		if (g == INV_ALL ? !inv_top(inv, i) :
		    !inv_idx_has(&gr->children, i))
			continue;
		if (k++ == 0)
			fprintf(w->f, "%*schildren:\n", ind, "");
		fprintf(w->f, "%*s", ind + 2, "");
		yw_scalar(w->f, inv->groups[i].name);
		fputs(":\n", w->f);
		yw_group(w, i, ind + 4);
	}
}

/* Write the inventory as Ansible YAML under "all:". */
int
drove_inventory_write_yaml(const drove_inventory *inv, void *file)
{
	struct yw w;
	int r = DROVE_E_NOMEM;

	if (inv == NULL || file == NULL)
		return DROVE_E_INVAL;
	w.inv = inv;
	w.f = file;
	w.hdone = calloc(inv->nhosts + 1, 1);
	w.gdone = calloc(inv->ngroups, 1);
	if (w.hdone != NULL && w.gdone != NULL) {
		fputs("all:\n", w.f);
		yw_group(&w, INV_ALL, 2);
		r = fflush(w.f) != 0 || ferror(w.f) ? DROVE_E_IO : 0;
	}
	free(w.hdone);
	free(w.gdone);
	return r;
}
