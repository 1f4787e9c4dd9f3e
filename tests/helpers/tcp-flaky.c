/*
 * tcp-flaky.c: a loopback TCP relay whose first connections fail, for the
 * retry tests.
 *
 * Usage: tcp-flaky N TARGET_PORT
 * Listens on 127.0.0.1 (a port the kernel picks, printed on one line), resets
 * the first N connections at once (SO_LINGER 0, so the client sees a reset
 * before any banner), and relays every later one to 127.0.0.1:TARGET_PORT,
 * one child process per connection.  Runs until killed.
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copy bytes both ways between a and b until both sides are done. */
static void
relay(int a, int b)
{
	struct pollfd p[2];
	char buf[65536];
	ssize_t n;
	int open = 2;

	p[0].fd = a;
	p[1].fd = b;
	p[0].events = p[1].events = POLLIN;
	while (open > 0 && poll(p, 2, -1) > 0) {
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			n = read(p[i].fd, buf, sizeof buf);
			if (n <= 0) {
				shutdown(p[1 - i].fd, SHUT_WR);
				p[i].fd = -1;
				open--;
				continue;
			}
			if (write(p[1 - i].fd, buf, (size_t)n) != n)
				return;
		}
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sin;
	struct linger lg = { 1, 0 };
	socklen_t len = sizeof sin;
	int ls, c, t, fails, one = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: tcp-flaky N TARGET_PORT\n");
		return 1;
	}
	fails = atoi(argv[1]);
	signal(SIGCHLD, SIG_IGN);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((ls = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) ||
	    bind(ls, (struct sockaddr *)&sin, sizeof sin) ||
	    listen(ls, 128) ||
	    getsockname(ls, (struct sockaddr *)&sin, &len)) {
		perror("tcp-flaky");
		return 1;
	}
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);
	for (;;) {
		if ((c = accept(ls, NULL, NULL)) == -1)
			continue;
		if (fails > 0) {
			fails--;
			setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
			close(c);
			continue;
		}
		if (fork() == 0) {
			close(ls);
			sin.sin_port = htons((uint16_t)atoi(argv[2]));
			if ((t = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
			    connect(t, (struct sockaddr *)&sin, sizeof sin))
				_exit(1);
			relay(c, t);
			_exit(0);
		}
		close(c);
	}
}
