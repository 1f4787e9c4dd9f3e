/*
 * order.c: hosts and groups in the order Ansible gives them.
 *
 * Ansible lists a group's hosts by walking its groups level by level: the
 * group itself, its children in the order they were linked, then their
 * children, and so on, taking each group's own hosts in the order they
 * were added and each host once.  For all, the first children are the
 * implicit "ungrouped" (hosts in no other group) and then the groups linked
 * to all, then the groups without parents in the order they were made.
 * Below the first level Ansible walks a Python set, whose order changes
 * with the hash seed; drove walks parents in the order they were reached.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "drove.h"
#include "inventory/inventory.h"

/* The explicit "ungrouped" group, or INV_NONE. */
size_t
inv_ungrouped_group(const drove_inventory *inv)
{
	return inv_find_group(inv, "ungrouped");
}

/* Append h to out unless seen; 0 or DROVE_E_NOMEM. */
static int
order_host(struct inv_idx *out, char *seen, size_t h)
{
	if (seen[h])
		return 0;
	seen[h] = 1;
	return inv_idx_add(out, h);
}

/* The children of all in Ansible's order: those linked, then the rest. */
int
inv_top_groups(const drove_inventory *inv, struct inv_idx *out)
{
	const struct inv_group *all = &inv->groups[INV_ALL];
	size_t i, ug = inv_ungrouped_group(inv);

	memset(out, 0, sizeof *out);
	for (i = 0; i < all->children.n; i++)
		if (all->children.v[i] != ug &&
		    inv_idx_add(out, all->children.v[i]) != 0)
			return DROVE_E_NOMEM;
	for (i = 1; i < inv->ngroups; i++)
		if (i != ug && inv->groups[i].parents.n == 0 &&
		    inv_idx_add(out, i) != 0)
			return DROVE_E_NOMEM;
	return 0;
}

/*
 * Append the ungrouped hosts: those put in the "ungrouped" group (INI's
 * hosts before any section, YAML's explicit group), then the others; a
 * host in any other group is not ungrouped, wherever it was put.
 */
static int
order_ungrouped(const drove_inventory *inv, struct inv_idx *out, char *seen)
{
	size_t i, h, ug = inv_ungrouped_group(inv);

	for (i = 0; ug != INV_NONE && i < inv->groups[ug].hosts.n; i++) {
		h = inv->groups[ug].hosts.v[i];
		if (inv_ungrouped(inv, h) && order_host(out, seen, h) != 0)
			return DROVE_E_NOMEM;
	}
	for (i = 0; i < inv->nhosts; i++)
		if (inv_ungrouped(inv, i) && order_host(out, seen, i) != 0)
			return DROVE_E_NOMEM;
	return 0;
}

/* The hosts of group g in Ansible's order (see the top of the file). */
int
inv_group_hosts(const drove_inventory *inv, size_t g, struct inv_idx *out)
{
	struct inv_idx walk;
	char *seen = NULL, *gseen = NULL;
	size_t i, k, x, c, ug = inv_ungrouped_group(inv);
	int r = DROVE_E_NOMEM;

	memset(out, 0, sizeof *out);
	memset(&walk, 0, sizeof walk);
	if ((seen = calloc(inv->nhosts + 1, 1)) == NULL ||
	    (gseen = calloc(inv->ngroups + 1, 1)) == NULL)
		goto out;
	if (g == INV_ALL) {
		if (inv_top_groups(inv, &walk) != 0)
			goto out;
		if (ug != INV_NONE)
			gseen[ug] = 1;
	} else if (inv_idx_add(&walk, g) != 0)
		goto out;
	gseen[g] = 1;
	for (i = 0; i < walk.n; i++)
		gseen[walk.v[i]] = 1;
	for (i = 0; g != ug && i < inv->groups[g].hosts.n; i++)
		if (order_host(out, seen, inv->groups[g].hosts.v[i]) != 0)
			goto out;
	if ((g == INV_ALL || g == ug) && order_ungrouped(inv, out, seen) != 0)
		goto out;
	for (i = 0; i < walk.n; i++) {
		x = walk.v[i];
		for (k = 0; x != g && k < inv->groups[x].hosts.n; k++)
			if (order_host(out, seen, inv->groups[x].hosts.v[k]) !=
			    0)
				goto out;
		for (k = 0; k < inv->groups[x].children.n; k++) {
			c = inv->groups[x].children.v[k];
			if (gseen[c])
				continue;
			gseen[c] = 1;
			if (inv_idx_add(&walk, c) != 0)
				goto out;
		}
	}
	r = 0;
 out:
	free(walk.v);
	free(seen);
	free(gseen);
	if (r != 0) {
		free(out->v);
		memset(out, 0, sizeof *out);
	}
	return r;
}

/* Hand a copy of the n indices at v to the caller; 0 or DROVE_E_NOMEM. */
static int
idx_give(const size_t *v, size_t n, size_t **out, size_t *nout)
{
	if ((*out = reallocarray(NULL, n + 1, sizeof **out)) == NULL)
		return DROVE_E_NOMEM;
	if (n > 0)
		memcpy(*out, v, n * sizeof *v);
	*nout = n;
	return 0;
}

/* The direct hosts of a group (of all: every host) in order. */
int
drove_inventory_group_hosts(const drove_inventory *inv, size_t group,
    size_t **out, size_t *n)
{
	struct inv_idx x;
	int r;

	*out = NULL;
	*n = 0;
	if (inv == NULL || group >= inv->ngroups)
		return DROVE_E_INVAL;
	if (group != INV_ALL)
		return idx_give(inv->groups[group].hosts.v,
		    inv->groups[group].hosts.n, out, n);
	if ((r = inv_group_hosts(inv, INV_ALL, &x)) == 0)
		r = idx_give(x.v, x.n, out, n);
	free(x.v);
	return r;
}

/* The direct children of a group (of all: ungrouped, then the top). */
int
drove_inventory_group_children(const drove_inventory *inv, size_t group,
    size_t **out, size_t *n)
{
	struct inv_idx top, x;
	size_t ug, i;
	int r;

	*out = NULL;
	*n = 0;
	if (inv == NULL || group >= inv->ngroups)
		return DROVE_E_INVAL;
	if (group != INV_ALL)
		return idx_give(inv->groups[group].children.v,
		    inv->groups[group].children.n, out, n);
	if ((r = inv_top_groups(inv, &top)) != 0)
		return r;
	memset(&x, 0, sizeof x);
	if ((ug = inv_ungrouped_group(inv)) != INV_NONE)
		r = inv_idx_add(&x, ug);
	for (i = 0; r == 0 && i < top.n; i++)
		r = inv_idx_add(&x, top.v[i]);
	if (r == 0)
		r = idx_give(x.v, x.n, out, n);
	free(top.v);
	free(x.v);
	return r;
}

/* Write a JSON list of names under key, when there are any. */
static void
json_names(FILE *f, const char *key, const char *const *names, size_t n,
    int *first)
{
	size_t i;

	if (n == 0)
		return;
	fprintf(f, "%s\"%s\": [", *first ? "" : ", ", key);
	*first = 0;
	for (i = 0; i < n; i++) {
		if (i > 0)
			fputs(", ", f);
		json_write_str(f, names[i], strlen(names[i]));
	}
	fputc(']', f);
}

/* Write one group's entry, when it has hosts or children. */
static void
json_group(FILE *f, const char *name, const char *const *hosts, size_t nh,
    const char *const *kids, size_t nk)
{
	int first = 1;

	if (nh == 0 && nk == 0)
		return;
	fputs(",\n  ", f);
	json_write_str(f, name, strlen(name));
	fputs(": {", f);
	json_names(f, "hosts", hosts, nh, &first);
	json_names(f, "children", kids, nk, &first);
	fputc('}', f);
}

/* Write the groups as `ansible-inventory --list` does, without hostvars. */
int
drove_inventory_write_json(const drove_inventory *inv, void *file)
{
	FILE *f = file;
	struct inv_idx top, ung;
	const char **names = NULL, **kids = NULL;
	size_t i, k, n, ug;
	char *seen = NULL;
	int r = DROVE_E_NOMEM, first = 1;

	if (inv == NULL || f == NULL)
		return DROVE_E_INVAL;
	memset(&ung, 0, sizeof ung);
	if (inv_top_groups(inv, &top) != 0)
		return r;
	ug = inv_ungrouped_group(inv);
	if ((names = calloc(inv->nhosts + 1, sizeof *names)) == NULL ||
	    (kids = calloc(inv->ngroups + 1, sizeof *kids)) == NULL ||
	    (seen = calloc(inv->nhosts + 1, 1)) == NULL)
		goto out;
	kids[0] = "ungrouped";
	for (i = 0; i < top.n; i++)
		kids[i + 1] = inv->groups[top.v[i]].name;
	fputs("{\n  \"all\": {", f);
	json_names(f, "children", kids, top.n + 1, &first);
	fputc('}', f);
	if (order_ungrouped(inv, &ung, seen) != 0)
		goto out;
	for (i = 0; i < ung.n; i++)
		names[i] = inv->hosts[ung.v[i]].name;
	for (k = 0; ug != INV_NONE && k < inv->groups[ug].children.n; k++)
		kids[k] = inv->groups[inv->groups[ug].children.v[k]].name;
	json_group(f, "ungrouped", names, ung.n, kids,
	    ug != INV_NONE ? inv->groups[ug].children.n : 0);
	for (i = 1; i < inv->ngroups; i++) {
		const struct inv_group *g = &inv->groups[i];

		if (i == ug)
			continue;
		for (n = 0; n < g->hosts.n; n++)
			names[n] = inv->hosts[g->hosts.v[n]].name;
		for (k = 0; k < g->children.n; k++)
			kids[k] = inv->groups[g->children.v[k]].name;
		json_group(f, g->name, names, n, kids, k);
	}
	fputs("\n}\n", f);
	r = fflush(f) != 0 || ferror(f) ? DROVE_E_IO : 0;
 out:
	free(top.v);
	free(ung.v);
	free(names);
	free(kids);
	free(seen);
	return r;
}
