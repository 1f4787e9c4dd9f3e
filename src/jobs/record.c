/*
 * record.c: the asciicast v2 writer and event reader (see record.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/json.h"
#include "drove.h"
#include "jobs/record.h"

/* Start a recording on fp. */
void
record_init(struct record *r, FILE *fp)
{
	memset(r, 0, sizeof *r);
	r->fp = fp;
}

/* Write the header line. */
void
record_header(struct record *r, unsigned int cols, unsigned int rows,
    long long timestamp, const char *term, const char *shell)
{
	const char *sep = "";

	fprintf(r->fp, "{\"version\": 2, \"width\": %u, \"height\": %u, "
	    "\"timestamp\": %lld, \"env\": {", cols, rows, timestamp);
	if (shell != NULL) {
		fputs("\"SHELL\": ", r->fp);
		json_write_str(r->fp, shell, strlen(shell));
		sep = ", ";
	}
	if (term != NULL) {
		fprintf(r->fp, "%s\"TERM\": ", sep);
		json_write_str(r->fp, term, strlen(term));
	}
	fputs("}}\n", r->fp);
	fflush(r->fp);
}

/* How many bytes at the end of p start a UTF-8 sequence it cuts short. */
static size_t
utf8_cut(const unsigned char *p, size_t n)
{
	size_t back, need;

	for (back = 1; back <= 3 && back <= n; back++) {
		if ((p[n - back] & 0xc0) == 0x80)
			continue;
		if (p[n - back] >= 0xf0)
			need = 4;
		else if (p[n - back] >= 0xe0)
			need = 3;
		else if (p[n - back] >= 0xc0)
			need = 2;
		else
			return 0;
		return need > back ? back : 0;
	}
	return 0;
}

/* Write one event line. */
void
record_event(struct record *r, double t, char type, const char *data,
    size_t len)
{
	unsigned char *buf = NULL;
	const char *p = data;
	size_t n = len, cut;

	if (type == 'o' && r->nheld + len > 0) {
		if ((buf = malloc(r->nheld + len)) == NULL)
			return;
		memcpy(buf, r->held, r->nheld);
		memcpy(buf + r->nheld, data, len);
		n = r->nheld + len;
		cut = utf8_cut(buf, n);
		n -= cut;
		memcpy(r->held, buf + n, cut);
		r->nheld = cut;
		p = (const char *)buf;
		if (n == 0)
			goto out;
	}
	fprintf(r->fp, "[%.6f, \"%c\", ", t, type);
	json_write_str(r->fp, p, n);
	fputs("]\n", r->fp);
	fflush(r->fp);
 out:
	free(buf);
}

/* Write a resize event. */
void
record_resize(struct record *r, double t, unsigned int cols,
    unsigned int rows)
{
	char size[32];
	int n;

	n = snprintf(size, sizeof size, "%ux%u", cols, rows);
	record_event(r, t, 'r', size, (size_t)n);
}

/* Skip blanks. */
static const char *
skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* Four hex digits at p as a number; -1 when bad. */
static long
hex4(const char *p)
{
	long v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= p[i] - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/* Append code point cp as UTF-8 at out. */
static size_t
put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode the JSON string at p (after its quote) into out; the end, or NULL. */
static const char *
json_read_str(const char *p, char *out, size_t *len)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	const char *e;
	long cp, lo;
	size_t n = 0;

	while (*p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p != '\\') {
			out[n++] = *p++;
			continue;
		}
		p++;
		if (*p == 'u') {
			if ((cp = hex4(p + 1)) < 0)
				return NULL;
			p += 5;
			if (cp >= 0xd800 && cp <= 0xdbff && p[0] == '\\' &&
			    p[1] == 'u' && (lo = hex4(p + 2)) >= 0xdc00 &&
			    lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			}
			n += put_utf8(out + n, (uint32_t)cp);
			continue;
		}
		for (e = esc; *e != '\0' && *e != *p; e += 2)
			;
		if (*e == '\0')
			return NULL;
		out[n++] = e[1];
		p++;
	}
	*len = n;
	return p + 1;
}

/* Parse an event line. */
int
record_parse_event(const char *line, double *t, char *type, char **data,
    size_t *len)
{
	const char *p = skip_ws(line);
	char *end, *out = NULL;
	size_t n;
	int r = DROVE_E_INVAL;

	*data = NULL;
	if (*p++ != '[')
		goto out;
	*t = strtod(p, &end);
	if (end == p || *t < 0)
		goto out;
	p = skip_ws(end);
	if (*p++ != ',' || *(p = skip_ws(p)) != '"')
		goto out;
	/* decoded text is never longer than its JSON form */
	if ((out = malloc(strlen(p) + 1)) == NULL) {
		r = DROVE_E_NOMEM;
		goto out;
	}
	if ((p = json_read_str(p + 1, out, &n)) == NULL || n != 1)
		goto out;
	*type = out[0];
	p = skip_ws(p);
	if (*p++ != ',' || *(p = skip_ws(p)) != '"')
		goto out;
	if ((p = json_read_str(p + 1, out, len)) == NULL)
		goto out;
	p = skip_ws(p);
	if (*p++ != ']' || *skip_ws(p) != '\0')
		goto out;
	out[*len] = '\0';
	*data = out;
	out = NULL;
	r = 0;
 out:
	free(out);
	return r;
}

/* Read the number after "key": in a header line; -1 when missing. */
static long
header_num(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	char *end;
	long v;

	if (p == NULL)
		return -1;
	p = skip_ws(p + strlen(key));
	if (*p++ != ':')
		return -1;
	v = strtol(p, &end, 10);
	return end == p ? -1 : v;
}

/* Whether line is an asciicast v2 header. */
int
record_parse_header(const char *line, unsigned int *cols, unsigned int *rows)
{
	long w, h;

	if (*skip_ws(line) != '{' || header_num(line, "\"version\"") != 2 ||
	    (w = header_num(line, "\"width\"")) <= 0 ||
	    (h = header_num(line, "\"height\"")) <= 0)
		return 0;
	*cols = (unsigned int)w;
	*rows = (unsigned int)h;
	return 1;
}

/* Write all of data to fd. */
static int
write_all(int fd, const char *data, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, data, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return DROVE_E_IO;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sleep for t seconds. */
static void
pause_for(double t)
{
	struct timespec ts;

	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Play a recording to out_fd with its timing. */
int
drove_cast_play(void *file, int out_fd, double speed, double idle_limit,
    char *msg, size_t msglen)
{
	FILE *fp = file;
	char *line = NULL, *data = NULL, type;
	size_t cap = 0, len;
	unsigned int cols, rows;
	double t, prev = 0, wait;
	long lineno = 1;
	int r = DROVE_E_INVAL;

	snprintf(msg, msglen, "line 1: not an asciicast v2 header");
	if (speed <= 0)
		speed = 1;
	if (getline(&line, &cap, fp) < 0 ||
	    !record_parse_header(line, &cols, &rows))
		goto out;
	while (getline(&line, &cap, fp) >= 0) {
		lineno++;
		if (*skip_ws(line) == '\0')
			continue;
		free(data);
		data = NULL;
		if (record_parse_event(line, &t, &type, &data, &len) != 0) {
			snprintf(msg, msglen, "line %ld: not an event",
			    lineno);
			goto out;
		}
		if (t < prev) {
			snprintf(msg, msglen, "line %ld: time goes back",
			    lineno);
			goto out;
		}
		wait = t - prev;
		prev = t;
		if (idle_limit >= 0 && wait > idle_limit)
			wait = idle_limit;
		if (wait > 0)
			pause_for(wait / speed);
		if (type == 'o' && write_all(out_fd, data, len) != 0) {
			snprintf(msg, msglen, "write: %s", strerror(errno));
			r = DROVE_E_IO;
			goto out;
		}
	}
	if (ferror(fp)) {
		snprintf(msg, msglen, "read: %s", strerror(errno));
		r = DROVE_E_IO;
		goto out;
	}
	msg[0] = '\0';
	r = 0;
 out:
	free(data);
	free(line);
	return r;
}
