/*
 * fwriter.h: a thread that writes files for the sinks, off the caller's
 * thread.
 *
 * The per-host files of -o were opened, written and closed for each
 * chunk of output inside the event callback, on a loop thread: a slow
 * disk stalled every host.  fw_write() copies the bytes into a queue and
 * returns; the writer thread opens, writes and closes each file in the
 * order the writes were queued.  When more than FW_QUEUE_MAX bytes wait,
 * fw_write() waits for the disk (the output must go somewhere).
 *
 * Thread rules: one caller thread at a time (the sink's), the writer its
 * own.  Ownership: fw_free() writes what is queued, then frees.
 */
#ifndef FWRITER_H
#define FWRITER_H

#include <stddef.h>

#define FW_QUEUE_MAX	((size_t)16 * 1024 * 1024)

struct fwriter;

/* A writer with its thread; NULL when out of memory or threads. */
struct fwriter	*fw_new(void);
/* Queue len bytes of data for path, opened with O_WRONLY | O_CLOEXEC |
 * flags (mode 0666); 0 or DROVE_E_NOMEM. */
int		 fw_write(struct fwriter *, const char *path, int flags,
		    const void *data, size_t len);
/* Wait until every queued write is done: 0, or DROVE_E_IO when one
 * failed since the last call. */
int		 fw_sync(struct fwriter *);
void		 fw_free(struct fwriter *);	/* NULL-safe */

#endif /* FWRITER_H */
