/*
 * transport.h: where a session's bytes travel when it does not own a TCP
 * socket of its own.
 *
 * A session without a transport (tp NULL) connects a TCP socket and
 * libssh2 reads and writes that socket.  A session with one skips name
 * resolution and the TCP connect: in CONNECT it calls open() until the
 * transport can carry bytes, and libssh2 reads and writes through it:
 *
 *   - a proxy command (proxycmd.c): a child process run through /bin/sh -c
 *     whose stdin and stdout are one end of a socket pair; open() starts it
 *     and sets the session's fd to our end, so the socket code path (recv,
 *     send, epoll) serves it unchanged and recv/send are NULL;
 *   - a jump host (jump.c): a direct-tcpip channel of another session, the
 *     parent, which alone calls its libssh2 handle: recv() returns what the
 *     parent already read into a buffer for this session, send() appends to
 *     a buffer the parent writes in its own step, and the parent wakes the
 *     session when either changed.
 *
 * Ownership: the session owns its transport from sess_set_transport() on;
 * close() is called once its libssh2 session is freed (no more recv or
 * send), free() by sess_free().  Thread rules: the session's loop thread.
 */
#ifndef TRANSPORT_H
#define TRANSPORT_H

#include <sys/types.h>

struct sess;
struct transport;

struct transport_ops {
	/* Bytes for libssh2: n > 0, 0 at the end of the stream, or -errno
	 * (-EAGAIN: nothing now).  NULL: the session's fd is used. */
	ssize_t	(*recv)(struct transport *, void *, size_t);
	ssize_t	(*send)(struct transport *, const void *, size_t);
	/* CONNECT: 0 once bytes can flow, DROVE_AGAIN, or DROVE_E_* with
	 * the session's err set. */
	int	(*open)(struct transport *, struct sess *);
	/* The session lets go; may add what the transport knows of a
	 * failure to the session's err. */
	void	(*close)(struct transport *, struct sess *);
	void	(*free)(struct transport *);
};

struct transport {
	const struct transport_ops *ops;
	/* the socket libssh2 is told of when the session has no fd (it
	 * wants a valid one, and reads and writes only through recv and
	 * send) */
	int			 lsfd;
};

#endif /* TRANSPORT_H */
