/*
 * lfile.c: the local side of a pulled file, done off the loop (lfile.h).
 */
#define _GNU_SOURCE		/* mkostemp */
#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/fwriter.h"
#include "base/log.h"
#include "engine/sess.h"
#include "jobs/lfile.h"
#include "jobs/xfer.h"

/* A piece of work, with copies of what it needs: the file may be given
 * up (lfile_release()) while it runs. */
struct lfile_op {
	int			 kind;
	struct lfile		*lf;		/* NULL: given up (touched on
						   the loop only) */
	struct loop		*loop;
	int			 posted;	/* answers by loop_post() */
	int			 fd;
	int			 nofd;		/* LFILE_OPEN: out of them, the
						   errno (EMFILE, ENFILE) */
	char			*root;		/* LFILE_OPEN */
	char			*dir;
	char			*tmp;		/* the temporary file */
	char			*path;		/* LFILE_FINISH: the target */
	char			*buf;		/* LFILE_WRITE */
	size_t			 len;
	unsigned int		 mode;		/* LFILE_FINISH */
	int			 times;
	time_t			 atime, mtime;
	char			 msg[512];	/* why it failed, or "" */
};

static void	lfile_fd_retry(struct loop *, void *);

/* Set up an empty file. */
void
lfile_init(struct lfile *lf)
{
	memset(lf, 0, sizeof *lf);
	lf->fd = -1;
	buf_init(&lf->tmp);
	buf_init(&lf->path);
	loop_timer_init(&lf->fd_wait, lfile_fd_retry, lf);
}

/* Write all of buf to fd. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Free a piece of work. */
static void
op_free(struct lfile_op *op)
{
	free(op->root);
	free(op->dir);
	free(op->tmp);
	free(op->path);
	free(op->buf);
	free(op);
}

static void	op_done(struct loop *, void *);

/* Do the work, on a writer thread (or the loop's, without one). */
static void
op_run(void *arg)
{
	struct lfile_op *op = arg;
	struct timeval tv[2];
	struct drove_err e;

	switch (op->kind) {
	case LFILE_OPEN:
		err_clear(&e);
		if (xfer_local_mkdirs(op->root, op->dir, &e) != 0)
			snprintf(op->msg, sizeof op->msg, "%s", e.msg);
		else if ((op->fd = mkostemp(op->tmp, O_CLOEXEC)) != -1)
			break;
		else if (errno == EMFILE || errno == ENFILE)
			op->nofd = errno;
		else
			snprintf(op->msg, sizeof op->msg, "create %s: %s",
			    op->tmp, strerror(errno));
		break;
	case LFILE_WRITE:
		if (write_all(op->fd, op->buf, op->len) != 0)
			snprintf(op->msg, sizeof op->msg, "write %s: %s",
			    op->tmp, strerror(errno));
		break;
	case LFILE_FINISH:
		fchmod(op->fd, (mode_t)(op->mode & 0777));
		if (op->times) {
			tv[0].tv_sec = op->atime;
			tv[1].tv_sec = op->mtime;
			tv[0].tv_usec = tv[1].tv_usec = 0;
			futimes(op->fd, tv);
		}
		if (close(op->fd) != 0 || rename(op->tmp, op->path) != 0) {
			snprintf(op->msg, sizeof op->msg, "rename %s: %s",
			    op->tmp, strerror(errno));
			unlink(op->tmp);
		}
		op->fd = -1;
		break;
	case LFILE_DROP:
		close(op->fd);
		unlink(op->tmp);
		op_free(op);
		return;
	}
	/* a post lost to a failed malloc would leave the job waiting for
	 * ever: try again */
	while (op->posted && loop_post(op->loop, op_done, op) != 0)
		usleep(1000);
}

/* Hand the answer of the work to its file, and free the work; 1 when the
 * file waits LFILE_FD_WAIT_MS for a descriptor instead. */
static int
op_answer(struct lfile_op *op)
{
	struct lfile *lf = op->lf;
	int wait = 0;

	lf->op = NULL;
	if (op->nofd && loop_timer_start(op->loop, &lf->fd_wait,
	    LFILE_FD_WAIT_MS) == 0)
		wait = 1;
	else if (op->nofd)
		snprintf(op->msg, sizeof op->msg, "create %s: %s", op->tmp,
		    strerror(op->nofd));
	if (wait) {
		LOG("%s: create %s: %s; waiting for a descriptor",
		    lf->s->name, op->tmp, strerror(op->nofd));
		op_free(op);
		return 1;
	}
	lf->answered = op->kind;
	snprintf(lf->msg, sizeof lf->msg, "%s", op->msg);
	switch (op->kind) {
	case LFILE_OPEN:
		lf->fd = op->fd;
		memcpy(lf->tmp.data, op->tmp, lf->tmp.len);
		break;
	case LFILE_WRITE:
		lf->buf = op->buf;
		op->buf = NULL;
		lf->len = 0;
		break;
	}
	op_free(op);
	return 0;
}

static int	lfile_start(struct lfile *, struct sess *, int kind);

/* On the loop: the work is done.  A file given up meanwhile left its
 * temporary file to it. */
static void
op_done(struct loop *l, void *arg)
{
	struct lfile_op *op = arg;
	struct lfile *lf = op->lf;

	(void)l;
	if (lf == NULL) {
		if (op->fd != -1) {
			close(op->fd);
			unlink(op->tmp);
		}
		op_free(op);
		return;
	}
	if (op_answer(op) == 0)
		sess_wake(lf->s);	/* else lfile_fd_retry() goes on */
}

/* On the loop: time to try the temporary file again. */
static void
lfile_fd_retry(struct loop *l, void *arg)
{
	struct lfile *lf = arg;

	(void)l;
	if (lfile_start(lf, lf->s, LFILE_OPEN) != DROVE_AGAIN)
		sess_wake(lf->s);
}

/* A piece of work kind on the file, with copies of what it needs; NULL
 * when out of memory. */
static struct lfile_op *
op_new(struct lfile *lf, int kind)
{
	struct lfile_op *op;

	if ((op = calloc(1, sizeof *op)) == NULL ||
	    (op->tmp = strdup(lf->tmp.data)) == NULL ||
	    (kind == LFILE_OPEN && ((op->root = strdup(lf->root)) == NULL ||
	    (op->dir = strdup(lf->dir)) == NULL)) ||
	    (kind == LFILE_FINISH && (op->path = strdup(lf->path.data)) ==
	    NULL)) {
		if (op != NULL)
			op_free(op);
		return NULL;
	}
	op->kind = kind;
	op->lf = kind == LFILE_DROP ? NULL : lf;
	op->fd = lf->fd;
	return op;
}

/* Run op for the file (see lfile.h); LFILE_DROP is unanswered.  op NULL:
 * out of memory, which is the answer too (a retry's waiter is woken). */
static int
op_go(struct lfile *lf, struct sess *s, struct lfile_op *op, int kind)
{
	lf->s = s;
	if (op == NULL) {
		if (kind != LFILE_DROP) {
			lf->answered = kind;
			snprintf(lf->msg, sizeof lf->msg, "out of memory");
		}
		return DROVE_E_NOMEM;
	}
	op->loop = s->cfg->loop;
	if (kind == LFILE_WRITE) {
		op->buf = lf->buf;
		op->len = lf->len;
		lf->buf = NULL;
	}
	if (kind == LFILE_FINISH || kind == LFILE_DROP)
		lf->fd = -1;
	op->posted = kind != LFILE_DROP;
	if (s->cfg->writer != NULL &&
	    fw_call(s->cfg->writer, op_run, op) == 0) {
		if (kind == LFILE_DROP)
			return 0;
		lf->op = op;
		return DROVE_AGAIN;
	}
	op->posted = 0;
	op_run(op);
	if (kind == LFILE_DROP)
		return 0;
	lf->op = op;
	return op_answer(op) != 0 ? DROVE_AGAIN : 0;
}

/* Start work kind on the file. */
static int
lfile_start(struct lfile *lf, struct sess *s, int kind)
{
	return op_go(lf, s, op_new(lf, kind), kind);
}

/* Start making the directories and the temporary file of root/rel. */
int
lfile_open(struct lfile *lf, struct sess *s, const char *root,
    const char *rel)
{
	const char *slash = strrchr(rel, '/');

	free(lf->root);
	free(lf->dir);
	buf_consume(&lf->path, lf->path.len);
	buf_consume(&lf->tmp, lf->tmp.len);
	if ((lf->root = strdup(root)) == NULL ||
	    (lf->dir = strndup(rel, slash != NULL ?
	    (size_t)(slash - rel) : 0)) == NULL ||
	    buf_printf(&lf->path, "%s/%s", root, rel) != 0 ||
	    buf_printf(&lf->tmp, "%s/%.*s.%s.drove-XXXXXX", root,
	    slash != NULL ? (int)(slash - rel + 1) : 0, rel,
	    slash != NULL ? slash + 1 : rel) != 0)
		return DROVE_E_NOMEM;
	return lfile_start(lf, s, LFILE_OPEN);
}

/* Start writing lf->buf. */
int
lfile_write(struct lfile *lf, struct sess *s)
{
	return lfile_start(lf, s, LFILE_WRITE);
}

/* Start setting the mode and times, and the rename. */
int
lfile_finish(struct lfile *lf, struct sess *s, unsigned int mode,
    int times, time_t atime, time_t mtime)
{
	struct lfile_op *op = op_new(lf, LFILE_FINISH);

	if (op != NULL) {
		op->mode = mode;
		op->times = times;
		op->atime = atime;
		op->mtime = mtime;
	}
	return op_go(lf, s, op, LFILE_FINISH);
}

/* Remove the temporary file, if any. */
void
lfile_drop(struct lfile *lf, struct sess *s)
{
	if (lf->fd != -1 && lfile_start(lf, s, LFILE_DROP) != 0) {
		close(lf->fd);		/* no memory: here, then */
		lf->fd = -1;
		unlink(lf->tmp.data);
	}
}

/* Whether work is in flight or waits for a descriptor. */
int
lfile_busy(const struct lfile *lf)
{
	return lf->op != NULL || loop_timer_active(&lf->fd_wait);
}

/* The answer to work kind. */
int
lfile_answer(struct lfile *lf, int kind)
{
	if (lf->answered != kind)
		return 1;
	lf->answered = LFILE_NONE;
	return lf->msg[0] != '\0' ? -1 : 0;
}

/* Give up the file. */
void
lfile_release(struct lfile *lf)
{
	if (lf->s != NULL)
		loop_timer_stop(lf->s->cfg->loop, &lf->fd_wait);
	if (lf->op != NULL) {
		lf->op->lf = NULL;	/* it removes the file when done */
		lf->op = NULL;
		lf->fd = -1;
	} else if (lf->s != NULL)
		lfile_drop(lf, lf->s);
	buf_release(&lf->tmp);
	buf_release(&lf->path);
	free(lf->root);
	free(lf->dir);
	free(lf->buf);
}
