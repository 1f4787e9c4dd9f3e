/*
 * resolve.c: a getaddrinfo thread pool that reports to the loop.
 *
 * Requests wait in a FIFO; up to max_threads workers are started on demand.
 * A worker resolves one request and posts it to the loop, where the callback
 * runs unless the request was cancelled meanwhile.  Numeric hosts skip the
 * pool: they are resolved with AI_NUMERICHOST and posted as a loop task.
 */
#include <sys/socket.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drove.h"
#include "engine/resolve.h"

struct resolve_req {
	struct resolve_req	*next;
	struct resolver		*r;
	char			*host;
	char			 port[8];
	resolve_cb		*cb;
	void			*arg;
	int			 cancelled;
	struct addrinfo		*ai;
	int			 gai_err;
	struct loop_task	 task;
};

struct resolver {
	struct loop		*loop;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	struct resolve_req	*head;
	struct resolve_req     **tail;
	pthread_t		*threads;
	unsigned int		 nthreads;
	unsigned int		 max_threads;
	unsigned int		 idle;
	int			 stopping;
};

/* Make a resolver with no threads yet. */
struct resolver *
resolve_new(struct loop *loop, unsigned int max_threads)
{
	struct resolver *r;

	if ((r = calloc(1, sizeof *r)) == NULL)
		return NULL;
	if (max_threads == 0)
		max_threads = 1;
	if ((r->threads = calloc(max_threads, sizeof *r->threads)) == NULL) {
		free(r);
		return NULL;
	}
	r->loop = loop;
	r->max_threads = max_threads;
	r->tail = &r->head;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	return r;
}

/* Free a request and its result. */
static void
req_free(struct resolve_req *q)
{
	if (q->ai != NULL)
		freeaddrinfo(q->ai);
	free(q->host);
	free(q);
}

/* On the loop thread: hand the result over unless cancelled. */
static void
req_deliver(struct loop *l, void *arg)
{
	struct resolve_req *q = arg;
	struct addrinfo *ai = q->ai;

	(void)l;
	if (!q->cancelled) {
		q->ai = NULL;
		q->cb(q->arg, ai, q->gai_err);
	}
	req_free(q);
}

/* Ask getaddrinfo for host:port with extra flags. */
static void
req_resolve(struct resolve_req *q, int flags)
{
	struct addrinfo hints;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_ADDRCONFIG | flags;
	q->gai_err = getaddrinfo(q->host, q->port, &hints, &q->ai);
	if (q->gai_err == EAI_BADFLAGS || (q->gai_err != 0 &&
	    (flags & AI_NUMERICHOST) == 0 && q->gai_err == EAI_NONAME)) {
		hints.ai_flags &= ~AI_ADDRCONFIG;
		q->gai_err = getaddrinfo(q->host, q->port, &hints, &q->ai);
	}
}

/* A worker: resolve queued requests until told to stop. */
static void *
worker(void *arg)
{
	struct resolver *r = arg;
	struct resolve_req *q;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		while (r->head == NULL && !r->stopping) {
			r->idle++;
			pthread_cond_wait(&r->cond, &r->lock);
			r->idle--;
		}
		if (r->stopping)
			break;
		q = r->head;
		if ((r->head = q->next) == NULL)
			r->tail = &r->head;
		pthread_mutex_unlock(&r->lock);
		req_resolve(q, 0);
		if (loop_post(r->loop, req_deliver, q) != 0)
			req_free(q);
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* Queue a request for the pool, starting a worker when none is idle. */
static int
pool_submit(struct resolver *r, struct resolve_req *q)
{
	int rc = 0;

	pthread_mutex_lock(&r->lock);
	*r->tail = q;
	r->tail = &q->next;
	if (r->idle == 0 && r->nthreads < r->max_threads) {
		if (pthread_create(&r->threads[r->nthreads], NULL, worker,
		    r) == 0)
			r->nthreads++;
		else if (r->nthreads == 0)
			rc = DROVE_E_INTERNAL;
	}
	pthread_cond_signal(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

/* Start resolving host:port. */
int
resolve_start(struct resolver *r, const char *host, int port, resolve_cb *cb,
    void *arg, struct resolve_req **out)
{
	struct resolve_req *q;

	*out = NULL;
	if ((q = calloc(1, sizeof *q)) == NULL)
		return DROVE_E_NOMEM;
	if ((q->host = strdup(host)) == NULL) {
		free(q);
		return DROVE_E_NOMEM;
	}
	snprintf(q->port, sizeof q->port, "%d", port);
	q->r = r;
	q->cb = cb;
	q->arg = arg;
	*out = q;
	req_resolve(q, AI_NUMERICHOST);
	if (q->gai_err == 0) {
		loop_task_init(&q->task, req_deliver, q);
		loop_task_queue(r->loop, &q->task);
		return 0;
	}
	q->gai_err = 0;
	if (pool_submit(r, q) != 0) {
		*out = NULL;
		req_free(q);
		return DROVE_E_INTERNAL;
	}
	return 0;
}

/* Forget the callback of q. */
void
resolve_cancel(struct resolver *r, struct resolve_req *q)
{
	struct resolve_req **pp;

	if (q == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	for (pp = &r->head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == q) {
			if ((*pp = q->next) == NULL)
				r->tail = pp;
			pthread_mutex_unlock(&r->lock);
			req_free(q);
			return;
		}
	}
	q->cancelled = 1;
	pthread_mutex_unlock(&r->lock);
	if (q->task.queued) {
		loop_task_cancel(r->loop, &q->task);
		req_free(q);
	}
}

/* Stop the workers and free what is left. */
void
resolve_free(struct resolver *r)
{
	struct resolve_req *q;
	unsigned int i;

	if (r == NULL)
		return;
	pthread_mutex_lock(&r->lock);
	r->stopping = 1;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	for (i = 0; i < r->nthreads; i++)
		pthread_join(r->threads[i], NULL);
	while ((q = r->head) != NULL) {
		r->head = q->next;
		req_free(q);
	}
	pthread_mutex_destroy(&r->lock);
	pthread_cond_destroy(&r->cond);
	free(r->threads);
	free(r);
}
