/*
 * record.h: asciicast v2 recordings of shell sessions: a header line, then
 * one [time, type, data] line per event ("o" output, "i" input, "r" resize
 * as "COLSxROWS"), and a reader for playing them back.
 *
 * Output is written as JSON strings (json.c); a UTF-8 sequence split over
 * two reads is held back and written with the next event, so a player never
 * sees half a character.  The writer keeps no clock: callers pass seconds
 * since the header.
 *
 * Ownership: the caller owns the FILE; struct record is embedded.  Write
 * errors are left in the stream's error flag.
 */
#ifndef RECORD_H
#define RECORD_H

#include <stddef.h>
#include <stdio.h>

struct record {
	FILE		*fp;
	char		 held[4];	/* an unfinished UTF-8 sequence */
	size_t		 nheld;
};

void	record_init(struct record *, FILE *);
/* The header line; env values may be NULL (left out). */
void	record_header(struct record *, unsigned int cols, unsigned int rows,
	    long long timestamp, const char *term, const char *shell);
/* One event of type 'o', 'i' or 'r' at t seconds. */
void	record_event(struct record *, double t, char type, const char *data,
	    size_t len);
/* A resize event ("COLSxROWS"). */
void	record_resize(struct record *, double t, unsigned int cols,
	    unsigned int rows);

/*
 * Parse one event line into t, type and data (malloc'd, decoded from JSON,
 * NUL-terminated, *len bytes).  0, or DROVE_E_INVAL when the line is not
 * an event.
 */
int	record_parse_event(const char *line, double *t, char *type,
	    char **data, size_t *len);
/* Whether line is an asciicast v2 header; its width and height. */
int	record_parse_header(const char *line, unsigned int *cols,
	    unsigned int *rows);

#endif /* RECORD_H */
