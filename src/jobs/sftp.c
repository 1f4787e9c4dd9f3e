/*
 * sftp.c: the push and pull jobs, and drove_fleet_push()/drove_fleet_pull().
 *
 * Both jobs keep one SFTP operation in flight per session (engine/README,
 * 1) and get their speed from libssh2's own pipelining: a write is given
 * up to XFER_WRITE bytes of a shared chunk, which libssh2 cuts into 30,000
 * byte packets sent at once; it returns what was acknowledged, and the next
 * call starts at the first unacknowledged byte (engine/README, 8).  A read
 * is given PULL_BUF bytes and reads ahead (the same).  Each step moves at most
 * XFER_STEP_BYTES, then says it has more to do, so hosts share the loop.
 *
 * Push, per file: stat the target; skip it when --update or --checksum
 * finds it unchanged (the checksum is a sha256sum exec on the session, or
 * the file read back when that fails); else write a temporary file beside
 * it (".NAME.drove-XXXXXXXX.tmp", mode 0600, CREAT|EXCL), set its mode,
 * times and owner, fsync it (a server without fsync@openssh.com is fine),
 * close it, and rename it over the target: an SFTP rename when the target
 * did not exist, else "mv -f" on an exec channel, as SFTP v3 cannot
 * replace (engine/README, 9).  On any failure the temporary file is
 * removed, over a new SFTP channel when the old one died, and the host
 * fails.
 *
 * Pull, per path: stat it (a symbolic link named on the command line is
 * followed, one in a listing is refused), list directories with -r, and
 * fetch each file to a temporary local file renamed when complete.  Names
 * from listings must be single safe components (xfer_name_ok).  The local
 * side (making directories, creating the temporary file, each PULL_BUF
 * bytes written, the rename) runs off the loop (jobs/lfile.h): one such
 * piece of work at a time per job, the job waiting for its answer, and a
 * file counts as changed only once its rename was done.
 *
 * A push of its own bytes to each host (xfer_fleet_put_each(), a play's
 * templates) gives each host a plan of one file held in memory, and
 * compares what is in place by reading it back rather than by an exec.
 *
 * On a persistent session the SFTP channel outlives the job: the next push
 * or pull takes it (sess->sftp) instead of starting the subsystem again,
 * and starts a new one, once, when the kept one fails its first call
 * below SFTP or its server went away (sftp_open, sftp_stale).
 *
 * A transfer failure on a reached host ends the job with exit code 1 and
 * the reason in the host's message; a session that fails is an error as
 * for any job.  A host that becomes another user gets the job of
 * jobs/xfer-become.c instead.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2_sftp.h>
#include <openssl/evp.h>

#include "base/buf.h"
#include "base/log.h"
#include "engine/fleet.h"
#include "jobs/exec.h"
#include "jobs/lfile.h"
#include "jobs/sftp.h"
#include "jobs/xfer-become.h"
#include "jobs/xfer.h"

#define XFER_WRITE	(16 * 30000)	/* bytes per sftp_write call */
#define XFER_STEP_BYTES	(4 * 1024 * 1024)	/* per step, for fairness */
#define PULL_BUF	(128 * 1024)
#define XEXEC_OUT	256
#define XFAIL		2	/* step: the transfer failed (s->err.msg) */

/* The state of a push or pull run, shared by its jobs. */
struct xrun {
	int			 pull;
	struct drove_push_opts	 po;
	struct drove_pull_opts	 lo;
	struct xplan		*plan;		/* push */
	char			*dest;		/* push: DEST; pull: LOCALDIR */
	/* a push of its own file to each host (xfer_fleet_put_each):
	 * each[h] for fleet host h, NULL when h sends nothing; plan and
	 * dest are NULL then */
	struct xeach		*each;
	size_t			 neach;
	char		       **paths;		/* pull */
	size_t			 npaths;
	uint64_t		 done;		/* atomic */
	uint64_t		 total;		/* atomic */
	struct bx_run		*bx;		/* for hosts that become */
};

/* What one host sends in a run of xfer_fleet_put_each(). */
struct xeach {
	struct xplan		*plan;
	char			*dest;
	int			 nosftp;	/* the host could not start
						   SFTP */
};

/* A command run on its own channel as a sub-step of a job. */
struct xexec {
	LIBSSH2_CHANNEL	*ch;
	int		 st;
	char		*cmd;
	char		 out[XEXEC_OUT];	/* start of stdout */
	size_t		 outlen;
	char		 err[XEXEC_OUT];	/* start of stderr */
	size_t		 errlen;
	int		 exit;
};

enum push_state {
	P_INIT, P_DEST, P_MKDIRS, P_MKDIRS_MK, P_MKDIRS_STAT, P_NEXT, P_DIR,
	P_DIR_STAT,
	P_STAT, P_SUM, P_RB_OPEN, P_RB_READ, P_RB_CLOSE, P_OPEN, P_WRITE,
	P_FSTAT, P_SETSTAT, P_FSYNC, P_CLOSE, P_RENAME, P_MV, P_FILE_DONE,
	P_AB_CLOSE, P_AB_REINIT, P_AB_UNLINK, P_SHUTDOWN, P_DONE
};

struct push_job {
	struct job		 job;
	struct xrun		*run;
	struct xplan		*plan;		/* the run's, or the host's */
	const char		*dest;
	size_t			 host;		/* in the fleet */
	struct drove_result	*r;
	enum push_state		 st;
	enum push_state		 after_mk;	/* where P_MKDIRS goes */
	LIBSSH2_SFTP		*sftp;
	uint64_t		 since;		/* sftp_start() began */
	int			 kept;		/* sftp is the session's, not
						   answered yet (sftp_stale) */
	LIBSSH2_SFTP_HANDLE	*h;
	LIBSSH2_SFTP_ATTRIBUTES	 a;		/* of the target */
	size_t			 ent;		/* entry being sent */
	size_t			 settled;	/* entries joined or skipped */
	char		       **troot;		/* remote root of each top */
	int			 dest_dir;
	int			 dest_known;	/* DEST is the target, and its
						   stat is in a (exists) */
	struct buf		 path;		/* remote target */
	struct buf		 tmp;		/* its temporary name */
	struct buf		 mk;		/* mkdir -p of this */
	size_t			 mk_end;	/* prefix being made */
	int			 exists;	/* the target exists */
	int			 tmp_made;
	int			 slot;		/* in the source, or -1 */
	uint64_t		 off;		/* acknowledged bytes */
	const char		*wbuf;		/* pending write */
	size_t			 wlen;
	int			 more;		/* step again at once */
	int			 inflight;	/* a write returned EAGAIN */
	int			 waiting;	/* a call is to be repeated */
	int			 stopping;	/* cancelled: clean up */
	int			 failed;	/* message in s->err.msg */
	int			 same;		/* read back: equal so far */
	int			 reinit;	/* SFTP channel made again */
	unsigned int		 seq;		/* for temporary names */
	unsigned char		*made;		/* per entry: a directory this
						   job made, so new inside */
	struct xexec		 ex;
	EVP_MD_CTX		*md;		/* read-back checksum */
	char			*rbuf;
};

enum pull_state {
	L_INIT, L_NEXT, L_STAT, L_OPENDIR, L_READDIR, L_CLOSEDIR, L_OPEN,
	L_READ, L_CLOSE, L_ABORT, L_SHUTDOWN, L_DONE
};

/* A remote path to fetch and where it goes under the host's root. */
struct pull_item {
	char			*remote;
	char			*local;		/* relative to LOCALDIR */
	int			 top;		/* named by the user */
	LIBSSH2_SFTP_ATTRIBUTES	 a;		/* from the listing */
	int			 have_a;
};

struct pull_job {
	struct job		 job;
	struct xrun		*run;
	struct drove_result	*r;
	const char		*host;
	enum pull_state		 st;
	LIBSSH2_SFTP		*sftp;
	uint64_t		 since;		/* sftp_start() began */
	int			 kept;		/* as for push */
	LIBSSH2_SFTP_HANDLE	*h;
	struct pull_item	*items;		/* a stack */
	size_t			 nitems;
	struct pull_item	 cur;
	size_t			 next_top;
	struct lfile		 lf;		/* the local file; its buf holds
						   what was read, unwritten */
	int			 eof;		/* the remote file's end */
	int			 more;
	int			 inflight;
	int			 failed;	/* message in s->err.msg */
};

/* The text of libssh2's last error. */
static const char *
lserr(struct sess *s)
{
	char *msg = NULL;

	libssh2_session_last_error(s->ls, &msg, NULL, 0);
	return msg != NULL ? msg : "";
}

/* A name for an SFTP status code. */
static const char *
fx_name(unsigned long fx)
{
	switch (fx) {
	case LIBSSH2_FX_NO_SUCH_FILE:
	case LIBSSH2_FX_NO_SUCH_PATH:
		return "no such file or directory";
	case LIBSSH2_FX_PERMISSION_DENIED:
		return "permission denied";
	case LIBSSH2_FX_OP_UNSUPPORTED:
		return "operation unsupported";
	case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
		return "no space left on device";
	case LIBSSH2_FX_QUOTA_EXCEEDED:
		return "quota exceeded";
	case LIBSSH2_FX_FILE_ALREADY_EXISTS:
		return "file exists";
	case LIBSSH2_FX_WRITE_PROTECT:
		return "read-only file system";
	case LIBSSH2_FX_NOT_A_DIRECTORY:
		return "not a directory";
	}
	return "failure";
}

/* Why an SFTP call failed with rc. */
static const char *
sftp_why(struct sess *s, LIBSSH2_SFTP *sftp, int rc)
{
	if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL && sftp != NULL)
		return fx_name(libssh2_sftp_last_error(sftp));
	if (s->spun)
		return "the sftp server went away in the middle of a packet";
	return lserr(s);
}

/* The SFTP status of a failed call, or 0 when it was not one. */
static unsigned long
sftp_fx(LIBSSH2_SFTP *sftp, int rc)
{
	return rc == LIBSSH2_ERROR_SFTP_PROTOCOL ?
	    libssh2_sftp_last_error(sftp) : 0;
}

/* Record why the host's transfer failed (the job then cleans up). */
static void
xfail(struct sess *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
xfail(struct sess *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err.msg, sizeof s->err.msg, fmt, ap);
	va_end(ap);
}

/* Count n more bytes moved, for the host and the run. */
static void
xcount(struct xrun *run, struct drove_result *r, uint64_t n)
{
	r->xfer_bytes += n;
	__atomic_add_fetch(&run->done, n, __ATOMIC_RELAXED);
}

/* Start a command on a new channel; xexec_step runs it. */
static int
xexec_start(struct xexec *e, char *cmd)
{
	free(e->cmd);
	memset(e, 0, sizeof *e);
	e->cmd = cmd;
	return cmd != NULL ? 0 : DROVE_E_NOMEM;
}

/* Free the command (the channel is freed when it closed). */
static void
xexec_release(struct xexec *e, int abort)
{
	if (e->ch != NULL && !abort)
		libssh2_channel_free(e->ch);
	e->ch = NULL;
	free(e->cmd);
	e->cmd = NULL;
}

/* Keep the first bytes of a stream. */
static void
xexec_keep(char *dst, size_t *len, const char *src, size_t n)
{
	if (n > XEXEC_OUT - 1 - *len)
		n = XEXEC_OUT - 1 - *len;
	memcpy(dst + *len, src, n);
	*len += n;
	dst[*len] = '\0';
}

/* Start "verb -- 'a' ['b']" on a new channel. */
static int
xexec_paths(struct xexec *e, const char *verb, const char *a, const char *b)
{
	char *q1 = xfer_shell_quote(a), *q2 = NULL, *cmd = NULL;

	if (q1 != NULL && (b == NULL || (q2 = xfer_shell_quote(b)) != NULL) &&
	    (cmd = malloc(strlen(verb) + strlen(q1) + (q2 ? strlen(q2) : 0) +
	    8)) != NULL)
		sprintf(cmd, "%s -- %s%s%s", verb, q1, q2 ? " " : "",
		    q2 ? q2 : "");
	free(q1);
	free(q2);
	return xexec_start(e, cmd);
}

/* Run the command: 0 when it exited (e->exit), DROVE_AGAIN, or an error. */
static int
xexec_step(struct xexec *e, struct sess *s)
{
	char buf[4096];
	ssize_t n;
	int rc, stream, eof;

	switch (e->st) {
	case 0:
		e->ch = libssh2_channel_open_session(s->ls);
		if (e->ch == NULL) {
			if (libssh2_session_last_errno(s->ls) ==
			    LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			return err_set(&s->err, DROVE_E_CHANNEL,
			    "open channel on %s: %s", s->name, lserr(s));
		}
		e->st = 1;
		/* FALLTHROUGH */
	case 1:
		rc = libssh2_channel_exec(e->ch, e->cmd);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc != 0)
			return err_set(&s->err, DROVE_E_CHANNEL,
			    "exec on %s refused: %s", s->name, lserr(s));
		e->st = 2;
		/* FALLTHROUGH */
	case 2:
		eof = 1;
		for (stream = 0; stream < 2; stream++) {
			while ((n = libssh2_channel_read_ex(e->ch, stream, buf,
			    sizeof buf)) > 0) {
				if (stream == 0)
					xexec_keep(e->out, &e->outlen, buf,
					    (size_t)n);
				else
					xexec_keep(e->err, &e->errlen, buf,
					    (size_t)n);
			}
			if (n == LIBSSH2_ERROR_EAGAIN)
				eof = 0;
			else if (n < 0)
				return err_set(&s->err, DROVE_E_PROTOCOL,
				    "read output of %s: %s", s->name,
				    lserr(s));
		}
		if (!eof || libssh2_channel_eof(e->ch) != 1)
			return DROVE_AGAIN;
		e->st = 3;
		/* FALLTHROUGH */
	case 3:
		if ((rc = chan_closed(e->ch, s)) != 0)
			return rc;
		e->st = 4;
		/* FALLTHROUGH */
	case 4:
		rc = libssh2_channel_close(e->ch);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		e->exit = libssh2_channel_get_exit_status(e->ch);
		libssh2_channel_free(e->ch);
		e->ch = NULL;
		e->st = 5;
	}
	return 0;
}

/* Whether the command's channel holds data epoll cannot see. */
static int
xexec_hidden(struct xexec *e)
{
	return e->st == 2 && chan_hidden(e->ch, 1);
}

/*
 * Start SFTP on the session: 0, DROVE_AGAIN or an error.  *since is 0
 * before the first try.  A subsystem that exits before it answers leaves
 * libssh2 1.10 waiting for ever, so no answer within the connect timeout
 * is an error.
 */
static int
sftp_start(struct sess *s, LIBSSH2_SFTP **out, uint64_t *since)
{
	uint64_t now = loop_now(s->cfg->loop);
	unsigned int ms = s->connect_timeout_ms;

	if ((*out = libssh2_sftp_init(s->ls)) != NULL) {
		*since = 0;
		return 0;
	}
	if (libssh2_session_last_errno(s->ls) != LIBSSH2_ERROR_EAGAIN)
		return err_set(&s->err, DROVE_E_CHANNEL,
		    "start sftp on %s: %s", s->name, lserr(s));
	if (*since == 0)
		*since = now;
	else if (ms > 0 && now - *since >= ms)
		return err_set(&s->err, DROVE_E_TIMEOUT,
		    "start sftp on %s: no answer in %u.%03us", s->name,
		    ms / 1000, ms % 1000);
	return DROVE_AGAIN;
}

/* Whether the SFTP channel holds data epoll cannot see. */
static int
sftp_hidden(LIBSSH2_SFTP *sftp)
{
	return sftp != NULL && chan_hidden(libssh2_sftp_get_channel(sftp), 0);
}

/*
 * Whether the SFTP server went away (its channel at EOF): a call waiting
 * for its answer would wait for ever.  The handle cannot be closed then;
 * libssh2_sftp_shutdown() frees it with the channel.
 */
static int
sftp_gone(LIBSSH2_SFTP *sftp)
{
	LIBSSH2_CHANNEL *ch;

	if (sftp == NULL || (ch = libssh2_sftp_get_channel(sftp)) == NULL)
		return 0;
	return libssh2_channel_eof(ch) == 1;
}

/*
 * P_INIT, L_INIT: the job's SFTP channel: the one its persistent session
 * kept from an earlier job (*kept set), else a new one.  A kept channel
 * found dead (sftp_stale) comes back here to be shut down before a new one
 * starts: once, since a new channel is not a kept one.
 */
static int
sftp_open(struct sess *s, LIBSSH2_SFTP **sftp, uint64_t *since, int *kept)
{
	if (*sftp != NULL) {
		if (libssh2_sftp_shutdown(*sftp) == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		*sftp = NULL;
		LOG("%s: the kept sftp channel is dead: start a new one",
		    s->name);
	} else if (s->sftp != NULL) {
		*sftp = s->sftp;
		s->sftp = NULL;
		*kept = 1;
		return 0;
	}
	*kept = 0;
	return sftp_start(s, sftp, since);
}

/*
 * Whether the job's first call on a kept channel, which returned rc, found
 * the channel dead: it failed below SFTP, or the server went away while
 * it waits for the answer.  The job then goes back to its INIT state.  The
 * first answer clears *kept: a later failure is the job's own.
 */
static int
sftp_stale(LIBSSH2_SFTP *sftp, int *kept, int rc)
{
	if (!*kept)
		return 0;
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return sftp_gone(sftp);
	*kept = 0;
	return rc != 0 && rc != LIBSSH2_ERROR_SFTP_PROTOCOL;
}

/*
 * P_SHUTDOWN, L_SHUTDOWN: give the SFTP channel to the persistent session
 * for its next job, unless its server went away or a handle is left open;
 * else shut it down.  0 or DROVE_AGAIN.
 */
static int
sftp_put(struct sess *s, LIBSSH2_SFTP **sftp, LIBSSH2_SFTP_HANDLE *h)
{
	if (*sftp == NULL)
		return 0;
	if (s->persist && h == NULL && !sftp_gone(*sftp)) {
		s->sftp = *sftp;
		*sftp = NULL;
		return 0;
	}
	if (libssh2_sftp_shutdown(*sftp) == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	*sftp = NULL;
	return 0;
}

/* The push entry being sent. */
static const struct xent *
push_ent(const struct push_job *x)
{
	return &x->plan->ents[x->ent];
}

/* Set x->path to the remote target of the current entry. */
static int
push_target(struct push_job *x)
{
	const struct xent *e = push_ent(x);

	buf_consume(&x->path, x->path.len);
	return buf_printf(&x->path, "%s%s%s", x->troot[e->top],
	    *e->rel != '\0' ? "/" : "", e->rel);
}

/* Make x->tmp a fresh temporary name beside x->path. */
static int
push_tmpname(struct push_job *x, struct sess *s)
{
	const char *slash = strrchr(x->path.data, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - x->path.data) + 1 : 0;

	x->seq++;
	buf_consume(&x->tmp, x->tmp.len);
	return buf_printf(&x->tmp, "%.*s.%s.drove-%08x.tmp", (int)dirlen,
	    x->path.data, x->path.data + dirlen,
	    (unsigned int)(s->seed * 2654435761u + x->seq * 40503u +
	    (unsigned int)getpid()));
}

/* Begin making every directory of x->mk, then go to next. */
static void
push_mkdirs(struct push_job *x, enum push_state next)
{
	x->mk_end = 0;
	x->after_mk = next;
	x->st = P_MKDIRS;
}

/* Decide where each SRC goes from DEST's type on this host. */
static int
push_roots(struct push_job *x)
{
	struct xplan *p = x->plan;
	size_t i;
	struct buf b;

	for (i = 0; i < p->ntops; i++) {
		buf_init(&b);
		if (p->top_kind[i] == XTOP_CONTENTS) {
			if (buf_puts(&b, x->dest) != 0)
				return DROVE_E_NOMEM;
		} else if (x->dest_dir) {
			if (buf_printf(&b, "%s%s%s", x->dest,
			    x->dest[strlen(x->dest) - 1] == '/' ?
			    "" : "/", p->base[i]) != 0)
				return DROVE_E_NOMEM;
		} else if (buf_puts(&b, x->dest) != 0)
			return DROVE_E_NOMEM;
		x->troot[i] = buf_steal(&b, NULL);
	}
	return 0;
}

/* P_DEST: what DEST is here; make it or its parent with --mkdir. */
static int
push_dest(struct push_job *x, struct sess *s)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	const char *d = x->dest;
	size_t n = strlen(d);
	int rc, want_dir, exists;

	memset(&a, 0, sizeof a);
	rc = libssh2_sftp_stat_ex(x->sftp, d, (unsigned int)n,
	    LIBSSH2_SFTP_STAT, &a);
	if (sftp_stale(x->sftp, &x->kept, rc)) {
		x->st = P_INIT;
		return 0;
	}
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	if (rc != 0 && sftp_fx(x->sftp, rc) != LIBSSH2_FX_NO_SUCH_FILE) {
		xfail(s, "stat %s: %s", d, sftp_why(s, x->sftp, rc));
		return XFAIL;
	}
	exists = rc == 0;
	want_dir = x->plan->ntops > 1 || d[n - 1] == '/' ||
	    x->plan->top_kind[0] == XTOP_DIR;
	x->dest_dir = exists && LIBSSH2_SFTP_S_ISDIR(a.permissions);
	/* a file's own DEST: P_STAT needs no second look */
	x->dest_known = !want_dir && !x->dest_dir;
	x->exists = exists;
	x->a = a;
	if (exists && want_dir && !x->dest_dir) {
		xfail(s, "%s: not a directory", d);
		return XFAIL;
	}
	buf_consume(&x->mk, x->mk.len);
	if (!exists && want_dir) {
		if (!x->run->po.mkdir) {
			xfail(s, "%s: no such directory (use --mkdir)", d);
			return XFAIL;
		}
		x->dest_dir = 1;
		if (buf_puts(&x->mk, d) != 0)
			return DROVE_E_NOMEM;
	} else if (!exists && x->run->po.mkdir && strrchr(d, '/') != NULL &&
	    buf_printf(&x->mk, "%.*s", (int)(strrchr(d, '/') - d), d) != 0)
		return DROVE_E_NOMEM;
	if (push_roots(x) != 0)
		return DROVE_E_NOMEM;
	if (x->mk.len > 0)
		push_mkdirs(x, P_NEXT);
	else
		x->st = P_NEXT;
	x->ent = SIZE_MAX;
	return 0;
}

/*
 * P_MKDIRS, P_MKDIRS_MK and P_MKDIRS_STAT: make each prefix of x->mk in
 * turn; a prefix that cannot be made must already be a directory.
 */
static int
push_mkdirs_step(struct push_job *x, struct sess *s)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	char *p = x->mk.data;
	int rc;

	for (;;) {
		switch (x->st) {
		case P_MKDIRS:
			if (x->mk_end >= x->mk.len) {
				x->st = x->after_mk;
				return 0;
			}
			while (p[x->mk_end] == '/')
				x->mk_end++;
			while (x->mk_end < x->mk.len && p[x->mk_end] != '/')
				x->mk_end++;
			x->st = P_MKDIRS_MK;
			/* FALLTHROUGH */
		case P_MKDIRS_MK:
			rc = libssh2_sftp_mkdir_ex(x->sftp, p,
			    (unsigned int)x->mk_end, 0755);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			if (rc == 0) {
				x->r->changed = 1;
				x->st = P_MKDIRS;
				continue;
			}
			x->st = P_MKDIRS_STAT;
			/* FALLTHROUGH */
		default:
			rc = libssh2_sftp_stat_ex(x->sftp, p,
			    (unsigned int)x->mk_end, LIBSSH2_SFTP_STAT, &a);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			if (rc != 0 || !LIBSSH2_SFTP_S_ISDIR(a.permissions)) {
				xfail(s, "mkdir %.*s: %s", (int)x->mk_end, p,
				    rc != 0 ? sftp_why(s, x->sftp, rc) :
				    "not a directory");
				return XFAIL;
			}
			x->st = P_MKDIRS;
		}
	}
}

/* Whether the remote file is the same as the entry by --update. */
static int
push_same_time(const struct push_job *x, const struct xent *e)
{
	return x->exists && x->run->po.update &&
	    (x->a.flags & LIBSSH2_SFTP_ATTR_SIZE) &&
	    (x->a.flags & LIBSSH2_SFTP_ATTR_ACMODTIME) &&
	    x->a.filesize == e->size && (int64_t)x->a.mtime == e->mtime;
}

/* The entry is unchanged on this host: skip it. */
static void
push_skip(struct push_job *x)
{
	const struct xent *e = push_ent(x);

	xsrc_skip(e->src);
	x->settled = x->ent + 1;
	x->r->files_same++;
	__atomic_sub_fetch(&x->run->total, e->size, __ATOMIC_RELAXED);
	x->st = P_NEXT;
}

/* P_SUM: compare sha256sum's answer; fall back to reading the file. */
static int
push_sum(struct push_job *x, struct sess *s)
{
	char want[65];
	int rc;

	if ((rc = xexec_step(&x->ex, s)) != 0)
		return rc;
	xexec_release(&x->ex, 0);
	xfer_hex(push_ent(x)->sha, want);
	if (x->ex.exit == 0 && x->ex.outlen >= 64) {
		if (memcmp(x->ex.out, want, 64) == 0)
			push_skip(x);
		else
			x->st = P_OPEN;
		return 0;
	}
	x->st = P_RB_OPEN;
	return 0;
}

/* P_RB_*: hash the remote file over SFTP; skip it when equal. */
static int
push_readback(struct push_job *x, struct sess *s)
{
	unsigned char sha[32];
	ssize_t n;
	int rc;

	switch (x->st) {
	case P_RB_OPEN:
		x->h = libssh2_sftp_open_ex(x->sftp, x->path.data,
		    (unsigned int)x->path.len, LIBSSH2_FXF_READ, 0,
		    LIBSSH2_SFTP_OPENFILE);
		if (x->h == NULL) {
			if (libssh2_session_last_errno(s->ls) ==
			    LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			x->st = P_OPEN;		/* unreadable: send it */
			return 0;
		}
		if (x->rbuf == NULL && (x->rbuf = malloc(PULL_BUF)) == NULL)
			return DROVE_E_NOMEM;
		if (x->md == NULL && (x->md = EVP_MD_CTX_new()) == NULL)
			return DROVE_E_NOMEM;
		EVP_DigestInit_ex(x->md, EVP_sha256(), NULL);
		x->st = P_RB_READ;
		/* FALLTHROUGH */
	case P_RB_READ:
		while ((n = libssh2_sftp_read(x->h, x->rbuf, PULL_BUF)) > 0)
			EVP_DigestUpdate(x->md, x->rbuf, (size_t)n);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		x->st = P_RB_CLOSE;
		EVP_DigestFinal_ex(x->md, sha, NULL);
		x->same = n == 0 && memcmp(sha, push_ent(x)->sha, 32) == 0;
		/* FALLTHROUGH */
	default:
		rc = libssh2_sftp_close_handle(x->h);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		x->h = NULL;
		if (x->same)
			push_skip(x);
		else
			x->st = P_OPEN;
		return 0;
	}
}

/* P_STAT: look at the target; decide to skip, compare or send. */
static int
push_stat(struct push_job *x, struct sess *s)
{
	const struct xent *e = push_ent(x);
	int rc;

	if (x->dest_known && strcmp(x->path.data, x->dest) == 0)
		x->dest_known = 0;	/* P_DEST's look stands */
	else {
		rc = libssh2_sftp_stat_ex(x->sftp, x->path.data,
		    (unsigned int)x->path.len, LIBSSH2_SFTP_STAT, &x->a);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc != 0 &&
		    sftp_fx(x->sftp, rc) != LIBSSH2_FX_NO_SUCH_FILE) {
			xfail(s, "stat %s: %s", x->path.data,
			    sftp_why(s, x->sftp, rc));
			return XFAIL;
		}
		x->exists = rc == 0;
	}
	if (x->exists && LIBSSH2_SFTP_S_ISDIR(x->a.permissions)) {
		xfail(s, "%s: is a directory", x->path.data);
		return XFAIL;
	}
	if (push_same_time(x, e)) {
		push_skip(x);
		return 0;
	}
	if (x->run->each != NULL && x->exists && x->run->po.mode >= 0 &&
	    (x->a.permissions & 07777) != (unsigned long)x->run->po.mode) {
		x->st = P_OPEN;		/* its mode is to change */
		return 0;
	}
	if (x->exists && x->run->po.checksum && x->a.filesize == e->size) {
		if (x->run->each != NULL) {
			/* a file made here: read back, not an exec */
			x->st = P_RB_OPEN;
			return 0;
		}
		if (xexec_paths(&x->ex, "sha256sum", x->path.data, NULL) != 0)
			return DROVE_E_NOMEM;
		x->st = P_SUM;
		return 0;
	}
	x->st = P_OPEN;
	return 0;
}

/* P_WRITE: feed the file's chunks to sftp_write until it is all acked. */
static int
push_write(struct push_job *x, struct sess *s)
{
	const struct xent *e = push_ent(x);
	struct drove_err err;
	uint64_t moved = 0;
	const char *data;
	size_t idx, clen, coff;
	ssize_t n;
	int rc;

	while (x->off < e->size) {
		if (x->wlen == 0 && x->stopping)
			return 0;	/* no write half done: clean up */
		if (x->wlen == 0) {
			idx = (size_t)(x->off / XFER_CHUNK);
			err_clear(&err);
			rc = xsrc_get(e->src, x->slot, idx, &data, &clen, &err);
			if (rc == DROVE_AGAIN)
				return DROVE_AGAIN;
			if (rc != 0) {
				xfail(s, "%s", err.msg);
				return XFAIL;
			}
			coff = (size_t)(x->off - (uint64_t)idx * XFER_CHUNK);
			x->wbuf = data + coff;
			x->wlen = clen - coff < XFER_WRITE ? clen - coff :
			    XFER_WRITE;
		}
		n = libssh2_sftp_write(x->h, x->wbuf, x->wlen);
		if (n == LIBSSH2_ERROR_EAGAIN) {
			x->inflight = 1;
			return DROVE_AGAIN;
		}
		x->inflight = 0;
		x->wlen = 0;
		if (n < 0) {
			xfail(s, "write %s: %s", x->path.data,
			    sftp_why(s, x->sftp, (int)n));
			return XFAIL;
		}
		x->off += (uint64_t)n;
		xcount(x->run, x->r, (uint64_t)n);
		if ((moved += (uint64_t)n) >= XFER_STEP_BYTES &&
		    x->off < e->size) {
			x->more = 1;
			return DROVE_AGAIN;
		}
	}
	xsrc_leave(e->src, x->slot);
	x->slot = -1;
	x->st = P_FSTAT;
	return 0;
}

/* P_FSTAT and P_SETSTAT: mode, times and owner of the temporary file. */
static int
push_setstat(struct push_job *x, struct sess *s)
{
	const struct drove_push_opts *o = &x->run->po;
	const struct xent *e = push_ent(x);
	LIBSSH2_SFTP_ATTRIBUTES a;
	int rc;

	if (x->st == P_FSTAT) {
		if ((o->owner >= 0) != (o->group >= 0)) {
			rc = libssh2_sftp_fstat_ex(x->h, &x->a, 0);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			if (rc != 0) {
				xfail(s, "stat %s: %s", x->path.data,
				    sftp_why(s, x->sftp, rc));
				return XFAIL;
			}
		}
		x->st = P_SETSTAT;
	}
	memset(&a, 0, sizeof a);
	a.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
	a.permissions = (unsigned long)(o->mode >= 0 ? o->mode : (int)e->mode);
	if (o->mode < 0 && x->run->each != NULL && x->exists)
		a.permissions = x->a.permissions & 07777;	/* kept */
	if (o->preserve) {
		a.flags |= LIBSSH2_SFTP_ATTR_ACMODTIME;
		a.atime = a.mtime = (unsigned long)e->mtime;
	}
	if (o->owner >= 0 || o->group >= 0) {
		a.flags |= LIBSSH2_SFTP_ATTR_UIDGID;
		a.uid = o->owner >= 0 ? (unsigned long)o->owner : x->a.uid;
		a.gid = o->group >= 0 ? (unsigned long)o->group : x->a.gid;
	}
	rc = libssh2_sftp_fsetstat(x->h, &a);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	if (rc != 0) {
		xfail(s, "set mode of %s: %s", x->path.data,
		    sftp_why(s, x->sftp, rc));
		return XFAIL;
	}
	x->st = P_FSYNC;
	return 0;
}

/* P_FSYNC .. P_MV: make the file durable and put it in place. */
static int
push_commit(struct push_job *x, struct sess *s)
{
	int rc;

	switch (x->st) {
	case P_FSYNC:
		rc = libssh2_sftp_fsync(x->h);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc != 0 &&
		    sftp_fx(x->sftp, rc) != LIBSSH2_FX_OP_UNSUPPORTED) {
			xfail(s, "fsync %s: %s", x->path.data,
			    sftp_why(s, x->sftp, rc));
			return XFAIL;
		}
		x->st = P_CLOSE;
		/* FALLTHROUGH */
	case P_CLOSE:
		rc = libssh2_sftp_close_handle(x->h);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		x->h = NULL;
		if (rc != 0) {
			xfail(s, "close %s: %s", x->path.data,
			    sftp_why(s, x->sftp, rc));
			return XFAIL;
		}
		x->st = x->exists ? P_MV : P_RENAME;
		if (x->st == P_MV)
			goto mv;
		/* FALLTHROUGH */
	case P_RENAME:
		rc = libssh2_sftp_rename_ex(x->sftp, x->tmp.data,
		    (unsigned int)x->tmp.len, x->path.data,
		    (unsigned int)x->path.len, 0);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc == 0) {
			x->st = P_FILE_DONE;
			return 0;
		}
		if (sftp_fx(x->sftp, rc) != LIBSSH2_FX_FAILURE) {
			xfail(s, "rename to %s: %s", x->path.data,
			    sftp_why(s, x->sftp, rc));
			return XFAIL;
		}
		/* the target appeared meanwhile: replace it */
 mv:
		if (xexec_paths(&x->ex, "mv -f", x->tmp.data,
		    x->path.data) != 0)
			return DROVE_E_NOMEM;
		x->st = P_MV;
		/* FALLTHROUGH */
	case P_MV:
		if ((rc = xexec_step(&x->ex, s)) != 0)
			return rc;
		xexec_release(&x->ex, 0);
		if (x->ex.exit != 0) {
			xfail(s, "replace %s: mv exited %d%s%.*s", x->path.data,
			    x->ex.exit, x->ex.errlen > 0 ? ": " : "",
			    (int)strcspn(x->ex.err, "\n"), x->ex.err);
			return XFAIL;
		}
		x->st = P_FILE_DONE;
		return 0;
	default:
		return DROVE_E_INTERNAL;
	}
}

/* The temporary file could not be removed: the session is gone. */
static int
push_lost(struct push_job *x, struct sess *s)
{
	char why[sizeof s->err.msg];

	snprintf(why, sizeof why, "%s", s->err.msg);
	return err_set(&s->err, s->err.code != 0 ? s->err.code :
	    DROVE_E_PROTOCOL, "%s (a temporary file beside %s may be left)",
	    why, x->path.data);
}

/*
 * P_AB_*: after a failure, close the temporary file and remove it; when
 * the SFTP channel is gone but the session is not, over a new one.
 */
static int
push_abort(struct push_job *x, struct sess *s)
{
	int rc;

	switch (x->st) {
	case P_AB_CLOSE:
		if (x->h != NULL) {
			rc = libssh2_sftp_close_handle(x->h);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			x->h = NULL;
		}
		x->st = x->tmp_made ? P_AB_UNLINK : P_SHUTDOWN;
		return 0;
	case P_AB_REINIT:
		if (x->sftp != NULL) {
			rc = libssh2_sftp_shutdown(x->sftp);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			x->sftp = NULL;
		}
		if ((rc = sftp_start(s, &x->sftp, &x->since)) == DROVE_AGAIN)
			return rc;
		if (rc != 0)
			return push_lost(x, s);
		x->st = P_AB_UNLINK;
		/* FALLTHROUGH */
	default:
		rc = libssh2_sftp_unlink_ex(x->sftp, x->tmp.data,
		    (unsigned int)x->tmp.len);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc != 0 && rc != LIBSSH2_ERROR_SFTP_PROTOCOL &&
		    !x->reinit) {
			x->reinit = 1;
			x->st = P_AB_REINIT;
			return 0;
		}
		if (rc != 0 && sftp_fx(x->sftp, rc) !=
		    LIBSSH2_FX_NO_SUCH_FILE)
			return push_lost(x, s);
		x->tmp_made = 0;
		x->st = P_SHUTDOWN;
		return 0;
	}
}

/* Begin cleaning up after the failure recorded in s->err.msg. */
static void
push_failed(struct push_job *x)
{
	const struct xent *e;

	x->failed = 1;
	x->more = 1;
	x->wlen = 0;
	x->inflight = 0;
	if (x->slot >= 0) {
		e = push_ent(x);
		xsrc_leave(e->src, x->slot);
		x->slot = -1;
	}
	x->st = P_AB_CLOSE;
}

/* The SFTP server went away: fail, and remove the temporary file over a
 * new SFTP channel. */
static int
push_gone(struct push_job *x, struct sess *s)
{
	if (!x->failed)
		xfail(s, "%s: the sftp server went away", x->ent <
		    x->plan->nents && x->path.data != NULL ?
		    x->path.data : x->dest);
	push_failed(x);
	x->h = NULL;
	x->reinit = 1;
	x->st = x->tmp_made ? P_AB_REINIT : P_SHUTDOWN;
	x->more = 1;
	return DROVE_AGAIN;
}

/* P_NEXT: go to the next entry, or end. */
static int
push_next(struct push_job *x)
{
	const struct xent *e;

	x->ent = x->ent == SIZE_MAX ? 0 : x->ent + 1;
	x->off = 0;
	if (x->ent >= x->plan->nents) {
		x->st = P_SHUTDOWN;
		return 0;
	}
	if (push_target(x) != 0)
		return DROVE_E_NOMEM;
	e = push_ent(x);
	x->st = e->is_dir ? P_DIR : P_STAT;
	if (e->is_dir)
		x->settled = x->ent + 1;
	else if (e->parent != SIZE_MAX && x->made[e->parent]) {
		x->exists = 0;		/* nothing is in a new directory */
		x->st = P_OPEN;
	}
	return 0;
}

/* P_DIR, P_DIR_STAT: make a directory of the tree, or accept one. */
static int
push_dir(struct push_job *x, struct sess *s)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	int rc;

	if (x->st == P_DIR) {
		rc = libssh2_sftp_mkdir_ex(x->sftp, x->path.data,
		    (unsigned int)x->path.len, (long)(push_ent(x)->mode |
		    0700));
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc == 0) {
			x->r->changed = 1;
			x->made[x->ent] = 1;
			x->st = P_NEXT;
			return 0;
		}
		x->st = P_DIR_STAT;
	}
	rc = libssh2_sftp_stat_ex(x->sftp, x->path.data,
	    (unsigned int)x->path.len, LIBSSH2_SFTP_STAT, &a);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	if (rc != 0 || !LIBSSH2_SFTP_S_ISDIR(a.permissions)) {
		xfail(s, "mkdir %s: %s", x->path.data, rc != 0 ?
		    sftp_why(s, x->sftp, rc) : "not a directory");
		return XFAIL;
	}
	x->st = P_NEXT;
	return 0;
}

/* P_OPEN: create the temporary file and join the source. */
static int
push_open(struct push_job *x, struct sess *s)
{
	const struct xent *e = push_ent(x);
	int rc;

	if (x->tmp_made == 0 && push_tmpname(x, s) != 0)
		return DROVE_E_NOMEM;
	x->tmp_made = 1;
	x->h = libssh2_sftp_open_ex(x->sftp, x->tmp.data,
	    (unsigned int)x->tmp.len, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT |
	    LIBSSH2_FXF_EXCL | LIBSSH2_FXF_TRUNC, 0600, LIBSSH2_SFTP_OPENFILE);
	if (x->h == NULL) {
		rc = libssh2_session_last_errno(s->ls);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		x->tmp_made = 0;
		xfail(s, "create %s: %s", x->path.data,
		    sftp_why(s, x->sftp, rc));
		return XFAIL;
	}
	if ((x->slot = xsrc_join(e->src)) < 0) {
		x->slot = -1;
		return DROVE_E_NOMEM;
	}
	x->settled = x->ent + 1;
	x->off = 0;
	x->st = P_WRITE;
	return 0;
}

/* Advance the push job. */
static int
push_step(struct job *j, struct sess *s)
{
	struct push_job *x = (struct push_job *)j;
	int rc = 0, steps;

	x->more = 0;
	for (steps = 0; rc == 0 && steps < 256; steps++) {
		/* stopped: once no call is half done, clean up as after a
		 * failure (the session's message says why) */
		if (x->stopping && !x->failed && !x->waiting &&
		    x->ex.ch == NULL)
			push_failed(x);
		switch (x->st) {
		case P_INIT:
			if ((rc = sftp_open(s, &x->sftp, &x->since,
			    &x->kept)) == 0)
				x->st = P_DEST;
			else if ((rc == DROVE_E_CHANNEL ||
			    rc == DROVE_E_TIMEOUT) && x->run->each != NULL) {
				/* refused, or no sftp-server answered (the
				 * server ran none): the sender tries another
				 * way */
				x->run->each[x->host].nosftp = 1;
				s->err.code = 0;
				rc = XFAIL;
			}
			break;
		case P_DEST:
			rc = push_dest(x, s);
			break;
		case P_MKDIRS:
		case P_MKDIRS_MK:
		case P_MKDIRS_STAT:
			rc = push_mkdirs_step(x, s);
			break;
		case P_NEXT:
			rc = push_next(x);
			break;
		case P_DIR:
		case P_DIR_STAT:
			rc = push_dir(x, s);
			break;
		case P_STAT:
			rc = push_stat(x, s);
			break;
		case P_SUM:
			rc = push_sum(x, s);
			break;
		case P_RB_OPEN:
		case P_RB_READ:
		case P_RB_CLOSE:
			rc = push_readback(x, s);
			break;
		case P_OPEN:
			rc = push_open(x, s);
			break;
		case P_WRITE:
			rc = push_write(x, s);
			break;
		case P_FSTAT:
		case P_SETSTAT:
			rc = push_setstat(x, s);
			break;
		case P_FSYNC:
		case P_CLOSE:
		case P_RENAME:
		case P_MV:
			rc = push_commit(x, s);
			break;
		case P_FILE_DONE:
			x->tmp_made = 0;
			x->r->files++;
			x->r->changed = 1;
			x->st = P_NEXT;
			break;
		case P_AB_CLOSE:
		case P_AB_REINIT:
		case P_AB_UNLINK:
			rc = push_abort(x, s);
			break;
		case P_SHUTDOWN:
			if ((rc = sftp_put(s, &x->sftp, x->h)) != 0)
				break;
			x->st = P_DONE;
			s->exit_code = x->failed ? 1 : 0;
			return 0;
		case P_DONE:
			return 0;
		}
		x->waiting = rc == DROVE_AGAIN && !x->more;
		if (rc == DROVE_E_PROTOCOL && x->ex.cmd != NULL)
			/* the connection is gone, not just the channel */
			return push_lost(x, s);
		if (rc < 0 && rc != DROVE_E_NOMEM && x->ex.cmd != NULL &&
		    !x->failed) {
			/* the exec channel failed, not the session: the
			 * message stays, the temporary file goes */
			s->err.code = 0;
			xexec_release(&x->ex, 1);
			rc = XFAIL;
		}
		if (rc == XFAIL && !x->failed) {
			push_failed(x);
			rc = 0;
		} else if (rc == XFAIL)
			return push_lost(x, s);
	}
	if (rc == 0) {
		x->more = 1;
		return DROVE_AGAIN;
	}
	if (rc == DROVE_AGAIN && x->st != P_AB_REINIT && x->st != P_INIT &&
	    sftp_gone(x->sftp)) {
		x->waiting = 0;
		return push_gone(x, s);
	}
	return rc;
}

/* Stop: remove the temporary file, if there is one, before closing. */
static int
push_stop(struct job *j)
{
	struct push_job *x = (struct push_job *)j;

	if (!x->tmp_made)
		return 0;
	x->stopping = 1;
	x->more = 1;
	return 1;
}

/* Whether the job can go on at once or libssh2 holds input for it. */
static int
push_hidden_input(struct job *j)
{
	struct push_job *x = (struct push_job *)j;

	return x->more || sftp_hidden(x->sftp) || xexec_hidden(&x->ex);
}

/* Whether no call is half done. */
static int
push_idle(struct job *j)
{
	struct push_job *x = (struct push_job *)j;

	return !x->inflight && x->ex.ch == NULL;
}

/* Tell the sources this host will not come back for them. */
static void
push_unsettle(struct push_job *x)
{
	struct xplan *p = x->plan;
	size_t i;

	uint64_t left = 0;

	if (x->slot >= 0) {
		xsrc_leave(p->ents[x->ent].src, x->slot);
		x->slot = -1;
	}
	if (x->st != P_DONE && x->ent < p->nents && x->settled > x->ent &&
	    !p->ents[x->ent].is_dir)
		left += p->ents[x->ent].size - x->off;
	for (i = x->settled; i < p->nents; i++)
		if (p->ents[i].src != NULL) {
			xsrc_skip(p->ents[i].src);
			left += p->ents[i].size;
		}
	x->settled = p->nents;
	__atomic_sub_fetch(&x->run->total, left, __ATOMIC_RELAXED);
}

/*
 * Close and free an SFTP handle and the SFTP session, in any state.  A job
 * that did not end (abort) is freed after the session shut its socket, so
 * what these calls send fails at once without blocking, and they still
 * free what libssh2 holds for them: the handle, its queued writes and
 * read-ahead, the SFTP channel.  Skipping them leaked all of it.
 */
static void
sftp_drop(LIBSSH2_SFTP_HANDLE *h, LIBSSH2_SFTP *sftp)
{
	if (h != NULL)
		libssh2_sftp_close_handle(h);
	if (sftp != NULL)
		libssh2_sftp_shutdown(sftp);
}

/* Free the push job. */
static void
push_free(struct job *j, int abort)
{
	struct push_job *x = (struct push_job *)j;
	size_t i;

	if (x == NULL)
		return;
	push_unsettle(x);
	sftp_drop(x->h, x->sftp);
	xexec_release(&x->ex, abort);
	for (i = 0; x->troot != NULL && i < x->plan->ntops; i++)
		free(x->troot[i]);
	free(x->troot);
	free(x->made);
	buf_release(&x->path);
	buf_release(&x->tmp);
	buf_release(&x->mk);
	EVP_MD_CTX_free(x->md);
	free(x->rbuf);
	free(x);
}

static const struct job_ops push_ops = {
	.step = push_step,
	.hidden_input = push_hidden_input,
	.idle = push_idle,
	.stop = push_stop,
	.free = push_free,
};

/* Count the hosts every source waits for, once per run (or per host's
 * plan, in a run of each its own). */
static void
push_expect(struct drove_fleet *f, struct xrun *run, struct xplan *p)
{
	size_t i;

	if (run->each != NULL) {
		for (i = 0; i < p->nents; i++)
			if (p->ents[i].src != NULL)
				xsrc_expect(p->ents[i].src, 1);
		__atomic_add_fetch(&run->total, p->bytes, __ATOMIC_RELAXED);
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (!p->counted) {
		for (i = 0; i < p->nents; i++)
			if (p->ents[i].src != NULL)
				xsrc_expect(p->ents[i].src, f->nrun);
		run->done = 0;
		run->total = p->bytes * f->nrun;
		p->counted = 1;
	}
	pthread_mutex_unlock(&p->lock);
}

/* Make host's push job. */
struct job *
push_job_new(struct drove_fleet *f, size_t host)
{
	struct xrun *run = f->job_arg;
	struct xplan *p = run->plan;
	struct push_job *x;

	if (run->each != NULL) {
		if (host >= run->neach || run->each[host].plan == NULL)
			return NULL;
		p = run->each[host].plan;
	}
	if ((x = calloc(1, sizeof *x)) == NULL)
		return NULL;
	push_expect(f, run, p);
	x->job.ops = &push_ops;
	x->run = run;
	x->plan = p;
	x->dest = run->each != NULL ? run->each[host].dest : run->dest;
	x->host = host;
	x->r = &f->hosts[host].result;
	x->slot = -1;
	buf_init(&x->path);
	buf_init(&x->tmp);
	buf_init(&x->mk);
	x->troot = calloc(p->ntops, sizeof *x->troot);
	x->made = calloc(p->nents, 1);
	if (x->troot == NULL || x->made == NULL) {
		push_free(&x->job, 1);
		return NULL;
	}
	return &x->job;
}

/* Free a pull item's strings. */
static void
pull_item_release(struct pull_item *it)
{
	free(it->remote);
	free(it->local);
	memset(it, 0, sizeof *it);
}

/* Push an item on the job's stack; takes remote and local. */
static int
pull_push(struct pull_job *x, char *remote, char *local, int top,
    const LIBSSH2_SFTP_ATTRIBUTES *a)
{
	struct pull_item *v;

	if (remote == NULL || local == NULL ||
	    (v = realloc(x->items, (x->nitems + 1) * sizeof *v)) == NULL) {
		free(remote);
		free(local);
		return DROVE_E_NOMEM;
	}
	x->items = v;
	v += x->nitems++;
	memset(v, 0, sizeof *v);
	v->remote = remote;
	v->local = local;
	v->top = top;
	if (a != NULL) {
		v->a = *a;
		v->have_a = 1;
	}
	return 0;
}

/* The local name of a top-level remote path for this host. */
static char *
pull_top_local(struct pull_job *x, const char *base)
{
	struct buf b;
	char *hf;
	int rc;

	if ((hf = xfer_host_file(x->host)) == NULL)
		return NULL;
	buf_init(&b);
	switch (x->run->lo.layout) {
	case DROVE_PULL_FLAT_SUFFIX:
		rc = buf_printf(&b, "%s.%s", base, hf);
		break;
	case DROVE_PULL_FLAT_PREFIX:
		rc = buf_printf(&b, "%s.%s", hf, base);
		break;
	default:
		rc = buf_printf(&b, "%s/%s", hf, base);
		break;
	}
	free(hf);
	if (rc != 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

/* Warn about something skipped on this host: "WHAT PATH", control
 * characters in PATH shown as '?'. */
static void
pull_warn(struct sess *s, const char *what, const char *path)
{
	struct buf b;
	char *p;

	buf_init(&b);
	if (buf_printf(&b, "%s %s", what, path) == 0) {
		for (p = b.data; *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		s->ops->warn(s->owner, b.data);
	}
	buf_release(&b);
}

/* L_NEXT: take the next item: the user's paths first, then the stack. */
static int
pull_next(struct pull_job *x, struct sess *s)
{
	char *base;

	pull_item_release(&x->cur);
	if (x->nitems > 0) {
		x->cur = x->items[--x->nitems];
		x->st = L_STAT;
		return 0;
	}
	if (x->next_top >= x->run->npaths) {
		x->st = L_SHUTDOWN;
		return 0;
	}
	base = xfer_basename(x->run->paths[x->next_top]);
	if (base == NULL) {
		xfail(s, "%s: no safe file name to fetch it as",
		    x->run->paths[x->next_top]);
		return XFAIL;
	}
	x->cur.remote = strdup(x->run->paths[x->next_top++]);
	x->cur.local = pull_top_local(x, base);
	x->cur.top = 1;
	free(base);
	if (x->cur.remote == NULL || x->cur.local == NULL)
		return DROVE_E_NOMEM;
	x->st = L_STAT;
	return 0;
}

/* L_STAT: what the item is; follow links named by the user only. */
static int
pull_stat(struct pull_job *x, struct sess *s)
{
	LIBSSH2_SFTP_ATTRIBUTES *a = &x->cur.a;
	int rc;

	if (!x->cur.have_a) {
		rc = libssh2_sftp_stat_ex(x->sftp, x->cur.remote,
		    (unsigned int)strlen(x->cur.remote), LIBSSH2_SFTP_STAT, a);
		if (sftp_stale(x->sftp, &x->kept, rc)) {
			x->st = L_INIT;
			return 0;
		}
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc != 0) {
			xfail(s, "stat %s: %s", x->cur.remote,
			    sftp_why(s, x->sftp, rc));
			return XFAIL;
		}
		x->cur.have_a = 1;
	}
	if (LIBSSH2_SFTP_S_ISLNK(a->permissions)) {
		pull_warn(s, "refused symbolic link", x->cur.remote);
		x->st = L_NEXT;
	} else if (LIBSSH2_SFTP_S_ISDIR(a->permissions)) {
		if (!x->run->lo.recursive) {
			xfail(s, "%s is a directory (use -r)", x->cur.remote);
			return XFAIL;
		}
		x->st = L_OPENDIR;
	} else if (LIBSSH2_SFTP_S_ISREG(a->permissions))
		x->st = L_OPEN;
	else {
		pull_warn(s, "skipped (not a regular file)", x->cur.remote);
		x->st = L_NEXT;
	}
	return 0;
}

/* L_OPENDIR .. L_CLOSEDIR: list a directory onto the stack. */
static int
pull_list(struct pull_job *x, struct sess *s)
{
	struct drove_err e;
	LIBSSH2_SFTP_ATTRIBUTES a;
	char name[1024];
	struct buf r, l;
	int rc;

	switch (x->st) {
	case L_OPENDIR:
		err_clear(&e);
		if (xfer_local_mkdirs(x->run->dest, x->cur.local, &e) != 0) {
			xfail(s, "%s", e.msg);
			return XFAIL;
		}
		x->h = libssh2_sftp_open_ex(x->sftp, x->cur.remote,
		    (unsigned int)strlen(x->cur.remote), 0, 0,
		    LIBSSH2_SFTP_OPENDIR);
		if (x->h == NULL) {
			rc = libssh2_session_last_errno(s->ls);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			xfail(s, "open directory %s: %s", x->cur.remote,
			    sftp_why(s, x->sftp, rc));
			return XFAIL;
		}
		x->st = L_READDIR;
		/* FALLTHROUGH */
	case L_READDIR:
		while ((rc = libssh2_sftp_readdir_ex(x->h, name, sizeof name,
		    NULL, 0, &a)) > 0) {
			if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
				continue;
			if (!xfer_name_ok(name)) {
				buf_init(&r);
				if (buf_printf(&r, "%s/%s", x->cur.remote,
				    name) == 0)
					pull_warn(s, "refused unsafe name",
					    r.data);
				buf_release(&r);
				continue;
			}
			buf_init(&r);
			buf_init(&l);
			if (buf_printf(&r, "%s/%s", x->cur.remote, name) != 0 ||
			    buf_printf(&l, "%s/%s", x->cur.local, name) != 0 ||
			    pull_push(x, buf_steal(&r, NULL),
			    buf_steal(&l, NULL), 0, &a) != 0) {
				buf_release(&r);
				buf_release(&l);
				return DROVE_E_NOMEM;
			}
		}
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc < 0) {
			xfail(s, "list %s: %s", x->cur.remote,
			    sftp_why(s, x->sftp, rc));
			return XFAIL;
		}
		x->st = L_CLOSEDIR;
		/* FALLTHROUGH */
	default:
		rc = libssh2_sftp_close_handle(x->h);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		x->h = NULL;
		x->st = L_NEXT;
		return 0;
	}
}

/* The answer to local work kind (see jobs/lfile.h): 0, or XFAIL (the
 * host's message set); 1 when it is not in. */
static int
pull_answer(struct pull_job *x, struct sess *s, int kind)
{
	int rc = lfile_answer(&x->lf, kind);

	if (rc >= 0)
		return rc;
	xfail(s, "%s", x->lf.msg);
	return XFAIL;
}

/* L_OPEN: a local temporary file beside the target (made off the loop),
 * then the remote file. */
static int
pull_open(struct pull_job *x, struct sess *s)
{
	int rc;

	if (x->lf.fd == -1 && x->lf.answered != LFILE_OPEN &&
	    (rc = lfile_open(&x->lf, s, x->run->dest, x->cur.local)) != 0)
		return rc;
	if ((rc = pull_answer(x, s, LFILE_OPEN)) == XFAIL)
		return XFAIL;
	x->h = libssh2_sftp_open_ex(x->sftp, x->cur.remote,
	    (unsigned int)strlen(x->cur.remote), LIBSSH2_FXF_READ, 0,
	    LIBSSH2_SFTP_OPENFILE);
	if (x->h == NULL) {
		rc = libssh2_session_last_errno(s->ls);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		lfile_drop(&x->lf, s);
		xfail(s, "open %s: %s", x->cur.remote,
		    sftp_why(s, x->sftp, rc));
		return XFAIL;
	}
	if (x->lf.buf == NULL && (x->lf.buf = malloc(PULL_BUF)) == NULL)
		return DROVE_E_NOMEM;
	x->lf.len = 0;
	x->eof = 0;
	x->st = L_READ;
	return 0;
}

/* L_READ: copy the remote file to the temporary file, PULL_BUF bytes at a
 * time written off the loop. */
static int
pull_read(struct pull_job *x, struct sess *s)
{
	uint64_t moved = 0;
	ssize_t n;
	int rc;

	for (;;) {
		if ((rc = pull_answer(x, s, LFILE_WRITE)) == XFAIL) {
			lfile_drop(&x->lf, s);
			return XFAIL;
		}
		if (x->eof)
			break;
		if (x->lf.len == PULL_BUF &&
		    (rc = lfile_write(&x->lf, s)) != 0)
			return rc;
		n = libssh2_sftp_read(x->h, x->lf.buf + x->lf.len,
		    PULL_BUF - x->lf.len);
		if (n == LIBSSH2_ERROR_EAGAIN) {
			x->inflight = 1;
			return DROVE_AGAIN;
		}
		x->inflight = 0;
		if (n == 0) {
			x->eof = 1;
			break;
		}
		if (n < 0) {
			lfile_drop(&x->lf, s);
			xfail(s, "read %s: %s", x->cur.remote,
			    sftp_why(s, x->sftp, (int)n));
			return XFAIL;
		}
		x->lf.len += (size_t)n;
		xcount(x->run, x->r, (uint64_t)n);
		if ((moved += (uint64_t)n) >= XFER_STEP_BYTES) {
			x->more = 1;
			return DROVE_AGAIN;
		}
	}
	if (x->lf.len > 0 && (rc = lfile_write(&x->lf, s)) != 0)
		return rc;
	if ((rc = pull_answer(x, s, LFILE_WRITE)) == XFAIL) {
		lfile_drop(&x->lf, s);
		return XFAIL;
	}
	x->st = L_CLOSE;
	return 0;
}

/* L_CLOSE: close both, set the mode and time and rename into place (off
 * the loop); the file is counted once renamed. */
static int
pull_close(struct pull_job *x, struct sess *s)
{
	int rc;

	if (x->h != NULL) {
		rc = libssh2_sftp_close_handle(x->h);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		x->h = NULL;
		if ((rc = lfile_finish(&x->lf, s, x->cur.a.permissions,
		    x->run->lo.preserve &&
		    (x->cur.a.flags & LIBSSH2_SFTP_ATTR_ACMODTIME),
		    (time_t)x->cur.a.atime, (time_t)x->cur.a.mtime)) != 0)
			return rc;
	}
	if ((rc = pull_answer(x, s, LFILE_FINISH)) != 0)
		return rc;
	x->r->files++;
	x->r->changed = 1;
	x->st = L_NEXT;
	return 0;
}

/* Advance the pull job. */
static int
pull_step(struct job *j, struct sess *s)
{
	struct pull_job *x = (struct pull_job *)j;
	int rc = 0, steps;

	x->more = 0;
	if (lfile_busy(&x->lf))
		return DROVE_AGAIN;	/* the session is woken when done */
	for (steps = 0; rc == 0 && steps < 256; steps++) {
		switch (x->st) {
		case L_INIT:
			if ((rc = sftp_open(s, &x->sftp, &x->since,
			    &x->kept)) == 0)
				x->st = L_NEXT;
			break;
		case L_NEXT:
			rc = pull_next(x, s);
			break;
		case L_STAT:
			rc = pull_stat(x, s);
			break;
		case L_OPENDIR:
		case L_READDIR:
		case L_CLOSEDIR:
			rc = pull_list(x, s);
			break;
		case L_OPEN:
			rc = pull_open(x, s);
			break;
		case L_READ:
			rc = pull_read(x, s);
			break;
		case L_CLOSE:
			rc = pull_close(x, s);
			break;
		case L_ABORT:
			lfile_drop(&x->lf, s);
			if (x->h != NULL) {
				rc = libssh2_sftp_close_handle(x->h);
				if (rc == LIBSSH2_ERROR_EAGAIN) {
					rc = DROVE_AGAIN;
					break;
				}
				x->h = NULL;
			}
			rc = 0;
			x->st = L_SHUTDOWN;
			break;
		case L_SHUTDOWN:
			if ((rc = sftp_put(s, &x->sftp, x->h)) != 0)
				break;
			x->st = L_DONE;
			s->exit_code = x->failed ? 1 : 0;
			return 0;
		case L_DONE:
			return 0;
		}
		if (rc == XFAIL) {
			x->failed = 1;
			x->inflight = 0;
			x->st = L_ABORT;
			rc = 0;
		}
	}
	if (rc == 0) {
		x->more = 1;
		return DROVE_AGAIN;
	}
	if (rc == DROVE_AGAIN && x->st != L_INIT && sftp_gone(x->sftp)) {
		if (!x->failed)
			xfail(s, "%s: the sftp server went away",
			    x->cur.remote != NULL ? x->cur.remote : "pull");
		x->failed = 1;
		x->h = NULL;
		x->st = L_ABORT;
		x->more = 1;
	}
	return rc;
}

/* Whether the job can go on at once or libssh2 holds input for it (not
 * while it waits for its local work). */
static int
pull_hidden_input(struct job *j)
{
	struct pull_job *x = (struct pull_job *)j;

	return !lfile_busy(&x->lf) && (x->more || sftp_hidden(x->sftp));
}

/* Whether no call is half done. */
static int
pull_idle(struct job *j)
{
	return !((struct pull_job *)j)->inflight;
}

/* Whether the job waits for its local work: the socket must not wake it. */
static int
pull_local_wait(struct job *j)
{
	return lfile_busy(&((struct pull_job *)j)->lf);
}

/* Free the pull job, removing a partial download (local work in flight
 * does so when it is done). */
static void
pull_free(struct job *j, int abort)
{
	struct pull_job *x = (struct pull_job *)j;

	(void)abort;
	if (x == NULL)
		return;
	lfile_release(&x->lf);
	sftp_drop(x->h, x->sftp);
	while (x->nitems > 0)
		pull_item_release(&x->items[--x->nitems]);
	free(x->items);
	pull_item_release(&x->cur);
	free(x);
}

static const struct job_ops pull_ops = {
	.step = pull_step,
	.hidden_input = pull_hidden_input,
	.local_wait = pull_local_wait,
	.idle = pull_idle,
	.free = pull_free,
};

/* Make host's pull job. */
struct job *
pull_job_new(struct drove_fleet *f, size_t host)
{
	struct pull_job *x;

	if ((x = calloc(1, sizeof *x)) == NULL)
		return NULL;
	x->job.ops = &pull_ops;
	x->run = f->job_arg;
	x->r = &f->hosts[host].result;
	x->host = f->hosts[host].name;
	lfile_init(&x->lf);
	return &x->job;
}

/* Free a run's shared state. */
static void
xrun_free(void *arg)
{
	struct xrun *run = arg;
	size_t i;

	if (run == NULL)
		return;
	xfer_plan_free(run->plan);
	for (i = 0; i < run->neach; i++) {
		xfer_plan_free(run->each[i].plan);
		free(run->each[i].dest);
	}
	free(run->each);
	for (i = 0; i < run->npaths; i++)
		free(run->paths[i]);
	free(run->paths);
	free(run->dest);
	bx_run_free(run->bx);
	free(run);
}

/* Make host's push or pull job: over SFTP, or as its become user. */
static struct job *
xfer_job_new(struct drove_fleet *f, size_t host)
{
	struct xrun *run = f->job_arg;
	struct become *b;
	size_t i;

	if (become_host(f, host, 0, &b) != 0)
		return NULL;
	if (b == NULL)
		return run->pull ? pull_job_new(f, host) :
		    push_job_new(f, host);
	if (!run->pull) {
		push_expect(f, run, run->plan);
		for (i = 0; i < run->plan->nents; i++)
			if (run->plan->ents[i].src != NULL)
				xsrc_skip(run->plan->ents[i].src);
	}
	return bx_job_new(run->bx, &f->hosts[host].result,
	    f->hosts[host].name, b, &run->done);
}

/* Give every host the job of sending srcs to dest. */
int
drove_fleet_push(drove_fleet *f, const struct drove_push_opts *o,
    const char *const *srcs, size_t nsrcs, const char *dest)
{
	struct drove_err e;
	struct xrun *run;
	int rc;

	if (o == NULL || dest == NULL || *dest == '\0' || o->mode > 07777)
		return err_set(&f->err, DROVE_E_INVAL, "push: bad arguments");
	if ((run = calloc(1, sizeof *run)) == NULL ||
	    (run->dest = strdup(dest)) == NULL) {
		free(run);
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	}
	run->po = *o;
	err_clear(&e);
	if ((rc = xfer_plan_new(srcs, nsrcs, o->recursive, o->checksum,
	    &run->plan, &e)) != 0) {
		xrun_free(run);
		return err_set(&f->err, rc, "%s", e.msg);
	}
	if (become_any(f) && (rc = bx_push_new(run->plan, o, dest, &run->bx,
	    &e)) != 0) {
		xrun_free(run);
		return err_set(&f->err, rc, "%s", e.msg);
	}
	fleet_set_job(f, xfer_job_new, run, xrun_free);
	return 0;
}

/*
 * Give fleet host h the job of sending data[h] (lens[h] bytes, named
 * names[h] as a source) to dests[h], as a push with opts o would send a
 * file of those bytes and of mode 0644; hosts whose data is NULL send
 * nothing.  What is in place already is compared by reading it back; a
 * target whose mode is not o->mode is changed; an existing target keeps
 * its mode when o->mode is -1.  Not for hosts that become another user.
 * A host whose server refuses SFTP, or starts no sftp-server that answers
 * within the connect timeout, fails its job, and xfer_fleet_put_nosftp()
 * says so until the fleet's next job.
 */
int
xfer_fleet_put_each(drove_fleet *f, const struct drove_push_opts *o,
    char *const *data, const size_t *lens, char *const *names,
    char *const *dests)
{
	struct drove_err e;
	struct xrun *run;
	size_t i, n = f->nhosts;
	int rc;

	if (o->mode > 07777 || become_any(f))
		return err_set(&f->err, DROVE_E_INVAL, "put: bad arguments");
	if ((run = calloc(1, sizeof *run)) == NULL ||
	    (run->each = calloc(n + 1, sizeof *run->each)) == NULL) {
		free(run);
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	}
	run->neach = n;
	run->po = *o;
	run->po.checksum = 1;
	err_clear(&e);
	for (i = 0; i < n; i++) {
		if (data[i] == NULL)
			continue;
		if ((rc = xfer_plan_mem(names[i], data[i], lens[i], 0644,
		    &run->each[i].plan, &e)) != 0) {
			xrun_free(run);
			return err_set(&f->err, rc, "%s", e.msg);
		}
		if ((run->each[i].dest = strdup(dests[i])) == NULL) {
			xrun_free(run);
			return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
		}
	}
	fleet_set_job(f, xfer_job_new, run, xrun_free);
	return 0;
}

/* Whether fleet host h could not start SFTP in the last run of
 * xfer_fleet_put_each() (the job failed). */
int
xfer_fleet_put_nosftp(const drove_fleet *f, size_t h)
{
	const struct xrun *run = f->job_arg;

	return f->make_job == xfer_job_new && run->each != NULL &&
	    h < run->neach && run->each[h].nosftp;
}

/* Give every host the job of fetching paths into localdir. */
int
drove_fleet_pull(drove_fleet *f, const struct drove_pull_opts *o,
    const char *const *paths, size_t npaths, const char *localdir)
{
	struct xrun *run;
	size_t i;

	if (o == NULL || npaths == 0 || localdir == NULL || *localdir == '\0')
		return err_set(&f->err, DROVE_E_INVAL, "pull: bad arguments");
	if ((run = calloc(1, sizeof *run)) == NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	run->pull = 1;
	run->lo = *o;
	run->dest = strdup(localdir);
	run->paths = calloc(npaths, sizeof *run->paths);
	for (i = 0; run->paths != NULL && i < npaths; i++)
		if ((run->paths[run->npaths++] = strdup(paths[i])) == NULL)
			break;
	if (run->dest == NULL || run->paths == NULL || i < npaths ||
	    (become_any(f) && bx_pull_new(paths, npaths, o, localdir,
	    &run->bx) != 0)) {
		xrun_free(run);
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	}
	fleet_set_job(f, xfer_job_new, run, xrun_free);
	f->host_fds = 2;	/* the socket and the local file */
	return 0;
}

/* Bytes moved so far and expected in all. */
void
drove_fleet_xfer_progress(const drove_fleet *f, uint64_t *done,
    uint64_t *total)
{
	const struct xrun *run = f->job_arg;

	*done = *total = 0;
	if (f->make_job != xfer_job_new)
		return;
	*done = __atomic_load_n(&run->done, __ATOMIC_RELAXED);
	*total = __atomic_load_n(&run->total, __ATOMIC_RELAXED);
}
