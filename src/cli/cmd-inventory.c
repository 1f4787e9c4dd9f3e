/*
 * cmd-inventory.c: "drove inventory SUBCOMMAND": the inventory store.
 *
 * import, add, rm and group change the store (--db FILE, else
 * $DROVE_HOME/drove.db); export, list, groups and show read the inventory
 * every command reads (the store, -i files, -H lists, ssh_config).
 * Passwords found in a YAML file are refused by import unless
 * --store-secrets is given, which still warns.  Exit status: 0 done, 2 a
 * usage, inventory or store error.
 */
#include <sys/stat.h>

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "cli/cmd.h"

static int	cmd_inventory_exec(int, char **);

enum {
	OPT_REPLACE = OPT_COMMON_END, OPT_SECRETS, OPT_YAML, OPT_JSON,
	OPT_GROUP, OPT_VAR, OPT_PARENT, OPT_HELP
};

static const struct option inv_longopts[] = {
	{ "replace", no_argument, NULL, OPT_REPLACE },
	{ "store-secrets", no_argument, NULL, OPT_SECRETS },
	{ "yaml", no_argument, NULL, OPT_YAML },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "group", required_argument, NULL, OPT_GROUP },
	{ "var", required_argument, NULL, OPT_VAR },
	{ "parent", required_argument, NULL, OPT_PARENT },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_inventory_entry = {
	.name = "inventory",
	.usage = "import FILE [--replace] | export | add HOST [--group G]... "
	    "[--var K=V]... | rm PATTERN | list [PATTERN] [--json] | "
	    "groups [--json] | show HOST | group add NAME [--parent P] | "
	    "group rm NAME",
	.help = "show and edit the inventory store",
	.shortopts = "",
	.longopts = inv_longopts,
	.exec = cmd_inventory_exec,
};

/* The options of one inventory command. */
struct iopts {
	struct common_opts	  o;
	int			  flags;	/* DROVE_STORE_* */
	int			  json;
	const char		**groups;
	size_t			  ngroups;
	const char		**vars;
	size_t			  nvars;
	const char		 *parent;
	char			**args;		/* subcommand and its words */
	int			  nargs;
};

/* Print the help. */
static void
inv_help(void)
{
	printf("usage: drove inventory SUBCOMMAND\n\n"
	    "  import FILE [--replace] [--store-secrets]\n"
	    "                          add a YAML inventory or host list to "
	    "the store\n"
	    "  export [--yaml]         print the inventory as YAML\n"
	    "  add HOST [--group G]... [--var K=V]...\n"
	    "                          add hosts ([user@]host[:port], "
	    "ranges) to the store\n"
	    "  rm PATTERN              remove the hosts PATTERN selects from "
	    "the store\n"
	    "  list [PATTERN] [--json] one host a line (JSON: with its vars,\n"
	    "                          typed as ansible-inventory types them)\n"
	    "  groups [--json]         the group tree with host counts (JSON:\n"
	    "                          as ansible-inventory lists it, "
	    "without vars)\n"
	    "  show HOST               every var of HOST and its source, and "
	    "its jump\n"
	    "                          hosts or proxy command\n"
	    "  group add NAME [--parent P], group rm NAME\n\n"
	    "  --db FILE               the store (default "
	    "$DROVE_HOME/drove.db,\n"
	    "                          DROVE_HOME=~/.local/share/drove)\n"
	    "  -i FILE, -H LIST        read these instead of the store\n"
	    "  -F FILE                 ssh_config (default ~/.ssh/config)\n");
}

/* Print an error for a subcommand and return the usage exit status. */
static int
inv_fail(const char *sub, const char *msg)
{
	fprintf(stderr, "drove inventory %s: %s\n", sub, msg);
	return EXIT_USAGE;
}

/* Whether the inventory holds a password for some host: NULL, or the
 * var to name an environment variable with instead. */
static const char *
has_secret(const drove_inventory *inv)
{
	size_t i;

	for (i = 0; i < drove_inventory_count(inv); i++) {
		if (drove_inventory_var_is_vaulted(inv, i,
		    "ansible_password") ||
		    drove_inventory_var(inv, i, "ansible_password") != NULL)
			return "password_env";
		if (drove_inventory_var_is_vaulted(inv, i,
		    "ansible_become_password") ||
		    drove_inventory_var(inv, i, "ansible_become_password") !=
		    NULL)
			return "become_password_env";
	}
	return NULL;
}

/* Warn that the group_vars/ and host_vars/ beside path stay out of the
 * store (their ranking above every group's vars cannot be kept there). */
static void
warn_vars_dirs(const char *path)
{
	static const char *const dirs[] = { "group_vars", "host_vars" };
	char *copy, *dir, sub[4096];
	struct stat st;
	size_t i;

	if ((copy = strdup(path)) == NULL)
		return;
	dir = dirname(copy);
	for (i = 0; i < 2; i++) {
		snprintf(sub, sizeof sub, "%s/%s", dir, dirs[i]);
		if (stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
			fprintf(stderr, "drove inventory import: warning: %s is "
			    "not stored; give -i %s to read it\n", sub, path);
	}
	free(copy);
}

/* import FILE: load it, then merge or replace it into the store. */
static int
inv_import(struct iopts *io)
{
	drove_inventory *inv = NULL;
	drove_store *st = NULL;
	int rc = EXIT_USAGE;

	if (io->nargs != 2)
		return inv_fail("import", "expected one FILE");
	if ((inv = drove_inventory_new()) == NULL)
		goto out;
	if (drove_inventory_load(inv, io->args[1]) != 0) {
		rc = inv_fail("import", drove_inventory_error(inv));
		goto out;
	}
	if ((st = common_store(&io->o)) == NULL)
		goto out;
	if (drove_store_import(st, inv, io->flags) != 0) {
		fprintf(stderr, "drove inventory import: %s\n",
		    drove_store_error(st));
		if (has_secret(inv) != NULL &&
		    !(io->flags & DROVE_STORE_SECRETS))
			fprintf(stderr, "drove inventory import: name an "
			    "environment variable holding it with %s, or "
			    "give --store-secrets\n", has_secret(inv));
		goto out;
	}
	if ((io->flags & DROVE_STORE_SECRETS) && has_secret(inv) != NULL)
		fprintf(stderr, "drove inventory import: warning: passwords "
		    "are stored in the database in clear text\n");
	warn_vars_dirs(io->args[1]);
	printf("imported %zu hosts, %zu groups\n", drove_inventory_count(inv),
	    drove_inventory_group_count(inv) - 1);
	rc = EXIT_OK;
 out:
	drove_store_close(st);
	drove_inventory_free(inv);
	return rc;
}

/* add HOST: add hosts with groups and vars. */
static int
inv_add(struct iopts *io)
{
	drove_store *st;
	int rc = EXIT_OK;

	if (io->nargs != 2)
		return inv_fail("add", "expected one HOST");
	if ((st = common_store(&io->o)) == NULL)
		return EXIT_USAGE;
	if (drove_store_add_hosts(st, io->args[1], io->groups, io->ngroups,
	    io->vars, io->nvars, io->flags) != 0)
		rc = inv_fail("add", drove_store_error(st));
	drove_store_close(st);
	return rc;
}

/* rm PATTERN: remove the hosts the pattern selects in the store. */
static int
inv_rm(struct iopts *io)
{
	drove_inventory *inv = NULL;
	drove_store *st;
	const char **names = NULL;
	size_t *sel = NULL, nsel = 0, i, removed = 0;
	int rc = EXIT_USAGE;

	if (io->nargs != 2)
		return inv_fail("rm", "expected one HOST or PATTERN");
	if ((st = common_store(&io->o)) == NULL)
		return EXIT_USAGE;
	if ((inv = drove_inventory_new()) == NULL)
		goto out;
	if (drove_inventory_load_store(inv, st) != 0 ||
	    drove_inventory_select(inv, io->args[1], &sel, &nsel) != 0) {
		rc = inv_fail("rm", drove_inventory_error(inv));
		goto out;
	}
	if ((names = calloc(nsel + 1, sizeof *names)) == NULL)
		goto out;
	for (i = 0; i < nsel; i++)
		names[i] = drove_inventory_name(inv, sel[i]);
	if (drove_store_rm_hosts(st, names, nsel, &removed) != 0) {
		rc = inv_fail("rm", drove_store_error(st));
		goto out;
	}
	printf("removed %zu hosts\n", removed);
	rc = EXIT_OK;
 out:
	free(names);
	free(sel);
	drove_inventory_free(inv);
	drove_store_close(st);
	return rc;
}

/* group add NAME [--parent P] | group rm NAME. */
static int
inv_group(struct iopts *io)
{
	drove_store *st;
	int r, rc = EXIT_OK;

	if (io->nargs != 3 || (strcmp(io->args[1], "add") != 0 &&
	    strcmp(io->args[1], "rm") != 0))
		return inv_fail("group", "expected 'add NAME' or 'rm NAME'");
	if ((st = common_store(&io->o)) == NULL)
		return EXIT_USAGE;
	if (strcmp(io->args[1], "add") == 0)
		r = drove_store_group_add(st, io->args[2], io->parent);
	else
		r = drove_store_group_rm(st, io->args[2]);
	if (r != 0)
		rc = inv_fail("group", drove_store_error(st));
	drove_store_close(st);
	return rc;
}

/* The host whose vars show and list --json print. */
struct var_out {
	drove_inventory	*inv;
	size_t		 host;
	int		 n;		/* printed so far */
	FILE		*f;		/* list --json: one host's line */
};

/* Print one var of show; a null as null, a vaulted value as !vault. */
static int
show_var(const char *name, const char *value, const char *source, void *arg)
{
	struct var_out *vo = arg;

	printf("  %s: %s  # %s\n", name, drove_inventory_var_is_null(vo->inv,
	    vo->host, name) ? "null" : drove_inventory_var_is_vaulted(vo->inv,
	    vo->host, name) ? "!vault" : value, source);
	return 0;
}

/* Add one var of list --json to vo->f, its value typed JSON. */
static int
json_var(const char *name, const char *value, const char *source, void *arg)
{
	struct var_out *vo = arg;

	(void)source;
	fprintf(vo->f, "%s", vo->n++ > 0 ? "," : "");
	json_write_str(vo->f, name, strlen(name));
	fputc(':', vo->f);
	fputs(value, vo->f);
	return 0;
}

/* list [PATTERN]: one host a line, or one JSON object a line. */
static int
inv_list(struct iopts *io, drove_inventory *inv)
{
	size_t *sel = NULL, nsel, i, h, len;
	struct var_out vo;
	char *line = NULL;
	int rc = EXIT_OK;

	if (io->nargs > 2)
		return inv_fail("list", "expected at most one PATTERN");
	if (io->nargs == 2 &&
	    drove_inventory_select(inv, io->args[1], &sel, &nsel) != 0)
		return inv_fail("list", drove_inventory_error(inv));
	if (io->nargs < 2 &&
	    drove_inventory_group_hosts(inv, 0, &sel, &nsel) != 0)
		return inv_fail("list", "out of memory");
	for (i = 0; i < nsel; i++) {
		h = sel[i];
		if (!io->json) {
			puts(drove_inventory_name(inv, h));
			continue;
		}
		/* A host's line is printed whole or not at all. */
		if ((vo.f = open_memstream(&line, &len)) == NULL) {
			rc = inv_fail("list", "out of memory");
			break;
		}
		fprintf(vo.f, "{\"host\":");
		json_write_str(vo.f, drove_inventory_name(inv, h),
		    strlen(drove_inventory_name(inv, h)));
		fprintf(vo.f, ",\"vars\":{");
		vo.inv = inv;
		vo.host = h;
		vo.n = 0;
		if (drove_inventory_each_var_json(inv, h, json_var, &vo) != 0) {
			fclose(vo.f);
			rc = inv_fail("list", drove_inventory_error(inv));
			break;
		}
		fprintf(vo.f, "}}\n");
		fclose(vo.f);
		fputs(line, stdout);
		free(line);
		line = NULL;
	}
	free(line);
	free(sel);
	return rc;
}

/* Print group g and its children, indented by depth. */
static void
groups_tree(drove_inventory *inv, size_t g, int depth)
{
	size_t *kids = NULL, n = 0, i;

	printf("%*s%s (%zu)\n", 2 * depth, "", drove_inventory_group_name(inv,
	    g), drove_inventory_group_size(inv, g));
	if (depth > 64 ||
	    drove_inventory_group_children(inv, g, &kids, &n) != 0)
		return;
	for (i = 0; i < n; i++)
		groups_tree(inv, kids[i], depth + 1);
	free(kids);
}

/* Print how host h is reached: its jump hosts in order, or its proxy
 * command, and where that came from; 0, or -1 (printed). */
static int
show_route(struct iopts *io, drove_inventory *inv, size_t h)
{
	const struct drove_hostspec *hops[16], *j;
	struct drove_hostspec spec;
	struct route *r;
	const char *text, *src;
	int is_command, n = 0, rc = -1;

	memset(&spec, 0, sizeof spec);
	if ((r = route_new(&io->o)) == NULL ||
	    route_host(r, inv, h, &spec) != 0)
		goto out;
	rc = 0;
	if ((text = route_text(r, &src, &is_command)) == NULL)
		goto out;
	if (is_command) {
		printf("proxy command: %s  # %s\n", text, src);
		goto out;
	}
	printf("jump: %s  # %s\n", text, src);
	for (j = spec.jump; j != NULL && n < 16; j = j->jump)
		hops[n++] = j;
	while (n-- > 0)
		printf("  via %s: %s%s%s port %d%s%s\n", hops[n]->name,
		    hops[n]->user ? hops[n]->user : "", hops[n]->user ? "@" :
		    "", hops[n]->address, hops[n]->port > 0 ? hops[n]->port :
		    22, hops[n]->proxy_command ? ", through: " : "",
		    hops[n]->proxy_command ? hops[n]->proxy_command : "");
 out:
	route_free(r);
	return rc;
}

/* show HOST: every resolved var and where it came from. */
static int
inv_show(struct iopts *io, drove_inventory *inv)
{
	size_t h;
	struct var_out vo;
	char msg[512];

	if (io->nargs != 2)
		return inv_fail("show", "expected one HOST");
	for (h = 0; h < drove_inventory_count(inv); h++)
		if (strcmp(drove_inventory_name(inv, h), io->args[1]) == 0)
			break;
	if (h == drove_inventory_count(inv)) {
		snprintf(msg, sizeof msg, "no host '%s'", io->args[1]);
		return inv_fail("show", msg);
	}
	printf("%s\n", io->args[1]);
	vo.inv = inv;
	vo.host = h;
	if (drove_inventory_each_var(inv, h, show_var, &vo) != 0)
		return inv_fail("show", drove_inventory_error(inv));
	return show_route(io, inv, h) == 0 ? EXIT_OK : EXIT_USAGE;
}

/* The reading subcommands: on the inventory every command reads. */
static int
inv_read(struct iopts *io)
{
	drove_inventory *inv;
	const char *sub = io->args[0];
	int rc = EXIT_USAGE;

	if ((inv = common_load(&io->o)) == NULL)
		return EXIT_USAGE;
	if (strcmp(sub, "export") == 0) {
		if (io->nargs != 1)
			rc = inv_fail("export", "expected no arguments");
		else if (drove_inventory_write_yaml(inv, stdout) != 0)
			rc = inv_fail("export", "writing failed");
		else
			rc = EXIT_OK;
	} else if (strcmp(sub, "list") == 0)
		rc = inv_list(io, inv);
	else if (strcmp(sub, "groups") == 0 && io->json) {
		rc = EXIT_OK;
		if (drove_inventory_write_json(inv, stdout) != 0)
			rc = inv_fail("groups", "writing failed");
	} else if (strcmp(sub, "groups") == 0) {
		groups_tree(inv, 0, 0);
		rc = EXIT_OK;
	} else
		rc = inv_show(io, inv);
	drove_inventory_free(inv);
	return rc;
}

static int
cmd_inventory_exec(int argc, char **argv)
{
	static const char *const subs[] = { "import", "export", "add", "rm",
	    "list", "groups", "show", "group" };
	struct option longopts[LONGOPTS_MAX];
	struct iopts io;
	size_t i;
	int ch, rc = EXIT_USAGE;

	memset(&io, 0, sizeof io);
	common_init(&io.o);
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    inv_longopts);
	while ((ch = getopt_long(argc, argv, COMMON_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_REPLACE:
			io.flags |= DROVE_STORE_REPLACE;
			break;
		case OPT_SECRETS:
			io.flags |= DROVE_STORE_SECRETS;
			break;
		case OPT_YAML:
			break;
		case OPT_JSON:
			io.json = 1;
			break;
		case OPT_GROUP:
			common_push(&io.groups, &io.ngroups, optarg);
			break;
		case OPT_VAR:
			common_push(&io.vars, &io.nvars, optarg);
			break;
		case OPT_PARENT:
			io.parent = optarg;
			break;
		case OPT_HELP:
			inv_help();
			rc = EXIT_OK;
			goto out;
		case '?':
			usage_bad_option(&cmd_inventory_entry, argv);
			goto out;
		default:
			if (common_opt(&io.o, ch, optarg) != 1)
				goto out;
			break;
		}
	}
	io.args = argv + optind;
	io.nargs = argc - optind;
	for (i = 0; io.nargs > 0 && i < sizeof subs / sizeof subs[0]; i++)
		if (strcmp(io.args[0], subs[i]) == 0)
			break;
	if (io.nargs == 0) {
		usage_error(&cmd_inventory_entry, "no subcommand");
		goto out;
	}
	if (i == sizeof subs / sizeof subs[0]) {
		usage_error(&cmd_inventory_entry, "unknown subcommand: %s",
		    io.args[0]);
		goto out;
	}
	if (i == 0)
		rc = inv_import(&io);
	else if (i == 2)
		rc = inv_add(&io);
	else if (i == 3)
		rc = inv_rm(&io);
	else if (i == 7)
		rc = inv_group(&io);
	else
		rc = inv_read(&io);
 out:
	free(io.groups);
	free(io.vars);
	common_release(&io.o);
	return rc;
}
