/*
 * relay.h: what the test proxies (faultproxy.c, tcp-delay.c) share: the
 * monotonic clock, a socket's epoll interest changed only when it changes,
 * and a listening socket on 127.0.0.1.  Static functions: each proxy is
 * one program that includes it once, after the system headers.
 */
#ifndef RELAY_H
#define RELAY_H

/* The monotonic clock in microseconds. */
static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Fill sin with 127.0.0.1:port. */
static void
loopback_addr(struct sockaddr_in *sin, int port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}

/* Set fd's interest in epoll ep to MASK (data.ptr is ptr), where *cur is
 * the one set now (0: none); exits 1 on failure, naming who. */
static void
relay_watch(int ep, int fd, uint32_t *cur, uint32_t mask, void *ptr,
    const char *who)
{
	struct epoll_event ev;
	int op;

	if (fd == -1 || mask == *cur)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.events = mask;
	ev.data.ptr = ptr;
	if (*cur == 0)
		op = EPOLL_CTL_ADD;
	else if (mask == 0)
		op = EPOLL_CTL_DEL;
	else
		op = EPOLL_CTL_MOD;
	if (epoll_ctl(ep, op, fd, &ev) == -1) {
		fprintf(stderr, "%s: epoll_ctl: %s\n", who, strerror(errno));
		exit(1);
	}
	*cur = mask;
}

/* A non-blocking socket listening on 127.0.0.1 (a free port), given to
 * prep (if not NULL) before it binds; its port printed on stdout.  The fd,
 * or -1 (the reason on stderr, naming who). */
static int
relay_listen(int backlog, void (*prep)(int), const char *who)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		fprintf(stderr, "%s: socket: %s\n", who, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (prep != NULL)
		prep(fd);
	loopback_addr(&sin, 0);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1 ||
	    listen(fd, backlog) == -1) {
		fprintf(stderr, "%s: bind: %s\n", who, strerror(errno));
		close(fd);
		return -1;
	}
	printf("%d\n", ntohs(sin.sin_port));
	return fd;
}

#endif /* RELAY_H */
