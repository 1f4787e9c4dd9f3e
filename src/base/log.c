/*
 * log.c: debug tracing to stderr when DROVE_DEBUG is set.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "base/log.h"

int log_enabled;
int log_stalls;

/* Whether environment variable name is set to something but 0. */
static int
log_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' && *v != '0';
}

/* Read DROVE_DEBUG and DROVE_STALLS once. */
void
log_init(void)
{
	log_enabled = log_env("DROVE_DEBUG");
	log_stalls = log_env("DROVE_STALLS");
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
