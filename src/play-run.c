/*
 * play-run.c: the playbook runner: batches, the remote shell commands of
 * each action, and the exec job that gives every host of a fleet run its
 * own command and stdin.
 *
 * A task's hosts get different commands (templated per host) and, for
 * template and script, different bytes on stdin, so a task is one fleet run
 * whose job maker (fleet_set_job) makes each host an exec job of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "exec.h"
#include "fleet.h"
#include "play-run.h"
#include "xfer.h"

/* The size of batch idx. */
size_t
prun_batch_size(const struct prun_serial *s, size_t n, size_t idx,
    size_t total)
{
	const struct prun_serial *v;
	size_t size;

	if (n == 0 || total == 0)
		return total;
	v = &s[idx < n ? idx : n - 1];
	if (v->value <= 0)
		return total;
	if (v->percent)
		size = (size_t)v->value * total / 100;
	else
		size = (size_t)v->value;
	if (size == 0)
		size = 1;
	return size < total ? size : total;
}

/* A buffer's string, or NULL when a write to it failed. */
static char *
sh_done(struct buf *b, int failed)
{
	if (failed) {
		buf_release(b);
		return NULL;
	}
	return buf_steal(b, NULL);
}

/* cmd as user under sudo. */
char *
prun_sh_become(const char *cmd, const char *user)
{
	struct buf b;
	char *qc, *qu;
	int bad;

	qc = xfer_shell_quote(cmd);
	qu = xfer_shell_quote(user != NULL ? user : "root");
	buf_init(&b);
	bad = qc == NULL || qu == NULL ||
	    buf_printf(&b, "sudo -n -u %s -- sh -c %s", qu, qc) != 0;
	free(qc);
	free(qu);
	return sh_done(&b, bad);
}

/* cmd behind its creates and removes tests. */
char *
prun_sh_guard(const char *cmd, const char *creates, const char *removes)
{
	struct buf b;
	char *q;
	int bad = 0;

	buf_init(&b);
	if (creates != NULL) {
		if ((q = xfer_shell_quote(creates)) == NULL)
			return NULL;
		bad |= buf_printf(&b, "if [ -e %s ]; then echo %s; exit 0; "
		    "fi\n", q, PRUN_MARK_SKIPPED);
		free(q);
	}
	if (removes != NULL) {
		if ((q = xfer_shell_quote(removes)) == NULL) {
			buf_release(&b);
			return NULL;
		}
		bad |= buf_printf(&b, "if [ ! -e %s ]; then echo %s; exit 0; "
		    "fi\n", q, PRUN_MARK_SKIPPED);
		free(q);
	}
	bad |= buf_puts(&b, cmd);
	return sh_done(&b, bad);
}

/* Install stdin as dest unless it holds the same bytes and mode. */
char *
prun_sh_install(const char *dest, const char *mode, int check)
{
	struct buf b;
	char *q, m[16] = "";
	long v;
	int bad;

	if (mode != NULL) {
		v = strtol(mode, NULL, 8);
		snprintf(m, sizeof m, "%lo", (unsigned long)v & 07777);
	}
	if ((q = xfer_shell_quote(dest)) == NULL)
		return NULL;
	buf_init(&b);
	bad = buf_printf(&b, "d=%s; m=%s\n"
	    "same() { [ -z \"$m\" ] || [ \"$(stat -c %%a \"$d\")\" = \"$m\" ]; "
	    "}\n", q, m);
	if (check)
		bad |= buf_printf(&b, "if cmp -s - \"$d\" && same; then "
		    "echo %s; else echo %s; fi\n", PRUN_MARK_UNCHANGED,
		    PRUN_MARK_CHANGED);
	else
		bad |= buf_printf(&b, "t=$(mktemp \"$(dirname \"$d\")/"
		    ".drove-XXXXXX\") || exit 1\n"
		    "trap 'rm -f \"$t\"' EXIT\n"
		    "cat >\"$t\" || exit 1\n"
		    "if cmp -s \"$t\" \"$d\" && same; then echo %s; exit 0; "
		    "fi\n"
		    "if [ -n \"$m\" ]; then chmod \"$m\" \"$t\"; "
		    "elif [ -e \"$d\" ]; then chmod --reference=\"$d\" \"$t\"; "
		    "else chmod 644 \"$t\"; fi || exit 1\n"
		    "mv -f \"$t\" \"$d\" || exit 1\n"
		    "echo %s\n", PRUN_MARK_UNCHANGED, PRUN_MARK_CHANGED);
	free(q);
	return sh_done(&b, bad);
}

/* Run stdin as a script with args. */
char *
prun_sh_script(const char *args)
{
	struct buf b;
	int bad;

	buf_init(&b);
	bad = buf_printf(&b, "t=$(mktemp \"${TMPDIR:-/tmp}/.drove-script."
	    "XXXXXX\") || exit 1\n"
	    "trap 'rm -f \"$t\"' EXIT\n"
	    "cat >\"$t\" && chmod 700 \"$t\" && \"$t\"%s%s\n",
	    args != NULL && *args != '\0' ? " " : "", args != NULL ? args : "");
	return sh_done(&b, bad);
}

/* A loop that runs until probe succeeds, failing with what after
 * timeout_s seconds. */
static char *
sh_wait(const char *probe, const char *what, unsigned int timeout_s)
{
	struct buf b;
	char *q;
	int bad;

	if ((q = xfer_shell_quote(what)) == NULL)
		return NULL;
	buf_init(&b);
	bad = buf_printf(&b, "i=0\nuntil %s; do\n"
	    "\tif [ $i -ge %u ]; then echo \"wait_for: timeout after %us: \"%s "
	    ">&2; exit 1; fi\n"
	    "\tsleep 1; i=$((i + 1))\ndone\n", probe, timeout_s, timeout_s, q);
	free(q);
	return sh_done(&b, bad);
}

/* Wait for a path to exist or be gone. */
char *
prun_sh_wait_path(const char *path, int absent, unsigned int timeout_s)
{
	struct buf b;
	char *q, *r = NULL;

	if ((q = xfer_shell_quote(path)) == NULL)
		return NULL;
	buf_init(&b);
	if (buf_printf(&b, "%s[ -e %s ]", absent ? "! " : "", q) == 0)
		r = sh_wait(b.data, absent ? "path still there" :
		    "no such path", timeout_s);
	buf_release(&b);
	free(q);
	return r;
}

/* Wait for a TCP port (bash's /dev/tcp, else nc -z). */
char *
prun_sh_wait_port(const char *host, unsigned int port, unsigned int timeout_s)
{
	struct buf b;
	char *q, *r = NULL;

	if ((q = xfer_shell_quote(host)) == NULL)
		return NULL;
	buf_init(&b);
	if (buf_printf(&b, "{ if command -v bash >/dev/null; then "
	    "bash -c 'exec 3<>\"/dev/tcp/$0/$1\"' %s %u; "
	    "else nc -z %s %u; fi; } 2>/dev/null", q, port, q, port) == 0)
		r = sh_wait(b.data, "port closed", timeout_s);
	buf_release(&b);
	free(q);
	return r;
}

/* The per-host commands and stdin of one fleet run. */
struct prun_jobs {
	char		**cmds;
	struct feed	 *feeds;	/* distinct stdin contents */
	size_t		  nfeeds;
	size_t		 *feed_of;	/* per host; SIZE_MAX: none */
	size_t		  n;
};

/* Free the jobs' arguments (the fleet's job_arg_free). */
static void
prun_jobs_free(void *arg)
{
	struct prun_jobs *j = arg;
	size_t i;

	if (j == NULL)
		return;
	for (i = 0; i < j->n; i++)
		free(j->cmds[i]);
	for (i = 0; i < j->nfeeds; i++)
		feed_release(&j->feeds[i]);
	free(j->cmds);
	free(j->feeds);
	free(j->feed_of);
	free(j);
}

/* Make host's exec job. */
static struct job *
prun_make_job(struct drove_fleet *f, size_t host)
{
	struct prun_jobs *j = f->job_arg;

	if (host >= j->n)
		return NULL;
	return exec_job_new(j->cmds[host], j->feed_of[host] == SIZE_MAX ?
	    NULL : &j->feeds[j->feed_of[host]]);
}

/* Fill a feed with len bytes of data, then EOF. */
static int
feed_fill(struct feed *fd, const char *data, size_t len)
{
	size_t room, n;
	char *p;

	feed_init(fd);
	while (len > 0) {
		if ((p = feed_space(fd, &room)) == NULL)
			return DROVE_E_NOMEM;
		n = len < room ? len : room;
		memcpy(p, data, n);
		feed_commit(fd, n);
		data += n;
		len -= n;
	}
	fd->eof = 1;
	return 0;
}

/* The index of a feed holding data, made if none does yet. */
static int
feed_find(struct prun_jobs *j, const char *const *ins, const size_t *lens,
    size_t host, size_t *first, size_t *out)
{
	size_t k;
	int r;

	for (k = 0; k < j->nfeeds; k++)
		if (lens[first[k]] == lens[host] &&
		    memcmp(ins[first[k]], ins[host], lens[host]) == 0) {
			*out = k;
			return 0;
		}
	if ((r = feed_fill(&j->feeds[k], ins[host], lens[host])) != 0) {
		feed_release(&j->feeds[k]);
		return r;
	}
	first[k] = host;
	*out = j->nfeeds++;
	return 0;
}

/* Give every host its own command and stdin. */
int
prun_fleet_exec(drove_fleet *f, char *const *cmds, const char *const *ins,
    const size_t *lens)
{
	struct prun_jobs *j;
	size_t i, n = drove_fleet_host_count(f), *first = NULL;
	int r = DROVE_E_NOMEM;

	if ((j = calloc(1, sizeof *j)) == NULL ||
	    (j->cmds = calloc(n + 1, sizeof *j->cmds)) == NULL ||
	    (j->feeds = calloc(n + 1, sizeof *j->feeds)) == NULL ||
	    (j->feed_of = calloc(n + 1, sizeof *j->feed_of)) == NULL ||
	    (first = calloc(n + 1, sizeof *first)) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		j->feed_of[i] = SIZE_MAX;
		if ((j->cmds[j->n++] = strdup(cmds[i])) == NULL)
			goto out;
		if (ins != NULL && ins[i] != NULL &&
		    feed_find(j, ins, lens, i, first, &j->feed_of[i]) != 0)
			goto out;
	}
	fleet_set_job(f, prun_make_job, j, prun_jobs_free);
	j = NULL;
	r = 0;
 out:
	if (r != 0)
		err_set(&f->err, r, "out of memory");
	prun_jobs_free(j);
	free(first);
	return r;
}
