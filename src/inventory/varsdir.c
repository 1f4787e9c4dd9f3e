/*
 * varsdir.c: group_vars/ and host_vars/ beside an inventory or a playbook,
 * found as Ansible's host_group_vars plugin finds them.
 *
 * For a group or host NAME, the first of NAME, NAME.yml, NAME.yaml and
 * NAME.json that exists is read: a file, or a directory whose files are
 * read in sorted order, going into subdirectories without an extension,
 * taking files with no extension or one of those three, skipping names
 * that start with '.' or end with '~'.  Later files override earlier ones.
 * Files hold a YAML mapping of vars and may be vault-encrypted.  The vars
 * go to the host's or group's file vars of the place read (ld->files); the
 * group "ungrouped" is made when group_vars/ has a file for it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/err.h"
#include "drove.h"
#include "inventory/inventory.h"

static const char *const vd_exts[] = { "", ".yml", ".yaml", ".json" };

/* Whether a file name's extension (after its last '.') is taken. */
static int
vd_ext_ok(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	if (dot == NULL || dot == name)
		return 1;
	for (i = 1; i < sizeof vd_exts / sizeof vd_exts[0]; i++)
		if (strcmp(dot, vd_exts[i]) == 0)
			return 1;
	return 0;
}

/* Sort names as Python's sorted() does: by bytes. */
static int
vd_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* Read every vars file under directory path into vars, in order. */
static int
vd_dir(struct inv_load *ld, struct inv_vars *vars, const char *path,
    int depth)
{
	struct dirent **ents = NULL;
	struct stat st;
	char *sub;
	const char *name, *dot;
	int i, n, r = 0;

	if (depth > 16)
		return err_set(ld->err, DROVE_E_INVENTORY, "%s: directories "
		    "nested too deeply", path);
	if ((n = scandir(path, &ents, NULL, vd_cmp)) < 0)
		return err_set(ld->err, DROVE_E_IO, "cannot read '%s': %s",
		    path, strerror(errno));
	for (i = 0; i < n; i++) {
		name = ents[i]->d_name;
		if (r != 0 || *name == '.' || name[strlen(name) - 1] == '~')
			continue;
		if (asprintf(&sub, "%s/%s", path, name) < 0) {
			r = err_set(ld->err, DROVE_E_NOMEM, "out of memory");
			continue;
		}
		dot = strrchr(name, '.');
		if (stat(sub, &st) != 0)
			;
		else if (S_ISDIR(st.st_mode) && dot == NULL)
			r = vd_dir(ld, vars, sub, depth + 1);
		else if (S_ISREG(st.st_mode) && vd_ext_ok(name))
			r = inv_vars_load(ld, vars, sub);
		free(sub);
	}
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	return r;
}

/* Read the vars files of entity name in dir (group_vars/, host_vars/). */
static int
vd_entity(struct inv_load *ld, struct inv_vars *vars, const char *dir,
    const char *name)
{
	struct stat st;
	char *path;
	size_t i;
	int r = 0;

	if (strchr(name, '/') != NULL || strcmp(name, "..") == 0 ||
	    strcmp(name, ".") == 0)
		return 0;
	for (i = 0; i < sizeof vd_exts / sizeof vd_exts[0]; i++) {
		if (asprintf(&path, "%s/%s%s", dir, name, vd_exts[i]) < 0)
			return err_set(ld->err, DROVE_E_NOMEM, "out of memory");
		if (stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				r = vd_dir(ld, vars, path, 0);
			else
				r = inv_vars_load(ld, vars, path);
			free(path);
			return r;
		}
		free(path);
	}
	return 0;
}

/* Whether entity name has a vars file or directory in dir. */
static int
vd_has(const char *dir, const char *name)
{
	struct stat st;
	char *path;
	size_t i;
	int found = 0;

	for (i = 0; !found && i < sizeof vd_exts / sizeof vd_exts[0]; i++) {
		if (asprintf(&path, "%s/%s%s", dir, name, vd_exts[i]) < 0)
			return 0;
		found = stat(path, &st) == 0;
		free(path);
	}
	return found;
}

/* Read group_vars/ and host_vars/ of dir into fvars[ld->files]. */
int
varsdir_load(struct inv_load *ld, const char *dir)
{
	drove_inventory *inv = ld->inv;
	struct stat st;
	char *gdir = NULL, *hdir = NULL;
	size_t i;
	int r = 0;

	if (asprintf(&gdir, "%s/group_vars", dir) < 0 ||
	    asprintf(&hdir, "%s/host_vars", dir) < 0) {
		r = err_set(ld->err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	if (stat(gdir, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (inv_ungrouped_group(inv) == INV_NONE &&
		    vd_has(gdir, "ungrouped") &&
		    inv_group_new(ld, "ungrouped") == INV_NONE) {
			r = err_set(ld->err, DROVE_E_NOMEM, "out of memory");
			goto out;
		}
		for (i = 0; r == 0 && i < inv->ngroups; i++)
			r = vd_entity(ld, &inv->groups[i].fvars[ld->files],
			    gdir, inv->groups[i].name);
	}
	if (r == 0 && stat(hdir, &st) == 0 && S_ISDIR(st.st_mode))
		for (i = 0; r == 0 && i < inv->nhosts; i++)
			r = vd_entity(ld, &inv->hosts[i].fvars[ld->files],
			    hdir, inv->hosts[i].name);
 out:
	free(gdir);
	free(hdir);
	return r;
}
