/*
 * log.h: debug tracing, off unless DROVE_DEBUG is set in the environment.
 *
 * The library never prints otherwise; this is the one exception, for people
 * chasing a problem ("DROVE_DEBUG=1 drove run ...").  Lines go to stderr.
 * DROVE_STALLS=1 prints only each loop thread's longest turn at its end.
 */
#ifndef LOG_H
#define LOG_H

extern int log_enabled;
extern int log_stalls;		/* DROVE_STALLS: report loop stalls */

void	log_init(void);
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define LOG(...) do { if (log_enabled) log_debug(__VA_ARGS__); } while (0)
/* One line when DROVE_STALLS is set (or DROVE_DEBUG): how long each loop
 * thread's longest turn took, for the stall benchmark. */
#define LOG_STALLS(...) do {						\
	if (log_stalls || log_enabled)					\
		log_debug(__VA_ARGS__);					\
} while (0)

#endif /* LOG_H */
