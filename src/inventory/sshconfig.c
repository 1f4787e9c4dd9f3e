/*
 * sshconfig.c: read OpenSSH client config files for the inventory.
 *
 * A load turns each line into an item, in order: a block ("Host" or
 * "Match"), an option drove knows, or the start and end of an included
 * file.  Nothing is decided at load time: sshcfg_lookup() walks the items
 * for one host with OpenSSH's rules (readconf.c): a block is active when its
 * conditions hold and, inside an Include, when the Include line was active;
 * the first value of each keyword wins.  "Match" supports "all", "host" and
 * "originalhost" (both the name looked up), each negatable with "!"; a
 * block with any other criterion (exec, user, ...) never applies.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/err.h"
#include "drove.h"
#include "inventory/sshconfig.h"

/* How deep Include may nest, as in OpenSSH. */
#define SSHCFG_MAX_DEPTH	16
/* Most words on one line. */
#define SSHCFG_MAX_ARGS		64

enum kind { IT_BLOCK, IT_OPT, IT_PUSH, IT_POP };
enum vtype { V_STR, V_PATH, V_PORT, V_NUM, V_YESNO, V_SHKC, V_CMD };

static const struct kw {
	const char	*name;
	const char	*var;
	enum vtype	 type;
} kws[] = {
	{ "hostname", "ansible_host", V_STR },
	{ "user", "ansible_user", V_STR },
	{ "port", "ansible_port", V_PORT },
	{ "identityfile", "ansible_ssh_private_key_file", V_PATH },
	{ "identitiesonly", "ssh_identities_only", V_YESNO },
	{ "certificatefile", "ssh_certificate_file", V_PATH },
	{ "userknownhostsfile", "ssh_user_known_hosts_file", V_PATH },
	{ "stricthostkeychecking", "ssh_strict_host_key_checking", V_SHKC },
	{ "connecttimeout", "ssh_connect_timeout", V_NUM },
	{ "serveraliveinterval", "ssh_server_alive_interval", V_NUM },
	{ "proxyjump", "ssh_proxy_jump", V_STR },
	{ "proxycommand", "ssh_proxy_command", V_CMD },	/* the words */
};
#define NKWS	(sizeof kws / sizeof kws[0])

/*
 * One item.  A block's text holds its conditions, one a line, each "+" or
 * "!" then a pattern list; never is set when a criterion is unsupported.
 */
struct item {
	enum kind	 kind;
	int		 kw;		/* IT_OPT: index in kws */
	int		 never;		/* IT_BLOCK */
	char		*text;
	const char	*file;
	unsigned	 line;
};

struct sshcfg {
	struct drove_err	 err;
	struct item		*items;
	size_t			 nitems;
	size_t			 capitems;
	char			**files;	/* names items point to */
	size_t			 nfiles;
};

/* The state of one file being read. */
struct rd {
	struct sshcfg	*cfg;
	const char	*file;
	unsigned	 line;
	int		 depth;
};

static int	cfg_file(struct sshcfg *, const char *, int, int);

/* Make an empty config. */
struct sshcfg *
sshcfg_new(void)
{
	return calloc(1, sizeof(struct sshcfg));
}

/* Free items from index from on. */
static void
cfg_truncate(struct sshcfg *cfg, size_t from)
{
	while (cfg->nitems > from)
		free(cfg->items[--cfg->nitems].text);
}

/* Free a config. */
void
sshcfg_free(struct sshcfg *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	cfg_truncate(cfg, 0);
	free(cfg->items);
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg);
}

/* The last error message. */
const char *
sshcfg_error(const struct sshcfg *cfg)
{
	return cfg->err.msg;
}

/* Append an item that takes text (freed here on failure). */
static int
cfg_add(struct rd *rd, enum kind kind, int kw, int never, char *text)
{
	struct sshcfg *cfg = rd->cfg;
	struct item *v;
	size_t cap;

	if (cfg->nitems == cfg->capitems) {
		cap = cfg->capitems != 0 ? 2 * cfg->capitems : 32;
		if ((v = reallocarray(cfg->items, cap, sizeof *v)) == NULL) {
			free(text);
			return err_set(&cfg->err, DROVE_E_NOMEM,
			    "out of memory");
		}
		cfg->items = v;
		cfg->capitems = cap;
	}
	v = &cfg->items[cfg->nitems++];
	v->kind = kind;
	v->kw = kw;
	v->never = never;
	v->text = text;
	v->file = rd->file;
	v->line = rd->line;
	return 0;
}

/* Set a "file:line: why 'token'" error. */
static int
rd_err(struct rd *rd, const char *why, const char *tok)
{
	return err_set(&rd->cfg->err, DROVE_E_INVENTORY, "%s:%u: %s '%s'",
	    rd->file, rd->line, why, tok);
}

/* The home directory, or "/" when unknown. */
static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && *h != '\0')
		return h;
	if ((pw = getpwuid(getuid())) != NULL)
		return pw->pw_dir;
	return "/";
}

/* A malloc'd copy of s with a leading "~" or "~/" made the home dir. */
static char *
tilde(const char *s)
{
	char *out;

	if (s[0] == '~' && (s[1] == '/' || s[1] == '\0')) {
		if (asprintf(&out, "%s%s", home_dir(), s + 1) < 0)
			return NULL;
		return out;
	}
	return strdup(s);
}

/*
 * Split a line into words in place: whitespace separates, double quotes
 * group, "#" at the start of a word ends the line, and the first word may
 * end with "=".  Returns the count or -1 with an error.
 */
static int
split(struct rd *rd, char *s, char **w)
{
	int n = 0, first = 1;
	char *d;

	for (;;) {
		s += strspn(s, " \t\r\n");
		if (!first && *s == '=' && n == 1) {
			s++;
			s += strspn(s, " \t\r\n");
		}
		if (*s == '\0' || *s == '#')
			return n;
		if (n == SSHCFG_MAX_ARGS)
			return rd_err(rd, "too many arguments at", s);
		w[n++] = d = s;
		while (*s != '\0' && !isspace((unsigned char)*s) &&
		    !(first && *s == '=')) {
			if (*s != '"') {
				*d++ = *s++;
				continue;
			}
			s++;
			while (*s != '\0' && *s != '"')
				*d++ = *s++;
			if (*s != '"') {
				*d = '\0';
				return rd_err(rd, "unterminated quote in",
				    w[n - 1]);
			}
			s++;
		}
		if (*s != '\0')
			s++;
		*d = '\0';
		first = 0;
	}
}

/* Check one value of type t; a reason or NULL. */
static const char *
check_value(enum vtype t, const char *v)
{
	char *end;
	long n;

	switch (t) {
	case V_PORT:
	case V_NUM:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno != 0 || end == v || *end != '\0' || n < 0 ||
		    n > (t == V_PORT ? 65535 : 86400) || (t == V_PORT &&
		    n == 0))
			return t == V_PORT ? "bad port" :
			    "bad number of seconds";
		return NULL;
	case V_YESNO:
		if (strcasecmp(v, "yes") != 0 && strcasecmp(v, "no") != 0)
			return "expected yes or no, found";
		return NULL;
	case V_SHKC:
		if (strcasecmp(v, "yes") != 0 && strcasecmp(v, "no") != 0 &&
		    strcasecmp(v, "ask") != 0 && strcasecmp(v, "off") != 0 &&
		    strcasecmp(v, "accept-new") != 0)
			return "expected yes, no, ask, accept-new or off, "
			    "found";
		return NULL;
	default:
		return NULL;
	}
}

/* Add a block from a Host line. */
static int
line_host(struct rd *rd, char **w, int n)
{
	struct buf b;
	int i, r = 0;

	if (n < 2)
		return rd_err(rd, "missing pattern after", w[0]);
	buf_init(&b);
	r = buf_puts(&b, "+");
	for (i = 1; r == 0 && i < n; i++)
		r = buf_printf(&b, "%s%s", i > 1 ? " " : "", w[i]);
	if (r != 0 || buf_reserve(&b, 0) != 0) {
		buf_release(&b);
		return err_set(&rd->cfg->err, DROVE_E_NOMEM, "out of memory");
	}
	return cfg_add(rd, IT_BLOCK, 0, 0, buf_steal(&b, NULL));
}

/* Add a block from a Match line. */
static int
line_match(struct rd *rd, char **w, int n)
{
	struct buf b;
	const char *c;
	int i, never = 0, neg, r = 0;

	if (n < 2)
		return rd_err(rd, "missing criteria after", w[0]);
	buf_init(&b);
	for (i = 1; r == 0 && i < n; i++) {
		c = w[i];
		if ((neg = *c == '!'))
			c++;
		if (strcasecmp(c, "all") == 0) {
			if (n != 2)
				r = rd_err(rd, "'all' cannot be combined with "
				    "other criteria at", w[i]);
			never |= neg;
			continue;
		}
		if (strcasecmp(c, "canonical") == 0 ||
		    strcasecmp(c, "final") == 0) {
			never |= !neg;
			continue;
		}
		if (i + 1 >= n) {
			r = rd_err(rd, "missing argument for match criterion",
			    w[i]);
			break;
		}
		if (strcasecmp(c, "host") == 0 ||
		    strcasecmp(c, "originalhost") == 0)
			r = buf_printf(&b, "%s%c%s", b.len > 0 ? "\n" : "",
			    neg ? '!' : '+', w[i + 1]);
		else if (strcasecmp(c, "exec") == 0 ||
		    strcasecmp(c, "user") == 0 ||
		    strcasecmp(c, "localuser") == 0 ||
		    strcasecmp(c, "localnetwork") == 0 ||
		    strcasecmp(c, "tagged") == 0)
			never = 1;
		else
			r = rd_err(rd, "unknown match criterion", w[i]);
		i++;
	}
	if (r == 0 && buf_reserve(&b, 0) != 0)
		r = err_set(&rd->cfg->err, DROVE_E_NOMEM, "out of memory");
	if (r != 0) {
		buf_release(&b);
		return r;
	}
	b.data[b.len] = '\0';
	return cfg_add(rd, IT_BLOCK, 0, never, buf_steal(&b, NULL));
}

/* Read the files an Include line names. */
static int
line_include(struct rd *rd, char **w, int n)
{
	glob_t g;
	char *path = NULL;
	size_t k;
	int i, gr, r = 0;

	if (n < 2)
		return rd_err(rd, "missing file after", w[0]);
	if (rd->depth >= SSHCFG_MAX_DEPTH)
		return rd_err(rd, "include nested too deeply at", w[1]);
	for (i = 1; r == 0 && i < n; i++) {
		if (w[i][0] == '/' || w[i][0] == '~')
			path = tilde(w[i]);
		else if (asprintf(&path, "%s/.ssh/%s", home_dir(), w[i]) < 0)
			path = NULL;
		if (path == NULL)
			return err_set(&rd->cfg->err, DROVE_E_NOMEM,
			    "out of memory");
		memset(&g, 0, sizeof g);
		gr = glob(path, 0, NULL, &g);
		if (gr == GLOB_NOSPACE)
			r = err_set(&rd->cfg->err, DROVE_E_NOMEM,
			    "out of memory");
		for (k = 0; r == 0 && gr == 0 && k < g.gl_pathc; k++) {
			if ((r = cfg_add(rd, IT_PUSH, 0, 0, NULL)) != 0 ||
			    (r = cfg_file(rd->cfg, g.gl_pathv[k], 0,
			    rd->depth + 1)) != 0)
				break;
			r = cfg_add(rd, IT_POP, 0, 0, NULL);
		}
		globfree(&g);
		free(path);
	}
	return r;
}

/* Add a command option line: its words joined by spaces. */
static int
line_cmd(struct rd *rd, size_t k, char **w, int n)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 1; i < n; i++) {
		if (i > 1)
			buf_puts(&b, " ");
		buf_puts(&b, w[i]);
	}
	if (b.data == NULL)
		return err_set(&rd->cfg->err, DROVE_E_NOMEM, "out of memory");
	return cfg_add(rd, IT_OPT, (int)k, 0, buf_steal(&b, NULL));
}

/* Add an option line. */
static int
line_opt(struct rd *rd, size_t k, char **w, int n)
{
	const char *why;
	char *v;

	if (n < 2)
		return rd_err(rd, "missing argument for", w[0]);
	if (kws[k].type == V_CMD)
		return line_cmd(rd, k, w, n);
	if (n > 2 && kws[k].type != V_PATH)
		return rd_err(rd, "garbage at end of line:", w[2]);
	if ((why = check_value(kws[k].type, w[1])) != NULL)
		return rd_err(rd, why, w[1]);
	if (kws[k].type == V_PATH) {
		if (sshcfg_expand(w[1], "h", "r", "p", &v) ==
		    DROVE_E_INVENTORY)
			return rd_err(rd, "unknown token in", w[1]);
		free(v);
	}
	v = kws[k].type == V_PATH ? tilde(w[1]) : strdup(w[1]);
	if (v == NULL)
		return err_set(&rd->cfg->err, DROVE_E_NOMEM, "out of memory");
	return cfg_add(rd, IT_OPT, (int)k, 0, v);
}

/* Read one line. */
static int
cfg_line(struct rd *rd, char *line)
{
	char *w[SSHCFG_MAX_ARGS];
	size_t k;
	int n;

	if ((n = split(rd, line, w)) <= 0)
		return n;
	if (strcasecmp(w[0], "host") == 0)
		return line_host(rd, w, n);
	if (strcasecmp(w[0], "match") == 0)
		return line_match(rd, w, n);
	if (strcasecmp(w[0], "include") == 0)
		return line_include(rd, w, n);
	for (k = 0; k < NKWS; k++)
		if (strcasecmp(w[0], kws[k].name) == 0)
			return line_opt(rd, k, w, n);
	return 0;
}

/* Keep a file name for the items; NULL when out of memory. */
static const char *
cfg_name(struct sshcfg *cfg, const char *name)
{
	char **v;

	if ((v = reallocarray(cfg->files, cfg->nfiles + 1, sizeof *v)) == NULL)
		return NULL;
	cfg->files = v;
	if ((v[cfg->nfiles] = strdup(name)) == NULL)
		return NULL;
	return v[cfg->nfiles++];
}

/* Read text (modified in place) as file name at include depth depth. */
static int
cfg_text(struct sshcfg *cfg, const char *name, char *text, int depth)
{
	struct rd rd;
	char *line, *next;
	int r = 0;

	memset(&rd, 0, sizeof rd);
	rd.cfg = cfg;
	rd.depth = depth;
	if ((rd.file = cfg_name(cfg, name)) == NULL)
		return err_set(&cfg->err, DROVE_E_NOMEM, "out of memory");
	for (line = text; r == 0 && line != NULL; line = next) {
		rd.line++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		r = cfg_line(&rd, line);
	}
	return r;
}

/* Read file path at include depth depth. */
static int
cfg_file(struct sshcfg *cfg, const char *path, int optional, int depth)
{
	char chunk[8192];
	struct buf b;
	size_t n;
	FILE *f;
	int r = 0;

	if ((f = fopen(path, "r")) == NULL) {
		if (optional && errno == ENOENT)
			return 0;
		return err_set(&cfg->err, DROVE_E_IO, "cannot open '%s': %s",
		    path, strerror(errno));
	}
	buf_init(&b);
	while (r == 0 && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		r = buf_append(&b, chunk, n);
	if (r == 0 && ferror(f))
		r = err_set(&cfg->err, DROVE_E_IO, "cannot read '%s': %s",
		    path, strerror(errno));
	else if (r != 0 || buf_reserve(&b, 0) != 0)
		r = err_set(&cfg->err, DROVE_E_NOMEM, "out of memory");
	fclose(f);
	if (r == 0) {
		b.data[b.len] = '\0';
		r = cfg_text(cfg, path, b.data, depth);
	}
	buf_release(&b);
	return r;
}

/* Read a config file; on failure nothing of it is kept. */
int
sshcfg_load(struct sshcfg *cfg, const char *path, int optional)
{
	size_t from = cfg->nitems;
	int r;

	err_clear(&cfg->err);
	if ((r = cfg_file(cfg, path, optional, 0)) != 0)
		cfg_truncate(cfg, from);
	return r;
}

/* Read config text; on failure nothing of it is kept. */
int
sshcfg_parse(struct sshcfg *cfg, const char *name, const char *text)
{
	size_t from = cfg->nitems;
	char *copy;
	int r;

	err_clear(&cfg->err);
	if ((copy = strdup(text)) == NULL)
		return err_set(&cfg->err, DROVE_E_NOMEM, "out of memory");
	if ((r = cfg_text(cfg, name, copy, 0)) != 0)
		cfg_truncate(cfg, from);
	free(copy);
	return r;
}

/* Whether s matches the glob p ("*", "?"), ignoring case; p is len bytes. */
static int
match_one(const char *s, const char *p, size_t len)
{
	const char *star = NULL, *ss = NULL, *end = p + len;

	while (*s != '\0') {
		if (p < end && (*p == '?' || tolower((unsigned char)*p) ==
		    tolower((unsigned char)*s))) {
			p++;
			s++;
		} else if (p < end && *p == '*') {
			star = ++p;
			ss = s;
		} else if (star != NULL) {
			p = star;
			s = ++ss;
		} else
			return 0;
	}
	while (p < end && *p == '*')
		p++;
	return p == end;
}

/* Whether host matches the list: a negated match wins over all others. */
int
sshcfg_match_list(const char *host, const char *list)
{
	const char *p = list;
	size_t len;
	int neg, pos = 0;

	for (;;) {
		p += strspn(p, " \t,");
		if (*p == '\0')
			return pos;
		len = strcspn(p, " \t,");
		if ((neg = *p == '!')) {
			if (match_one(host, p + 1, len - 1))
				return 0;
		} else if (match_one(host, p, len))
			pos = 1;
		p += len;
	}
}

/* Whether every condition of a block holds for host. */
static int
block_match(const struct item *it, const char *host)
{
	const char *c = it->text;
	char line[4096];
	size_t len;
	int m;

	if (it->never)
		return 0;
	while (*c != '\0') {
		len = strcspn(c, "\n");
		if (len >= sizeof line)
			return 0;
		memcpy(line, c + 1, len - 1);
		line[len - 1] = '\0';
		m = sshcfg_match_list(host, line);
		if (m != (*c == '+'))
			return 0;
		c += len + (c[len] == '\n');
	}
	return 1;
}

/* Report the first value of each var that applies to host. */
int
sshcfg_lookup(const struct sshcfg *cfg, const char *host, sshcfg_cb *fn,
    void *arg)
{
	int stack[2 * (SSHCFG_MAX_DEPTH + 1)];
	int outer = 1, active = 1, sp = 0, r;
	unsigned seen = 0;
	const struct item *it;
	size_t i;

	if (cfg == NULL)
		return 0;
	for (i = 0; i < cfg->nitems; i++) {
		it = &cfg->items[i];
		switch (it->kind) {
		case IT_BLOCK:
			active = outer && block_match(it, host);
			break;
		case IT_PUSH:
			stack[sp++] = outer;
			stack[sp++] = active;
			outer = active;
			break;
		case IT_POP:
			active = stack[--sp];
			outer = stack[--sp];
			break;
		case IT_OPT:
			if (!active || (seen & (1u << it->kw)) != 0)
				break;
			seen |= 1u << it->kw;
			if ((r = fn(kws[it->kw].var, it->text, it->file,
			    it->line, arg)) != 0)
				return r;
			break;
		}
	}
	return 0;
}

/* Replace the %-tokens of s. */
int
sshcfg_expand(const char *s, const char *host, const char *user,
    const char *port, char **out)
{
	struct passwd *pw;
	const char *local = getenv("USER"), *v;
	struct buf b;
	int r = 0;

	*out = NULL;
	if (local == NULL && (pw = getpwuid(getuid())) != NULL)
		local = pw->pw_name;
	buf_init(&b);
	for (; r == 0 && *s != '\0'; s++) {
		if (*s != '%') {
			r = buf_append(&b, s, 1);
			continue;
		}
		switch (*++s) {
		case '%':
			v = "%";
			break;
		case 'h':
			v = host;
			break;
		case 'r':
			v = user;
			break;
		case 'p':
			v = port;
			break;
		case 'u':
			v = local;
			break;
		default:
			buf_release(&b);
			return DROVE_E_INVENTORY;
		}
		r = buf_puts(&b, v != NULL ? v : "");
	}
	if (r != 0 || buf_reserve(&b, 0) != 0) {
		buf_release(&b);
		return DROVE_E_NOMEM;
	}
	b.data[b.len] = '\0';
	*out = buf_steal(&b, NULL);
	return 0;
}
