/*
 * pace.h: the pace of connection starts to one server, a token bucket of
 * `rate` a second that saves up at most PACE_BURST (or rate, when lower).
 *
 * Embedded in its owner; loop thread only.
 */
#ifndef PACE_H
#define PACE_H

#include <stdint.h>

#define PACE_BURST	8.0	/* connect tokens a server can save up */

struct pace {
	double		 tokens;
	uint64_t	 refilled_ms;
};

void	pace_init(struct pace *, uint64_t now_ms);
/* Take a token at rate a second (0: no limit): 1 if there was one. */
int	pace_take(struct pace *, double rate, uint64_t now_ms);

#endif /* PACE_H */
