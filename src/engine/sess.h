/*
 * sess.h: one host's SSH session as a non-blocking state machine.
 *
 * A session goes resolve -> connect -> handshake -> hostkey -> auth -> job
 * -> close -> done.  A persistent session (persist set before sess_start)
 * goes to ready instead of job when it has none, and back to ready when a
 * job ends; sess_run_job() starts the next job on the same connection.
 * While ready it watches its socket for the server's close and sends
 * keepalives when due; a close or a failed keepalive ends the session.
 * Jobs may leave it an SFTP channel for the next job (struct sess, sftp).
 * Every libssh2 call is non-blocking; on EAGAIN the session asks the loop
 * to wake it when libssh2_session_block_directions() says so and makes the
 * same call again later.  One operation is in flight
 * per session at a time (engine/README, 1).  A failure ends this session
 * with a typed error and never touches another.
 *
 * Ownership: the fleet creates sessions with sess_new() and frees them with
 * sess_free() after the done callback; struct sess_cfg outlives them.
 * Thread rules: loop thread only.
 */
#ifndef SESS_H
#define SESS_H

#include <stdint.h>

#include <libssh2.h>

#include "base/err.h"
#include "drove.h"
#include "engine/ident.h"
#include "engine/loop.h"

struct agent;
struct known_hosts;
struct resolver;
struct transport;
struct resolve_req;
struct sess;
struct job;

/* Settings shared by the sessions of one loop; read-only while running. */
struct sess_cfg {
	struct loop		*loop;
	struct resolver		*resolver;
	struct known_hosts	*kh;
	enum drove_hostkey_policy policy;
	struct agent		*agent;		/* NULL: no agent */
	struct ident	       **idents;	/* identity files: explicit */
	size_t			 nidents;	/* ones first, then defaults */
	size_t			 nexplicit;
	const char		*password;	/* default password or NULL */
	const char		*local_user;
	unsigned int		 connect_timeout_ms;	/* 0: none */
	unsigned int		 command_timeout_ms;	/* 0: none */
	unsigned int		 keepalive_s;		/* 0: none */
	unsigned int		 retries;	/* before the banner only */
	const int		*paused;	/* while set, jobs wait */
	int			 keyscan;	/* KEYSCAN_*: no auth, no job */
	const char		*scan_types;	/* host key types to ask for */
	/* where jobs read into: output is handed on before the next read,
	 * so one buffer serves every session of the loop */
	char			*rbuf;		/* SESS_RBUF bytes */
	/* threads for the jobs' local file work (a pull's files), off the
	 * loop; NULL: the job does it itself (the blocking client) */
	struct fwriter		*writer;
};

#define SESS_RBUF	32768

/* Keyscan: report the host key as a known_hosts line (hashed), or add it
 * to the known_hosts file when it is not there. */
#define KEYSCAN_PRINT	0x1
#define KEYSCAN_HASH	0x2
#define KEYSCAN_APPEND	0x4

/* How the session reports to its owner (the fleet). */
struct sess_ops {
	void	(*output)(void *owner, int stream, const char *, size_t);
	void	(*warn)(void *owner, const char *msg);
	void	(*ready)(void *owner);		/* authenticated */
	void	(*held)(void *owner);		/* unknown key: ask */
	void	(*done)(void *owner, struct sess *);
	/* Optional: the socket is shut down and the libssh2 session is about
	 * to be freed; drop what the owner made on it (an SFTP handle). */
	void	(*teardown)(void *owner, struct sess *);
	/* Optional, persistent sessions: the session is READY, authenticated
	 * without a job or after one (exit_code, signal and err say how the
	 * job ended; err is DROVE_E_CANCELLED after sess_interrupt()). */
	void	(*idle)(void *owner, struct sess *);
};

/* A job runs on a ready session; it follows the same step shape. */
struct job_ops {
	/* Advance: 0 finished, DROVE_AGAIN, or DROVE_E_* (err set). */
	int	(*step)(struct job *, struct sess *);
	/* Whether libssh2 holds input for the job that epoll cannot see. */
	int	(*hidden_input)(struct job *);
	/* Optional: the job waits for a local fd (its output is full) or
	 * for local work (a pull's file, on cfg->writer, which wakes the
	 * session when done), so the socket must not wake it meanwhile. */
	int	(*local_wait)(struct job *);
	/* Whether no write is in flight, so a keepalive may be sent. */
	int	(*idle)(struct job *);
	/* Optional: the run is cancelled or timed out; begin cleaning up
	 * (a push removes its temporary file) and return 1, then step to an
	 * end as usual; 0 when there is nothing to clean. */
	int	(*stop)(struct job *);
	/* Optional: stop the job but keep the session (sess_interrupt()):
	 * end what runs remotely by closing the job's channels once no call
	 * is half done, then step to an end (0).  Returns 0 when it cannot,
	 * and the session is cancelled instead. */
	int	(*interrupt)(struct job *);
	/* Free the job; abort: it did not end, and the session's socket is
	 * shut down, so any libssh2 call that would send fails at once
	 * (hard abort): free libssh2 objects without waiting. */
	void	(*free)(struct job *, int abort);
};

struct job {
	const struct job_ops	*ops;
};

enum sess_state {
	SESS_RESOLVE, SESS_RETRY, SESS_CONNECT, SESS_HANDSHAKE, SESS_HOSTKEY,
	SESS_AUTH, SESS_READY, SESS_JOB, SESS_CLOSE, SESS_DONE
};

struct sess {
	enum sess_state		 state;
	const struct sess_cfg	*cfg;
	const struct sess_ops	*ops;
	void			*owner;
	struct sess		*self;		/* libssh2 abstract points here */

	char			*name;		/* for messages */
	char			*address;
	int			 port;
	char			*user;
	const char		*password;	/* lent by the owner */
	struct ident		*ident;		/* host's own key, or NULL */
	/* the fleet's settings, or the host's own (ssh_config) */
	struct known_hosts	*kh;
	enum drove_hostkey_policy policy;
	unsigned int		 connect_timeout_ms;
	unsigned int		 keepalive_s;
	int			 identities_only;	/* no agent, no defaults */

	struct transport	*tp;		/* NULL: a TCP socket */
	/* the jump host held for its unknown key on this session's behalf:
	 * the host key question and answer are about it */
	struct sess		*keyholder;
	const char		*label;		/* its name in that question */
	struct resolve_req	*rreq;
	struct addrinfo		*ai;		/* all addresses */
	struct addrinfo		*ai_next;	/* next to try */
	int			 fd;
	int			 watching;	/* LOOP_* mask armed */
	int			 last_errno;	/* last connect failure */
	LIBSSH2_SESSION		*ls;

	int			 auth_step;
	size_t			 auth_idx;
	char			*auth_methods;
	int			 rsa_refused;	/* an ssh-rsa key was refused */
	int			 cert_done;	/* auth_idx's certificate tried */
	char			 auth_note[256]; /* why a certificate failed */
	int			 no_password;	/* key changed: keys only */
	struct ident		*signing;	/* identity being tried */
	struct sign_req		 signreq;

	struct job		*job;
	/* a persistent session's SFTP channel, kept from one job to the
	 * next: a job takes it and gives it back when it ends cleanly
	 * (jobs/sftp.c); shut down on teardown, after the job */
	struct _LIBSSH2_SFTP	*sftp;
	uint64_t		 started_ms;
	uint64_t		 keepalive_due;	/* loop_now() ms */
	struct loop_timer	 deadline;	/* connect, then command */
	struct loop_timer	 tick;		/* fallback wake-up, keepalive */
	struct loop_task	 task;		/* step on the next turn */
	int			 cancelled;
	int			 timed_out;	/* in the job phase */
	int			 handshaken;	/* a disconnect can be sent */
	int			 authenticated;	/* the job could start */
	int			 job_done;	/* the job finished its work */
	int			 closing;	/* CLOSE was entered */
	int			 held;		/* waits for a host key answer */
	int			 stopping;	/* the job cleans up, then close */
	int			 persist;	/* ready between jobs */
	int			 interrupted;	/* sess_interrupt() */
	int			 idle_input;	/* READY, bytes wait unread */
	unsigned int		 empty_reads;	/* in a row, this turn */
	int			 spun;		/* libssh2 looped on no input */
	unsigned int		 attempt;	/* retries made so far */
	unsigned int		 busy;		/* tries again after a close
						   before the banner */
	int			 fd_wait;	/* waits for a descriptor */
	int			 peer_eof;	/* the last read found EOF */
	int			 dry;		/* the last read found the
						   socket empty, and epoll has
						   not said readable since */
	int			 more;		/* sends wait for the next
						   (sess_more) */
	int			 send_first;	/* this step: the job reads
						   nothing until its half-sent
						   packet is out */
	unsigned int		 seed;		/* for backoff jitter */

	struct drove_err	 err;		/* why it failed */
	int			 exit_code;	/* set by the exec job */
	char			 signal[32];
};

/* Ready libssh2 once per process (any thread) and the trace switch. */
void		 sess_global_init(void);
struct sess	*sess_new(const struct sess_cfg *, const struct sess_ops *,
		    void *owner, const struct drove_hostspec *, struct job *);
void		 sess_free(struct sess *);	/* NULL-safe; after done */
/* Begin resolving; the done callback always follows, later. */
void		 sess_start(struct sess *);
/* Stop as soon as possible: close politely if connected, then done; why
 * is the message (NULL: "interrupted during STATE"). */
void		 sess_cancel(struct sess *, const char *why);
/*
 * The transport died under the session (its jump host went away): end it
 * at once with code and msg, sending nothing more; a session that already
 * closes keeps its result.
 */
void		 sess_lost(struct sess *, int code, const char *msg);
/* Answer a held session: add its key to known_hosts and go on, or fail. */
void		 sess_hostkey_answer(struct sess *, int accept);
/* The held session's key type and fingerprint ("SHA256:..."). */
int		 sess_hostkey_info(struct sess *, const char **type,
		    char fp[56]);
/* The session the host key question is about: its keyholder, or itself. */
struct sess	*sess_keyholder(struct sess *);
/*
 * Start job on a persistent session in the ready state (the session owns
 * it from here on); the exit code, signal and timeout of the last job are
 * cleared.  DROVE_E_INVAL (job not taken) unless the session is ready.
 */
int		 sess_run_job(struct sess *, struct job *);
/*
 * Whether a READY session's connection still stands: the server has not
 * closed it and the socket has no error.  When it does not, the session
 * closes with DROVE_E_UNREACHABLE and the reason (done follows) and 0 is
 * returned.
 */
int		 sess_alive(struct sess *);
/*
 * Stop a persistent session's job and keep the session: the job closes its
 * channels and the session goes back to READY (idle follows, err
 * DROVE_E_CANCELLED with why, or "interrupted").  Anything else (not
 * persistent, not in a job, a job that cannot) is sess_cancel().
 */
void		 sess_interrupt(struct sess *, const char *why);
/*
 * While on, what libssh2 sends waits in the socket for what follows
 * (MSG_MORE), to leave in one segment with the first send made after
 * sess_more(s, 0): one wake-up of the server for several packets.  When
 * no send follows, sess_push() sends what waits.
 */
void		 sess_more(struct sess *, int on);
void		 sess_push(struct sess *);
/*
 * Said by a job's step that waits for its half-sent packet to go before
 * it reads again (libssh2 would not read either): the session then waits
 * for the socket to take it, not for bytes.  Waiting for those too woke
 * the job at once and for nothing while they sat unread, a spin for as
 * long as the peer did not read.
 */
void		 sess_send_first(struct sess *);
/* Ask the loop to step the session on its next turn. */
void		 sess_wake(struct sess *);
const char	*sess_state_name(enum sess_state);

#endif /* SESS_H */
