/*
 * err.h: error context carried by library objects.
 *
 * A struct drove_err holds the last DROVE_E_* code and a message naming the
 * failure first, in lowercase without a full stop ("connect to web1 port 22:
 * connection refused").  Objects embed one; functions that fail fill it.
 */
#ifndef ERR_H
#define ERR_H

/*
 * Internal "not yet" result: the operation is under way and the caller will
 * be woken (by fd readiness, a timer or a queued task).  Never public.
 */
#define DROVE_AGAIN 1

struct drove_err {
	int	 code;
	char	 msg[512];
};

/* Set code and a printf-style message; returns code for "return err_set()". */
int	err_set(struct drove_err *, int code, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	err_clear(struct drove_err *);

#endif /* ERR_H */
