/*
 * fuzz-pattern.c: libFuzzer target for the pattern parser and evaluator.
 *
 * Each input is a pattern selected from a small fixed inventory with
 * groups, ranges and an IPv6 host.  Inputs holding '@' are skipped: "@file"
 * would read arbitrary local files.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drove.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char inv_yaml[] =
    "all:\n"
    "  children:\n"
    "    web:\n"
    "      hosts:\n"
    "        web[01:12]:\n"
    "      children:\n"
    "        webeu: {hosts: {web01: , web02: }}\n"
    "    db:\n"
    "      hosts:\n"
    "        db-[a:c]:\n"
    "        \"fe80::1\":\n"
    "  hosts:\n"
    "    lone:\n";

/* The inventory every input is evaluated on, loaded once. */
static drove_inventory *
fixed(void)
{
	static drove_inventory *inv;
	char path[64];
	FILE *f;

	if (inv != NULL)
		return inv;
	snprintf(path, sizeof path, "/tmp/drove-fuzz-pat-%d.yml", getpid());
	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(inv_yaml, f);
	fclose(f);
	inv = drove_inventory_new();
	if (inv == NULL || drove_inventory_load(inv, path) != 0)
		abort();
	unlink(path);
	return inv;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	drove_inventory *inv = fixed();
	size_t *sel = NULL, n = 0, i;
	char *pat;

	if (memchr(data, '@', len) != NULL)
		return 0;
	if ((pat = malloc(len + 1)) == NULL)
		return 0;
	memcpy(pat, data, len);
	pat[len] = '\0';
	if (drove_inventory_select(inv, pat, &sel, &n) == 0) {
		for (i = 0; i < n; i++)
			if (sel[i] >= drove_inventory_count(inv))
				abort();
	}
	free(sel);
	free(pat);
	return 0;
}
