/*
 * sink.c: turn per-host events into output: prefixed lines, gathered
 * outputs, JSON lines, and per-host files.
 *
 * LINES prints each complete line as "HOST: line" as it arrives, stdout
 * lines to out and stderr lines to err.  A partial line is held per host and
 * stream until its newline; when a host ends, what is held is printed with a
 * newline added.  A held line that reaches 64 KiB is printed as a line of
 * its own and the rest of it follows on further lines, so memory stays
 * bounded whatever a host sends.  A host that did not succeed gets one more
 * line on err: "HOST: exit 3", "HOST: killed by signal KILL",
 * "HOST: unreachable: <message>", unless a summary follows the run (the
 * summary option): then it is said there, once.
 *
 * GATHER and JSON hold each host's stdout and stderr up to max_output bytes
 * per stream and count the rest.  GATHER prints at drove_sink_finish(), on
 * out, each distinct (stdout, stderr, outcome) once, under a header naming
 * the folded hosts and the outcome, in the order of each group's first host
 * index; stderr follows a "--- stderr ---" line, and a cut stream is
 * followed by "[drove: stdout truncated: N of M bytes shown]".  JSON prints
 * one object per host when the host ends (see json.h for bytes).
 *
 * DIFF holds stdout as GATHER does and prints stderr lines as LINES does.
 * At drove_sink_finish() the hosts that were reached are grouped by stdout;
 * the biggest group (the first one on a tie) is the reference, and every
 * other group is printed as a unified diff against it, in the order of each
 * group's first host index, after a line saying how many hosts match.  The
 * hosts never reached follow, one line per outcome.
 *
 * With status_line, a line at the bottom of err shows how many hosts are
 * done and failed and the hosts running longest.  It is erased ("\r\033[K"
 * on err) before anything else is printed and drawn again at the end of the
 * event; without output it is redrawn at most every SINK_STATUS_MS, on
 * events or drove_sink_tick().  drove_sink_finish() erases it for good, and
 * so does drove_sink_free().
 *
 * Warnings go to err as "HOST: warning: text" in every mode (the text is
 * data/len, or the C string data when len is 0).  With out_dir,
 * DIR/HOST.out and DIR/HOST.err are written as data arrives (opened and
 * closed for each chunk, so the number of open files stays bounded, by a
 * writer thread, so that a slow disk never stalls the loop: fwriter.h) and
 * DIR/HOST.status holds "STATUS EXIT [DETAIL]" once the host ends.  In file
 * names '/' becomes '_' and so does a leading '.'.
 *
 * With xfer (push, pull), a host that succeeded reads "changed: N files,
 * B bytes" or "unchanged" (printed on out in LINES), a failed one "failed:
 * why"; JSON adds changed, files, unchanged_files and bytes; the summary
 * counts changed and unchanged hosts instead of ok ones; and the status
 * line adds the bytes moved, the rate and the time left.
 *
 * With escape, every mode but JSON shows hosts' control characters and
 * escape sequences on out and err (their output, the diffs of DIFF, and
 * the outcome and warning texts, which may quote a host) as
 * drove_vis_write() does, a colour let through by escape_sgr reset at the
 * end of its line or output.
 *
 * Hosts that never ended are ended as "pending" by drove_sink_finish().
 * Write errors on out and err stay in the streams and make
 * drove_sink_finish() return DROVE_E_IO.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/json.h"
#include "drove.h"
#include "output/diff.h"
#include "base/fwriter.h"

#define SINK_LINE_MAX	((size_t)64 * 1024)
#define SINK_OUTPUT_MAX	((size_t)64 * 1024 * 1024)
#define SINK_RULE	"---------------"
#define SINK_ERR_COLOR	"1;31"
#define SINK_STATUS_MS	100	/* least time between two redraws */
#define SINK_STATUS_MAX	5	/* running hosts named on the status line */
#define SINK_DIFF_CTX	3	/* lines of context around changes */

enum { S_OUT, S_ERR };

static const char *const sink_palette[] = {
	"32", "33", "34", "35", "36", "92", "93", "94", "95", "96"
};
static const char *const sink_stream_name[] = { "stdout", "stderr" };

struct sink_host {
	size_t		 index;
	char		*name;
	char		*pfx[2];	/* "HOST: " for each stream */
	char		*path;		/* DIR/HOST without extension */
	struct buf	 part[2];	/* LINES: the partial line */
	struct buf	 held[2];	/* GATHER, JSON: output up to the cap */
	uint64_t	 total[2];	/* bytes received */
	uint64_t	 hash;		/* GATHER: of output and outcome */
	int		 done;
	int		 reached;	/* DIFF: the host's sshd was reached */
	unsigned int	 retries;	/* connection attempts made again */
	enum drove_status status;
	char		*text;		/* "exit 3", "timeout: ..." */
	uint64_t	 start_ms;	/* status line: when it started */
	struct sink_host *prev, *next;	/* status line: running, by start */
	int		 running;
	int		 changed;	/* xfer: something was written */
};

struct drove_sink {
	struct drove_sink_opts	 o;
	FILE			*out;
	FILE			*err;
	char			*dir;
	struct fwriter		*fw;		/* writes dir's files */
	size_t			 max_output;
	struct sink_host	**hosts;	/* by host index */
	size_t			 nhosts;
	size_t			 counts[DROVE_ST_COUNT];
	int			 error;		/* first DROVE_E_* met */
	int			 finished;
	struct sink_host	*run_first;	/* running, oldest first */
	struct sink_host	*run_last;
	int			 shown;		/* the status line is on err */
	uint64_t		 drawn_ms;	/* when it was last drawn */
	struct buf		 status;	/* its text */
	/* xfer */
	size_t			 nchanged;	/* ok hosts that changed */
	uint64_t		 xdone;		/* bytes moved */
	uint64_t		 xtotal;	/* expected; 0: unknown */
	uint64_t		 xstart_ms;	/* first progress report */
};

static uint64_t	sink_monotonic_ms(void);

/* The sink's clock in milliseconds; tests replace it. */
uint64_t	(*sink_clock)(void) = sink_monotonic_ms;

/* Milliseconds of CLOCK_MONOTONIC. */
static uint64_t
sink_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* FNV-1a over len bytes, continuing from h. */
static uint64_t
sink_hash(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

/* Remember the first error. */
static void
sink_fail(struct drove_sink *s, int code)
{
	if (s->error == 0)
		s->error = code;
}

/* Create dir and its parents; 0 or DROVE_E_IO with a message. */
static int
sink_mkdirs(const char *dir, char *errbuf, size_t errlen)
{
	struct stat st;
	char *p = NULL, *q, c;
	int r = DROVE_E_IO;

	if (*dir == '\0') {
		snprintf(errbuf, errlen, "create output directory: empty path");
		return DROVE_E_INVAL;
	}
	if ((p = strdup(dir)) == NULL) {
		snprintf(errbuf, errlen, "create %s: out of memory", dir);
		return DROVE_E_NOMEM;
	}
	for (q = p + 1;; q++) {
		if (*q != '/' && *q != '\0')
			continue;
		c = *q;
		*q = '\0';
		if (mkdir(p, 0777) == -1 && errno != EEXIST)
			goto fail;
		*q = c;
		if (c == '\0')
			break;
	}
	if (stat(dir, &st) == -1)
		goto fail;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		goto fail;
	}
	r = 0;
	goto out;
 fail:
	snprintf(errbuf, errlen, "create %s: %s", p, strerror(errno));
 out:
	free(p);
	return r;
}

/* Write data to host h's file DIR/HOST.ext opened with flags, through
 * the writer thread. */
static void
sink_file(struct drove_sink *s, struct sink_host *h, const char *ext,
    int flags, const void *data, size_t len)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof path, "%s%s", h->path, ext) >=
	    sizeof path) {
		sink_fail(s, DROVE_E_IO);
		return;
	}
	if (fw_write(s->fw, path, flags, data, len) != 0)
		sink_fail(s, DROVE_E_NOMEM);
}

/* The "HOST: " prefix of a stream: coloured, padded to name_width. */
static char *
sink_prefix(const struct drove_sink *s, const char *name, int st)
{
	size_t len = strlen(name), pad, color;
	struct buf b;
	int r;

	pad = s->o.name_width > len ? s->o.name_width - len : 0;
	color = sink_hash(0xcbf29ce484222325ULL, name, len) %
	    (sizeof sink_palette / sizeof sink_palette[0]);
	buf_init(&b);
	if (st == S_ERR ? s->o.color_err : s->o.color)
		r = buf_printf(&b, "\033[%sm%s:\033[0m", st == S_ERR ?
		    SINK_ERR_COLOR : sink_palette[color], name);
	else
		r = buf_printf(&b, "%s:", name);
	if (r == 0)
		r = buf_printf(&b, "%*s ", (int)pad, "");
	if (r != 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

/* DIR/NAME with '/' and a leading '.' of the name made '_'. */
static char *
sink_path(const char *dir, const char *name)
{
	struct buf b;
	char *path, *p;

	buf_init(&b);
	if (buf_printf(&b, "%s/%s", dir, *name != '\0' ? name : "_") != 0)
		return NULL;
	path = buf_steal(&b, NULL);
	p = path + strlen(dir) + 1;
	if (*p == '.')
		*p = '_';
	for (; *p != '\0'; p++)
		if (*p == '/')
			*p = '_';
	return path;
}

/* Free a host and what it holds. */
static void
sink_host_free(struct sink_host *h)
{
	int i;

	if (h == NULL)
		return;
	for (i = 0; i < 2; i++) {
		free(h->pfx[i]);
		buf_release(&h->part[i]);
		buf_release(&h->held[i]);
	}
	free(h->name);
	free(h->path);
	free(h->text);
	free(h);
}

/* Make the record of a host on its first event. */
static struct sink_host *
sink_host_new(struct drove_sink *s, const struct drove_event *ev)
{
	struct sink_host *h;
	const char *name = ev->name != NULL ? ev->name : "";
	int i;

	if ((h = calloc(1, sizeof *h)) == NULL)
		return NULL;
	h->index = ev->host;
	for (i = 0; i < 2; i++) {
		buf_init(&h->part[i]);
		buf_init(&h->held[i]);
	}
	if ((h->name = strdup(name)) == NULL ||
	    (h->pfx[S_OUT] = sink_prefix(s, name, S_OUT)) == NULL ||
	    (h->pfx[S_ERR] = sink_prefix(s, name, S_ERR)) == NULL)
		goto fail;
	if (s->dir != NULL) {
		if ((h->path = sink_path(s->dir, name)) == NULL)
			goto fail;
		sink_file(s, h, ".out", O_CREAT | O_TRUNC, NULL, 0);
		sink_file(s, h, ".err", O_CREAT | O_TRUNC, NULL, 0);
	}
	return h;
 fail:
	sink_host_free(h);
	return NULL;
}

/* The record of the event's host, made on first sight; NULL if no memory. */
static struct sink_host *
sink_host_get(struct drove_sink *s, const struct drove_event *ev)
{
	struct sink_host **v;
	size_t n;

	if (ev->host >= s->nhosts) {
		n = s->nhosts ? s->nhosts : 64;
		while (n <= ev->host && n < SIZE_MAX / 2 / sizeof *v)
			n *= 2;
		if (n <= ev->host ||
		    (v = realloc(s->hosts, n * sizeof *v)) == NULL)
			return NULL;
		memset(v + s->nhosts, 0, (n - s->nhosts) * sizeof *v);
		s->hosts = v;
		s->nhosts = n;
	}
	if (s->hosts[ev->host] == NULL)
		s->hosts[ev->host] = sink_host_new(s, ev);
	return s->hosts[ev->host];
}

/* Erase the status line, if it is shown, before printing anything else. */
static void
status_clear(struct drove_sink *s)
{
	if (!s->shown)
		return;
	fputs("\r\033[K", s->err);
	fflush(s->err);
	s->shown = 0;
}

/* The width of err's terminal, or 80. */
static size_t
status_width(const struct drove_sink *s)
{
	struct winsize ws;
	int fd = fileno(s->err);

	if (fd >= 0 && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Append n bytes as "12.3 MB" (powers of 1000, as rates are given). */
static int
xfer_bytes(struct buf *b, double n)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	size_t u = 0;

	while (n >= 1000 && u + 1 < sizeof unit / sizeof unit[0]) {
		n /= 1000;
		u++;
	}
	return buf_printf(b, u == 0 ? "%.0f %s" : "%.1f %s", n, unit[u]);
}

/* Append " 12.3 MB/1.0 GB, 95.0 MB/s, 10s left" to the status line. */
static int
xfer_render(struct drove_sink *s, struct buf *b, uint64_t now)
{
	double rate = 0;
	int r;

	if ((r = buf_puts(b, " ")) != 0 || (r = xfer_bytes(b, (double)
	    s->xdone)) != 0)
		return r;
	if (s->xtotal > 0 && ((r = buf_puts(b, "/")) != 0 ||
	    (r = xfer_bytes(b, (double)s->xtotal)) != 0))
		return r;
	if (s->xstart_ms == 0 || now <= s->xstart_ms + 500)
		return 0;
	rate = (double)s->xdone * 1000.0 / (double)(now - s->xstart_ms);
	if ((r = buf_puts(b, ", ")) != 0 || (r = xfer_bytes(b, rate)) != 0 ||
	    (r = buf_puts(b, "/s")) != 0)
		return r;
	if (s->xtotal > s->xdone && rate > 0)
		r = buf_printf(b, ", %.0fs left",
		    (double)(s->xtotal - s->xdone) / rate);
	return r;
}

/*
 * Make the status line of time now, narrower than the terminal:
 * "[ 37/200 done, 2 failed ] slowest: web17 12s, web03 9s".  0 or NOMEM.
 */
static int
status_render(struct drove_sink *s, uint64_t now)
{
	struct buf *b = &s->status;
	const struct sink_host *h;
	size_t width = status_width(s), done = 0, mark, i;
	int digits = snprintf(NULL, 0, "%zu", s->o.total_hosts), r;

	for (i = 0; i < DROVE_ST_COUNT; i++)
		done += s->counts[i];
	buf_consume(b, b->len);
	r = buf_printf(b, "[ %*zu/%zu done, %zu failed ]", digits, done,
	    s->o.total_hosts, done - s->counts[DROVE_ST_OK]);
	if (r == 0 && s->o.xfer)
		r = xfer_render(s, b, now);
	for (h = s->run_first, i = 0; r == 0 && h != NULL &&
	    i < SINK_STATUS_MAX; h = h->next, i++) {
		mark = b->len;
		r = buf_printf(b, "%s%s %" PRIu64 "s", i == 0 ? " slowest: " :
		    ", ", h->name, (now - h->start_ms) / 1000);
		if (r == 0 && b->len >= width) {
			b->len = mark;
			break;
		}
	}
	if (b->len >= width)
		b->len = width > 0 ? width - 1 : 0;
	if (b->data != NULL)
		b->data[b->len] = '\0';
	return r;
}

/* Draw the status line when it is hidden or SINK_STATUS_MS old. */
static void
status_update(struct drove_sink *s)
{
	uint64_t now;

	if (!s->o.status_line || s->finished)
		return;
	now = sink_clock();
	if (s->shown && now - s->drawn_ms < SINK_STATUS_MS)
		return;
	if (status_render(s, now) != 0) {
		sink_fail(s, DROVE_E_NOMEM);
		return;
	}
	fprintf(s->err, "%s%s", s->shown ? "\r\033[K" : "", s->status.data);
	fflush(s->err);
	s->shown = 1;
	s->drawn_ms = now;
}

/* Status line: h starts running now; the list stays oldest first. */
static void
status_start(struct drove_sink *s, struct sink_host *h)
{
	if (!s->o.status_line || h->running || h->done)
		return;
	h->start_ms = sink_clock();
	h->running = 1;
	h->prev = s->run_last;
	h->next = NULL;
	if (s->run_last != NULL)
		s->run_last->next = h;
	else
		s->run_first = h;
	s->run_last = h;
}

/* Status line: h is no longer running. */
static void
status_stop(struct drove_sink *s, struct sink_host *h)
{
	if (!h->running)
		return;
	if (h->prev != NULL)
		h->prev->next = h->next;
	else
		s->run_first = h->next;
	if (h->next != NULL)
		h->next->prev = h->prev;
	else
		s->run_last = h->prev;
	h->prev = h->next = NULL;
	h->running = 0;
}

/* How stream st's terminal shows hosts' bytes: DROVE_VIS flags, or 0
 * when it is no terminal. */
static int
sink_vis(const struct drove_sink *s, int st)
{
	if (!(s->o.escape & (st == S_OUT ? DROVE_ESC_OUT : DROVE_ESC_ERR)))
		return 0;
	return DROVE_VIS | (s->o.escape_sgr ? DROVE_VIS_SGR : 0);
}

/* Write len bytes a host sent (or a text holding some) to f, shown as
 * sink_vis() says when f is out or err, a colour let through reset after
 * them. */
static void
sink_put(struct drove_sink *s, FILE *f, const char *data, size_t len)
{
	int vis = f == s->out ? sink_vis(s, S_OUT) : f == s->err ?
	    sink_vis(s, S_ERR) : 0;

	if (drove_vis_write(f, data, len, vis))
		fputs("\033[0m", f);
}

/*
 * The rest of lines_emit() on a terminal: the held part and seg as one line
 * shown by sink_put() (joined first, so that a character or sequence cut
 * between two chunks stays whole), a colour let through reset at its end.
 */
static void
lines_vis(struct drove_sink *s, FILE *f, struct buf *p, const char *seg,
    size_t n)
{
	if (n > 0 && seg[n - 1] == '\n')
		n--;
	if (buf_append(p, seg, n) != 0)
		sink_fail(s, DROVE_E_NOMEM);
	sink_put(s, f, p->data, p->len);
	putc('\n', f);
	buf_consume(p, p->len);
}

/*
 * Print the held partial line, then seg, as one line of stream st; the held
 * part never holds a newline, seg ends in one or gets one.
 */
static void
lines_emit(struct drove_sink *s, struct sink_host *h, int st,
    const char *seg, size_t n)
{
	FILE *f = st == S_OUT ? s->out : s->err;
	struct buf *p = &h->part[st];

	status_clear(s);
	fputs(h->pfx[st], f);
	if (sink_vis(s, st)) {
		lines_vis(s, f, p, seg, n);
		return;
	}
	if (p->len > 0)
		fwrite(p->data, 1, p->len, f);
	if (n > 0)
		fwrite(seg, 1, n, f);
	if (n == 0 || seg[n - 1] != '\n')
		putc('\n', f);
	buf_consume(p, p->len);
}

/* LINES: print the complete lines of a chunk and hold the rest. */
static void
lines_data(struct drove_sink *s, struct sink_host *h, int st,
    const char *data, size_t len)
{
	struct buf *p = &h->part[st];
	const char *nl;
	size_t n;

	while (len > 0) {
		if ((nl = memchr(data, '\n', len)) != NULL)
			n = (size_t)(nl - data) + 1;
		else if (p->len + len >= SINK_LINE_MAX)
			n = SINK_LINE_MAX - p->len;
		else {
			if (buf_append(p, data, len) != 0)
				sink_fail(s, DROVE_E_NOMEM);
			return;
		}
		lines_emit(s, h, st, data, n);
		data += n;
		len -= n;
	}
}

/* Handle a chunk of stdout or stderr. */
static void
sink_data(struct drove_sink *s, struct sink_host *h, int st,
    const char *data, size_t len)
{
	struct buf *held = &h->held[st];
	size_t keep;

	if (h->done || len == 0)
		return;
	h->total[st] += len;
	if (h->path != NULL)
		sink_file(s, h, st == S_OUT ? ".out" : ".err", O_APPEND, data,
		    len);
	if (s->o.mode == DROVE_OUT_LINES ||
	    (s->o.mode == DROVE_OUT_DIFF && st == S_ERR)) {
		lines_data(s, h, st, data, len);
		return;
	}
	keep = s->max_output - held->len;
	if (keep > len)
		keep = len;
	if (keep > 0 && buf_append(held, data, keep) != 0)
		sink_fail(s, DROVE_E_NOMEM);
}

/* The outcome as text: "exit 3", "killed by signal KILL", "auth: ...". */
static char *
sink_result_text(const struct drove_result *r)
{
	struct buf b;
	int e;

	buf_init(&b);
	switch (r->status) {
	case DROVE_ST_OK:
	case DROVE_ST_FAILED:
		e = buf_printf(&b, "exit %d", r->exit_code);
		break;
	case DROVE_ST_SIGNAL:
		e = buf_printf(&b, "killed by signal %.*s",
		    (int)sizeof r->signal, r->signal);
		break;
	default:
		e = buf_puts(&b, drove_status_name(r->status));
		break;
	}
	if (e == 0 && r->msg[0] != '\0')
		e = buf_printf(&b, ": %.*s", (int)sizeof r->msg, r->msg);
	if (e == 0 && !r->reached && r->retries > 0)
		e = buf_printf(&b, " (after %u tries)", r->retries + 1);
	if (e != 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

/* The outcome of a push or pull: changed, unchanged, or why it failed. */
static char *
xfer_result_text(const struct drove_result *r)
{
	struct buf b;
	int e;

	if (r->status != DROVE_ST_OK && r->status != DROVE_ST_FAILED)
		return sink_result_text(r);
	buf_init(&b);
	if (r->status == DROVE_ST_FAILED)
		e = buf_printf(&b, "failed: %.*s", (int)sizeof r->msg, r->msg);
	else if (r->changed)
		e = buf_printf(&b, "changed: %u file%s, %" PRIu64 " bytes",
		    r->files, r->files == 1 ? "" : "s", r->xfer_bytes);
	else
		e = buf_puts(&b, "unchanged");
	if (e != 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

/* The outcome without the status name: "exit 3", or the message. */
static const char *
sink_detail(const struct sink_host *h)
{
	const char *p = h->text;

	switch (h->status) {
	case DROVE_ST_FAILED:
		return strncmp(p, "failed: ", 8) == 0 ? p + 8 : p;
	case DROVE_ST_OK:
	case DROVE_ST_SIGNAL:
		return p;
	default:
		p += strlen(drove_status_name(h->status));
		return *p == ':' ? p + 2 : p;
	}
}

/* Write a JSON string member "name":"value" after a comma. */
static void
json_member(FILE *f, const char *name, const char *value, size_t len)
{
	fprintf(f, ",\"%s\":", name);
	if (value == NULL)
		fputs("null", f);
	else
		json_write_str(f, value, len);
}

/* JSON: print the object of a host that ended. */
static void
json_emit(struct drove_sink *s, struct sink_host *h,
    const struct drove_result *r)
{
	FILE *f = s->out;
	int i, cut = 0;

	status_clear(s);
	fputs("{\"host\":", f);
	json_write_str(f, h->name, strlen(h->name));
	fprintf(f, ",\"status\":\"%s\"", drove_status_name(h->status));
	if (r->exit_code >= 0)
		fprintf(f, ",\"exit\":%d", r->exit_code);
	else
		fputs(",\"exit\":null", f);
	json_member(f, "signal", r->signal[0] != '\0' ? r->signal : NULL,
	    strnlen(r->signal, sizeof r->signal));
	for (i = 0; i < 2; i++) {
		json_member(f, sink_stream_name[i],
		    h->held[i].len > 0 ? h->held[i].data : "", h->held[i].len);
		cut |= h->total[i] > h->held[i].len;
	}
	json_member(f, "error", r->msg[0] != '\0' ? r->msg : NULL,
	    strnlen(r->msg, sizeof r->msg));
	fprintf(f, ",\"elapsed_ms\":%" PRIu64 ",\"stdout_bytes\":%" PRIu64
	    ",\"stderr_bytes\":%" PRIu64 ",\"truncated\":%s,\"retries\":%u",
	    r->elapsed_ms, h->total[S_OUT], h->total[S_ERR],
	    cut ? "true" : "false", r->retries);
	if (s->o.xfer)
		fprintf(f, ",\"changed\":%s,\"files\":%u,"
		    "\"unchanged_files\":%u,\"bytes\":%" PRIu64,
		    r->changed ? "true" : "false", r->files, r->files_same,
		    r->xfer_bytes);
	fputs("}\n", f);
}

/* Handle the end of a host. */
static void
sink_done(struct drove_sink *s, struct sink_host *h,
    const struct drove_result *r)
{
	const char *detail;
	struct buf line;
	int i;

	if (h->done)
		return;
	h->done = 1;
	h->reached = r->reached;
	h->retries = r->retries;
	h->status = (unsigned)r->status < DROVE_ST_COUNT ? r->status :
	    DROVE_ST_ERROR;
	s->counts[h->status]++;
	status_stop(s, h);
	h->changed = r->changed;
	if (s->o.xfer && h->status == DROVE_ST_OK && h->changed)
		s->nchanged++;
	h->text = s->o.xfer ? xfer_result_text(r) : sink_result_text(r);
	if (h->text == NULL) {
		sink_fail(s, DROVE_E_NOMEM);
		return;
	}
	if (h->path != NULL) {
		detail = h->status == DROVE_ST_OK ||
		    h->status == DROVE_ST_FAILED ? r->msg : sink_detail(h);
		buf_init(&line);
		if (buf_printf(&line, "%s %d%s%s\n",
		    drove_status_name(h->status), r->exit_code,
		    *detail != '\0' ? " " : "", detail) != 0)
			sink_fail(s, DROVE_E_NOMEM);
		else
			sink_file(s, h, ".status", O_CREAT | O_TRUNC, line.data,
			    line.len);
		buf_release(&line);
	}
	switch (s->o.mode) {
	case DROVE_OUT_LINES:
	case DROVE_OUT_DIFF:
		for (i = 0; i < 2; i++) {
			if (h->part[i].len > 0)
				lines_emit(s, h, i, NULL, 0);
			buf_release(&h->part[i]);
		}
		if (s->o.mode == DROVE_OUT_LINES && h->status != DROVE_ST_OK) {
			if (s->o.summary)
				break;	/* said once, in the summary */
			status_clear(s);
			fputs(h->pfx[S_ERR], s->err);
			sink_put(s, s->err, h->text, strlen(h->text));
			putc('\n', s->err);
		} else if (s->o.mode == DROVE_OUT_LINES && s->o.xfer) {
			status_clear(s);
			fputs(h->pfx[S_OUT], s->out);
			sink_put(s, s->out, h->text, strlen(h->text));
			putc('\n', s->out);
		}
		break;
	case DROVE_OUT_JSON:
		json_emit(s, h, r);
		for (i = 0; i < 2; i++)
			buf_release(&h->held[i]);
		break;
	case DROVE_OUT_GATHER:
		break;
	}
}

/* Make a sink; NULL and a message in errbuf on failure. */
drove_sink *
drove_sink_new(const struct drove_sink_opts *o, char *errbuf, size_t errlen)
{
	struct drove_sink *s = NULL;

	if (errlen > 0)
		errbuf[0] = '\0';
	if (o == NULL || (unsigned)o->mode > DROVE_OUT_DIFF) {
		snprintf(errbuf, errlen, "create sink: bad output mode");
		return NULL;
	}
	if ((s = calloc(1, sizeof *s)) == NULL)
		goto nomem;
	s->o = *o;
	s->o.out_dir = NULL;
	s->out = o->out != NULL ? o->out : stdout;
	s->err = o->err != NULL ? o->err : stderr;
	s->max_output = o->max_output != 0 ? o->max_output : SINK_OUTPUT_MAX;
	buf_init(&s->status);
	if (o->out_dir != NULL) {
		if ((s->dir = strdup(o->out_dir)) == NULL)
			goto nomem;
		if (sink_mkdirs(s->dir, errbuf, errlen) != 0)
			goto fail;
		if ((s->fw = fw_new(1)) == NULL)
			goto nomem;
	}
	return s;
 nomem:
	snprintf(errbuf, errlen, "create sink: out of memory");
 fail:
	drove_sink_free(s);
	return NULL;
}

/* Erase the status line; free the sink and everything it holds. */
void
drove_sink_free(drove_sink *s)
{
	size_t i;

	if (s == NULL)
		return;
	status_clear(s);
	for (i = 0; i < s->nhosts; i++)
		sink_host_free(s->hosts[i]);
	free(s->hosts);
	fw_free(s->fw);
	free(s->dir);
	buf_release(&s->status);
	free(s);
}

/* Take one event of the fleet; a drove_event_cb with the sink as arg. */
void
drove_sink_event(const struct drove_event *ev, void *arg)
{
	struct drove_sink *s = arg;
	struct sink_host *h;
	size_t n;

	if (s == NULL || ev == NULL)
		return;
	if ((h = sink_host_get(s, ev)) == NULL) {
		sink_fail(s, DROVE_E_NOMEM);
		return;
	}
	switch (ev->type) {
	case DROVE_EV_START:
		status_start(s, h);
		break;
	case DROVE_EV_STDOUT:
		sink_data(s, h, S_OUT, ev->data, ev->len);
		break;
	case DROVE_EV_STDERR:
		sink_data(s, h, S_ERR, ev->data, ev->len);
		break;
	case DROVE_EV_WARN:
		if ((n = ev->len) == 0 && ev->data != NULL)
			n = strlen(ev->data);
		status_clear(s);
		fprintf(s->err, "%swarning: ", h->pfx[S_ERR]);
		sink_put(s, s->err, ev->data, n);
		putc('\n', s->err);
		break;
	case DROVE_EV_DONE:
		if (ev->result != NULL)
			sink_done(s, h, ev->result);
		break;
	}
	fflush(s->out);
	fflush(s->err);
	status_update(s);
}

/* Redraw the status line if it is due; for when no events come. */
void
drove_sink_tick(drove_sink *s)
{
	if (s != NULL)
		status_update(s);
}

/* Compare stream st of two hosts: bytes received, then bytes held. */
static int
sink_same_stream(const struct sink_host *a, const struct sink_host *b,
    int st)
{
	if (a->total[st] != b->total[st])
		return a->total[st] < b->total[st] ? -1 : 1;
	if (a->held[st].len != b->held[st].len)
		return a->held[st].len < b->held[st].len ? -1 : 1;
	if (a->held[st].len == 0)
		return 0;
	return memcmp(a->held[st].data, b->held[st].data, a->held[st].len);
}

/* Compare two hosts' outputs and outcomes (GATHER). */
static int
gather_same(const struct sink_host *a, const struct sink_host *b)
{
	int i, r;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	for (i = 0; i < 2; i++)
		if ((r = sink_same_stream(a, b, i)) != 0)
			return r;
	return strcmp(a->text, b->text);
}

/* Compare two hosts' stdout (DIFF). */
static int
sink_diff_same(const struct sink_host *a, const struct sink_host *b)
{
	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return sink_same_stream(a, b, S_OUT);
}

/* Compare two hosts by index. */
static int
sink_cmp_index(const struct sink_host *a, const struct sink_host *b)
{
	return a->index < b->index ? -1 : a->index > b->index;
}

/* qsort order of GATHER: output and outcome, then index. */
static int
gather_cmp(const void *va, const void *vb)
{
	const struct sink_host *a = *(struct sink_host *const *)va;
	const struct sink_host *b = *(struct sink_host *const *)vb;
	int r;

	if ((r = gather_same(a, b)) != 0)
		return r;
	return sink_cmp_index(a, b);
}

/* qsort order of DIFF: stdout, then index. */
static int
sink_diff_cmp(const void *va, const void *vb)
{
	const struct sink_host *a = *(struct sink_host *const *)va;
	const struct sink_host *b = *(struct sink_host *const *)vb;
	int r;

	if ((r = sink_diff_same(a, b)) != 0)
		return r;
	return sink_cmp_index(a, b);
}

/* Compare hosts that did not succeed by status and outcome (summary). */
static int
summary_same(const struct sink_host *a, const struct sink_host *b)
{
	if (a->status != b->status)
		return a->status < b->status ? -1 : 1;
	return strcmp(a->text, b->text);
}

/* qsort order of the summary: status, outcome, then index. */
static int
summary_cmp(const void *va, const void *vb)
{
	const struct sink_host *a = *(struct sink_host *const *)va;
	const struct sink_host *b = *(struct sink_host *const *)vb;
	int r;

	if ((r = summary_same(a, b)) != 0)
		return r;
	return sink_cmp_index(a, b);
}

/* A run of hosts in a sorted array that compare the same. */
struct sink_group {
	struct sink_host	**v;	/* the first has the lowest index */
	size_t			  n;
	char			 *hosts;	/* folded names */
};

/* Order groups by their first host's index. */
static int
group_cmp_first(const void *va, const void *vb)
{
	const struct sink_group *a = va, *b = vb;

	return sink_cmp_index(a->v[0], b->v[0]);
}

/* Free n groups and their folded names; NULL-safe. */
static void
sink_groups_free(struct sink_group *g, size_t n)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < n; i++)
		free(g[i].hosts);
	free(g);
}

/*
 * Sort the n hosts of v with cmp and cut them into runs that same finds
 * equal, each with its names folded; *groups is malloc'd, in the order of
 * each run's first host when by_index is set.  0 or DROVE_E_NOMEM.
 */
static int
sink_group(struct sink_host **v, size_t n,
    int (*cmp)(const void *, const void *),
    int (*same)(const struct sink_host *, const struct sink_host *),
    int by_index, struct sink_group **groups, size_t *ng)
{
	struct sink_group *g = NULL;
	const char **names = NULL;
	size_t i, j, k, m = 0;
	int r = DROVE_E_NOMEM;

	*groups = NULL;
	*ng = 0;
	if ((g = calloc(n + 1, sizeof *g)) == NULL ||
	    (names = calloc(n + 1, sizeof *names)) == NULL)
		goto out;
	qsort(v, n, sizeof *v, cmp);
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && same(v[i], v[j]) == 0; j++)
			;
		for (k = i; k < j; k++)
			names[k - i] = v[k]->name;
		g[m].v = v + i;
		g[m].n = j - i;
		if ((g[m++].hosts = drove_hosts_fold(names, j - i)) == NULL)
			goto out;
	}
	if (by_index)
		qsort(g, m, sizeof *g, group_cmp_first);
	*groups = g;
	*ng = m;
	g = NULL;
	r = 0;
 out:
	sink_groups_free(g, m);
	free(names);
	return r;
}

/* Print one held stream of a host, and whether it was cut. */
static void
gather_stream(struct drove_sink *s, const struct sink_host *h, int st)
{
	const struct buf *b = &h->held[st];

	if (b->len > 0) {
		sink_put(s, s->out, b->data, b->len);
		if (b->data[b->len - 1] != '\n')
			putc('\n', s->out);
	}
	if (h->total[st] > b->len)
		fprintf(s->out, "[drove: %s truncated: %zu of %" PRIu64
		    " bytes shown]\n", sink_stream_name[st], b->len,
		    h->total[st]);
}

/*
 * The hosts that ended with another status than skip, in a malloc'd array;
 * NULL if out of memory.
 */
static struct sink_host **
sink_collect(struct drove_sink *s, enum drove_status skip, size_t *n)
{
	struct sink_host **v;
	size_t i;

	*n = 0;
	if ((v = calloc(s->nhosts + 1, sizeof *v)) == NULL)
		return NULL;
	for (i = 0; i < s->nhosts; i++)
		if (s->hosts[i] != NULL && s->hosts[i]->text != NULL &&
		    s->hosts[i]->status != skip)
			v[(*n)++] = s->hosts[i];
	return v;
}

/* GATHER: print each distinct output once, groups by first host index. */
static void
gather_print(struct drove_sink *s)
{
	struct sink_host **v, *h;
	struct sink_group *g = NULL;
	size_t i, n, ng = 0;

	if ((v = sink_collect(s, DROVE_ST_COUNT, &n)) == NULL) {
		sink_fail(s, DROVE_E_NOMEM);
		return;
	}
	for (i = 0; i < n; i++) {
		h = v[i];
		h->hash = sink_hash(0xcbf29ce484222325ULL, h->held[S_OUT].data,
		    h->held[S_OUT].len);
		h->hash = sink_hash(h->hash, h->held[S_ERR].data,
		    h->held[S_ERR].len);
		h->hash = sink_hash(h->hash, h->text, strlen(h->text));
	}
	if (sink_group(v, n, gather_cmp, gather_same, 1, &g, &ng) != 0)
		sink_fail(s, DROVE_E_NOMEM);
	for (i = 0; i < ng; i++) {
		h = g[i].v[0];
		fprintf(s->out, "%s%s\n%s (%s)\n%s%s\n",
		    s->o.color ? "\033[34m" : "", SINK_RULE, g[i].hosts,
		    h->text, SINK_RULE, s->o.color ? "\033[0m" : "");
		gather_stream(s, h, S_OUT);
		if (h->total[S_ERR] > 0) {
			fputs("--- stderr ---\n", s->out);
			gather_stream(s, h, S_ERR);
		}
	}
	sink_groups_free(g, ng);
	free(v);
}

/* DIFF: "stdout truncated: N of M bytes compared" when h's was cut. */
static void
sink_diff_note(struct drove_sink *s, const struct sink_host *h,
    const char *pre, const char *post)
{
	if (h->total[S_OUT] > h->held[S_OUT].len)
		fprintf(s->out, "%sstdout truncated: %zu of %" PRIu64
		    " bytes compared%s", pre, h->held[S_OUT].len,
		    h->total[S_OUT], post);
}

/*
 * DIFF: group the hosts reached by stdout, print how many match the
 * reference (the biggest group, the first on a tie), then each other group
 * as a diff against it, then the hosts not reached by outcome.
 */
static void
sink_diff_print(struct drove_sink *s)
{
	struct sink_host **all, **v = NULL, *h, *ref;
	struct sink_group *g = NULL, *u = NULL;
	size_t i, n, nr = 0, j, ng = 0, nu = 0, best = 0;

	if ((all = sink_collect(s, DROVE_ST_COUNT, &n)) == NULL ||
	    (v = calloc(n + 1, sizeof *v)) == NULL) {
		sink_fail(s, DROVE_E_NOMEM);
		goto out;
	}
	/* The reached hosts first, then the others, each part by index. */
	for (i = 0; i < n; i++) {
		h = all[i];
		if (h->reached)
			v[nr++] = h;
		h->hash = sink_hash(0xcbf29ce484222325ULL, h->held[S_OUT].data,
		    h->held[S_OUT].len);
	}
	for (i = 0, j = nr; i < n; i++)
		if (!all[i]->reached)
			v[j++] = all[i];
	if (sink_group(v, nr, sink_diff_cmp, sink_diff_same, 1, &g, &ng) != 0 ||
	    sink_group(v + nr, n - nr, summary_cmp, summary_same, 1, &u,
	    &nu) != 0)
		sink_fail(s, DROVE_E_NOMEM);
	for (i = 1; i < ng; i++)
		if (g[i].n > g[best].n)
			best = i;
	fprintf(s->out, "%zu of %zu hosts match the reference output",
	    ng > 0 ? g[best].n : 0, n);
	if (ng > 1)
		fprintf(s->out, "; %zu differ", nr - g[best].n);
	if (n > nr)
		fprintf(s->out, "; %zu not reached", n - nr);
	putc('\n', s->out);
	for (i = 0; i < ng; i++) {
		if (i == best)
			continue;
		ref = g[best].v[0];
		h = g[i].v[0];
		fprintf(s->out, "--- reference (%zu host%s: %s", g[best].n,
		    g[best].n == 1 ? "" : "s", g[best].hosts);
		sink_diff_note(s, ref, ", ", "");
		fprintf(s->out, ")\n+++ %s", g[i].hosts);
		sink_diff_note(s, h, " (", ")");
		putc('\n', s->out);
		if (diff_unified(s->out, ref->held[S_OUT].data,
		    ref->held[S_OUT].len, h->held[S_OUT].data,
		    h->held[S_OUT].len, SINK_DIFF_CTX,
		    sink_vis(s, S_OUT)) != 0)
			sink_fail(s, DROVE_E_NOMEM);
	}
	for (i = 0; i < nu; i++) {
		fprintf(s->out, "not reached: %s (", u[i].hosts);
		sink_put(s, s->out, u[i].v[0]->text,
		    strlen(u[i].v[0]->text));
		fputs(")\n", s->out);
	}
 out:
	sink_groups_free(g, ng);
	sink_groups_free(u, nu);
	free(all);
	free(v);
}

/* End the hosts still open, print what is held and flush; 0 or an error. */
int
drove_sink_finish(drove_sink *s)
{
	static const struct drove_result pending = {
		.status = DROVE_ST_PENDING,
		.exit_code = -1
	};
	size_t i;

	if (s == NULL)
		return DROVE_E_INVAL;
	if (!s->finished) {
		status_clear(s);
		s->finished = 1;
		for (i = 0; i < s->nhosts; i++)
			if (s->hosts[i] != NULL)
				sink_done(s, s->hosts[i], &pending);
		if (s->o.mode == DROVE_OUT_GATHER)
			gather_print(s);
		else if (s->o.mode == DROVE_OUT_DIFF)
			sink_diff_print(s);
	}
	if (fflush(s->out) == EOF || ferror(s->out) ||
	    fflush(s->err) == EOF || ferror(s->err) ||
	    (s->fw != NULL && fw_sync(s->fw) != 0))
		sink_fail(s, DROVE_E_IO);
	return s->error;
}

/* Name the hosts that ended ok after connection retries, folded, if any
 * (those that failed say it with their failure). */
static void
summary_retries(struct drove_sink *s, FILE *f)
{
	const char **names;
	char *folded;
	size_t i, n = 0;

	if ((names = calloc(s->nhosts + 1, sizeof *names)) == NULL) {
		sink_fail(s, DROVE_E_NOMEM);
		return;
	}
	for (i = 0; i < s->nhosts; i++)
		if (s->hosts[i] != NULL && s->hosts[i]->done &&
		    s->hosts[i]->retries > 0 && s->hosts[i]->reached)
			names[n++] = s->hosts[i]->name;
	if (n > 0 && (folded = drove_hosts_fold(names, n)) != NULL) {
		fprintf(f, "connected after a retry: %s\n", folded);
		free(folded);
	}
	free(names);
}

/* Print the changed and unchanged counts of the ok hosts. */
static const char *
xfer_summary(struct drove_sink *s, FILE *f, const char *sep)
{
	size_t same = s->counts[DROVE_ST_OK] - s->nchanged;

	if (s->nchanged > 0) {
		fprintf(f, "%s%zu changed", sep, s->nchanged);
		sep = ", ";
	}
	if (same > 0)
		fprintf(f, "%s%zu unchanged", sep, same);
	return sep;
}

/* Print counts per status, then hosts that did not succeed by reason. */
void
drove_sink_summary(drove_sink *s, void *file)
{
	FILE *f = file != NULL ? file : stderr;
	struct sink_host **v;
	struct sink_group *g = NULL;
	const char *sep = ": ", *detail;
	size_t i, n = 0, ng = 0;

	if (s == NULL)
		return;
	for (i = 0; i < DROVE_ST_COUNT; i++)
		n += s->counts[i];
	fprintf(f, "%zu host%s", n, n == 1 ? "" : "s");
	for (i = 0; i < DROVE_ST_COUNT; i++) {
		if (s->counts[i] == 0)
			continue;
		if (s->o.xfer && i == DROVE_ST_OK)
			sep = xfer_summary(s, f, sep);
		else
			fprintf(f, "%s%zu %s", sep, s->counts[i],
			    drove_status_name((enum drove_status)i));
		sep = ", ";
	}
	putc('\n', f);
	if ((v = sink_collect(s, DROVE_ST_OK, &n)) == NULL ||
	    sink_group(v, n, summary_cmp, summary_same, 0, &g, &ng) != 0)
		sink_fail(s, DROVE_E_NOMEM);
	for (i = 0; i < ng; i++) {
		detail = sink_detail(g[i].v[0]);
		fprintf(f, "%s (%zu): %s%s",
		    drove_status_name(g[i].v[0]->status), g[i].n, g[i].hosts,
		    *detail != '\0' ? ": " : "");
		sink_put(s, f, detail, strlen(detail));
		putc('\n', f);
	}
	sink_groups_free(g, ng);
	free(v);
	summary_retries(s, f);
}

/* Bytes a push or pull moved so far, for the status line. */
void
drove_sink_progress(drove_sink *s, uint64_t done, uint64_t total)
{
	if (s == NULL)
		return;
	if (s->xstart_ms == 0)
		s->xstart_ms = sink_clock();
	s->xdone = done;
	s->xtotal = total;
}

/* Per-status counts of the hosts that ended. */
const size_t *
drove_sink_counts(const drove_sink *s)
{
	return s != NULL ? s->counts : NULL;
}
