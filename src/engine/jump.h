/*
 * jump.h: reaching hosts through jump hosts (ProxyJump) inside the loop.
 *
 * A host with a jump chain gets a transport (transport.h) that is a
 * direct-tcpip channel of a session to its last jump host; that session
 * may itself ride a channel of the hop before (several hops nest the same
 * way).  One connection to a jump host carries the sessions of many
 * targets, at most `cap` channels at once; past that another connection
 * to the same jump host is opened.  A jump host is connected once per
 * run: when its session fails, every host behind it fails with its reason
 * ("via bastion1: ..."), and so does every host that asks for it later.
 * A connection closes when no host still waiting or running goes through
 * its jump host.
 *
 * Ownership: a shard makes one struct jump with jump_new() and frees it
 * with jump_free() once jump_idle() says no connection is left; chains
 * (struct jhop) belong to the fleet's hosts and outlive the run.
 * Thread rules: the shard's loop thread only.
 */
#ifndef JUMP_H
#define JUMP_H

#include "drove.h"
#include "base/err.h"

struct ident;
struct jump;
struct sess;
struct sess_cfg;

/* One hop of a chain, as a fleet keeps it. */
struct jhop {
	char		*name;		/* for messages */
	char		*address;
	int		 port;
	char		*user;		/* NULL: the local user */
	char		*keypath;	/* its own identity file, or NULL */
	struct ident	*ident;		/* loaded by the fleet, or NULL */
	struct jhop	*via;		/* the hop before this one, or NULL */
	char		*proxy_command;	/* the first hop's ProxyCommand, or
					   NULL: a TCP connection */
	/* every hop up to this one, "user@address:port,...": hops with the
	 * same key share connections */
	char		*key;
};

/* Copy spec's jump chain (spec->jump, its jump, ...); *out NULL for none.
 * 0 or DROVE_E_NOMEM / DROVE_E_INVAL (e set). */
int	jhop_copy(const struct drove_hostspec *spec, struct jhop **out,
	    struct drove_err *e);
void	jhop_free(struct jhop *);		/* NULL-safe, the whole chain */
/* A hash of the hop's key (its connections' identity). */
unsigned int	jhop_hash(const struct jhop *);

/* The shard's jump connections; cfg is the shard's session settings
 * (copied when a connection starts), cap the channels per connection;
 * connections to one jump host start at most rate a second (0: no limit)
 * and at most max_startups of them are short of authentication at once
 * (0: no limit).  NULL when out of memory. */
struct jump	*jump_new(const struct sess_cfg *cfg, unsigned int cap,
		    double rate, unsigned int max_startups);
void		 jump_free(struct jump *);	/* NULL-safe; when idle */
/* A host that will go through hop was given to the shard, or ended. */
int		 jump_want(struct jump *, const struct jhop *hop);
void		 jump_unwant(struct jump *, const struct jhop *hop);
/*
 * Give s (not started) a transport through hop, connecting to it if no
 * connection has room.  0, or the hop's failure (e set: the code and
 * "via NAME: ...") when it failed earlier in the run.
 */
int		 jump_attach(struct jump *, struct sess *s,
		    const struct jhop *hop, struct drove_err *e);
/* Whether no connection to a jump host is open. */
int		 jump_idle(const struct jump *);

#endif /* JUMP_H */
