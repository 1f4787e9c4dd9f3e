/*
 * pace.c: a token bucket for connection starts (pace.h).
 */
#include "engine/pace.h"

/* Start full. */
void
pace_init(struct pace *p, uint64_t now_ms)
{
	p->tokens = PACE_BURST;
	p->refilled_ms = now_ms;
}

/* Refill for the time passed, then take a token if there is one. */
int
pace_take(struct pace *p, double rate, uint64_t now_ms)
{
	double burst;

	if (rate <= 0)
		return 1;
	burst = rate < PACE_BURST ? rate : PACE_BURST;
	p->tokens += (double)(now_ms - p->refilled_ms) * rate / 1000.0;
	if (p->tokens > burst)
		p->tokens = burst;
	p->refilled_ms = now_ms;
	if (p->tokens < 1.0)
		return 0;
	p->tokens -= 1.0;
	return 1;
}
