/*
 * proxycmd.h: the ProxyCommand transport (transport.h): the session's
 * bytes travel through a command run once per host.
 *
 * Thread rules: the session's loop thread.
 */
#ifndef PROXYCMD_H
#define PROXYCMD_H

#include "base/err.h"

struct sess;

/*
 * Give s (not started) a transport through command, run by /bin/sh -c
 * with %h (the address), %p (the port), %r (the user), %n (name, the
 * host's name as given) and %% expanded.  0, DROVE_E_INVAL for an
 * unknown %-token or DROVE_E_NOMEM (e set).
 */
int	proxycmd_attach(struct sess *s, const char *command, const char *name,
	    struct drove_err *e);

#endif /* PROXYCMD_H */
