/*
 * client.c: the blocking single-host face of libdrove (drove_client_*): one
 * persistent session (sess.c) on a private loop, and small jobs run on it
 * one after another.
 *
 * Each blocking call starts a job on the ready session with sess_run_job()
 * and turns the loop until the session is ready again (the job ended) or
 * gone (the connection failed; its error is the call's).  Commands are the
 * exec job (exec.c), whose output the client routes to two buffers or to
 * the caller's callback.  SFTP calls are the client's own job, one
 * operation each, on one SFTP channel that the first of them opens and the
 * session's teardown shuts down.  A refused operation ends its job with the
 * reason in the client (the connection stays); a failed session ends it.
 *
 * Put and get are sequences of such calls: put uploads to a temporary name
 * beside the target and renames it into place (an SFTP rename when the
 * target is missing, else "mv -f" on an exec channel, as SFTP v3 cannot
 * replace a file, engine/README, 9), removing the temporary file on
 * failure; get downloads to a temporary local file renamed when complete.
 *
 * A shell is the shell job (shell.c) with a socketpair for its terminal:
 * one end is the job's input and output, the other the caller's.  A thread
 * of the client turns the loop while it runs, and the caller's thread
 * touches nothing of the connection until it has joined that thread.
 */
#define _GNU_SOURCE	/* pipe2 */

#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>
#include <libssh2_sftp.h>

#include "base/buf.h"
#include "base/log.h"
#include "engine/agent.h"
#include "engine/cert.h"
#include "engine/hostkey.h"
#include "engine/jump.h"
#include "engine/proxycmd.h"
#include "engine/resolve.h"
#include "engine/sess.h"
#include "jobs/exec.h"
#include "jobs/shell.h"
#include "jobs/xfer.h"

#define CLIENT_CONNECT_MS	10000
#define CLIENT_WRITE		(16 * 30000)	/* bytes per sftp_write */
#define CLIENT_READ		(128 * 1024)	/* bytes per sftp_read */

/* One SFTP operation. */
enum cop {
	COP_STAT, COP_LSTAT, COP_MKDIR, COP_UNLINK, COP_RMDIR, COP_RENAME,
	COP_UPLOAD, COP_DOWNLOAD
};

/* Where an upload or download is. */
enum cstep {
	CS_OPEN, CS_DATA, CS_SETSTAT, CS_FSYNC, CS_CLOSE, CS_ABORT, CS_DONE
};

struct drove_client {
	struct drove_err	 err;
	/* options */
	char			*known_hosts;
	enum drove_hostkey_policy policy;
	char		       **id_paths;
	size_t			 nid_paths;
	int			 default_ids;
	int			 use_agent;
	char			*password;
	drove_passphrase_cb	*pass_cb;
	void			*pass_arg;
	unsigned int		 connect_timeout_ms;
	unsigned int		 command_timeout_ms;
	struct jhop		*jump;		/* jump chain, or NULL */
	char			*proxy_command;	/* or NULL */
	/* the connection */
	struct jump		*jm;		/* its jump host connection */
	struct loop		*loop;
	struct resolver		*resolver;
	struct known_hosts	*kh;
	struct agent		*agent;
	struct ident	       **idents;
	size_t			 nidents;
	struct sess_cfg		 cfg;
	struct sess		*sess;
	struct drove_err	 sess_err;	/* why the session ended */
	LIBSSH2_SFTP		*sftp;
	int			 paused;	/* never set: cfg.paused */
	char			 local_user[64];
	char			 home[4096];
	char			 rbuf[SESS_RBUF];
	/* where the running command's output goes */
	drove_client_data_cb	*data_cb;
	void			*data_arg;
	struct buf		 cap[2];
	int			 cap_nomem;
	/* what the last SFTP operation left */
	LIBSSH2_SFTP_ATTRIBUTES	 attrs;
	struct client_shell	*shell;		/* while a shell runs */
};

/* A running shell: the job's control block and the loop's thread. */
struct client_shell {
	struct shell_ctl	 ctl;
	char			*term;
	int			 fds[2];	/* the job's end, the caller's */
	pthread_t		 thread;
	int			 rc;		/* the thread's outcome */
};

/* An SFTP operation as a job; the caller waits, so strings are lent. */
struct cjob {
	struct job		 job;
	drove_client		*c;
	enum cop		 op;
	const char		*path;
	const char		*path2;		/* rename's target */
	int			 mode;
	int			 fd;		/* upload and download */
	uint64_t		 since;		/* SFTP start, for its timeout */
	enum cstep		 st;
	LIBSSH2_SFTP_HANDLE	*h;
	char			*buf;
	size_t			 blen;		/* bytes in buf (upload) */
	size_t			 boff;		/* of them acknowledged */
};

/* Make a client with the defaults. */
drove_client *
drove_client_new(void)
{
	drove_client *c;

	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->policy = DROVE_HOSTKEY_STRICT;
	c->default_ids = 1;
	c->use_agent = 1;
	c->connect_timeout_ms = CLIENT_CONNECT_MS;
	buf_init(&c->cap[0]);
	buf_init(&c->cap[1]);
	return c;
}

/* Wipe and free a password. */
static void
client_free_password(drove_client *c)
{
	if (c->password != NULL) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
		c->password = NULL;
	}
}

/* Close and free everything. */
void
drove_client_free(drove_client *c)
{
	size_t i;

	if (c == NULL)
		return;
	drove_client_close(c);
	for (i = 0; i < c->nid_paths; i++)
		free(c->id_paths[i]);
	free(c->id_paths);
	free(c->known_hosts);
	jhop_free(c->jump);
	free(c->proxy_command);
	client_free_password(c);
	free(c);
}

/* The last error message. */
const char *
drove_client_error(const drove_client *c)
{
	return c->err.msg;
}

/* Replace a string option with a copy of s (NULL clears it). */
static int
client_set_str(drove_client *c, char **dst, const char *s)
{
	char *p = NULL;

	if (s != NULL && (p = strdup(s)) == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	free(*dst);
	*dst = p;
	return 0;
}

/* Use path as the known_hosts file. */
int
drove_client_set_known_hosts(drove_client *c, const char *path)
{
	return client_set_str(c, &c->known_hosts, path);
}

/* Set what unknown and changed host keys do. */
int
drove_client_set_hostkey_policy(drove_client *c, enum drove_hostkey_policy p)
{
	if (p != DROVE_HOSTKEY_STRICT && p != DROVE_HOSTKEY_ACCEPT_NEW &&
	    p != DROVE_HOSTKEY_OFF)
		return err_set(&c->err, DROVE_E_INVAL, "bad host key policy "
		    "for a client: strict, accept-new or off");
	c->policy = p;
	return 0;
}

/* Add an identity file. */
int
drove_client_add_identity(drove_client *c, const char *path)
{
	char **v;

	if (path == NULL)
		return err_set(&c->err, DROVE_E_INVAL, "no identity file");
	if ((v = realloc(c->id_paths, (c->nid_paths + 1) * sizeof *v)) ==
	    NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	c->id_paths = v;
	if ((v[c->nid_paths] = strdup(path)) == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	c->nid_paths++;
	return 0;
}

/* Whether ~/.ssh/id_* are tried. */
int
drove_client_use_default_identities(drove_client *c, int yes)
{
	c->default_ids = yes != 0;
	return 0;
}

/* Whether $SSH_AUTH_SOCK is used. */
int
drove_client_use_agent(drove_client *c, int yes)
{
	c->use_agent = yes != 0;
	return 0;
}

/* Set the password tried after the keys. */
int
drove_client_set_password(drove_client *c, const char *password)
{
	char *p = NULL;

	if (password != NULL && (p = strdup(password)) == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	client_free_password(c);
	c->password = p;
	return 0;
}

/* Set the passphrase prompt. */
void
drove_client_set_passphrase_cb(drove_client *c, drove_passphrase_cb *cb,
    void *arg)
{
	c->pass_cb = cb;
	c->pass_arg = arg;
}

/* Set the connect deadline. */
int
drove_client_set_connect_timeout(drove_client *c, unsigned int ms)
{
	c->connect_timeout_ms = ms;
	return 0;
}

/* Set the deadline of each call. */
int
drove_client_set_command_timeout(drove_client *c, unsigned int ms)
{
	c->command_timeout_ms = ms;
	c->cfg.command_timeout_ms = ms;	/* read as each job starts */
	return 0;
}

/* Session output: to the caller's callback, or kept. */
static void
client_output(void *owner, int stream, const char *data, size_t len)
{
	drove_client *c = owner;

	if (c->data_cb != NULL)
		c->data_cb(stream, data, len, c->data_arg);
	else if (buf_append(&c->cap[stream != 0], data, len) != 0)
		c->cap_nomem = 1;
}

/* Session warning (a host key added, or not checked): traced only. */
static void
client_warn(void *owner, const char *msg)
{
	(void)owner;
	LOG("client: %s", msg);
}

/* Authenticated: connect sees the session ready. */
static void
client_ready(void *owner)
{
	(void)owner;
}

/* The socket is shut down: drop the SFTP channel with the session. */
static void
client_teardown_cb(void *owner, struct sess *s)
{
	drove_client *c = owner;

	(void)s;
	if (c->sftp != NULL)
		libssh2_sftp_shutdown(c->sftp);
	c->sftp = NULL;
}

/* The session ended: keep why, free it. */
static void
client_done(void *owner, struct sess *s)
{
	drove_client *c = owner;

	c->sess_err = s->err;
	if (c->sess_err.code == 0)
		err_set(&c->sess_err, DROVE_E_PROTOCOL, "connection to %s "
		    "closed", s->name);
	c->sess = NULL;
	sess_free(s);
	if (c->jm != NULL)
		jump_unwant(c->jm, c->jump);	/* its jump host closes */
}

static const struct sess_ops client_ops = {
	.output = client_output,
	.warn = client_warn,
	.ready = client_ready,
	.done = client_done,
	.teardown = client_teardown_cb,
};

/* The local user and home directory: $USER and $HOME, else the password
 * file's (getpwuid_r, as clients may connect in several threads). */
static void
client_whoami(drove_client *c)
{
	const char *u = getenv("USER"), *h = getenv("HOME");
	struct passwd pw, *res = NULL;
	char buf[4096];

	if ((u == NULL || *u == '\0' || h == NULL || *h == '\0') &&
	    getpwuid_r(getuid(), &pw, buf, sizeof buf, &res) == 0 &&
	    res != NULL) {
		if (u == NULL || *u == '\0')
			u = pw.pw_name;
		if (h == NULL || *h == '\0')
			h = pw.pw_dir;
	}
	snprintf(c->local_user, sizeof c->local_user, "%s",
	    u != NULL && *u != '\0' ? u : "root");
	snprintf(c->home, sizeof c->home, "%s",
	    h != NULL && *h != '\0' ? h : "/");
}

/* Add a loaded identity (with its certificate, when beside it) to the
 * connection's list. */
static int
client_push_ident(drove_client *c, struct ident *id)
{
	struct drove_err e;
	struct ident **v;

	err_clear(&e);
	cert_beside(id, &e);	/* a broken one is skipped, as ssh does */

	if ((v = realloc(c->idents, (c->nidents + 1) * sizeof *v)) == NULL) {
		ident_free(id);
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	}
	v[c->nidents++] = id;
	c->idents = v;
	return 0;
}

/* Load the added identities (a failure fails the connect), then the
 * default ones that load. */
static int
client_load_idents(drove_client *c)
{
	static const char *names[] = { "id_ed25519", "id_ecdsa", "id_rsa" };
	struct drove_err e;
	struct ident *id;
	char path[4200];
	size_t i;

	for (i = 0; i < c->nid_paths; i++) {
		err_clear(&e);
		if (ident_load(c->id_paths[i], c->pass_cb, c->pass_arg, &id,
		    &e) != 0)
			return err_set(&c->err, e.code, "%s", e.msg);
		if (client_push_ident(c, id) != 0)
			return c->err.code;
	}
	for (i = 0; c->default_ids && i < sizeof names / sizeof names[0];
	    i++) {
		snprintf(path, sizeof path, "%s/.ssh/%s", c->home, names[i]);
		err_clear(&e);
		if (access(path, F_OK) == 0 && ident_load(path, c->pass_cb,
		    c->pass_arg, &id, &e) == 0 && client_push_ident(c, id) != 0)
			return c->err.code;
	}
	return 0;
}

/* Free what a connection used; the session is gone. */
static void
client_release(drove_client *c)
{
	size_t i;

	/* a jump host connection closes politely within a second */
	while (c->loop != NULL && !jump_idle(c->jm))
		if (loop_run_once(c->loop, -1) != 0)
			break;
	jump_free(c->jm);
	c->jm = NULL;
	resolve_free(c->resolver);
	c->resolver = NULL;
	if (c->loop != NULL)
		loop_run_once(c->loop, 0);	/* free cancelled lookups */
	agent_free(c->agent);
	c->agent = NULL;
	kh_free(c->kh);
	c->kh = NULL;
	for (i = 0; i < c->nidents; i++)
		ident_free(c->idents[i]);
	free(c->idents);
	c->idents = NULL;
	c->nidents = 0;
	loop_free(c->loop);
	c->loop = NULL;
}

/* Make the loop and what the session shares for one connection. */
static int
client_setup(drove_client *c)
{
	struct sess_cfg *cfg = &c->cfg;
	struct drove_err e;
	const char *sock;
	char path[4200];

	if ((c->loop = loop_new()) == NULL ||
	    (c->resolver = resolve_new(c->loop, 1)) == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "event loop: %s",
		    strerror(errno));
	client_whoami(c);
	snprintf(path, sizeof path, "%s/.ssh/known_hosts", c->home);
	err_clear(&e);
	if (kh_load(c->known_hosts != NULL ? c->known_hosts : path, &c->kh,
	    &e) != 0)
		return err_set(&c->err, e.code, "%s", e.msg);
	if (c->use_agent && (sock = getenv("SSH_AUTH_SOCK")) != NULL &&
	    *sock != '\0' && (c->agent = agent_new(c->loop, sock)) == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	if (client_load_idents(c) != 0)
		return c->err.code;
	memset(cfg, 0, sizeof *cfg);
	cfg->loop = c->loop;
	cfg->resolver = c->resolver;
	cfg->kh = c->kh;
	cfg->policy = c->policy;
	cfg->agent = c->agent;
	cfg->idents = c->idents;
	cfg->nidents = c->nidents;
	cfg->nexplicit = c->nid_paths;
	cfg->password = c->password;
	cfg->local_user = c->local_user;
	cfg->connect_timeout_ms = c->connect_timeout_ms;
	cfg->command_timeout_ms = c->command_timeout_ms;
	cfg->paused = &c->paused;
	cfg->rbuf = c->rbuf;
	return 0;
}

/*
 * One turn of the loop, returning once something ran: queued tasks run
 * without a wait after them, as one of them may end what the caller waits
 * for (loop_run_once() runs tasks before it waits).
 */
static int
client_turn(drove_client *c)
{
	if (loop_run_once(c->loop, loop_next_timeout(c->loop) == 0 ? 0 : -1) !=
	    0)
		return err_set(&c->err, DROVE_E_IO, "event loop: %s",
		    strerror(errno));
	return 0;
}

/*
 * Turn the loop until the session is ready, or gone (its error is then the
 * call's, and the connection is released).
 */
static int
client_wait(drove_client *c)
{
	while (c->sess != NULL && c->sess->state != SESS_READY)
		if (client_turn(c) != 0)
			return c->err.code;
	if (c->sess != NULL)
		return 0;
	client_release(c);
	return err_set(&c->err, c->sess_err.code, "%s", c->sess_err.msg);
}

static int	client_route(drove_client *, const char *host);

/* Connect and authenticate. */
int
drove_client_connect(drove_client *c, const char *host, int port,
    const char *user)
{
	struct drove_hostspec spec;
	int rc;

	err_clear(&c->err);
	if (c->shell != NULL)
		return err_set(&c->err, DROVE_E_INVAL, "a shell is running");
	if (c->sess != NULL)
		return err_set(&c->err, DROVE_E_INVAL, "connect to %s: "
		    "already connected to %s", host ? host : "(null)",
		    c->sess->name);
	if (host == NULL || *host == '\0' || port < 0 || port > 65535)
		return err_set(&c->err, DROVE_E_INVAL, "connect: bad host or "
		    "port");
	sess_global_init();
	if ((rc = client_setup(c)) != 0) {
		client_release(c);
		return rc;
	}
	memset(&spec, 0, sizeof spec);
	spec.name = host;
	spec.port = port;
	spec.user = user;
	if ((c->sess = sess_new(&c->cfg, &client_ops, c, &spec, NULL)) ==
	    NULL) {
		client_release(c);
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	}
	c->sess->persist = 1;
	if ((rc = client_route(c, host)) != 0) {
		sess_free(c->sess);
		c->sess = NULL;
		client_release(c);
		return rc;
	}
	sess_start(c->sess);
	return client_wait(c);
}

/* Route the new session through the proxy command or jump chain. */
static int
client_route(drove_client *c, const char *host)
{
	if (c->proxy_command != NULL)
		return proxycmd_attach(c->sess, c->proxy_command, host,
		    &c->err);
	if (c->jump == NULL)
		return 0;
	if ((c->jm = jump_new(&c->cfg, 1, 0, 0)) == NULL ||
	    jump_want(c->jm, c->jump) != 0)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	return jump_attach(c->jm, c->sess, c->jump, &c->err);
}

/* Reach hosts through jump (NULL: directly). */
int
drove_client_set_jump(drove_client *c, const struct drove_hostspec *jump)
{
	struct drove_hostspec spec;

	memset(&spec, 0, sizeof spec);
	spec.name = "jump";
	spec.jump = jump;
	jhop_free(c->jump);
	return jhop_copy(&spec, &c->jump, &c->err);
}

/* Reach hosts through a command (NULL: directly). */
int
drove_client_set_proxy_command(drove_client *c, const char *command)
{
	char *p = NULL;

	if (command != NULL && (p = strdup(command)) == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	free(c->proxy_command);
	c->proxy_command = p;
	return 0;
}

/* Disconnect. */
int
drove_client_close(drove_client *c)
{
	if (c->shell != NULL)
		drove_client_shell_close(c, NULL);
	if (c->sess != NULL) {
		sess_cancel(c->sess, "closed");
		while (c->sess != NULL)
			if (client_turn(c) != 0)
				return c->err.code;
	}
	client_release(c);
	return 0;
}

/* Run job on the connection until it ends; 0 or the session's error. */
static int
client_run(drove_client *c, struct job *job)
{
	if (job == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	if (c->shell != NULL || c->sess == NULL ||
	    sess_run_job(c->sess, job) != 0) {
		job->ops->free(job, 1);
		return err_set(&c->err, DROVE_E_INVAL, c->shell != NULL ?
		    "a shell is running" : "not connected");
	}
	return client_wait(c);
}

/* The exit status or signal of the job that just ended. */
static void
client_status(drove_client *c, struct drove_client_result *status)
{
	snprintf(status->signal, sizeof status->signal, "%s",
	    c->sess->signal);
	status->exit_status = status->signal[0] != '\0' ? -1 :
	    c->sess->exit_code;
}

/* Run command with its output going where data_cb says; status gets its
 * exit status or signal. */
static int
client_exec(drove_client *c, const char *command,
    struct drove_client_result *status)
{
	int rc;

	if (command == NULL || *command == '\0')
		return err_set(&c->err, DROVE_E_INVAL, "empty command");
	if ((rc = client_run(c, exec_job_new(command, NULL))) != 0)
		return rc;
	client_status(c, status);
	return 0;
}

/* Run a command, collecting its output. */
int
drove_client_exec(drove_client *c, const char *command,
    struct drove_client_result **out)
{
	struct drove_client_result *r;
	int rc;

	*out = NULL;
	err_clear(&c->err);
	if ((r = calloc(1, sizeof *r)) == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	c->data_cb = NULL;
	c->cap_nomem = 0;
	rc = client_exec(c, command, r);
	if (rc == 0 && c->cap_nomem)
		rc = err_set(&c->err, DROVE_E_NOMEM, "output of %s: out of "
		    "memory", command);
	if (rc == 0 && ((r->out = buf_steal(&c->cap[0], &r->out_len)) ==
	    NULL || (r->err = buf_steal(&c->cap[1], &r->err_len)) == NULL))
		rc = err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	buf_release(&c->cap[0]);
	buf_release(&c->cap[1]);
	if (rc != 0) {
		drove_client_result_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

/* Free a result. */
void
drove_client_result_free(struct drove_client_result *r)
{
	if (r == NULL)
		return;
	free(r->out);
	free(r->err);
	free(r);
}

/* Run a command, streaming its output to cb. */
int
drove_client_exec_stream(drove_client *c, const char *command,
    drove_client_data_cb *cb, void *arg, struct drove_client_result *status)
{
	struct drove_client_result r;
	int rc;

	err_clear(&c->err);
	if (cb == NULL)
		return err_set(&c->err, DROVE_E_INVAL, "no output callback");
	memset(&r, 0, sizeof r);
	c->data_cb = cb;
	c->data_arg = arg;
	rc = client_exec(c, command, &r);
	c->data_cb = NULL;
	if (status != NULL)
		*status = r;
	return rc;
}

/* The text of libssh2's last error. */
static const char *
client_lserr(struct sess *s)
{
	char *msg = NULL;

	libssh2_session_last_error(s->ls, &msg, NULL, 0);
	return msg != NULL ? msg : "";
}

/* Why an SFTP server refused: its status as a phrase and a DROVE_E_*. */
static const char *
client_fx(unsigned long fx, int *code)
{
	static const struct {
		unsigned long	 fx;
		const char	*why;
	} fxs[] = {
		{ LIBSSH2_FX_NO_SUCH_FILE, "no such file or directory" },
		{ LIBSSH2_FX_NO_SUCH_PATH, "no such file or directory" },
		{ LIBSSH2_FX_PERMISSION_DENIED, "permission denied" },
		{ LIBSSH2_FX_OP_UNSUPPORTED, "operation unsupported" },
		{ LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM, "no space left" },
		{ LIBSSH2_FX_QUOTA_EXCEEDED, "quota exceeded" },
		{ LIBSSH2_FX_FILE_ALREADY_EXISTS, "file exists" },
		{ LIBSSH2_FX_WRITE_PROTECT, "read-only file system" },
		{ LIBSSH2_FX_NOT_A_DIRECTORY, "not a directory" },
		{ LIBSSH2_FX_DIR_NOT_EMPTY, "directory not empty" },
	};
	size_t i;

	*code = fx == LIBSSH2_FX_NO_SUCH_FILE || fx == LIBSSH2_FX_NO_SUCH_PATH ?
	    DROVE_E_NOTFOUND : DROVE_E_IO;
	for (i = 0; i < sizeof fxs / sizeof fxs[0]; i++)
		if (fxs[i].fx == fx)
			return fxs[i].why;
	return "failure";
}

/*
 * A call of the job's failed with rc: a refusal (an SFTP status) ends the
 * operation with the reason in the client (a transfer closes its handle
 * first) and returns 0; anything else ends the session.
 */
static int
cjob_failed(struct cjob *x, struct sess *s, int rc, const char *verb,
    const char *path)
{
	const char *why;
	int code;

	if (rc != LIBSSH2_ERROR_SFTP_PROTOCOL)
		return err_set(&s->err, DROVE_E_PROTOCOL, "%s %s on %s: %s",
		    verb, path, s->name, s->spun ? "the sftp server went away" :
		    client_lserr(s));
	why = client_fx(libssh2_sftp_last_error(x->c->sftp), &code);
	err_set(&x->c->err, code, "%s %s on %s: %s", verb, path, s->name, why);
	x->st = x->h != NULL ? CS_ABORT : CS_DONE;
	return 0;
}

/* Start SFTP on the session, once per connection; an init that never
 * answers (libssh2 1.10 waits for ever) fails after the connect timeout. */
static int
cjob_sftp(struct cjob *x, struct sess *s)
{
	uint64_t now = loop_now(s->cfg->loop);
	unsigned int ms = s->cfg->connect_timeout_ms;

	if ((x->c->sftp = libssh2_sftp_init(s->ls)) != NULL)
		return 0;
	if (libssh2_session_last_errno(s->ls) != LIBSSH2_ERROR_EAGAIN)
		return err_set(&s->err, DROVE_E_CHANNEL, "start sftp on %s: %s",
		    s->name, client_lserr(s));
	if (x->since == 0)
		x->since = now;
	else if (ms > 0 && now - x->since >= ms)
		return err_set(&s->err, DROVE_E_TIMEOUT, "start sftp on %s: no "
		    "answer in %u.%03us", s->name, ms / 1000, ms % 1000);
	return DROVE_AGAIN;
}

/* Upload: write the local file to the open handle until all is acked. */
static int
cjob_write(struct cjob *x, struct sess *s)
{
	ssize_t n;

	for (;;) {
		if (x->boff == x->blen) {
			n = read(x->fd, x->buf, CLIENT_WRITE);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				err_set(&x->c->err, DROVE_E_IO, "read for %s: "
				    "%s", x->path, strerror(errno));
				x->st = CS_ABORT;
				return 0;
			}
			if (n == 0)
				break;
			x->blen = (size_t)n;
			x->boff = 0;
		}
		n = libssh2_sftp_write(x->h, x->buf + x->boff,
		    x->blen - x->boff);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (n < 0)
			return cjob_failed(x, s, (int)n, "write", x->path);
		x->boff += (size_t)n;
	}
	x->st = CS_SETSTAT;
	return 0;
}

/* Download: copy the open handle to the local file until EOF. */
static int
cjob_read(struct cjob *x, struct sess *s)
{
	ssize_t n, w;
	size_t off;

	for (;;) {
		n = libssh2_sftp_read(x->h, x->buf, CLIENT_READ);
		if (n == LIBSSH2_ERROR_EAGAIN)
			return DROVE_AGAIN;
		if (n == 0)
			break;
		if (n < 0)
			return cjob_failed(x, s, (int)n, "read", x->path);
		for (off = 0; off < (size_t)n; off += (size_t)w) {
			w = write(x->fd, x->buf + off, (size_t)n - off);
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w <= 0) {
				err_set(&x->c->err, DROVE_E_IO, "write for "
				    "%s: %s", x->path, strerror(errno));
				x->st = CS_ABORT;
				return 0;
			}
		}
	}
	x->st = CS_CLOSE;
	return 0;
}

/* Upload and download, open to close; CS_ABORT closes after a failure. */
static int
cjob_transfer(struct cjob *x, struct sess *s)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	unsigned long flags = x->op == COP_UPLOAD ? LIBSSH2_FXF_WRITE |
	    LIBSSH2_FXF_CREAT | LIBSSH2_FXF_EXCL : LIBSSH2_FXF_READ;
	int rc = 0;

	while (rc == 0) {
		switch (x->st) {
		case CS_OPEN:
			x->h = libssh2_sftp_open_ex(x->c->sftp, x->path,
			    (unsigned int)strlen(x->path), flags, 0600,
			    LIBSSH2_SFTP_OPENFILE);
			if (x->h == NULL) {
				rc = libssh2_session_last_errno(s->ls);
				if (rc == LIBSSH2_ERROR_EAGAIN)
					return DROVE_AGAIN;
				return cjob_failed(x, s, rc, "open", x->path);
			}
			x->st = CS_DATA;
			break;
		case CS_DATA:
			rc = x->op == COP_UPLOAD ? cjob_write(x, s) :
			    cjob_read(x, s);
			break;
		case CS_SETSTAT:
			memset(&a, 0, sizeof a);
			a.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
			a.permissions = (unsigned long)x->mode & 07777;
			rc = libssh2_sftp_fsetstat(x->h, &a);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			if (rc != 0)
				return cjob_failed(x, s, rc, "set mode of",
				    x->path);
			x->st = CS_FSYNC;
			break;
		case CS_FSYNC:
			rc = libssh2_sftp_fsync(x->h);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			if (rc != 0 && (rc != LIBSSH2_ERROR_SFTP_PROTOCOL ||
			    libssh2_sftp_last_error(x->c->sftp) !=
			    LIBSSH2_FX_OP_UNSUPPORTED))
				return cjob_failed(x, s, rc, "fsync", x->path);
			rc = 0;
			x->st = CS_CLOSE;
			break;
		case CS_CLOSE:
		case CS_ABORT:
			rc = libssh2_sftp_close_handle(x->h);
			if (rc == LIBSSH2_ERROR_EAGAIN)
				return DROVE_AGAIN;
			x->h = NULL;
			if (x->st == CS_ABORT || rc == 0) {
				x->st = CS_DONE;
				return 0;
			}
			return cjob_failed(x, s, rc, "close", x->path);
		case CS_DONE:
			return 0;
		}
	}
	return rc;
}

/* Advance an SFTP operation. */
static int
cjob_step(struct job *j, struct sess *s)
{
	struct cjob *x = (struct cjob *)j;
	LIBSSH2_SFTP *sftp = x->c->sftp;
	unsigned int len = (unsigned int)strlen(x->path);
	const char *verb;
	int rc;

	if (sftp == NULL) {
		if ((rc = cjob_sftp(x, s)) != 0)
			return rc;
		sftp = x->c->sftp;
	}
	switch (x->op) {
	case COP_STAT:
	case COP_LSTAT:
		verb = "stat";
		rc = libssh2_sftp_stat_ex(sftp, x->path, len, x->op ==
		    COP_STAT ? LIBSSH2_SFTP_STAT : LIBSSH2_SFTP_LSTAT,
		    &x->c->attrs);
		break;
	case COP_MKDIR:
		verb = "mkdir";
		rc = libssh2_sftp_mkdir_ex(sftp, x->path, len, x->mode);
		break;
	case COP_UNLINK:
		verb = "remove";
		rc = libssh2_sftp_unlink_ex(sftp, x->path, len);
		break;
	case COP_RMDIR:
		verb = "remove";
		rc = libssh2_sftp_rmdir_ex(sftp, x->path, len);
		break;
	case COP_RENAME:
		verb = "rename";
		rc = libssh2_sftp_rename_ex(sftp, x->path, len, x->path2,
		    (unsigned int)strlen(x->path2),
		    LIBSSH2_SFTP_RENAME_OVERWRITE |
		    LIBSSH2_SFTP_RENAME_ATOMIC | LIBSSH2_SFTP_RENAME_NATIVE);
		break;
	default:
		return cjob_transfer(x, s);
	}
	if (rc == LIBSSH2_ERROR_EAGAIN)
		return DROVE_AGAIN;
	return rc == 0 ? 0 : cjob_failed(x, s, rc, verb, x->path);
}

/* Whether the SFTP channel holds data epoll cannot see. */
static int
cjob_hidden_input(struct job *j)
{
	struct cjob *x = (struct cjob *)j;

	return x->c->sftp != NULL &&
	    chan_hidden(libssh2_sftp_get_channel(x->c->sftp), 0);
}

/* Free the job; an open handle only when the session is alive. */
static void
cjob_free(struct job *j, int abort)
{
	struct cjob *x = (struct cjob *)j;

	if (x->h != NULL && !abort)
		libssh2_sftp_close_handle(x->h);
	free(x->buf);
	free(x);
}

static const struct job_ops cjob_ops = {
	.step = cjob_step,
	.hidden_input = cjob_hidden_input,
	.free = cjob_free,	/* no idle: the client sends no keepalive */
};

/* Run one SFTP operation: 0, a refusal (connection kept) or the
 * connection's error. */
static int
client_sftp(drove_client *c, enum cop op, const char *path,
    const char *path2, int mode, int fd)
{
	struct cjob *x;
	int rc;

	err_clear(&c->err);
	if (path == NULL || *path == '\0' || (op == COP_RENAME &&
	    (path2 == NULL || *path2 == '\0')))
		return err_set(&c->err, DROVE_E_INVAL, "empty path");
	if ((x = calloc(1, sizeof *x)) == NULL ||
	    ((op == COP_UPLOAD || op == COP_DOWNLOAD) &&
	    (x->buf = malloc(CLIENT_WRITE > CLIENT_READ ? CLIENT_WRITE :
	    CLIENT_READ)) == NULL)) {
		free(x);
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	}
	x->job.ops = &cjob_ops;
	x->c = c;
	x->op = op;
	x->path = path;
	x->path2 = path2;
	x->mode = mode;
	x->fd = fd;
	if ((rc = client_run(c, &x->job)) != 0)
		return rc;
	return c->err.code;
}

/* Attributes of path. */
int
drove_client_stat(drove_client *c, const char *path,
    struct drove_client_stat *st)
{
	const LIBSSH2_SFTP_ATTRIBUTES *a = &c->attrs;
	int rc;

	memset(st, 0, sizeof *st);
	if ((rc = client_sftp(c, COP_STAT, path, NULL, 0, -1)) != 0)
		return rc;
	st->size = a->flags & LIBSSH2_SFTP_ATTR_SIZE ? a->filesize : 0;
	st->mode = a->flags & LIBSSH2_SFTP_ATTR_PERMISSIONS ?
	    (uint32_t)a->permissions : 0;
	if (a->flags & LIBSSH2_SFTP_ATTR_UIDGID) {
		st->uid = (uint32_t)a->uid;
		st->gid = (uint32_t)a->gid;
	}
	if (a->flags & LIBSSH2_SFTP_ATTR_ACMODTIME) {
		st->atime = (int64_t)a->atime;
		st->mtime = (int64_t)a->mtime;
	}
	return 0;
}

/* Make a directory. */
int
drove_client_mkdir(drove_client *c, const char *path, int mode)
{
	return client_sftp(c, COP_MKDIR, path, NULL, mode & 07777, -1);
}

/* Remove a file, link or empty directory. */
int
drove_client_remove(drove_client *c, const char *path)
{
	int rc;

	if ((rc = client_sftp(c, COP_LSTAT, path, NULL, 0, -1)) != 0)
		return rc;
	return client_sftp(c, LIBSSH2_SFTP_S_ISDIR(c->attrs.permissions) ?
	    COP_RMDIR : COP_UNLINK, path, NULL, 0, -1);
}

/* Rename a remote path. */
int
drove_client_rename(drove_client *c, const char *from, const char *to)
{
	return client_sftp(c, COP_RENAME, from, to, 0, -1);
}

/* A temporary name beside path: DIR/.NAME.drove-XXXXXXXX.tmp (remote) or
 * DIR/.NAME.drove-XXXXXX (for mkstemp); malloc'd, NULL out of memory. */
static char *
client_tmpname(const char *path, int local)
{
	const char *slash = strrchr(path, '/');
	unsigned int r = 0;
	struct buf b;
	int dl = slash != NULL ? (int)(slash - path + 1) : 0;

	buf_init(&b);
	if (local)
		buf_printf(&b, "%.*s.%s.drove-XXXXXX", dl, path, path + dl);
	else if (getrandom(&r, sizeof r, 0) == sizeof r)
		buf_printf(&b, "%.*s.%s.drove-%08x.tmp", dl, path, path + dl,
		    r);
	return b.data;
}

/* Replace remote with tmp by "mv -f" on an exec channel. */
static int
client_replace(drove_client *c, const char *tmp, const char *remote)
{
	char *qt = xfer_shell_quote(tmp), *qr = xfer_shell_quote(remote);
	struct drove_client_result *r = NULL;
	struct buf cmd;
	int rc;

	buf_init(&cmd);
	if (qt == NULL || qr == NULL || buf_printf(&cmd, "mv -f -- %s %s",
	    qt, qr) != 0) {
		rc = err_set(&c->err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = drove_client_exec(c, cmd.data, &r)) != 0)
		goto out;
	if (r->exit_status != 0)
		rc = err_set(&c->err, DROVE_E_IO, "replace %s: mv exited %d%s"
		    "%.*s", remote, r->exit_status, r->err_len > 0 ? ": " : "",
		    (int)strcspn(r->err, "\n"), r->err);
 out:
	drove_client_result_free(r);
	buf_release(&cmd);
	free(qt);
	free(qr);
	return rc;
}

/* Send a local file atomically. */
int
drove_client_put(drove_client *c, const char *local, const char *remote,
    int mode)
{
	struct drove_err keep;
	struct stat st;
	char *tmp = NULL;
	int fd = -1, rc;

	err_clear(&c->err);
	if (local == NULL || remote == NULL || *remote == '\0')
		return err_set(&c->err, DROVE_E_INVAL, "put: empty path");
	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) != 0) {
		rc = err_set(&c->err, DROVE_E_IO, "open %s: %s", local,
		    strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set(&c->err, DROVE_E_INVAL, "put %s: not a regular "
		    "file", local);
		goto out;
	}
	if ((tmp = client_tmpname(remote, 0)) == NULL) {
		rc = err_set(&c->err, DROVE_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = client_sftp(c, COP_UPLOAD, tmp, NULL, mode >= 0 ? mode :
	    (int)(st.st_mode & 07777), fd)) != 0)
		goto fail;
	rc = client_sftp(c, COP_LSTAT, remote, NULL, 0, -1);
	if (rc == 0 && LIBSSH2_SFTP_S_ISDIR(c->attrs.permissions))
		rc = err_set(&c->err, DROVE_E_INVAL, "put %s: is a directory",
		    remote);
	else if (rc == 0)
		rc = client_replace(c, tmp, remote);
	else if (rc == DROVE_E_NOTFOUND &&
	    (rc = client_sftp(c, COP_RENAME, tmp, remote, 0, -1)) ==
	    DROVE_E_IO)
		rc = client_replace(c, tmp, remote);	/* it appeared */
 fail:
	if (rc != 0 && c->sess != NULL) {
		keep = c->err;
		client_sftp(c, COP_UNLINK, tmp, NULL, 0, -1);
		c->err = keep;
	}
 out:
	if (fd != -1)
		close(fd);
	free(tmp);
	return rc;
}

/* Fetch a remote file atomically. */
int
drove_client_get(drove_client *c, const char *remote, const char *local)
{
	char *tmp;
	int fd, rc;

	err_clear(&c->err);
	if (local == NULL || *local == '\0')
		return err_set(&c->err, DROVE_E_INVAL, "get: empty path");
	if ((rc = client_sftp(c, COP_STAT, remote, NULL, 0, -1)) != 0)
		return rc;
	if (!LIBSSH2_SFTP_S_ISREG(c->attrs.permissions))
		return err_set(&c->err, DROVE_E_INVAL, "get %s: not a regular "
		    "file", remote);
	if ((tmp = client_tmpname(local, 1)) == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	if ((fd = mkstemp(tmp)) == -1) {
		rc = err_set(&c->err, DROVE_E_IO, "create %s: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if ((rc = client_sftp(c, COP_DOWNLOAD, remote, NULL, 0, fd)) == 0 &&
	    fchmod(fd, (mode_t)(c->attrs.permissions & 07777)) != 0)
		rc = err_set(&c->err, DROVE_E_IO, "chmod %s: %s", tmp,
		    strerror(errno));
	if (close(fd) != 0 && rc == 0)
		rc = err_set(&c->err, DROVE_E_IO, "write %s: %s", tmp,
		    strerror(errno));
	if (rc == 0 && rename(tmp, local) != 0)
		rc = err_set(&c->err, DROVE_E_IO, "rename %s to %s: %s", tmp,
		    local, strerror(errno));
	if (rc != 0)
		unlink(tmp);
 out:
	free(tmp);
	return rc;
}

/* The shell's thread: turn the loop until the shell ends, then let the
 * caller's end of the socket read EOF. */
static void *
client_shell_thread(void *arg)
{
	drove_client *c = arg;
	struct client_shell *sh = c->shell;

	sh->rc = 0;
	while (c->sess != NULL && c->sess->state != SESS_READY && sh->rc == 0)
		sh->rc = client_turn(c);
	shutdown(sh->fds[0], SHUT_WR);
	return NULL;
}

/* Free a shell's control block, socket ends and pipe. */
static void
client_shell_free(struct client_shell *sh)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (sh->fds[i] != -1)
			close(sh->fds[i]);
		if (sh->ctl.pipe[i] != -1)
			close(sh->ctl.pipe[i]);
	}
	free(sh->term);
	free(sh);
}

/* Start a shell on a pty for the caller's poll loop. */
int
drove_client_invoke_shell(drove_client *c, const char *term,
    unsigned int cols, unsigned int rows, int *fd)
{
	struct client_shell *sh;
	struct job *job = NULL;
	int rc;

	*fd = -1;
	err_clear(&c->err);
	if (c->shell != NULL || c->sess == NULL)
		return err_set(&c->err, DROVE_E_INVAL, c->shell != NULL ?
		    "a shell is running" : "not connected");
	if ((sh = calloc(1, sizeof *sh)) == NULL)
		return err_set(&c->err, DROVE_E_NOMEM, "out of memory");
	sh->fds[0] = sh->fds[1] = sh->ctl.pipe[0] = sh->ctl.pipe[1] = -1;
	if ((sh->term = strdup(term != NULL ? term : "xterm")) == NULL ||
	    (job = shell_job_new(&sh->ctl, NULL)) == NULL) {
		rc = err_set(&c->err, DROVE_E_NOMEM, "out of memory");
		goto fail;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sh->fds) != 0 ||
	    pipe2(sh->ctl.pipe, O_NONBLOCK | O_CLOEXEC) != 0 ||
	    fcntl(sh->fds[0], F_SETFL, O_NONBLOCK) != 0) {
		rc = err_set(&c->err, DROVE_E_IO, "shell socket: %s",
		    strerror(errno));
		goto fail;
	}
	sh->ctl.o.in_fd = sh->ctl.o.out_fd = sh->ctl.o.err_fd = sh->fds[0];
	sh->ctl.o.pty = 1;
	sh->ctl.o.term = sh->term;
	sh->ctl.o.escape = -1;
	sh->ctl.cols = cols > 0 ? (int)cols : 80;
	sh->ctl.rows = rows > 0 ? (int)rows : 24;
	if (sess_run_job(c->sess, job) != 0) {
		rc = err_set(&c->err, DROVE_E_INVAL, "not connected");
		goto fail;
	}
	job = NULL;
	__atomic_store_n(&c->shell, sh, __ATOMIC_SEQ_CST);
	if (pthread_create(&sh->thread, NULL, client_shell_thread, c) != 0) {
		/* hang up at once: the caller's thread turns the loop */
		sh->ctl.disconnected = 1;
		__atomic_store_n(&c->shell, NULL, __ATOMIC_SEQ_CST);
		client_wait(c);
		client_shell_free(sh);
		return err_set(&c->err, DROVE_E_INTERNAL, "start shell "
		    "thread: %s", strerror(errno));
	}
	*fd = sh->fds[1];
	return 0;
 fail:
	if (job != NULL)
		job->ops->free(job, 1);
	client_shell_free(sh);
	return rc;
}

/* Note the new size and wake the job (signal-safe, any thread). */
void
drove_client_shell_resize(drove_client *c, unsigned int cols,
    unsigned int rows)
{
	struct client_shell *sh = __atomic_load_n(&c->shell, __ATOMIC_SEQ_CST);
	int saved = errno;
	ssize_t n;

	if (sh == NULL)
		return;
	sh->ctl.cols = (int)cols;
	sh->ctl.rows = (int)rows;
	n = write(sh->ctl.pipe[1], "", 1);	/* full: a wake-up waits */
	(void)n;
	errno = saved;
}

/* Hang up unless the shell ended, join its thread, report how it ended. */
int
drove_client_shell_close(drove_client *c, struct drove_client_result *status)
{
	struct client_shell *sh = c->shell;
	ssize_t n;
	int rc;

	if (status != NULL)
		memset(status, 0, sizeof *status);
	if (sh == NULL)
		return err_set(&c->err, DROVE_E_INVAL, "no shell");
	__atomic_store_n(&sh->ctl.disconnected, 1, __ATOMIC_SEQ_CST);
	n = write(sh->ctl.pipe[1], "", 1);
	(void)n;
	pthread_join(sh->thread, NULL);
	__atomic_store_n(&c->shell, NULL, __ATOMIC_SEQ_CST);
	rc = sh->rc;
	client_shell_free(sh);
	if (rc != 0)
		return rc;
	if ((rc = client_wait(c)) != 0)
		return rc;
	if (status != NULL)
		client_status(c, status);
	return 0;
}
