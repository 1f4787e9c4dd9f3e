/*
 * fuzz-inventory.c: libFuzzer target for the inventory loader.
 *
 * Each input is written to a file and loaded (YAML or host list).  When it
 * loads, every host's spec and vars are resolved, the inventory is written
 * as YAML and that YAML must load back with the same hosts and groups: a
 * failure there aborts, as a crash does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drove.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Count the vars reported. */
static int
count_var(const char *name, const char *value, const char *source, void *arg)
{
	(void)name;
	(void)value;
	(void)source;
	(*(size_t *)arg)++;
	return 0;
}

/* Write len bytes to path; 0 or -1. */
static int
put(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	if (len > 0 && fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static char in[64], out[64];
	struct drove_hostspec spec;
	drove_inventory *a, *b;
	size_t i, nvars = 0;
	FILE *f;

	if (in[0] == '\0') {
		snprintf(in, sizeof in, "/tmp/drove-fuzz-inv-%d.in", getpid());
		snprintf(out, sizeof out, "/tmp/drove-fuzz-inv-%d.yml",
		    getpid());
	}
	if (put(in, data, len) != 0)
		return 0;
	a = drove_inventory_new();
	b = drove_inventory_new();
	if (a == NULL || b == NULL || drove_inventory_load(a, in) != 0)
		goto out;
	for (i = 0; i < drove_inventory_count(a); i++) {
		drove_inventory_hostspec(a, i, &spec);
		drove_inventory_each_var(a, i, count_var, &nvars);
	}
	if ((f = fopen(out, "w")) == NULL)
		goto out;
	drove_inventory_write_yaml(a, f);
	fclose(f);
	if (drove_inventory_load(b, out) != 0) {
		fprintf(stderr, "exported YAML does not load: %s\n",
		    drove_inventory_error(b));
		abort();
	}
	if (drove_inventory_count(a) != drove_inventory_count(b) ||
	    drove_inventory_group_count(a) != drove_inventory_group_count(b)) {
		fprintf(stderr, "exported YAML differs: %zu/%zu hosts, %zu/%zu "
		    "groups\n", drove_inventory_count(a),
		    drove_inventory_count(b), drove_inventory_group_count(a),
		    drove_inventory_group_count(b));
		abort();
	}
 out:
	drove_inventory_free(a);
	drove_inventory_free(b);
	unlink(in);
	unlink(out);
	return 0;
}
