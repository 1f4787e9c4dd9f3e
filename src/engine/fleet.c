/*
 * fleet.c: the fleet API: hosts, options, one job per host, and the run
 * that spreads the hosts over one or more shards (shard.c), each a loop
 * thread with its own sessions.
 *
 * drove_fleet_run() loads what every shard shares (identity files,
 * decrypted once; stdin when several shards need it complete), starts the
 * shards (the calling thread runs the first), waits for them and frees it
 * all.  drove_fleet_cancel() only sets a flag and wakes the loops; each
 * shard then cancels its sessions, and hosts never started end as
 * cancelled, so every host has a result.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libssh2.h>

#include "base/log.h"
#include "engine/cert.h"
#include "engine/fleet.h"
#include "engine/ident.h"

#define FLEET_FORKS		256
#define FLEET_CONNECT_MS	10000
#define FLEET_KEEPALIVE_S	30
#define FLEET_CONNECT_RATE	100.0	/* per server and second */
#define FLEET_MAX_STARTUPS	8	/* per server, below sshd's 10 */
#define FLEET_JUMP_CHANNELS	32	/* targets per jump connection */
#define FLEET_AUTO_LOOPS_AT	300	/* hosts from which loops = cores */
#define FLEET_FD_RESERVE	32	/* open files the run keeps */
#define FLEET_FD_PER_LOOP	20	/* and per loop (resolvers, epoll) */
#define FLEET_NOFILE_MAX	1048576	/* when the hard limit is unlimited */

static int	fleet_finish(drove_fleet *, int rc);

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
	f->retries = 1;
	f->connect_rate = FLEET_CONNECT_RATE;
	f->max_startups = FLEET_MAX_STARTUPS;
	f->jump_channels = FLEET_JUMP_CHANNELS;
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
	if (f->stepped && f->shards != NULL) {
		/* a stepped run still going: end it here */
		drove_fleet_cancel(f);
		while (!shard_done(&f->shards[0]) &&
		    shard_turn(&f->shards[0], -1) == 0)
			continue;
		shard_end(&f->shards[0]);
		fleet_finish(f, 0);
	}
	if (f->shards != NULL)
		keep_close(f);
	for (i = 0; i < f->nhosts; i++) {
		free(f->hosts[i].name);
		free(f->hosts[i].address);
		free(f->hosts[i].user);
		free(f->hosts[i].key);
		free(f->hosts[i].known_hosts);
		free(f->hosts[i].cert);
		free(f->hosts[i].proxy_command);
		jhop_free(f->hosts[i].jump);
		free_secret(f->hosts[i].password);
		fleet_become_release(&f->hosts[i].become);
	}
	free(f->hosts);
	for (i = 0; i < f->nid_paths; i++)
		free(f->id_paths[i]);
	free(f->id_paths);
	for (i = 0; i < f->ncert_paths; i++)
		free(f->cert_paths[i]);
	free(f->cert_paths);
	free(f->known_hosts);
	free_secret(f->password);
	fleet_become_release(&f->become);
	free(f->command);
	free(f->scan_types);
	fleet_set_job(f, NULL, NULL, NULL);
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

/* Set how many times a connection failing before the banner is retried. */
int
drove_fleet_set_retries(drove_fleet *f, unsigned int n)
{
	f->retries = n;
	return 0;
}

/* Set how many loop threads run the hosts (0: automatic). */
int
drove_fleet_set_loops(drove_fleet *f, unsigned int n)
{
	f->loops = n;
	return 0;
}

/* Set the pace of connection starts to any one server. */
int
drove_fleet_set_connect_rate(drove_fleet *f, double per_second,
    unsigned int max_startups)
{
	if (per_second < 0)
		return err_set(&f->err, DROVE_E_INVAL, "bad connect rate");
	f->connect_rate = per_second;
	f->max_startups = max_startups;
	return 0;
}

/* Set how many targets share one connection to a jump host. */
int
drove_fleet_set_jump_channels(drove_fleet *f, unsigned int n)
{
	if (n == 0)
		return err_set(&f->err, DROVE_E_INVAL, "bad jump channels 0");
	f->jump_channels = n;
	return 0;
}

/* Set what the first failure does to the rest of the run. */
int
drove_fleet_set_fail_fast(drove_fleet *f, enum drove_fail_fast mode)
{
	if (mode != DROVE_FAIL_FAST_OFF && mode != DROVE_FAIL_FAST_STOP &&
	    mode != DROVE_FAIL_FAST_CANCEL)
		return err_set(&f->err, DROVE_E_INVAL, "bad fail-fast mode");
	f->fail_fast = mode;
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
	    p != DROVE_HOSTKEY_OFF && p != DROVE_HOSTKEY_ASK)
		return err_set(&f->err, DROVE_E_INVAL, "bad host key policy");
	f->policy = p;
	return 0;
}

/* Set the question asked about unknown host keys under ask. */
void
drove_fleet_set_hostkey_ask_cb(drove_fleet *f, drove_hostkey_ask_cb *cb,
    void *arg)
{
	f->ask_cb = cb;
	f->ask_arg = arg;
}

/* Append a copy of path to the list *v of *n paths. */
static int
path_push(drove_fleet *f, char ***v, size_t *n, const char *path)
{
	char **p;

	if ((p = realloc(*v, (*n + 1) * sizeof *p)) == NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	*v = p;
	if ((p[*n] = strdup(path)) == NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	(*n)++;
	return 0;
}

/* Add an identity file to try after the agent. */
int
drove_fleet_add_identity(drove_fleet *f, const char *path)
{
	return path_push(f, &f->id_paths, &f->nid_paths, path);
}

/* Add the certificate of an identity file. */
int
drove_fleet_add_certificate(drove_fleet *f, const char *path)
{
	return path_push(f, &f->cert_paths, &f->ncert_paths, path);
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

/* Set a periodic callback for the run. */
void
drove_fleet_set_tick_cb(drove_fleet *f, void (*cb)(void *), void *arg,
    unsigned int ms)
{
	f->tick_cb = cb;
	f->tick_arg = arg;
	f->tick_ms = ms > 0 ? ms : 100;
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

/* A host's StrictHostKeyChecking as a policy; -1 for none or a bad one. */
static int
policy_of(const char *v)
{
	if (v == NULL)
		return -1;
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "strict") == 0)
		return DROVE_HOSTKEY_STRICT;
	if (strcasecmp(v, "no") == 0 || strcasecmp(v, "off") == 0)
		return DROVE_HOSTKEY_OFF;
	if (strcasecmp(v, "accept-new") == 0)
		return DROVE_HOSTKEY_ACCEPT_NEW;
	if (strcasecmp(v, "ask") == 0)
		return DROVE_HOSTKEY_ASK;
	return -1;
}

/* Add a host. */
int
drove_fleet_add_host(drove_fleet *f, const struct drove_hostspec *spec)
{
	struct fhost *h;
	size_t n;
	int bad = 0, r = 0;

	if (spec == NULL || spec->name == NULL || *spec->name == '\0')
		return err_set(&f->err, DROVE_E_INVAL, "host without a name");
	if (spec->port < 0 || spec->port > 65535)
		return err_set(&f->err, DROVE_E_INVAL, "%s: bad port %d",
		    spec->name, spec->port);
	if (f->running)
		return err_set(&f->err, DROVE_E_INVAL, "a run is going on");
	if (f->nhosts == f->caphosts) {
		n = f->caphosts ? f->caphosts * 2 : 16;
		keep_pause(f);
		if ((h = realloc(f->hosts, n * sizeof *h)) == NULL) {
			keep_resume(f);
			return err_set(&f->err, DROVE_E_NOMEM,
			    "out of memory");
		}
		f->hosts = h;
		f->caphosts = n;
		for (n = 0; n < f->nhosts; n++)	/* kept sessions' owners */
			if (h[n].sess != NULL)
				h[n].sess->owner = &h[n];
		keep_resume(f);
	}
	h = &f->hosts[f->nhosts];
	memset(h, 0, sizeof *h);
	h->name = dup_opt(spec->name, &bad);
	h->address = dup_opt(spec->address, &bad);
	h->user = dup_opt(spec->user, &bad);
	h->key = dup_opt(spec->key, &bad);
	h->password = dup_opt(spec->password, &bad);
	h->known_hosts = dup_opt(spec->known_hosts, &bad);
	h->cert = dup_opt(spec->cert, &bad);
	h->port = spec->port;
	h->connect_timeout_ms = spec->connect_timeout_ms;
	h->keepalive_s = spec->keepalive_s;
	h->identities_only = spec->identities_only;
	h->proxy_command = dup_opt(spec->proxy_command, &bad);
	h->policy = policy_of(spec->hostkey_check);
	if (spec->hostkey_check != NULL && h->policy == -1)
		bad = 2;
	if (!bad && (r = jhop_copy(spec, &h->jump, &f->err)) != 0)
		bad = 3;
	h->result.exit_code = -1;
	if (!bad && fleet_become_host(f, h, spec) != 0) {
		r = f->err.code;
		bad = 3;
	}
	if (bad) {
		free(h->name);
		free(h->address);
		free(h->user);
		free(h->key);
		free(h->known_hosts);
		free(h->cert);
		free(h->proxy_command);
		jhop_free(h->jump);
		free_secret(h->password);
		if (bad == 3)
			return r;
		if (bad == 2)
			return err_set(&f->err, DROVE_E_INVAL, "%s: bad host key "
			    "checking '%s' (yes, no, accept-new or ask)",
			    spec->name, spec->hostkey_check);
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

/* Set the keyscan job for every host. */
int
drove_fleet_keyscan(drove_fleet *f, const char *types, int hash, int append)
{
	f->keyscan = append ? KEYSCAN_APPEND : KEYSCAN_PRINT |
	    (hash ? KEYSCAN_HASH : 0);
	free(f->command);
	f->command = NULL;
	fleet_set_job(f, NULL, NULL, NULL);
	return set_str(f, &f->scan_types, types);
}

/* Set the job maker of every host, freeing the old one's state. */
void
fleet_set_job(drove_fleet *f, struct job *(*make_job)(drove_fleet *, size_t),
    void *arg, void (*arg_free)(void *))
{
	if (f->job_arg_free != NULL)
		f->job_arg_free(f->job_arg);
	f->connect_only = 0;
	f->make_job = make_job;
	f->job_arg = arg;
	f->job_arg_free = arg_free;
	f->host_fds = 1;
	if (make_job != NULL) {
		f->keyscan = 0;
		f->stdin_fd = -1;
	}
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
	unsigned int i, n = __atomic_load_n(&f->nshards, __ATOMIC_SEQ_CST);

	f->cancel = 1;
	for (i = 0; i < n; i++)
		loop_wake(f->shards[i].loop);
}

/* Call the caller's tick, one at a time with events. */
void
fleet_tick(drove_fleet *f)
{
	if (f->nshards > 1)
		pthread_mutex_lock(&f->ev_lock);
	f->tick_cb(f->tick_arg);
	if (f->nshards > 1)
		pthread_mutex_unlock(&f->ev_lock);
}

/* Deliver one event to the caller, one at a time across shards. */
void
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
	if (f->nshards > 1)
		pthread_mutex_lock(&f->ev_lock);
	f->ev_cb(&ev, f->ev_arg);
	if (f->nshards > 1)
		pthread_mutex_unlock(&f->ev_lock);
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

/* Attach KEY-cert.pub to a key file when it is there (a broken one is
 * skipped, as ssh does). */
static void
fleet_cert_beside(struct ident *id)
{
	struct drove_err e;

	err_clear(&e);
	if (cert_beside(id, &e) != 0)
		LOG("skipping a certificate: %s", e.msg);
}

/* Append an identity (with its certificate, when beside it) to a list. */
static int
ident_push(struct ident ***v, size_t *n, struct ident *id)
{
	struct ident **p;

	fleet_cert_beside(id);
	if ((p = realloc(*v, (*n + 1) * sizeof *p)) == NULL)
		return DROVE_E_NOMEM;
	p[(*n)++] = id;
	*v = p;
	return 0;
}

/* Load the explicit identities (errors stop the run), the defaults
 * (missing ones are skipped; broken ones are warned about), each with the
 * certificate beside it, then the certificates given for them. */
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
	for (i = 0; f->default_ids && i < sizeof defaults / sizeof defaults[0];
	    i++) {
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
	for (i = 0; i < f->ncert_paths; i++) {
		err_clear(&e);
		if (cert_load(f->cert_paths[i], f->idents, f->nidents, &e) != 0)
			return err_set(&f->err, e.code, "%s", e.msg);
	}
	return 0;
}

/* The key file at path, loaded on first use; NULL: out of memory. */
static struct hostkey_file *
fleet_keyfile(drove_fleet *f, const char *path)
{
	struct hostkey_file *k, *v;
	size_t j;

	for (j = 0; j < f->nkeyfiles; j++)
		if (strcmp(f->keyfiles[j].path, path) == 0)
			return &f->keyfiles[j];
	if ((v = realloc(f->keyfiles, (j + 1) * sizeof *v)) == NULL)
		return NULL;
	f->keyfiles = v;
	k = &v[f->nkeyfiles++];
	k->path = path;
	k->id = NULL;
	err_clear(&k->err);
	ident_load(path, f->pass_cb, f->pass_arg, &k->id, &k->err);
	return k;
}

/* Load each host's own key (and its jump hosts') once per distinct path,
 * with its certificate: the host's CertificateFile, else KEY-cert.pub when
 * there; a host whose key does not load fails alone (its message kept in
 * its result); a jump host's tries the other identities. */
static int
fleet_load_host_keys(drove_fleet *f)
{
	struct hostkey_file *k;
	struct drove_err e;
	struct fhost *h;
	struct jhop *hop;
	size_t i, loaded;

	for (i = 0; i < f->nhosts; i++) {
		h = &f->hosts[i];
		if (!h->in_run)		/* its run loads it */
			continue;
		for (hop = h->jump; hop != NULL; hop = hop->via) {
			if (hop->keypath == NULL)
				continue;
			if ((k = fleet_keyfile(f, hop->keypath)) == NULL)
				return err_set(&f->err, DROVE_E_NOMEM,
				    "out of memory");
			hop->ident = k->id;
		}
		err_clear(&e);
		/* CertificateFile without IdentityFile: the run's keys */
		if (h->key == NULL && h->cert != NULL &&
		    cert_load(h->cert, f->idents, f->nidents, &e) != 0)
			return err_set(&f->err, e.code, "%s: %s", h->name,
			    e.msg);
		if (h->key == NULL)
			continue;
		loaded = f->nkeyfiles;
		if ((k = fleet_keyfile(f, h->key)) == NULL)
			return err_set(&f->err, DROVE_E_NOMEM,
			    "out of memory");
		if (f->nkeyfiles > loaded && k->id != NULL && h->cert == NULL)
			fleet_cert_beside(k->id);
		if (f->nkeyfiles > loaded && k->id != NULL && h->cert != NULL &&
		    cert_load(h->cert, &k->id, 1, &e) != 0)
			return err_set(&f->err, e.code, "%s: %s", h->name,
			    e.msg);
		h->ident = k->id;
		if (k->id == NULL)
			memcpy(h->result.msg, k->err.msg, sizeof h->result.msg);
	}
	return 0;
}

/* The shard of host h of n: by index, or by its first jump host. */
static unsigned int
fleet_shard_of(const drove_fleet *f, size_t h, unsigned int n)
{
	const struct jhop *j = f->hosts[h].jump;

	if (j == NULL)
		return (unsigned int)(h % n);
	while (j->via != NULL)
		j = j->via;
	return jhop_hash(j) % n;
}

/* Raise the soft limit on open files to the hard one; the limit now. */
static size_t
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		    rl.rlim_max > FLEET_NOFILE_MAX ? FLEET_NOFILE_MAX :
		    rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? FLEET_NOFILE_MAX :
	    (size_t)rl.rlim_cur;
}

/*
 * The hosts that may run at once: --forks, but no more than the open
 * files allow, each running host holding host_fds of them (its socket, and
 * a pull's local file) besides what the run keeps for itself.  A host that
 * still meets EMFILE waits for a descriptor (sess.c).
 */
static unsigned int
fleet_forks(const drove_fleet *f, unsigned int nshards)
{
	size_t limit = raise_nofile(), keep, room;

	keep = FLEET_FD_RESERVE + (size_t)FLEET_FD_PER_LOOP * nshards;
	room = limit > 2 * keep ? limit - keep : limit / 2;
	room /= f->host_fds > 0 ? f->host_fds : 1;
	if (room == 0)
		room = 1;
	if (f->forks != 0 && f->forks <= room)
		return f->forks;
	if (f->forks == 0 && room >= f->nrun)
		return 0;
	LOG("open files: limit %zu, so at most %zu hosts at once", limit,
	    room);
	return room > UINT_MAX ? UINT_MAX : (unsigned int)room;
}

/* Read all of stdin now (several shards read the feed at once). */
int
fleet_read_stdin(drove_fleet *f)
{
	size_t room;
	ssize_t n;
	char *p;

	while (!f->feed.eof && !feed_at_cap(&f->feed)) {
		if ((p = feed_space(&f->feed, &room)) == NULL)
			return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
		n = read(f->stdin_fd, p, room);
		if (n > 0)
			feed_commit(&f->feed, (size_t)n);
		else if (n == 0)
			f->feed.eof = 1;
		else if (errno != EINTR && errno != EAGAIN)
			return err_set(&f->err, DROVE_E_IO, "read stdin: %s",
			    strerror(errno));
	}
	return 0;
}

/* How many shards: --loops, else one per core from a few hundred hosts. */
static unsigned int
fleet_nshards(const drove_fleet *f)
{
	long cpus;
	unsigned int n = f->loops;
	/* kept shards serve every later run too: size them by the fleet */
	size_t hosts = f->keep ? f->nhosts : f->nrun;

	if (f->stepped)
		return 1;	/* one loop, the caller's thread */
	if (f->policy == DROVE_HOSTKEY_ASK && f->ask_cb != NULL)
		return 1;	/* one question for the whole run */
	if (n == 0) {
		cpus = sysconf(_SC_NPROCESSORS_ONLN);
		n = hosts >= FLEET_AUTO_LOOPS_AT && cpus > 1 ?
		    (unsigned int)cpus : 1;
	}
	if (n > hosts)
		n = hosts > 0 ? (unsigned int)hosts : 1;
	return n;
}

/* Build what the shards share, then the shards. */
static int
fleet_setup(drove_fleet *f)
{
	struct shard *sh;
	struct stat st;
	unsigned int n, i, forks;
	size_t h;

	sess_global_init();
	fleet_local_user(f);
	feed_init(&f->feed);
	if (f->known_hosts != NULL)
		snprintf(f->known_hosts_path, sizeof f->known_hosts_path,
		    "%s", f->known_hosts);
	else
		snprintf(f->known_hosts_path, sizeof f->known_hosts_path,
		    "%s/.ssh/known_hosts", home_dir());
	if (fleet_load_idents(f) != 0 || fleet_load_host_keys(f) != 0)
		return f->err.code;
	n = fleet_nshards(f);
	forks = fleet_forks(f, n);
	if ((f->shards = calloc(n, sizeof *f->shards)) == NULL)
		return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
	/* count, then place: hosts behind the same first jump host share a
	 * shard, so that it is connected to (and fails) once */
	for (h = 0; h < f->nhosts; h++)
		if (f->hosts[h].in_run)
			f->shards[fleet_shard_of(f, h, n)].nhosts++;
	for (i = 0; i < n; i++) {
		sh = &f->shards[i];
		sh->f = f;
		sh->id = i;
		sh->forks = forks == 0 || f->nrun == 0 ? forks :
		    (unsigned int)((forks * (uint64_t)sh->nhosts +
		    f->nrun - 1) / f->nrun);
		if (forks != 0 && sh->forks == 0)
			sh->forks = 1;
		sh->connect_rate = f->connect_rate / n;
		sh->max_startups = f->max_startups == 0 ? 0 :
		    (f->max_startups + n - 1) / n;
		sh->hosts = malloc((sh->nhosts + 1) * sizeof *sh->hosts);
		if (sh->hosts == NULL)
			return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
		sh->nhosts = 0;
	}
	for (h = 0; h < f->nhosts; h++) {
		if (!f->hosts[h].in_run)
			continue;
		sh = &f->shards[fleet_shard_of(f, h, n)];
		sh->hosts[sh->nhosts++] = h;
	}
	for (i = 0; i < n; i++) {
		__atomic_store_n(&f->nshards, i + 1, __ATOMIC_SEQ_CST);
		if (shard_setup(&f->shards[i]) != 0)
			return err_set(&f->err, f->shards[i].err.code, "%s",
			    f->shards[i].err.msg);
	}
	if (f->stdin_fd < 0)
		return 0;
	/* a regular file is read by each host as it sends it; a pipe or
	 * terminal as it comes; anything epoll refuses (/dev/null) at once,
	 * as is a pipe when several loops share it */
	if (fstat(f->stdin_fd, &st) == 0 && S_ISREG(st.st_mode)) {
		feed_use_file(&f->feed, f->stdin_fd, (uint64_t)st.st_size);
		return 0;
	}
	if (n == 1 && shard_watch_stdin(&f->shards[0]) == 0)
		return 0;
	if (fleet_read_stdin(f) != 0)
		return f->err.code;
	f->feed.eof = 1;
	return 0;
}

/* Free what the run made (with kept sessions: once they are closed). */
void
fleet_teardown(drove_fleet *f)
{
	unsigned int i, n = f->nshards;
	size_t h;

	__atomic_store_n(&f->nshards, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++)
		shard_teardown(&f->shards[i]);
	free(f->shards);
	f->shards = NULL;
	for (h = 0; h < f->nidents; h++)
		ident_free(f->idents[h]);
	free(f->idents);
	f->idents = NULL;
	f->nidents = 0;
	for (h = 0; h < f->nkeyfiles; h++)
		ident_free(f->keyfiles[h].id);
	free(f->keyfiles);
	f->keyfiles = NULL;
	f->nkeyfiles = 0;
	for (h = 0; h < f->nhosts; h++) {
		f->hosts[h].ident = NULL;
		f->hosts[h].shard = NULL;
		f->hosts[h].dest = NULL;
	}
	feed_release(&f->feed);
}

/* A shard's thread. */
static void *
shard_thread(void *arg)
{
	struct shard *sh = arg;

	shard_run(sh);
	return NULL;
}

/* Take the shards' errors and free the run: how every run ends. */
static int
fleet_finish(drove_fleet *f, int rc)
{
	unsigned int i;

	for (i = 0; i < f->nshards && rc == 0; i++)
		if (f->shards[i].err.code != 0)
			rc = err_set(&f->err, f->shards[i].err.code, "%s",
			    f->shards[i].err.msg);
	if (rc == 0 && f->cancel)
		rc = err_set(&f->err, DROVE_E_CANCELLED, "interrupted");
	if (f->keep && f->shards != NULL)
		keep_end(f);
	else
		fleet_teardown(f);
	pthread_mutex_destroy(&f->ev_lock);
	f->cancel = 0;
	f->stepped = 0;
	f->running = 0;
	return rc;
}

/* Reset the results and build the shards: how every run begins (on
 * failure nothing is left to free). */
static int
fleet_begin(drove_fleet *f)
{
	size_t h;
	int rc;

	err_clear(&f->err);
	f->warning[0] = '\0';
	if (!f->keyscan && f->make_job == NULL && !f->connect_only)
		return err_set(&f->err, DROVE_E_INVAL, "no job to run");
	if (f->keep && (f->keyscan || f->shell != NULL))
		return err_set(&f->err, DROVE_E_INVAL, "kept sessions run "
		    "commands and transfers, not %s", f->keyscan ? "keyscan" :
		    "a shell");
	if (f->stepped && f->nshards > 1)
		return err_set(&f->err, DROVE_E_INVAL, "a stepped run needs "
		    "one loop: its kept sessions are on %u", f->nshards);
	f->nrun = 0;
	for (h = 0; h < f->nhosts; h++) {
		memset(&f->hosts[h].result, 0, sizeof f->hosts[h].result);
		f->hosts[h].result.exit_code = -1;
		f->hosts[h].done = 0;
		f->hosts[h].in_run = keep_in_run(f, h);
		f->nrun += f->hosts[h].in_run;
	}
	f->ff_host = SIZE_MAX;
	f->ask_settled = 0;
	fleet_become_mark(f);
	f->stdin_flags = -1;
	pthread_mutex_init(&f->ev_lock, NULL);
	f->running = 1;
	if (f->shards != NULL) {
		if ((rc = keep_begin(f)) == 0)
			rc = fleet_load_host_keys(f);
	} else if ((rc = fleet_setup(f)) != 0)
		fleet_teardown(f);
	if (rc != 0)
		fleet_finish(f, rc);
	return rc;
}

/* Run every host's job to its end. */
int
drove_fleet_run(drove_fleet *f)
{
	unsigned int i, started = 1;
	int rc;

	if (f->running)
		return err_set(&f->err, DROVE_E_INVAL, "a run is going on");
	if ((rc = fleet_begin(f)) != 0)
		return rc;
	for (i = 1; i < f->nshards; i++, started++)
		if (pthread_create(&f->shards[i].thread, NULL, shard_thread,
		    &f->shards[i]) != 0) {
			rc = err_set(&f->err, DROVE_E_INTERNAL,
			    "start loop thread: %s", strerror(errno));
			drove_fleet_cancel(f);
			break;
		}
	shard_run(&f->shards[0]);
	for (i = started; i < f->nshards; i++)
		shard_run(&f->shards[i]);	/* cancelled: ends at once */
	for (i = 1; i < started; i++)
		pthread_join(f->shards[i].thread, NULL);
	return fleet_finish(f, rc);
}

/* Begin a run the caller steps from its own event loop. */
int
drove_fleet_start(drove_fleet *f)
{
	int rc;

	if (f->running)
		return err_set(&f->err, DROVE_E_INVAL, "a run is going on");
	f->stepped = 1;
	if ((rc = fleet_begin(f)) != 0) {
		f->stepped = 0;
		return rc;
	}
	shard_begin(&f->shards[0]);
	return 0;
}

/* The fd to poll for input while a stepped run goes on, or -1. */
int
drove_fleet_fd(const drove_fleet *f)
{
	return f->stepped && f->shards != NULL ?
	    loop_fd(f->shards[0].loop) : -1;
}

/* Milliseconds until the stepped run needs a step without input; -1. */
int
drove_fleet_timeout(drove_fleet *f)
{
	return f->stepped && f->shards != NULL ?
	    loop_next_timeout(f->shards[0].loop) : -1;
}

/* Do what is ready without waiting: 1 while hosts run, then the run's
 * result once. */
int
drove_fleet_step(drove_fleet *f)
{
	struct shard *sh;
	int rc;

	if (!f->stepped || f->shards == NULL)
		return err_set(&f->err, DROVE_E_INVAL, "no run was started");
	sh = &f->shards[0];
	if (!shard_done(sh)) {
		if ((rc = shard_turn(sh, 0)) != 0)
			return fleet_finish(f, err_set(&f->err, rc, "%s",
			    sh->err.msg));
		if (!shard_done(sh))
			return 1;
	}
	shard_end(sh);
	return fleet_finish(f, 0);
}
