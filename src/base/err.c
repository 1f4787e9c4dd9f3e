/*
 * err.c: error codes, their names and per-object error context.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "drove.h"

/* Set the error code and message of e; returns code. */
int
err_set(struct drove_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return code;
}

/* Forget the last error. */
void
err_clear(struct drove_err *e)
{
	e->code = 0;
	e->msg[0] = '\0';
}

/* A short description of a DROVE_E_* code. */
const char *
drove_strerror(int code)
{
	switch (code) {
	case 0:
		return "success";
	case DROVE_E_INTERNAL:
		return "internal error";
	case DROVE_E_NOMEM:
		return "out of memory";
	case DROVE_E_INVAL:
		return "invalid argument";
	case DROVE_E_IO:
		return "input/output error";
	case DROVE_E_RESOLVE:
		return "name resolution failed";
	case DROVE_E_UNREACHABLE:
		return "host unreachable";
	case DROVE_E_REFUSED:
		return "connection refused";
	case DROVE_E_TIMEOUT:
		return "timed out";
	case DROVE_E_HOSTKEY:
		return "host key verification failed";
	case DROVE_E_AUTH:
		return "authentication failed";
	case DROVE_E_PROTOCOL:
		return "protocol error";
	case DROVE_E_CHANNEL:
		return "channel error";
	case DROVE_E_CANCELLED:
		return "cancelled";
	case DROVE_E_INVENTORY:
		return "inventory error";
	case DROVE_E_NOTFOUND:
		return "no match";
	}
	return "unknown error";
}

/* The name of a per-host status as it appears in output and JSON. */
const char *
drove_status_name(enum drove_status st)
{
	static const char *names[DROVE_ST_COUNT] = {
		[DROVE_ST_PENDING] = "pending",
		[DROVE_ST_OK] = "ok",
		[DROVE_ST_FAILED] = "failed",
		[DROVE_ST_SIGNAL] = "signal",
		[DROVE_ST_TIMEOUT] = "timeout",
		[DROVE_ST_UNREACHABLE] = "unreachable",
		[DROVE_ST_REFUSED] = "refused",
		[DROVE_ST_HOSTKEY] = "hostkey",
		[DROVE_ST_AUTH] = "auth",
		[DROVE_ST_ERROR] = "error",
		[DROVE_ST_CANCELLED] = "cancelled",
	};

	if ((unsigned)st >= DROVE_ST_COUNT)
		return "error";
	return names[st];
}

/* The library's version string. */
const char *
drove_version(void)
{
	return DROVE_VERSION;
}
