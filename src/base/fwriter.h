/*
 * fwriter.h: threads that write files off the caller's thread (a loop),
 * so that a slow disk never stalls it.
 *
 * The per-host files of -o were opened, written and closed for each
 * chunk of output inside the event callback, on a loop thread, and so were
 * the files a pull fetches: a slow disk stalled every host.  fw_write()
 * copies the bytes into a queue and returns; a writer thread opens, writes
 * and closes the file.  fw_call() queues any function (a pull's create,
 * write or rename), which says itself when it is done (loop_post()).
 * When more than FW_QUEUE_MAX bytes of fw_write() wait, fw_write() waits
 * for the disk (the output must go somewhere).
 *
 * With one thread, items run in the order they were queued (a sink's
 * appends to one file); with more, an item waits only for a free thread,
 * so a caller that needs an order queues its next item once the one before
 * is done.
 *
 * Thread rules: one caller thread at a time, the writers their own.
 * Ownership: fw_free() runs what is queued, then frees.
 */
#ifndef FWRITER_H
#define FWRITER_H

#include <stddef.h>

#define FW_QUEUE_MAX	((size_t)16 * 1024 * 1024)

struct fwriter;

/* Run on a writer thread. */
typedef void	fw_call_cb(void *arg);

/* A writer with nthreads threads (at least 1); NULL when out of memory
 * or threads. */
struct fwriter	*fw_new(unsigned int nthreads);
/* Queue len bytes of data for path, opened with O_WRONLY | O_CLOEXEC |
 * flags (mode 0666); 0 or DROVE_E_NOMEM. */
int		 fw_write(struct fwriter *, const char *path, int flags,
		    const void *data, size_t len);
/* Queue fn(arg); 0 or DROVE_E_NOMEM. */
int		 fw_call(struct fwriter *, fw_call_cb *fn, void *arg);
/* Wait until every queued item is done: 0, or DROVE_E_IO when a write
 * failed since the last call. */
int		 fw_sync(struct fwriter *);
void		 fw_free(struct fwriter *);	/* NULL-safe */

#endif /* FWRITER_H */
