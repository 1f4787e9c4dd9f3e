/*
 * drove.h: the public API of libdrove.
 *
 * libdrove runs commands on many hosts over SSH from one thread.  A fleet
 * (drove_fleet) holds a list of hosts, the options shared by all of them and
 * one job per host; drove_fleet_run() drives every session on one epoll loop
 * and reports per-host events through a callback.
 *
 * Ownership: every drove_*_new() object is freed by its drove_*_free().
 * Strings passed in are copied; const char * returned are lent and stay valid
 * until the owning object changes or is freed.
 *
 * Threads: a fleet is used by one thread at a time.  Different fleets may
 * run in different threads at once.  drove_fleet_cancel() alone may be called
 * from any thread or from a signal handler.  A run with several loops (see
 * drove_fleet_set_loops) calls the event callback from its loop threads, one
 * call at a time.
 *
 * Errors: functions return 0 or a negative DROVE_E_* code; the fleet keeps a
 * message with context, read with drove_fleet_error().
 */
#ifndef DROVE_H
#define DROVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Only drove_* is exported from libdrove.so; everything else is hidden. */
#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility push(default)
#endif

#define DROVE_VERSION		"0.1.0"
#define DROVE_VERSION_NUM	0x000100

/* Error codes: 0 is success, these are negative. */
enum drove_error {
	DROVE_E_INTERNAL = -1,		/* a bug or an unexpected library error */
	DROVE_E_NOMEM = -2,		/* out of memory */
	DROVE_E_INVAL = -3,		/* bad argument or usage */
	DROVE_E_IO = -4,		/* local file or system call failed */
	DROVE_E_RESOLVE = -5,		/* name did not resolve */
	DROVE_E_UNREACHABLE = -6,	/* no route, network down, reset */
	DROVE_E_REFUSED = -7,		/* connection refused */
	DROVE_E_TIMEOUT = -8,		/* connect or command deadline passed */
	DROVE_E_HOSTKEY = -9,		/* host key unknown, changed or bad */
	DROVE_E_AUTH = -10,		/* no authentication method worked */
	DROVE_E_PROTOCOL = -11,		/* SSH protocol failure after connect */
	DROVE_E_CHANNEL = -12,		/* channel or exec request refused */
	DROVE_E_CANCELLED = -13,	/* drove_fleet_cancel() was called */
	DROVE_E_INVENTORY = -14,	/* inventory or pattern error */
	DROVE_E_NOTFOUND = -15		/* pattern matched nothing */
};

/* Per-host outcome of a job. */
enum drove_status {
	DROVE_ST_PENDING = 0,	/* not finished */
	DROVE_ST_OK,		/* command exited 0 */
	DROVE_ST_FAILED,	/* command exited non-zero */
	DROVE_ST_SIGNAL,	/* command killed by a signal */
	DROVE_ST_TIMEOUT,	/* connect or command timeout */
	DROVE_ST_UNREACHABLE,	/* name, route or reset: never reached sshd */
	DROVE_ST_REFUSED,	/* TCP connection refused */
	DROVE_ST_HOSTKEY,	/* host key not verified */
	DROVE_ST_AUTH,		/* authentication failed */
	DROVE_ST_ERROR,		/* any other failure (protocol, channel, local) */
	DROVE_ST_CANCELLED	/* interrupted before it finished */
};
#define DROVE_ST_COUNT (DROVE_ST_CANCELLED + 1)

enum drove_hostkey_policy {
	DROVE_HOSTKEY_STRICT = 0,	/* unknown or changed key fails */
	DROVE_HOSTKEY_ACCEPT_NEW,	/* unknown key is added, changed fails */
	DROVE_HOSTKEY_OFF,		/* warn only */
	DROVE_HOSTKEY_ASK		/* hold hosts with unknown keys and ask
					   once (drove_fleet_set_hostkey_ask_cb) */
};

/* A host held for an unknown host key, for the ask callback. */
struct drove_hostkey_query {
	size_t		 host;		/* index in the fleet */
	const char	*name;
	const char	*address;
	int		 port;
	const char	*keytype;	/* "ssh-ed25519" */
	const char	*fingerprint;	/* "SHA256:..." */
	int		 accept;	/* out, for DROVE_ASK_EACH */
};

enum drove_ask_answer {
	DROVE_ASK_NONE = 0,	/* reject these, and every unknown key after */
	DROVE_ASK_ALL,		/* accept these, and every unknown key after */
	DROVE_ASK_EACH		/* as each query's accept says */
};

/*
 * Called once with every host held so far, when the hosts that are not held
 * are under way.  It runs on a thread of its own (it may block on a
 * terminal) while the loop keeps the other sessions alive: their output is
 * held back until it returns, so a prompt is never interleaved with it.
 * Accepted keys are added to the known_hosts file.
 */
typedef enum drove_ask_answer drove_hostkey_ask_cb(
    struct drove_hostkey_query *, size_t n, void *arg);

enum drove_fail_fast {
	DROVE_FAIL_FAST_OFF = 0,	/* every host runs */
	DROVE_FAIL_FAST_STOP,		/* after a failure, start no new host */
	DROVE_FAIL_FAST_CANCEL		/* ... and cancel the running ones */
};

enum drove_event_type {
	DROVE_EV_START,		/* the host's job began connecting */
	DROVE_EV_STDOUT,	/* data/len hold a chunk of remote stdout */
	DROVE_EV_STDERR,	/* data/len hold a chunk of remote stderr */
	DROVE_EV_WARN,		/* data holds a warning text for this host */
	DROVE_EV_DONE		/* result holds the outcome */
};

struct drove_result {
	enum drove_status status;
	int		 exit_code;	/* -1 when the command did not exit */
	char		 signal[32];	/* signal name without SIG, or "" */
	int		 error;		/* DROVE_E_* or 0 */
	char		 msg[512];	/* why it failed, or "" */
	uint64_t	 elapsed_ms;	/* from start to done */
	uint64_t	 out_bytes;	/* stdout bytes received */
	uint64_t	 err_bytes;	/* stderr bytes received */
	int		 reached;	/* 1 once authenticated: the failure,
					   if any, is the job's */
	unsigned int	 retries;	/* connection attempts made again */
	/* push and pull only */
	int		 changed;	/* something was written */
	unsigned int	 files;		/* files written */
	unsigned int	 files_same;	/* files skipped as unchanged */
	uint64_t	 xfer_bytes;	/* file bytes sent or received */
};

struct drove_event {
	enum drove_event_type	 type;
	size_t			 host;	/* index in the fleet's host list */
	const char		*name;	/* the host's name */
	const char		*data;	/* STDOUT, STDERR, WARN */
	size_t			 len;
	const struct drove_result *result;	/* DONE */
};

/* Called on the fleet's thread; data is lent for the call only. */
typedef void drove_event_cb(const struct drove_event *, void *arg);

/*
 * Called at most once per key and run, on the fleet's thread, when an
 * encrypted identity needs its passphrase.  Write at most size-1 bytes and a
 * NUL into buf and return 0, or return non-zero to skip the key.
 */
typedef int drove_passphrase_cb(const char *key_path, char *buf, size_t size,
    void *arg);

/* One host to work on; strings are copied by drove_fleet_add_host(). */
struct drove_hostspec {
	const char	*name;		/* shown in output; required */
	const char	*address;	/* to connect to; NULL means name */
	int		 port;		/* 0 means 22 */
	const char	*user;		/* NULL means the local user */
	const char	*key;		/* identity file tried first, or NULL */
	const char	*password;	/* password to try, or NULL */
};

typedef struct drove_fleet drove_fleet;

const char	*drove_version(void);
const char	*drove_strerror(int code);
const char	*drove_status_name(enum drove_status);	/* "ok", "failed", ... */

/* Create an empty fleet; NULL if out of memory. */
drove_fleet	*drove_fleet_new(void);
void		 drove_fleet_free(drove_fleet *);	/* NULL-safe */
/* The last error message of this fleet, never NULL. */
const char	*drove_fleet_error(const drove_fleet *);

/* Options; each returns 0 or DROVE_E_INVAL.  Set them before running. */
int	drove_fleet_set_forks(drove_fleet *, unsigned int n);	/* 0: unlimited */
int	drove_fleet_set_connect_timeout(drove_fleet *, unsigned int ms);
int	drove_fleet_set_command_timeout(drove_fleet *, unsigned int ms);
int	drove_fleet_set_keepalive(drove_fleet *, unsigned int seconds);
/*
 * Pace connection starts to any one server (address and port): at most
 * per_second new connections a second (0: no limit; default 100) and at
 * most max_startups of them still short of authentication at once (0: no
 * limit; default 8, below the 10 of sshd's MaxStartups).  Hosts on
 * different servers do not slow each other.
 */
int	drove_fleet_set_connect_rate(drove_fleet *, double per_second,
	    unsigned int max_startups);
/* Loop threads the hosts are spread over (0, the default: one per core
 * from 300 hosts on, else one).  Events stay one at a time. */
int	drove_fleet_set_loops(drove_fleet *, unsigned int n);
int	drove_fleet_set_fail_fast(drove_fleet *, enum drove_fail_fast);
/* Try a connection again up to n times (default 1) when it is refused,
 * reset or times out before the server's banner; never later. */
int	drove_fleet_set_retries(drove_fleet *, unsigned int n);
int	drove_fleet_set_known_hosts(drove_fleet *, const char *path);
int	drove_fleet_set_hostkey_policy(drove_fleet *,
	    enum drove_hostkey_policy);
/* The callback for DROVE_HOSTKEY_ASK; without one, ask is strict.  Ask
 * runs on one loop whatever drove_fleet_set_loops() says. */
void	drove_fleet_set_hostkey_ask_cb(drove_fleet *, drove_hostkey_ask_cb *,
	    void *arg);
/* Identity files tried after the agent, in the order added. */
int	drove_fleet_add_identity(drove_fleet *, const char *path);
/* Use the default identities (~/.ssh/id_ed25519, id_ecdsa, id_rsa). */
int	drove_fleet_use_default_identities(drove_fleet *, int yes);
/* Use $SSH_AUTH_SOCK when set (default yes). */
int	drove_fleet_use_agent(drove_fleet *, int yes);
/* Password tried for hosts without their own; copied, wiped on free. */
int	drove_fleet_set_password(drove_fleet *, const char *password);
void	drove_fleet_set_passphrase_cb(drove_fleet *, drove_passphrase_cb *,
	    void *arg);
void	drove_fleet_set_event_cb(drove_fleet *, drove_event_cb *, void *arg);
/* Call cb(arg) every ms milliseconds while running (e.g. to redraw a
 * status line with drove_sink_tick()); never at the same time as an event
 * callback. */
void	drove_fleet_set_tick_cb(drove_fleet *, void (*cb)(void *),
	    void *arg, unsigned int ms);

/* Add one host; returns its index (>= 0) or a DROVE_E_* code. */
int	drove_fleet_add_host(drove_fleet *, const struct drove_hostspec *);
size_t	drove_fleet_host_count(const drove_fleet *);
const char *drove_fleet_host_name(const drove_fleet *, size_t host);

/*
 * Give every host the job of running command.  When stdin_fd is >= 0 the
 * fleet reads it to its end and sends the same bytes to every host's command,
 * then EOF; the fd is not closed.
 */
int	drove_fleet_exec(drove_fleet *, const char *command, int stdin_fd);

/*
 * Run every host's job to its end, at most forks at a time, calling the event
 * callback as things happen.  Returns 0 when every host was driven to a
 * result (whatever it was), DROVE_E_CANCELLED when drove_fleet_cancel() cut
 * it short (every host still has a result), or another code on a local
 * failure.
 */
int	drove_fleet_run(drove_fleet *);
/*
 * Give every host the job of reporting its host key instead (no
 * authentication): as a known_hosts line on stdout events (hashed when
 * hash is set), or, with append set, added to the known_hosts file unless
 * it is there (a changed key fails the host).  types is the host key
 * preference ("ssh-ed25519,ecdsa-sha2-nistp256"), or NULL for the default.
 */
int	drove_fleet_keyscan(drove_fleet *, const char *types, int hash,
	    int append);
/* Ask a running fleet to stop: async-signal-safe, any thread. */
void	drove_fleet_cancel(drove_fleet *);
/* A warning about the last run as a whole (e.g. unreadable known_hosts
 * lines), or NULL. */
const char *drove_fleet_warning(const drove_fleet *);
/* The result of a host once DONE was reported; NULL before. */
const struct drove_result *drove_fleet_result(const drove_fleet *,
	    size_t host);

/*
 * File transfers over SFTP: each sets the fleet's job, as drove_fleet_exec()
 * does, and drove_fleet_run() runs it.  A host's result is ok when every
 * file arrived (changed says whether anything was written), failed (exit
 * code 1, msg says why) when a transfer failed on a reached host.
 */
struct drove_push_opts {
	int		 recursive;	/* directories too */
	int		 mkdir;		/* make DEST's missing directories */
	int		 mode;		/* permission bits; -1: the source's */
	int		 preserve;	/* keep the source's mtime */
	long		 owner;		/* numeric uid, or -1 */
	long		 group;		/* numeric gid, or -1 */
	int		 update;	/* skip files of equal size and mtime */
	int		 checksum;	/* skip files of equal SHA-256 */
};

/*
 * Send srcs to dest on every host, as cp decides it: into dest when it is
 * a directory (or there are several srcs, or it ends in '/'), else as
 * dest.  Each file goes to a temporary name beside its target, is synced
 * and renamed over it, so a failed transfer leaves the target as it was.
 * Local files are read once whatever the number of hosts.  The sources are
 * walked now: DROVE_E_IO or DROVE_E_INVAL when one is missing.
 */
int	drove_fleet_push(drove_fleet *, const struct drove_push_opts *,
	    const char *const *srcs, size_t nsrcs, const char *dest);

enum drove_pull_layout {
	DROVE_PULL_TREE = 0,		/* LOCALDIR/HOST/NAME */
	DROVE_PULL_FLAT_SUFFIX,		/* LOCALDIR/NAME.HOST */
	DROVE_PULL_FLAT_PREFIX		/* LOCALDIR/HOST.NAME */
};

struct drove_pull_opts {
	int			 recursive;	/* directories too */
	enum drove_pull_layout	 layout;
	int			 preserve;	/* keep the remote mtime */
};

/*
 * Fetch paths from every host into localdir (made if missing).  Names
 * that would leave localdir ("..", "/" in a listing) and symbolic links in
 * listings are refused; a file is written under a temporary name and
 * renamed once complete.
 */
int	drove_fleet_pull(drove_fleet *, const struct drove_pull_opts *,
	    const char *const *paths, size_t npaths, const char *localdir);

/* File bytes moved so far by a push or pull run, and the bytes expected
 * in all (0 when unknown, as for pull); any thread, while running. */
void	drove_fleet_xfer_progress(const drove_fleet *, uint64_t *done,
	    uint64_t *total);

/*
 * Inventories: Ansible-style YAML files, plain host lists and ad-hoc
 * "-H user@host:port" lists, merged in the order loaded.  Host order is the
 * order of first appearance.  A load that fails adds nothing.
 */
typedef struct drove_inventory drove_inventory;

drove_inventory	*drove_inventory_new(void);
void		 drove_inventory_free(drove_inventory *);	/* NULL-safe */
/* The last error, naming file:line:column where there is one. */
const char	*drove_inventory_error(const drove_inventory *);
/* Load a YAML inventory or a plain host list (one [user@]host[:port] a line). */
int		 drove_inventory_load(drove_inventory *, const char *path);
/* Add comma-separated [user@]host[:port] entries (the -H option). */
int		 drove_inventory_add_list(drove_inventory *, const char *list);
size_t		 drove_inventory_count(const drove_inventory *);
const char	*drove_inventory_name(const drove_inventory *, size_t host);
/* The host's value of var after precedence (host, child group, parent
 * group, all); NULL when unset.  Lent until the inventory changes. */
const char	*drove_inventory_var(const drove_inventory *, size_t host,
		    const char *var);
/*
 * Select hosts by pattern.  *out is a malloc'd array of host indices in
 * inventory order without duplicates, freed by the caller.  A pattern that
 * matches nothing is DROVE_E_NOTFOUND with a message naming close matches.
 */
int		 drove_inventory_select(drove_inventory *, const char *pattern,
		    size_t **out, size_t *n);
/* Fill spec from the host's vars (ansible_host/host, ansible_port/port,
 * ansible_user/user, ansible_ssh_private_key_file/key, ansible_password or
 * the variable named by password_env).  Strings are lent by the inventory. */
int		 drove_inventory_hostspec(const drove_inventory *, size_t host,
		    struct drove_hostspec *spec);

/* Fold names into ranges: "web[01-05,07],db1".  malloc'd, caller frees. */
char		*drove_hosts_fold(const char *const *names, size_t n);

/*
 * Sinks turn per-host events into output.  drove_sink_event() is a
 * drove_event_cb; pass the sink as its arg.
 */
enum drove_output {
	DROVE_OUT_LINES = 0,	/* "host: line" as lines complete */
	DROVE_OUT_GATHER,	/* identical outputs once, under folded hosts */
	DROVE_OUT_JSON,		/* one JSON object per host per line */
	DROVE_OUT_DIFF		/* stdout of each odd host as a unified diff
				   against the most common one */
};

struct drove_sink_opts {
	enum drove_output	 mode;
	void			*out;		/* FILE *; NULL means stdout */
	void			*err;		/* FILE *; NULL means stderr */
	int			 color;		/* ANSI colours on host names */
	size_t			 name_width;	/* pad host names to this */
	const char		*out_dir;	/* also write DIR/HOST.{out,err,status} */
	size_t			 max_output;	/* per host per stream held in
						   modes but LINES; 0: 64 MiB */
	int			 status_line;	/* keep a progress line at the
						   bottom of err (a terminal)
						   until finish or free */
	size_t			 total_hosts;	/* hosts in the run, for it */
	/* push and pull: a host ends "changed" or "unchanged" (with its
	 * file and byte counts) instead of "exit 0", the summary counts
	 * them, and the status line shows drove_sink_progress() */
	int			 xfer;
};

typedef struct drove_sink drove_sink;

/* NULL and a message in errbuf when out_dir cannot be created. */
drove_sink	*drove_sink_new(const struct drove_sink_opts *, char *errbuf,
		    size_t errlen);
void		 drove_sink_free(drove_sink *);		/* NULL-safe */
void		 drove_sink_event(const struct drove_event *, void *sink);
/* With status_line: redraw it if it is due (at most 10 times a second);
 * events do this too, call it when none come for a while. */
void		 drove_sink_tick(drove_sink *);
/* With xfer: bytes moved and expected in all (0: unknown), for the status
 * line's amount, rate and time left; call it before drove_sink_tick(). */
void		 drove_sink_progress(drove_sink *, uint64_t done,
		    uint64_t total);
/* Print what is held (GATHER, DIFF), flush every file; 0 or DROVE_E_IO. */
int		 drove_sink_finish(drove_sink *);
/* Counts per status and failed hosts, folded, one line per reason. */
void		 drove_sink_summary(drove_sink *, void *file);
/* Per-status counts of finished hosts, indexed by enum drove_status. */
const size_t	*drove_sink_counts(const drove_sink *);

#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* DROVE_H */
