/*
 * play-run.c: the playbook runner: batches, the remote shell commands of
 * each action, the exec job that gives every host of a fleet run its own
 * command and stdin, and the plays themselves (Ansible's linear strategy).
 *
 * A play's hosts are cut into batches (serial); each task of the play runs
 * on the live hosts of a batch at once, then the next task.  A task's hosts
 * get different commands (templated per host) and, for template and script,
 * different bytes on stdin, so a task (or one item of its loop) is one
 * fleet run whose job maker (fleet_set_job) makes each host an exec job of
 * its own; push and pull are one fleet run per distinct source and
 * destination.  The fleet of a batch keeps its hosts' sessions (and their
 * SFTP channels, jobs/sftp.c) from task to task.  A host that fails is
 * dropped from the rest of the playbook; max_fail_percentage,
 * any_errors_fatal and a batch whose every host failed stop it.
 *
 * Variables a host sees, first found wins: the loop's item, registered
 * results, -e extra vars, the play's vars (rendered per host), inventory
 * vars with inventory_hostname, ansible_host and group_names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "engine/fleet.h"
#include "jobs/exec.h"
#include "jobs/sftp.h"
#include "jobs/xfer.h"
#include "play/play-run.h"

/* The size of batch idx. */
size_t
prun_batch_size(const struct play_batch *s, size_t n, size_t idx,
    size_t total)
{
	const struct play_batch *v;
	size_t size;

	if (n == 0 || total == 0)
		return total;
	v = &s[idx < n ? idx : n - 1];
	if (v->n <= 0)
		return total;
	if (v->percent)
		size = (size_t)v->n * total / 100;
	else
		size = (size_t)v->n;
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

/* Make host's exec job, as its become user when it has one. */
static struct job *
prun_make_job(struct drove_fleet *f, size_t host)
{
	struct prun_jobs *j = f->job_arg;
	struct become *b;

	if (host >= j->n || j->cmds[host] == NULL ||
	    become_host(f, host, 0, &b) != 0)
		return NULL;
	return exec_job_become(j->cmds[host], j->feed_of[host] == SIZE_MAX ?
	    NULL : &j->feeds[j->feed_of[host]], b);
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
		if (cmds[i] == NULL) {	/* not in this run */
			j->n++;
			continue;
		}
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

/* Output kept per stream and host when the options say 0. */
#define PRUN_CAP	(1024 * 1024)

/* A host of the playbook, by inventory index. */
struct phost {
	const char		*name;		/* lent by the inventory */
	int			 in_book;	/* some play selected it */
	int			 dead;		/* failed: out of the rest */
	int			 unreachable;
	int			 nosftp;	/* its server has no SFTP */
	struct pval		 hostvars;	/* inventory and magic vars */
	struct pval		 playvars;	/* this play's, rendered */
	struct pval		 regs;		/* registered results */
	struct pval		 item;		/* {"item": ...} in a loop */
	const struct pval	*chain[6];	/* lookup order */
	struct prun_counts	 counts;
	struct drove_result	 last;		/* final, for the history */
	char			*fout;		/* output of the failure */
	size_t			 foutlen;
	char			*ferr;
	size_t			 ferrlen;
};

/* A host's turn at one item of a task. */
struct slot {
	struct phost		*h;
	size_t			 inv;
	char			*cmd;		/* exec: the command */
	char			*in;		/* its stdin, or NULL */
	size_t			 inlen;
	char			*src;		/* push, pull: rendered */
	char			*dest;
	int			 put;		/* a template sent over SFTP:
						   in is what it sends */
	int			 remote;	/* runs on the host */
	int			 skipped;
	char			*msg;		/* why skipped or failed */
	int			 failed;	/* before running */
	struct buf		 out;
	struct buf		 err;
	struct drove_result	 res;
	int			 done;
	size_t			 cap;
};

struct prun {
	const struct playbook	*book;
	drove_inventory		*inv;
	const struct prun_opts	*o;
	struct drove_err	*err;
	struct phost		*hosts;
	size_t			 nhosts;
	size_t			*limit;		/* --limit hosts, sorted */
	size_t			 nlimit;
	const struct play	*play;
	const char		*play_name;
	size_t			 cap;
	int			 stopped;
	char			*file;		/* last local file read */
	char			*data;		/* and its bytes */
	size_t			 datalen;
	/* the batch's fleet: its sessions serve every task of the batch */
	drove_fleet		*f;
	size_t			*fidx;		/* inventory -> fleet index */
	unsigned int		 timeout_ms;	/* the fleet's own */
	char			*closed;	/* by fleet index: host left */
	struct fbecome		 become;	/* the command line's (-B, -K),
						   which tasks add to */
};

/* Send an event to the caller. */
static void
prun_emit(struct prun *r, struct prun_event *ev)
{
	ev->play = r->play_name;
	if (r->o->cb != NULL)
		r->o->cb(ev, r->o->cb_arg);
}

/* Where hostvar_add() puts a host's inventory vars. */
struct hostvar_to {
	struct pval		*map;
	const drove_inventory	*inv;
	size_t			 host;
};

/* Add an inventory var to a host's vars (drove_inventory_each_var). */
static int
hostvar_add(const char *name, const char *value, const char *source,
    void *arg)
{
	struct hostvar_to *to = arg;
	struct pval none;

	(void)source;
	/* A vaulted var that cannot be decrypted stays undefined, as it
	 * fails only the tasks that use it in Ansible. */
	if (drove_inventory_var_is_vaulted(to->inv, to->host, name) &&
	    drove_inventory_var(to->inv, to->host, name) == NULL)
		return 0;
	if (!drove_inventory_var_is_null(to->inv, to->host, name))
		return pval_set_str(to->map, name, value);
	memset(&none, 0, sizeof none);
	return pval_set(to->map, name, &none);
}

/* Give every host its inventory vars and magic vars; group_names from a
 * selection of each group. */
static int
prun_hostvars(struct prun *r)
{
	struct hostvar_to to;
	struct pval list, s;
	const char *ah, *g;
	char pat[1024];
	size_t i, k, ng, *sel, nsel;
	int rc;

	for (i = 0; i < r->nhosts; i++) {
		struct phost *h = &r->hosts[i];

		h->name = drove_inventory_name(r->inv, i);
		pval_map(&h->hostvars);
		pval_map(&h->regs);
		to.map = &h->hostvars;
		to.inv = r->inv;
		to.host = i;
		if ((rc = drove_inventory_each_var(r->inv, i, hostvar_add,
		    &to)) != 0)
			return rc;
		ah = drove_inventory_var(r->inv, i, "ansible_host");
		memset(&list, 0, sizeof list);
		pval_list(&list);
		if ((rc = pval_set_str(&h->hostvars, "inventory_hostname",
		    h->name)) != 0 || (rc = pval_set_str(&h->hostvars,
		    "ansible_host", ah != NULL ? ah : h->name)) != 0 ||
		    (rc = pval_set(&h->hostvars, "group_names", &list)) != 0)
			return rc;
	}
	ng = drove_inventory_group_count(r->inv);
	for (k = 1; k < ng; k++) {
		g = drove_inventory_group_name(r->inv, k);
		/* "&" names the group even when a host has its name. */
		snprintf(pat, sizeof pat, "all:&%s", g);
		if (drove_inventory_select(r->inv, pat, &sel, &nsel) != 0)
			continue;
		for (i = 0; i < nsel; i++) {
			memset(&s, 0, sizeof s);
			if ((rc = pval_str(&s, g)) != 0 || (rc = pval_push(
			    (struct pval *)pval_get(&r->hosts[sel[i]].hostvars,
			    "group_names"), &s)) != 0) {
				pval_release(&s);
				free(sel);
				return rc;
			}
		}
		free(sel);
	}
	return 0;
}

/* Set a host's lookup chain: item, registered, extra, play, inventory. */
static void
prun_chain(struct prun *r, struct phost *h)
{
	h->chain[0] = &h->item;
	h->chain[1] = &h->regs;
	h->chain[2] = r->o->extra;
	h->chain[3] = &h->playvars;
	h->chain[4] = &h->hostvars;
	h->chain[5] = NULL;
	if (h->chain[2] == NULL) {
		h->chain[2] = &h->playvars;
		h->chain[3] = &h->hostvars;
		h->chain[4] = NULL;
	}
}

/* Release a slot's strings and buffers. */
static void
slot_release(struct slot *s)
{
	free(s->cmd);
	free(s->in);
	free(s->src);
	free(s->dest);
	free(s->msg);
	buf_release(&s->out);
	buf_release(&s->err);
}

/* Keep at most cap bytes of a stream. */
static void
keep(struct buf *b, size_t cap, const char *data, size_t len)
{
	if (b->len >= cap)
		return;
	buf_append(b, data, len < cap - b->len ? len : cap - b->len);
}

/* The fleet's events: output and results into the host's slot. */
static void
slot_event(const struct drove_event *ev, void *arg)
{
	struct slot **run = arg, *s = run[ev->host];

	switch (ev->type) {
	case DROVE_EV_STDOUT:
		keep(&s->out, s->cap, ev->data, ev->len);
		break;
	case DROVE_EV_STDERR:
	case DROVE_EV_WARN:
		keep(&s->err, s->cap, ev->data, ev->len);
		break;
	case DROVE_EV_DONE:
		s->res = *ev->result;
		s->done = 1;
		break;
	case DROVE_EV_START:
		break;
	}
}

/*
 * Give the batch's fleet task t's become: on when the task or its play
 * says so (or -B did), as their become_user (else the command line's),
 * with the command line's method and password (jobs/become.c asks nothing
 * else of sudo).  The fleet serves every task of the batch, so the command
 * line's settings are the ones kept in r, not the fleet's last.
 */
static int
prun_become(struct prun *r, const struct play_task *t, drove_fleet *f)
{
	struct drove_become b;
	const char *user;
	int rc;

	user = t->become_user != NULL ? t->become_user :
	    r->play->become_user;
	b.on = (t->become >= 0 ? t->become : r->play->become) ||
	    r->become.on;
	b.user = user != NULL ? user : r->become.user;
	b.method = (enum drove_become_method)r->become.method;
	b.password = r->become.password;
	if ((rc = drove_fleet_set_become(f, &b)) != 0)
		err_set(r->err, rc, "%s", drove_fleet_error(f));
	return rc;
}

/*
 * Make the fleet of a batch: its hosts' sessions are kept from task to
 * task and closed when a host leaves the play (prun_leave) or the batch
 * ends (prun_batch_end).
 */
static int
prun_batch_fleet(struct prun *r, struct phost **batch, size_t nb)
{
	size_t *hosts, i;

	if ((hosts = calloc(nb + 1, sizeof *hosts)) == NULL ||
	    (r->closed = calloc(nb + 1, 1)) == NULL) {
		free(hosts);
		return err_set(r->err, DROVE_E_NOMEM, "out of memory");
	}
	for (i = 0; i < nb; i++) {
		hosts[i] = (size_t)(batch[i] - r->hosts);
		r->fidx[hosts[i]] = i;
	}
	r->f = r->o->make_fleet(r->o->fleet_arg, hosts, nb);
	free(hosts);
	if (r->f == NULL)
		return err_set(r->err, DROVE_E_INVAL, "cannot make a fleet");
	r->timeout_ms = r->f->command_timeout_ms;
	r->become.on = r->f->become.on;
	r->become.method = r->f->become.method;
	if ((r->f->become.user != NULL &&
	    (r->become.user = strdup(r->f->become.user)) == NULL) ||
	    (r->f->become.password != NULL &&
	    (r->become.password = strdup(r->f->become.password)) == NULL))
		return err_set(r->err, DROVE_E_NOMEM, "out of memory");
	if (drove_fleet_set_keep_sessions(r->f, 1) != 0)
		return err_set(r->err, DROVE_E_INVAL, "%s",
		    drove_fleet_error(r->f));
	return 0;
}

/* Close the sessions of the batch's hosts that left the play. */
static void
prun_leave(struct prun *r, struct phost **batch, size_t nb)
{
	size_t i;

	for (i = 0; i < nb && r->f != NULL; i++)
		if (batch[i]->dead && !r->closed[i]) {
			r->closed[i] = 1;
			drove_fleet_close_host(r->f, i);
		}
}

/* The batch is over: close its sessions. */
static void
prun_batch_end(struct prun *r)
{
	drove_fleet_free(r->f);
	r->f = NULL;
	free(r->closed);
	r->closed = NULL;
	fleet_become_release(&r->become);
}

static int	prun_fleet(struct prun *, const struct play_task *,
		    struct slot **, size_t);
static int	slot_install(struct slot *, const struct play_task *, int,
		    const char *, size_t);

/*
 * After templates sent over SFTP (slots run[0..n), on fleet hosts
 * hosts[]): those whose server has no SFTP (refused, or no sftp-server
 * answered) install the same bytes with a shell command instead, on the
 * same sessions, as their later templates do.
 */
static int
prun_put_again(struct prun *r, const struct play_task *t, struct slot **run,
    size_t n, const size_t *hosts)
{
	struct slot *s, **again;
	size_t i, m = 0;
	char *data;
	int rc = 0;

	if ((again = calloc(n, sizeof *again)) == NULL)
		return err_set(r->err, DROVE_E_NOMEM, "out of memory");
	for (i = 0; i < n && rc == 0; i++) {
		s = run[i];
		if (!xfer_fleet_put_nosftp(r->f, hosts[i]))
			continue;
		data = s->in;
		s->in = NULL;
		s->put = 0;
		s->h->nosftp = 1;
		memset(&s->res, 0, sizeof s->res);
		buf_consume(&s->err, s->err.len);
		rc = slot_install(s, t, 0, data, s->inlen);
		free(data);
		if (rc != 0)
			err_set(r->err, rc, "out of memory");
		else
			again[m++] = s;
	}
	if (rc == 0 && m > 0)
		rc = prun_fleet(r, t, again, m);
	free(again);
	return rc;
}

/* Run the batch's fleet over slots run[0..n): each an exec job, or the
 * push or pull of the first slot's src and dest. */
static int
prun_fleet(struct prun *r, const struct play_task *t, struct slot **run,
    size_t n)
{
	struct drove_push_opts po;
	struct drove_pull_opts lo;
	drove_fleet *f = r->f;
	const char *src;
	size_t *hosts = NULL, i, k, nf = drove_fleet_host_count(f);
	char **cmds = NULL, **ins = NULL, **names = NULL, **dests = NULL;
	size_t *lens = NULL;
	struct slot **by = NULL;
	long timeout = t->timeout > 0 ? t->timeout : r->play->timeout;
	int rc = DROVE_E_NOMEM;

	if ((hosts = calloc(n + 1, sizeof *hosts)) == NULL ||
	    (by = calloc(nf + 1, sizeof *by)) == NULL ||
	    (cmds = calloc(nf + 1, sizeof *cmds)) == NULL ||
	    (ins = calloc(nf + 1, sizeof *ins)) == NULL ||
	    (names = calloc(nf + 1, sizeof *names)) == NULL ||
	    (dests = calloc(nf + 1, sizeof *dests)) == NULL ||
	    (lens = calloc(nf + 1, sizeof *lens)) == NULL) {
		err_set(r->err, rc, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		k = hosts[i] = r->fidx[run[i]->inv];
		by[k] = run[i];
		cmds[k] = run[i]->cmd;
		ins[k] = run[i]->in;
		lens[k] = run[i]->inlen;
	}
	drove_fleet_set_command_timeout(f, timeout > 0 ?
	    (unsigned int)timeout * 1000 : r->timeout_ms);
	if ((rc = drove_fleet_select(f, hosts, n)) != 0) {
		err_set(r->err, rc, "%s", drove_fleet_error(f));
		goto out;
	}
	if ((rc = prun_become(r, t, f)) != 0)
		goto out;
	src = run[0]->src;
	if (run[0]->cmd != NULL)
		rc = prun_fleet_exec(f, cmds, (const char *const *)ins, lens);
	else if (run[0]->put) {
		memset(&po, 0, sizeof po);
		po.mode = t->mode;
		po.mkdir = t->mkdir == 1;
		po.owner = po.group = -1;
		for (i = 0; i < n; i++) {
			k = hosts[i];
			names[k] = run[i]->src;
			dests[k] = run[i]->dest;
		}
		rc = xfer_fleet_put_each(f, &po, ins, lens, names, dests);
	} else if (t->action == PLAY_PUSH) {
		memset(&po, 0, sizeof po);
		po.mode = t->mode;
		po.mkdir = t->mkdir == 1;
		po.checksum = t->checksum != 0;
		po.owner = po.group = -1;
		rc = drove_fleet_push(f, &po, &src, 1, run[0]->dest);
	} else {
		memset(&lo, 0, sizeof lo);
		rc = drove_fleet_pull(f, &lo, &src, 1, run[0]->dest);
	}
	if (rc != 0) {
		err_set(r->err, rc, "%s", drove_fleet_error(f));
		goto out;
	}
	drove_fleet_set_event_cb(f, slot_event, by);
	if (r->o->running != NULL)
		r->o->running(r->o->fleet_arg, f);
	rc = drove_fleet_run(f);
	if (r->o->running != NULL)
		r->o->running(r->o->fleet_arg, NULL);
	if (rc != 0)
		err_set(r->err, rc, "%s", drove_fleet_error(f));
	else if (run[0]->put)
		rc = prun_put_again(r, t, run, n, hosts);
 out:
	free(by);
	free(hosts);
	free(cmds);
	free(ins);
	free(names);
	free(dests);
	free(lens);
	return rc;
}

/* Whether two slots of a task run in one fleet: exec slots together,
 * templates sent over SFTP together, else one src and dest. */
static int
slot_together(const struct slot *a, const struct slot *b)
{
	if (a->cmd != NULL || b->cmd != NULL)
		return a->cmd != NULL && b->cmd != NULL;
	if (a->put || b->put)
		return a->put && b->put;
	return strcmp(a->src, b->src) == 0 && strcmp(a->dest, b->dest) == 0;
}

/* Run the remote slots: exec ones in one fleet, templates over SFTP in
 * one, push and pull ones in one fleet per distinct src and dest. */
static int
prun_remote(struct prun *r, const struct play_task *t, struct slot *s,
    size_t n)
{
	struct slot **run;
	size_t i, k, m;
	int rc = 0;

	if ((run = calloc(n + 1, sizeof *run)) == NULL)
		return err_set(r->err, DROVE_E_NOMEM, "out of memory");
	for (i = 0; i < n && rc == 0; i++) {
		if (!s[i].remote || s[i].done)
			continue;
		m = 0;
		for (k = i; k < n; k++)
			if (s[k].remote && !s[k].done &&
			    slot_together(&s[k], &s[i]))
				run[m++] = &s[k];
		if (m > 0)
			rc = prun_fleet(r, t, run, m);
		for (k = 0; k < m; k++)
			run[k]->done = 1;
	}
	free(run);
	return rc;
}

/* Read a local file once for every host that sends it. */
static int
prun_read(struct prun *r, const char *path, struct drove_err *e)
{
	FILE *fp;
	struct buf b;
	char chunk[8192];
	size_t n;
	int bad = 0;

	if (r->file != NULL && strcmp(r->file, path) == 0)
		return 0;
	free(r->file);
	free(r->data);
	r->file = r->data = NULL;
	if ((fp = fopen(path, "rb")) == NULL)
		return err_set(e, DROVE_E_IO, "open %s: %s", path,
		    strerror(errno));
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		bad |= buf_append(&b, chunk, n);
	bad |= ferror(fp);
	fclose(fp);
	if (bad || (r->file = strdup(path)) == NULL) {
		buf_release(&b);
		return err_set(e, DROVE_E_IO, "read %s: failed", path);
	}
	buf_reserve(&b, 1);
	r->data = buf_steal(&b, &r->datalen);
	return r->data != NULL ? 0 : err_set(e, DROVE_E_NOMEM,
	    "out of memory");
}

/* Render a field for a host into *out. */
static int
render(struct phost *h, const struct pstr *p, char **out,
    struct drove_err *e)
{
	return pstr_render(p, pval_lookup_chain, h->chain, out, e);
}

/* A slot's command for the install of data (template, and push as
 * become or dry run); with mkdir, the directories are made first. */
static int
slot_install(struct slot *s, const struct play_task *t, int check,
    const char *data, size_t len)
{
	struct buf b;
	char mode[16], *q = NULL, *c;

	if (t->mode >= 0)
		snprintf(mode, sizeof mode, "%o", (unsigned int)t->mode);
	if ((c = prun_sh_install(s->dest, t->mode >= 0 ? mode : NULL,
	    check)) == NULL || (s->in = malloc(len + 1)) == NULL) {
		free(c);
		return DROVE_E_NOMEM;
	}
	memcpy(s->in, data, len);
	s->inlen = len;
	if (t->mkdir != 1 || check) {
		s->cmd = c;
		return 0;
	}
	buf_init(&b);
	if ((q = xfer_shell_quote(s->dest)) == NULL ||
	    buf_printf(&b, "mkdir -p -- \"$(dirname -- %s)\" || exit 1\n%s",
	    q, c) != 0) {
		free(q);
		free(c);
		buf_release(&b);
		return DROVE_E_NOMEM;
	}
	free(q);
	free(c);
	s->cmd = buf_steal(&b, NULL);
	return 0;
}

/* Set what a slot sends for a template, push or pull. */
static int
slot_files(struct prun *r, const struct play_task *t, struct slot *s,
    int check, int become, struct drove_err *e)
{
	char *local = NULL, *data = NULL;
	size_t len = 0;
	int rc;

	if ((rc = render(s->h, &t->src, &s->src, e)) != 0 ||
	    (rc = render(s->h, &t->dest, &s->dest, e)) != 0)
		return rc;
	if (t->action == PLAY_PULL) {
		if (check)
			s->skipped = 1;
		return 0;
	}
	if ((rc = playbook_file(r->book, t->action, s->src, &local, e)) != 0)
		return rc;
	if (t->action == PLAY_TEMPLATE) {
		rc = ptmpl_render_file(local, pval_lookup_chain, s->h->chain,
		    &data, &len, e);
		if (rc == 0 && (check || become || s->h->nosftp))
			rc = slot_install(s, t, check, data, len);
		else if (rc == 0) {
			/* over the session's SFTP channel */
			s->in = data;
			s->inlen = len;
			s->put = 1;
			data = NULL;
		}
	} else if (check || become) {
		if ((rc = prun_read(r, local, e)) == 0)
			rc = slot_install(s, t, check, r->data, r->datalen);
	} else {
		free(s->src);
		s->src = local;
		local = NULL;
	}
	free(local);
	free(data);
	return rc;
}

/* Set a slot's command for run, script or wait_for. */
static int
slot_command(struct prun *r, const struct play_task *t, struct slot *s,
    struct drove_err *e)
{
	char *c = NULL, *cr = NULL, *rm = NULL, *local = NULL;
	int rc, port;

	if (t->action == PLAY_WAIT_FOR) {
		if (t->port > 0 || t->port_tmpl.text != NULL) {
			if ((rc = play_task_port(t, pval_lookup_chain,
			    s->h->chain, &port, e)) != 0 ||
			    (t->host.text != NULL &&
			    (rc = render(s->h, &t->host, &c, e)) != 0))
				return rc;
			s->cmd = prun_sh_wait_port(c != NULL ? c :
			    "127.0.0.1", (unsigned int)port,
			    (unsigned int)t->wait_timeout);
		} else {
			if ((rc = render(s->h, &t->path, &c, e)) != 0)
				return rc;
			s->cmd = prun_sh_wait_path(c, t->present == 0,
			    (unsigned int)t->wait_timeout);
		}
		free(c);
		return s->cmd != NULL ? 0 : DROVE_E_NOMEM;
	}
	if ((rc = render(s->h, &t->cmd, &c, e)) != 0 ||
	    (t->creates.text != NULL &&
	    (rc = render(s->h, &t->creates, &cr, e)) != 0) ||
	    (t->removes.text != NULL &&
	    (rc = render(s->h, &t->removes, &rm, e)) != 0))
		goto out;
	if (t->action == PLAY_SCRIPT) {
		/* the local file goes on stdin, the command runs it */
		if ((rc = playbook_file(r->book, PLAY_SCRIPT, c, &local,
		    e)) != 0 || (rc = prun_read(r, local, e)) != 0)
			goto out;
		rc = DROVE_E_NOMEM;
		if ((s->in = malloc(r->datalen + 1)) == NULL)
			goto out;
		memcpy(s->in, r->data, r->datalen);
		s->inlen = r->datalen;
		free(c);
		if ((c = prun_sh_script(NULL)) == NULL)
			goto out;
	}
	rc = (s->cmd = prun_sh_guard(c, cr, rm)) != NULL ? 0 : DROVE_E_NOMEM;
 out:
	free(c);
	free(cr);
	free(rm);
	free(local);
	return rc;
}

/* Fill a slot: skip it (when, dry run), fail it (a bad value), or say
 * what the host runs. */
static void
slot_prepare(struct prun *r, const struct play_task *t, struct slot *s)
{
	struct drove_err e;
	int rc = 0, truth = 1, check = r->o->check, become;

	err_clear(&e);
	become = t->become >= 0 ? t->become : r->play->become;
	if (t->when.expr != NULL && (rc = pcond_test(&t->when,
	    pval_lookup_chain, s->h->chain, &truth, &e)) == 0 && !truth) {
		s->skipped = 1;
		return;
	}
	if (rc == 0 && check && (t->action == PLAY_RUN ||
	    t->action == PLAY_SCRIPT || t->action == PLAY_WAIT_FOR)) {
		s->skipped = 1;
		s->msg = strdup("check mode: not run");
		return;
	}
	if (rc == 0)
		rc = t->action == PLAY_RUN || t->action == PLAY_SCRIPT ||
		    t->action == PLAY_WAIT_FOR ? slot_command(r, t, s, &e) :
		    slot_files(r, t, s, check, become, &e);
	if (rc == 0 && s->skipped) {
		s->msg = strdup("check mode: not pulled");
		return;
	}
	if (rc != 0) {
		s->failed = 1;
		s->msg = strdup(e.code != 0 ? e.msg : "out of memory");
		return;
	}
	s->remote = 1;
}

/* Take a marker line off the end of the slot's stdout: 1 when found. */
static int
strip_mark(struct buf *b, const char *mark)
{
	size_t n = strlen(mark);

	if (b->len < n + 1 || b->data[b->len - 1] != '\n' ||
	    memcmp(b->data + b->len - n - 1, mark, n) != 0 ||
	    (b->len > n + 1 && b->data[b->len - n - 2] != '\n'))
		return 0;
	b->len -= n + 1;
	b->data[b->len] = '\0';
	return 1;
}

/* A host's state over one task (every item of its loop). */
struct tstate {
	struct phost	*h;
	size_t		 inv;
	struct pval	 items;		/* the loop's list, or NONE */
	size_t		 nitems;
	struct pval	 results;	/* with a loop and register */
	int		 ran;		/* an item was not skipped */
	int		 changed;
	int		 failed;	/* not ignored */
	int		 ignored;
	int		 unreachable;
};

/* The outcome of a slot from its run: status and registered result. */
struct outcome {
	const char	*status;
	int		 rc;
	int		 changed;
	int		 failed;
	int		 skipped;
	int		 unreachable;
	char		 msg[512];
};

/* Evaluate changed_when and failed_when with the result registered. */
static void
slot_conditions(const struct play_task *t, struct slot *s, struct pval *res,
    struct outcome *oc)
{
	struct drove_err e;
	struct pval copy;
	int truth;

	memset(&copy, 0, sizeof copy);
	if (t->reg != NULL && (pval_copy(&copy, res) != 0 ||
	    pval_set(&s->h->regs, t->reg, &copy) != 0)) {
		pval_release(&copy);
		oc->failed = 1;
		snprintf(oc->msg, sizeof oc->msg, "out of memory");
		return;
	}
	err_clear(&e);
	if (t->changed_when.expr != NULL) {
		if (pcond_test(&t->changed_when, pval_lookup_chain,
		    s->h->chain, &truth, &e) != 0)
			goto bad;
		oc->changed = truth;
	}
	if (t->failed_when.expr != NULL) {
		if (pcond_test(&t->failed_when, pval_lookup_chain,
		    s->h->chain, &truth, &e) != 0)
			goto bad;
		oc->failed = truth;
		if (truth && oc->msg[0] == '\0')
			snprintf(oc->msg, sizeof oc->msg, "failed_when is "
			    "true");
	}
	return;
 bad:
	oc->failed = 1;
	snprintf(oc->msg, sizeof oc->msg, "%s", e.msg);
}

/* Decide a slot's outcome and register its result. */
static void
slot_finish(const struct play_task *t, struct slot *s, struct tstate *ts,
    struct outcome *oc)
{
	struct pval res, copy;

	memset(oc, 0, sizeof *oc);
	memset(&res, 0, sizeof res);
	memset(&copy, 0, sizeof copy);
	oc->rc = -1;
	if (s->msg != NULL)
		snprintf(oc->msg, sizeof oc->msg, "%s", s->msg);
	if (s->skipped || s->failed) {
		oc->skipped = s->skipped;
		oc->failed = s->failed;
	} else if (!s->res.reached && s->res.status != DROVE_ST_OK) {
		oc->unreachable = 1;
		snprintf(oc->msg, sizeof oc->msg, "%s", s->res.msg);
	} else {
		oc->rc = s->res.exit_code;
		oc->failed = s->res.status != DROVE_ST_OK;
		if (oc->failed && s->res.msg[0] != '\0')
			snprintf(oc->msg, sizeof oc->msg, "%s", s->res.msg);
		if (strip_mark(&s->out, PRUN_MARK_SKIPPED) && s->out.len == 0)
			oc->skipped = 1;
		else if (strip_mark(&s->out, PRUN_MARK_CHANGED))
			oc->changed = 1;
		else if (strip_mark(&s->out, PRUN_MARK_UNCHANGED))
			oc->changed = 0;
		else if (t->action == PLAY_PUSH || t->action == PLAY_PULL ||
		    s->put)
			oc->changed = s->res.changed;
		else
			oc->changed = t->action != PLAY_WAIT_FOR;
	}
	if (!oc->unreachable) {
		pval_result(&res, oc->rc, s->out.data, s->out.len, s->err.data,
		    s->err.len, oc->changed, oc->failed, oc->skipped);
		if (!oc->skipped && !s->failed)
			slot_conditions(t, s, &res, oc);
		pval_set_bool(&res, "changed", oc->changed);
		pval_set_bool(&res, "failed", oc->failed);
		if (oc->msg[0] != '\0')
			pval_set_str(&res, "msg", oc->msg);
		if (t->reg != NULL && pval_copy(&copy, &res) == 0)
			pval_set(&s->h->regs, t->reg, &copy);
		if (t->reg != NULL && ts->items.kind == PV_LIST)
			pval_push(&ts->results, &res);
	}
	pval_release(&copy);
	pval_release(&res);
	oc->status = oc->unreachable ? "unreachable" : oc->failed ? "failed" :
	    oc->skipped ? "skipped" : oc->changed ? "changed" : "ok";
	ts->ran |= !oc->skipped;
	ts->changed |= oc->changed && !oc->failed;
	if (oc->unreachable) {
		ts->unreachable = 1;
		s->h->last = s->res;
	} else if (oc->failed && t->ignore_errors == 1) {
		ts->ignored = 1;
	} else if (oc->failed) {
		ts->failed = 1;
		s->h->last = s->res;
		if (s->h->last.status == DROVE_ST_OK || !s->remote) {
			s->h->last.status = DROVE_ST_FAILED;
			s->h->last.reached = 1;
		}
		snprintf(s->h->last.msg, sizeof s->h->last.msg, "%s", oc->msg);
	}
}

/* Keep the output of a host's failure for the history. */
static void
slot_keep(struct slot *s)
{
	free(s->h->fout);
	free(s->h->ferr);
	s->h->foutlen = s->out.len;
	s->h->ferrlen = s->err.len;
	s->h->fout = buf_steal(&s->out, NULL);
	s->h->ferr = buf_steal(&s->err, NULL);
}

/* Report a slot's outcome. */
static void
slot_report(struct prun *r, const struct play_task *t, struct slot *s,
    const struct outcome *oc, const char *item)
{
	struct prun_event ev;

	memset(&ev, 0, sizeof ev);
	ev.type = PRUN_EV_HOST;
	ev.task = t->name != NULL ? t->name : t->action_name;
	ev.host = s->h->name;
	ev.status = oc->status;
	ev.ignored = oc->failed && t->ignore_errors == 1;
	ev.rc = oc->rc;
	ev.item = item;
	ev.out = s->out.data;
	ev.outlen = s->out.len;
	ev.err = s->err.data;
	ev.errlen = s->err.len;
	ev.msg = oc->msg[0] != '\0' ? oc->msg : NULL;
	prun_emit(r, &ev);
}

/* Run one item (k) of a task on the hosts that have it. */
static int
prun_item(struct prun *r, const struct play_task *t, struct tstate *ts,
    size_t n, size_t k)
{
	struct slot *sl;
	struct outcome oc;
	struct pval v;
	struct buf item;
	size_t i, j, m = 0;
	int rc;

	if ((sl = calloc(n + 1, sizeof *sl)) == NULL)
		return err_set(r->err, DROVE_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (ts[i].h->dead || k >= ts[i].nitems)
			continue;
		sl[m].h = ts[i].h;
		sl[m].inv = ts[i].inv;
		sl[m].cap = r->cap;
		buf_init(&sl[m].out);
		buf_init(&sl[m].err);
		pval_release(&ts[i].h->item);
		if (ts[i].items.kind == PV_LIST) {
			memset(&v, 0, sizeof v);
			pval_map(&ts[i].h->item);
			if (pval_copy(&v, &ts[i].items.v[k]) != 0 ||
			    pval_set(&ts[i].h->item, "item", &v) != 0)
				pval_release(&v);
		}
		slot_prepare(r, t, &sl[m]);
		m++;
	}
	rc = prun_remote(r, t, sl, m);
	for (i = 0, j = 0; i < m; i++) {
		while (ts[j].h != sl[i].h)
			j++;
		buf_init(&item);
		if (ts[j].items.kind == PV_LIST)
			pval_format(pval_get(&sl[i].h->item, "item"), &item);
		slot_finish(t, &sl[i], &ts[j], &oc);
		slot_report(r, t, &sl[i], &oc, item.data);
		if (oc.failed && t->ignore_errors != 1)
			slot_keep(&sl[i]);
		buf_release(&item);
	}
	for (i = 0; i < m; i++) {
		pval_release(&sl[i].h->item);
		slot_release(&sl[i]);
	}
	free(sl);
	return rc;
}

/* Count a host's task and drop it when it failed. */
static void
prun_tally(const struct play_task *t, struct tstate *ts)
{
	struct phost *h = ts->h;
	struct pval v;

	if (t->reg != NULL && ts->items.kind == PV_LIST) {
		memset(&v, 0, sizeof v);
		pval_map(&v);
		pval_set(&v, "results", &ts->results);
		pval_set_bool(&v, "changed", ts->changed);
		pval_set_bool(&v, "failed", ts->failed);
		pval_set_bool(&v, "skipped", !ts->ran);
		if (pval_set(&h->regs, t->reg, &v) != 0)
			pval_release(&v);
	}
	if (ts->unreachable) {
		h->counts.unreachable++;
		h->unreachable = 1;
		h->dead = 1;
	} else if (ts->failed) {
		h->counts.failed++;
		h->dead = 1;
	} else if (ts->ignored)
		h->counts.ignored++;
	else if (!ts->ran)
		h->counts.skipped++;
	else if (ts->changed)
		h->counts.changed++;
	else
		h->counts.ok++;
}

/* Run a task on the live hosts of a batch. */
static int
prun_task(struct prun *r, const struct play_task *t, struct phost **batch,
    size_t nb, size_t bi, size_t nbatches)
{
	struct prun_event ev;
	struct tstate *ts;
	struct drove_err e;
	struct outcome oc;
	struct slot fail;
	char *name = NULL;
	size_t i, n = 0, k, most = 0, off;
	int rc = 0;

	memset(&ev, 0, sizeof ev);
	ev.type = PRUN_EV_TASK;
	ev.task = t->name != NULL ? t->name : t->action_name;
	/* "{{ }}" in a name: with the first live host's vars, as Ansible
	 * does; as written when that fails */
	for (i = 0; i < nb && batch[i]->dead; i++)
		continue;
	err_clear(&e);
	if (t->name != NULL && i < nb && strstr(t->name, "{{") != NULL &&
	    ptmpl_render_str(t->name, pval_lookup_chain, batch[i]->chain,
	    &name, &off, &e) == 0)
		ev.task = name;
	ev.batch = bi + 1;
	ev.nbatches = nbatches;
	prun_emit(r, &ev);
	free(name);
	if ((ts = calloc(nb + 1, sizeof *ts)) == NULL)
		return err_set(r->err, DROVE_E_NOMEM, "out of memory");
	for (i = 0; i < nb; i++) {
		if (batch[i]->dead)
			continue;
		batch[i]->in_book = 1;
		ts[n].h = batch[i];
		ts[n].inv = (size_t)(batch[i] - r->hosts);
		ts[n].nitems = 1;
		pval_list(&ts[n].results);
		err_clear(&e);
		if (play_task_loop(t, pval_lookup_chain, batch[i]->chain,
		    &ts[n].items, &e) != 0) {
			memset(&fail, 0, sizeof fail);
			fail.h = batch[i];
			fail.failed = 1;
			fail.msg = e.msg;
			slot_finish(t, &fail, &ts[n], &oc);
			slot_report(r, t, &fail, &oc, NULL);
			ts[n].nitems = 0;
		} else if (ts[n].items.kind == PV_LIST)
			ts[n].nitems = ts[n].items.n;
		if (ts[n].nitems > most)
			most = ts[n].nitems;
		n++;
	}
	for (k = 0; k < most && rc == 0; k++)
		rc = prun_item(r, t, ts, n, k);
	for (i = 0; i < n; i++) {
		/* cancelled: the hosts say so, in the recap and the history */
		if (rc == 0 || rc == DROVE_E_CANCELLED)
			prun_tally(t, &ts[i]);
		pval_release(&ts[i].items);
		pval_release(&ts[i].results);
	}
	free(ts);
	return rc;
}

/* Whether a task's tags select it. */
static int
prun_tagged(const struct prun *r, const struct play_task *t)
{
	size_t i, k;
	int want = r->o->ntags == 0;

	for (i = 0; i < t->ntags; i++) {
		for (k = 0; k < r->o->nskip_tags; k++)
			if (strcmp(t->tags[i], r->o->skip_tags[k]) == 0)
				return 0;
		for (k = 0; k < r->o->ntags; k++)
			if (strcmp(t->tags[i], r->o->tags[k]) == 0 ||
			    strcmp(r->o->tags[k], "all") == 0)
				want = 1;
		if (strcmp(t->tags[i], "always") == 0)
			want = 1;
	}
	for (k = 0; k < r->o->ntags; k++)
		if (strcmp(r->o->tags[k], "all") == 0)
			want = 1;
	return want;
}

/* Whether sorted list l of n holds v. */
static int
has(const size_t *l, size_t n, size_t v)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (l[mid] == v)
			return 1;
		if (l[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* Stop the play when the batch's failures pass its threshold. */
static int
prun_threshold(struct prun *r, struct phost **batch, size_t nb, size_t bi,
    size_t nbatches)
{
	struct prun_event ev;
	char msg[256];
	size_t i, nfail = 0;
	double mfp = r->play->max_fail_percentage;

	for (i = 0; i < nb; i++)
		nfail += batch[i]->dead;
	if (nfail == 0)
		return 0;
	if (r->play->any_errors_fatal)
		snprintf(msg, sizeof msg, "play stopped: a host failed and "
		    "any_errors_fatal is set");
	else if (mfp >= 0 && (double)nfail * 100 > mfp * (double)nb)
		snprintf(msg, sizeof msg, "play stopped: %zu of %zu hosts of "
		    "batch %zu failed, over max_fail_percentage %g", nfail,
		    nb, bi + 1, mfp);
	else if (nfail == nb && bi + 1 < nbatches)
		snprintf(msg, sizeof msg, "play stopped: every host of batch "
		    "%zu failed", bi + 1);
	else
		return 0;
	memset(&ev, 0, sizeof ev);
	ev.type = PRUN_EV_STOP;
	ev.msg = msg;
	prun_emit(r, &ev);
	r->stopped = 1;
	return 1;
}

/* The number of batches of n hosts. */
static size_t
prun_nbatches(const struct play *p, size_t n)
{
	size_t i = 0, b = 0;

	while (i < n)
		i += prun_batch_size(p->serial, p->nserial, b++, n);
	return b;
}

/* The hosts of a play: its pattern, --limit, the rerun's, still alive. */
static int
prun_select(struct prun *r, const struct play *p, struct phost ***out,
    size_t *nout)
{
	const struct pval *chain[3];
	struct drove_err e;
	size_t *sel = NULL, nsel = 0, i;
	struct phost *h;
	int rc;

	*out = NULL;
	*nout = 0;
	if (drove_inventory_select(r->inv, p->hosts, &sel, &nsel) != 0)
		nsel = 0;
	if ((*out = calloc(nsel + 1, sizeof **out)) == NULL) {
		free(sel);
		return err_set(r->err, DROVE_E_NOMEM, "out of memory");
	}
	for (i = 0; i < nsel; i++) {
		h = &r->hosts[sel[i]];
		if ((r->limit != NULL && !has(r->limit, r->nlimit, sel[i])) ||
		    (r->o->only != NULL && !has(r->o->only, r->o->nonly,
		    sel[i])) || h->dead)
			continue;
		chain[0] = r->o->extra != NULL ? r->o->extra : &h->hostvars;
		chain[1] = r->o->extra != NULL ? &h->hostvars : NULL;
		chain[2] = NULL;
		err_clear(&e);
		if ((rc = play_vars_render(p, pval_lookup_chain, chain,
		    &h->playvars, &e)) != 0) {
			free(sel);
			return err_set(r->err, rc, "%s: %s", h->name, e.msg);
		}
		prun_chain(r, h);
		(*out)[(*nout)++] = h;
	}
	free(sel);
	return 0;
}

/* Run a play: its batches, each task over each batch. */
static int
prun_play(struct prun *r, const struct play *p, int *started)
{
	struct prun_event ev;
	struct phost **hosts = NULL;
	char *run = NULL;
	size_t n = 0, i, t, b, nbatches, size;
	int rc;

	r->play = p;
	r->play_name = p->name != NULL ? p->name : p->hosts;
	memset(&ev, 0, sizeof ev);
	ev.type = PRUN_EV_PLAY;
	prun_emit(r, &ev);
	if ((rc = prun_select(r, p, &hosts, &n)) != 0)
		goto out;
	if ((run = calloc(p->ntasks + 1, 1)) == NULL) {
		rc = err_set(r->err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	for (t = 0; t < p->ntasks; t++) {
		if (!*started && p->tasks[t].name != NULL &&
		    strcmp(p->tasks[t].name, r->o->start_at) == 0)
			*started = 1;
		run[t] = *started && prun_tagged(r, &p->tasks[t]);
	}
	nbatches = prun_nbatches(p, n);
	for (i = 0, b = 0; i < n && rc == 0 && !r->stopped; i += size, b++) {
		size = prun_batch_size(p->serial, p->nserial, b, n);
		if (size > n - i)
			size = n - i;
		if ((rc = prun_batch_fleet(r, hosts + i, size)) != 0)
			break;
		for (t = 0; t < p->ntasks && rc == 0 && !r->stopped; t++) {
			if (run[t])
				rc = prun_task(r, &p->tasks[t], hosts + i,
				    size, b, nbatches);
			if (rc == 0)
				prun_threshold(r, hosts + i, size, b,
				    nbatches);
			prun_leave(r, hosts + i, size);
		}
		prun_batch_end(r);
	}
	prun_batch_end(r);
 out:
	for (i = 0; i < n; i++)
		pval_release(&hosts[i]->playvars);
	free(hosts);
	free(run);
	return rc;
}

/* Report each host's tally and final outcome. */
static void
prun_recap(struct prun *r, struct prun_summary *sum)
{
	struct prun_event ev;
	struct phost *h;
	size_t i;

	r->play_name = NULL;
	for (i = 0; i < r->nhosts; i++) {
		h = &r->hosts[i];
		if (!h->in_book)
			continue;
		sum->hosts++;
		if (h->unreachable)
			sum->unreachable++;
		else if (h->counts.failed > 0)
			sum->failed++;
		else {
			memset(&h->last, 0, sizeof h->last);
			h->last.status = DROVE_ST_OK;
			h->last.reached = 1;
		}
		memset(&ev, 0, sizeof ev);
		ev.type = PRUN_EV_RECAP;
		ev.host = h->name;
		ev.counts = &h->counts;
		ev.result = &h->last;
		ev.out = h->fout;
		ev.outlen = h->foutlen;
		ev.err = h->ferr;
		ev.errlen = h->ferrlen;
		prun_emit(r, &ev);
	}
}

/* Every play's hosts pattern must be good and select a host before
 * anything runs (a typo is not a play on no host). */
static int
prun_patterns(struct prun *r)
{
	const struct play *p;
	size_t *sel, nsel, i;
	int rc;

	for (i = 0; i < r->book->nplays; i++) {
		p = &r->book->plays[i];
		sel = NULL;
		nsel = 0;
		rc = drove_inventory_select(r->inv, p->hosts, &sel, &nsel);
		free(sel);
		if (rc == DROVE_E_NOMEM)
			return err_set(r->err, rc, "out of memory");
		if (rc != 0)
			return err_set(r->err, DROVE_E_INVAL, "%s: play %zu "
			    "(%s): hosts: %s", r->book->path, i + 1,
			    p->name != NULL ? p->name : p->hosts,
			    drove_inventory_error(r->inv));
	}
	return 0;
}

/* Run the playbook. */
int
prun_run(const struct playbook *book, drove_inventory *inv,
    const struct prun_opts *o, struct prun_summary *sum,
    struct drove_err *err)
{
	struct prun r;
	size_t i;
	int rc = 0, started = o->start_at == NULL;

	memset(sum, 0, sizeof *sum);
	memset(&r, 0, sizeof r);
	r.book = book;
	r.inv = inv;
	r.o = o;
	r.err = err;
	r.cap = o->cap != 0 ? o->cap : PRUN_CAP;
	r.nhosts = drove_inventory_count(inv);
	if ((r.hosts = calloc(r.nhosts + 1, sizeof *r.hosts)) == NULL ||
	    (r.fidx = calloc(r.nhosts + 1, sizeof *r.fidx)) == NULL) {
		free(r.hosts);
		return err_set(err, DROVE_E_NOMEM, "out of memory");
	}
	if ((rc = prun_hostvars(&r)) != 0) {
		err_set(err, rc, "host vars: %s", rc == DROVE_E_NOMEM ?
		    "out of memory" : drove_inventory_error(inv));
		goto out;
	}
	if (o->limit != NULL && (rc = drove_inventory_select(inv, o->limit,
	    &r.limit, &r.nlimit)) != 0) {
		err_set(err, rc, "%s", drove_inventory_error(inv));
		goto out;
	}
	if ((rc = prun_patterns(&r)) != 0)
		goto out;
	for (i = 0; i < book->nplays && rc == 0 && !r.stopped; i++)
		rc = prun_play(&r, &book->plays[i], &started);
	if (rc == 0 && !started)
		rc = err_set(err, DROVE_E_NOTFOUND, "no task named '%s' for "
		    "--start-at-task", o->start_at);
	prun_recap(&r, sum);
	sum->stopped = r.stopped;
 out:
	for (i = 0; i < r.nhosts; i++) {
		pval_release(&r.hosts[i].hostvars);
		pval_release(&r.hosts[i].playvars);
		pval_release(&r.hosts[i].regs);
		pval_release(&r.hosts[i].item);
		free(r.hosts[i].fout);
		free(r.hosts[i].ferr);
	}
	free(r.hosts);
	free(r.limit);
	free(r.fidx);
	free(r.file);
	free(r.data);
	return rc;
}
