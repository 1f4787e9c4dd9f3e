/*
 * sshconfig.h: the parts of OpenSSH's client config that drove applies.
 *
 * A struct sshcfg holds the lines of ~/.ssh/config (or of another file) and
 * the files it includes, kept in order; sshcfg_lookup() walks them for one
 * host name as ssh does: "Host" and "Match host" blocks whose patterns match
 * apply, and the first value of each keyword wins.  Keywords drove knows
 * are reported under inventory var names (HostName: ansible_host, User:
 * ansible_user, Port: ansible_port, IdentityFile:
 * ansible_ssh_private_key_file, the others ssh_<keyword in snake case>);
 * other keywords are skipped.  Values are kept as written, "~" expanded;
 * sshcfg_expand() replaces the %h, %r, %p, %u and %% tokens.
 *
 * Errors: DROVE_E_INVENTORY with "file:line: reason 'token'" in the
 * object's message, DROVE_E_IO, DROVE_E_NOMEM.  A load that fails keeps
 * nothing of the file.  The object owns every string it hands out.
 */
#ifndef SSHCONFIG_H
#define SSHCONFIG_H

#include <stddef.h>

struct sshcfg;

/* Called once per var that applies, with where its value was read. */
typedef int sshcfg_cb(const char *var, const char *value, const char *file,
    unsigned line, void *arg);

struct sshcfg	*sshcfg_new(void);
void		 sshcfg_free(struct sshcfg *);		/* NULL-safe */
const char	*sshcfg_error(const struct sshcfg *);
/* Read path and what it includes; a missing file is fine when optional. */
int		 sshcfg_load(struct sshcfg *, const char *path, int optional);
/* Read config text as if from file name; Include reads real files. */
int		 sshcfg_parse(struct sshcfg *, const char *name,
		    const char *text);
/* Call fn for the first value of each var that applies to host. */
int		 sshcfg_lookup(const struct sshcfg *, const char *host,
		    sshcfg_cb *fn, void *arg);
/* Whether host matches the pattern list (space or comma separated, "*",
 * "?" and "!" negation), case-insensitively as OpenSSH does. */
int		 sshcfg_match_list(const char *host, const char *list);
/* *out = s with %h host, %r user, %p port, %u local user and %% replaced;
 * malloc'd.  DROVE_E_INVENTORY on an unknown token. */
int		 sshcfg_expand(const char *s, const char *host,
		    const char *user, const char *port, char **out);

#endif /* SSHCONFIG_H */
