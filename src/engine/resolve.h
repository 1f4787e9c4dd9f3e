/*
 * resolve.h: name resolution off the loop thread.
 *
 * getaddrinfo() blocks, so names are resolved by a small pool of threads and
 * the results come back to the loop thread through loop_post().  Numeric
 * addresses are answered at once without a thread.
 *
 * Thread rules: the resolver belongs to one loop; call it from that loop's
 * thread only.  Callbacks run on the loop thread.
 */
#ifndef RESOLVE_H
#define RESOLVE_H

#include <netdb.h>

#include "engine/loop.h"

struct resolver;
struct resolve_req;

/* ai is owned by the callee (freeaddrinfo); gai_err is 0 or EAI_*. */
typedef void resolve_cb(void *arg, struct addrinfo *ai, int gai_err);

struct resolver	*resolve_new(struct loop *, unsigned int max_threads);
/* Joins the threads; requests still queued are dropped without callback. */
void		 resolve_free(struct resolver *);

/*
 * Resolve host:port for a TCP connection.  The callback runs later on the
 * loop thread, never from inside this call.  *req identifies the request
 * for resolve_cancel().  Returns 0 or DROVE_E_NOMEM.
 */
int	resolve_start(struct resolver *, const char *host, int port,
	    resolve_cb *, void *arg, struct resolve_req **req);
/* The callback of req will not run; its result is freed when it comes. */
void	resolve_cancel(struct resolver *, struct resolve_req *);

#endif /* RESOLVE_H */
