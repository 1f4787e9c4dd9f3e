/*
 * inventory.h: the inside of a drove_inventory, shared with pattern.c.
 *
 * Hosts and groups live in arrays and are named by index; each array has an
 * open-addressing hash table from name to index.  Group 0 is "all", which
 * holds every host whether listed in it or not.  A group without parents is
 * a child of all.  Vars are kept per host and per group under their
 * canonical names (see inv_var_canon()); precedence is applied on lookup.
 * Besides the vars the inventory file gives, each host and group has the
 * vars of its host_vars/ or group_vars/ files, one set per place they were
 * read from (beside the inventory, beside the playbook): Ansible ranks
 * every group's file vars above every group's inventory vars.
 */
#ifndef INVENTORY_H
#define INVENTORY_H

#include <regex.h>
#include <stddef.h>

#include "base/err.h"
#include "drove.h"

#define INV_NONE	((size_t)-1)
#define INV_ALL		0

/*
 * The type Ansible gives a var's value (value.c).  The value keeps its text
 * as written for scalars (a null: ""), JSON text for lists and mappings
 * and the ciphertext of a vaulted value.
 */
#define INV_STR		0
#define INV_NULL	1
#define INV_BOOL	2
#define INV_INT		3
#define INV_FLOAT	4
#define INV_JSON	5	/* a list or a mapping */
#define INV_VAULT	6
#define INV_UNSAFE	7	/* text tagged !unsafe */
#define INV_NTYPES	8

struct inv_var {
	char	*name;
	char	*value;
	int	 type;		/* INV_* */
	char	*plain;		/* INV_VAULT: decrypted when first used, or
				   NULL; wiped on free, never copied */
};

struct inv_vars {
	struct inv_var	*v;
	size_t		 n;
	size_t		 cap;
	char		*locked;	/* a vault-encrypted vars file read
					   without the password, or NULL */
};

/* A set of indices, kept in the order added. */
struct inv_idx {
	size_t	*v;
	size_t	 n;
	size_t	 cap;
};

/* Where file vars were read from, lowest precedence first. */
#define INV_FILES_INV	0		/* beside the inventory */
#define INV_FILES_PLAY	1		/* beside the playbook */
#define INV_NFILES	2

/* Hosts and groups start with their name (see inv_add()). */
struct inv_host {
	char		*name;
	struct inv_vars	 vars;
	struct inv_idx	 groups;	/* direct groups */
	struct inv_vars	 fvars[INV_NFILES];	/* host_vars/ */
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
	struct inv_vars	 fvars[INV_NFILES];	/* group_vars/ */
	long		 priority;	/* ansible_group_priority, 1 */
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
	char			*vault_pw;	/* or NULL; wiped on free */
	size_t			 vault_pwlen;
	/* entries of host lists given twice: run once, with a note */
	size_t			 ndups;
	char			 dup[128];	/* the first of them */
	char			 note[256];	/* drove_inventory_note() */
};

struct yaml_document_s;
struct yaml_mark_s;
struct yaml_node_s;

/* The state of one load (inventory.c, ini.c, varsdir.c). */
struct inv_load {
	drove_inventory		*inv;	/* the copy being built */
	struct drove_err	*err;	/* the caller's inventory's */
	const char		*path;
	struct yaml_document_s	*doc;
	unsigned		*mark;	/* per group, for ancestor walks */
	size_t			 nmark;
	unsigned		 gen;
	int			 files;	/* INV_FILES_*, or -1: the inventory */
	int			 list;	/* a host list: user and port count */
	const char		*vault_pw;	/* lent, or NULL */
	size_t			 vault_pwlen;
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
/* Set var name to null; 0 or DROVE_E_NOMEM. */
int	inv_vars_set_null(struct inv_vars *, const char *name);
/* inv_vars_set() with the value's type (INV_*). */
int	inv_vars_set_typed(struct inv_vars *, const char *name,
	    const char *value, int type, char *why, size_t whylen);
drove_inventory *inv_clone(const drove_inventory *);
void	inv_commit(drove_inventory *, drove_inventory *copy);

/* Whether s (len bytes, up to a "%zone") is an IPv6 address. */
int	inv_is_ipv6(const char *s, size_t len);

/*
 * For the loaders.  inv_load_err() sets "path:line:column: message" (line
 * and column of m, 0-based, column moved on by off) and returns
 * DROVE_E_INVENTORY.  inv_entry_add() adds the hosts of one entry
 * ("[user@]name[:port]", ranges) to group g with a mapping node of vars
 * (YAML) or a set of vars (INI), either NULL; a bad entry is an error at m
 * moved on by off.  inv_group_new() adds group name for a loader, growing
 * the ancestor marks.  inv_vars_load() reads a YAML file of vars into vars
 * (a vault-encrypted file is decrypted first).  ini_load() reads INI text
 * (changed in place) into ld->inv.  varsdir_load() reads group_vars/ and
 * host_vars/ of dir for ld->inv's groups and hosts into fvars[ld->files].
 * inv_priority() takes ansible_group_priority out of group g's vars.
 */
int	inv_load_err(struct inv_load *, const struct yaml_mark_s *m,
	    size_t off, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
int	inv_entry_add(struct inv_load *, size_t g, const char *s,
	    struct yaml_node_s *yvars, const struct inv_vars *vars,
	    const struct yaml_mark_s *m, size_t off);
size_t	inv_group_new(struct inv_load *, const char *name);
int	inv_vars_load(struct inv_load *, struct inv_vars *, const char *path);
int	inv_priority(struct inv_load *, size_t g, const struct yaml_mark_s *);
int	ini_load(struct inv_load *, char *text);
/* Whether group a is group b or one of its ancestors; ld->gen++ first. */
int	inv_is_ancestor(struct inv_load *, size_t a, size_t b);
/*
 * The offset of the first byte of s that is not printable UTF-8 (a control
 * character, tabs allowed when tabs is set), or -1 when there is none.
 */
long	inv_bad_text(const char *s, int tabs);
int	varsdir_load(struct inv_load *, const char *dir);

/*
 * The hosts of group g (all included) in Ansible's order: its own, then
 * its descendants' level by level, each once.  0 or DROVE_E_NOMEM.
 */
int	inv_group_hosts(const drove_inventory *, size_t g,
	    struct inv_idx *out);
/* The children of all in Ansible's order: those linked, then the rest. */
int	inv_top_groups(const drove_inventory *, struct inv_idx *out);
/* The explicit "ungrouped" group, or INV_NONE. */
size_t	inv_ungrouped_group(const drove_inventory *);
int	inv_idx_add(struct inv_idx *, size_t i);
int	inv_idx_has(const struct inv_idx *, size_t i);

/*
 * Values (value.c).  val_match() matches s against one of the patterns
 * below (compiled once, safe from any thread), its match in *m unless
 * NULL.  val_plain() is the type YAML 1.1 gives a plain scalar,
 * val_true() whether a boolean's text says true; val_json() appends a
 * value of a type as JSON text and val_json_str() a string; both return 0
 * or DROVE_E_NOMEM.
 */
struct buf;
#define VAL_RX_INT	0	/* a YAML 1.1 integer */
#define VAL_RX_FLOAT	1	/* a YAML 1.1 float */
#define VAL_RX_PY	2	/* starts with a Python number, True, ... */
#define VAL_NRX		3
int	val_match(int rx, const char *s, regmatch_t *m);
int	val_plain(const char *s);
int	val_true(const char *s);
int	val_json(struct buf *, int type, const char *text);
int	val_json_str(struct buf *, const char *s, size_t len);

#endif /* INVENTORY_H */
