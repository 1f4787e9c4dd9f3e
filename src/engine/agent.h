/*
 * agent.h: a non-blocking ssh-agent client on the loop.
 *
 * The socket at $SSH_AUTH_SOCK is opened non-blocking and watched by the
 * loop; requests are queued and answered in order.  The identity list is
 * fetched once per run.  Nothing here blocks the loop thread.
 *
 * Thread rules: one agent per loop; loop-thread only.
 */
#ifndef AGENT_H
#define AGENT_H

#include <stddef.h>

#include "base/err.h"
#include "engine/ident.h"
#include "engine/loop.h"

struct agent;

/* NULL when out of memory; a bad socket shows up as a failed list. */
struct agent	*agent_new(struct loop *, const char *sockpath);
/* NULL-safe; fails pending requests (waking them) and frees the idents. */
void		 agent_free(struct agent *);

/*
 * Make sure the identity list is known: 0 when it is, DROVE_AGAIN while it
 * is being fetched (wake, unless NULL, is queued once when it is there or the
 * agent fails; an owner going away first calls agent_unwait()), or
 * DROVE_E_AUTH with the reason when the agent cannot be used (then
 * agent_count() is 0).
 */
int		 agent_list(struct agent *, struct loop_task *wake,
		    struct drove_err *);
/* Forget a list waiter (its owner is going away); NULL-safe agent. */
void		 agent_unwait(struct agent *, struct loop_task *wake);
size_t		 agent_count(const struct agent *);
/* Lent: the agent owns its identities until agent_free(). */
struct ident	*agent_ident(struct agent *, size_t i);

/*
 * Used by ident_sign() for agent identities: queue a sign request (flags 0)
 * and return 0 with req SIGN_PENDING; req->wake is queued when it is
 * SIGN_DONE (signature or req->err).  DROVE_E_AUTH (agent failed) or
 * DROVE_E_NOMEM when nothing was queued.  agent_cancel() unlinks a pending
 * request (its reply is then dropped); sign_req_release() calls it.
 */
int		 agent_sign(struct agent *, struct ident *, struct sign_req *,
		    const unsigned char *data, size_t len);
void		 agent_cancel(struct agent *, struct sign_req *);

#endif /* AGENT_H */
