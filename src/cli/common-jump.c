/*
 * common-jump.c: how each host is reached: directly, through a chain of
 * jump hosts (-J, ProxyJump) or through a proxy command (ProxyCommand).
 *
 * Where it comes from, first found wins: -J on the command line; -J,
 * -o ProxyJump=... or -o ProxyCommand=... in the host's
 * ansible_ssh_extra_args, then ansible_ssh_common_args (as Ansible
 * inventories set bastions per group); the host's ssh_proxy_jump, then
 * ssh_proxy_command (inventory vars, or ProxyJump and ProxyCommand from
 * ssh_config).  "none" means directly.  A jump host is looked up like any
 * host: by its name in the inventory, else in ssh_config; a user or port
 * written in the chain wins.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "cli/cmd.h"

#define ROUTE_MAX_HOPS	8

struct route {
	const struct common_opts *o;
	drove_inventory		*hopinv;	/* jump hosts not in the inv */
	char			*cached;	/* the chain hops[] were made for */
	struct drove_hostspec	 hops[ROUTE_MAX_HOPS];
	/* the hops' name, address, user and key: adding a jump host to the
	 * hop inventory moves what an earlier one lent */
	char			*strs[ROUTE_MAX_HOPS][4];
	size_t			 nhops;
	drove_inventory		*first_inv;	/* where hops[0] was found */
	size_t			 first_idx;
	char			*jump;		/* this host's chain, or NULL */
	char			*command;	/* its proxy command, or NULL */
	char			*source;
	char			*hopcmd;	/* hops[0]'s own ProxyCommand */
};

/* The vars a host's route may come from, with their sources. */
struct route_vars {
	const char	*name[4];
	char		*value[4];
	char		*source[4];
};

static const char *const route_var_names[4] = {
	"ansible_ssh_extra_args", "ansible_ssh_common_args",
	"ssh_proxy_jump", "ssh_proxy_command"
};

/* Make the route finder for a command's options. */
struct route *
route_new(const struct common_opts *o)
{
	struct route *r;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	r->o = o;
	return r;
}

/* Forget the route of the last host. */
static void
route_clear(struct route *r)
{
	free(r->jump);
	free(r->command);
	free(r->source);
	r->jump = r->command = r->source = NULL;
}

/* Forget the hops made for the last chain. */
static void
route_clear_hops(struct route *r)
{
	size_t i;

	size_t j;

	for (i = 0; i < ROUTE_MAX_HOPS; i++)
		for (j = 0; j < 4; j++) {
			free(r->strs[i][j]);
			r->strs[i][j] = NULL;
		}
	free(r->cached);
	free(r->hopcmd);
	r->cached = r->hopcmd = NULL;
	r->nhops = 0;
}

/* Free the route finder. */
void
route_free(struct route *r)
{
	if (r == NULL)
		return;
	route_clear(r);
	route_clear_hops(r);
	drove_inventory_free(r->hopinv);
	free(r);
}

/* Collect the vars a route may come from. */
static int
route_var_cb(const char *name, const char *value, const char *source,
    void *arg)
{
	struct route_vars *rv = arg;
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(name, route_var_names[i]) == 0 &&
		    rv->value[i] == NULL) {
			rv->value[i] = strdup(value);
			rv->source[i] = strdup(source);
		}
	return 0;
}

/*
 * Split s into words as a POSIX shell would (quotes and backslashes, no
 * expansions), as Ansible splits its ssh args; NULL-terminated, in one
 * allocation the caller frees; NULL when out of memory.
 */
static char **
shell_words(const char *s)
{
	size_t n = strlen(s), cap = n / 2 + 2, nw = 0;
	char **w, *out;
	int q = 0, inword = 0;

	if ((w = malloc(cap * sizeof *w + n + 1)) == NULL)
		return NULL;
	out = (char *)(w + cap);
	for (; *s != '\0'; s++) {
		if (q == 0 && isspace((unsigned char)*s)) {
			if (inword)
				*out++ = '\0';
			inword = 0;
			continue;
		}
		if (!inword) {
			w[nw++] = out;
			inword = 1;
		}
		if (q == 0 && (*s == '\'' || *s == '"'))
			q = *s;
		else if (q != 0 && *s == q)
			q = 0;
		else if (*s == '\\' && q != '\'' && s[1] != '\0')
			*out++ = *++s;
		else
			*out++ = *s;
	}
	if (inword)
		*out = '\0';
	w[nw] = NULL;
	return w;
}

/* Find -J X, -o ProxyJump=X or -o ProxyCommand=X in ssh args; the value
 * (malloc'd) and whether it is a command, or NULL. */
static char *
args_route(const char *args, int *is_command)
{
	char **w, *v = NULL, *o;
	const char *val;
	size_t i, k;

	*is_command = 0;
	if ((w = shell_words(args)) == NULL)
		return NULL;
	for (i = 0; w[i] != NULL && v == NULL; i++) {
		if (strncmp(w[i], "-J", 2) == 0) {
			val = w[i][2] != '\0' ? w[i] + 2 : w[i + 1];
			if (val != NULL)
				v = strdup(val);
			continue;
		}
		if (strncmp(w[i], "-o", 2) != 0)
			continue;
		if ((o = w[i][2] != '\0' ? w[i] + 2 : w[i + 1]) == NULL)
			break;
		k = strcspn(o, "= \t");
		val = o + k + strspn(o + k, "= \t");
		if (k == 9 && strncasecmp(o, "ProxyJump", 9) == 0)
			v = strdup(val);
		else if (k == 12 && strncasecmp(o, "ProxyCommand", 12) == 0) {
			v = strdup(val);
			*is_command = 1;
		}
	}
	free(w);
	return v;
}

/* The index of the host called name in inv, or -1. */
static long
find_host(const drove_inventory *inv, const char *name)
{
	size_t i, n = drove_inventory_count(inv);

	for (i = 0; i < n; i++)
		if (strcmp(drove_inventory_name(inv, i), name) == 0)
			return (long)i;
	return -1;
}

/* Keep a copy of s in *own and point *field at it. */
static int
route_keep(char **own, const char **field, const char *s)
{
	*field = NULL;
	if (s == NULL)
		return 0;
	if ((*own = strdup(s)) == NULL)
		return -1;
	*field = *own;
	return 0;
}

/* Look up one hop "[user@]host[:port]" into r->hops[k]. */
static int
route_hop(struct route *r, drove_inventory *inv, char *text, size_t k)
{
	struct drove_hostspec *spec = &r->hops[k];
	char *user = NULL, *host = text, *p, *end;
	long port = 0, idx;

	if ((p = strrchr(text, '@')) != NULL) {
		*p = '\0';
		user = text;
		host = p + 1;
	}
	if (*host == '[' && (p = strchr(host, ']')) != NULL) {
		*p = '\0';
		host++;
		p = p[1] == ':' ? p + 1 : NULL;
	} else
		p = strrchr(host, ':');
	if (p != NULL) {
		*p = '\0';
		port = strtol(p + 1, &end, 10);
		if (*end != '\0' || port < 1 || port > 65535) {
			fprintf(stderr, "drove: bad port in jump host "
			    "'%s'\n", p + 1);
			return -1;
		}
	}
	if (*host == '\0' || (user != NULL && *user == '\0')) {
		fprintf(stderr, "drove: bad jump host '%s' (expected "
		    "[user@]host[:port])\n", text);
		return -1;
	}
	if ((idx = find_host(inv, host)) < 0) {
		if (r->hopinv == NULL && ((r->hopinv =
		    drove_inventory_new()) == NULL ||
		    drove_inventory_load_ssh_config(r->hopinv,
		    r->o->ssh_config) != 0)) {
			fprintf(stderr, "drove: %s\n", r->hopinv ?
			    drove_inventory_error(r->hopinv) :
			    "out of memory");
			return -1;
		}
		if ((idx = find_host(r->hopinv, host)) < 0) {
			if (drove_inventory_add_list(r->hopinv, host) != 0) {
				fprintf(stderr, "drove: jump host: %s\n",
				    drove_inventory_error(r->hopinv));
				return -1;
			}
			idx = find_host(r->hopinv, host);
		}
		inv = r->hopinv;
	}
	if (idx < 0 || drove_inventory_hostspec(inv, (size_t)idx, spec) != 0) {
		fprintf(stderr, "drove: jump host %s: %s\n", host,
		    drove_inventory_error(inv));
		return -1;
	}
	if (user == NULL && r->o->user != NULL && drove_inventory_var(inv,
	    (size_t)idx, "ansible_user") == NULL)
		user = (char *)r->o->user;
	if (route_keep(&r->strs[k][0], &spec->name, spec->name) != 0 ||
	    route_keep(&r->strs[k][1], &spec->address, spec->address) != 0 ||
	    route_keep(&r->strs[k][2], &spec->user, user != NULL ? user :
	    spec->user) != 0 ||
	    route_keep(&r->strs[k][3], &spec->key, spec->key) != 0) {
		fprintf(stderr, "drove: out of memory\n");
		return -1;
	}
	if (port > 0)
		spec->port = (int)port;
	spec->jump = k > 0 ? &r->hops[k - 1] : NULL;
	if (k == 0) {
		r->first_inv = inv;
		r->first_idx = (size_t)idx;
	}
	return 0;
}

/* Make r->hops for a chain "hop1,hop2,...". */
static int
route_build(struct route *r, drove_inventory *inv, const char *chain)
{
	char *copy, *s, *next;
	size_t k = 0;
	int rc = -1;

	route_clear_hops(r);
	if ((copy = strdup(chain)) == NULL)
		return -1;
	for (s = copy; s != NULL; s = next) {
		if ((next = strchr(s, ',')) != NULL)
			*next++ = '\0';
		if (k == ROUTE_MAX_HOPS) {
			fprintf(stderr, "drove: more than %d jump hosts in "
			    "'%s'\n", ROUTE_MAX_HOPS, chain);
			goto out;
		}
		r->nhops = k + 1;
		if (route_hop(r, inv, s, k++) != 0)
			goto out;
	}
	rc = 0;
 out:
	/* the hops' strings live in the inventories, not in copy */
	free(copy);
	if (rc != 0)
		route_clear_hops(r);
	return rc;
}

/* Release what route_find() kept. */
static void
route_vars_free(struct route_vars *rv)
{
	int i;

	for (i = 0; i < 4; i++) {
		free(rv->value[i]);
		free(rv->source[i]);
	}
}

/*
 * How host idx of inv says it is reached, first found wins: -J, -o
 * ProxyJump or -o ProxyCommand in its ansible_ssh_extra_args, then
 * ansible_ssh_common_args; its ssh_proxy_jump, then ssh_proxy_command.
 * The value (malloc'd; NULL for none or "none"), its source (in rv, which
 * the caller frees) and whether it is a command; -1 on error (printed).
 */
static int
route_find(drove_inventory *inv, size_t idx, struct route_vars *rv,
    char **val, const char **src, int *is_command)
{
	char *found;
	int i;

	*val = NULL;
	*src = NULL;
	*is_command = 0;
	memset(rv, 0, sizeof *rv);
	if (drove_inventory_each_var(inv, idx, route_var_cb, rv) != 0) {
		fprintf(stderr, "drove: %s\n", drove_inventory_error(inv));
		return -1;
	}
	for (i = 0; i < 2 && *val == NULL; i++)
		if (rv->value[i] != NULL && (found = args_route(rv->value[i],
		    is_command)) != NULL) {
			*val = found;
			*src = rv->source[i];
		}
	for (i = 2; i < 4 && *val == NULL; i++)
		if (rv->value[i] != NULL) {
			*val = rv->value[i];
			rv->value[i] = NULL;
			*src = rv->source[i];
			*is_command = i == 3;
		}
	if (*val != NULL && strcasecmp(*val, "none") == 0) {
		free(*val);
		*val = NULL;
	}
	return 0;
}

/*
 * The first jump host's own way in: its ProxyJump (malloc'd, to put
 * before the chain) or NULL, with its ProxyCommand kept for the hop.
 */
static int
route_own(struct route *r, char **jump)
{
	struct route_vars rv;
	const char *src;
	char *val;
	int is_command, rc;

	*jump = NULL;
	rc = route_find(r->first_inv, r->first_idx, &rv, &val, &src,
	    &is_command);
	route_vars_free(&rv);
	if (rc != 0 || val == NULL)
		return rc;
	if (!is_command) {
		*jump = val;
		return 0;
	}
	free(r->hopcmd);
	r->hopcmd = val;
	r->hops[0].proxy_command = val;
	return 0;
}

/*
 * Make r->hops for chain (kept while it repeats); the first jump host's
 * own ProxyJump (inventory or ssh_config) comes before it, as ssh does.
 */
static int
route_chain(struct route *r, drove_inventory *inv, const char *chain)
{
	char *full, *own, *more;
	size_t n;
	int rc, depth;

	if (r->cached != NULL && strcmp(r->cached, chain) == 0)
		return 0;
	if ((full = strdup(chain)) == NULL)
		return -1;
	for (depth = 0; (rc = route_build(r, inv, full)) == 0; depth++) {
		if ((rc = route_own(r, &own)) != 0 || own == NULL)
			break;
		n = strlen(own) + strlen(full) + 2;
		if (depth == ROUTE_MAX_HOPS || (more = malloc(n)) == NULL) {
			fprintf(stderr, "drove: jump hosts of '%s' reach "
			    "through each other: %s\n", chain, own);
			free(own);
			rc = -1;
			break;
		}
		snprintf(more, n, "%s,%s", own, full);
		free(own);
		free(full);
		full = more;
	}
	free(full);
	if (rc != 0 || (r->cached = strdup(chain)) == NULL) {
		route_clear_hops(r);
		return -1;
	}
	return 0;
}

/* Find how host is reached; set spec->jump or spec->proxy_command. */
int
route_host(struct route *r, drove_inventory *inv, size_t host,
    struct drove_hostspec *spec)
{
	struct route_vars rv;
	const char *src = NULL;
	char *val = NULL;
	int is_command = 0, rc = -1;

	route_clear(r);
	memset(&rv, 0, sizeof rv);
	if (r->o->jump != NULL) {
		if ((val = strdup(r->o->jump)) == NULL)
			goto out;
		src = "the command line (-J)";
	} else if (route_find(inv, host, &rv, &val, &src, &is_command) != 0)
		goto out;
	rc = 0;
	if (val == NULL)
		goto out;
	rc = -1;
	if ((r->source = strdup(src)) == NULL)
		goto out;
	if (is_command) {
		r->command = val;
		val = NULL;
		spec->proxy_command = r->command;
	} else {
		r->jump = val;
		val = NULL;
		if (route_chain(r, inv, r->jump) != 0)
			goto out;
		spec->jump = &r->hops[r->nhops - 1];
	}
	rc = 0;
 out:
	route_vars_free(&rv);
	free(val);
	return rc;
}

/* The last host's chain or proxy command as text, and its source; NULL
 * for a host reached directly. */
const char *
route_text(const struct route *r, const char **source, int *is_command)
{
	*source = r->source;
	*is_command = r->command != NULL;
	return r->command != NULL ? r->command : r->jump;
}
