/*
 * agent.c: a non-blocking ssh-agent client on the loop (the agent protocol
 * of draft-miller-ssh-agent).
 *
 * One connection serves the run.  Requests are appended to an output buffer
 * as they are made and written when the socket takes them; the agent answers
 * in order, so the replies awaited are kept in a FIFO of request pointers.
 * The identity list is always the first request, so its reply is the first
 * one.  A released request leaves a NULL slot, and its reply is dropped when
 * it comes.  Any socket error or EOF fails the agent: every waiter and
 * pending request is woken with an error, and later calls fail at once.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "drove.h"
#include "engine/agent.h"
#include "engine/sshbuf.h"

#define AGENT_FAILURE			5
#define AGENTC_REQUEST_IDENTITIES	11
#define AGENT_IDENTITIES_ANSWER		12
#define AGENTC_SIGN_REQUEST		13
#define AGENT_RSA_SHA2_256		2
#define AGENT_RSA_SHA2_512		4
#define AGENT_SIGN_RESPONSE		14

#define AGENT_MSG_MAX		(256 * 1024)
#define AGENT_RETRY_MS		10
#define AGENT_RETRIES		100

enum agent_state { AGENT_CONNECTING, AGENT_CONNECTED, AGENT_FAILED };

struct agent {
	struct loop		 *loop;
	char			 *path;
	int			  fd;
	enum agent_state	  state;
	int			  events;	/* the mask being watched */
	struct loop_timer	  retry;	/* connect again: EAGAIN */
	int			  retries;
	struct buf		  out;
	struct buf		  in;
	int			  list_sent;
	int			  listed;
	struct ident		 *ids;
	size_t			  nids;
	struct loop_task	**waiters;	/* to wake with the list */
	size_t			  nwaiters;
	size_t			  capwaiters;
	struct sign_req		**fifo;		/* replies awaited */
	size_t			  head;
	size_t			  nfifo;
	size_t			  capfifo;
	struct drove_err	  err;
};

static void	agent_io(struct loop *, int, int, void *);

/* Queue every list waiter's wake task and forget them. */
static void
agent_wake_waiters(struct agent *a)
{
	size_t i;

	for (i = 0; i < a->nwaiters; i++)
		loop_task_queue(a->loop, a->waiters[i]);
	a->nwaiters = 0;
}

/* Finish a request with a signature (sig) or an error (sig NULL). */
static void
agent_finish(struct agent *a, struct sign_req *req, unsigned char *sig,
    size_t siglen)
{
	req->agent = NULL;
	req->state = SIGN_DONE;
	req->err = sig == NULL ? DROVE_E_AUTH : 0;
	req->sig = sig;
	req->siglen = siglen;
	if (req->wake != NULL)
		loop_task_queue(a->loop, req->wake);
}

/* Take the oldest slot of the FIFO (NULL for a released request). */
static struct sign_req *
agent_pop(struct agent *a)
{
	struct sign_req *req = a->fifo[a->head];

	a->head = (a->head + 1) % a->capfifo;
	a->nfifo--;
	return req;
}

/* Close the socket and fail everything pending with the reason given. */
static void __attribute__((format(printf, 2, 3)))
agent_fail(struct agent *a, const char *fmt, ...)
{
	struct sign_req *req;
	va_list ap;

	if (a->state == AGENT_FAILED)
		return;
	a->state = AGENT_FAILED;
	a->err.code = DROVE_E_AUTH;
	va_start(ap, fmt);
	vsnprintf(a->err.msg, sizeof a->err.msg, fmt, ap);
	va_end(ap);
	loop_timer_stop(a->loop, &a->retry);
	if (a->fd != -1) {
		if (a->events != 0)
			loop_unwatch(a->loop, a->fd);
		close(a->fd);
		a->fd = -1;
		a->events = 0;
	}
	buf_release(&a->out);
	buf_release(&a->in);
	while (a->nfifo > 0)
		if ((req = agent_pop(a)) != NULL)
			agent_finish(a, req, NULL, 0);
	agent_wake_waiters(a);
}

/* Watch the socket for what is wanted now: output to write, replies. */
static void
agent_update(struct agent *a)
{
	int ev;

	/* Not yet connected after EAGAIN: the retry timer comes first. */
	if (a->fd == -1 || loop_timer_active(&a->retry))
		return;
	if (a->state == AGENT_CONNECTING)
		ev = LOOP_WRITE;
	else
		ev = LOOP_READ | (a->out.len > 0 ? LOOP_WRITE : 0);
	if (ev == a->events)
		return;
	if (loop_watch(a->loop, a->fd, ev, agent_io, a) != 0) {
		agent_fail(a, "agent %s: cannot watch socket", a->path);
		return;
	}
	a->events = ev;
}

/* Try to connect; EINPROGRESS waits for writability, EAGAIN retries. */
static void
agent_connect(struct agent *a)
{
	struct sockaddr_un sun;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(a->path) >= sizeof sun.sun_path) {
		agent_fail(a, "agent socket %s: path too long", a->path);
		return;
	}
	strcpy(sun.sun_path, a->path);
	if (connect(a->fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		a->state = AGENT_CONNECTED;
	} else if (errno == EINPROGRESS) {
		a->state = AGENT_CONNECTING;
	} else if (errno == EAGAIN && a->retries++ < AGENT_RETRIES) {
		loop_timer_start(a->loop, &a->retry, AGENT_RETRY_MS);
		return;
	} else {
		agent_fail(a, "connect to agent %s: %s", a->path,
		    strerror(errno));
		return;
	}
	agent_update(a);
}

/* The retry timer: connect again after the agent's backlog was full. */
static void
agent_retry(struct loop *l, void *arg)
{
	(void)l;
	agent_connect(arg);
}

/* Make an agent client and start connecting to sockpath. */
struct agent *
agent_new(struct loop *l, const char *sockpath)
{
	struct agent *a;

	if ((a = calloc(1, sizeof *a)) == NULL)
		return NULL;
	if ((a->path = strdup(sockpath)) == NULL) {
		free(a);
		return NULL;
	}
	a->loop = l;
	a->state = AGENT_CONNECTING;
	buf_init(&a->out);
	buf_init(&a->in);
	loop_timer_init(&a->retry, agent_retry, a);
	a->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->fd == -1)
		agent_fail(a, "agent socket: %s", strerror(errno));
	else
		agent_connect(a);
	return a;
}

/* Close the agent, failing pending requests, and free its identities. */
void
agent_free(struct agent *a)
{
	size_t i;

	if (a == NULL)
		return;
	agent_fail(a, "agent %s: closed", a->path);
	for (i = 0; i < a->nids; i++)
		ident_release(&a->ids[i]);
	free(a->ids);
	free(a->waiters);
	free(a->fifo);
	free(a->path);
	free(a);
}

/* Start a message: room for the length, then the type. */
static int
msg_begin(struct buf *b, size_t *start, uint8_t type)
{
	*start = b->len;
	if (sshbuf_put_u32(b, 0) != 0 || sshbuf_put_u8(b, type) != 0) {
		b->len = *start;
		return DROVE_E_NOMEM;
	}
	return 0;
}

/* Fill in the length of the message begun at start. */
static void
msg_end(struct buf *b, size_t start)
{
	size_t n = b->len - start - 4;
	unsigned char *p = (unsigned char *)b->data + start;

	p[0] = n >> 24;
	p[1] = n >> 16;
	p[2] = n >> 8;
	p[3] = n;
}

/* Parse an identities answer into the agent's list. */
static int
agent_parse_ids(struct agent *a, struct sshbuf *m)
{
	const unsigned char *blob, *comment, *algo;
	size_t bloblen, commentlen, algolen;
	struct sshbuf kb;
	struct ident *id;
	uint32_t n, i;

	if (sshbuf_get_u32(m, &n) != 0 || n > m->len / 8)
		return DROVE_E_PROTOCOL;
	if (n > 0 && (a->ids = calloc(n, sizeof *a->ids)) == NULL)
		return DROVE_E_NOMEM;
	for (i = 0; i < n; i++) {
		if (sshbuf_get_string(m, &blob, &bloblen) != 0 ||
		    sshbuf_get_string(m, &comment, &commentlen) != 0)
			return DROVE_E_PROTOCOL;
		sshbuf_from(&kb, blob, bloblen);
		if (sshbuf_get_string(&kb, &algo, &algolen) != 0)
			return DROVE_E_PROTOCOL;
		id = &a->ids[a->nids];
		if ((id->label = strndup((const char *)comment,
		    commentlen)) == NULL ||
		    (id->algo = strndup((const char *)algo, algolen)) == NULL ||
		    (id->blob = malloc(bloblen)) == NULL) {
			ident_release(id);
			return DROVE_E_NOMEM;
		}
		memcpy(id->blob, blob, bloblen);
		id->bloblen = bloblen;
		id->agent = a;
		a->nids++;
	}
	return 0;
}

/* Handle a sign reply for req: keep the inner signature or fail it. */
static int
agent_sign_reply(struct agent *a, struct sign_req *req, uint8_t type,
    struct sshbuf *m)
{
	const unsigned char *blob, *algo, *inner;
	size_t bloblen, algolen, innerlen;
	struct sshbuf sb;
	unsigned char *sig;

	if (type == AGENT_FAILURE) {
		agent_finish(a, req, NULL, 0);
		return 0;
	}
	if (type != AGENT_SIGN_RESPONSE ||
	    sshbuf_get_string(m, &blob, &bloblen) != 0)
		return DROVE_E_PROTOCOL;
	sshbuf_from(&sb, blob, bloblen);
	if (sshbuf_get_string(&sb, &algo, &algolen) != 0 ||
	    sshbuf_get_string(&sb, &inner, &innerlen) != 0 || innerlen == 0)
		return DROVE_E_PROTOCOL;
	if ((sig = malloc(innerlen)) == NULL)
		return DROVE_E_NOMEM;
	memcpy(sig, inner, innerlen);
	agent_finish(a, req, sig, innerlen);
	return 0;
}

/* Handle one whole reply message from the agent. */
static int
agent_reply(struct agent *a, const unsigned char *p, size_t len)
{
	struct sshbuf m;
	struct sign_req *req;
	uint8_t type;
	int r;

	sshbuf_from(&m, p, len);
	if (sshbuf_get_u8(&m, &type) != 0)
		return DROVE_E_PROTOCOL;
	if (a->list_sent && !a->listed) {
		if (type != AGENT_IDENTITIES_ANSWER)
			return DROVE_E_PROTOCOL;
		if ((r = agent_parse_ids(a, &m)) != 0)
			return r;
		a->listed = 1;
		agent_wake_waiters(a);
		return 0;
	}
	if (a->nfifo == 0)
		return DROVE_E_PROTOCOL;
	if ((req = agent_pop(a)) == NULL)
		return 0;
	return agent_sign_reply(a, req, type, &m);
}

/* Read what the agent sent and handle every whole message. */
static void
agent_read(struct agent *a)
{
	unsigned char chunk[16384];
	struct sshbuf m;
	size_t off = 0;
	uint32_t len;
	ssize_t n;
	int r;

	for (;;) {
		n = recv(a->fd, chunk, sizeof chunk, 0);
		if (n == 0) {
			agent_fail(a, "agent %s closed the connection",
			    a->path);
			return;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			agent_fail(a, "read from agent %s: %s", a->path,
			    strerror(errno));
			return;
		}
		if (buf_append(&a->in, chunk, (size_t)n) != 0) {
			agent_fail(a, "agent %s: out of memory", a->path);
			return;
		}
	}
	for (;;) {
		sshbuf_from(&m, a->in.data + off, a->in.len - off);
		if (sshbuf_get_u32(&m, &len) != 0)
			break;
		if (len == 0 || len > AGENT_MSG_MAX) {
			agent_fail(a, "agent %s: bad message length %u",
			    a->path, len);
			return;
		}
		if (m.len < len)
			break;
		if ((r = agent_reply(a, m.p, len)) != 0) {
			agent_fail(a, "agent %s: %s", a->path,
			    r == DROVE_E_NOMEM ? "out of memory" :
			    "unexpected reply");
			return;
		}
		off += 4 + len;
	}
	buf_consume(&a->in, off);
}

/* Write as much of the output as the socket takes. */
static void
agent_write(struct agent *a)
{
	ssize_t n;

	while (a->out.len > 0) {
		n = send(a->fd, a->out.data, a->out.len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			agent_fail(a, "write to agent %s: %s", a->path,
			    strerror(errno));
			return;
		}
		buf_consume(&a->out, (size_t)n);
	}
}

/* The socket is ready: finish connecting, write, read. */
static void
agent_io(struct loop *l, int fd, int events, void *arg)
{
	struct agent *a = arg;
	socklen_t sl = sizeof(int);
	int soerr = 0;

	(void)l;
	(void)fd;
	if (a->state == AGENT_CONNECTING) {
		if (getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
			soerr = errno;
		if (soerr != 0) {
			agent_fail(a, "connect to agent %s: %s", a->path,
			    strerror(soerr));
			return;
		}
		a->state = AGENT_CONNECTED;
	}
	if (a->state == AGENT_CONNECTED && (events & LOOP_WRITE))
		agent_write(a);
	if (a->state == AGENT_CONNECTED && (events & LOOP_READ))
		agent_read(a);
	agent_update(a);
}

/* Remember a task to wake when the list arrives (once per task). */
static int
agent_add_waiter(struct agent *a, struct loop_task *wake)
{
	struct loop_task **w;
	size_t i;

	for (i = 0; i < a->nwaiters; i++)
		if (a->waiters[i] == wake)
			return 0;
	if (a->nwaiters == a->capwaiters) {
		w = reallocarray(a->waiters, a->capwaiters * 2 + 8, sizeof *w);
		if (w == NULL)
			return DROVE_E_NOMEM;
		a->waiters = w;
		a->capwaiters = a->capwaiters * 2 + 8;
	}
	a->waiters[a->nwaiters++] = wake;
	return 0;
}

/* Forget a task waiting for the list. */
void
agent_unwait(struct agent *a, struct loop_task *wake)
{
	size_t i;

	if (a == NULL)
		return;
	for (i = 0; i < a->nwaiters; i++) {
		if (a->waiters[i] == wake) {
			a->waiters[i] = a->waiters[--a->nwaiters];
			return;
		}
	}
}

/* Fetch the identity list once; DROVE_AGAIN until it is there. */
int
agent_list(struct agent *a, struct loop_task *wake, struct drove_err *err)
{
	size_t start;

	if (a->state == AGENT_FAILED)
		return err_set(err, DROVE_E_AUTH, "%s", a->err.msg);
	if (a->listed)
		return 0;
	if (!a->list_sent) {
		if (msg_begin(&a->out, &start, AGENTC_REQUEST_IDENTITIES) != 0)
			return err_set(err, DROVE_E_NOMEM, "agent %s: out of "
			    "memory", a->path);
		msg_end(&a->out, start);
		a->list_sent = 1;
		agent_update(a);
		if (a->state == AGENT_FAILED)
			return err_set(err, DROVE_E_AUTH, "%s", a->err.msg);
	}
	if (wake != NULL && agent_add_waiter(a, wake) != 0)
		return err_set(err, DROVE_E_NOMEM, "agent %s: out of memory",
		    a->path);
	return DROVE_AGAIN;
}

/* How many identities the agent holds (0 until listed or when failed). */
size_t
agent_count(const struct agent *a)
{
	return a->listed && a->state != AGENT_FAILED ? a->nids : 0;
}

/* The i-th identity, owned by the agent. */
struct ident *
agent_ident(struct agent *a, size_t i)
{
	return i < agent_count(a) ? &a->ids[i] : NULL;
}

/* Make room for one more slot in the FIFO ring. */
static int
agent_fifo_grow(struct agent *a)
{
	struct sign_req **f;
	size_t i, cap = a->capfifo * 2 + 16;

	if (a->nfifo < a->capfifo)
		return 0;
	if ((f = calloc(cap, sizeof *f)) == NULL)
		return DROVE_E_NOMEM;
	for (i = 0; i < a->nfifo; i++)
		f[i] = a->fifo[(a->head + i) % a->capfifo];
	free(a->fifo);
	a->fifo = f;
	a->head = 0;
	a->capfifo = cap;
	return 0;
}

/* The sign request flags: which rsa-sha2 hash libssh2 asked for. */
static uint32_t
agent_flags(const struct ident *id, const unsigned char *data, size_t len)
{
	if (strncmp(id->algo, "ssh-rsa", 7) != 0)	/* and its certificate */
		return 0;
	switch (ident_rsa_method(data, len)) {
	case SIGN_RSA_SHA256:
		return AGENT_RSA_SHA2_256;
	case SIGN_RSA_SHA512:
		return AGENT_RSA_SHA2_512;
	}
	return 0;
}

/* Queue a sign request for an agent identity; 0 when it is on its way. */
int
agent_sign(struct agent *a, struct ident *id, struct sign_req *req,
    const unsigned char *data, size_t len)
{
	size_t start;

	req->err = DROVE_E_AUTH;
	if (a->state == AGENT_FAILED)
		return DROVE_E_AUTH;
	if (agent_fifo_grow(a) != 0 ||
	    msg_begin(&a->out, &start, AGENTC_SIGN_REQUEST) != 0)
		return DROVE_E_NOMEM;
	if (sshbuf_put_string(&a->out, id->blob, id->bloblen) != 0 ||
	    sshbuf_put_string(&a->out, data, len) != 0 ||
	    sshbuf_put_u32(&a->out, agent_flags(id, data, len)) != 0) {
		a->out.len = start;
		return DROVE_E_NOMEM;
	}
	msg_end(&a->out, start);
	a->fifo[(a->head + a->nfifo) % a->capfifo] = req;
	a->nfifo++;
	req->err = 0;
	req->state = SIGN_PENDING;
	req->agent = a;
	agent_update(a);
	return 0;
}

/* Forget a pending request: its reply will be dropped. */
void
agent_cancel(struct agent *a, struct sign_req *req)
{
	size_t i, slot;

	for (i = 0; i < a->nfifo; i++) {
		slot = (a->head + i) % a->capfifo;
		if (a->fifo[slot] == req)
			a->fifo[slot] = NULL;
	}
	req->agent = NULL;
	req->state = SIGN_IDLE;
}
