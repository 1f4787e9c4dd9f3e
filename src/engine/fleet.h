/*
 * fleet.h: the inside of a fleet: its hosts and options (fleet.c) and the
 * shards that run them, one loop thread each (shard.c).
 *
 * A run splits the hosts over nshards shards by index (host i goes to shard
 * i % nshards, so each shard starts its hosts in inventory order), except
 * that hosts behind the same first jump host go to one shard (its forks in
 * proportion to its hosts), which connects to that jump host.  A shard
 * owns its loop, resolver, known_hosts copy, agent connection and every
 * libssh2 object of its sessions; nothing of it is touched by another
 * thread.  Shared and read-only during a run: the hosts' specs, the options,
 * the identity files (EVP_PKEY signing is thread-safe) and the stdin feed
 * once it is complete.  Shared and written: host results (each by its own
 * shard only), event delivery (under ev_lock when nshards > 1), and the
 * cancel and fail-fast flags (atomics, then loop_wake on every shard).
 */
#ifndef FLEET_H
#define FLEET_H

#include <pthread.h>
#include <signal.h>

#include "base/err.h"
#include "drove.h"
#include "engine/feed.h"
#include "engine/jump.h"
#include "engine/loop.h"
#include "engine/pace.h"
#include "engine/sess.h"

struct drove_fleet;
struct shard;
struct shell_ctl;

/* Become settings: the fleet's, or a host's own (-1 and NULL: the
 * fleet's).  fleet-become.c. */
struct fbecome {
	int			 on;
	char			*user;
	int			 method;	/* enum drove_become_method */
	char			*password;
};

#define FLEET_MARK_LEN	16	/* hex digits of a run's become marker */

struct fhost {
	char			*name;
	char			*address;
	int			 port;
	char			*user;
	char			*key;
	char			*password;
	unsigned int		 connect_timeout_ms;	/* 0: the fleet's */
	unsigned int		 keepalive_s;		/* 0: the fleet's */
	char			*known_hosts;		/* NULL: the fleet's */
	char			*cert;			/* CertificateFile */
	int			 policy;		/* -1: the fleet's */
	int			 identities_only;
	struct ident		*ident;		/* loaded from key, or NULL */
	struct jhop		*jump;		/* its jump chain, or NULL */
	char			*proxy_command;	/* or NULL */
	struct shard		*shard;
	struct dest		*dest;		/* its server, for pacing */
	struct sess		*sess;
	struct drove_result	 result;
	int			 done;
	struct fbecome		 become;
	/* kept sessions (keep.c) */
	int			 picked;	/* drove_fleet_select() */
	int			 in_run;	/* part of this run */
	int			 busy;		/* its job of this run runs */
	int			 reviving;	/* its kept session was found
						   closed: connect again */
	uint64_t		 t0;		/* this run's start, loop ms */
	char			 lost[256];	/* why its kept session closed
						   while idle, until it is
						   connected again */
};

/* A host's own identity file, loaded once however many hosts name it. */
struct hostkey_file {
	const char		*path;		/* lent by the first host */
	struct ident		*id;		/* NULL when it failed */
	struct drove_err	 err;
};

/*
 * A destination server (address and port) of a shard: connection starts to
 * it are paced (a token bucket of connect_rate per second) and at most
 * max_startups of them may be short of authentication at once, so a burst
 * does not trip sshd's MaxStartups.  Hosts held back wait in its queue.
 */
struct dest {
	const char		*address;	/* lent by a host */
	int			 port;
	struct pace		 pace;		/* connect tokens */
	unsigned int		 starting;	/* sessions before auth */
	size_t			*queue;		/* host indices, FIFO */
	size_t			 qhead;
	size_t			 qlen;
	size_t			 qcap;
	struct dest		*next_busy;	/* shard's list of dests with */
	int			 busy;		/* a queue */
};

/* A known_hosts file some hosts name instead of the fleet's. */
struct kh_file {
	char			*path;		/* lent by a host */
	struct known_hosts	*kh;
};

struct shard {
	struct drove_fleet	*f;
	unsigned int		 id;
	pthread_t		 thread;
	struct loop		*loop;
	struct resolver		*resolver;
	struct fwriter		*writer;	/* jobs' local files */
	struct known_hosts	*kh;
	struct agent		*agent;
	struct kh_file		*khs;		/* hosts' own known_hosts */
	size_t			 nkhs;
	struct sess_cfg		 cfg;
	size_t			*hosts;		/* fleet host indices */
	size_t			 nhosts;
	size_t			 next;		/* in hosts */
	size_t			 active;
	size_t			 finished;
	unsigned int		 forks;		/* 0: no limit */
	double			 connect_rate;	/* per dest; 0: none */
	unsigned int		 max_startups;	/* per dest; 0: none */
	struct jump		*jump;		/* jump host connections */
	struct dest	       **dests;		/* hash table by address:port */
	size_t			 ndests_cap;
	struct dest		*busy;		/* dests with waiting hosts */
	struct loop_task	 start_task;
	struct loop_timer	 pace_timer;
	struct loop_timer	 tick_timer;	/* shard 0: the caller's tick */
	char			 rbuf[SESS_RBUF];	/* cfg.rbuf */
	size_t			 nsess;		/* sessions alive (kept ones,
						   closing ones too) */
	pthread_t		 keeper;	/* turns the loop between
						   runs */
	int			 cancelling;
	int			 ff_seen;	/* fail-fast handled here */
	int			 stdin_watched;
	/* host keys to ask about (DROVE_HOSTKEY_ASK) */
	size_t			*held;		/* host indices */
	size_t			 nheld;
	size_t			 capheld;
	int			 prompting;	/* jobs wait, events queue */
	struct held_event	*events;	/* queued while prompting */
	size_t			 nevents;
	size_t			 capevents;
	struct drove_hostkey_query *queries;	/* being asked */
	size_t			 nqueries;
	char			(*fps)[56];
	/* keys rejected one by one, by server: a host held later for the
	 * same key there is refused without asking again */
	struct rejected_key	*rejected;
	size_t			 nrejected;
	enum drove_ask_answer	 answer;
	pthread_t		 prompt_thread;
	struct drove_err	 err;
};

/* A host key the user rejected for one server. */
struct rejected_key {
	struct dest		*dest;
	char			 fp[56];
};

/* An event held back while the user is asked about host keys. */
struct held_event {
	enum drove_event_type	 type;
	size_t			 host;
	char			*data;
	size_t			 len;
};

struct drove_fleet {
	struct drove_err	 err;
	struct fhost		*hosts;
	size_t			 nhosts;
	size_t			 caphosts;

	unsigned int		 forks;
	unsigned int		 connect_timeout_ms;
	unsigned int		 command_timeout_ms;
	unsigned int		 keepalive_s;
	unsigned int		 retries;
	unsigned int		 loops;		/* 0: automatic */
	double			 connect_rate;
	unsigned int		 max_startups;
	unsigned int		 jump_channels;	/* per jump connection */
	enum drove_fail_fast	 fail_fast;
	char			*known_hosts;
	enum drove_hostkey_policy policy;
	char		       **id_paths;
	size_t			 nid_paths;
	char		       **cert_paths;	/* certificates of those keys */
	size_t			 ncert_paths;
	int			 default_ids;
	int			 use_agent;
	char			*password;
	drove_hostkey_ask_cb	*ask_cb;
	void			*ask_arg;
	int			 ask_settled;	/* all/none answered */
	drove_passphrase_cb	*pass_cb;
	void			*pass_arg;
	drove_event_cb		*ev_cb;
	void			*ev_arg;
	void			(*tick_cb)(void *);
	void			*tick_arg;
	unsigned int		 tick_ms;
	char			*command;
	int			 stdin_fd;
	int			 tty;		/* exec under a pty */
	int			 keyscan;	/* KEYSCAN_* or 0 */
	char			*scan_types;
	struct shell_ctl	*shell;		/* drove_fleet_shell(), or NULL */
	int			 stepped;	/* drove_fleet_start() began a
						 * run the caller steps */
	/* a job other than exec (push, pull), made per host from job_arg,
	 * which the fleet frees with job_arg_free (fleet_set_job) */
	struct job		*(*make_job)(struct drove_fleet *, size_t host);
	void			*job_arg;
	void			(*job_arg_free)(void *);
	unsigned int		 host_fds;	/* open files a running host
						   holds: 1, or 2 for a pull */
	struct fbecome		 become;	/* drove_fleet_set_become() */
	char			 become_mark[FLEET_MARK_LEN + 1];	/* per run */
	/* kept sessions (keep.c) */
	int			 keep;		/* sessions outlive a run */
	int			 picking;	/* runs take the picked hosts */
	int			 connect_only;	/* drove_fleet_connect() */
	int			 running;	/* a run is going on */
	int			 keeping;	/* keeper threads run */
	int			 keeper_stop;	/* atomic: keepers return */
	int			 closing;	/* keepers return when their
						   shard has no session */
	size_t			 nrun;		/* hosts in the run */

	/* while running (kept between runs with keep) */
	struct shard		*shards;
	unsigned int		 nshards;
	pthread_mutex_t		 ev_lock;
	struct ident	       **idents;	/* run-wide identity files */
	size_t			 nidents;
	struct hostkey_file	*keyfiles;	/* distinct per-host keys */
	size_t			 nkeyfiles;
	struct feed		 feed;
	int			 stdin_flags;	/* to restore, or -1 */
	volatile sig_atomic_t	 cancel;
	size_t			 ff_host;	/* first failure, or SIZE_MAX */
	char			 local_user[64];
	char			 known_hosts_path[4096];
	char			 warning[512];	/* about the run, not a host */
};

/* fleet.c: deliver an event to the caller (serialized across shards). */
void	fleet_emit(struct drove_fleet *, enum drove_event_type, size_t host,
	    const char *data, size_t len);

/* fleet.c: make every host's job with make_job (NULL: keyscan, or no job yet);
 * the fleet owns arg from here on, and frees the one it held. */
void	fleet_set_job(struct drove_fleet *,
	    struct job *(*make_job)(struct drove_fleet *, size_t), void *arg,
	    void (*arg_free)(void *));

/* fleet-become.c: copy a hostspec's become settings into h (DROVE_E_INVAL
 * with f's error for a bad value); free them; draw a run's marker. */
int	fleet_become_host(struct drove_fleet *, struct fhost *,
	    const struct drove_hostspec *);
void	fleet_become_release(struct fbecome *);
void	fleet_become_mark(struct drove_fleet *);
/* Host's become settings after its own and the fleet's: 0 when it runs as
 * its login user, else 1 and *out (strings lent by the fleet). */
int	fleet_become_of(const struct drove_fleet *, size_t host,
	    struct fbecome *out);

/* fleet.c: call the caller's tick (serialized with events). */
void	fleet_tick(struct drove_fleet *);

/* keep.c: kept sessions between runs (see there). */
int	keep_begin(struct drove_fleet *);
void	keep_end(struct drove_fleet *);
void	keep_pause(struct drove_fleet *);
void	keep_resume(struct drove_fleet *);
void	keep_close(struct drove_fleet *);
int	keep_in_run(const struct drove_fleet *, size_t host);

/* fleet.c: free what the shards share, and the shards. */
void	fleet_teardown(struct drove_fleet *);
/* fleet.c: read all of stdin into the feed now; 0 or DROVE_E_*. */
int	fleet_read_stdin(struct drove_fleet *);

/* shard.c */
int	shard_setup(struct shard *);
/* Take host into the shard (its server's pacing record); DROVE_E_NOMEM. */
int	shard_adopt(struct shard *, size_t host);
/* Ready a kept shard for the next run of its hosts. */
void	shard_rearm(struct shard *);
void	shard_teardown(struct shard *);
/* Run the shard's hosts to their end; 0 or DROVE_E_* (sh->err set). */
int	shard_run(struct shard *);
/* The same in steps, for drove_fleet_step(): begin, turns until done,
 * end. */
void	shard_begin(struct shard *);
int	shard_turn(struct shard *, int timeout_ms);
int	shard_done(const struct shard *);
void	shard_end(struct shard *);
/* Read stdin into the feed as it comes, on this shard's loop; DROVE_E_IO
 * when epoll cannot watch it (then nothing changed). */
int	shard_watch_stdin(struct shard *);
void	shard_unwatch_stdin(struct shard *);

#endif /* FLEET_H */
