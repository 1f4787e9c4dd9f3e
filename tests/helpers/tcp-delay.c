/*
 * tcp-delay.c: a loopback TCP proxy that delays every byte, so that round
 * trips on loopback cost what they cost on a network (the kernel here has no
 * netem).
 *
 * Usage: tcp-delay [-d MS] -t PORT [-t PORT...]
 * For each -t PORT (up to LISTEN_MAX), listens on a port of 127.0.0.1 that
 * the kernel chooses and prints it on one line, in the order of the -t
 * options; forwards each connection to 127.0.0.1:PORT, delaying each
 * direction by -d MS (default 25) milliseconds.  The connection to the
 * target is made MS after the client's connection arrives (the SYN's trip),
 * so a server's banner reaches the client 2*MS after connect, as on a
 * network with a 2*MS round trip.
 *
 * One thread, one epoll set.  Each chunk read is queued with its due time
 * (arrival + MS); since the delay is constant, due times are in arrival
 * order, so one global list in arrival order (the timeline) is also in due
 * order and the loop sleeps until its head.  A chunk leaves its
 * direction's queue, in order, once due and written.  A side whose
 * outgoing queue holds more than QUEUE_MAX bytes is not read until the
 * queue drains (backpressure).  End of file is queued like data and becomes
 * shutdown(SHUT_WR) on the other side when due (half-close); a pair is
 * closed once both directions have delivered their end of file, or at once
 * on any error.  Closed pairs are freed after the current batch of events.
 * Exits 1 on setup errors.
 */
#define _GNU_SOURCE		/* accept4 */

#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

#define QUEUE_MAX	(1024 * 1024)
#define READ_MAX	(64 * 1024)
#define EVENTS_MAX	256
#define LISTEN_MAX	64

enum chunk_kind { CHUNK_CONNECT, CHUNK_DATA, CHUNK_EOF };

struct dir;

/* Bytes (or an end of file, or the target connect) due at a time. */
struct chunk {
	enum chunk_kind	 kind;
	int64_t		 due;		/* microseconds, monotonic */
	struct dir	*dir;
	struct chunk	*next;		/* in the direction's queue */
	struct chunk	*tl_prev;	/* in the timeline, while not due */
	struct chunk	*tl_next;
	int		 timed;		/* linked in the timeline */
	size_t		 len;
	size_t		 off;
	unsigned char	 data[];
};

/* One socket of a pair. */
struct side {
	int		 fd;
	uint32_t	 mask;		/* epoll interest now registered */
	int		 connecting;
	struct pair	*pair;		/* NULL for the listener */
};

/* One direction of a pair: what src sent, queued for dst. */
struct dir {
	struct side	*src;
	struct side	*dst;
	struct chunk	*head;
	struct chunk	*tail;
	size_t		 queued;
	int		 eof_read;
	int		 eof_sent;
	int		 blocked;	/* a due chunk waits for dst writable */
};

/* A client connection and its connection to the target. */
struct pair {
	struct side	 client;
	struct side	 target;
	struct dir	 up;		/* client to target */
	struct dir	 down;		/* target to client */
	int		 port;		/* the target's */
	int		 dead;
	struct pair	*next_dead;
};

static int		 ep = -1;
static int64_t		 delay_us;
static struct side	 listeners[LISTEN_MAX];
static int		 targets[LISTEN_MAX];	/* port of each listener's */
static int		 nlisteners;
static struct chunk	*tl_head, *tl_tail;
static struct pair	*dead_list;
static int		 accept_paused;

static void	pair_kill(struct pair *);
static void	dir_flush(struct dir *);

/* Set side s's epoll interest to MASK (data.ptr is s). */
static void
side_watch(struct side *s, uint32_t mask)
{
	relay_watch(ep, s->fd, &s->mask, mask, s, "tcp-delay");
}

/* Register the interest side s needs: read unless its queue is full, write
 * while connecting or while a due chunk waits for it. */
static void
side_update(struct side *s)
{
	struct pair *p = s->pair;
	struct dir *out = s == &p->client ? &p->up : &p->down;
	struct dir *in = s == &p->client ? &p->down : &p->up;
	uint32_t mask = 0;

	if (p->dead)
		return;
	if (s->connecting)
		mask |= EPOLLOUT;
	else if (!out->eof_read && out->queued < QUEUE_MAX)
		mask |= EPOLLIN;
	if (in->blocked)
		mask |= EPOLLOUT;
	side_watch(s, mask);
}

/* Unlink chunk c from the timeline, if it is there. */
static void
timeline_unlink(struct chunk *c)
{
	if (!c->timed)
		return;
	if (c->tl_prev != NULL)
		c->tl_prev->tl_next = c->tl_next;
	else
		tl_head = c->tl_next;
	if (c->tl_next != NULL)
		c->tl_next->tl_prev = c->tl_prev;
	else
		tl_tail = c->tl_prev;
	c->timed = 0;
}

/* Queue a chunk of KIND with LEN bytes of DATA on d, due in delay_us. */
static int
dir_push(struct dir *d, enum chunk_kind kind, const void *data, size_t len)
{
	struct chunk *c;

	if ((c = malloc(sizeof(*c) + len)) == NULL)
		return -1;
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->due = now_us() + delay_us;
	c->dir = d;
	c->len = len;
	if (len > 0)
		memcpy(c->data, data, len);
	if (d->tail != NULL)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
	d->queued += len;
	c->tl_prev = tl_tail;
	if (tl_tail != NULL)
		tl_tail->tl_next = c;
	else
		tl_head = c;
	tl_tail = c;
	c->timed = 1;
	return 0;
}

/* Drop the head chunk of d. */
static void
dir_pop(struct dir *d)
{
	struct chunk *c = d->head;

	timeline_unlink(c);
	d->head = c->next;
	if (d->head == NULL)
		d->tail = NULL;
	d->queued -= c->len;
	free(c);
}

/* Start the connection to the target for pair p; 0 or -1. */
static int
pair_connect(struct pair *p)
{
	struct sockaddr_in sin;
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	loopback_addr(&sin, p->port);
	p->target.fd = fd;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	p->target.connecting = 1;
	side_update(&p->target);
	return 0;
}

/* Write chunk c to fd; 1 when it is all written, 0 to wait, -1 on error. */
static int
chunk_write(struct chunk *c, int fd)
{
	ssize_t n;

	while (c->off < c->len) {
		n = send(fd, c->data + c->off, c->len - c->off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno == EAGAIN ? 0 : -1;
		c->off += (size_t)n;
	}
	return 1;
}

/* Deliver the due chunks of d, in order, as far as dst takes them. */
static void
dir_flush(struct dir *d)
{
	struct pair *p = d->src->pair;
	int64_t now = now_us();
	struct chunk *c;
	int r;

	d->blocked = 0;
	while ((c = d->head) != NULL && c->due <= now && !p->dead) {
		if (c->kind == CHUNK_CONNECT) {
			if (p->target.fd == -1 && pair_connect(p) == -1) {
				pair_kill(p);
				return;
			}
			if (p->target.connecting)
				return;
		} else if (c->kind == CHUNK_EOF) {
			shutdown(d->dst->fd, SHUT_WR);
			d->eof_sent = 1;
		} else if ((r = chunk_write(c, d->dst->fd)) == -1) {
			pair_kill(p);
			return;
		} else if (r == 0) {
			d->blocked = 1;
			break;
		}
		dir_pop(d);
	}
	if (p->up.eof_sent && p->down.eof_sent) {
		pair_kill(p);
		return;
	}
	side_update(d->src);
	side_update(d->dst);
}

/* Close pair p now and free it after the current batch of events. */
static void
pair_kill(struct pair *p)
{
	int i;

	if (p->dead)
		return;
	side_watch(&p->client, 0);
	side_watch(&p->target, 0);
	close(p->client.fd);
	if (p->target.fd != -1)
		close(p->target.fd);
	while (p->up.head != NULL)
		dir_pop(&p->up);
	while (p->down.head != NULL)
		dir_pop(&p->down);
	p->dead = 1;
	p->next_dead = dead_list;
	dead_list = p;
	if (accept_paused) {
		accept_paused = 0;
		for (i = 0; i < nlisteners; i++)
			side_watch(&listeners[i], EPOLLIN);
	}
}

/* Read what side s has into its outgoing direction. */
static void
side_read(struct side *s)
{
	static unsigned char buf[READ_MAX];
	struct pair *p = s->pair;
	struct dir *d = s == &p->client ? &p->up : &p->down;
	ssize_t n;

	while (!d->eof_read && d->queued < QUEUE_MAX) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1 || dir_push(d, n == 0 ? CHUNK_EOF : CHUNK_DATA,
		    buf, (size_t)n) == -1) {
			pair_kill(p);
			return;
		}
		if (n == 0)
			d->eof_read = 1;
	}
	side_update(s);
}

/* Finish the target connect of pair p. */
static void
target_connected(struct pair *p)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(p->target.fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    err != 0) {
		pair_kill(p);
		return;
	}
	p->target.connecting = 0;
	dir_flush(&p->up);
}

/* Accept every pending connection on listener l and queue its target
 * connect. */
static void
listener_accept(struct side *l)
{
	struct pair *p;
	int fd, i, one = 1;

	for (;;) {
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE) {
				/* Resumed when a pair closes. */
				accept_paused = 1;
				for (i = 0; i < nlisteners; i++)
					side_watch(&listeners[i], 0);
			}
			return;
		}
		if ((p = calloc(1, sizeof(*p))) == NULL) {
			close(fd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		p->client.fd = fd;
		p->port = targets[l - listeners];
		p->client.pair = p;
		p->target.fd = -1;
		p->target.pair = p;
		p->up.src = p->down.dst = &p->client;
		p->up.dst = p->down.src = &p->target;
		if (dir_push(&p->up, CHUNK_CONNECT, NULL, 0) == -1) {
			close(fd);
			free(p);
			continue;
		}
		side_update(&p->client);
	}
}

/* Handle epoll events for side s. */
static void
side_event(struct side *s, uint32_t events)
{
	struct pair *p = s->pair;
	struct dir *in;

	if (p == NULL) {
		listener_accept(s);
		return;
	}
	if (p->dead)
		return;
	in = s == &p->client ? &p->down : &p->up;
	if (s->connecting) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			target_connected(p);
		return;
	}
	if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && in->blocked)
		dir_flush(in);
	if (!p->dead && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
		side_read(s);
}

/* Flush the directions whose timeline chunks are due. */
static void
timeline_run(void)
{
	int64_t now = now_us();
	struct chunk *c;

	while ((c = tl_head) != NULL && c->due <= now) {
		timeline_unlink(c);
		dir_flush(c->dir);
	}
}

/* Milliseconds until the timeline's head is due, or -1 for none. */
static int
timeline_wait_ms(void)
{
	int64_t left;

	if (tl_head == NULL)
		return -1;
	left = tl_head->due - now_us();
	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/* Free the pairs killed during the last batch of events. */
static void
dead_free(void)
{
	struct pair *p;

	while ((p = dead_list) != NULL) {
		dead_list = p->next_dead;
		free(p);
	}
}

/* Add a listener on 127.0.0.1 for the target port and print its port; 0 or
 * -1. */
static int
listen_loopback(int target)
{
	int fd;

	if ((fd = relay_listen(65535, NULL, "tcp-delay")) == -1)
		return -1;
	listeners[nlisteners].fd = fd;
	targets[nlisteners++] = target;
	return 0;
}

/* Raise the open file limit to its hard maximum. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[EVENTS_MAX];
	int ch, i, n, want[LISTEN_MAX], nwant = 0;
	long ms = 25;

	while ((ch = getopt(argc, argv, "d:t:")) != -1) {
		switch (ch) {
		case 'd':
			ms = atol(optarg);
			break;
		case 't':
			if (nwant == LISTEN_MAX)
				goto usage;
			want[nwant] = atoi(optarg);
			if (want[nwant] <= 0 || want[nwant++] > 65535)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	if (nwant == 0 || ms < 0 || optind != argc)
		goto usage;
	delay_us = ms * 1000;
	raise_nofile();
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("tcp-delay: epoll_create1");
		return 1;
	}
	for (i = 0; i < nwant; i++) {
		if (listen_loopback(want[i]) == -1)
			return 1;
		side_watch(&listeners[i], EPOLLIN);
	}
	fflush(stdout);
	for (;;) {
		n = epoll_wait(ep, evs, EVENTS_MAX, timeline_wait_ms());
		if (n == -1 && errno != EINTR) {
			perror("tcp-delay: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++)
			side_event(evs[i].data.ptr, evs[i].events);
		timeline_run();
		dead_free();
	}
 usage:
	fprintf(stderr, "usage: tcp-delay [-d ms] -t port [-t port...]\n");
	return 1;
}
