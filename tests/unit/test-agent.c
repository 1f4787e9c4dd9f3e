/*
 * test-agent.c: the non-blocking agent client against a real ssh-agent
 * started for the test (and stopped by its PID): the identity list, many
 * signatures in flight at once (one released while pending), a refused
 * signature, a dead agent and a missing socket; and against a scripted
 * agent that checks the bytes sent and answers in pieces.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh2.h>

#include "base/buf.h"
#include "engine/agent.h"
#include "engine/ident.h"
#include "engine/sshbuf.h"
#include "keys.h"
#include "test.h"


#define NKEYS	3
#define NREQS	7
#define TURNS	500	/* loop turns before a test gives up */

/* An ssh-agent of our own with keys in it. */
struct fixture {
	char	 dir[64];
	char	 sock[128];
	char	 key[NKEYS][256];
	pid_t	 pid;
	struct loop *loop;
};

static const char *keyargs[NKEYS] = {
	"-t ed25519", "-t ecdsa -b 256", "-t ecdsa -b 521"
};

/* Start ssh-agent -D on a socket in a new directory and add keys to it. */
static int
fixture_start(struct fixture *f, int nkeys)
{
	char cmd[1024], name[16];
	struct stat st;
	int i, fd;

	memset(f, 0, sizeof *f);
	f->pid = -1;
	if (tk_mkdir(f->dir, sizeof f->dir) != 0)
		return -1;
	snprintf(f->sock, sizeof f->sock, "%s/agent.sock", f->dir);
	if ((f->pid = fork()) == -1)
		return -1;
	if (f->pid == 0) {
		/* A failed assert skips fixture_stop(): die with the runner. */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if ((fd = open("/dev/null", O_RDWR)) != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execlp("ssh-agent", "ssh-agent", "-D", "-a", f->sock,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < TURNS && stat(f->sock, &st) != 0; i++)
		usleep(10000);
	for (i = 0; i < nkeys; i++) {
		snprintf(name, sizeof name, "id%d", i);
		if (tk_keygen(f->dir, name, keyargs[i], "", f->key[i],
		    sizeof f->key[i]) != 0)
			return -1;
		snprintf(cmd, sizeof cmd, "SSH_AUTH_SOCK='%s' ssh-add -q '%s' "
		    "2>/dev/null", f->sock, f->key[i]);
		if (system(cmd) != 0)
			return -1;
	}
	return (f->loop = loop_new()) != NULL ? 0 : -1;
}

/* Stop the agent by its PID and remove the directory. */
static void
fixture_stop(struct fixture *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		waitpid(f->pid, NULL, 0);
		f->pid = -1;
	}
	loop_free(f->loop);
	f->loop = NULL;
	tk_rmdir(f->dir);
}

/* A wake task's callback: count the wake-ups. */
static void
woken(struct loop *l, void *arg)
{
	(void)l;
	(*(int *)arg)++;
}

/* Run the loop until *flag is set or the turns run out. */
static void
run_until(struct loop *l, const int *flag)
{
	int i;

	for (i = 0; i < TURNS && !*flag; i++)
		loop_run_once(l, 100);
}

/* List the agent's identities, waiting on the loop. */
static int
list(struct fixture *f, struct agent *a, struct drove_err *err)
{
	struct loop_task wake;
	int n = 0, r;

	loop_task_init(&wake, woken, &n);
	if ((r = agent_list(a, &wake, err)) != DROVE_AGAIN)
		return r;
	run_until(f->loop, &n);
	loop_task_cancel(f->loop, &wake);
	return agent_list(a, NULL, err);
}

/* The agent identity whose blob is the .pub blob of path, or NULL. */
static struct ident *
find_ident(struct agent *a, const char *path)
{
	struct ident *id, *found = NULL;
	struct buf pub;
	size_t i;

	buf_init(&pub);
	if (tk_pub_blob(path, &pub) != 0)
		return NULL;
	for (i = 0; i < agent_count(a); i++) {
		id = agent_ident(a, i);
		if (id->bloblen == pub.len &&
		    memcmp(id->blob, pub.data, pub.len) == 0)
			found = id;
	}
	buf_release(&pub);
	return found;
}

TEST(agent_lists_and_signs_concurrently)
{
	struct fixture f;
	struct agent *a = NULL;
	struct drove_err err;
	struct ident *id[NKEYS];
	struct sign_req req[NREQS];
	struct loop_task wake[NREQS];
	int nwoken[NREQS], all, i, k;
	unsigned char data[NREQS][40], *sig;
	size_t siglen;
	char label[64];

	T_EQ(fixture_start(&f, NKEYS), 0);
	T_TRUE((a = agent_new(f.loop, f.sock)) != NULL);
	T_EQ(agent_count(a), 0);
	T_EQ(list(&f, a, &err), 0);
	T_EQ(agent_count(a), NKEYS);
	for (k = 0; k < NKEYS; k++) {
		T_TRUE((id[k] = find_ident(a, f.key[k])) != NULL);
		snprintf(label, sizeof label, "c-id%d", k);
		T_STREQ(id[k]->label, label);
		T_TRUE(id[k]->agent == a && id[k]->pkey == NULL);
	}
	T_STREQ(id[0]->algo, "ssh-ed25519");
	T_STREQ(id[2]->algo, "ecdsa-sha2-nistp521");
	for (i = 0; i < NREQS; i++) {
		nwoken[i] = 0;
		loop_task_init(&wake[i], woken, &nwoken[i]);
		sign_req_init(&req[i], &wake[i]);
		memset(data[i], 'a' + i, sizeof data[i]);
		T_EQ(ident_sign(id[i % NKEYS], &req[i], data[i],
		    sizeof data[i], &sig, &siglen), LIBSSH2_ERROR_EAGAIN);
		T_EQ(req[i].state, SIGN_PENDING);
	}
	T_EQ(ident_sign(id[0], &req[0], data[0], sizeof data[0], &sig,
	    &siglen), LIBSSH2_ERROR_EAGAIN);
	sign_req_release(&req[2]);
	T_EQ(req[2].state, SIGN_IDLE);
	for (k = 0; k < TURNS; k++) {
		for (all = 1, i = 0; i < NREQS; i++)
			all &= i == 2 || nwoken[i] > 0;
		if (all)
			break;
		loop_run_once(f.loop, 100);
	}
	for (i = 0; i < NREQS; i++) {
		if (i == 2) {
			T_EQ(nwoken[i], 0);
			continue;
		}
		T_EQ(nwoken[i], 1);
		T_EQ(req[i].state, SIGN_DONE);
		T_EQ(ident_sign(id[i % NKEYS], &req[i], data[i],
		    sizeof data[i], &sig, &siglen), 0);
		T_EQ(req[i].state, SIGN_IDLE);
		T_TRUE(tk_verify(id[i % NKEYS]->blob, id[i % NKEYS]->bloblen,
		    data[i], sizeof data[i], sig, siglen));
		free(sig);
		sign_req_release(&req[i]);
	}
	agent_free(a);
	fixture_stop(&f);
}

TEST(agent_refused_and_dead)
{
	struct fixture f;
	struct agent *a = NULL;
	struct drove_err err;
	struct ident *stranger = NULL, fake, *id;
	struct sign_req req;
	struct loop_task wake;
	int n = 0;
	unsigned char *sig;
	size_t siglen;
	char path[256];

	unsetenv("DROVE_KEY_PASSPHRASE");
	T_EQ(fixture_start(&f, 1), 0);
	T_EQ(tk_keygen(f.dir, "stranger", "-t ed25519", "", path,
	    sizeof path), 0);
	T_EQ(ident_load(path, NULL, NULL, &stranger, &err), 0);
	T_TRUE((a = agent_new(f.loop, f.sock)) != NULL);
	T_EQ(list(&f, a, &err), 0);
	T_EQ(agent_count(a), 1);
	id = agent_ident(a, 0);

	/* A key the agent does not hold: SSH_AGENT_FAILURE. */
	fake = *stranger;
	fake.agent = a;
	loop_task_init(&wake, woken, &n);
	sign_req_init(&req, &wake);
	T_EQ(ident_sign(&fake, &req, (const unsigned char *)"x", 1, &sig,
	    &siglen), LIBSSH2_ERROR_EAGAIN);
	run_until(f.loop, &n);
	T_EQ(req.state, SIGN_DONE);
	T_EQ(req.err, DROVE_E_AUTH);
	T_TRUE(ident_sign(&fake, &req, (const unsigned char *)"x", 1, &sig,
	    &siglen) < 0);
	T_TRUE(sig == NULL);

	/* The agent dies with a request in flight. */
	n = 0;
	T_EQ(ident_sign(id, &req, (const unsigned char *)"y", 1, &sig,
	    &siglen), LIBSSH2_ERROR_EAGAIN);
	kill(f.pid, SIGTERM);
	waitpid(f.pid, NULL, 0);
	f.pid = -1;
	run_until(f.loop, &n);
	T_EQ(req.state, SIGN_DONE);
	T_EQ(req.err, DROVE_E_AUTH);
	T_TRUE(ident_sign(id, &req, (const unsigned char *)"y", 1, &sig,
	    &siglen) < 0);
	T_EQ(agent_list(a, NULL, &err), DROVE_E_AUTH);
	T_TRUE(strstr(err.msg, f.sock) != NULL);
	T_EQ(agent_count(a), 0);
	T_TRUE(ident_sign(&fake, &req, (const unsigned char *)"z", 1, &sig,
	    &siglen) < 0);
	sign_req_release(&req);
	loop_task_cancel(f.loop, &wake);
	agent_free(a);
	ident_free(stranger);
	fixture_stop(&f);
}

TEST(agent_free_fails_pending)
{
	struct fixture f;
	struct agent *a = NULL;
	struct drove_err err;
	struct sign_req req;
	struct loop_task wake;
	int n = 0;
	unsigned char *sig;
	size_t siglen;

	T_EQ(fixture_start(&f, 1), 0);
	T_TRUE((a = agent_new(f.loop, f.sock)) != NULL);
	T_EQ(list(&f, a, &err), 0);
	loop_task_init(&wake, woken, &n);
	sign_req_init(&req, &wake);
	T_EQ(ident_sign(agent_ident(a, 0), &req, (const unsigned char *)"q",
	    1, &sig, &siglen), LIBSSH2_ERROR_EAGAIN);
	agent_free(a);
	T_EQ(req.state, SIGN_DONE);
	T_EQ(req.err, DROVE_E_AUTH);
	T_TRUE(req.agent == NULL);
	loop_run_once(f.loop, 0);
	T_EQ(n, 1);
	sign_req_release(&req);
	fixture_stop(&f);
}

TEST(agent_missing_socket)
{
	struct loop *l = loop_new();
	struct agent *a;
	struct drove_err err;

	T_TRUE(l != NULL);
	T_TRUE((a = agent_new(l, "/nonexistent/drove-agent.sock")) != NULL);
	T_EQ(agent_list(a, NULL, &err), DROVE_E_AUTH);
	T_STREQ(err.msg, "connect to agent /nonexistent/drove-agent.sock: "
	    "No such file or directory");
	T_EQ(agent_count(a), 0);
	T_TRUE(agent_ident(a, 0) == NULL);
	agent_free(a);
	loop_free(l);
}

/* Read exactly n bytes from a non-blocking socket, running the loop. */
static int
read_full(struct loop *l, int fd, unsigned char *p, size_t n)
{
	ssize_t r;
	int i;

	for (i = 0; i < TURNS && n > 0; i++) {
		if ((r = read(fd, p, n)) > 0) {
			p += r;
			n -= (size_t)r;
		} else if (r == 0 || errno != EAGAIN)
			return -1;
		else
			loop_run_once(l, 20);
	}
	return n == 0 ? 0 : -1;
}

/* Read one agent message (without its length) into buf; its length. */
static ssize_t
read_msg(struct loop *l, int fd, unsigned char *buf, size_t size)
{
	unsigned char h[4];
	size_t n;

	if (read_full(l, fd, h, 4) != 0)
		return -1;
	n = (size_t)h[0] << 24 | (size_t)h[1] << 16 | (size_t)h[2] << 8 | h[3];
	if (n > size || read_full(l, fd, buf, n) != 0)
		return -1;
	return (ssize_t)n;
}

/* Append an agent message of type with body to b. */
static void
put_msg(struct buf *b, uint8_t type, const struct buf *body)
{
	sshbuf_put_u32(b, body->len + 1);
	sshbuf_put_u8(b, type);
	buf_append(b, body->data, body->len);
}

/* Accept the next connection on srv, running the loop while none waits. */
static int
accept_running(struct loop *l, int srv)
{
	int fd = -1, i;

	for (i = 0; i < TURNS && fd == -1; i++) {
		loop_run_once(l, 20);
		fd = accept(srv, NULL, NULL);
	}
	return fd;
}

/*
 * A scripted agent: connect after the listen backlog was full, get the
 * identity answer one byte per loop turn, check the sign requests' bytes,
 * answer two of them in one write, then send a reply nobody asked for.
 */
TEST(agent_scripted_partial_io)
{
	struct loop *l = loop_new();
	struct sockaddr_un sun;
	struct agent *a = NULL;
	struct drove_err err;
	struct buf key, body, out;
	struct loop_task wake[2];
	struct sign_req req[2];
	struct sshbuf m;
	struct ident *id;
	unsigned char msg[512], *sig;
	const unsigned char *s;
	size_t slen, siglen, i;
	int srv, conn, fill[64], nfill = 0, n[2] = { 0, 0 }, k;
	char dir[64];
	uint32_t flags;

	T_EQ(tk_mkdir(dir, sizeof dir), 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s/s", dir);
	T_TRUE((srv = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0)) != -1);
	T_EQ(bind(srv, (struct sockaddr *)&sun, sizeof sun), 0);
	T_EQ(listen(srv, 0), 0);
	for (nfill = 0; nfill < 64; nfill++) {
		fill[nfill] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (connect(fill[nfill], (struct sockaddr *)&sun,
		    sizeof sun) != 0) {
			close(fill[nfill]);
			break;
		}
	}
	T_TRUE(nfill < 64);

	/* The backlog is full: the client retries until it is drained. */
	T_TRUE((a = agent_new(l, sun.sun_path)) != NULL);
	loop_task_init(&wake[0], woken, &n[0]);
	T_EQ(agent_list(a, &wake[0], &err), DROVE_AGAIN);
	loop_run_once(l, 0);
	for (k = 0; k < nfill; k++) {
		close(fill[k]);
		T_TRUE((conn = accept_running(l, srv)) != -1);
		close(conn);
	}
	T_TRUE((conn = accept_running(l, srv)) != -1);
	T_EQ(fcntl(conn, F_SETFL, O_NONBLOCK), 0);
	T_EQ(read_msg(l, conn, msg, sizeof msg), 1);
	T_EQ(msg[0], 11);

	/* The identity answer, one byte per turn. */
	buf_init(&key);
	buf_init(&body);
	buf_init(&out);
	sshbuf_put_cstring(&key, "ssh-ed25519");
	memset(msg, 7, 32);
	sshbuf_put_string(&key, msg, 32);
	sshbuf_put_u32(&body, 1);
	sshbuf_put_string(&body, key.data, key.len);
	sshbuf_put_cstring(&body, "scripted key");
	put_msg(&out, 12, &body);
	for (i = 0; i < out.len; i++) {
		T_EQ(n[0], 0);
		T_EQ(write(conn, out.data + i, 1), 1);
		loop_run_once(l, 100);
	}
	run_until(l, &n[0]);
	T_EQ(agent_list(a, NULL, &err), 0);
	T_EQ(agent_count(a), 1);
	id = agent_ident(a, 0);
	T_STREQ(id->algo, "ssh-ed25519");
	T_STREQ(id->label, "scripted key");
	T_EQ(id->bloblen, key.len);

	/* Two sign requests, read back byte for byte. */
	for (k = 0; k < 2; k++) {
		loop_task_init(&wake[k], woken, &n[k]);
		n[k] = 0;
		sign_req_init(&req[k], &wake[k]);
		T_EQ(ident_sign(id, &req[k], (const unsigned char *)"data", 4,
		    &sig, &siglen), LIBSSH2_ERROR_EAGAIN);
	}
	for (k = 0; k < 2; k++) {
		T_TRUE(read_msg(l, conn, msg, sizeof msg) > 0);
		sshbuf_from(&m, msg + 1, sizeof msg - 1);
		T_EQ(msg[0], 13);
		T_EQ(sshbuf_get_string(&m, &s, &slen), 0);
		T_TRUE(slen == key.len && memcmp(s, key.data, slen) == 0);
		T_EQ(sshbuf_get_string(&m, &s, &slen), 0);
		T_TRUE(slen == 4 && memcmp(s, "data", 4) == 0);
		T_EQ(sshbuf_get_u32(&m, &flags), 0);
		T_EQ(flags, 0);
	}

	/* A signature for the first, a refusal for the second, at once. */
	body.len = key.len = out.len = 0;
	sshbuf_put_cstring(&key, "ssh-ed25519");
	memset(msg, 0x42, 64);
	sshbuf_put_string(&key, msg, 64);
	sshbuf_put_string(&body, key.data, key.len);
	put_msg(&out, 14, &body);
	body.len = 0;
	put_msg(&out, 5, &body);
	T_EQ(write(conn, out.data, out.len), (ssize_t)out.len);
	run_until(l, &n[1]);
	T_EQ(n[0], 1);
	T_EQ(ident_sign(id, &req[0], (const unsigned char *)"data", 4, &sig,
	    &siglen), 0);
	T_EQ(siglen, 64);
	T_TRUE(memcmp(sig, msg, 64) == 0);
	free(sig);
	T_EQ(req[1].err, DROVE_E_AUTH);
	T_TRUE(ident_sign(id, &req[1], (const unsigned char *)"data", 4, &sig,
	    &siglen) < 0);

	/* A reply nobody asked for ends the agent. */
	T_EQ(write(conn, out.data + out.len - 5, 5), 5);
	for (k = 0; k < TURNS && agent_count(a) > 0; k++)
		loop_run_once(l, 100);
	T_EQ(agent_list(a, NULL, &err), DROVE_E_AUTH);
	T_TRUE(strstr(err.msg, "unexpected reply") != NULL);

	buf_release(&key);
	buf_release(&body);
	buf_release(&out);
	sign_req_release(&req[0]);
	sign_req_release(&req[1]);
	agent_free(a);
	close(conn);
	close(srv);
	loop_free(l);
	tk_rmdir(dir);
}
