/*
 * log.c: debug tracing to stderr when DROVE_DEBUG is set.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"

int log_enabled;

/* Read DROVE_DEBUG once. */
void
log_init(void)
{
	const char *v = getenv("DROVE_DEBUG");

	log_enabled = v != NULL && *v != '\0' && *v != '0';
}

/* Print one trace line with a monotonic timestamp. */
void
log_debug(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	fprintf(stderr, "drove: %ld.%03ld ", (long)ts.tv_sec,
	    ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
