/*
 * lfile.h: the local side of a pulled file, done off the loop.
 *
 * A pull (over SFTP, or through a script run as the become user) makes
 * the directories of a file and a temporary file beside it, writes the
 * bytes, sets the mode (and times) and renames it into place.  Each of
 * those pieces runs on the loop's writer threads (the session's
 * cfg->writer), so that a slow disk never stalls the loop; without them
 * (the blocking client) it runs at once.  One piece at a time per file:
 * the job starts one, waits unwatched (lfile_busy()) until the writer
 * wakes its session, and takes the answer (lfile_answer()).  A file
 * counts as changed only once its rename was done.
 *
 * Out of descriptors (EMFILE, ENFILE) when the temporary file is
 * created, the file waits LFILE_FD_WAIT_MS for other files to be closed
 * and tries again, as a connect does: the host waits, it does not fail.
 *
 * Thread rules: the loop thread of the session only.
 * Ownership: the job embeds the lfile; lfile_release() hands work in
 * flight the temporary file, which that work removes when it is done.
 */
#ifndef LFILE_H
#define LFILE_H

#include <stddef.h>
#include <time.h>

#include "base/buf.h"
#include "engine/loop.h"

#define LFILE_FD_WAIT_MS	50	/* out of descriptors: try again */

/* Pieces of work, and what lfile_answer() is asked about. */
enum { LFILE_NONE, LFILE_OPEN, LFILE_WRITE, LFILE_FINISH, LFILE_DROP };

struct sess;
struct lfile_op;

struct lfile {
	struct sess		*s;		/* woken when work is done */
	struct lfile_op		*op;		/* work in flight, or NULL */
	struct loop_timer	 fd_wait;	/* out of descriptors */
	int			 answered;	/* LFILE_*: its answer is in */
	int			 fd;		/* the temporary file, or -1 */
	struct buf		 tmp;		/* its name */
	struct buf		 path;		/* the target */
	char			*root;		/* where the directories go */
	char			*dir;		/* made under root */
	char			*buf;		/* bytes for lfile_write() */
	size_t			 len;
	char			 msg[512];	/* why the work failed, or "" */
};

void	lfile_init(struct lfile *);
/* Give up the file: work in flight removes it when done, else it is
 * removed off the loop. */
void	lfile_release(struct lfile *);

/*
 * Start a piece of work for s's job: 0 when it was done at once (its
 * answer is in), DROVE_AGAIN while it runs (the session is woken when it
 * is done), or DROVE_E_NOMEM.  lfile_open() makes root and the
 * directories of rel under it, and a temporary file beside root/rel;
 * lfile_write() writes buf's len bytes (buf comes back empty with the
 * answer); lfile_finish() sets the mode (and with times, the access and
 * modification times), closes and renames the file into place.
 */
int	lfile_open(struct lfile *, struct sess *, const char *root,
	    const char *rel);
int	lfile_write(struct lfile *, struct sess *);
int	lfile_finish(struct lfile *, struct sess *, unsigned int mode,
	    int times, time_t atime, time_t mtime);
/* Remove the temporary file, if any (off the loop, unanswered). */
void	lfile_drop(struct lfile *, struct sess *);

/* Whether work is in flight or waits for a descriptor. */
int	lfile_busy(const struct lfile *);
/* The answer to work kind: 1 when it is not in, 0 when the work was
 * done, -1 when it failed (why in msg). */
int	lfile_answer(struct lfile *, int kind);

#endif /* LFILE_H */
