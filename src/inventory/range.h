/*
 * range.h: expansion of bracket ranges in host names ("web[01:20]").
 *
 * range_expand() calls fn once per name, in order, the leftmost bracket
 * varying slowest.  It returns 0, the first non-zero return of fn,
 * DROVE_E_NOMEM, or DROVE_E_INVENTORY with a message in err naming the
 * offending text.
 */
#ifndef RANGE_H
#define RANGE_H

#include <stddef.h>

/* The most names one expression may expand to. */
#define RANGE_MAX	1000000

/* Keep brackets that do not hold a range as text (glob classes). */
#define RANGE_LITERAL	0x1

typedef int range_cb(const char *name, void *arg);

int	range_expand(const char *s, int flags, range_cb *fn, void *arg,
	    char *err, size_t errlen);

#endif /* RANGE_H */
