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
	/* this host's own settings (from ssh_config); 0 or NULL keeps the
	   fleet's */
	unsigned int	 connect_timeout_ms;
	unsigned int	 keepalive_s;
	const char	*known_hosts;	/* its known_hosts file */
	const char	*hostkey_check;	/* "yes", "no", "accept-new", "ask" */
	int		 identities_only;	/* only its key and --key files */
	const char	*cert;		/* certificate of key (CertificateFile),
					   or NULL: key-cert.pub if present */
	/*
	 * Reach the host through a jump host (ssh -J, ProxyJump), itself a
	 * spec whose own jump is the hop before it (NULL: connect directly);
	 * or through a command run by /bin/sh -c whose stdin and stdout carry
	 * the connection (ProxyCommand, with %h %p %r %n %% expanded; NULL:
	 * none).  Of a jump spec, name, address, port, user and key are
	 * used; the fleet's identities, agent, password and known_hosts serve
	 * every hop.  Both are copied by drove_fleet_add_host().
	 */
	const struct drove_hostspec *jump;
	const char	*proxy_command;
	/* become (drove_fleet_set_become) for this host; NULL keeps the
	   fleet's */
	const char	*become;	/* "yes"/"true"/"1" or "no"/... */
	const char	*become_user;
	const char	*become_method;	/* "sudo" or "su" */
	const char	*become_password;
};

typedef struct drove_fleet drove_fleet;

const char	*drove_version(void);
/* The version of the libssh2 drove runs with, "1.11.1". */
const char	*drove_libssh2_version(void);
/*
 * What that libssh2 lets drove do, from its version: RSA keys sign with
 * rsa-sha2-512/256 and servers with only RSA host keys can be reached; and
 * OpenSSH user certificates of each key type.  Host certificates (known_hosts
 * @cert-authority) are never available: libssh2 shows only the plain key.
 */
enum {
	DROVE_LIBSSH2_RSA_SHA2 = 1 << 0,
	DROVE_LIBSSH2_CERT_ECDSA = 1 << 1,
	DROVE_LIBSSH2_CERT_RSA = 1 << 2,
	DROVE_LIBSSH2_CERT_ED25519 = 1 << 3,
};
unsigned int	 drove_libssh2_features(void);
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
/*
 * At most n targets share one connection to a jump host (default 32; each
 * rides a channel of it); more open another connection to the same jump
 * host.
 */
int	drove_fleet_set_jump_channels(drove_fleet *, unsigned int n);
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
/*
 * Add an OpenSSH certificate of one of the identity files (added ones or the
 * defaults), offered before its key; KEY-cert.pub beside a key is found
 * without this.  The run fails when it certifies none of them.
 */
int	drove_fleet_add_certificate(drove_fleet *, const char *path);
/* Use the default identities (~/.ssh/id_ed25519, id_ecdsa, id_rsa). */
int	drove_fleet_use_default_identities(drove_fleet *, int yes);
/* Use $SSH_AUTH_SOCK when set (default yes). */
int	drove_fleet_use_agent(drove_fleet *, int yes);
/* Password tried for hosts without their own; copied, wiped on free. */
int	drove_fleet_set_password(drove_fleet *, const char *password);
void	drove_fleet_set_passphrase_cb(drove_fleet *, drove_passphrase_cb *,
	    void *arg);

/* How a job becomes another user. */
enum drove_become_method {
	DROVE_BECOME_SUDO = 0,
	DROVE_BECOME_SU
};

/*
 * Privilege escalation for hosts whose hostspec does not say otherwise:
 * with on set, every host's job (a command, a transfer, a shell) runs as
 * user (NULL: root) through sudo or su.  The password (NULL: none) is
 * written to the channel only when sudo or su asks for it, at most once
 * per job; it is copied and wiped when replaced or freed.  NULL turns it
 * off.  DROVE_E_INVAL for a bad method.
 */
struct drove_become {
	int				 on;
	const char			*user;
	enum drove_become_method	 method;
	const char			*password;
};
int	drove_fleet_set_become(drove_fleet *, const struct drove_become *);
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
 * Run drove_fleet_exec()'s commands under a pty (like ssh -t): when the
 * run stops them (timeout, cancel) the connection closes and sshd hangs
 * them up (SIGHUP).  Without one, sshd leaves a command running when its
 * channel closes; with libssh2 1.11 on the fleet sends it TERM (the SSH
 * "signal" request) first.  Under a pty stderr comes with stdout.
 */
int	drove_fleet_set_tty(drove_fleet *, int on);

/*
 * Run every host's job to its end, at most forks at a time, calling the event
 * callback as things happen.  Returns 0 when every host was driven to a
 * result (whatever it was), DROVE_E_CANCELLED when drove_fleet_cancel() cut
 * it short (every host still has a result), or another code on a local
 * failure.
 */
int	drove_fleet_run(drove_fleet *);

/*
 * The same run driven from the caller's own event loop (poll, select,
 * libevent, ...) instead of drove_fleet_run().  drove_fleet_start() begins
 * it on one loop in the caller's thread (--loops does not apply) and
 * returns at once.  Then, whenever drove_fleet_fd() is readable (poll it
 * for POLLIN; it is an epoll fd) or drove_fleet_timeout() milliseconds
 * have passed (-1: no time limit; 0: at once), call drove_fleet_step():
 * it does what is ready without waiting, delivers events to the event
 * callback, and returns 1 while hosts still run, then once the
 * run's result as drove_fleet_run() would (0 or DROVE_E_*); results are
 * read as usual after that.  drove_fleet_cancel() works as for a run.
 * The fd changes from one run to the next.  Errors: DROVE_E_INVAL when a
 * run is going on (start) or none was started (step).
 */
int	drove_fleet_start(drove_fleet *);
int	drove_fleet_fd(const drove_fleet *);		/* -1: no stepped run */
int	drove_fleet_timeout(drove_fleet *);
int	drove_fleet_step(drove_fleet *);
/*
 * Give every host the job of reporting its host key instead (no
 * authentication): as a known_hosts line on stdout events (hashed when
 * hash is set), or, with append set, added to the known_hosts file unless
 * it is there (a changed key fails the host).  types is the host key
 * preference ("ssh-ed25519,ecdsa-sha2-nistp256"), or NULL for the default.
 */
int	drove_fleet_keyscan(drove_fleet *, const char *types, int hash,
	    int append);
/*
 * An interactive shell on the fleet's one host (like ssh): a pty of term
 * and cols x rows unless pty is 0, the login shell or command, typed input
 * from in_fd and output to out_fd (both made non-blocking while it runs,
 * then restored; the terminal modes are the caller's business).  After a
 * newline, the escape byte and "." disconnect, "?" shows the escapes on
 * out_fd, and a second escape byte sends one.  With record set (a FILE *),
 * the session is written to it in asciicast v2.  Returns as
 * drove_fleet_run() does; the host's result holds the exit status, or the
 * error DROVE_E_CANCELLED with "disconnected" after the escape.
 */
struct drove_shell_opts {
	int		 in_fd;
	int		 out_fd;
	int		 err_fd;	/* remote stderr without a pty */
	const char	*command;	/* NULL: the login shell */
	int		 pty;
	const char	*term;		/* NULL: "vt100" */
	unsigned int	 cols;		/* 0: 80 */
	unsigned int	 rows;		/* 0: 24 */
	int		 escape;	/* -1: none */
	void		*record;	/* FILE *, or NULL */
	int		 record_input;	/* record typed input too */
	const char	*record_shell;	/*  for the header, or NULL */
};
int	drove_fleet_shell(drove_fleet *, const struct drove_shell_opts *);
/* The local window changed: async-signal-safe, any thread. */
void	drove_fleet_shell_resize(drove_fleet *, unsigned int cols,
	    unsigned int rows);
/*
 * Play an asciicast v2 recording (a FILE *) to out_fd with its timing,
 * speed times faster, pauses cut to idle_limit seconds (negative: none).
 * 0, DROVE_E_INVAL for a bad file (msg says where) or DROVE_E_IO.
 */
int	drove_cast_play(void *file, int out_fd, double speed,
	    double idle_limit, char *msg, size_t msglen);

/*
 * Kept sessions: with yes set, each host's session stays open after its
 * job, and the next run gives that host its job on the same session (a
 * new channel: no new connection, handshake or authentication; push and
 * pull reuse the SFTP channel of the host's last push or pull, and start a
 * new one, once, when its sftp-server has gone).  Between
 * runs a thread per loop keeps them alive (keepalives every
 * drove_fleet_set_keepalive() seconds) and notices a server that closes
 * one; that host is connected again, once, when its next run begins (its
 * WARN event says why, and a failure to connect again gives both
 * reasons).  Cancelling a run (drove_fleet_cancel()) stops the running
 * commands by closing their channels and keeps the sessions.  --forks
 * counts running jobs, not open sessions.  Sessions close with
 * drove_fleet_close_host(), drove_fleet_close_sessions(), yes set to 0,
 * or drove_fleet_free().  Keyscan and shell jobs are DROVE_E_INVAL on a
 * fleet that keeps sessions; a stepped run needs the sessions on one loop
 * (drove_fleet_set_loops(f, 1)).
 */
int	drove_fleet_set_keep_sessions(drove_fleet *, int yes);
/*
 * The following runs take only hosts[0..n) (indices in the fleet); NULL
 * takes every host again.  The others keep their sessions, and have no
 * result.  Hosts may be added between runs of a fleet that keeps its
 * sessions: they connect when a run takes them.
 */
int	drove_fleet_select(drove_fleet *, const size_t *hosts, size_t n);
/* The job of connecting only (kept sessions only, else DROVE_E_INVAL): a
 * host ends ok once authenticated, or already connected. */
int	drove_fleet_connect(drove_fleet *);
/* Whether host has a kept session now; *lost (when not NULL) says why its
 * last one closed outside a job, or NULL.  Lent until the next call on
 * the fleet. */
int	drove_fleet_host_connected(drove_fleet *, size_t host,
	    const char **lost);
/* Close host's kept session (politely, in the background). */
int	drove_fleet_close_host(drove_fleet *, size_t host);
/* Close every kept session and wait until they are (a second at most). */
int	drove_fleet_close_sessions(drove_fleet *);

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
 * Inventories: Ansible's YAML and INI files (a plain host list is INI
 * without sections), with the group_vars/ and host_vars/ beside them, and
 * ad-hoc "-H user@host:port" lists, merged in the order loaded.  Hosts are
 * indexed in order of first appearance; selections list them in Ansible's
 * order.  A load that fails adds nothing.
 */
typedef struct drove_inventory drove_inventory;

drove_inventory	*drove_inventory_new(void);
void		 drove_inventory_free(drove_inventory *);	/* NULL-safe */
/* The last error, naming file:line:column where there is one. */
const char	*drove_inventory_error(const drove_inventory *);
/*
 * In host lists (-H, the lines of a host file before its first INI section)
 * the same name with another user or port is another host, named by what
 * differs ("deploy@h", "h:2222"); the same entry twice is one host.  A note
 * saying which entries were given twice, or NULL; lent until the next call.
 */
const char	*drove_inventory_note(drove_inventory *);
/* Load a YAML or INI inventory (.yml/.yaml/.json: YAML, .ini: INI, else told
 * by its first line), then the group_vars/ and host_vars/ of its directory.
 * Vaulted files are decrypted with the vault password, set before; without
 * it a vaulted inventory is an error, and a vaulted vars file an error for
 * the hosts it applies to when their vars are read (hostspec, check_vault,
 * each_var), as in Ansible.  Vaulted values stay encrypted until used (see
 * drove_inventory_var_is_vaulted()). */
int		 drove_inventory_load(drove_inventory *, const char *path);
/* Read the group_vars/ and host_vars/ of dir (a playbook's directory): they
 * rank above those beside the inventory, as in Ansible. */
int		 drove_inventory_load_vars(drove_inventory *, const char *dir);
/* Set (copied, wiped on free) or clear (NULL) the vault password. */
int		 drove_inventory_set_vault_password(drove_inventory *,
		    const char *password, size_t len);
/* Decrypt the vaulted values the n hosts need: their connection vars, or
 * all their vars when every is set.  DROVE_E_INVENTORY naming the host, the
 * var and the options when one cannot be (no password, a wrong one). */
int		 drove_inventory_check_vault(drove_inventory *,
		    const size_t *hosts, size_t n, int every);
/* Add comma-separated [user@]host[:port] entries (the -H option). */
int		 drove_inventory_add_list(drove_inventory *, const char *list);
size_t		 drove_inventory_count(const drove_inventory *);
const char	*drove_inventory_name(const drove_inventory *, size_t host);
/* The host's value of var after precedence (host, child group, parent
 * group, all); NULL when unset or vaulted and not decryptable, "" for a
 * null (YAML ~, INI None).  Lent until the inventory changes. */
const char	*drove_inventory_var(const drove_inventory *, size_t host,
		    const char *var);
/* Whether the host's value of var is a null rather than a text; the
 * callback of drove_inventory_each_var() gets "" for both. */
int		 drove_inventory_var_is_null(const drove_inventory *,
		    size_t host, const char *var);
/* Whether the host's value of var is vaulted (!vault).  Such a value is
 * decrypted when first used (drove_inventory_var(), _hostspec(),
 * _check_vault(), _each_var()): without the password or with a wrong one,
 * drove_inventory_var() gives NULL and _each_var() the ciphertext. */
int		 drove_inventory_var_is_vaulted(const drove_inventory *,
		    size_t host, const char *var);
/*
 * Select hosts by pattern.  *out is a malloc'd array of host indices in
 * Ansible's order without duplicates, freed by the caller.  A pattern that
 * matches nothing is DROVE_E_NOTFOUND with a message naming close matches.
 */
int		 drove_inventory_select(drove_inventory *, const char *pattern,
		    size_t **out, size_t *n);
/* Fill spec from the host's vars (ansible_host/host, ansible_port/port,
 * ansible_user/user, ansible_ssh_private_key_file/key, ansible_password or
 * the variable named by password_env; ansible_become, ansible_become_user,
 * ansible_become_method, ansible_become_password or the variable named by
 * become_password_env) and ssh_config (ConnectTimeout,
 * ServerAliveInterval, UserKnownHostsFile, StrictHostKeyChecking,
 * IdentitiesOnly as ssh_* vars).  Strings are lent by the inventory. */
int		 drove_inventory_hostspec(const drove_inventory *, size_t host,
		    struct drove_hostspec *spec);

/*
 * OpenSSH client config: path, or ~/.ssh/config (when present) for NULL,
 * with its Includes.  Its Host and "Match host" blocks apply to the name
 * ssh would be given (ansible_host, else the host's name) below every
 * inventory var: HostName, User, Port, IdentityFile (with ~ and %h %r %p %u)
 * fill ansible_host, ansible_user, ansible_port and
 * ansible_ssh_private_key_file; IdentitiesOnly, UserKnownHostsFile,
 * StrictHostKeyChecking, ConnectTimeout, ServerAliveInterval and ProxyJump
 * become ssh_identities_only, ssh_user_known_hosts_file, ... ssh_proxy_jump.
 * A bad line is DROVE_E_INVENTORY naming file:line and the token; a failed
 * load keeps the config loaded before.
 */
int		 drove_inventory_load_ssh_config(drove_inventory *,
		    const char *path);
/*
 * Called per resolved var of a host with where its value came from: "host
 * NAME", "group NAME", "ssh_config FILE:LINE" or "default".  A non-zero
 * return stops the walk and is returned.
 */
typedef int drove_var_cb(const char *name, const char *value,
    const char *source, void *arg);
int		 drove_inventory_each_var(const drove_inventory *, size_t host,
		    drove_var_cb *, void *arg);
/* The same walk with each value as JSON, typed as Ansible types it (as
 * `ansible-inventory --list` writes it): YAML's and INI's numbers,
 * booleans, nulls, lists and mappings keep their types, a port is a number
 * and a vaulted value is {"__ansible_vault": CIPHERTEXT}. */
int		 drove_inventory_each_var_json(const drove_inventory *,
		    size_t host, drove_var_cb *, void *arg);
/* Groups by index; group 0 is "all". */
size_t		 drove_inventory_group_count(const drove_inventory *);
const char	*drove_inventory_group_name(const drove_inventory *,
		    size_t group);
/* The direct children of a group (of all: the top-level groups) in a
 * malloc'd array the caller frees. */
int		 drove_inventory_group_children(const drove_inventory *,
		    size_t group, size_t **out, size_t *n);
/* How many hosts a group holds, its descendants' included. */
size_t		 drove_inventory_group_size(const drove_inventory *,
		    size_t group);
/* The direct hosts of a group in order (of all: every host, in Ansible's
 * order) in a malloc'd array the caller frees. */
int		 drove_inventory_group_hosts(const drove_inventory *,
		    size_t group, size_t **out, size_t *n);
/* Write the groups as `ansible-inventory --list` does (each group's direct
 * hosts and children, ungrouped included, no hostvars) as JSON to a
 * FILE *; 0, DROVE_E_NOMEM or DROVE_E_IO. */
int		 drove_inventory_write_json(const drove_inventory *,
		    void *file);
/* Write the inventory as Ansible YAML to a FILE *; 0 or DROVE_E_IO. */
int		 drove_inventory_write_yaml(const drove_inventory *,
		    void *file);

/*
 * The inventory store: an SQLite database of hosts, groups and vars (and
 * the run history), created 0600 in a 0700 directory, WAL mode, safe to read
 * from several processes while one writes.  Passwords are never written
 * unless DROVE_STORE_SECRETS is given.
 */
typedef struct drove_store drove_store;

#define DROVE_STORE_REPLACE	0x1	/* import: drop what the store held */
#define DROVE_STORE_SECRETS	0x2	/* import: store ansible_password and
					   ansible_become_password */

/* $DROVE_HOME/drove.db, DROVE_HOME defaulting to ~/.local/share/drove;
 * malloc'd, NULL when out of memory. */
char		*drove_store_default_path(void);
/* Open (creating and migrating as needed) the database at path. */
int		 drove_store_open(const char *path, drove_store **out,
		    char *errbuf, size_t errlen);
void		 drove_store_close(drove_store *);	/* NULL-safe */
const char	*drove_store_error(const drove_store *);
/* The schema version of an open store. */
int		 drove_store_version(drove_store *);
/* Add the store's hosts, groups and vars to an inventory (nothing on
 * failure); the message goes to the inventory. */
int		 drove_inventory_load_store(drove_inventory *, drove_store *);
/* Merge (or with DROVE_STORE_REPLACE replace) an inventory into the store
 * in one transaction.  An ansible_password or ansible_become_password
 * without DROVE_STORE_SECRETS is DROVE_E_INVAL and nothing is written. */
int		 drove_store_import(drove_store *, const drove_inventory *,
		    int flags);
/* Add hosts ([user@]name[:port] with ranges) to groups (created under all
 * when new) with vars "k=v". */
int		 drove_store_add_hosts(drove_store *, const char *hosts,
		    const char *const *groups, size_t ngroups,
		    const char *const *vars, size_t nvars, int flags);
/* Remove hosts by name; *removed counts those the store held. */
int		 drove_store_rm_hosts(drove_store *, const char *const *names,
		    size_t n, size_t *removed);
/* Add a group under parent (NULL: all); a cycle is DROVE_E_INVAL. */
int		 drove_store_group_add(drove_store *, const char *name,
		    const char *parent);
/* Remove a group; its hosts and children stay. DROVE_E_NOTFOUND if none. */
int		 drove_store_group_rm(drove_store *, const char *name);

/*
 * Run history: every run of a command is a record in the store: when, the
 * local user, the command line, the pattern, and per host its status, exit
 * code, elapsed time, byte counts and output, each stream capped at cap
 * bytes a host (the cap is recorded; a capped output is marked truncated).
 * drove_history_begin() writes the record at once, incomplete (ended_ms
 * NULL) until drove_history_end(), so a crash leaves an incomplete record,
 * never a corrupt store.  Host rows are written in batched transactions
 * (every DROVE_HISTORY_BATCH hosts, every second, and at the end).  Errors
 * are kept and returned by drove_history_end(); the message goes to the
 * store (drove_store_error).  A record is used by one thread at a time.
 */
typedef struct drove_history drove_history;

#define DROVE_HISTORY_CAP	65536	/* default output kept a host */
#define DROVE_HISTORY_BATCH	256	/* host rows a transaction */

/* Begin a record of kind ("run", "push", ...): line is the local command
 * line, command what a rerun runs again, cap 0 means DROVE_HISTORY_CAP. */
int		 drove_history_begin(drove_store *, const char *kind,
		    const char *line, const char *command, const char *pattern,
		    size_t cap, drove_history **out);
int64_t		 drove_history_id(const drove_history *);
/* Record names as the run's hosts, each "pending" until its result: a run
 * killed before its first batch still names its hosts (a --rerun takes
 * them).  Call it right after drove_history_begin(). */
int		 drove_history_hosts(drove_history *, const char *const *names,
		    size_t n);
/* A drove_event_cb: keeps each host's output, records it at DONE. */
void		 drove_history_event(const struct drove_event *, void *hist);
/* Record one host's result and output (capped here). */
int		 drove_history_host(drove_history *, const char *name,
		    const struct drove_result *, const void *out, size_t outlen,
		    const void *err, size_t errlen);
/* Write what is pending, mark the record complete, free it; 0 or the
 * first error of the record. */
int		 drove_history_end(drove_history *, int exit_code);
/* Write what is pending and free, leaving the record incomplete. */
void		 drove_history_free(drove_history *);	/* NULL-safe */

/* A record as read back; strings lent for the callback. */
struct drove_history_run {
	int64_t		 id;
	int64_t		 started_ms;	/* ms since the epoch */
	int64_t		 ended_ms;	/* 0: incomplete */
	const char	*kind;
	const char	*user;
	const char	*line;
	const char	*command;
	const char	*pattern;
	const char	*status;	/* ok, failed, cancelled, closed
					   (its output was closed: exit
					   141), incomplete */
	int		 exit_code;	/* -1 while incomplete */
	size_t		 cap;
	size_t		 hosts;		/* hosts recorded */
	size_t		 ok;		/* of them ok */
	uint64_t	 bytes;		/* output bytes of every host */
};

struct drove_history_host {
	const char	*host;
	const char	*status;	/* drove_status_name() */
	int		 exit_code;
	const char	*signal;	/* "" when none */
	const char	*error;		/* "" when none */
	uint64_t	 elapsed_ms;
	uint64_t	 out_bytes;	/* received, not kept */
	uint64_t	 err_bytes;
	const void	*out;		/* kept: at most the run's cap */
	size_t		 outlen;
	const void	*err;
	size_t		 errlen;
	int		 truncated;	/* a stream was cut at the cap */
};

/* What drove_history_list() returns; zeros select everything. */
struct drove_history_filter {
	const char	*pattern;	/* the run's pattern, or a host glob */
	const char	*status;	/* the run's status, or another
					   that one of its hosts had */
	int64_t		 since_ms;	/* started at or after */
	size_t		 limit;		/* newest first; 0: all */
};

/* A non-zero return stops the walk and is returned. */
typedef int drove_history_run_cb(const struct drove_history_run *,
    void *arg);
typedef int drove_history_host_cb(const struct drove_history_host *,
    void *arg);
int		 drove_history_list(drove_store *,
		    const struct drove_history_filter *,
		    drove_history_run_cb *, void *arg);
/* Record id (DROVE_E_NOTFOUND when none), then its hosts by name. */
int		 drove_history_get(drove_store *, int64_t id,
		    drove_history_run_cb *, drove_history_host_cb *,
		    void *arg);

/* A recorded shell session in the store. */
struct drove_session_info {
	int64_t		 id;
	const char	*host;
	const char	*user;
	int64_t		 started_ms;	/* Unix time */
	int64_t		 ended_ms;
	int		 exit_status;
	int64_t		 size;		/* bytes of the recording */
	const char	*path;		/* the asciicast v2 file */
};
/* Index a finished session; *id is its number. */
int		 drove_store_session_add(drove_store *,
		    const struct drove_session_info *, int64_t *id);
/* Called per session, oldest first; non-zero stops and is returned.
 * Strings are lent for the call. */
typedef int drove_session_cb(const struct drove_session_info *, void *arg);
int		 drove_store_sessions(drove_store *, drove_session_cb *,
		    void *arg);

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
	int			 color;		/* ANSI colours on host names
						   in out */
	int			 color_err;	/* and in err (each stream may
						   go elsewhere) */
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
	/* out (bit DROVE_ESC_OUT) and err (DROVE_ESC_ERR) are terminals:
	 * in LINES and GATHER, hosts' control characters and escape
	 * sequences are shown on them as \xHH (tab and newline kept), so
	 * that no host can take the terminal over; -o files and JSON keep
	 * the bytes exact whatever this says */
	int			 escape;
	int			 escape_sgr;	/* but let colour (SGR) through */
	/* drove_sink_summary() follows the run: a host that did not succeed
	 * is said there once (folded with the hosts that failed alike), not
	 * also as it ends */
	int			 summary;
};

#define DROVE_ESC_OUT	1
#define DROVE_ESC_ERR	2

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
/* Print to file (a FILE *) the unified diff hunks turning a into b, with
 * context lines around each change, as --diff does; nothing when they are
 * equal.  With vis (DROVE_VIS...), the lines are shown as drove_vis_write()
 * shows them.  0 or DROVE_E_NOMEM. */
int		 drove_diff(void *file, const char *a, size_t alen,
		    const char *b, size_t blen, size_t context, int vis);
/* Write len bytes of a host's output to file (a FILE *), for a terminal:
 * control characters and escape sequences are shown as \xHH (tab and
 * newline kept, and valid UTF-8 text), so that no host can take the
 * terminal over; with DROVE_VIS_SGR in vis, colour (SGR) sequences pass.
 * vis 0 writes the bytes as they are.  Returns 1 when a colour passed (the
 * caller resets it, "\033[0m", at the end of its line), else 0. */
int		 drove_vis_write(void *file, const char *data, size_t len,
		    int vis);
#define DROVE_VIS	1	/* show control characters as \xHH */
#define DROVE_VIS_SGR	2	/* and let colour (SGR) through */

/*
 * The client: blocking calls on one host (the paramiko face).  A client
 * holds one connection at a time and runs commands and SFTP operations on
 * it one after another, each call returning when it is done: it runs the
 * client's own event loop meanwhile, so the calling thread blocks.
 *
 * Ownership: drove_client_new() makes a client and drove_client_free()
 * closes and frees it.  Strings passed in are copied; a password is wiped
 * when freed.  Options (set_*, add_*, use_*) take effect at the next
 * drove_client_connect(), but for the command timeout.
 *
 * Threads: a client is used by one thread at a time.  Different clients may
 * be used in different threads at once.  Callbacks run on the calling
 * thread, inside the call that set them off.
 *
 * Errors: functions return 0 or a negative DROVE_E_* code and keep a
 * message with context for drove_client_error().  A failed connection, or
 * one that fails during a call (DROVE_E_UNREACHABLE, DROVE_E_PROTOCOL,
 * DROVE_E_TIMEOUT for a command past its timeout, ...), is closed: connect
 * again.  A refused SFTP operation (DROVE_E_NOTFOUND for a missing path,
 * DROVE_E_IO for any other refusal or a local file error) and a refused
 * exec (DROVE_E_CHANNEL) keep the connection.  Calls that need a connection
 * without one return DROVE_E_INVAL.
 */
typedef struct drove_client drove_client;

/* Make a client with the defaults (strict host keys, the agent and the
 * default identities, a 10 s connect timeout); NULL if out of memory. */
drove_client	*drove_client_new(void);
/* Close the connection, if any, and free the client.  NULL-safe. */
void		 drove_client_free(drove_client *);
/* The last error message of this client, "" when none; never NULL.  Lent
 * until the next call on the client. */
const char	*drove_client_error(const drove_client *);

/* The known_hosts file (NULL, the default: ~/.ssh/known_hosts). */
int	drove_client_set_known_hosts(drove_client *, const char *path);
/* Strict (default), accept-new or off; DROVE_HOSTKEY_ASK is DROVE_E_INVAL
 * (there is nobody to ask). */
int	drove_client_set_hostkey_policy(drove_client *,
	    enum drove_hostkey_policy);
/* An identity file tried after the agent, in the order added; read (and
 * decrypted) at connect, where a bad one fails with its error. */
int	drove_client_add_identity(drove_client *, const char *path);
/* Try ~/.ssh/id_ed25519, id_ecdsa, id_rsa after the added ones (default
 * yes; missing or unreadable ones are skipped). */
int	drove_client_use_default_identities(drove_client *, int yes);
/* Use $SSH_AUTH_SOCK when set (default yes). */
int	drove_client_use_agent(drove_client *, int yes);
/* A password tried after the keys (password, then keyboard-interactive);
 * NULL for none. */
int	drove_client_set_password(drove_client *, const char *password);
/* Asked for the passphrase of an encrypted identity, at connect. */
void	drove_client_set_passphrase_cb(drove_client *, drove_passphrase_cb *,
	    void *arg);
/* From the start of connect to an authenticated session (0: none). */
int	drove_client_set_connect_timeout(drove_client *, unsigned int ms);
/* For each exec and SFTP call (0, the default: none), from the next call
 * on, connected or not; a call past it fails with DROVE_E_TIMEOUT and
 * closes the connection. */
int	drove_client_set_command_timeout(drove_client *, unsigned int ms);

/*
 * Connect to host (a name or address) at port (0: 22) as user (NULL: the
 * local user), check its host key and authenticate (agent, identity files,
 * password).  Blocks until authenticated or failed: DROVE_E_RESOLVE,
 * DROVE_E_UNREACHABLE, DROVE_E_REFUSED, DROVE_E_TIMEOUT, DROVE_E_HOSTKEY
 * (unknown or changed key), DROVE_E_AUTH, DROVE_E_PROTOCOL; DROVE_E_INVAL
 * when already connected.
 */
int	drove_client_connect(drove_client *, const char *host, int port,
	    const char *user);
/*
 * Reach the next hosts connected to through a chain of jump hosts (jump,
 * whose own jump is the hop before it; NULL: directly), each hop's
 * session over a direct-tcpip channel of the one before, as the fleet
 * does (struct drove_hostspec; a jump spec's key is not used here); or
 * through a command run by /bin/sh -c whose stdin and stdout carry the
 * connection (%h %p %r %n %% expanded; NULL: none), which wins.  The jump
 * host's failure fails connect with "via NAME: ...".
 */
int	drove_client_set_jump(drove_client *, const struct drove_hostspec *jump);
int	drove_client_set_proxy_command(drove_client *, const char *command);
/* Disconnect politely (at most a second) and free the connection; the
 * options stay.  0, also when not connected. */
int	drove_client_close(drove_client *);

/* The outcome of a command. */
struct drove_client_result {
	int		 exit_status;	/* -1 when killed by a signal */
	char		 signal[32];	/* signal name without SIG, or "" */
	char		*out;		/* stdout, NUL-terminated (exec) */
	size_t		 out_len;
	char		*err;		/* stderr, NUL-terminated (exec) */
	size_t		 err_len;
};

/*
 * Run command (through the remote user's shell, no stdin) and collect its
 * stdout, stderr and exit status or signal into *out, which the caller
 * frees with drove_client_result_free().  0 when the command ran, whatever
 * its status; else *out is NULL.
 */
int	drove_client_exec(drove_client *, const char *command,
	    struct drove_client_result **out);
void	drove_client_result_free(struct drove_client_result *);	/* NULL-safe */

/* A chunk of output: stream 0 is stdout, 1 stderr; data is lent for the
 * call.  It must not call the client. */
typedef void drove_client_data_cb(int stream, const char *data, size_t len,
    void *arg);
/*
 * Run command, handing its output to cb as it arrives.  When status is not
 * NULL, its exit_status and signal are set (and out and err to NULL).
 */
int	drove_client_exec_stream(drove_client *, const char *command,
	    drove_client_data_cb *cb, void *arg,
	    struct drove_client_result *status);

/* A remote file's attributes, as SFTP gives them. */
struct drove_client_stat {
	uint64_t	 size;
	uint32_t	 mode;		/* type and permission bits (st_mode) */
	uint32_t	 uid;
	uint32_t	 gid;
	int64_t		 atime;		/* seconds since the epoch */
	int64_t		 mtime;
};

/*
 * Send local file to remote path with permission bits mode (-1: the local
 * file's).  The bytes go to a temporary name beside remote (".NAME.drove-
 * XXXXXXXX.tmp"), are synced and renamed over it, so a failure leaves
 * remote as it was and removes the temporary file.
 */
int	drove_client_put(drove_client *, const char *local, const char *remote,
	    int mode);
/* Fetch remote path into local file, through a temporary file beside it
 * renamed when complete; local gets the remote permission bits. */
int	drove_client_get(drove_client *, const char *remote, const char *local);
/* Attributes of path, following symbolic links. */
int	drove_client_stat(drove_client *, const char *path,
	    struct drove_client_stat *st);
/* Make directory path with permission bits mode (before the umask). */
int	drove_client_mkdir(drove_client *, const char *path, int mode);
/* Remove a file, a symbolic link or an empty directory. */
int	drove_client_remove(drove_client *, const char *path);
/* Rename from to to; SFTP v3 (OpenSSH) refuses an existing target. */
int	drove_client_rename(drove_client *, const char *from, const char *to);

/*
 * An interactive shell on the connection, for the caller's own poll loop:
 * the login shell on a pty of term (NULL: "xterm") and cols x rows (0: 80
 * x 24).  *fd is a socket that stands for the terminal: read what the
 * shell prints from it, write what is typed to it (shutdown(fd, SHUT_WR)
 * sends EOF).  A thread of the client moves the bytes; fd reads EOF once
 * the shell has ended.  Until drove_client_shell_close(), which closes fd,
 * the client takes no call but drove_client_shell_resize() (others return
 * DROVE_E_INVAL) and fd must stay open.
 */
int	drove_client_invoke_shell(drove_client *, const char *term,
	    unsigned int cols, unsigned int rows, int *fd);
/* The terminal's size changed: any thread, async-signal-safe. */
void	drove_client_shell_resize(drove_client *, unsigned int cols,
	    unsigned int rows);
/*
 * End the shell: hang up unless it has ended (read fd to its EOF first to
 * let it end by itself), wait for the client's thread and close fd.  0
 * when the shell had ended, with its exit status or signal in status (when
 * not NULL); DROVE_E_CANCELLED when it was hung up, which closes the
 * connection; or the connection's error.  DROVE_E_INVAL without a shell.
 */
int	drove_client_shell_close(drove_client *,
	    struct drove_client_result *status);

#if defined(__GNUC__) && __GNUC__ >= 4
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* DROVE_H */
