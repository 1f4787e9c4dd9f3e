/*
 * fwriter.c: threads that write files off the loops (fwriter.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drove.h"
#include "base/fwriter.h"

/* One queued write, or call. */
struct fw_item {
	struct fw_item	*next;
	fw_call_cb	*fn;		/* a call: fn(arg) */
	void		*arg;
	int		 flags;
	size_t		 len;
	char		*path;
	char		 data[];
};

struct fwriter {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;		/* queued, or room, or idle */
	pthread_t	*threads;
	unsigned int	 nthreads;
	struct fw_item	*head, **tail;
	size_t		 queued;	/* bytes waiting */
	unsigned int	 busy;		/* threads holding an item */
	int		 stop;
	int		 failed;	/* a write failed since fw_sync() */
};

/* Run a call, or open path, write data and close; 0 or -1. */
static int
fw_do(const struct fw_item *it)
{
	const char *p = it->data;
	size_t len = it->len;
	ssize_t n;
	int fd, r = 0;

	if (it->fn != NULL) {
		it->fn(it->arg);
		return 0;
	}
	if ((fd = open(it->path, O_WRONLY | O_CLOEXEC | it->flags,
	    0666)) == -1)
		return -1;
	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			r = -1;
			break;
		}
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) == -1)
		r = -1;
	return r;
}

/* The writer thread: write the queue in order until stopped and empty. */
static void *
fw_thread(void *arg)
{
	struct fwriter *w = arg;
	struct fw_item *it;
	int r;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == NULL && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if ((it = w->head) == NULL)
			break;
		if ((w->head = it->next) == NULL)
			w->tail = &w->head;
		w->busy++;
		pthread_mutex_unlock(&w->lock);
		r = fw_do(it);
		pthread_mutex_lock(&w->lock);
		w->busy--;
		w->queued -= it->len;
		if (r != 0)
			w->failed = 1;
		free(it);
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

/* Make a writer and start its threads. */
struct fwriter *
fw_new(unsigned int nthreads)
{
	struct fwriter *w;

	if ((w = calloc(1, sizeof *w)) == NULL)
		return NULL;
	if ((w->threads = calloc(nthreads > 0 ? nthreads : 1,
	    sizeof *w->threads)) == NULL) {
		free(w);
		return NULL;
	}
	w->tail = &w->head;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	do {
		if (pthread_create(&w->threads[w->nthreads], NULL, fw_thread,
		    w) != 0)
			break;
	} while (++w->nthreads < nthreads);
	if (w->nthreads == 0) {
		fw_free(w);
		return NULL;
	}
	return w;
}

/* Append it to the queue (the lock held). */
static void
fw_queue(struct fwriter *w, struct fw_item *it)
{
	*w->tail = it;
	w->tail = &it->next;
	w->queued += it->len;
	pthread_cond_broadcast(&w->cond);
}

/* Queue a call of fn(arg). */
int
fw_call(struct fwriter *w, fw_call_cb *fn, void *arg)
{
	struct fw_item *it;

	if ((it = calloc(1, sizeof *it)) == NULL)
		return DROVE_E_NOMEM;
	it->fn = fn;
	it->arg = arg;
	pthread_mutex_lock(&w->lock);
	fw_queue(w, it);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

/* Queue a write of data to path. */
int
fw_write(struct fwriter *w, const char *path, int flags, const void *data,
    size_t len)
{
	struct fw_item *it;
	size_t plen = strlen(path) + 1;

	if ((it = malloc(sizeof *it + len + plen)) == NULL)
		return DROVE_E_NOMEM;
	it->next = NULL;
	it->fn = NULL;
	it->flags = flags;
	it->len = len;
	if (len > 0)
		memcpy(it->data, data, len);
	it->path = it->data + len;
	memcpy(it->path, path, plen);
	pthread_mutex_lock(&w->lock);
	while (w->queued > FW_QUEUE_MAX)
		pthread_cond_wait(&w->cond, &w->lock);
	fw_queue(w, it);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

/* Wait for the queue to be written. */
int
fw_sync(struct fwriter *w)
{
	int failed;

	pthread_mutex_lock(&w->lock);
	while (w->head != NULL || w->busy)
		pthread_cond_wait(&w->cond, &w->lock);
	failed = w->failed;
	w->failed = 0;
	pthread_mutex_unlock(&w->lock);
	return failed ? DROVE_E_IO : 0;
}

/* Run what is queued, stop the threads and free. */
void
fw_free(struct fwriter *w)
{
	unsigned int i;

	if (w == NULL)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = 1;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	free(w->threads);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
