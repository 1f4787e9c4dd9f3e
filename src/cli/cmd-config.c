/*
 * cmd-config.c: the configuration file: "key = value" lines that set
 * defaults for forks, timeouts, host key checking, the inventory, run's
 * output and colour, shell recording, the history and become.
 *
 * The file is read once, by main, before the command runs; an error names
 * FILE:LINE and the key or value, and nothing runs.  A later line wins over
 * an earlier one.  Values of the common options are checked by the same
 * code as the command line's (common_set()), then set by common_init() as
 * defaults; a host's ssh_config and the command line still win.  output and
 * color become the command's own options (--gather, --json, --diff,
 * --color=WHEN) put before the words the user gave, so the user's win.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd-config.h"

enum {
	KEY_FORKS, KEY_TIMEOUT, KEY_CONNECT_TIMEOUT, KEY_RETRIES,
	KEY_KEEPALIVE, KEY_HOSTKEY, KEY_KNOWN_HOSTS, KEY_INVENTORY,
	KEY_OUTPUT, KEY_COLOR, KEY_RECORD, KEY_HISTORY, KEY_BECOME,
	KEY_BECOME_USER, KEY_BECOME_METHOD, KEY_ASK_BECOME_PASS, NKEYS
};

static const char *const outputs[] = { "lines", "gather", "json", "diff",
    NULL };
static const char *const colors[] = { "auto", "always", "never", NULL };
static const char *const yesno[] = { "yes", "no", NULL };

/* The keys: the common option each sets, or the words it takes. */
static const struct config_key {
	const char		 *name;
	int			  opt;
	const char *const	 *words;
	const char		 *hint;		/* in a bad value's message */
} keys[NKEYS] = {
	[KEY_FORKS] = { "forks", 'f', NULL, "a number of hosts" },
	[KEY_TIMEOUT] = { "timeout", OPT_TIMEOUT, NULL, "seconds" },
	[KEY_CONNECT_TIMEOUT] = { "connect_timeout", OPT_CONNECT_TIMEOUT,
	    NULL, "seconds" },
	[KEY_RETRIES] = { "retries", OPT_RETRIES, NULL, "0 to 100" },
	[KEY_KEEPALIVE] = { "keepalive", OPT_KEEPALIVE, NULL, "seconds" },
	[KEY_HOSTKEY] = { "hostkey_policy", OPT_HOSTKEY, NULL,
	    "ask, strict, accept-new or off" },
	[KEY_KNOWN_HOSTS] = { "known_hosts", OPT_KNOWN_HOSTS, NULL, NULL },
	[KEY_INVENTORY] = { "inventory", 0, NULL, NULL },
	[KEY_OUTPUT] = { "output", 0, outputs, "lines, gather, json or diff" },
	[KEY_COLOR] = { "color", 0, colors, "auto, always or never" },
	[KEY_RECORD] = { "record", 0, yesno, "yes or no" },
	[KEY_HISTORY] = { "history", 0, yesno, "yes or no" },
	[KEY_BECOME] = { "become", 0, yesno, "yes or no" },
	[KEY_BECOME_USER] = { "become_user", OPT_BECOME_USER, NULL, NULL },
	[KEY_BECOME_METHOD] = { "become_method", OPT_BECOME_METHOD, NULL,
	    "sudo or su" },
	[KEY_ASK_BECOME_PASS] = { "ask_become_pass", 0, yesno, "yes or no" },
};

static char	*values[NKEYS];		/* what the file says, or NULL */
static char	**cmd_argv;		/* config_argv()'s array */
/* The options config_argv() puts in, told apart by their address. */
static char	 opt_gather[] = "--gather", opt_json[] = "--json",
		 opt_diff[] = "--diff", opt_color[32];

/* The file to read (malloc'd), and whether it must exist. */
static char *
config_path(int *must)
{
	const char *env, *home = getenv("HOME");
	char *p = NULL;

	*must = 0;
	if ((env = getenv("DROVE_CONFIG")) != NULL && *env != '\0') {
		*must = 1;
		return strdup(env);
	}
	if ((env = getenv("DROVE_HOME")) != NULL && *env != '\0') {
		if (asprintf(&p, "%s/config", env) < 0)
			p = NULL;
	} else if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env != '\0') {
		if (asprintf(&p, "%s/drove/config", env) < 0)
			p = NULL;
	} else if (asprintf(&p, "%s/.config/drove/config",
	    home != NULL ? home : "") < 0)
		p = NULL;
	return p;
}

/* s without the blanks at both ends (in place). */
static char *
trim(char *s)
{
	char *e;

	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]) != NULL)
		*--e = '\0';
	return s;
}

/* A copy of a file name value with a leading "~/" as $HOME. */
static char *
expand_home(const char *v)
{
	const char *home = getenv("HOME");
	char *p;

	if (strncmp(v, "~/", 2) != 0 || home == NULL)
		return strdup(v);
	if (asprintf(&p, "%s%s", home, v + 1) < 0)
		return NULL;
	return p;
}

/* Whether value v suits key k. */
static int
value_ok(const struct config_key *k, const char *v)
{
	struct common_opts scratch;
	const char *const *w;
	int ok = 1;

	if (k->words != NULL) {
		for (w = k->words; *w != NULL; w++)
			if (strcmp(*w, v) == 0)
				return 1;
		return 0;
	}
	if (k->opt != 0) {
		common_init(&scratch);
		ok = common_set(&scratch, k->opt, v) == 1;
		common_release(&scratch);
	}
	return ok && *v != '\0';
}

/* Take one line of file path; 0, or -1 after printing the error. */
static int
config_line(const char *path, unsigned long lineno, char *line)
{
	const struct config_key *k = NULL;
	char *key, *v, *eq;
	size_t i;

	key = trim(line);
	if (*key == '\0' || *key == '#')
		return 0;
	if ((eq = strchr(key, '=')) == NULL) {
		fprintf(stderr, "drove: %s:%lu: missing '=' in '%s'\n", path,
		    lineno, key);
		return -1;
	}
	*eq = '\0';
	key = trim(key);
	v = trim(eq + 1);
	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, key) == 0)
			k = &keys[i];
	if (k == NULL) {
		fprintf(stderr, "drove: %s:%lu: unknown key '%s'\n", path,
		    lineno, key);
		return -1;
	}
	if (!value_ok(k, v)) {
		fprintf(stderr, "drove: %s:%lu: bad value for %s: '%s'%s%s%s\n",
		    path, lineno, key, v, k->hint != NULL ? " (" : "",
		    k->hint != NULL ? k->hint : "", k->hint != NULL ? ")" : "");
		return -1;
	}
	i = (size_t)(k - keys);
	free(values[i]);
	if ((values[i] = expand_home(v)) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return -1;
	}
	return 0;
}

/* Read the configuration file, when there is one. */
int
config_load(void)
{
	FILE *fp = NULL;
	char *path, *line = NULL;
	size_t size = 0;
	unsigned long lineno = 0;
	int must, r = -1;

	if ((path = config_path(&must)) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return -1;
	}
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT && !must)
			r = 0;
		else
			fprintf(stderr, "drove: open %s: %s\n", path,
			    strerror(errno));
		goto out;
	}
	while (getline(&line, &size, fp) != -1)
		if (config_line(path, ++lineno, line) != 0)
			goto out;
	if (ferror(fp)) {
		fprintf(stderr, "drove: read %s: %s\n", path, strerror(errno));
		goto out;
	}
	r = 0;
 out:
	if (fp != NULL)
		fclose(fp);
	free(line);
	free(path);
	if (r != 0)
		config_release();
	return r;
}

/* Forget the file's values and config_argv()'s array. */
void
config_release(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		free(values[i]);
		values[i] = NULL;
	}
	free(cmd_argv);
	cmd_argv = NULL;
}

/* Set the common options the file gives, as defaults. */
void
config_apply(struct common_opts *o)
{
	unsigned int given = o->given;
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (values[i] != NULL && keys[i].opt != 0)
			common_set(o, keys[i].opt, values[i]);
	if (values[KEY_HISTORY] != NULL &&
	    strcmp(values[KEY_HISTORY], "no") == 0)
		o->no_history = 1;
	if (values[KEY_BECOME] != NULL)
		o->become = strcmp(values[KEY_BECOME], "yes") == 0;
	if (values[KEY_ASK_BECOME_PASS] != NULL)
		o->ask_become_pass =
		    strcmp(values[KEY_ASK_BECOME_PASS], "yes") == 0;
	/* a default: a host's ssh_config still wins */
	o->given = given;
}

/* The inventory to read when none is given. */
const char *
config_inventory(void)
{
	return values[KEY_INVENTORY];
}

/* Whether the file says record = no. */
int
config_no_record(void)
{
	return values[KEY_RECORD] != NULL &&
	    strcmp(values[KEY_RECORD], "no") == 0;
}

/* Whether cmd has long option name. */
static int
has_option(const struct cmd_entry *cmd, const char *name)
{
	const struct option *o;

	for (o = cmd->longopts; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return 1;
	return 0;
}

/* Put the options for output and color in front of cmd's arguments. */
void
config_argv(const struct cmd_entry *cmd, int *argc, char ***argv)
{
	char *add[2], **v;
	const char *out = values[KEY_OUTPUT];
	int n = 0, i;

	if (out != NULL && strcmp(out, "lines") != 0 && has_option(cmd, out))
		add[n++] = strcmp(out, "gather") == 0 ? opt_gather :
		    strcmp(out, "json") == 0 ? opt_json : opt_diff;
	if (values[KEY_COLOR] != NULL && has_option(cmd, "color")) {
		snprintf(opt_color, sizeof opt_color, "--color=%s",
		    values[KEY_COLOR]);
		add[n++] = opt_color;
	}
	if (n == 0)
		return;
	if ((v = calloc((size_t)(*argc + n + 1), sizeof *v)) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		exit(EXIT_USAGE);
	}
	v[0] = (*argv)[0];
	for (i = 0; i < n; i++)
		v[1 + i] = add[i];
	for (i = 1; i < *argc; i++)
		v[n + i] = (*argv)[i];
	free(cmd_argv);
	cmd_argv = v;
	*argc += n;
	*argv = v;
}

/* Whether word is one of the options config_argv() put in. */
int
config_added(const char *word)
{
	return word == opt_gather || word == opt_json || word == opt_diff ||
	    word == opt_color;
}
