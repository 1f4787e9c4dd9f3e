/*
 * fuzz-inventory.c: libFuzzer target for the inventory loader.
 *
 * Each input is written to a file and loaded (YAML, or INI as the first
 * line tells; fuzz-ini.c names the file .ini, so always INI).  When it
 * loads, every host's spec is resolved, the inventory is written as YAML
 * and that YAML must load back with the same hosts, groups and resolved
 * vars, each of the same type and value (their JSON): a failure there
 * aborts, as a crash does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drove.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The extension of the file each input is written to. */
#ifndef FUZZ_EXT
#define FUZZ_EXT ".in"
#endif

/* How many hosts have their vars compared after the reload. */
#define FUZZ_COMPARE	64

/* Append "name=value;" to the string buffer arg (a fixed 64 KiB). */
static int
add_var(const char *name, const char *value, const char *source, void *arg)
{
	char *b = arg;
	size_t len = strlen(b);

	(void)source;
	snprintf(b + len, 65536 - len, "%s=%s;", name, value);
	return 0;
}

/* The vars of host h as JSON, in buf (64 KiB). */
static void
vars_of(const drove_inventory *inv, size_t h, char *buf)
{
	buf[0] = '\0';
	drove_inventory_each_var_json(inv, h, add_var, buf);
}

/* Abort unless the first hosts of a have the same vars in b. */
static void
compare(const drove_inventory *a, const drove_inventory *b)
{
	static char va[65536], vb[65536];
	size_t i, k;

	for (i = 0; i < drove_inventory_count(a) && i < FUZZ_COMPARE; i++) {
		for (k = 0; k < drove_inventory_count(b); k++)
			if (strcmp(drove_inventory_name(a, i),
			    drove_inventory_name(b, k)) == 0)
				break;
		if (k == drove_inventory_count(b)) {
			fprintf(stderr, "host %s lost\n",
			    drove_inventory_name(a, i));
			abort();
		}
		vars_of(a, i, va);
		vars_of(b, k, vb);
		if (strcmp(va, vb) != 0) {
			fprintf(stderr, "host %s: vars %s became %s\n",
			    drove_inventory_name(a, i), va, vb);
			abort();
		}
	}
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
	size_t i;
	FILE *f;

	if (in[0] == '\0') {
		snprintf(in, sizeof in, "/tmp/drove-fuzz-inv-%d" FUZZ_EXT,
		    getpid());
		snprintf(out, sizeof out, "/tmp/drove-fuzz-inv-%d.yml",
		    getpid());
	}
	if (put(in, data, len) != 0)
		return 0;
	a = drove_inventory_new();
	b = drove_inventory_new();
	if (a == NULL || b == NULL || drove_inventory_load(a, in) != 0)
		goto out;
	for (i = 0; i < drove_inventory_count(a); i++)
		drove_inventory_hostspec(a, i, &spec);
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
	compare(a, b);
 out:
	drove_inventory_free(a);
	drove_inventory_free(b);
	unlink(in);
	unlink(out);
	return 0;
}
