/*
 * common-suggest.c: help for a mistyped word: the closest command or long
 * option name by edit distance (a swap of two neighbouring letters counts
 * as one edit, as in "rnu" for "run"), and the usage error for an option
 * getopt did not take.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"

#define SUGGEST_MAX	64	/* longer words get no suggestion */

/* The optimal string alignment distance between a and b (at most
 * SUGGEST_MAX long): insertions, deletions, substitutions and swaps of
 * two neighbours. */
static size_t
suggest_distance(const char *a, const char *b)
{
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
	size_t la = strlen(a), lb = strlen(b), i, j, c, v;

	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			c = a[i - 1] != b[j - 1];
			v = d[i - 1][j - 1] + c;
			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

/* The name of names[0..n-1] closest to word, if close enough to be a typo
 * of it (one edit, two from six letters on); NULL when none is. */
const char *
common_closest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t i, d, lim, bestd = (size_t)-1;

	if (strlen(word) > SUGGEST_MAX)
		return NULL;
	lim = strlen(word) >= 6 ? 2 : 1;
	for (i = 0; i < n; i++) {
		if (strlen(names[i]) > SUGGEST_MAX)
			continue;
		if ((d = suggest_distance(word, names[i])) <= lim &&
		    d < bestd) {
			best = names[i];
			bestd = d;
		}
	}
	return best;
}

/* The long option of cmd's or the common table that name is or is the
 * only prefix of (*exact set), or the closest to it; NULL when none is
 * close, and *exact -1 when name is the prefix of several. */
static const struct option *
suggest_long(const struct cmd_entry *cmd, const char *name, int *exact)
{
	const struct option *tabs[2] = { cmd->longopts, common_longopts }, *o;
	const struct option *pfx = NULL;
	const char *names[256], *best;
	size_t n = 0, t, npfx = 0;

	*exact = 0;
	for (t = 0; t < 2; t++)
		for (o = tabs[t]; o != NULL && o->name != NULL; o++) {
			if (strcmp(o->name, name) == 0) {
				*exact = 1;
				return o;
			}
			if (strncmp(o->name, name, strlen(name)) == 0) {
				pfx = o;
				npfx++;
			}
			if (n < sizeof names / sizeof names[0])
				names[n++] = o->name;
		}
	if (npfx == 1) {
		*exact = 1;
		return pfx;
	}
	if (npfx > 1) {
		*exact = -1;
		return NULL;
	}
	if ((best = common_closest(name, names, n)) == NULL)
		return NULL;
	for (t = 0; t < 2; t++)
		for (o = tabs[t]; o != NULL && o->name != NULL; o++)
			if (o->name == best)
				return o;
	return NULL;
}

/*
 * getopt_long() (with opterr 0) returned '?' for argv: say which option it
 * did not take and why (unknown, with the closest name; ambiguous; a
 * missing value), then the usage line.  A bare -b is gather for clush
 * users and become for Ansible users: it names both.
 */
void
usage_bad_option(const struct cmd_entry *cmd, char **argv)
{
	const struct option *o;
	const char *w = optind > 0 ? argv[optind - 1] : NULL;
	char name[128];
	int exact;

	if (w != NULL && strncmp(w, "--", 2) == 0 && w[2] != '\0') {
		snprintf(name, sizeof name, "%.*s", (int)strcspn(w + 2, "="),
		    w + 2);
		o = suggest_long(cmd, name, &exact);
		if (o != NULL && exact)
			usage_error(cmd, "option '--%s' needs a value",
			    o->name);
		else if (exact == -1)
			usage_error(cmd, "option '--%s' is ambiguous", name);
		else if (o != NULL)
			usage_error(cmd, "unknown option '--%s'; did you mean "
			    "'--%s'?", name, o->name);
		else
			usage_error(cmd, "unknown option '--%s'", name);
		return;
	}
	if (optopt == 'b')
		usage_error(cmd, "-b is ambiguous: use -g/--gather (clush -b) "
		    "or -B/--become (ansible -b)");
	else if (optopt != 0 && (strchr(COMMON_SHORTOPTS, optopt) != NULL ||
	    strchr(cmd->shortopts, optopt) != NULL))
		usage_error(cmd, "option '-%c' needs a value", optopt);
	else if (optopt > ' ' && optopt < 127)
		usage_error(cmd, "unknown option '-%c'", optopt);
	else
		usage_error(cmd, "bad option");
}
