/*
 * xfer-become.c: push and pull through a script run as the become user
 * (see xfer-become.h).  The job is an exec job (jobs/exec.c, with the
 * become filter) whose output comes here instead of to the fleet: push
 * reads one line per file ("drove-changed SIZE", "drove-unchanged"), pull
 * reads "drove-file SIZE MTIME MODE INDEX\n", the name under the path
 * asked for, a NUL and SIZE bytes, per file.  stderr is kept for the
 * message when the script fails.
 *
 * A pull's local side (directories, temporary file, writes, mode and
 * time, rename) runs off the loop (jobs/lfile.h), one piece at a time:
 * what the script prints meanwhile waits in the job (x->in), and the
 * script's output is not read until all of that is taken, so a slow disk
 * holds up this host only, and what waits stays under a step's reading.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "engine/feed.h"
#include "jobs/exec.h"
#include "jobs/lfile.h"
#include "jobs/xfer-become.h"

#define BX_KEEP		400	/* stderr bytes kept for a message */
#define BX_LINE		4096	/* longest header or name */
#define BX_BUF		(128 * 1024)	/* pulled bytes per local write */

struct bx_run {
	int			 pull;
	char			*script;
	struct feed		 feed;		/* push: the files, in order */
	char			*localdir;	/* pull */
	char		       **bases;		/* pull: a path's local name */
	size_t			 npaths;
	enum drove_pull_layout	 layout;
	int			 preserve;
};

/* Pull: what comes next in the script's output, or what local work is
 * awaited. */
enum bx_phase { BX_HEAD, BX_NAME, BX_OPEN, BX_BODY, BX_FINISH };

struct bx_job {
	struct job		 job;
	struct job		*ex;		/* the script's exec job */
	struct bx_run		*run;
	struct drove_result	*r;
	char			*host;		/* as a file name */
	uint64_t		*done;		/* the run's bytes, atomic */
	struct buf		 in;		/* pull: stdout not taken yet */
	struct buf		 line;		/* stdout: a line or a name */
	struct buf		 err;		/* stderr, its start */
	enum bx_phase		 ph;
	uint64_t		 left;		/* body bytes to come */
	long long		 mtime;
	unsigned int		 mode;
	size_t			 top;
	struct lfile		 lf;		/* pull: the file being made */
	char			 msg[300];	/* the first local failure */
};

/* What every script begins with: failing, the temporary file's removal. */
static const char bx_prelude[] =
    "fail() { printf '%s\\n' \"$*\" >&2; exit 1; }\n"
    /* run a command on the temporary file; its failure names the target
     * (and the system's reason), so that hosts failing alike fold */
    "try() { w=$1; shift; e=$(\"$@\" 2>&1) || fail \"$w: ${e##*: }\"; }\n"
    "t=\n"
    "trap 'rm -f -- \"$t\"' EXIT\n"
    "trap 'exit 1' HUP INT TERM PIPE\n"
    "umask 077\n";

/* Push: where DEST is, and how one file or directory is put. */
static const char bx_push_funcs[] =
    "if [ -e \"$d\" ]; then\n"
    "\tif [ -d \"$d\" ]; then dir=1; else dir=0; fi\n"
    "\t[ $want = 1 ] && [ $dir = 0 ] && fail \"$d: not a directory\"\n"
    "elif [ $want = 1 ]; then\n"
    "\t[ $mk = 1 ] || fail \"$d: no such directory (use --mkdir)\"\n"
    "\tmkdir -p -- \"$d\" || fail \"mkdir $d failed\"\n"
    "\tdir=1\n"
    "else\n"
    "\tdir=0\n"
    "\t[ $mk = 0 ] || mkdir -p -- \"$(dirname -- \"$d\")\" ||\n"
    "\t    fail \"mkdir of the directory of $d failed\"\n"
    "fi\n"
    "top() { if [ $dir = 1 ]; then printf '%s/%s' \"${d%/}\" \"$1\";\n"
    "\telse printf '%s' \"$d\"; fi; }\n"
    "mkd() { [ -d \"$1\" ] || { mkdir -- \"$1\" && chmod \"$2\" -- \"$1\"; "
    "} ||\n"
    "\tfail \"mkdir $1 failed\"; }\n"
    "put() {\n"
    "\t[ -d \"$4\" ] && fail \"$4: is a directory\"\n"
    "\tt=$(mktemp --suffix=.tmp \"$(dirname -- \"$4\")/.$(basename -- "
    "\"$4\").drove-XXXXXXXX\") ||\n"
    "\t    fail \"create a temporary file beside $4 failed\"\n"
    "\te=$(head -c \"$1\" 2>&1 >\"$t\") || fail \"write $4: ${e##*: }\"\n"
    "\t[ \"$(stat -c %s -- \"$t\")\" = \"$1\" ] ||\n"
    "\t    fail \"write $4: the input ended early\"\n"
    "\tif [ $same = 1 ] && [ -f \"$4\" ] &&\n"
    "\t    [ \"$(stat -c %a -- \"$4\")\" = \"$2\" ] && cmp -s -- \"$t\" "
    "\"$4\"; then\n"
    "\t\trm -f -- \"$t\"; t=; echo drove-unchanged; return\n"
    "\tfi\n"
    "\ttry \"chmod $4\" chmod \"$2\" -- \"$t\"\n"
    "\t[ -e \"$4\" ] && chown --reference=\"$4\" -- \"$t\" 2>/dev/null\n"
    "\t[ -z \"$owner\" ] || try \"chown $4\" chown \"$owner\" -- \"$t\"\n"
    "\t[ -z \"$group\" ] || try \"chgrp $4\" chgrp \"$group\" -- \"$t\"\n"
    "\t[ $keep = 0 ] || try \"set the time of $4\" touch -m -d \"@$3\" -- "
    "\"$t\"\n"
    "\ttry \"rename over $4\" mv -f -- \"$t\" \"$4\"\n"
    "\tt=\n"
    "\techo \"drove-changed $1\"\n"
    "}\n";

/* Pull: the files of one path, each as a header, its name and bytes. */
static const char bx_pull_each[] =
    "i=$1; top=$2; shift 2\n"
    "for f; do\n"
    "\tif [ \"$f\" = \"$top\" ]; then r=; else r=${f#\"$top\"/}; fi\n"
    "\ts=$(stat -L -c %s -- \"$f\") && m=$(stat -L -c '%Y %a' -- \"$f\") "
    "||\n"
    "\t    exit 1\n"
    "\tprintf 'drove-file %s %s %s\\n%s\\000' \"$s\" \"$m\" \"$i\" \"$r\"\n"
    "\thead -c \"$s\" -- \"$f\" || exit 1\n"
    "done\n";

/* Free a run. */
void
bx_run_free(struct bx_run *run)
{
	size_t i;

	if (run == NULL)
		return;
	free(run->script);
	feed_release(&run->feed);
	for (i = 0; i < run->npaths; i++)
		free(run->bases[i]);
	free(run->bases);
	free(run->localdir);
	free(run);
}

/* Append s quoted for the shell; nonzero when out of memory. */
static int
put_q(struct buf *b, const char *s)
{
	char *q;
	int bad;

	if ((q = xfer_shell_quote(s)) == NULL)
		return 1;
	bad = buf_puts(b, q) != 0;
	free(q);
	return bad;
}

/* Append a file's bytes (exactly size of them) to the feed. */
static int
feed_file(struct feed *fd, const char *path, uint64_t size,
    struct drove_err *e)
{
	char *p;
	size_t room;
	ssize_t n;
	int f;

	if ((f = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, DROVE_E_IO, "open %s: %s", path,
		    strerror(errno));
	while (size > 0) {
		if ((p = feed_space(fd, &room)) == NULL) {
			close(f);
			return err_set(e, DROVE_E_NOMEM, "out of memory");
		}
		if (room > size)
			room = (size_t)size;
		if ((n = read(f, p, room)) <= 0) {
			close(f);
			return err_set(e, DROVE_E_IO, "read %s: %s", path,
			    n == 0 ? "it got shorter" : strerror(errno));
		}
		feed_commit(fd, (size_t)n);
		size -= (uint64_t)n;
	}
	close(f);
	return 0;
}

/* The push script and its stdin. */
int
bx_push_new(const struct xplan *p, const struct drove_push_opts *o,
    const char *dest, struct bx_run **out, struct drove_err *e)
{
	struct bx_run *run;
	const struct xent *x;
	struct buf b;
	size_t i;
	int bad, rc = DROVE_E_NOMEM;

	*out = NULL;
	if ((run = calloc(1, sizeof *run)) == NULL)
		return err_set(e, rc, "out of memory");
	feed_init(&run->feed);
	buf_init(&b);
	bad = buf_puts(&b, bx_prelude) != 0 || buf_puts(&b, "d=") != 0 ||
	    put_q(&b, dest);
	bad |= buf_printf(&b, "\nwant=%d mk=%d same=%d keep=%d owner=%s "
	    "group=%s\n", p->ntops > 1 || dest[strlen(dest) - 1] == '/',
	    o->mkdir != 0, o->update || o->checksum, o->preserve != 0,
	    "", "") != 0;
	if (o->owner >= 0)
		bad |= buf_printf(&b, "owner=%ld\n", o->owner) != 0;
	if (o->group >= 0)
		bad |= buf_printf(&b, "group=%ld\n", o->group) != 0;
	bad |= buf_puts(&b, bx_push_funcs) != 0;
	for (i = 0; !bad && i < p->nents; i++) {
		x = &p->ents[i];
		bad |= buf_puts(&b, "p=\"$(top ") != 0 ||
		    put_q(&b, p->base[x->top]) || buf_puts(&b, ")\"") != 0;
		if (*x->rel != '\0')
			bad |= buf_puts(&b, "/") != 0 || put_q(&b, x->rel);
		if (x->is_dir)
			bad |= buf_printf(&b, "\nmkd \"$p\" %o\n",
			    (unsigned int)(o->mode >= 0 ? o->mode :
			    (int)x->mode) & 07777) != 0;
		else
			bad |= buf_printf(&b, "\nput %llu %o %lld \"$p\"\n",
			    (unsigned long long)x->size, (unsigned int)
			    (o->mode >= 0 ? o->mode : (int)x->mode) & 07777,
			    (long long)x->mtime) != 0;
	}
	if (bad)
		goto fail;
	for (i = 0; i < p->nents; i++)
		if (p->ents[i].src != NULL && (rc = feed_file(&run->feed,
		    p->ents[i].src->path, p->ents[i].size, e)) != 0)
			goto out;
	run->feed.eof = 1;
	run->script = buf_steal(&b, NULL);
	*out = run;
	return 0;
 fail:
	err_set(e, rc, "out of memory");
 out:
	buf_release(&b);
	bx_run_free(run);
	return rc;
}

/* The pull script, and each path's local base name. */
int
bx_pull_new(const char *const *paths, size_t n,
    const struct drove_pull_opts *o, const char *localdir,
    struct bx_run **out)
{
	struct bx_run *run;
	struct buf b;
	char *p;
	size_t i, len;
	int bad;

	*out = NULL;
	if ((run = calloc(1, sizeof *run)) == NULL)
		return DROVE_E_NOMEM;
	feed_init(&run->feed);
	run->pull = 1;
	run->layout = o->layout;
	run->preserve = o->preserve;
	buf_init(&b);
	bad = (run->localdir = strdup(localdir)) == NULL ||
	    (run->bases = calloc(n, sizeof *run->bases)) == NULL ||
	    buf_puts(&b, bx_prelude) != 0 || buf_puts(&b, "x=") != 0 ||
	    put_q(&b, bx_pull_each) || buf_puts(&b, "\n") != 0;
	for (i = 0; !bad && i < n; i++, run->npaths++) {
		if ((run->bases[i] = xfer_basename(paths[i])) == NULL) {
			/* "/", "..": nothing to name the copy after */
			bad |= buf_puts(&b, "fail ") != 0 ||
			    put_q(&b, paths[i]) ||
			    buf_puts(&b, "': no name to save it under'\n") !=
			    0;
			continue;
		}
		if ((p = strdup(paths[i])) == NULL) {
			bad = 1;
			break;
		}
		/* find prints "dir/a" for "dir/": no slash to strip twice */
		for (len = strlen(p); len > 1 && p[len - 1] == '/'; len--)
			p[len - 1] = '\0';
		bad |= buf_puts(&b, "p=") != 0 || put_q(&b, p);
		free(p);
		bad |= buf_printf(&b, "\nif [ -d \"$p\" ]; then\n"
		    "\t[ %d = 1 ] || fail \"$p: a directory (use -r)\"\n"
		    "\tfind -H \"$p\" -type f -exec sh -c \"$x\" sh %zu \"$p\" "
		    "{} + || fail \"$p: listing failed\"\n"
		    "elif [ -f \"$p\" ]; then\n"
		    "\tsh -c \"$x\" sh %zu \"$p\" \"$p\" || fail \"read $p "
		    "failed\"\n"
		    "else\n"
		    "\tfail \"$p: no such file, or not a regular file\"\n"
		    "fi\n", o->recursive != 0, i, i) != 0;
	}
	if (bad) {
		buf_release(&b);
		bx_run_free(run);
		return DROVE_E_NOMEM;
	}
	run->script = buf_steal(&b, NULL);
	*out = run;
	return 0;
}

static void	bx_fail(struct bx_job *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Note the first local failure. */
static void
bx_fail(struct bx_job *x, const char *fmt, ...)
{
	va_list ap;

	if (x->msg[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
}

/* Whether a name from a listing is safe components joined by '/'. */
static int
rel_ok(const char *name)
{
	const char *c = name, *slash;
	char part[256];
	size_t len;

	while (*name != '\0') {
		slash = strchr(c, '/');
		len = slash != NULL ? (size_t)(slash - c) : strlen(c);
		if (len == 0 || len >= sizeof part)
			return 0;
		memcpy(part, c, len);
		part[len] = '\0';
		if (!xfer_name_ok(part))
			return 0;
		if (slash == NULL)
			break;
		c = slash + 1;
	}
	return 1;
}

/* Pull: start the local temporary file for the name in x->line; 0, or
 * DROVE_AGAIN while it is made. */
static int
bx_open(struct bx_job *x, struct sess *s)
{
	struct bx_run *run = x->run;
	const char *name = x->line.data;
	struct buf rel;
	int bad, rc = 0;

	if (x->top >= run->npaths) {
		bx_fail(x, "a bad listing");
		return 0;
	}
	if (!rel_ok(name)) {
		bx_fail(x, "refused name '%s' in the listing", name);
		return 0;
	}
	buf_init(&rel);
	switch (run->layout) {
	case DROVE_PULL_FLAT_SUFFIX:
		bad = buf_printf(&rel, "%s.%s", run->bases[x->top], x->host);
		break;
	case DROVE_PULL_FLAT_PREFIX:
		bad = buf_printf(&rel, "%s.%s", x->host, run->bases[x->top]);
		break;
	default:
		bad = buf_printf(&rel, "%s/%s", x->host, run->bases[x->top]);
		break;
	}
	if (*name != '\0')
		bad |= buf_printf(&rel, "/%s", name);
	if (bad || (rc = lfile_open(&x->lf, s, run->localdir, rel.data)) ==
	    DROVE_E_NOMEM) {
		bx_fail(x, "out of memory");
		rc = 0;
	}
	x->ph = BX_OPEN;
	buf_release(&rel);
	return rc;
}

/* Keep text for the message (what a pty mixed into stdout). */
static void
bx_keep(struct bx_job *x, const char *p, size_t n)
{
	size_t k = x->err.len < BX_KEEP ? BX_KEEP - x->err.len : 0;

	buf_append(&x->err, p, n < k ? n : k);
}

/* Pull: take a header line; another line is a message (on a pty stderr
 * comes this way). */
static void
bx_head(struct bx_job *x)
{
	unsigned long long size;
	long long mtime;
	unsigned int mode;
	size_t top;
	int end = 0;

	if (strncmp(x->line.data, "drove-file ", 11) != 0) {
		bx_keep(x, x->line.data, x->line.len);
		bx_keep(x, "\n", 1);
		return;
	}
	if (sscanf(x->line.data, "drove-file %llu %lld %o %zu%n", &size,
	    &mtime, &mode, &top, &end) != 4 || x->line.data[end] != '\0') {
		bx_fail(x, "a bad listing (a file changed while it was "
		    "read?)");
		return;
	}
	x->left = size;
	x->mtime = mtime;
	x->mode = mode;
	x->top = top;
	x->ph = BX_NAME;
}

/* Pull: take a header line or a name from x->in at *pos, or the start
 * of one; 0, or DROVE_AGAIN while the name's file is made. */
static int
bx_line(struct bx_job *x, struct sess *s, size_t *pos)
{
	const char *p = x->in.data + *pos;
	size_t n = x->in.len - *pos, k;
	char stop = x->ph == BX_HEAD ? '\n' : '\0';
	int rc = 0;

	for (k = 0; k < n && p[k] != stop; k++)
		;
	if (x->line.len + k > BX_LINE || buf_append(&x->line, p, k) != 0) {
		bx_fail(x, "a bad listing");
		return 0;
	}
	*pos += k < n ? k + 1 : k;
	if (k == n)
		return 0;
	if (x->ph == BX_HEAD)
		bx_head(x);
	else
		rc = bx_open(x, s);
	buf_consume(&x->line, x->line.len);
	return rc;
}

/* Pull: the body's bytes in x->in at *pos into the file's buffer, and
 * the write when it is full or the body ends; then the rename.  0, or
 * DROVE_AGAIN while that work runs; 1 when x->in is all taken. */
static int
bx_body(struct bx_job *x, struct sess *s, size_t *pos)
{
	struct lfile *lf = &x->lf;
	size_t k = x->in.len - *pos;

	if (k > x->left)
		k = (size_t)x->left;
	if (k > BX_BUF - lf->len)
		k = BX_BUF - lf->len;
	if (k > 0) {
		memcpy(lf->buf + lf->len, x->in.data + *pos, k);
		lf->len += k;
		*pos += k;
		x->left -= k;
		x->r->xfer_bytes += k;
		__atomic_add_fetch(x->done, k, __ATOMIC_RELAXED);
	}
	if (lf->len == BX_BUF || (x->left == 0 && lf->len > 0))
		return lfile_write(lf, s);
	if (x->left > 0)
		return 1;
	x->ph = BX_FINISH;
	return lfile_finish(lf, s, x->mode, x->run->preserve,
	    (time_t)x->mtime, (time_t)x->mtime);
}

/*
 * Pull: take what the script printed (x->in), as far as the local work
 * allows: 0 once all of it is taken (or dropped after a failure),
 * DROVE_AGAIN while local work runs (the rest waits in x->in), or
 * DROVE_E_NOMEM.
 */
static int
bx_pull_go(struct bx_job *x, struct sess *s)
{
	struct lfile *lf = &x->lf;
	size_t pos = 0;
	int rc = 0;

	while (rc == 0 && x->msg[0] == '\0') {
		if (lfile_busy(lf)) {
			rc = DROVE_AGAIN;
			break;
		}
		switch (x->ph) {
		case BX_HEAD:
		case BX_NAME:
			if (pos == x->in.len)
				rc = 1;
			else
				rc = bx_line(x, s, &pos);
			break;
		case BX_OPEN:
			if (lfile_answer(lf, LFILE_OPEN) < 0)
				bx_fail(x, "%s", lf->msg);
			else if (lf->buf == NULL &&
			    (lf->buf = malloc(BX_BUF)) == NULL)
				rc = DROVE_E_NOMEM;
			x->ph = BX_BODY;
			break;
		case BX_BODY:
			if (lfile_answer(lf, LFILE_WRITE) < 0)
				bx_fail(x, "%s", lf->msg);
			else
				rc = bx_body(x, s, &pos);
			break;
		case BX_FINISH:
			if (lfile_answer(lf, LFILE_FINISH) < 0)
				bx_fail(x, "%s", lf->msg);
			else {
				x->r->files++;
				x->r->changed = 1;
			}
			x->ph = BX_HEAD;
			break;
		}
	}
	if (x->msg[0] != '\0') {
		pos = x->in.len;	/* the rest is read and dropped */
		if (!lfile_busy(lf))
			lfile_drop(lf, s);
	}
	buf_consume(&x->in, pos);
	return rc == 1 ? 0 : rc;
}

/* Push: a line of stdout. */
static void
bx_push_line(struct bx_job *x)
{
	unsigned long long n;

	if (sscanf(x->line.data, "drove-changed %llu", &n) == 1) {
		x->r->files++;
		x->r->changed = 1;
		x->r->xfer_bytes += n;
		__atomic_add_fetch(x->done, n, __ATOMIC_RELAXED);
	} else if (strcmp(x->line.data, "drove-unchanged") == 0)
		x->r->files_same++;
	else {
		bx_keep(x, x->line.data, x->line.len);
		bx_keep(x, "\n", 1);
	}
}

/* The script's output (job_output_fn). */
static void
bx_output(void *arg, int stream, const char *p, size_t n)
{
	struct bx_job *x = arg;
	const char *nl;
	size_t k;

	if (stream != 0) {
		bx_keep(x, p, n);
		return;
	}
	if (x->run->pull) {
		if (x->msg[0] == '\0' && buf_append(&x->in, p, n) != 0)
			bx_fail(x, "out of memory");
		return;
	}
	while (n > 0) {
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) : n;
		if (x->line.len + k <= BX_LINE)
			buf_append(&x->line, p, k);
		if (nl == NULL)
			return;
		bx_push_line(x);
		buf_consume(&x->line, x->line.len);
		p += k + 1;
		n -= k + 1;
	}
}

/* The last line of what the script said on stderr, into msg. */
static void
bx_why(struct bx_job *x, char *msg, size_t size)
{
	const char *end = x->err.data + x->err.len, *start;

	while (end > x->err.data && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	for (start = end; start > x->err.data && start[-1] != '\n'; start--)
		;
	if (end > start)
		snprintf(msg, size, "%.*s", (int)(end - start), start);
	else
		snprintf(msg, size, "the script as the become user failed");
}

/* Run the script; then settle the host's result. */
static int
bx_step(struct job *j, struct sess *s)
{
	struct bx_job *x = (struct bx_job *)j;
	int rc, lrc;

	/* the script's output is read once all it printed is taken */
	if (x->run->pull && (rc = bx_pull_go(x, s)) != 0)
		return rc;
	rc = x->ex->ops->step(x->ex, s);
	if (x->run->pull && (lrc = bx_pull_go(x, s)) != 0 &&
	    lrc != DROVE_AGAIN)
		return lrc;
	if (rc != 0)
		return rc;
	if (lfile_busy(&x->lf))
		return DROVE_AGAIN;	/* the session is woken when done */
	if (x->lf.fd != -1) {
		lfile_drop(&x->lf, s);
		bx_fail(x, "%s: the listing ended early", x->lf.path.data);
	}
	if (x->msg[0] != '\0') {
		snprintf(s->err.msg, sizeof s->err.msg, "%s", x->msg);
		s->exit_code = 1;
	} else if (s->exit_code != 0 || s->signal[0] != '\0') {
		bx_why(x, s->err.msg, sizeof s->err.msg);
		s->exit_code = 1;
		s->signal[0] = '\0';
	}
	return 0;
}

/* Whether libssh2 holds the script's output (not while local work
 * runs). */
static int
bx_hidden_input(struct job *j)
{
	struct bx_job *x = (struct bx_job *)j;

	return !lfile_busy(&x->lf) && x->ex->ops->hidden_input(x->ex);
}

/* Whether the job waits for its local work: the socket must not wake it. */
static int
bx_local_wait(struct job *j)
{
	return lfile_busy(&((struct bx_job *)j)->lf);
}

static int
bx_idle(struct job *j)
{
	struct bx_job *x = (struct bx_job *)j;

	return x->ex->ops->idle(x->ex);
}

/* Free the job and its exec job; a local temporary file goes too (work
 * in flight removes it when done). */
static void
bx_free(struct job *j, int abort)
{
	struct bx_job *x = (struct bx_job *)j;

	if (x == NULL)
		return;
	x->ex->ops->free(x->ex, abort);
	lfile_release(&x->lf);
	buf_release(&x->in);
	buf_release(&x->line);
	buf_release(&x->err);
	free(x->host);
	free(x);
}

static const struct job_ops bx_ops = {
	.step = bx_step,
	.hidden_input = bx_hidden_input,
	.local_wait = bx_local_wait,
	.idle = bx_idle,
	.free = bx_free,
};

/* Make host's job. */
struct job *
bx_job_new(struct bx_run *run, struct drove_result *r, const char *name,
    struct become *b, uint64_t *done)
{
	struct bx_job *x;

	if ((x = calloc(1, sizeof *x)) == NULL) {
		become_free(b);
		return NULL;
	}
	x->job.ops = &bx_ops;
	x->run = run;
	x->r = r;
	x->done = done;
	lfile_init(&x->lf);
	buf_init(&x->in);
	buf_init(&x->line);
	buf_init(&x->err);
	if ((x->ex = exec_job_become(run->script, run->pull ? NULL :
	    &run->feed, b)) == NULL) {
		free(x);
		return NULL;
	}
	if ((x->host = xfer_host_file(name)) == NULL) {
		x->ex->ops->free(x->ex, 1);
		free(x);
		return NULL;
	}
	exec_job_output(x->ex, bx_output, x);
	return &x->job;
}
