/*
 * log.h: debug tracing, off unless DROVE_DEBUG is set in the environment.
 *
 * The library never prints otherwise; this is the one exception, for people
 * chasing a problem ("DROVE_DEBUG=1 drove run ...").  Lines go to stderr.
 */
#ifndef LOG_H
#define LOG_H

extern int log_enabled;

void	log_init(void);
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define LOG(...) do { if (log_enabled) log_debug(__VA_ARGS__); } while (0)

#endif /* LOG_H */
