/*
 * inventory.h: the inside of a drove_inventory, shared with pattern.c.
 *
 * Hosts and groups live in arrays and are named by index; each array has an
 * open-addressing hash table from name to index.  Group 0 is "all", which
 * holds every host whether listed in it or not.  A group without parents is
 * a child of all.  Vars are kept per host and per group under their
 * canonical names (see inv_var_canon()); precedence is applied on lookup.
 */
#ifndef INVENTORY_H
#define INVENTORY_H

#include <stddef.h>

#include "base/err.h"
#include "drove.h"

#define INV_NONE	((size_t)-1)
#define INV_ALL		0

struct inv_var {
	char	*name;
	char	*value;
};

struct inv_vars {
	struct inv_var	*v;
	size_t		 n;
	size_t		 cap;
};

/* A set of indices, kept in the order added. */
struct inv_idx {
	size_t	*v;
	size_t	 n;
	size_t	 cap;
};

/* Hosts and groups start with their name (see inv_add()). */
struct inv_host {
	char		*name;
	struct inv_vars	 vars;
	struct inv_idx	 groups;	/* direct groups */
	int		 listed;	/* made by a host list (-H, a file):
					   its user and port tell it apart */
};

struct inv_group {
	char		*name;
	struct inv_vars	 vars;
	struct inv_idx	 parents;
	struct inv_idx	 children;
	struct inv_idx	 hosts;		/* direct hosts */
	int		 depth;		/* longest path from all */
};

struct inv_slot {
	const char	*key;
	size_t		 idx;
};

struct inv_map {
	struct inv_slot	*slot;
	size_t		 cap;		/* a power of two, or 0 */
	size_t		 n;
};

/* Strings the inventory made for callers (expanded ssh_config values). */
struct inv_pool {
	char	**v;
	size_t	  n;
	size_t	  cap;
};

struct sshcfg;

struct drove_inventory {
	struct drove_err	 err;
	struct sshcfg		*ssh;		/* ~/.ssh/config, or NULL */
	struct inv_pool		*pool;
	struct inv_host		*hosts;
	size_t			 nhosts;
	size_t			 caphosts;
	struct inv_group	*groups;
	size_t			 ngroups;
	size_t			 capgroups;
	struct inv_map		 hostmap;
	struct inv_map		 groupmap;
	/* entries of host lists given twice: run once, with a note */
	size_t			 ndups;
	char			 dup[128];	/* the first of them */
	char			 note[256];	/* drove_inventory_note() */
};

/* The index of the host or group named name, or INV_NONE. */
size_t	inv_find_host(const drove_inventory *, const char *name);
size_t	inv_find_group(const drove_inventory *, const char *name);

/* Whether host h is in no group other than all. */
int	inv_ungrouped(const drove_inventory *, size_t h);

/*
 * Building blocks for other loaders (store.c).  inv_host_add() and
 * inv_group_add() return the index of the named host or group, added when
 * new, or INV_NONE when out of memory; the link and set functions return 0
 * or DROVE_E_NOMEM (inv_vars_set() also DROVE_E_INVENTORY with a reason in
 * why for a bad value).  A loader works on inv_clone() of the inventory and
 * hands it to inv_commit(), which replaces the inventory's hosts and groups
 * and frees the copy.
 */
size_t	inv_host_add(drove_inventory *, const char *name);
size_t	inv_group_add(drove_inventory *, const char *name);
int	inv_link_host(drove_inventory *, size_t g, size_t h);
int	inv_link_group(drove_inventory *, size_t parent, size_t child);
int	inv_vars_set(struct inv_vars *, const char *name, const char *value,
	    char *why, size_t whylen);
drove_inventory *inv_clone(const drove_inventory *);
void	inv_commit(drove_inventory *, drove_inventory *copy);

/* Whether s (len bytes, up to a "%zone") is an IPv6 address. */
int	inv_is_ipv6(const char *s, size_t len);

#endif /* INVENTORY_H */
