/*
 * fleet.c: the fleet API: hosts, options, one job per host, and the
 * scheduler that keeps at most `forks` sessions running on one loop.
 *
 * drove_fleet_run() builds the run's shared state (loop, resolver,
 * known_hosts, agent, identities decrypted once), starts hosts in order,
 * turns each session's output and end into drove_events, and tears it all
 * down again.  drove_fleet_cancel() only sets a flag and wakes the loop; the
 * loop thread then cancels every session, and hosts never started end as
 * cancelled, so every host has a result.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>

#include "agent.h"
#include "exec.h"
#include "hostkey.h"
#include "ident.h"
#include "log.h"
#include "resolve.h"
#include "sess.h"

#define FLEET_FORKS		256
#define FLEET_CONNECT_MS	10000
#define FLEET_KEEPALIVE_S	30
#define FLEET_RESOLVERS		16

struct fhost {
	char			*name;
	char			*address;
	int			 port;
	char			*user;
	char			*key;
	char			*password;
	struct ident		*ident;		/* loaded from key, or NULL */
	struct sess		*sess;
	struct drove_result	 result;
	int			 done;
};

/* A host's own identity file, loaded once however many hosts name it. */
struct hostkey_file {
	const char		*path;		/* lent by the first host */
	struct ident		*id;		/* NULL when it failed */
	struct drove_err	 err;
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
	char			*known_hosts;
	enum drove_hostkey_policy policy;
	char		       **id_paths;
	size_t			 nid_paths;
	int			 default_ids;
	int			 use_agent;
	char			*password;
	drove_passphrase_cb	*pass_cb;
	void			*pass_arg;
	drove_event_cb		*ev_cb;
	void			*ev_arg;
	char			*command;
	int			 stdin_fd;

	/* while running */
	struct loop		*loop;
	struct resolver		*resolver;
	struct known_hosts	*kh;
	struct agent		*agent;
	struct ident	       **idents;	/* run-wide identity files */
	size_t			 nidents;
	struct hostkey_file	*keyfiles;	/* distinct per-host keys */
	size_t			 nkeyfiles;
	struct sess_cfg		 cfg;
	struct feed		 feed;
	int			 stdin_flags;	/* to restore, or -1 */
	int			 stdin_watched;
	size_t			 next;
	size_t			 active;
	size_t			 finished;
	int			 cancelling;
	volatile sig_atomic_t	 cancel;
	struct loop_task	 start_task;
	char			 local_user[64];
	char			 warning[512];	/* about the run, not a host */
};

static pthread_once_t libssh2_once = PTHREAD_ONCE_INIT;

/* libssh2_init is not thread-safe: run it once per process. */
static void
libssh2_init_once(void)
{
	libssh2_init(0);
}

/* Make a fleet with the defaults. */
drove_fleet *
drove_fleet_new(void)
{
	drove_fleet *f;

	if ((f = calloc(1, sizeof *f)) == NULL)
		return NULL;
	f->forks = FLEET_FORKS;
	f->connect_timeout_ms = FLEET_CONNECT_MS;
	f->keepalive_s = FLEET_KEEPALIVE_S;
	f->policy = DROVE_HOSTKEY_STRICT;
	f->default_ids = 1;
	f->use_agent = 1;
	f->stdin_fd = -1;
	f->stdin_flags = -1;
	return f;
}

/* Free a string that may hold a secret. */
static void
free_secret(char *p)
{
	if (p != NULL) {
		explicit_bzero(p, strlen(p));
		free(p);
	}
}

/* Free everything the fleet holds. */
void
drove_fleet_free(drove_fleet *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->nhosts; i++) {
		free(f->hosts[i].name);
		free(f->hosts[i].address);
		free(f->hosts[i].user);
		free(f->hosts[i].key);
		free_secret(f->hosts[i].password);
	}
	free(f->hosts);
	for (i = 0; i < f->nid_paths; i++)
		free(f->id_paths[i]);
	free(f->id_paths);
	free(f->known_hosts);
	free_secret(f->password);
	free(f->command);
	free(f);
}

/* The fleet's last error message. */
const char *
drove_fleet_error(const drove_fleet *f)
{
	return f->err.msg;
}

/* Set the number of concurrent sessions (0: no limit). */
int
drove_fleet_set_forks(drove_fleet *f, unsigned int n)
{
	f->forks = n;
	return 0;
}

/* Set the deadline from start to an authenticated session. */
int
drove_fleet_set_connect_timeout(drove_fleet *f, unsigned int ms)
{
	f->connect_timeout_ms = ms;
	return 0;
}

/* Set the deadline for each host's command (0: none). */
int
drove_fleet_set_command_timeout(drove_fleet *f, unsigned int ms)
{
	f->command_timeout_ms = ms;
	return 0;
}

/* Set the keepalive interval (0: off). */
int
drove_fleet_set_keepalive(drove_fleet *f, unsigned int seconds)
{
	f->keepalive_s = seconds;
	return 0;
}

/* Replace a string option with a copy of s. */
static int
set_str(drove_fleet *f, char **dst, const char *s)
{
	char *p = NULL;

	if (s != NULL && (p = strdup(s)) == NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	free(*dst);
	*dst = p;
	return 0;
}

/* Use path as the known_hosts file. */
int
drove_fleet_set_known_hosts(drove_fleet *f, const char *path)
{
	return set_str(f, &f->known_hosts, path);
}

/* Set what to do with unknown and changed host keys. */
int
drove_fleet_set_hostkey_policy(drove_fleet *f, enum drove_hostkey_policy p)
{
	if (p != DROVE_HOSTKEY_STRICT && p != DROVE_HOSTKEY_ACCEPT_NEW &&
	    p != DROVE_HOSTKEY_OFF)
		return err_set(&f->err, DROVE_E_INVAL, "bad host key policy");
	f->policy = p;
	return 0;
}

/* Add an identity file to try after the agent. */
int
drove_fleet_add_identity(drove_fleet *f, const char *path)
{
	char **v;

	if ((v = realloc(f->id_paths, (f->nid_paths + 1) * sizeof *v)) ==
	    NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	f->id_paths = v;
	if ((v[f->nid_paths] = strdup(path)) == NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	f->nid_paths++;
	return 0;
}

/* Whether ~/.ssh/id_* are tried. */
int
drove_fleet_use_default_identities(drove_fleet *f, int yes)
{
	f->default_ids = yes != 0;
	return 0;
}

/* Whether $SSH_AUTH_SOCK is used. */
int
drove_fleet_use_agent(drove_fleet *f, int yes)
{
	f->use_agent = yes != 0;
	return 0;
}

/* Set the default password. */
int
drove_fleet_set_password(drove_fleet *f, const char *password)
{
	char *old = f->password;
	int rc;

	f->password = NULL;
	rc = set_str(f, &f->password, password);
	free_secret(old);
	return rc;
}

/* Set the passphrase prompt. */
void
drove_fleet_set_passphrase_cb(drove_fleet *f, drove_passphrase_cb *cb,
    void *arg)
{
	f->pass_cb = cb;
	f->pass_arg = arg;
}

/* Set where events go. */
void
drove_fleet_set_event_cb(drove_fleet *f, drove_event_cb *cb, void *arg)
{
	f->ev_cb = cb;
	f->ev_arg = arg;
}

/* Duplicate s unless NULL; sets *bad on allocation failure. */
static char *
dup_opt(const char *s, int *bad)
{
	char *p;

	if (s == NULL)
		return NULL;
	if ((p = strdup(s)) == NULL)
		*bad = 1;
	return p;
}

/* Add a host. */
int
drove_fleet_add_host(drove_fleet *f, const struct drove_hostspec *spec)
{
	struct fhost *h;
	size_t n;
	int bad = 0;

	if (spec == NULL || spec->name == NULL || *spec->name == '\0')
		return err_set(&f->err, DROVE_E_INVAL, "host without a name");
	if (spec->port < 0 || spec->port > 65535)
		return err_set(&f->err, DROVE_E_INVAL, "%s: bad port %d",
		    spec->name, spec->port);
	if (f->nhosts == f->caphosts) {
		n = f->caphosts ? f->caphosts * 2 : 16;
		if ((h = realloc(f->hosts, n * sizeof *h)) == NULL)
			return err_set(&f->err, DROVE_E_NOMEM,
			    "out of memory");
		f->hosts = h;
		f->caphosts = n;
	}
	h = &f->hosts[f->nhosts];
	memset(h, 0, sizeof *h);
	h->name = dup_opt(spec->name, &bad);
	h->address = dup_opt(spec->address, &bad);
	h->user = dup_opt(spec->user, &bad);
	h->key = dup_opt(spec->key, &bad);
	h->password = dup_opt(spec->password, &bad);
	h->port = spec->port;
	h->result.exit_code = -1;
	if (bad) {
		free(h->name);
		free(h->address);
		free(h->user);
		free(h->key);
		free_secret(h->password);
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	}
	return (int)f->nhosts++;
}

/* The number of hosts. */
size_t
drove_fleet_host_count(const drove_fleet *f)
{
	return f->nhosts;
}

/* A host's name. */
const char *
drove_fleet_host_name(const drove_fleet *f, size_t host)
{
	return host < f->nhosts ? f->hosts[host].name : NULL;
}

/* Set the command every host runs, and where its stdin comes from. */
int
drove_fleet_exec(drove_fleet *f, const char *command, int stdin_fd)
{
	if (command == NULL || *command == '\0')
		return err_set(&f->err, DROVE_E_INVAL, "empty command");
	f->stdin_fd = stdin_fd;
	return set_str(f, &f->command, command);
}

/* A warning about the last run as a whole, or NULL. */
const char *
drove_fleet_warning(const drove_fleet *f)
{
	return f->warning[0] != '\0' ? f->warning : NULL;
}

/* A host's result once it is done. */
const struct drove_result *
drove_fleet_result(const drove_fleet *f, size_t host)
{
	if (host >= f->nhosts || !f->hosts[host].done)
		return NULL;
	return &f->hosts[host].result;
}

/* Any thread or signal handler: ask the run to stop. */
void
drove_fleet_cancel(drove_fleet *f)
{
	f->cancel = 1;
	if (f->loop != NULL)
		loop_wake(f->loop);
}

/* Deliver one event to the caller. */
static void
fleet_emit(drove_fleet *f, enum drove_event_type type, size_t host,
    const char *data, size_t len)
{
	struct drove_event ev;

	if (f->ev_cb == NULL)
		return;
	memset(&ev, 0, sizeof ev);
	ev.type = type;
	ev.host = host;
	ev.name = f->hosts[host].name;
	ev.data = data;
	ev.len = len;
	if (type == DROVE_EV_DONE)
		ev.result = &f->hosts[host].result;
	f->ev_cb(&ev, f->ev_arg);
}

/* The status a session's outcome stands for. */
static enum drove_status
status_of(const struct sess *s)
{
	switch (s->err.code) {
	case 0:
		if (s->signal[0] != '\0')
			return DROVE_ST_SIGNAL;
		return s->exit_code == 0 ? DROVE_ST_OK : DROVE_ST_FAILED;
	case DROVE_E_TIMEOUT:
		return DROVE_ST_TIMEOUT;
	case DROVE_E_RESOLVE:
	case DROVE_E_UNREACHABLE:
		return DROVE_ST_UNREACHABLE;
	case DROVE_E_REFUSED:
		return DROVE_ST_REFUSED;
	case DROVE_E_HOSTKEY:
		return DROVE_ST_HOSTKEY;
	case DROVE_E_AUTH:
		return DROVE_ST_AUTH;
	case DROVE_E_CANCELLED:
		return DROVE_ST_CANCELLED;
	}
	return DROVE_ST_ERROR;
}

/* End a host with a result and tell the caller. */
static void
fleet_finish(drove_fleet *f, size_t i)
{
	struct fhost *h = &f->hosts[i];

	h->done = 1;
	f->finished++;
	fleet_emit(f, DROVE_EV_DONE, i, NULL, 0);
}

/* The fleet a session belongs to. */
static drove_fleet *
sess_fleet(const struct sess *s)
{
	return (drove_fleet *)((char *)s->cfg - offsetof(drove_fleet, cfg));
}

/* Session output: count it and pass it on. */
static void
host_output(void *owner, int stream, const char *data, size_t len)
{
	struct fhost *h = owner;
	drove_fleet *f = sess_fleet(h->sess);

	if (stream == 0)
		h->result.out_bytes += len;
	else
		h->result.err_bytes += len;
	fleet_emit(f, stream == 0 ? DROVE_EV_STDOUT : DROVE_EV_STDERR,
	    (size_t)(h - f->hosts), data, len);
}

/* Session warning: pass it on. */
static void
host_warn(void *owner, const char *msg)
{
	struct fhost *h = owner;
	drove_fleet *f = sess_fleet(h->sess);

	fleet_emit(f, DROVE_EV_WARN, (size_t)(h - f->hosts), msg,
	    strlen(msg));
}

/* Session finished: record the result, free it, start the next host. */
static void
host_done(void *owner, struct sess *s)
{
	struct fhost *h = owner;
	drove_fleet *f = sess_fleet(s);
	struct drove_result *r = &h->result;

	r->status = status_of(s);
	r->error = s->err.code;
	r->exit_code = s->exit_code;
	snprintf(r->signal, sizeof r->signal, "%s", s->signal);
	snprintf(r->msg, sizeof r->msg, "%s", s->err.msg);
	r->elapsed_ms = loop_now(f->loop) - s->started_ms;
	r->reached = s->authenticated;
	h->sess = NULL;
	sess_free(s);
	f->active--;
	fleet_finish(f, (size_t)(h - f->hosts));
	loop_task_queue(f->loop, &f->start_task);
}

static const struct sess_ops host_ops = {
	.output = host_output,
	.warn = host_warn,
	.done = host_done,
};

/* Fail host i before it had a session. */
static void
fleet_fail_host(drove_fleet *f, size_t i, enum drove_status st, int code,
    const char *msg)
{
	struct fhost *h = &f->hosts[i];

	h->result.status = st;
	h->result.error = code;
	if (msg != h->result.msg)
		snprintf(h->result.msg, sizeof h->result.msg, "%s", msg);
	fleet_finish(f, i);
}

/* Start hosts in order while there is room. */
static void
fleet_start(struct loop *l, void *arg)
{
	drove_fleet *f = arg;
	struct drove_hostspec spec;
	struct fhost *h;
	struct job *job;
	size_t i;

	(void)l;
	while (f->next < f->nhosts && !f->cancelling &&
	    (f->forks == 0 || f->active < f->forks)) {
		i = f->next++;
		h = &f->hosts[i];
		fleet_emit(f, DROVE_EV_START, i, NULL, 0);
		if (h->key != NULL && h->ident == NULL) {
			fleet_fail_host(f, i, DROVE_ST_AUTH, DROVE_E_AUTH,
			    h->result.msg);
			continue;
		}
		memset(&spec, 0, sizeof spec);
		spec.name = h->name;
		spec.address = h->address;
		spec.port = h->port;
		spec.user = h->user;
		spec.password = h->password;
		job = exec_job_new(f->command, f->stdin_fd >= 0 ? &f->feed :
		    NULL);
		if (job == NULL || (h->sess = sess_new(&f->cfg, &host_ops, h,
		    &spec, job)) == NULL) {
			if (job != NULL)
				job->ops->free(job, 1);
			fleet_fail_host(f, i, DROVE_ST_ERROR, DROVE_E_NOMEM,
			    "out of memory");
			continue;
		}
		h->sess->ident = h->ident;
		h->sess->password = h->password;
		f->active++;
		sess_start(h->sess);
	}
}

/* Wake every running session (stdin has news for them). */
static void
fleet_wake_all(drove_fleet *f)
{
	size_t i;

	for (i = 0; i < f->nhosts; i++)
		if (f->hosts[i].sess != NULL)
			sess_wake(f->hosts[i].sess);
}

/* Our stdin is readable: add what it has to the feed. */
static void
stdin_cb(struct loop *l, int fd, int events, void *arg)
{
	drove_fleet *f = arg;
	size_t room;
	ssize_t n;
	char *p;

	(void)events;
	for (;;) {
		if ((p = feed_space(&f->feed, &room)) == NULL) {
			n = 0;
			break;
		}
		n = read(fd, p, room);
		if (n > 0) {
			feed_commit(&f->feed, (size_t)n);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		break;
	}
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		f->feed.eof = 1;
		loop_unwatch(l, fd);
		f->stdin_watched = 0;
	}
	fleet_wake_all(f);
}

/* Start feeding stdin: a regular file is read at once, else watched. */
static int
fleet_stdin(drove_fleet *f)
{
	struct stat st;

	if (f->stdin_fd < 0)
		return 0;
	if (fstat(f->stdin_fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		f->stdin_flags = fcntl(f->stdin_fd, F_GETFL);
		if (f->stdin_flags != -1 && !(f->stdin_flags & O_NONBLOCK))
			fcntl(f->stdin_fd, F_SETFL, f->stdin_flags |
			    O_NONBLOCK);
		else
			f->stdin_flags = -1;
		if (loop_watch(f->loop, f->stdin_fd, LOOP_READ, stdin_cb,
		    f) == 0) {
			f->stdin_watched = 1;
			return 0;
		}
	}
	while (!f->feed.eof)
		stdin_cb(f->loop, f->stdin_fd, LOOP_READ, f);
	return 0;
}

/* The local user's name, for hosts without one. */
static void
fleet_local_user(drove_fleet *f)
{
	const char *u = getenv("USER");
	struct passwd *pw;

	if ((u == NULL || *u == '\0') && (pw = getpwuid(getuid())) != NULL)
		u = pw->pw_name;
	snprintf(f->local_user, sizeof f->local_user, "%s", u ? u : "root");
}

/* The home directory, for ~/.ssh. */
static const char *
home_dir(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if ((h == NULL || *h == '\0') && (pw = getpwuid(getuid())) != NULL)
		h = pw->pw_dir;
	return h ? h : "/";
}

/* Append an identity to a list. */
static int
ident_push(struct ident ***v, size_t *n, struct ident *id)
{
	struct ident **p;

	if ((p = realloc(*v, (*n + 1) * sizeof *p)) == NULL)
		return DROVE_E_NOMEM;
	p[(*n)++] = id;
	*v = p;
	return 0;
}

/* Load the explicit identities (errors stop the run) and the defaults
 * (missing ones are skipped; broken ones are warned about). */
static int
fleet_load_idents(drove_fleet *f)
{
	static const char *defaults[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
	struct drove_err e;
	struct ident *id;
	char path[4096];
	size_t i;

	for (i = 0; i < f->nid_paths; i++) {
		err_clear(&e);
		if (ident_load(f->id_paths[i], f->pass_cb, f->pass_arg, &id,
		    &e) != 0)
			return err_set(&f->err, e.code, "%s", e.msg);
		if (ident_push(&f->idents, &f->nidents, id) != 0) {
			ident_free(id);
			return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
		}
	}
	if (!f->default_ids)
		return 0;
	for (i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
		snprintf(path, sizeof path, "%s/.ssh/%s", home_dir(),
		    defaults[i]);
		if (access(path, F_OK) != 0)
			continue;
		err_clear(&e);
		if (ident_load(path, f->pass_cb, f->pass_arg, &id, &e) != 0) {
			LOG("skipping %s: %s", path, e.msg);
			continue;
		}
		if (ident_push(&f->idents, &f->nidents, id) != 0) {
			ident_free(id);
			return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
		}
	}
	return 0;
}

/* Load each host's own key once per distinct path; a host whose key does
 * not load fails alone (its message kept in its result). */
static int
fleet_load_host_keys(drove_fleet *f)
{
	struct hostkey_file *k, *v;
	struct fhost *h;
	size_t i, j;

	for (i = 0; i < f->nhosts; i++) {
		h = &f->hosts[i];
		if (h->key == NULL)
			continue;
		for (j = 0; j < f->nkeyfiles; j++)
			if (strcmp(f->keyfiles[j].path, h->key) == 0)
				break;
		if (j == f->nkeyfiles) {
			v = realloc(f->keyfiles, (j + 1) * sizeof *v);
			if (v == NULL)
				return err_set(&f->err, DROVE_E_NOMEM,
				    "out of memory");
			f->keyfiles = v;
			k = &v[f->nkeyfiles++];
			k->path = h->key;
			k->id = NULL;
			err_clear(&k->err);
			ident_load(h->key, f->pass_cb, f->pass_arg, &k->id,
			    &k->err);
		}
		k = &f->keyfiles[j];
		h->ident = k->id;
		if (k->id == NULL)
			memcpy(h->result.msg, k->err.msg, sizeof h->result.msg);
	}
	return 0;
}

/* Let the process open enough files for every session. */
static void
raise_nofile(size_t want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* Build the run's shared state. */
static int
fleet_setup(drove_fleet *f)
{
	struct drove_err e;
	const char *sock, *w;
	char path[4096];
	size_t n;

	pthread_once(&libssh2_once, libssh2_init_once);
	log_init();
	n = f->forks == 0 || f->forks > f->nhosts ? f->nhosts : f->forks;
	raise_nofile(n + 64);
	fleet_local_user(f);
	feed_init(&f->feed);
	loop_task_init(&f->start_task, fleet_start, f);
	if ((f->loop = loop_new()) == NULL ||
	    (f->resolver = resolve_new(f->loop, FLEET_RESOLVERS)) == NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "event loop: %s",
		    strerror(errno));
	if (f->known_hosts == NULL)
		snprintf(path, sizeof path, "%s/.ssh/known_hosts", home_dir());
	err_clear(&e);
	if (kh_load(f->known_hosts ? f->known_hosts : path, &f->kh, &e) != 0)
		return err_set(&f->err, e.code, "%s", e.msg);
	if ((w = kh_load_warning(f->kh)) != NULL)
		snprintf(f->warning, sizeof f->warning, "%s", w);
	if (f->use_agent && (sock = getenv("SSH_AUTH_SOCK")) != NULL &&
	    *sock != '\0' && (f->agent = agent_new(f->loop, sock)) == NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	if (fleet_load_idents(f) != 0)
		return f->err.code;
	if (fleet_load_host_keys(f) != 0)
		return f->err.code;
	f->cfg.loop = f->loop;
	f->cfg.resolver = f->resolver;
	f->cfg.kh = f->kh;
	f->cfg.policy = f->policy;
	f->cfg.agent = f->agent;
	f->cfg.idents = f->idents;
	f->cfg.nidents = f->nidents;
	f->cfg.nexplicit = f->nid_paths;
	f->cfg.password = f->password;
	f->cfg.local_user = f->local_user;
	f->cfg.connect_timeout_ms = f->connect_timeout_ms;
	f->cfg.command_timeout_ms = f->command_timeout_ms;
	f->cfg.keepalive_s = f->keepalive_s;
	return fleet_stdin(f);
}

/* Free the run's shared state. */
static void
fleet_teardown(drove_fleet *f)
{
	size_t i;

	if (f->stdin_watched)
		loop_unwatch(f->loop, f->stdin_fd);
	f->stdin_watched = 0;
	if (f->stdin_flags != -1)
		fcntl(f->stdin_fd, F_SETFL, f->stdin_flags);
	f->stdin_flags = -1;
	resolve_free(f->resolver);
	f->resolver = NULL;
	if (f->loop != NULL)
		loop_run_once(f->loop, 0);
	agent_free(f->agent);
	f->agent = NULL;
	for (i = 0; i < f->nidents; i++)
		ident_free(f->idents[i]);
	free(f->idents);
	f->idents = NULL;
	f->nidents = 0;
	for (i = 0; i < f->nkeyfiles; i++)
		ident_free(f->keyfiles[i].id);
	free(f->keyfiles);
	f->keyfiles = NULL;
	f->nkeyfiles = 0;
	for (i = 0; i < f->nhosts; i++)
		f->hosts[i].ident = NULL;
	kh_free(f->kh);
	f->kh = NULL;
	feed_release(&f->feed);
	loop_free(f->loop);
	f->loop = NULL;
}

/* Stop everything: running sessions close, waiting hosts are cancelled. */
static void
fleet_cancel_all(drove_fleet *f)
{
	size_t i;

	f->cancelling = 1;
	for (i = 0; i < f->nhosts; i++)
		if (f->hosts[i].sess != NULL)
			sess_cancel(f->hosts[i].sess);
	while (f->next < f->nhosts) {
		i = f->next++;
		fleet_fail_host(f, i, DROVE_ST_CANCELLED, DROVE_E_CANCELLED,
		    "interrupted before it started");
	}
}

/* Run every host's job to its end. */
int
drove_fleet_run(drove_fleet *f)
{
	size_t i;
	int rc = 0;

	err_clear(&f->err);
	f->warning[0] = '\0';
	if (f->command == NULL)
		return err_set(&f->err, DROVE_E_INVAL, "no job to run");
	for (i = 0; i < f->nhosts; i++) {
		memset(&f->hosts[i].result, 0, sizeof f->hosts[i].result);
		f->hosts[i].result.exit_code = -1;
		f->hosts[i].done = 0;
	}
	f->next = f->active = f->finished = 0;
	f->cancelling = 0;
	if ((rc = fleet_setup(f)) != 0)
		goto out;
	loop_task_queue(f->loop, &f->start_task);
	while (f->finished < f->nhosts) {
		if (f->cancel && !f->cancelling)
			fleet_cancel_all(f);
		if ((rc = loop_run_once(f->loop, -1)) != 0) {
			err_set(&f->err, rc, "event loop: %s",
			    strerror(errno));
			break;
		}
	}
	if (rc == 0 && f->cancelling)
		rc = err_set(&f->err, DROVE_E_CANCELLED, "interrupted");
 out:
	fleet_teardown(f);
	f->cancel = 0;
	return rc;
}
