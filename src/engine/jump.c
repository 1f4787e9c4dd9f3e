/*
 * jump.c: jump hosts inside the loop: one session to a jump host carries
 * the sessions of many targets, each over a direct-tcpip channel of it.
 *
 * The jump host's session (the parent) runs a job, the mux, which is the
 * only caller of its libssh2 handle.  Each target (the child) has a link:
 * its transport, with an in buffer the mux fills from the channel and an
 * out buffer the child's libssh2 fills and the mux writes to the channel.
 * The mux, on each step: reads (one empty read first, which pulls every
 * packet waiting on the socket into libssh2, then each channel libssh2
 * holds data or an EOF for: data epoll cannot see, engine/README 3), then
 * sends, one operation at a time (engine/README 1, 2): a call that left a
 * packet half-sent (libssh2 asks to wait for writing) is made again, the
 * same way, before anything else is sent; a channel open waiting for its
 * answer lets writes to other channels go on, but no second open (libssh2
 * keeps one open per session: engine/README 11).  A write never asks for
 * more than the channel's window, so a full window never holds up the
 * other channels.
 * Children are woken when their link has data, room, an end or an error;
 * the mux is woken when a child wrote, read a full buffer empty, or left.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>

#include "base/log.h"
#include "engine/jump.h"
#include "engine/pace.h"
#include "engine/proxycmd.h"
#include "engine/sess.h"
#include "engine/transport.h"

#define LINK_BUF	32768		/* each way, per target */
#define MUX_WRITE_MAX	32768		/* one packet */
#define MUX_READ_CAP	(256 * 1024)	/* per step, for fairness */

enum link_state { LINK_WAIT, LINK_OPEN, LINK_FAILED };
enum mux_op { OP_NONE, OP_OPEN, OP_WRITE, OP_CLOSE };

struct jconn;
struct jhopst;

struct jlink {
	struct transport	 tp;
	struct jconn		*conn;		/* NULL once it is gone */
	struct sess		*child;		/* NULL once the child let go */
	struct jlink		*next;		/* conn's list, in open order */
	LIBSSH2_CHANNEL		*ch;
	char			*host;		/* where the channel goes */
	int			 port;
	enum link_state		 st;
	int			 eof;		/* the channel's end was read */
	int			 full;		/* the mux left data unread */
	int			 lost;		/* failed with the connection */
	struct drove_err	 err;		/* why it failed */
	size_t			 inoff, inlen;
	size_t			 outoff, outlen;
	char			 in[LINK_BUF];
	char			 out[LINK_BUF];
};

struct jconn {
	struct job		 job;		/* the mux, run by sess */
	struct jump		*jm;
	struct jhopst		*hop;
	struct jconn		*next;		/* hop's list */
	struct sess		*sess;
	struct sess_cfg		 cfg;
	struct jlink		*links;
	size_t			 nlinks;
	enum mux_op		 op;		/* half-sent: again first */
	struct jlink		*oplink;
	size_t			 wlen;		/* of the pending write */
	struct jlink		*opening;	/* open waiting for its answer */
	int			 started;
	int			 ready;		/* authenticated */
	int			 retired;	/* the mux finished */
	char			 label[300];	/* in the host key question */
};

/* A jump host (by chain key) as this shard sees it. */
struct jhopst {
	struct jhopst		*next;
	struct jump		*jm;
	struct pace		 pace;		/* connect tokens */
	struct loop_timer	 pace_timer;	/* retry when tokens grew */
	const struct jhop	*hop;		/* lent by a host */
	struct jconn		*conns;
	size_t			 users;		/* hosts not yet ended */
	unsigned int		 starting;	/* connections before auth */
	int			 failed;
	struct drove_err	 err;		/* "via NAME: ..." */
};

struct jump {
	const struct sess_cfg	*cfg;
	unsigned int		 cap;
	double			 rate;
	unsigned int		 max_startups;
	struct jhopst		*hops;
	size_t			 nconns;
	int			 zero;		/* never paused */
	int			 nullfd;	/* the links' lsfd */
};

static const struct transport_ops link_ops;
static const struct job_ops mux_ops;
static const struct sess_ops conn_ops;

/* Copy one hop of a spec chain, then the ones before it. */
int
jhop_copy(const struct drove_hostspec *spec, struct jhop **out,
    struct drove_err *e)
{
	const struct drove_hostspec *j = spec->jump;
	struct jhop *h = NULL;
	size_t n;
	int r;

	*out = NULL;
	if (j == NULL)
		return 0;
	if (j->name == NULL || *j->name == '\0' || j->port < 0 ||
	    j->port > 65535)
		return err_set(e, DROVE_E_INVAL, "%s: bad jump host",
		    spec->name);
	if ((h = calloc(1, sizeof *h)) == NULL)
		goto nomem;
	h->port = j->port > 0 ? j->port : 22;
	if ((h->name = strdup(j->name)) == NULL || (h->address =
	    strdup(j->address ? j->address : j->name)) == NULL ||
	    (j->user != NULL && (h->user = strdup(j->user)) == NULL) ||
	    (j->key != NULL && (h->keypath = strdup(j->key)) == NULL))
		goto nomem;
	if ((r = jhop_copy(j, &h->via, e)) != 0) {
		jhop_free(h);
		return r;
	}
	/* only the first hop connects on its own; ssh ignores the others'
	 * ProxyCommand too */
	if (h->via == NULL && j->proxy_command != NULL &&
	    (h->proxy_command = strdup(j->proxy_command)) == NULL)
		goto nomem;
	n = (h->via ? strlen(h->via->key) + 1 : 0) + (h->user ?
	    strlen(h->user) + 1 : 0) + strlen(h->address) + 8 +
	    (h->proxy_command ? strlen(h->proxy_command) + 3 : 0);
	if ((h->key = malloc(n)) == NULL)
		goto nomem;
	snprintf(h->key, n, "%s%s%s%s%s:%d%s%s%s", h->via ? h->via->key : "",
	    h->via ? "," : "", h->user ? h->user : "", h->user ? "@" : "",
	    h->address, h->port, h->proxy_command ? " (" : "",
	    h->proxy_command ? h->proxy_command : "",
	    h->proxy_command ? ")" : "");
	*out = h;
	return 0;
 nomem:
	jhop_free(h);
	return err_set(e, DROVE_E_NOMEM, "out of memory");
}

/* FNV-1a of the hop's key. */
unsigned int
jhop_hash(const struct jhop *h)
{
	const unsigned char *p;
	unsigned int v = 2166136261u;

	for (p = (const unsigned char *)h->key; *p != '\0'; p++)
		v = (v ^ *p) * 16777619u;
	return v;
}

/* Free a chain. */
void
jhop_free(struct jhop *h)
{
	if (h == NULL)
		return;
	jhop_free(h->via);
	free(h->proxy_command);
	free(h->name);
	free(h->address);
	free(h->user);
	free(h->keypath);
	free(h->key);
	free(h);
}

/* Make the shard's jump state. */
struct jump *
jump_new(const struct sess_cfg *cfg, unsigned int cap, double rate,
    unsigned int max_startups)
{
	struct jump *jm;

	if ((jm = calloc(1, sizeof *jm)) == NULL)
		return NULL;
	if ((jm->nullfd = open("/dev/null", O_RDWR | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		free(jm);
		return NULL;
	}
	jm->cfg = cfg;
	jm->cap = cap > 0 ? cap : 1;
	jm->rate = rate;
	jm->max_startups = max_startups;
	return jm;
}

/* Free the shard's jump state (every connection is gone). */
void
jump_free(struct jump *jm)
{
	struct jhopst *hs, *next;

	if (jm == NULL)
		return;
	for (hs = jm->hops; hs != NULL; hs = next) {
		next = hs->next;
		loop_timer_stop(jm->cfg->loop, &hs->pace_timer);
		free(hs);
	}
	close(jm->nullfd);
	free(jm);
}

/* Whether no connection is open. */
int
jump_idle(const struct jump *jm)
{
	return jm == NULL || jm->nconns == 0;
}

static void	hop_start_waiting(struct jump *, struct jhopst *);

/* The pace timer: tokens have grown, start what waits. */
static void
hop_pace_cb(struct loop *l, void *arg)
{
	struct jhopst *hs = arg;

	(void)l;
	hop_start_waiting(hs->jm, hs);
}

/* The shard's record of hop, made on first use; NULL: no memory. */
static struct jhopst *
hop_get(struct jump *jm, const struct jhop *hop)
{
	struct jhopst *hs;

	for (hs = jm->hops; hs != NULL; hs = hs->next)
		if (strcmp(hs->hop->key, hop->key) == 0)
			return hs;
	if ((hs = calloc(1, sizeof *hs)) == NULL)
		return NULL;
	hs->jm = jm;
	pace_init(&hs->pace, 0);	/* full: made before the loop runs */
	loop_timer_init(&hs->pace_timer, hop_pace_cb, hs);
	hs->hop = hop;
	hs->next = jm->hops;
	jm->hops = hs;
	return hs;
}

/* A host going through hop (and the hops before it) was given. */
int
jump_want(struct jump *jm, const struct jhop *hop)
{
	struct jhopst *hs;

	for (; hop != NULL; hop = hop->via) {
		if ((hs = hop_get(jm, hop)) == NULL)
			return DROVE_E_NOMEM;
		hs->users++;
	}
	return 0;
}

/* Start connections of hs that wait for their turn. */
static void
hop_start_waiting(struct jump *jm, struct jhopst *hs)
{
	struct jconn *c;

	for (c = hs->conns; c != NULL; c = c->next) {
		if (c->started || c->sess->state >= SESS_CLOSE)
			continue;
		if (hs->failed) {
			/* tried once: those not started fail with it */
			sess_lost(c->sess, hs->err.code, hs->err.msg);
			continue;
		}
		if (jm->max_startups > 0 && hs->starting >= jm->max_startups)
			return;
		if (!pace_take(&hs->pace, jm->rate,
		    loop_now(jm->cfg->loop))) {
			if (!loop_timer_active(&hs->pace_timer))
				loop_timer_start(jm->cfg->loop,
				    &hs->pace_timer,
				    (uint64_t)(1000.0 / jm->rate) + 1);
			return;
		}
		c->started = 1;
		hs->starting++;
		sess_start(c->sess);
	}
}

/* A host going through hop ended: when none is left, its connections
 * close (their children are all gone). */
void
jump_unwant(struct jump *jm, const struct jhop *hop)
{
	struct jhopst *hs;
	struct jconn *c;

	for (; hop != NULL; hop = hop->via) {
		if ((hs = hop_get(jm, hop)) == NULL || hs->users == 0)
			continue;
		if (--hs->users > 0)
			continue;
		for (c = hs->conns; c != NULL; c = c->next) {
			if (c->sess->state == SESS_JOB)
				sess_wake(c->sess);
			else
				sess_cancel(c->sess, "not needed");
		}
	}
}

/* Fail link l (its err is set) and tell its child. */
static void
link_fail(struct jlink *l)
{
	l->st = LINK_FAILED;
	if (l->child != NULL)
		sess_wake(l->child);
}

/* Free a link's memory. */
static void
link_release(struct jlink *l)
{
	free(l->host);
	free(l);
}

/* Unlink and free a link: its child has let go, its channel is gone. */
static void
link_unlink(struct jconn *c, struct jlink *l)
{
	struct jlink **pp;

	for (pp = &c->links; *pp != NULL; pp = &(*pp)->next)
		if (*pp == l) {
			*pp = l->next;
			break;
		}
	c->nlinks--;
	link_release(l);
}

/* Make a connection to hs (started now, or when pacing lets it). */
static struct jconn *
conn_new(struct jump *jm, struct jhopst *hs, struct drove_err *e)
{
	const struct jhop *hop = hs->hop;
	struct drove_hostspec spec;
	struct jconn *c;

	if ((c = calloc(1, sizeof *c)) == NULL) {
		err_set(e, DROVE_E_NOMEM, "out of memory");
		return NULL;
	}
	c->jm = jm;
	c->hop = hs;
	c->job.ops = &mux_ops;
	/* the jump host is no job to pause, time out or keyscan */
	c->cfg = *jm->cfg;
	c->cfg.paused = &jm->zero;
	c->cfg.keyscan = 0;
	c->cfg.command_timeout_ms = 0;
	snprintf(c->label, sizeof c->label, "%s (jump host)", hop->name);
	memset(&spec, 0, sizeof spec);
	spec.name = hop->name;
	spec.address = hop->address;
	spec.port = hop->port;
	spec.user = hop->user;
	if ((c->sess = sess_new(&c->cfg, &conn_ops, c, &spec, &c->job)) ==
	    NULL) {
		free(c);
		err_set(e, DROVE_E_NOMEM, "out of memory");
		return NULL;
	}
	c->sess->ident = hop->ident;
	c->sess->label = c->label;
	if ((hop->via != NULL && jump_attach(jm, c->sess, hop->via, e) != 0) ||
	    (hop->proxy_command != NULL && proxycmd_attach(c->sess,
	    hop->proxy_command, hop->name, e) != 0)) {
		c->sess->job = NULL;
		sess_free(c->sess);
		free(c);
		return NULL;
	}
	c->next = hs->conns;
	hs->conns = c;
	jm->nconns++;
	hop_start_waiting(jm, hs);
	return c;
}

/* Give s a link on a connection to hop with room. */
int
jump_attach(struct jump *jm, struct sess *s, const struct jhop *hop,
    struct drove_err *e)
{
	struct jhopst *hs;
	struct jconn *c;
	struct jlink *l, **pp;

	if ((hs = hop_get(jm, hop)) == NULL)
		return err_set(e, DROVE_E_NOMEM, "out of memory");
	if (hs->failed)
		return err_set(e, hs->err.code, "%s", hs->err.msg);
	for (c = hs->conns; c != NULL; c = c->next)
		if (!c->retired && c->sess->state < SESS_CLOSE &&
		    c->nlinks < jm->cap)
			break;
	if (c == NULL && (c = conn_new(jm, hs, e)) == NULL)
		return e->code;
	if ((l = calloc(1, sizeof *l)) == NULL)
		return err_set(e, DROVE_E_NOMEM, "out of memory");
	if ((l->host = strdup(s->address)) == NULL) {
		free(l);
		return err_set(e, DROVE_E_NOMEM, "out of memory");
	}
	l->port = s->port;
	l->tp.ops = &link_ops;
	l->tp.lsfd = jm->nullfd;
	l->conn = c;
	l->child = s;
	for (pp = &c->links; *pp != NULL; pp = &(*pp)->next)
		;
	*pp = l;
	c->nlinks++;
	s->tp = &l->tp;
	if (c->ready)
		sess_wake(c->sess);
	return 0;
}

/* The child's libssh2 reads: what the mux already read, or EAGAIN. */
static ssize_t
link_recv(struct transport *tp, void *buf, size_t len)
{
	struct jlink *l = (struct jlink *)tp;
	size_t n;

	if (l->inlen > 0) {
		n = len < l->inlen ? len : l->inlen;
		memcpy(buf, l->in + l->inoff, n);
		l->inoff += n;
		l->inlen -= n;
		if (l->inlen == 0)
			l->inoff = 0;
		if (l->full && l->conn != NULL) {
			l->full = 0;
			sess_wake(l->conn->sess);
		}
		return (ssize_t)n;
	}
	if (l->st == LINK_FAILED || l->conn == NULL)
		return -ECONNRESET;
	return l->eof ? 0 : -EAGAIN;
}

/* The child's libssh2 writes: into the out buffer, for the mux. */
static ssize_t
link_send(struct transport *tp, const void *buf, size_t len)
{
	struct jlink *l = (struct jlink *)tp;
	struct jconn *c = l->conn;
	size_t room;

	if (l->st == LINK_FAILED || c == NULL)
		return -EPIPE;
	if (l->outoff > 0 && !(c->op == OP_WRITE && c->oplink == l)) {
		/* nothing of it is half-sent: move it to the front */
		memmove(l->out, l->out + l->outoff, l->outlen);
		l->outoff = 0;
	}
	room = LINK_BUF - l->outoff - l->outlen;
	if (room == 0)
		return -EAGAIN;
	if (len > room)
		len = room;
	memcpy(l->out + l->outoff + l->outlen, buf, len);
	l->outlen += len;
	sess_wake(c->sess);
	return (ssize_t)len;
}

/* CONNECT: wait until the mux opened the channel, or failed to. */
static int
link_open(struct transport *tp, struct sess *s)
{
	struct jlink *l = (struct jlink *)tp;

	if (l->st == LINK_FAILED)
		return err_set(&s->err, l->err.code, "%s", l->err.msg);
	return l->st == LINK_OPEN ? 0 : DROVE_AGAIN;
}

/* The child lets go: the mux closes the channel and frees the link. */
static void
link_close(struct transport *tp, struct sess *s)
{
	struct jlink *l = (struct jlink *)tp;

	(void)s;
	if (l->child == NULL)
		return;
	l->child = NULL;
	if (l->conn != NULL)
		sess_wake(l->conn->sess);
}

/* Free the link unless its connection still has to close the channel. */
static void
link_free(struct transport *tp)
{
	struct jlink *l = (struct jlink *)tp;

	link_close(tp, NULL);
	if (l->conn == NULL)
		link_release(l);
}

static const struct transport_ops link_ops = {
	.recv = link_recv,
	.send = link_send,
	.open = link_open,
	.close = link_close,
	.free = link_free,
};

/* The text of libssh2's last error. */
static const char *
ls_msg(struct sess *s)
{
	char *msg = NULL;

	libssh2_session_last_error(s->ls, &msg, NULL, 0);
	return msg != NULL ? msg : "";
}

/* Whether rc says the connection itself failed (not one channel). */
static int
conn_broken(int rc)
{
	return rc == LIBSSH2_ERROR_SOCKET_RECV ||
	    rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
	    rc == LIBSSH2_ERROR_SOCKET_TIMEOUT ||
	    rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_BAD_USE ||
	    rc == LIBSSH2_ERROR_DECRYPT || rc == LIBSSH2_ERROR_PROTO ||
	    rc == LIBSSH2_ERROR_ALLOC;
}

/* The connection failed: the session's error, for its children. */
static int
conn_error(struct jconn *c, struct sess *s, int rc, const char *doing)
{
	(void)c;
	if (rc == LIBSSH2_ERROR_SOCKET_RECV ||
	    rc == LIBSSH2_ERROR_SOCKET_DISCONNECT)
		return err_set(&s->err, DROVE_E_UNREACHABLE, "connection to "
		    "%s port %d lost while %s: closed by the other side",
		    s->address, s->port, doing);
	return err_set(&s->err, DROVE_E_UNREACHABLE,
	    "connection to %s port %d lost while %s: %s (%d)", s->address,
	    s->port, doing, ls_msg(s), rc);
}

/* Whether libssh2 holds data or an EOF for l that epoll cannot show. */
static int
link_hidden(const struct jlink *l)
{
	unsigned long avail = 0;

	if (l->st != LINK_OPEN || l->eof || l->child == NULL || l->ch == NULL)
		return 0;
	libssh2_channel_window_read_ex(l->ch, &avail, NULL);
	return avail > 0 || libssh2_channel_eof(l->ch) == 1;
}

/* Read what the channels hold into their links. */
static int
mux_read(struct jconn *c, struct sess *s)
{
	size_t budget = MUX_READ_CAP, room;
	struct jlink *l;
	ssize_t n;
	char none[1];

	/* one read pulls everything the socket has into libssh2 */
	for (l = c->links; l != NULL; l = l->next)
		if (l->st == LINK_OPEN && l->ch != NULL && !l->eof) {
			n = libssh2_channel_read(l->ch, none, 0);
			if (n < 0 && conn_broken((int)n))
				return conn_error(c, s, (int)n, "reading");
			break;
		}
	for (l = c->links; l != NULL && budget > 0; l = l->next) {
		if (!link_hidden(l))
			continue;
		if (l->inoff > 0 && l->inoff + l->inlen == LINK_BUF) {
			memmove(l->in, l->in + l->inoff, l->inlen);
			l->inoff = 0;
		}
		room = LINK_BUF - l->inoff - l->inlen;
		if (room == 0) {
			l->full = 1;
			continue;
		}
		n = libssh2_channel_read(l->ch, l->in + l->inoff + l->inlen,
		    room);
		if (n > 0) {
			l->inlen += (size_t)n;
			budget -= (size_t)n < budget ? (size_t)n : budget;
			sess_wake(l->child);
			continue;
		}
		if (n < 0 && conn_broken((int)n))
			return conn_error(c, s, (int)n, "reading");
		if (n == 0 || (n != LIBSSH2_ERROR_EAGAIN &&
		    n != LIBSSH2_ERROR_SOCKET_SEND) ||
		    libssh2_channel_eof(l->ch) == 1) {
			/* the bastion closed the target's connection */
			l->eof = 1;
			sess_wake(l->child);
		}
	}
	return 0;
}

/* Open l's channel to its child's host (made again, the same way, while
 * libssh2 waits for the answer, even after the child left). */
static int
mux_open(struct jconn *c, struct jlink *l, struct sess *s)
{
	const char *m;
	int rc;

	l->ch = libssh2_channel_direct_tcpip_ex(s->ls, l->host, l->port,
	    "127.0.0.1", 22);
	if (l->ch != NULL) {
		c->opening = NULL;
		l->st = LINK_OPEN;
		if (l->child != NULL)
			sess_wake(l->child);
		return 0;
	}
	rc = libssh2_session_last_errno(s->ls);
	if (rc == LIBSSH2_ERROR_EAGAIN) {
		c->opening = l;
		return DROVE_AGAIN;
	}
	c->opening = NULL;
	if (conn_broken(rc))
		return conn_error(c, s, rc, "opening a channel");
	m = ls_msg(s);
	if (strstr(m, "prohibited") != NULL)
		err_set(&l->err, DROVE_E_CHANNEL, "via %s: %s does not "
		    "forward to %s port %d: %s (AllowTcpForwarding no?)",
		    s->name, s->name, l->host, l->port, m);
	else
		err_set(&l->err, DROVE_E_UNREACHABLE, "via %s: connect to %s "
		    "port %d failed: %s", s->name, l->host, l->port, m);
	link_fail(l);
	return 0;
}

/* Write what l's child sent, within the channel's window. */
static int
mux_write(struct jconn *c, struct jlink *l, struct sess *s)
{
	unsigned long win;
	ssize_t n;

	if (c->wlen == 0) {
		win = libssh2_channel_window_write(l->ch);
		c->wlen = l->outlen < win ? l->outlen : win;
		if (c->wlen > MUX_WRITE_MAX)
			c->wlen = MUX_WRITE_MAX;
		if (c->wlen == 0)
			return 0;
	}
	n = libssh2_channel_write(l->ch, l->out + l->outoff, c->wlen);
	if (n == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	c->wlen = 0;
	if (n < 0 && conn_broken((int)n))
		return conn_error(c, s, (int)n, "writing");
	if (n < 0) {
		err_set(&l->err, DROVE_E_UNREACHABLE, "via %s: the "
		    "connection to %s port %d closed: %s", s->name, l->host,
		    l->port, ls_msg(s));
		link_fail(l);
		return 0;
	}
	l->outoff += (size_t)n;
	l->outlen -= (size_t)n;
	if (l->outlen == 0)
		l->outoff = 0;
	if (l->child != NULL)
		sess_wake(l->child);
	return 0;
}

/* Close the channel of a link whose child left. */
static int
mux_close(struct jconn *c, struct jlink *l, struct sess *s)
{
	int rc;

	rc = libssh2_channel_close(l->ch);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	if (rc < 0 && conn_broken(rc))
		return conn_error(c, s, rc, "closing a channel");
	libssh2_channel_free(l->ch);
	l->ch = NULL;
	return 0;
}

/* The operation l wants next; OP_NONE for none. */
static enum mux_op
mux_want(struct jconn *c, struct jlink *l)
{
	if (l->st == LINK_WAIT)
		return (c->opening == NULL && l->child != NULL) ||
		    c->opening == l ? OP_OPEN : OP_NONE;
	if (l->ch == NULL)
		return OP_NONE;
	if (l->st == LINK_FAILED)
		return OP_CLOSE;
	/* what a child sent before it left (its disconnect) goes first */
	if (l->outlen > 0 && libssh2_channel_window_write(l->ch) > 0)
		return OP_WRITE;
	return l->child == NULL ? OP_CLOSE : OP_NONE;
}

/* Run operation op for l. */
static int
mux_op(struct jconn *c, struct jlink *l, enum mux_op op, struct sess *s)
{
	switch (op) {
	case OP_OPEN:
		return mux_open(c, l, s);
	case OP_WRITE:
		return mux_write(c, l, s);
	case OP_CLOSE:
		return mux_close(c, l, s);
	case OP_NONE:
		break;
	}
	return 0;
}

/* Whether the last call left a packet half-sent. */
static int
half_sent(struct sess *s)
{
	return (libssh2_session_block_directions(s->ls) &
	    LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
}

/* Send for every link, one operation in flight at a time. */
static int
mux_send(struct jconn *c, struct sess *s)
{
	struct jlink *l, *next;
	enum mux_op op;
	int rc, rounds;

	if (c->op != OP_NONE) {
		rc = mux_op(c, c->oplink, c->op, s);
		if (rc == DROVE_AGAIN && half_sent(s))
			return DROVE_AGAIN;
		if (rc < 0 && rc != DROVE_AGAIN)
			return rc;
		if (rc == DROVE_AGAIN && c->op == OP_WRITE)
			c->wlen = 0;	/* nothing was queued */
		c->op = OP_NONE;
	}
	for (l = c->links; l != NULL; l = next) {
		next = l->next;
		for (rounds = 0; rounds < 4 &&
		    (op = mux_want(c, l)) != OP_NONE; rounds++) {
			rc = mux_op(c, l, op, s);
			if (rc == DROVE_AGAIN && half_sent(s)) {
				c->op = op;
				c->oplink = l;
				return DROVE_AGAIN;
			}
			if (rc == DROVE_AGAIN) {
				if (op == OP_WRITE)
					c->wlen = 0;
				break;
			}
			if (rc < 0)
				return rc;
		}
		if (l->child == NULL && l->ch == NULL && c->opening != l)
			link_unlink(c, l);
	}
	return 0;
}

/* Whether the connection is no longer needed. */
static int
conn_unneeded(const struct jconn *c)
{
	return c->nlinks == 0 && c->hop->users == 0;
}

/* The mux: read, send, close unneeded channels; ends with no links
 * left and no host that still needs the jump host. */
static int
mux_step(struct job *j, struct sess *s)
{
	struct jconn *c = (struct jconn *)j;
	int rc;

	if ((rc = mux_read(c, s)) < 0)
		return rc;
	if ((rc = mux_send(c, s)) < 0 && rc != DROVE_AGAIN)
		return rc;
	if (conn_unneeded(c) && c->op == OP_NONE) {
		c->retired = 1;
		return 0;
	}
	return DROVE_AGAIN;
}

/* Whether a channel holds what epoll cannot show, or a child's bytes
 * wait to be written. */
static int
mux_hidden(struct job *j)
{
	struct jconn *c = (struct jconn *)j;
	struct jlink *l;

	for (l = c->links; l != NULL; l = l->next)
		if ((link_hidden(l) && l->inoff + l->inlen < LINK_BUF) ||
		    (c->op == OP_NONE && l->st == LINK_OPEN &&
		    l->child != NULL && l->outlen > 0 && l->ch != NULL &&
		    libssh2_channel_window_write(l->ch) > 0))
			return 1;
	return 0;
}

/* Whether nothing is half-sent, so a keepalive may go. */
static int
mux_idle(struct job *j)
{
	return ((struct jconn *)j)->op == OP_NONE;
}

/* The session tears down: its channels go with its libssh2 session. */
static void
mux_free(struct job *j, int abort)
{
	struct jconn *c = (struct jconn *)j;
	struct jlink *l;

	(void)abort;
	for (l = c->links; l != NULL; l = l->next)
		l->ch = NULL;
	c->op = OP_NONE;
	c->opening = NULL;
}

static const struct job_ops mux_ops = {
	.step = mux_step,
	.hidden_input = mux_hidden,
	.idle = mux_idle,
	.free = mux_free,
};

/* A jump host's session has no output. */
static void
conn_output(void *owner, int stream, const char *data, size_t len)
{
	(void)owner;
	(void)stream;
	(void)data;
	(void)len;
}

/* A jump host's warning goes to the first host behind it. */
static void
conn_warn(void *owner, const char *msg)
{
	struct jconn *c = owner;
	struct jlink *l;

	for (l = c->links; l != NULL; l = l->next)
		if (l->child != NULL) {
			l->child->ops->warn(l->child->owner, msg);
			return;
		}
}

/* Authenticated: open channels; let the next connection start; hosts
 * that waited for the answer about its key go on waiting for a channel. */
static void
conn_ready(void *owner)
{
	struct jconn *c = owner;
	struct jlink *l;

	for (l = c->links; l != NULL; l = l->next)
		if (l->child != NULL && l->child->state == SESS_CONNECT &&
		    l->child->held) {
			l->child->held = 0;
			l->child->keyholder = NULL;
			sess_wake(l->child);
		}
	c->ready = 1;
	if (c->hop->starting > 0)
		c->hop->starting--;
	hop_start_waiting(c->jm, c->hop);
}

/*
 * The jump host's key is unknown under ask: the hosts behind it wait for
 * the answer (held, so the question is not waiting for them), and the
 * first asks it in their stead, through the owner's question; a jump host
 * behind another one passes the first one's question on.
 */
static void
conn_held(void *owner)
{
	struct jconn *c = owner;
	struct sess *first = NULL;
	struct jlink *l;

	for (l = c->links; l != NULL; l = l->next)
		if (l->child != NULL && l->child->state == SESS_CONNECT) {
			l->child->held = 1;
			if (first == NULL)
				first = l->child;
		}
	if (first == NULL) {
		sess_hostkey_answer(c->sess, 0);
		return;
	}
	first->keyholder = sess_keyholder(c->sess);
	first->ops->held(first->owner);
}

/* Forget s as the jump host a held host asks about (s is going away). */
static void
jump_forget_keyholder(struct jump *jm, struct sess *s)
{
	struct jhopst *hs;
	struct jconn *c;
	struct jlink *l;

	for (hs = jm->hops; hs != NULL; hs = hs->next)
		for (c = hs->conns; c != NULL; c = c->next)
			for (l = c->links; l != NULL; l = l->next)
				if (l->child != NULL &&
				    l->child->keyholder == s)
					l->child->keyholder = NULL;
}

/* The connection ended: its children fail with its reason, and so will
 * every host that asks for its jump host later in the run. */
static void
conn_done(void *owner, struct sess *s)
{
	struct jconn *c = owner, **pp;
	struct jhopst *hs = c->hop;
	struct jump *jm = c->jm;
	struct jlink *l, *next;
	const struct jlink *own = (const struct jlink *)s->tp;
	struct drove_err why;
	int code = s->err.code;
	const char *msg;

	if (!c->started && hs->failed)
		why = hs->err;		/* never started: the hop failed */
	else if (code == 0)
		err_set(&why, DROVE_E_UNREACHABLE, "via %s: the connection "
		    "closed", s->name);
	else if (own != NULL && own->lost)
		why = s->err;
	else
		err_set(&why, code, "via %s: %s", s->name, s->err.msg);
	code = why.code;
	msg = why.msg;
	if (s->err.code != 0 && !hs->failed) {
		hs->failed = 1;
		hs->err = why;
	}
	if (!c->ready && c->started && hs->starting > 0)
		hs->starting--;
	LOG("%s: jump connection done (%zu links): %s", s->name, c->nlinks,
	    msg);
	jump_forget_keyholder(jm, s);
	for (l = c->links; l != NULL; l = next) {
		next = l->next;
		l->conn = NULL;
		l->ch = NULL;
		if (l->child == NULL) {
			link_release(l);
			continue;
		}
		l->lost = 1;
		err_set(&l->err, code, "%s", msg);
		link_fail(l);
		sess_lost(l->child, code, msg);
	}
	c->links = NULL;
	for (pp = &hs->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	sess_free(s);
	free(c);
	if (--jm->nconns == 0)
		loop_wake(jm->cfg->loop);	/* the run may be over */
	hop_start_waiting(jm, hs);
}

static const struct sess_ops conn_ops = {
	.output = conn_output,
	.warn = conn_warn,
	.ready = conn_ready,
	.held = conn_held,
	.done = conn_done,
};
