/*
 * common-hosts.c: where a command's hosts come from: the store, the
 * inventories given with -i and -H (or the defaults), and the PATTERN that
 * selects among them.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/cmd-config.h"

/* The hosts sel of inv as a folded list ("web[01-03],db1"), for the
 * history of a rerun; malloc'd, NULL without memory. */
char *
common_fold_hosts(drove_inventory *inv, const size_t *sel, size_t nsel)
{
	const char **names;
	char *folded;
	size_t i;

	if ((names = calloc(nsel + 1, sizeof *names)) == NULL)
		return NULL;
	for (i = 0; i < nsel; i++)
		names[i] = drove_inventory_name(inv, sel[i]);
	folded = drove_hosts_fold(names, nsel);
	free(names);
	return folded;
}

/* Open --db or the default store, creating it. */
drove_store *
common_store(struct common_opts *o)
{
	drove_store *st = NULL;
	char *def = NULL, err[1024];

	if (o->db == NULL && (def = drove_store_default_path()) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return NULL;
	}
	if (drove_store_open(o->db != NULL ? o->db : def, &st, err,
	    sizeof err) != 0)
		fprintf(stderr, "drove: %s\n", err);
	free(def);
	return st;
}

/* Add the store's hosts to inv; 0 or -1 after printing the error. */
static int
common_load_store(struct common_opts *o, drove_inventory *inv)
{
	drove_store *st;
	int r;

	if ((st = common_store(o)) == NULL)
		return -1;
	if ((r = drove_inventory_load_store(inv, st)) != 0)
		fprintf(stderr, "drove: %s\n", drove_inventory_error(inv));
	drove_store_close(st);
	return r != 0 ? -1 : 0;
}

/* Load ssh_config and every inventory source, in order. */
drove_inventory *
common_load(struct common_opts *o)
{
	drove_inventory *inv;
	char *def = NULL;
	int store = o->db != NULL;
	size_t i;

	if ((inv = drove_inventory_new()) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return NULL;
	}
	if (drove_inventory_load_ssh_config(inv, o->ssh_config) != 0)
		goto fail;
	if (common_vault(o, inv) != 0) {
		drove_inventory_free(inv);
		return NULL;
	}
	if (o->ninventories == 0 && o->nadhoc == 0 && !store) {
		if (config_inventory() != NULL)
			common_push(&o->inventories, &o->ninventories,
			    config_inventory());
		else if (access("inventory/hosts.yml", F_OK) == 0)
			common_push(&o->inventories, &o->ninventories,
			    "inventory/hosts.yml");
		else if ((def = drove_store_default_path()) != NULL)
			store = access(def, F_OK) == 0;
		free(def);
	}
	if (store && common_load_store(o, inv) != 0) {
		drove_inventory_free(inv);
		return NULL;
	}
	for (i = 0; i < o->ninventories; i++)
		if (drove_inventory_load(inv, o->inventories[i]) != 0)
			goto fail;
	for (i = 0; i < o->nadhoc; i++)
		if (drove_inventory_add_list(inv, o->adhoc[i]) != 0)
			goto fail;
	if (drove_inventory_note(inv) != NULL)
		fprintf(stderr, "drove: note: %s\n", drove_inventory_note(inv));
	return inv;
 fail:
	fprintf(stderr, "drove: %s\n", drove_inventory_error(inv));
	drove_inventory_free(inv);
	return NULL;
}

/* Load every source and select pattern. */
drove_inventory *
common_inventory(struct common_opts *o, const char *pattern, size_t **sel,
    size_t *nsel)
{
	drove_inventory *inv;

	if ((inv = common_load(o)) == NULL)
		return NULL;
	if (drove_inventory_count(inv) == 0) {
		fprintf(stderr, "drove: no hosts: give an inventory with -i "
		    "FILE or hosts with -H host1,host2, or import one with "
		    "'drove inventory import FILE'\n");
		drove_inventory_free(inv);
		return NULL;
	}
	if (drove_inventory_select(inv, pattern, sel, nsel) != 0 ||
	    drove_inventory_check_vault(inv, *sel, *nsel, 0) != 0) {
		fprintf(stderr, "drove: %s\n", drove_inventory_error(inv));
		free(*sel);
		*sel = NULL;
		drove_inventory_free(inv);
		return NULL;
	}
	return inv;
}
