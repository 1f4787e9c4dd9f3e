/*
 * faultproxy.c: a loopback TCP proxy that injects faults into chosen
 * connections on command, for the fault-injection tests (drove on one side,
 * a real sshd or dropbear on the other).
 *
 * Usage: faultproxy [-b BYTES] -c FIFO -t PORT
 * Listens on a port of 127.0.0.1 that the kernel picks and forwards each
 * connection to 127.0.0.1:PORT.  Prints, one per line, on stdout (line
 * buffered): the port first, then "open ID" when connection ID (1, 2, ... in
 * accept order) is made, "closed ID WHY up=N down=N" (the bytes passed each
 * way) when it ends, and the answers to commands.  -b sets SO_RCVBUF and
 * SO_SNDBUF of every socket to BYTES
 * (small buffers make a stalled or slow side fill up sooner).
 *
 * Commands are lines read from FIFO (opened read-write, so writers may come
 * and go).  Each is "TARGET VERB [DIR] [N]": TARGET is a connection ID, "*"
 * (every open connection) or "new" (every connection accepted from now on);
 * DIR is "up" (client to server), "down" (server to client) or "both".
 *   delay DIR MS     hold each chunk MS milliseconds before passing it on
 *   stall DIR        stop reading and writing DIR: the sender's buffers fill
 *                    and nothing arrives (a peer that went silent)
 *   rate DIR N       read DIR at most N bytes a second (a slow reader)
 *   resume DIR       undo stall and rate
 *   cut DIR N        close both sides (FIN) once N more bytes of DIR passed
 *   cutrst DIR N     the same with a reset (RST)
 *   close            close both sides now (FIN)
 *   rst              reset both sides now (SO_LINGER 0, so RST)
 *   stat             print "stat ID up=N down=N" (bytes passed so far)
 * Each command is answered with "cmd SEQ ok" or "cmd SEQ error: WHY", SEQ
 * counting command lines from 1, once it took effect.
 *
 * One thread, one epoll set, level-triggered.  Each direction keeps a queue
 * of chunks with their due times; a direction is read while its queue holds
 * less than QUEUE_MAX bytes (backpressure) and it is neither stalled nor out
 * of rate tokens.  End of file passes on as shutdown(SHUT_WR); a reset or
 * error on one side resets the other.  The loop sleeps until the next chunk
 * is due or, when a rate holds a direction back, one TICK_MS.
 */
#define _GNU_SOURCE		/* accept4 */

#include <sys/epoll.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "relay.h"

#define QUEUE_MAX	(1024 * 1024)
#define READ_MAX	(64 * 1024)
#define EVENTS_MAX	64
#define TICK_MS		10
#define LINE_MAX_	256

/* How a direction behaves (a connection's own, or the "new" defaults). */
struct dir_rules {
	int64_t		 delay_us;
	int		 stalled;
	int64_t		 rate;		/* bytes a second, 0: no limit */
	int64_t		 cut;		/* bytes left before a cut, -1: none */
	int		 cut_rst;
};

struct chunk {
	struct chunk	*next;
	int64_t		 due;		/* microseconds, monotonic */
	int		 eof;
	size_t		 len;
	size_t		 off;
	unsigned char	 data[];
};

struct side {
	int		 fd;
	uint32_t	 mask;		/* epoll interest registered */
};

/* What src sent, queued for dst. */
struct dir {
	struct side	*src;
	struct side	*dst;
	struct dir_rules r;
	struct chunk	*head;
	struct chunk	*tail;
	size_t		 queued;
	int64_t		 passed;	/* bytes written to dst */
	int64_t		 tokens;	/* rate allowance */
	int64_t		 refill;	/* when tokens were last added */
	int		 eof_read;
	int		 eof_sent;
	int		 blocked;	/* dst is full */
};

struct pair {
	int		 id;
	struct side	 client;
	struct side	 target;
	int		 connecting;
	struct dir	 up;
	struct dir	 down;
	struct pair	*next;
};

static int		 ep = -1;
static int		 bufsize;
static int		 target_port;
static struct side	 listener;
static struct side	 ctl;
static char		 ctl_line[LINE_MAX_];
static size_t		 ctl_len;
static unsigned int	 ctl_seq;
static struct pair	*pairs;
static int		 next_id = 1;
static struct dir_rules	 new_up = { 0, 0, 0, -1, 0 };
static struct dir_rules	 new_down = { 0, 0, 0, -1, 0 };

/* Set side s's interest to MASK (data.ptr is s). */
static void
side_watch(struct side *s, uint32_t mask)
{
	relay_watch(ep, s->fd, &s->mask, mask, s, "faultproxy");
}

/* Set the buffer sizes asked for with -b on fd. */
static void
set_bufs(int fd)
{
	if (bufsize <= 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsize, sizeof(bufsize));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsize, sizeof(bufsize));
}

/* Close a side, with a reset when rst is set. */
static void
side_close(struct side *s, int rst)
{
	struct linger lg = { 1, 0 };

	if (s->fd == -1)
		return;
	side_watch(s, 0);
	if (rst)
		setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s->fd);
	s->fd = -1;
}

/* Drop every chunk of d. */
static void
dir_clear(struct dir *d)
{
	struct chunk *c;

	while ((c = d->head) != NULL) {
		d->head = c->next;
		free(c);
	}
	d->tail = NULL;
	d->queued = 0;
}

/* End pair p (FIN, or RST with rst), say why, and free it. */
static void
pair_end(struct pair *p, int rst, const char *why)
{
	struct pair **pp;

	side_close(&p->client, rst);
	side_close(&p->target, rst);
	dir_clear(&p->up);
	dir_clear(&p->down);
	printf("closed %d %s up=%lld down=%lld\n", p->id, why,
	    (long long)p->up.passed, (long long)p->down.passed);
	for (pp = &pairs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	free(p);
}

/* Queue LEN bytes (or an EOF) on d, due after its delay; 0 or -1. */
static int
dir_push(struct dir *d, const void *data, size_t len, int eof)
{
	struct chunk *c;

	if ((c = malloc(sizeof(*c) + len)) == NULL)
		return -1;
	memset(c, 0, sizeof(*c));
	c->due = now_us() + d->r.delay_us;
	c->eof = eof;
	c->len = len;
	if (len > 0)
		memcpy(c->data, data, len);
	if (d->tail != NULL)
		d->tail->next = c;
	else
		d->head = c;
	d->tail = c;
	d->queued += len;
	return 0;
}

/* Add the rate tokens earned since the last refill (at most a second's). */
static void
dir_refill(struct dir *d, int64_t now)
{
	if (d->r.rate == 0)
		return;
	d->tokens += (now - d->refill) * d->r.rate / 1000000;
	if (d->tokens > d->r.rate)
		d->tokens = d->r.rate;
	d->refill = now;
}

/* Whether d may read its source now. */
static int
dir_wants_read(const struct dir *d)
{
	return d->src->fd != -1 && !d->eof_read && !d->r.stalled &&
	    d->queued < QUEUE_MAX && (d->r.rate == 0 || d->tokens > 0);
}

/* Read what d's source has, within the queue and rate; 0 or -1 (the pair
 * ended). */
static int
dir_read(struct pair *p, struct dir *d)
{
	static unsigned char buf[READ_MAX];
	size_t want;
	ssize_t n;

	dir_refill(d, now_us());
	while (dir_wants_read(d)) {
		want = sizeof(buf);
		if (d->r.rate > 0 && (int64_t)want > d->tokens)
			want = (size_t)d->tokens;
		n = recv(d->src->fd, buf, want, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		if (n == -1) {
			pair_end(p, 1, d == &p->up ? "client reset" :
			    "server reset");
			return -1;
		}
		if (dir_push(d, buf, (size_t)n, n == 0) == -1) {
			pair_end(p, 1, "out of memory");
			return -1;
		}
		if (n == 0)
			d->eof_read = 1;
		if (d->r.rate > 0)
			d->tokens -= n;
	}
	return 0;
}

/* Write d's due chunks to its destination; 0 or -1 (the pair ended). */
static int
dir_flush(struct pair *p, struct dir *d)
{
	int64_t now = now_us();
	struct chunk *c;
	size_t len;
	ssize_t n;

	d->blocked = 0;
	while ((c = d->head) != NULL && c->due <= now && !d->r.stalled &&
	    !p->connecting) {
		if (c->eof) {
			shutdown(d->dst->fd, SHUT_WR);
			d->eof_sent = 1;
		}
		while (c->off < c->len) {
			len = c->len - c->off;
			if (d->r.cut >= 0 && (int64_t)len > d->r.cut)
				len = (size_t)d->r.cut;
			if (len == 0)
				break;
			n = send(d->dst->fd, c->data + c->off, len,
			    MSG_NOSIGNAL);
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && errno == EAGAIN) {
				d->blocked = 1;
				return 0;
			}
			if (n == -1) {
				pair_end(p, 1, d == &p->up ? "server reset" :
				    "client reset");
				return -1;
			}
			c->off += (size_t)n;
			d->passed += n;
			if (d->r.cut >= 0)
				d->r.cut -= n;
		}
		if (d->r.cut == 0) {
			pair_end(p, d->r.cut_rst, d->r.cut_rst ? "cut (rst)" :
			    "cut");
			return -1;
		}
		d->head = c->next;
		if (d->head == NULL)
			d->tail = NULL;
		d->queued -= c->len;
		free(c);
	}
	if (p->up.eof_sent && p->down.eof_sent) {
		pair_end(p, 0, "eof");
		return -1;
	}
	return 0;
}

/* Register what each side of p waits for. */
static void
pair_watch(struct pair *p)
{
	uint32_t cm = 0, tm = 0;

	if (p->connecting) {
		side_watch(&p->target, EPOLLOUT);
		side_watch(&p->client, 0);
		return;
	}
	if (dir_wants_read(&p->up))
		cm |= EPOLLIN;
	if (p->down.blocked)
		cm |= EPOLLOUT;
	if (dir_wants_read(&p->down))
		tm |= EPOLLIN;
	if (p->up.blocked)
		tm |= EPOLLOUT;
	side_watch(&p->client, cm);
	side_watch(&p->target, tm);
}

/* Move what can move on p; 0 or -1 (the pair ended). */
static int
pair_pump(struct pair *p)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (p->connecting) {
		if (getsockopt(p->target.fd, SOL_SOCKET, SO_ERROR, &err,
		    &len) == -1 || (err != 0 && err != EINPROGRESS)) {
			pair_end(p, 1, "server refused");
			return -1;
		}
		if (err == EINPROGRESS)
			return 0;
		p->connecting = 0;
	}
	if (dir_read(p, &p->up) == -1 || dir_read(p, &p->down) == -1 ||
	    dir_flush(p, &p->up) == -1 || dir_flush(p, &p->down) == -1)
		return -1;
	pair_watch(p);
	return 0;
}

/* Accept every waiting connection and start its connect to the target. */
static void
listener_accept(void)
{
	struct sockaddr_in sin;
	struct pair *p;
	int fd, tfd, one = 1;

	while ((fd = accept4(listener.fd, NULL, NULL,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1) {
		tfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (tfd == -1 || (p = calloc(1, sizeof(*p))) == NULL) {
			close(fd);
			if (tfd != -1)
				close(tfd);
			continue;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		setsockopt(tfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		set_bufs(tfd);
		p->id = next_id++;
		p->client.fd = fd;
		p->target.fd = tfd;
		p->up.src = p->down.dst = &p->client;
		p->up.dst = p->down.src = &p->target;
		p->up.r = new_up;
		p->down.r = new_down;
		p->up.refill = p->down.refill = now_us();
		p->next = pairs;
		pairs = p;
		printf("open %d\n", p->id);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons((unsigned short)target_port);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (connect(tfd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
			if (errno != EINPROGRESS) {
				pair_end(p, 1, "server refused");
				continue;
			}
			p->connecting = 1;
		}
		pair_watch(p);
	}
}

/* Apply VERB with ARG to rules r (one direction); NULL or an error. */
static const char *
rules_apply(struct dir_rules *r, const char *verb, long long arg)
{
	if (strcmp(verb, "delay") == 0)
		r->delay_us = arg * 1000;
	else if (strcmp(verb, "stall") == 0)
		r->stalled = 1;
	else if (strcmp(verb, "rate") == 0)
		r->rate = arg;
	else if (strcmp(verb, "resume") == 0)
		r->stalled = 0, r->rate = 0;
	else if (strcmp(verb, "cut") == 0 || strcmp(verb, "cutrst") == 0) {
		r->cut = arg;
		r->cut_rst = verb[3] != '\0';
	} else
		return "unknown verb";
	return NULL;
}

/* Apply a direction verb to the rules of up and/or down. */
static const char *
dirs_apply(struct dir_rules *up, struct dir_rules *down, const char *dir,
    const char *verb, long long arg)
{
	const char *e = NULL;
	int u = strcmp(dir, "up") == 0 || strcmp(dir, "both") == 0;
	int d = strcmp(dir, "down") == 0 || strcmp(dir, "both") == 0;

	if (!u && !d)
		return "direction must be up, down or both";
	if (u)
		e = rules_apply(up, verb, arg);
	if (e == NULL && d)
		e = rules_apply(down, verb, arg);
	return e;
}

/* Run one command on pair p; NULL or an error.  p may end. */
static const char *
pair_command(struct pair *p, const char *verb, const char *dir,
    long long arg)
{
	const char *e;

	if (strcmp(verb, "close") == 0 || strcmp(verb, "rst") == 0) {
		pair_end(p, verb[0] == 'r', verb);
		return NULL;
	}
	if (strcmp(verb, "stat") == 0) {
		printf("stat %d up=%lld down=%lld\n", p->id,
		    (long long)p->up.passed, (long long)p->down.passed);
		return NULL;
	}
	if ((e = dirs_apply(&p->up.r, &p->down.r, dir, verb, arg)) != NULL)
		return e;
	if (p->up.r.rate > 0 && p->up.tokens == 0)
		p->up.refill = now_us();
	if (p->down.r.rate > 0 && p->down.tokens == 0)
		p->down.refill = now_us();
	if (p->up.r.cut == 0 || p->down.r.cut == 0) {
		pair_end(p, p->up.r.cut_rst || p->down.r.cut_rst, "cut");
		return NULL;
	}
	pair_pump(p);
	return NULL;
}

/* Parse and run one command line. */
static void
command(char *line)
{
	char target[32] = "", verb[32] = "", dir[32] = "both";
	long long arg = 0;
	struct pair *p, *next;
	const char *e = NULL;
	int n, id, found = 0;

	ctl_seq++;
	n = sscanf(line, "%31s %31s %31s %lld", target, verb, dir, &arg);
	if (n < 2 || (n < 4 && (strcmp(verb, "delay") == 0 ||
	    strcmp(verb, "rate") == 0 || strncmp(verb, "cut", 3) == 0))) {
		printf("cmd %u error: want TARGET VERB [DIR] [N]\n", ctl_seq);
		return;
	}
	if (strcmp(target, "new") == 0) {
		e = dirs_apply(&new_up, &new_down, dir, verb, arg);
		found = 1;
	} else {
		id = strcmp(target, "*") == 0 ? 0 : atoi(target);
		for (p = pairs; p != NULL && e == NULL; p = next) {
			next = p->next;
			if (id != 0 && p->id != id)
				continue;
			found = 1;
			e = pair_command(p, verb, dir, arg);
		}
		if (id == 0)
			found = 1;
	}
	if (!found)
		e = "no such connection";
	if (e != NULL)
		printf("cmd %u error: %s\n", ctl_seq, e);
	else
		printf("cmd %u ok\n", ctl_seq);
}

/* Read command lines from the FIFO. */
static void
ctl_read(void)
{
	char c;
	ssize_t n;

	while ((n = read(ctl.fd, &c, 1)) == 1) {
		if (c != '\n') {
			if (ctl_len < sizeof(ctl_line) - 1)
				ctl_line[ctl_len++] = c;
			continue;
		}
		ctl_line[ctl_len] = '\0';
		ctl_len = 0;
		command(ctl_line);
	}
}

/* How long to sleep: until the next chunk is due, or a tick while a rate
 * holds a direction back; -1 for no limit. */
static int
wait_ms(void)
{
	int64_t now = now_us(), next = -1, left;
	struct pair *p;
	struct dir *ds[2];
	int i;

	for (p = pairs; p != NULL; p = p->next) {
		ds[0] = &p->up;
		ds[1] = &p->down;
		for (i = 0; i < 2; i++) {
			if (ds[i]->head != NULL && !ds[i]->r.stalled &&
			    !ds[i]->blocked &&
			    (next == -1 || ds[i]->head->due < next))
				next = ds[i]->head->due;
			if (ds[i]->r.rate > 0 && !ds[i]->r.stalled &&
			    ds[i]->tokens <= 0 && !ds[i]->eof_read &&
			    (next == -1 || now + TICK_MS * 1000 < next))
				next = now + TICK_MS * 1000;
		}
	}
	if (next == -1)
		return -1;
	left = next - now;
	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

/* Listen on 127.0.0.1 and print the port; 0 or -1. */
static int
listen_loopback(void)
{
	listener.fd = relay_listen(1024, set_bufs, "faultproxy");
	return listener.fd == -1 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct epoll_event evs[EVENTS_MAX];
	struct pair *p, *next;
	const char *fifo = NULL;
	int ch, i, n;

	while ((ch = getopt(argc, argv, "b:c:t:")) != -1) {
		switch (ch) {
		case 'b':
			bufsize = atoi(optarg);
			break;
		case 'c':
			fifo = optarg;
			break;
		case 't':
			target_port = atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (fifo == NULL || target_port <= 0 || target_port > 65535 ||
	    optind != argc)
		goto usage;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		perror("faultproxy: epoll_create1");
		return 1;
	}
	if ((ctl.fd = open(fifo, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		perror(fifo);
		return 1;
	}
	listener.fd = -1;
	if (listen_loopback() == -1)
		return 1;
	side_watch(&listener, EPOLLIN);
	side_watch(&ctl, EPOLLIN);
	for (;;) {
		n = epoll_wait(ep, evs, EVENTS_MAX, wait_ms());
		if (n == -1 && errno != EINTR) {
			perror("faultproxy: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &listener)
				listener_accept();
			else if (evs[i].data.ptr == &ctl)
				ctl_read();
		}
		/* Few connections: pump them all on every wake-up. */
		for (p = pairs; p != NULL; p = next) {
			next = p->next;
			pair_pump(p);
		}
	}
 usage:
	fprintf(stderr, "usage: faultproxy [-b bytes] -c fifo -t port\n");
	return 1;
}
