/*
 * fuzz-sshconfig.c: libFuzzer target for the ssh_config parser.
 *
 * Each input is parsed as a config file, then looked up for a few host
 * names.  Inputs holding "include" in any case are skipped: Include reads
 * local files.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drove.h"
#include "inventory/sshconfig.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Check what a lookup reports. */
static int
check(const char *var, const char *value, const char *file, unsigned line,
    void *arg)
{
	char *s;

	(void)arg;
	if (var == NULL || value == NULL || file == NULL || line == 0)
		abort();
	if (sshcfg_expand(value, "h", "u", "22", &s) == 0)
		free(s);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static const char *const hosts[] = { "web1", "a.example.com", "",
	    "DB-2", "*" };
	struct sshcfg *cfg;
	char *text;
	size_t i;

	if ((text = malloc(len + 1)) == NULL)
		return 0;
	memcpy(text, data, len);
	text[len] = '\0';
	if (strcasestr(text, "include") != NULL || strlen(text) != len) {
		free(text);
		return 0;
	}
	if ((cfg = sshcfg_new()) != NULL && sshcfg_parse(cfg, "fuzz",
	    text) == 0)
		for (i = 0; i < sizeof hosts / sizeof hosts[0]; i++)
			sshcfg_lookup(cfg, hosts[i], check, NULL);
	sshcfg_free(cfg);
	free(text);
	return 0;
}
