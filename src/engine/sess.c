/*
 * sess.c: the per-host session state machine (curl multi's shape: one enum,
 * one function per state, EAGAIN turned into read/write interest).
 *
 * Each state function makes at most one libssh2 call and returns 0 (the
 * state is finished and sess_to() picked the next one), DROVE_AGAIN (wait
 * for the loop) or a DROVE_E_* code with s->err set.  sess_step() runs them
 * until one waits or the session is done.  A single deadline timer covers
 * connect..auth (connect timeout, from the TCP connect: name resolution,
 * queued behind other hosts' lookups, is bounded by the system resolver's
 * own timeouts, as with ssh), then the job (command timeout), then the
 * polite close (one second, then a hard abort: shutdown(2) first, then the
 * libssh2 frees, then close(2): engine/README, 10).
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2_sftp.h>

#include "base/log.h"
#include "engine/agent.h"
#include "engine/cert.h"
#include "engine/hostkey.h"
#include "engine/resolve.h"
#include "engine/sess.h"
#include "engine/transport.h"

#define SESS_TICK_MS	1000	/* safety pump and keepalive check */
#define SESS_RETRY_MS	100	/* wake-up when libssh2 names no direction */
#define SESS_CLOSE_MS	1000	/* polite close before a hard abort */
#define SESS_STOP_MS	5000	/* a stopped job's cleanup */
#define SESS_FAIR_STEPS	64	/* steps per turn before yielding */
#define SESS_SPIN_READS	100000	/* empty socket reads in one turn */
#define SESS_BUSY_TRIES	8	/* a server closing before its banner */
#define SESS_FD_WAIT_MS	50	/* out of descriptors: wait, try again */

#define KEX_PREFS "curve25519-sha256,curve25519-sha256@libssh.org," \
	"ecdh-sha2-nistp256,ecdh-sha2-nistp384,ecdh-sha2-nistp521," \
	"diffie-hellman-group14-sha256,diffie-hellman-group16-sha512," \
	"diffie-hellman-group-exchange-sha256,diffie-hellman-group14-sha1"

enum { AUTH_LIST, AUTH_AGENT, AUTH_PUBKEY, AUTH_PASSWORD, AUTH_KBDINT };

static void	sess_step(struct sess *);
static void	sess_close_fd(struct sess *);

static const char *state_names[] = {
	"resolve", "retry", "connect", "handshake", "hostkey", "auth", "ready",
	"job", "close", "done"
};

/* The name of a state, for messages and traces. */
const char *
sess_state_name(enum sess_state st)
{
	return state_names[st];
}

/* Change state, tracing old -> new with the caller's line. */
#define sess_to(s, st) sess_to_line(s, st, __LINE__)
static void
sess_to_line(struct sess *s, enum sess_state st, int line)
{
	LOG("%s: %s -> %s (line %d)", s->name, state_names[s->state],
	    state_names[st], line);
	s->state = st;
}

static pthread_once_t sess_once = PTHREAD_ONCE_INIT;

/* libssh2_init is not thread-safe: run it once per process. */
static void
sess_init_once(void)
{
	libssh2_init(0);
}

/* Ready libssh2 (once per process, from any thread) and read DROVE_DEBUG:
 * before the first session of a fleet or client. */
void
sess_global_init(void)
{
	pthread_once(&sess_once, sess_init_once);
	log_init();
}

/* Timer and task entry points all step the session. */
static void
sess_task_cb(struct loop *l, void *arg)
{
	(void)l;
	sess_step(arg);
}

/* fd readiness steps the session; readable, its socket may hold bytes. */
static void
sess_fd_cb(struct loop *l, int fd, int events, void *arg)
{
	struct sess *s = arg;

	(void)l;
	(void)fd;
	if (events & LOOP_READ)
		s->dry = 0;
	sess_step(s);
}

/*
 * Whether the handshake has not seen the server's SSH banner yet.  libssh2
 * 1.10 gives an empty string then, not NULL, or the line the server sent
 * instead of one: sshd past its MaxStartups says "Exceeded MaxStartups"
 * and closes.
 */
static int
sess_no_banner(const struct sess *s)
{
	const char *b;

	if (s->state != SESS_HANDSHAKE)
		return 0;
	b = s->ls != NULL ? libssh2_session_banner_get(s->ls) : NULL;
	return b == NULL || strncmp(b, "SSH-", 4) != 0;
}

/*
 * Whether the server closed the connection before its banner (rather than
 * resetting it), or said something else first: what sshd does past its
 * MaxStartups, to say it is busy.  Such a host is tried again after a
 * backoff up to SESS_BUSY_TRIES times, besides the retries asked for.
 */
static int
sess_busy(const struct sess *s)
{
	const char *b;

	if (s->err.code != DROVE_E_UNREACHABLE || !sess_no_banner(s))
		return 0;
	b = s->ls != NULL ? libssh2_session_banner_get(s->ls) : NULL;
	return s->peer_eof || (b != NULL && *b != '\0');
}

/*
 * Whether a failure is one to try again: refused, reset or timed out
 * before the server's banner arrived (nothing was said, so nothing can be
 * done twice), while retries are left.
 */
static int
sess_retryable(const struct sess *s)
{
	if (s->cancelled || s->tp != NULL)
		return 0;
	if (sess_busy(s) && s->busy < SESS_BUSY_TRIES)
		return 1;
	if (s->attempt >= s->cfg->retries)
		return 0;
	if (s->err.code != DROVE_E_REFUSED &&
	    s->err.code != DROVE_E_UNREACHABLE &&
	    s->err.code != DROVE_E_TIMEOUT)
		return 0;
	return s->state == SESS_CONNECT || sess_no_banner(s);
}

/* Shut the socket down, so that libssh2 calls fail at once; its reads
 * must see the end, not the dry socket of sess_recv(). */
static void
sess_shut(struct sess *s)
{
	if (s->fd != -1)
		shutdown(s->fd, SHUT_RDWR);
	s->dry = 0;
}

/* Drop the connection at once (in the order of engine/README, 10),
 * keeping the job. */
static void
sess_drop(struct sess *s)
{
	sess_shut(s);
	if (s->ls != NULL) {
		libssh2_session_free(s->ls);
		s->ls = NULL;
	}
	sess_close_fd(s);
	if (s->tp != NULL)
		s->tp->ops->close(s->tp, s);
}

/* Fail the current attempt: wait and try again, or close. */
static void
sess_fail(struct sess *s)
{
	uint64_t ms;
	unsigned int n;

	LOG("%s: %s failed: %s", s->name, state_names[s->state], s->err.msg);
	if (!sess_retryable(s)) {
		sess_to(s, SESS_CLOSE);
		return;
	}
	/* 250 ms, doubling to at most 8 s, times a jitter of 0.5 to 1.5 */
	n = sess_busy(s) && s->busy < SESS_BUSY_TRIES ? s->busy++ :
	    s->attempt++;
	ms = 250ULL << (n < 5 ? n : 5);
	ms = ms / 2 + (uint64_t)rand_r(&s->seed) % ms;
	LOG("%s: retry %u (%u when busy) in %llu ms", s->name, s->attempt,
	    s->busy, (unsigned long long)ms);
	sess_drop(s);
	err_clear(&s->err);
	sess_to(s, SESS_RETRY);
	loop_timer_start(s->cfg->loop, &s->deadline, ms);
}

/*
 * End the job early: let it clean up within SESS_STOP_MS when it has
 * something to clean (and has not begun already), else close now.
 */
static void
sess_stop_job(struct sess *s)
{
	if (s->state == SESS_JOB && !s->stopping &&
	    s->job->ops->stop != NULL && s->job->ops->stop(s->job)) {
		s->stopping = 1;
		loop_timer_start(s->cfg->loop, &s->deadline, SESS_STOP_MS);
		return;
	}
	sess_to(s, SESS_CLOSE);
}

/* The deadline passed: a timeout, a retry due, or a slow close. */
static void
sess_deadline_cb(struct loop *l, void *arg)
{
	struct sess *s = arg;
	unsigned int ms;

	(void)l;
	if (s->state == SESS_RETRY) {
		if (!s->fd_wait)
			s->ai_next = s->ai;
		s->fd_wait = 0;
		if (s->connect_timeout_ms > 0)
			loop_timer_start(s->cfg->loop, &s->deadline,
			    s->connect_timeout_ms);
		sess_to(s, SESS_CONNECT);
	} else if (s->state == SESS_CLOSE) {
		LOG("%s: close timed out, aborting", s->name);
		sess_shut(s);
		/* no disconnect now: with libssh2 1.11 one that meets another
		 * call's half-sent packet says EAGAIN for ever, without
		 * touching the socket (engine/README, 1) */
		s->handshaken = 0;
	} else if (s->state == SESS_JOB && (s->stopping || s->interrupted)) {
		LOG("%s: cleanup timed out, closing", s->name);
		sess_to(s, SESS_CLOSE);
	} else if (s->state == SESS_CONNECT && s->ai_next != NULL) {
		/* as ssh: each address has its own connect timeout */
		LOG("%s: connect timed out, next address", s->name);
		s->last_errno = ETIMEDOUT;
		sess_close_fd(s);
		loop_timer_start(s->cfg->loop, &s->deadline,
		    s->connect_timeout_ms);
	} else if (s->state == SESS_JOB) {
		ms = s->cfg->command_timeout_ms;
		s->timed_out = 1;
		err_set(&s->err, DROVE_E_TIMEOUT,
		    "command timed out after %u.%03us", ms / 1000, ms % 1000);
		sess_stop_job(s);
	} else {
		ms = s->connect_timeout_ms;
		err_set(&s->err, DROVE_E_TIMEOUT,
		    "connect to %s port %d timed out after %u.%03us during %s",
		    s->address, s->port, ms / 1000, ms % 1000,
		    state_names[s->state]);
		sess_fail(s);
	}
	sess_step(s);
}

/* Make a session for spec; job is owned by the session from here on. */
struct sess *
sess_new(const struct sess_cfg *cfg, const struct sess_ops *ops, void *owner,
    const struct drove_hostspec *spec, struct job *job)
{
	struct sess *s;

	if ((s = calloc(1, sizeof *s)) == NULL)
		return NULL;
	s->cfg = cfg;
	s->ops = ops;
	s->owner = owner;
	s->self = s;
	s->fd = -1;
	s->exit_code = -1;
	s->job = job;
	s->kh = cfg->kh;
	s->policy = cfg->policy;
	s->connect_timeout_ms = spec->connect_timeout_ms > 0 ?
	    spec->connect_timeout_ms : cfg->connect_timeout_ms;
	s->keepalive_s = spec->keepalive_s > 0 ? spec->keepalive_s :
	    cfg->keepalive_s;
	s->identities_only = spec->identities_only;
	s->port = spec->port > 0 ? spec->port : 22;
	s->password = spec->password;
	s->name = strdup(spec->name);
	s->address = strdup(spec->address ? spec->address : spec->name);
	s->user = strdup(spec->user ? spec->user : cfg->local_user);
	if (s->name == NULL || s->address == NULL || s->user == NULL) {
		sess_free(s);
		return NULL;
	}
	loop_timer_init(&s->deadline, sess_deadline_cb, s);
	loop_timer_init(&s->tick, sess_task_cb, s);
	loop_task_init(&s->task, sess_task_cb, s);
	sign_req_init(&s->signreq, &s->task);
	return s;
}

/* Free a finished session (or one never started). */
void
sess_free(struct sess *s)
{
	if (s == NULL)
		return;
	if (s->job != NULL)
		s->job->ops->free(s->job, 1);
	if (s->cfg->agent != NULL)
		agent_unwait(s->cfg->agent, &s->task);
	sign_req_release(&s->signreq);
	if (s->tp != NULL)
		s->tp->ops->free(s->tp);
	free(s->auth_methods);
	free(s->name);
	free(s->address);
	free(s->user);
	free(s);
}

void
sess_more(struct sess *s, int on)
{
	s->more = on;
}

void
sess_send_first(struct sess *s)
{
	s->send_first = 1;
}

/* Setting TCP_NODELAY (on already) sends what MSG_MORE held back. */
void
sess_push(struct sess *s)
{
	int one = 1;

	if (s->fd != -1)
		setsockopt(s->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* Queue a step for the next loop turn. */
void
sess_wake(struct sess *s)
{
	loop_task_queue(s->cfg->loop, &s->task);
}

/* Stop watching the fd at all (a held or paused session). */
static void
sess_unwatch(struct sess *s)
{
	if (s->fd != -1 && s->watching != -1) {
		loop_unwatch(s->cfg->loop, s->fd);
		s->watching = -1;
	}
}

/* Arm exactly the fd events wanted (level-triggered, MOD only on change). */
static void
sess_watch(struct sess *s, int events)
{
	if (s->fd == -1 || s->watching == events)
		return;
	if (loop_watch(s->cfg->loop, s->fd, events, sess_fd_cb, s) == 0)
		s->watching = events;
}

/*
 * READY waits on its socket for the server's close (nothing else comes to
 * an idle session: our keepalives ask for no reply) unless bytes wait
 * unread there for the next job, and on the tick for the next keepalive.
 */
static void
sess_park_ready(struct sess *s)
{
	uint64_t now = loop_now(s->cfg->loop);

	if (s->idle_input)
		sess_unwatch(s);
	else
		sess_watch(s, LOOP_READ);
	if (s->keepalive_s > 0)
		loop_timer_start(s->cfg->loop, &s->tick,
		    s->keepalive_due > now ? s->keepalive_due - now : 1);
}

/* Turn libssh2's block directions into fd interest (curl's block2waitfor). */
static void
sess_park(struct sess *s)
{
	int bd, ev = 0;

	if (s->state == SESS_READY) {
		sess_park_ready(s);
		return;
	}
	if (s->held ||
	    (s->state == SESS_JOB && (*s->cfg->paused ||
	    (s->job->ops->local_wait != NULL &&
	    s->job->ops->local_wait(s->job))))) {
		sess_unwatch(s);
		return;
	}
	if (s->signreq.state == SIGN_PENDING || s->state == SESS_RESOLVE ||
	    s->state == SESS_RETRY) {
		sess_watch(s, 0);
		return;
	}
	if (s->state == SESS_CONNECT) {
		sess_watch(s, LOOP_WRITE);
		return;
	}
	bd = libssh2_session_block_directions(s->ls);
	if (s->send_first && (bd & LIBSSH2_SESSION_BLOCK_OUTBOUND)) {
		/* INBOUND may be left from an earlier read (engine/README,
		 * 16) */
		sess_watch(s, LOOP_WRITE);
		return;
	}
	if (bd & LIBSSH2_SESSION_BLOCK_INBOUND)
		ev |= LOOP_READ;
	if (bd & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		ev |= LOOP_WRITE;
	if (ev == 0) {
		ev = LOOP_READ;
		loop_timer_start(s->cfg->loop, &s->tick, SESS_RETRY_MS);
	}
	sess_watch(s, ev);
}

/* The text of libssh2's last error, for messages. */
static const char *
ls_errmsg(struct sess *s)
{
	char *msg = NULL;

	if (s->ls == NULL)
		return "";
	libssh2_session_last_error(s->ls, &msg, NULL, 0);
	return msg != NULL ? msg : "";
}

/* Classify a libssh2 failure into a DROVE_E_* with a message. */
static int
sess_lserr(struct sess *s, int rc, const char *doing)
{
	switch (rc) {
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_BANNER_RECV:
	case LIBSSH2_ERROR_BANNER_SEND:
		return err_set(&s->err, DROVE_E_UNREACHABLE,
		    "connection to %s port %d closed during %s: %s",
		    s->address, s->port, doing, ls_errmsg(s));
	case LIBSSH2_ERROR_TIMEOUT:
		return err_set(&s->err, DROVE_E_TIMEOUT, "%s timed out: %s",
		    doing, ls_errmsg(s));
	case LIBSSH2_ERROR_ALLOC:
		return err_set(&s->err, DROVE_E_NOMEM, "%s: out of memory",
		    doing);
	}
	return err_set(&s->err, DROVE_E_PROTOCOL, "%s with %s failed: %s (%d)",
	    doing, s->address, ls_errmsg(s), rc);
}

/* The resolver answered. */
static void
sess_resolved(void *arg, struct addrinfo *ai, int gai_err)
{
	struct sess *s = arg;

	s->rreq = NULL;
	if (gai_err != 0) {
		err_set(&s->err, DROVE_E_RESOLVE, "resolve %s: %s",
		    s->address, gai_strerror(gai_err));
		sess_to(s, SESS_CLOSE);
	} else {
		s->ai = ai;
		s->ai_next = ai;
		/* the connect timeout counts from here, not from the time
		 * spent waiting for a resolver thread or in getaddrinfo */
		if (s->connect_timeout_ms > 0)
			loop_timer_start(s->cfg->loop, &s->deadline,
			    s->connect_timeout_ms);
		sess_to(s, SESS_CONNECT);
	}
	sess_step(s);
}

/* Set the socket options a fleet needs (engine/README, 7). */
static void
sock_setup(struct sess *s, int fd)
{
	int one = 1, v;
	unsigned int ka = s->keepalive_s;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (ka == 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
	v = (int)ka;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof v);
	v = 3;
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v);
	v = (int)(ka * 4 * 1000);
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &v, sizeof v);
}

/* Close the socket being connected, so the next address can be tried. */
static void
sess_close_fd(struct sess *s)
{
	if (s->fd == -1)
		return;
	loop_unwatch(s->cfg->loop, s->fd);
	close(s->fd);
	s->fd = -1;
	s->watching = 0;
}

/* The error for a failed connect, by errno. */
static int
connect_error(struct sess *s)
{
	int e = s->last_errno;

	if (e == ECONNREFUSED)
		return err_set(&s->err, DROVE_E_REFUSED,
		    "connect to %s port %d: connection refused", s->address,
		    s->port);
	return err_set(&s->err, DROVE_E_UNREACHABLE,
	    "connect to %s port %d: %s", s->address, s->port,
	    e ? strerror(e) : "no usable address");
}

/*
 * Out of file descriptors for address ai: wait SESS_FD_WAIT_MS for other
 * hosts to give some back, then connect again (no retry is spent, and the
 * connect timeout starts again then).
 */
static int
sess_fd_wait(struct sess *s, struct addrinfo *ai)
{
	LOG("%s: socket: %s; waiting for a descriptor", s->name,
	    strerror(errno));
	s->ai_next = ai;
	s->fd_wait = 1;
	sess_to(s, SESS_RETRY);
	loop_timer_start(s->cfg->loop, &s->deadline, SESS_FD_WAIT_MS);
	return DROVE_AGAIN;
}

/* CONNECT: non-blocking connect, every address in turn. */
static int
sess_connect(struct sess *s)
{
	struct pollfd pfd;
	struct addrinfo *ai;
	socklen_t len;
	int e = 0;

	if (s->tp != NULL) {
		/* the connect deadline runs from here: the jump host has
		 * deadlines of its own */
		if ((e = s->tp->ops->open(s->tp, s)) != 0)
			return e;
		if (s->connect_timeout_ms > 0)
			loop_timer_start(s->cfg->loop, &s->deadline,
			    s->connect_timeout_ms);
		sess_to(s, SESS_HANDSHAKE);
		return 0;
	}
	if (s->fd != -1) {
		/* Any wake-up steps us; SO_ERROR is 0 while the connect is
		 * in progress, so only a writable socket has an outcome. */
		pfd.fd = s->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 0) == 0)
			return DROVE_AGAIN;
		len = sizeof e;
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
			e = errno;
		if (e == 0) {
			sess_to(s, SESS_HANDSHAKE);
			return 0;
		}
		if (e == EINPROGRESS || e == EALREADY)
			return DROVE_AGAIN;
		s->last_errno = e;
		LOG("%s: connect: %s", s->name, strerror(e));
		sess_close_fd(s);
	}
	while ((ai = s->ai_next) != NULL) {
		s->ai_next = ai->ai_next;
		s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (s->fd == -1) {
			s->last_errno = errno;
			if (errno == EMFILE || errno == ENFILE)
				return sess_fd_wait(s, ai);
			continue;
		}
		sock_setup(s, s->fd);
		if (connect(s->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			sess_to(s, SESS_HANDSHAKE);
			return 0;
		}
		if (errno == EINPROGRESS)
			return DROVE_AGAIN;
		s->last_errno = errno;
		sess_close_fd(s);
	}
	return connect_error(s);
}

/* libssh2 asks for keyboard-interactive answers: give the password. */
static void
kbdint_cb(const char *name, int name_len, const char *instruction,
    int instruction_len, int num_prompts,
    const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
    LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	struct sess *s = *abstract;
	const char *pw = s->password ? s->password : s->cfg->password;
	int i;

	(void)name;
	(void)name_len;
	(void)instruction;
	(void)instruction_len;
	for (i = 0; i < num_prompts; i++) {
		responses[i].text = NULL;
		responses[i].length = 0;
		if (pw == NULL || prompts[i].echo)
			continue;
		if ((responses[i].text = strdup(pw)) != NULL)
			responses[i].length = (unsigned int)strlen(pw);
	}
}

/* Bytes moved: the next keepalive is due an interval from now. */
static void
sess_traffic(struct sess *s)
{
	if (s->keepalive_s > 0)
		s->keepalive_due = loop_now(s->cfg->loop) +
		    s->keepalive_s * 1000ULL;
}

/* libssh2 writes through here: to the session's transport when it has
 * one, else to the socket; sends move the keepalive on as receives do
 * (sess_recv). */
static ssize_t
sess_send(libssh2_socket_t fd, const void *buf, size_t len, int flags,
    void **abstract)
{
	struct sess *s = *abstract;
	ssize_t n;

	if (s->tp != NULL && s->tp->ops->send != NULL)
		n = s->tp->ops->send(s->tp, buf, len);
	else if ((n = send(fd, buf, len, s->more ? flags | MSG_MORE :
	    flags)) < 0)
		n = -errno;
	if (n > 0)
		sess_traffic(s);
	return n;
}

/*
 * libssh2 reads the socket through here.  Each libssh2 call reads until
 * the socket is empty, so one step of a job would make several reads that
 * find it empty.  Instead, a read that finds it empty, or takes less than
 * it asked for (all there was), leaves the socket dry until epoll says it
 * is readable, and reads return EAGAIN without a system call meanwhile.
 * Nothing is missed: libssh2 then waits for input, and the loop
 * (level-triggered) reports bytes that came in the meantime at once.
 *
 * A non-blocking call finds the socket empty once and returns EAGAIN; but
 * 1.10's SFTP packet reader loops for ever on a channel read that returns
 * 0 when the channel ends in the middle of a packet (the sftp-server
 * killed while it wrote one), finding the socket empty each time round.
 * So many empty reads in one turn mean that loop: the read fails from then
 * on, the libssh2 call returns an error, and the session ends instead of
 * hanging the thread.
 */
static ssize_t
sess_recv(libssh2_socket_t fd, void *buf, size_t len, int flags,
    void **abstract)
{
	struct sess *s = *abstract;
	ssize_t n;

	if (s->spun)
		return -ECONNABORTED;
	if (s->tp != NULL && s->tp->ops->recv != NULL)
		n = s->tp->ops->recv(s->tp, buf, len);
	else if (s->dry)
		n = -EAGAIN;
	else if ((n = recv(fd, buf, len, flags)) == -1) {
		n = -errno;
		s->dry = n == -EAGAIN || n == -EWOULDBLOCK;
	} else
		s->dry = n > 0 && (size_t)n < len;
	if (n >= 0) {
		s->empty_reads = 0;
		s->peer_eof = n == 0;
		sess_traffic(s);
		return n;
	}
	if (n != -EAGAIN && n != -EWOULDBLOCK)
		return n;
	if (++s->empty_reads < SESS_SPIN_READS)
		return -EAGAIN;
	LOG("%s: libssh2 read an empty socket %u times in one turn",
	    s->name, s->empty_reads);
	s->spun = 1;
	return -ECONNABORTED;
}

/*
 * Set one of libssh2's session callbacks.  libssh2 1.11.1 deprecates
 * libssh2_session_callback_set (a void * for a function) for
 * libssh2_session_callback_set2; older ones have only the first.
 */
static void
sess_callback(LIBSSH2_SESSION *ls, int type, void (*fn)(void))
{
#if LIBSSH2_VERSION_NUM >= 0x010b01
	libssh2_session_callback_set2(ls, type, fn);
#else
	libssh2_session_callback_set(ls, type, (void *)fn);
#endif
}

/* HANDSHAKE: key exchange, with the host key type known_hosts holds. */
static int
sess_handshake(struct sess *s)
{
	const char *prefs;
	int rc;

	if (s->ls == NULL) {
		s->ls = libssh2_session_init_ex(NULL, NULL, NULL, s);
		if (s->ls == NULL)
			return err_set(&s->err, DROVE_E_NOMEM,
			    "libssh2 session: out of memory");
		libssh2_session_set_blocking(s->ls, 0);
		libssh2_session_method_pref(s->ls, LIBSSH2_METHOD_KEX,
		    KEX_PREFS);
		prefs = s->cfg->keyscan && s->cfg->scan_types ?
		    s->cfg->scan_types : kh_prefs(s->kh, s->address,
		    s->port);
		libssh2_session_method_pref(s->ls, LIBSSH2_METHOD_HOSTKEY,
		    prefs != NULL ? prefs : kh_default_prefs(s->kh));
		sess_callback(s->ls, LIBSSH2_CALLBACK_IGNORE, NULL);
		sess_callback(s->ls, LIBSSH2_CALLBACK_RECV,
		    (void (*)(void))sess_recv);
		sess_callback(s->ls, LIBSSH2_CALLBACK_SEND,
		    (void (*)(void))sess_send);
	}
	rc = libssh2_session_handshake(s->ls, s->fd != -1 ? s->fd :
	    s->tp->lsfd);
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	if (rc == LIBSSH2_ERROR_KEX_FAILURE) {
#if LIBSSH2_VERSION_NUM < 0x010b00
		return err_set(&s->err, DROVE_E_PROTOCOL,
		    "key exchange with %s port %d failed: %s; libssh2 %s "
		    "has no rsa-sha2, so a server with only an RSA host key "
		    "cannot be reached: give it an ed25519 host key or build "
		    "drove with libssh2 >= 1.11", s->address, s->port,
		    ls_errmsg(s), LIBSSH2_VERSION);
#else
		return err_set(&s->err, DROVE_E_PROTOCOL,
		    "key exchange with %s port %d failed: %s", s->address,
		    s->port, ls_errmsg(s));
#endif
	}
	if (rc != 0)
		return sess_lserr(s, rc, "handshake");
	s->handshaken = 1;
	sess_to(s, SESS_HOSTKEY);
	return 0;
}

/* HOSTKEY for keyscan: print the key's known_hosts line, or add it. */
static int
sess_keyscan(struct sess *s)
{
	const char *warning = NULL;
	char *line = NULL;
	int rc;

	if (s->cfg->keyscan & KEYSCAN_APPEND)
		rc = kh_check(s->kh, s->ls, s->address, s->port,
		    DROVE_HOSTKEY_ACCEPT_NEW, &warning, &s->err);
	else
		rc = kh_scan_line(s->kh, s->ls, s->address, s->port,
		    s->cfg->keyscan & KEYSCAN_HASH, &line, &s->err);
	if (warning != NULL)
		s->ops->warn(s->owner, warning);
	if (rc != 0)
		return rc;
	if (line != NULL) {
		s->ops->output(s->owner, 0, line, strlen(line));
		s->ops->output(s->owner, 0, "\n", 1);
		free(line);
	}
	s->exit_code = 0;
	s->job_done = 1;
	sess_to(s, SESS_CLOSE);
	return 0;
}

/* HOSTKEY: verify the server's key against known_hosts; under ask, hold
 * an unknown key (the connect deadline paused) until it is answered. */
static int
sess_hostkey(struct sess *s)
{
	const char *warning = NULL;
	int rc;

	if (s->held)
		return DROVE_AGAIN;
	if (s->cfg->keyscan)
		return sess_keyscan(s);
	rc = kh_check(s->kh, s->ls, s->address, s->port, s->policy,
	    &warning, &s->err);
	if (warning != NULL)
		s->ops->warn(s->owner, warning);
	s->no_password = rc == 0 && kh_changed(s->kh);
	if (rc == DROVE_AGAIN) {
		s->held = 1;
		loop_timer_stop(s->cfg->loop, &s->deadline);
		s->ops->held(s->owner);
		return DROVE_AGAIN;
	}
	if (rc != 0)
		return rc;
	s->auth_step = AUTH_LIST;
	sess_to(s, SESS_AUTH);
	return 0;
}

/* libssh2's sign callback: sign through the identity being tried. */
static int
sign_cb(LIBSSH2_SESSION *ls, unsigned char **sig, size_t *siglen,
    const unsigned char *data, size_t datalen, void **abstract)
{
	struct sess *s = *abstract;

	(void)ls;
	return ident_sign(s->signing, &s->signreq, data, datalen, sig,
	    siglen);
}

/* Whether the server's method list names method. */
static int
auth_allows(struct sess *s, const char *method)
{
	const char *p = s->auth_methods;
	size_t n = strlen(method);

	while (p != NULL && *p != '\0') {
		if (strncmp(p, method, n) == 0 && (p[n] == ',' ||
		    p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) != NULL)
			p++;
	}
	return 0;
}

/*
 * The idx-th public key candidate, in OpenSSH's order: the agent's keys,
 * the --key files, the host's own key, the default files.  NULL past the
 * end.
 */
static struct ident *
auth_candidate(struct sess *s, size_t idx)
{
	const struct sess_cfg *c = s->cfg;
	size_t na = c->agent && !s->identities_only ? agent_count(c->agent) : 0;

	if (idx < na)
		return agent_ident(c->agent, idx);
	idx -= na;
	if (idx < c->nexplicit)
		return c->idents[idx];
	idx -= c->nexplicit;
	if (s->ident != NULL) {
		if (idx == 0)
			return s->ident;
		idx--;
	}
	idx += c->nexplicit;
	if (s->identities_only)
		return NULL;
	return idx < c->nidents ? c->idents[idx] : NULL;
}

/* Build the message for a host that no method let in. */
static int
auth_failed(struct sess *s)
{
	char tried[256] = "";
	size_t na = s->cfg->agent && !s->identities_only ?
	    agent_count(s->cfg->agent) : 0;
	size_t nk = (s->identities_only ? s->cfg->nexplicit :
	    s->cfg->nidents) + (s->ident != NULL);
	int n = 0;

	if (auth_allows(s, "publickey"))
		n = snprintf(tried, sizeof tried, "%zu agent key%s, %zu "
		    "key file%s", na, na == 1 ? "" : "s", nk,
		    nk == 1 ? "" : "s");
	if ((s->password || s->cfg->password) && n >= 0 &&
	    (size_t)n < sizeof tried)
		snprintf(tried + n, sizeof tried - (size_t)n, "%s%s",
		    n ? ", " : "", s->no_password ? "password not sent: the "
		    "host key has changed" : "password");
#if LIBSSH2_VERSION_NUM < 0x010b00
	if (s->rsa_refused)
		return err_set(&s->err, DROVE_E_AUTH,
		    "authentication as %s to %s failed: tried %s; an RSA key "
		    "was refused: libssh2 %s signs RSA only with ssh-rsa "
		    "(SHA-1), which OpenSSH 8.8 and later reject; use an "
		    "ed25519 key or build drove with libssh2 >= 1.11",
		    s->user, s->address, tried[0] ? tried : "nothing",
		    LIBSSH2_VERSION);
#endif
	return err_set(&s->err, DROVE_E_AUTH,
	    "authentication as %s to %s failed: tried %s; server allows %s%s%s",
	    s->user, s->address, tried[0] ? tried : "nothing",
	    s->auth_methods ? s->auth_methods : "nothing",
	    s->auth_note[0] ? "; " : "", s->auth_note);
}

/* Move past the key (or its certificate) just tried. */
static void
auth_next(struct sess *s, int was_cert)
{
	if (was_cert) {
		s->cert_done = 1;
		return;
	}
	s->cert_done = 0;
	s->auth_idx++;
}

/* AUTH, public keys: one libssh2_userauth_publickey call per key. */
static int
auth_pubkey(struct sess *s)
{
	struct ident *key, *id;
	int rc;

	while ((key = auth_candidate(s, s->auth_idx)) != NULL) {
		/* a key's certificate first, where libssh2 can sign for it */
		id = key->cert != NULL && !s->cert_done ? key->cert : key;
		if (cert_cannot(id, s->auth_note, sizeof s->auth_note)) {
			auth_next(s, id != key);
			continue;
		}
		s->signing = id;
		rc = libssh2_userauth_publickey(s->ls, s->user, id->blob,
		    id->bloblen, sign_cb, (void **)&s->self);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		sign_req_release(&s->signreq);
		sign_req_init(&s->signreq, &s->task);
		if (rc == 0)
			return 0;
		LOG("%s: key %s refused: %d", s->name, id->label, rc);
		if (rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
		    rc == LIBSSH2_ERROR_SOCKET_RECV ||
		    rc == LIBSSH2_ERROR_SOCKET_SEND)
			return err_set(&s->err, DROVE_E_AUTH,
			    "authentication as %s to %s failed: the server "
			    "closed the connection after key %s (too many "
			    "keys offered? see MaxAuthTries)", s->user,
			    s->address, id->label);
		if (strcmp(id->algo, "ssh-rsa") == 0)
			s->rsa_refused = 1;
		cert_refused(id, s->auth_note, sizeof s->auth_note);
		auth_next(s, id != key);
	}
	return DROVE_E_AUTH;
}

/* Enter JOB with the command deadline and the safety tick running. */
static void
sess_begin_job(struct sess *s)
{
	if (s->cfg->command_timeout_ms > 0)
		loop_timer_start(s->cfg->loop, &s->deadline,
		    s->cfg->command_timeout_ms);
	loop_timer_start(s->cfg->loop, &s->tick, SESS_TICK_MS);
	sess_to(s, SESS_JOB);
}

/* Wait for the next job, and tell the owner. */
static void
sess_to_ready(struct sess *s)
{
	s->interrupted = 0;
	sess_to(s, SESS_READY);
	if (s->ops->idle != NULL)
		s->ops->idle(s->owner, s);
}

/* AUTH: list, agent, keys, password, keyboard-interactive, in turn. */
static int
sess_auth(struct sess *s)
{
	const char *pw = s->password ? s->password : s->cfg->password;
	unsigned int ulen = (unsigned int)strlen(s->user);
	char *list;
	int rc;

	switch (s->auth_step) {
	case AUTH_LIST:
		list = libssh2_userauth_list(s->ls, s->user, ulen);
		if (list == NULL) {
			if (libssh2_userauth_authenticated(s->ls))
				break;
			rc = libssh2_session_last_errno(s->ls);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			return sess_lserr(s, rc, "authentication");
		}
		if ((s->auth_methods = strdup(list)) == NULL)
			return err_set(&s->err, DROVE_E_NOMEM, "out of memory");
		s->auth_step = AUTH_AGENT;
		return 0;
	case AUTH_AGENT:
		if (s->cfg->agent != NULL && !s->identities_only &&
		    auth_allows(s, "publickey")) {
			rc = agent_list(s->cfg->agent, &s->task, NULL);
			if (rc == DROVE_AGAIN)
				return DROVE_AGAIN;
		}
		s->auth_step = auth_allows(s, "publickey") ? AUTH_PUBKEY :
		    AUTH_PASSWORD;
		s->auth_idx = 0;
		return 0;
	case AUTH_PUBKEY:
		rc = auth_pubkey(s);
		if (rc == DROVE_AGAIN)
			return rc;
		if (rc == 0)
			break;
		if (s->err.code != 0)
			return s->err.code;
		s->auth_step = AUTH_PASSWORD;
		return 0;
	case AUTH_PASSWORD:
		if (pw == NULL || s->no_password ||
		    !auth_allows(s, "password")) {
			s->auth_step = AUTH_KBDINT;
			return 0;
		}
		rc = libssh2_userauth_password_ex(s->ls, s->user, ulen, pw,
		    (unsigned int)strlen(pw), NULL);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc == 0)
			break;
		s->auth_step = AUTH_KBDINT;
		return 0;
	case AUTH_KBDINT:
		if (pw == NULL || s->no_password ||
		    !auth_allows(s, "keyboard-interactive"))
			return auth_failed(s);
		rc = libssh2_userauth_keyboard_interactive_ex(s->ls, s->user,
		    ulen, kbdint_cb);
		if (rc == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (rc == 0)
			break;
		return auth_failed(s);
	}
	s->authenticated = 1;
	s->ops->ready(s->owner);
	if (s->keepalive_s > 0) {
		libssh2_keepalive_config(s->ls, 0, s->keepalive_s);
		s->keepalive_due = loop_now(s->cfg->loop) +
		    s->keepalive_s * 1000ULL;
	}
	loop_timer_stop(s->cfg->loop, &s->deadline);
	if (s->persist && s->job == NULL)
		sess_to_ready(s);
	else
		sess_begin_job(s);
	return 0;
}

/*
 * Send a keepalive when one is due, only on an idle session with nothing
 * half-sent: keepalive_send swallows EAGAIN and would leave its packet
 * queued in front of the job's next send (engine/README, 7).  It is due
 * only after an interval with no bytes sent or received (sess_traffic), so
 * never in the middle of a transfer, where the socket may be full.
 */
static void
sess_keepalive(struct sess *s)
{
	uint64_t now = loop_now(s->cfg->loop);
	int next = 0;

	if (s->keepalive_s == 0 || now < s->keepalive_due ||
	    !s->job->ops->idle(s->job) ||
	    (libssh2_session_block_directions(s->ls) &
	    LIBSSH2_SESSION_BLOCK_OUTBOUND))
		return;
	if (libssh2_keepalive_send(s->ls, &next) == 0 && next > 0)
		s->keepalive_due = now + (uint64_t)next * 1000;
	else
		s->keepalive_due = now + s->keepalive_s * 1000ULL;
}

/* JOB: run the job; a safety tick drives it at least once a second.  A
 * persistent session frees a finished job and waits in READY. */
static int
sess_job(struct sess *s)
{
	int rc;

	s->send_first = 0;
	rc = s->job->ops->step(s->job, s);
	if (rc == DROVE_AGAIN) {
		sess_keepalive(s);
		loop_timer_start(s->cfg->loop, &s->tick, SESS_TICK_MS);
		return DROVE_AGAIN;
	}
	if (rc < 0)
		return rc;
	s->job_done = 1;
	if (!s->persist || s->stopping) {
		/* a stopped job (timed out, cancelled) ends the session */
		sess_to(s, SESS_CLOSE);
		return 0;
	}
	s->job->ops->free(s->job, 0);
	s->job = NULL;
	loop_timer_stop(s->cfg->loop, &s->deadline);
	sess_to_ready(s);
	return 0;
}

/*
 * READY: fail when the server has closed the connection or the socket
 * holds an error; note bytes waiting (the next job reads them); send a
 * keepalive when one is due and nothing is half sent.  Sessions whose
 * fd is not a socket are not watched.  A dry socket (sess_recv) needs no
 * look: anything that came since, an end or an error too, makes it
 * readable, and the loop steps the session again at once.
 */
static int
sess_ready(struct sess *s)
{
	uint64_t now = loop_now(s->cfg->loop);
	ssize_t n;
	int next = 0, rc;
	char c;

	if (s->fd == -1)
		return DROVE_AGAIN;
	if (s->dry) {
		n = -1;
		errno = EAGAIN;
	} else
		n = recv(s->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0)
		return err_set(&s->err, DROVE_E_UNREACHABLE,
		    "connection to %s port %d closed by the server while "
		    "idle", s->address, s->port);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
	    errno != EINTR) {
		if (errno == ENOTSOCK) {
			s->idle_input = 1;
			return DROVE_AGAIN;
		}
		return err_set(&s->err, DROVE_E_UNREACHABLE,
		    "connection to %s port %d lost while idle: %s",
		    s->address, s->port, strerror(errno));
	}
	s->idle_input = n > 0;
	if (s->keepalive_s == 0 || now < s->keepalive_due ||
	    (libssh2_session_block_directions(s->ls) &
	    LIBSSH2_SESSION_BLOCK_OUTBOUND))
		return DROVE_AGAIN;
	rc = libssh2_keepalive_send(s->ls, &next);
	if (rc != 0 && rc != LIBSSH2_ERROR_EAGAIN)
		return sess_lserr(s, rc, "keepalive");
	s->keepalive_due = now + (next > 0 ? (uint64_t)next :
	    s->keepalive_s) * 1000ULL;
	return DROVE_AGAIN;
}

/* Free the job, the SFTP channel kept for jobs, what the owner made on
 * the session, the libssh2 session and the socket (the order of
 * engine/README, 10). */
static void
sess_teardown(struct sess *s)
{
	sess_shut(s);
	if (s->job != NULL) {
		s->job->ops->free(s->job, !s->job_done);
		s->job = NULL;
	}
	if (s->sftp != NULL) {
		libssh2_sftp_shutdown(s->sftp);
		s->sftp = NULL;
	}
	if (s->ops->teardown != NULL)
		s->ops->teardown(s->owner, s);
	sess_drop(s);
}

/* CLOSE: disconnect politely within a second, then tear down. */
static int
sess_close(struct sess *s)
{
	int rc;

	if (!s->closing) {
		s->closing = 1;
		loop_timer_start(s->cfg->loop, &s->deadline, SESS_CLOSE_MS);
		if (s->rreq != NULL) {
			resolve_cancel(s->cfg->resolver, s->rreq);
			s->rreq = NULL;
		}
	}
	if (s->handshaken && s->err.code != DROVE_E_UNREACHABLE &&
	    s->err.code != DROVE_E_PROTOCOL) {
		rc = libssh2_session_disconnect(s->ls, "done");
		if (rc == LIBSSH2_ERROR_EAGAIN && (s->fd != -1 ||
		    s->tp != NULL))
			return DROVE_AGAIN;
	}
	sess_teardown(s);
	sess_to(s, SESS_DONE);
	return 0;
}

/* Run state functions until one waits or the session is done. */
static void
sess_step(struct sess *s)
{
	int rc = 0, steps;

	loop_timer_stop(s->cfg->loop, &s->tick);
	s->empty_reads = 0;
	for (steps = 0; steps < SESS_FAIR_STEPS; steps++) {
		switch (s->state) {
		case SESS_RESOLVE:
		case SESS_RETRY:
			rc = DROVE_AGAIN;
			break;
		case SESS_CONNECT:
			rc = sess_connect(s);
			break;
		case SESS_HANDSHAKE:
			rc = sess_handshake(s);
			break;
		case SESS_HOSTKEY:
			rc = sess_hostkey(s);
			break;
		case SESS_AUTH:
			rc = sess_auth(s);
			break;
		case SESS_READY:
			rc = sess_ready(s);
			break;
		case SESS_JOB:
			if (*s->cfg->paused) {
				sess_unwatch(s);
				return;
			}
			rc = sess_job(s);
			if (rc == DROVE_AGAIN &&
			    s->job->ops->hidden_input(s->job))
				continue;
			break;
		case SESS_CLOSE:
			rc = sess_close(s);
			break;
		case SESS_DONE:
			loop_timer_stop(s->cfg->loop, &s->deadline);
			loop_timer_stop(s->cfg->loop, &s->tick);
			loop_task_cancel(s->cfg->loop, &s->task);
			if (s->ai != NULL) {
				freeaddrinfo(s->ai);
				s->ai = NULL;
			}
			s->ops->done(s->owner, s);
			return;
		}
		if (rc == DROVE_AGAIN) {
			sess_park(s);
			return;
		}
		if (rc < 0) {
			if (s->err.code == 0)
				err_set(&s->err, rc, "%s: %s",
				    state_names[s->state], drove_strerror(rc));
			sess_fail(s);
			if (s->state == SESS_RETRY)
				return;
		}
	}
	sess_wake(s);
}

/* The held session's key, for the question. */
int
sess_hostkey_info(struct sess *s, const char **type, char fp[56])
{
	char raw[48];

	s = sess_keyholder(s);
	if (s->ls == NULL || kh_key_info(s->ls, type, raw) != 0)
		return DROVE_E_HOSTKEY;
	snprintf(fp, 56, "SHA256:%s", raw);
	return 0;
}

/* The session a host key question about s is about. */
struct sess *
sess_keyholder(struct sess *s)
{
	return s->keyholder != NULL ? s->keyholder : s;
}

/* The user answered: add the key and go on, or fail with the strict
 * message kept in s->err. */
void
sess_hostkey_answer(struct sess *s, int accept)
{
	const char *warning = NULL;
	struct sess *k = s->keyholder;
	int rc = DROVE_E_HOSTKEY;

	if (k != NULL) {
		/* the answer is the jump host's; this session waits for it
		 * to connect, or fails with it */
		s->keyholder = NULL;
		s->held = 0;
		sess_hostkey_answer(k, accept);
		return;
	}
	if (!s->held || s->state != SESS_HOSTKEY)
		return;		/* waits for a jump host, or ends */
	s->held = 0;
	if (accept) {
		err_clear(&s->err);
		rc = kh_check(s->kh, s->ls, s->address, s->port,
		    DROVE_HOSTKEY_ACCEPT_NEW, &warning, &s->err);
		if (warning != NULL)
			s->ops->warn(s->owner, warning);
	}
	if (rc != 0) {
		sess_to(s, SESS_CLOSE);
	} else {
		if (s->connect_timeout_ms > 0)
			loop_timer_start(s->cfg->loop, &s->deadline,
			    s->connect_timeout_ms);
		s->auth_step = AUTH_LIST;
		sess_to(s, SESS_AUTH);
	}
	sess_wake(s);
}

/* Resolve the address; the connect deadline starts once it is known. */
void
sess_start(struct sess *s)
{
	int rc;

	s->started_ms = loop_now(s->cfg->loop);
	s->seed = (unsigned int)(s->started_ms ^ (uintptr_t)s);
	if (s->tp != NULL) {
		/* no name to resolve: the transport reaches the host */
		sess_to(s, SESS_CONNECT);
		sess_wake(s);
		return;
	}
	rc = resolve_start(s->cfg->resolver, s->address, s->port,
	    sess_resolved, s, &s->rreq);
	if (rc != 0) {
		err_set(&s->err, rc, "resolve %s: %s", s->address,
		    drove_strerror(rc));
		sess_to(s, SESS_CLOSE);
		sess_wake(s);
	}
}

/* Start the next job of a persistent session. */
int
sess_run_job(struct sess *s, struct job *job)
{
	if (s->state != SESS_READY || s->job != NULL)
		return DROVE_E_INVAL;
	s->job = job;
	s->job_done = 0;
	s->timed_out = 0;
	err_clear(&s->err);
	s->exit_code = -1;
	s->signal[0] = '\0';
	sess_begin_job(s);
	sess_wake(s);
	return 0;
}

/* Stop the session soon, whatever it is doing. */
void
sess_cancel(struct sess *s, const char *why)
{
	if (s->state >= SESS_CLOSE)
		return;
	s->cancelled = 1;
	if (s->held) {
		/* held for the host key question: cancelled, not refused */
		s->held = 0;
		err_clear(&s->err);
		if (why == NULL)
			why = "interrupted at the host key question";
	}
	if (s->err.code == 0 && why != NULL)
		err_set(&s->err, DROVE_E_CANCELLED, "%s", why);
	else if (s->err.code == 0)
		err_set(&s->err, DROVE_E_CANCELLED, "interrupted during %s",
		    state_names[s->state]);
	sess_stop_job(s);
	sess_wake(s);
}

/* The transport is gone: end now, keeping a result already made. */
void
sess_lost(struct sess *s, int code, const char *msg)
{
	if (s->state == SESS_DONE)
		return;
	if (s->state == SESS_CLOSE) {
		sess_wake(s);	/* a disconnect waiting for room fails */
		return;
	}
	err_set(&s->err, code, "%s", msg);
	s->cancelled = 1;
	s->handshaken = 0;	/* nothing can be sent: no disconnect */
	sess_to(s, SESS_CLOSE);
}

/* Whether a READY session's connection stands; else close it. */
int
sess_alive(struct sess *s)
{
	if (s->state != SESS_READY)
		return 0;
	if (sess_ready(s) == DROVE_AGAIN)
		return 1;
	sess_fail(s);
	sess_wake(s);
	return 0;
}

/* Stop the job, keeping the session when the job can. */
void
sess_interrupt(struct sess *s, const char *why)
{
	if (!s->persist || s->state != SESS_JOB || s->stopping ||
	    s->job->ops->interrupt == NULL) {
		sess_cancel(s, why);
		return;
	}
	if (s->interrupted)
		return;
	if (!s->job->ops->interrupt(s->job)) {
		sess_cancel(s, why);
		return;
	}
	s->interrupted = 1;
	if (s->err.code == 0)
		err_set(&s->err, DROVE_E_CANCELLED, "%s", why != NULL ? why :
		    "interrupted");
	loop_timer_start(s->cfg->loop, &s->deadline, SESS_STOP_MS);
	sess_wake(s);
}
