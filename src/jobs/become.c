/*
 * become.c: the become filter (see become.h): the wrapped command, the
 * prompt and start watch, the one password write.
 *
 * What sudo or su print before the command starts is held per stream (at
 * most BECOME_HOLD bytes) and scanned again as it grows.  sudo writes our
 * prompt to stderr (-S), or to the pty; su writes "Password: " to the pty.
 * The start marker is a line of its own on stdout.  Held text other than
 * the prompts (a lecture, a warning) is handed on when the command starts,
 * and names the failure when it does not.
 */
#define _GNU_SOURCE	/* memmem */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "engine/fleet.h"
#include "engine/loop.h"
#include "jobs/become.h"
#include "jobs/xfer.h"

#define BECOME_HOLD	(64 * 1024)	/* held before the start, a stream */
#define BECOME_WAIT_MS	10000		/* for a prompt or the start, when
					   the connect timeout is 0 */

enum become_state {
	BC_WAIT,	/* for a prompt or the start */
	BC_WRITE,	/* the password is due */
	BC_SENT,	/* written: for the start or a second prompt */
	BC_RUN		/* the command started */
};

struct become {
	enum become_state	 st;
	enum drove_become_method method;
	char			*user;
	char			*pw;		/* "password\n", or NULL */
	size_t			 pwlen;
	size_t			 pwoff;		/* written so far */
	char			 prompt[48];	/* sudo's prompt */
	char			 start[48];	/* the start marker */
	int			 shell;
	int			 pty;		/* the channel has a pty */
	int			 retried;	/* with a pty, once */
	int			 prompts;
	int			 more;		/* step again at once */
	uint64_t		 deadline;	/* loop ms; 0: not begun */
	struct buf		 hold[2];	/* stdout, stderr */
};

/*
 * Terminal modes (RFC 4254 8): raw, so that bytes pass unchanged both
 * ways (a push's files on stdin, a pull's on stdout): ISIG, ICANON,
 * ECHO, IEXTEN, ICRNL, IXON and OPOST off, then TTY_OP_END.  sudo and su
 * read the password a byte at a time up to the newline all the same.
 */
const unsigned char become_pty_modes[] = {
	50, 0, 0, 0, 0,
	51, 0, 0, 0, 0,
	53, 0, 0, 0, 0,
	59, 0, 0, 0, 0,
	36, 0, 0, 0, 0,
	38, 0, 0, 0, 0,
	70, 0, 0, 0, 0,
	0
};
const size_t become_pty_modes_len = sizeof become_pty_modes;

/* The filter for host's job, if the host becomes another user. */
int
become_host(struct drove_fleet *f, size_t host, int shell,
    struct become **out)
{
	struct fbecome cfg;
	struct become *b;
	size_t n;

	*out = NULL;
	if (!fleet_become_of(f, host, &cfg))
		return 0;
	if ((b = calloc(1, sizeof *b)) == NULL)
		return DROVE_E_NOMEM;
	b->method = cfg.method;
	b->shell = shell;
	b->pty = cfg.method == DROVE_BECOME_SU || shell;
	buf_init(&b->hold[0]);
	buf_init(&b->hold[1]);
	snprintf(b->prompt, sizeof b->prompt, "[drove-become-%s] ",
	    f->become_mark);
	snprintf(b->start, sizeof b->start, "drove-became-%s",
	    f->become_mark);
	if ((b->user = strdup(cfg.user != NULL ? cfg.user : "root")) == NULL)
		goto fail;
	if (cfg.password != NULL) {
		n = strlen(cfg.password);
		if ((b->pw = malloc(n + 2)) == NULL)
			goto fail;
		memcpy(b->pw, cfg.password, n);
		b->pw[n] = '\n';
		b->pw[n + 1] = '\0';
		b->pwlen = n + 1;
	}
	*out = b;
	return 0;
 fail:
	become_free(b);
	return DROVE_E_NOMEM;
}

/* Whether some host of the fleet becomes another user. */
int
become_any(struct drove_fleet *f)
{
	struct fbecome cfg;
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (fleet_become_of(f, i, &cfg))
			return 1;
	return 0;
}

/* Wipe and free the password. */
static void
become_wipe(struct become *b)
{
	if (b->pw != NULL) {
		explicit_bzero(b->pw, b->pwlen);
		free(b->pw);
		b->pw = NULL;
	}
}

/* Free the filter. */
void
become_free(struct become *b)
{
	if (b == NULL)
		return;
	become_wipe(b);
	buf_release(&b->hold[0]);
	buf_release(&b->hold[1]);
	free(b->user);
	free(b);
}

/* Append the quoted word to a buffer; 1 when out of memory. */
static int
put_quoted(struct buf *out, const char *word)
{
	char *q;
	int bad;

	if ((q = xfer_shell_quote(word)) == NULL)
		return 1;
	bad = buf_puts(out, q) != 0;
	free(q);
	return bad;
}

/* The remote command that runs command as the become user. */
char *
become_command(const struct become *b, const char *command)
{
	struct buf inner, out;
	int bad;

	buf_init(&inner);
	buf_init(&out);
	/* what runs as the become user: the start marker, then the work */
	bad = buf_printf(&inner, "echo %s; ", b->start) != 0;
	if (command != NULL)
		bad |= buf_puts(&inner, command) != 0;
	else
		bad |= buf_puts(&inner, "exec \"$SHELL\" -l") != 0;
	if (b->method == DROVE_BECOME_SU) {
		/* su runs its -c string with the user's own shell */
		bad |= buf_puts(&out, "su ") != 0;
		if (b->shell)
			bad |= buf_puts(&out, "- ") != 0;
		bad |= put_quoted(&out, b->user);
		bad |= buf_puts(&out, " -c ") != 0;
		{
			struct buf sh;

			buf_init(&sh);
			bad |= buf_puts(&sh, "sh -c ") != 0;
			bad |= put_quoted(&sh, inner.data != NULL ?
			    inner.data : "");
			bad |= put_quoted(&out, sh.data != NULL ? sh.data :
			    "");
			buf_release(&sh);
		}
	} else {
		bad |= buf_puts(&out, "sudo -S -p ") != 0;
		bad |= put_quoted(&out, b->prompt);
		bad |= buf_puts(&out, b->shell ? " -i -u " : " -u ") != 0;
		bad |= put_quoted(&out, b->user);
		bad |= buf_puts(&out, " -- sh -c ") != 0;
		bad |= put_quoted(&out, inner.data != NULL ? inner.data : "");
	}
	buf_release(&inner);
	if (bad) {
		buf_release(&out);
		return NULL;
	}
	return buf_steal(&out, NULL);
}

/* Whether the channel must ask for a pty. */
int
become_pty(const struct become *b)
{
	return b->pty;
}

/* Whether the command has started. */
int
become_started(const struct become *b)
{
	return b->st == BC_RUN;
}

/* Whether the bytes are blank (spaces, tabs, CR, LF). */
static int
blank(const char *p, size_t n)
{
	for (; n > 0; p++, n--)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			return 0;
	return 1;
}

/* Hand on the bytes unless they are blank (what is left of the prompts). */
static void
hand_on(job_output_fn *fn, void *arg, int stream, const char *p, size_t n)
{
	if (n > 0 && !blank(p, n))
		fn(arg, stream, p, n);
}

/* The last non-blank line of the held text (stderr first), for a
 * message: at most size-1 bytes, control characters dropped. */
static void
last_words(const struct become *b, char *out, size_t size)
{
	const struct buf *h;
	const char *p, *end, *start;
	size_t k;
	int i;

	out[0] = '\0';
	for (i = 1; i >= 0; i--) {
		h = &b->hold[i];
		end = h->data + h->len;
		while (h->len > 0 && end > h->data) {
			while (end > h->data && (end[-1] == '\n' ||
			    end[-1] == '\r' || end[-1] == ' '))
				end--;
			for (start = end; start > h->data &&
			    start[-1] != '\n'; start--)
				;
			if (end > start) {
				for (p = start, k = 0; p < end &&
				    k + 1 < size; p++)
					if ((unsigned char)*p >= 0x20 &&
					    *p != 0x7f)
						out[k++] = *p;
				out[k] = '\0';
				return;
			}
			end = start;
			if (end == h->data)
				break;
		}
	}
}

/* Remove n bytes at off from a held stream. */
static void
cut(struct buf *h, size_t off, size_t n)
{
	memmove(h->data + off, h->data + off + n, h->len - off - n);
	h->len -= n;
	h->data[h->len] = '\0';
}

/* Find a prompt in the held text: its stream, offset and length. */
static int
find_prompt(const struct become *b, int *stream, size_t *off, size_t *len)
{
	const struct buf *h;
	const char *p, *line;
	size_t n;
	int i;

	if (b->method == DROVE_BECOME_SUDO) {
		n = strlen(b->prompt);
		for (i = 0; i < 2; i++) {
			h = &b->hold[i];
			if (h->len == 0 || (p = memmem(h->data, h->len,
			    b->prompt, n)) == NULL)
				continue;
			*stream = i;
			*off = (size_t)(p - h->data);
			*len = n;
			return 1;
		}
		return 0;
	}
	/*
	 * su: a last line that ends in ": " with nothing after, in any
	 * language ("Password: "), but not su's own "su: " that starts a
	 * message written in two pieces
	 */
	h = &b->hold[0];
	if (h->len == 0)
		return 0;
	for (line = h->data + h->len; line > h->data && line[-1] != '\n';
	    line--)
		;
	n = (size_t)(h->data + h->len - line);
	if (n < 3 || line[n - 1] != ' ' || line[n - 2] != ':' ||
	    strncmp(line, "su:", 3) == 0)
		return 0;
	*stream = 0;
	*off = (size_t)(line - h->data);
	*len = (size_t)(h->data + h->len - line);
	return 1;
}

/* Look at the held text: the start, or a prompt. */
static int
become_scan(struct become *b, struct sess *s, job_output_fn *fn, void *arg)
{
	struct buf *h = &b->hold[0];
	const char *p, *rest;
	char words[200];
	size_t n = strlen(b->start), off, len;
	int stream;

	if (h->len > 0 && (p = memmem(h->data, h->len, b->start, n)) != NULL) {
		rest = p + n;
		if (rest < h->data + h->len && *rest == '\r')
			rest++;
		if (rest < h->data + h->len && *rest == '\n') {
			rest++;
			LOG("%s: become: the command started", s->name);
			b->st = BC_RUN;
			b->more = 1;
			become_wipe(b);
			hand_on(fn, arg, 1, b->hold[1].data, b->hold[1].len);
			hand_on(fn, arg, 0, h->data, (size_t)(p - h->data));
			if (rest < h->data + h->len)
				fn(arg, 0, rest,
				    (size_t)(h->data + h->len - rest));
			buf_release(&b->hold[0]);
			buf_release(&b->hold[1]);
			return 0;
		}
	}
	while (find_prompt(b, &stream, &off, &len)) {
		cut(&b->hold[stream], off, len);
		LOG("%s: become: prompt %d", s->name, b->prompts + 1);
		if (++b->prompts > 1) {
			last_words(b, words, sizeof words);
			return err_set(&s->err, DROVE_E_AUTH,
			    "become: incorrect password for %s%s%s",
			    b->method == DROVE_BECOME_SU ? "su" : "sudo",
			    words[0] != '\0' ? ": " : "", words);
		}
		if (b->pw == NULL)
			return err_set(&s->err, DROVE_E_AUTH,
			    "become: %s asks for a password and none was "
			    "given (-K, become_password_env)",
			    b->method == DROVE_BECOME_SU ? "su" : "sudo");
		b->st = BC_WRITE;
		b->more = 1;
	}
	if (b->hold[0].len > BECOME_HOLD || b->hold[1].len > BECOME_HOLD)
		return err_set(&s->err, DROVE_E_AUTH,
		    "become: more than %d bytes of output before the command "
		    "started", BECOME_HOLD);
	return 0;
}

/* Output read from the channel. */
int
become_output(struct become *b, struct sess *s, int stream, const char *p,
    size_t n, job_output_fn *fn, void *arg)
{
	if (b->st == BC_RUN) {
		fn(arg, stream, p, n);
		return 0;
	}
	if (buf_append(&b->hold[stream != 0], p, n) != 0)
		return err_set(&s->err, DROVE_E_NOMEM, "out of memory");
	return become_scan(b, s, fn, arg);
}

/* Whether output just read asks for a step at once. */
int
become_due(const struct become *b)
{
	return b->more;
}

/* Whether no password write is in flight. */
int
become_idle(const struct become *b)
{
	return b->st != BC_WRITE;
}

/* Write the password when due; watch the time. */
int
become_step(struct become *b, LIBSSH2_CHANNEL *ch, struct sess *s)
{
	uint64_t now = loop_now(s->cfg->loop);
	unsigned int ms;
	ssize_t n;

	b->more = 0;
	if (b->st == BC_RUN)
		return 0;
	ms = s->connect_timeout_ms > 0 ? s->connect_timeout_ms :
	    BECOME_WAIT_MS;
	if (b->deadline == 0)
		b->deadline = now + ms;
	if (b->st == BC_WRITE) {
		while (b->pwoff < b->pwlen) {
			n = libssh2_channel_write_ex(ch, 0, b->pw + b->pwoff,
			    b->pwlen - b->pwoff);
			if (n == LIBSSH2_ERROR_EAGAIN || n == 0)
				return DROVE_AGAIN;
			if (n < 0)
				return err_set(&s->err, DROVE_E_CHANNEL,
				    "become: write the password: error %d",
				    (int)n);
			b->pwoff += (size_t)n;
		}
		become_wipe(b);
		LOG("%s: become: password sent", s->name);
		b->st = BC_SENT;
		/* the password check may take its time (a failure delay) */
		b->deadline = now + ms;
	}
	if (now >= b->deadline)
		return err_set(&s->err, DROVE_E_TIMEOUT,
		    "become: %s neither asked for a password nor started the "
		    "command within %u s", b->method == DROVE_BECOME_SU ? "su" :
		    "sudo", ms / 1000);
	return DROVE_AGAIN;
}

/* The channel ended before the command started. */
int
become_ended(struct become *b, struct sess *s)
{
	char words[200];

	last_words(b, words, sizeof words);
	LOG("%s: become: ended before the start (pty %d, held %zu+%zu)",
	    s->name, b->pty, b->hold[0].len, b->hold[1].len);
	if (b->method == DROVE_BECOME_SUDO && !b->pty && !b->retried &&
	    b->prompts == 0 && (strstr(words, "must have a tty") != NULL ||
	    strstr(words, "terminal is required") != NULL)) {
		b->pty = b->retried = 1;
		b->deadline = 0;
		buf_release(&b->hold[0]);
		buf_release(&b->hold[1]);
		return 1;
	}
	if (words[0] == '\0')
		snprintf(words, sizeof words, "%s ended before the command "
		    "started", b->method == DROVE_BECOME_SU ? "su" : "sudo");
	return err_set(&s->err, DROVE_E_AUTH, "become: %s", words);
}
