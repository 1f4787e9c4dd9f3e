/*
 * tcp-silent.c: a loopback TCP listener that accepts connections and never
 * speaks, for connect and banner timeouts in the integration tests.
 *
 * Usage: tcp-silent [-p PORT]   listen on 127.0.0.1:PORT (0, the default,
 *                               lets the kernel choose), print the port on
 *                               one line, then accept and hold connections
 *                               until killed
 *        tcp-silent -c          print a loopback port where nothing listens
 *                               (bind to port 0, read the port, close) and
 *                               exit
 *
 * Accepted connections are kept open and never read or written, so a client
 * waits for a banner that does not come.  Exits 1 on any setup error.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Bind a TCP socket to 127.0.0.1:port and return it, or -1. */
static int
bind_loopback(int port, int *bound)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		perror("tcp-silent: socket");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) == -1) {
		perror("tcp-silent: bind");
		close(fd);
		return -1;
	}
	*bound = ntohs(sin.sin_port);
	return fd;
}

/* Accept connections on fd forever, holding each one open. */
static void
hold_forever(int fd)
{
	for (;;) {
		if (accept(fd, NULL, NULL) != -1)
			continue;
		if (errno == EMFILE || errno == ENFILE)
			sleep(1);
		else if (errno != EINTR && errno != ECONNABORTED) {
			perror("tcp-silent: accept");
			exit(1);
		}
	}
}

int
main(int argc, char **argv)
{
	int ch, fd, port = 0, bound = 0, closed = 0;

	while ((ch = getopt(argc, argv, "cp:")) != -1) {
		switch (ch) {
		case 'c':
			closed = 1;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: tcp-silent [-c] [-p port]\n");
			return 1;
		}
	}
	if ((fd = bind_loopback(port, &bound)) == -1)
		return 1;
	if (closed) {
		close(fd);
		printf("%d\n", bound);
		return 0;
	}
	if (listen(fd, 128) == -1) {
		perror("tcp-silent: listen");
		return 1;
	}
	printf("%d\n", bound);
	fflush(stdout);
	hold_forever(fd);
	return 0;
}
