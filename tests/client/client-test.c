/*
 * client-test.c: drives libdrove's blocking client for t-client.sh and
 * prints what each call returned, one line per call, for the test to
 * compare.
 *
 * Usage: client-test KNOWN_HOSTS KEY|- USER HOST PORT MODE [ARGS]
 *   connect [POLICY]    connect (POLICY strict, accept-new or off; a 3 s
 *                       timeout) and run "echo connected": "connect RC
 *                       MESSAGE", then the command's outcome
 *   ops DIR             SFTP calls and commands under the remote DIR
 *   threads N ITER      N threads, a client each, ITER commands and a put
 *                       and get each: "thread I ok" or what went wrong
 *   shell               a shell on a pty, resized, ended by itself, then
 *                       one hung up
 *   jump JHOST JPORT    connect through the jump host JHOST:JPORT (as
 *                       USER) and run "echo $SSH_CONNECTION", twice
 *   proxy COMMAND       the same through a proxy command
 * Exits 0 when the program ran (results are in its output), 1 when a
 * thread failed, 2 on bad usage.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drove.h>

static char **conn;	/* KNOWN_HOSTS KEY USER HOST PORT */

/* A client set up from the command line, not yet connected: KEY "-"
 * means the default identities, else KEY alone. */
static drove_client *
new_client(void)
{
	drove_client *c = drove_client_new();
	int dflt = strcmp(conn[1], "-") == 0;

	if (c == NULL || drove_client_set_known_hosts(c, conn[0]) != 0 ||
	    (!dflt && drove_client_add_identity(c, conn[1]) != 0) ||
	    drove_client_use_agent(c, 0) != 0 ||
	    drove_client_use_default_identities(c, dflt) != 0) {
		fprintf(stderr, "client-test: setup failed\n");
		exit(2);
	}
	return c;
}

/* Connect c as the command line says. */
static int
connect_client(drove_client *c)
{
	return drove_client_connect(c, conn[3], atoi(conn[4]), conn[2]);
}

/* Print one call's outcome. */
static void
show(drove_client *c, const char *what, int rc)
{
	printf("%s %d%s%s\n", what, rc, rc != 0 ? " " : "",
	    rc != 0 ? drove_client_error(c) : "");
}

/* Run command and print its outcome and output. */
static void
show_exec(drove_client *c, const char *what, const char *command)
{
	struct drove_client_result *r = NULL;
	int rc = drove_client_exec(c, command, &r);

	show(c, what, rc);
	if (rc == 0)
		printf("%s exit=%d signal=%s out=[%s] err=[%s]\n", what,
		    r->exit_status, r->signal, r->out, r->err);
	drove_client_result_free(r);
}

/* The connect mode: a typed error, or a command run. */
static int
mode_connect(const char *policy)
{
	drove_client *c = new_client();
	enum drove_hostkey_policy p = DROVE_HOSTKEY_STRICT;

	if (policy != NULL && strcmp(policy, "accept-new") == 0)
		p = DROVE_HOSTKEY_ACCEPT_NEW;
	else if (policy != NULL && strcmp(policy, "off") == 0)
		p = DROVE_HOSTKEY_OFF;
	drove_client_set_hostkey_policy(c, p);
	drove_client_set_connect_timeout(c, 3000);
	show(c, "connect", connect_client(c));
	show_exec(c, "exec", "echo connected");
	drove_client_free(c);
	return 0;
}

/* Connect through a jump host or a proxy command, twice. */
static int
mode_via(const char *jhost, const char *jport, const char *command)
{
	struct drove_hostspec j;
	drove_client *c = new_client();
	int i;

	memset(&j, 0, sizeof j);
	j.name = jhost;
	j.port = jport != NULL ? atoi(jport) : 0;
	j.user = conn[2];
	if ((command != NULL ? drove_client_set_proxy_command(c, command) :
	    drove_client_set_jump(c, &j)) != 0) {
		fprintf(stderr, "client-test: %s\n", drove_client_error(c));
		return 2;
	}
	/* two handshakes in a row (and an ssh started) per connect: room for
	 * a loaded machine */
	drove_client_set_connect_timeout(c, 10000);
	for (i = 0; i < 2; i++) {
		show(c, "connect", connect_client(c));
		show_exec(c, "exec", "echo $SSH_CONNECTION");
		drove_client_close(c);
	}
	drove_client_free(c);
	return 0;
}

/* Write len bytes of a pattern to path. */
static void
make_file(const char *path, size_t len)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	for (i = 0; i < len; i++)
		putc((int)('a' + i * 7 % 26), f);
	fclose(f);
}

/* Whether two local files hold the same bytes. */
static int
same_file(const char *a, const char *b)
{
	FILE *fa = fopen(a, "r"), *fb = fopen(b, "r");
	int ca, cb, same = fa != NULL && fb != NULL;

	while (same) {
		ca = getc(fa);
		cb = getc(fb);
		if (ca != cb)
			same = 0;
		else if (ca == EOF)
			break;
	}
	if (fa != NULL)
		fclose(fa);
	if (fb != NULL)
		fclose(fb);
	return same;
}

/* Collect streamed output, stdout and stderr apart. */
static void
on_data(int stream, const char *data, size_t len, void *arg)
{
	char *acc = (char *)arg + (stream != 0) * 128;
	size_t n = strlen(acc);

	snprintf(acc + n, 128 - n, "%.*s", (int)len, data);
}

/* The ops mode: every SFTP call, streaming, and a command timeout. */
static int
mode_ops(const char *dir)
{
	drove_client *c = new_client();
	struct drove_client_result st;
	struct drove_client_stat sb;
	char p1[512], p2[512], local[512], copy[512], acc[256] = "";
	int rc;

	snprintf(local, sizeof local, "%s.local", dir);
	snprintf(copy, sizeof copy, "%s.copy", dir);
	make_file(local, 1000000);
	show(c, "exec-unconnected", drove_client_exec(c, "true",
	    &(struct drove_client_result *){ NULL }));
	show(c, "connect", connect_client(c));
	show(c, "mkdir", drove_client_mkdir(c, dir, 0750));
	show(c, "mkdir-again", drove_client_mkdir(c, dir, 0750));
	rc = drove_client_stat(c, dir, &sb);
	show(c, "stat-dir", rc);
	printf("stat-dir mode=%o\n", (unsigned int)sb.mode);
	snprintf(p1, sizeof p1, "%s/missing", dir);
	show(c, "stat-missing", drove_client_stat(c, p1, &sb));
	show(c, "get-missing", drove_client_get(c, p1, copy));
	snprintf(p1, sizeof p1, "%s/f", dir);
	show(c, "put", drove_client_put(c, local, p1, 0600));
	rc = drove_client_stat(c, p1, &sb);
	show(c, "stat-file", rc);
	printf("stat-file size=%llu mode=%o\n", (unsigned long long)sb.size,
	    (unsigned int)sb.mode);
	make_file(local, 12345);
	show(c, "put-replace", drove_client_put(c, local, p1, -1));
	show(c, "get", drove_client_get(c, p1, copy));
	printf("get same=%d\n", same_file(local, copy));
	show(c, "put-onto-dir", drove_client_put(c, local, dir, -1));
	snprintf(p2, sizeof p2, "%s/none/f", dir);
	show(c, "put-no-dir", drove_client_put(c, local, p2, -1));
	snprintf(p2, sizeof p2, "ls -a %s", dir);
	show_exec(c, "ls", p2);
	snprintf(p2, sizeof p2, "%s/g", dir);
	show(c, "rename", drove_client_rename(c, p1, p2));
	show(c, "rename-missing", drove_client_rename(c, p1, p2));
	show(c, "remove-dir-full", drove_client_remove(c, dir));
	show(c, "remove-file", drove_client_remove(c, p2));
	show(c, "remove-dir", drove_client_remove(c, dir));
	show(c, "stat-removed", drove_client_stat(c, dir, &sb));
	rc = drove_client_exec_stream(c, "printf out; printf err >&2; printf "
	    "more; kill -TERM $$", on_data, acc, &st);
	show(c, "stream", rc);
	printf("stream out=[%s] err=[%s] exit=%d signal=%s\n", acc, acc + 128,
	    st.exit_status, st.signal);
	drove_client_set_command_timeout(c, 500);
	show_exec(c, "timeout", "sleep 5");
	show_exec(c, "after-timeout", "true");
	show(c, "reconnect", connect_client(c));
	/* No limit again: the user's shell may take more than 0.5 s to start
	 * (root's ~/.bashrc, which bash reads under sshd). */
	drove_client_set_command_timeout(c, 0);
	show_exec(c, "exec", "echo again");
	show(c, "close", drove_client_close(c));
	show(c, "close-again", drove_client_close(c));
	drove_client_free(c);
	return 0;
}

/*
 * Read the shell's fd until its output holds want (NULL: until EOF), for
 * at most 20 s without a byte; 1 when it came, 0 when not.
 */
static int
read_until(int fd, const char *want, char *acc, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	size_t len = strlen(acc);
	ssize_t n;

	while (want == NULL || strstr(acc, want) == NULL) {
		if (poll(&p, 1, 20000) != 1)
			return 0;
		if ((n = read(fd, acc + len, cap - 1 - len)) <= 0)
			return want == NULL && n == 0;
		len += (size_t)n;
		acc[len] = '\0';
	}
	return 1;
}

/* Type line into the shell. */
static void
type(int fd, const char *line)
{
	if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
		perror("write to shell");
}

/* The shell mode: size, resize, exit status; a hang-up. */
static int
mode_shell(void)
{
	drove_client *c = new_client();
	struct drove_client_result st;
	static char acc[65536];
	int fd;

	show(c, "connect", connect_client(c));
	show(c, "invoke", drove_client_invoke_shell(c, "xterm", 80, 24, &fd));
	show_exec(c, "busy", "true");
	type(fd, "stty size; echo mark-$((6*7))\n");
	printf("mark-42 %d\n", read_until(fd, "mark-42", acc, sizeof acc));
	printf("size 24 80 %d\n", strstr(acc, "24 80") != NULL);
	drove_client_shell_resize(c, 100, 50);
	type(fd, "stty size; echo mark-$((6*8))\n");
	printf("mark-48 %d\n", read_until(fd, "mark-48", acc, sizeof acc));
	printf("size 50 100 %d\n", strstr(acc, "50 100") != NULL);
	type(fd, "exit 3\n");
	printf("eof %d\n", read_until(fd, NULL, acc, sizeof acc));
	show(c, "shell-close", drove_client_shell_close(c, &st));
	printf("shell exit=%d signal=%s\n", st.exit_status, st.signal);
	show_exec(c, "exec", "echo after");
	show(c, "invoke-again", drove_client_invoke_shell(c, NULL, 0, 0,
	    &fd));
	type(fd, "echo rea''dy\n");
	acc[0] = '\0';
	printf("ready %d\n", read_until(fd, "ready\r\n", acc, sizeof acc));
	show(c, "hang-up", drove_client_shell_close(c, &st));
	show_exec(c, "after-hang-up", "true");
	show(c, "close-no-shell", drove_client_shell_close(c, NULL));
	drove_client_free(c);
	return 0;
}

struct worker {
	pthread_t	 t;
	int		 id;
	int		 iter;
	char		 why[600];
};

/* One thread's work: its own client, commands, a put and a get. */
static void *
work(void *arg)
{
	struct worker *w = arg;
	struct drove_client_result *r = NULL;
	drove_client *c = new_client();
	char cmd[64], want[64], local[64], remote[80], copy[80];
	int i;

	snprintf(local, sizeof local, "/tmp/client-test.%d.%d", (int)getpid(),
	    w->id);
	snprintf(remote, sizeof remote, "%s.remote", local);
	snprintf(copy, sizeof copy, "%s.copy", local);
	make_file(local, 100000 + (size_t)w->id);
	if (connect_client(c) != 0)
		goto fail;
	for (i = 0; i < w->iter; i++) {
		snprintf(cmd, sizeof cmd, "echo %d-%d", w->id, i);
		snprintf(want, sizeof want, "%d-%d\n", w->id, i);
		if (drove_client_exec(c, cmd, &r) != 0)
			goto fail;
		if (strcmp(r->out, want) != 0 || r->exit_status != 0) {
			snprintf(w->why, sizeof w->why, "%s gave [%s]", cmd,
			    r->out);
			goto out;
		}
		drove_client_result_free(r);
		r = NULL;
	}
	if (drove_client_put(c, local, remote, -1) != 0 ||
	    drove_client_get(c, remote, copy) != 0 ||
	    drove_client_remove(c, remote) != 0)
		goto fail;
	if (!same_file(local, copy))
		snprintf(w->why, sizeof w->why, "copy differs");
	goto out;
 fail:
	snprintf(w->why, sizeof w->why, "%s", drove_client_error(c));
 out:
	unlink(local);
	unlink(copy);
	drove_client_result_free(r);
	drove_client_free(c);
	return NULL;
}

/* The threads mode. */
static int
mode_threads(int n, int iter)
{
	struct worker *w = calloc((size_t)n, sizeof *w);
	int i, bad = 0;

	if (w == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		w[i].id = i;
		w[i].iter = iter;
		if (pthread_create(&w[i].t, NULL, work, &w[i]) != 0)
			return 2;
	}
	for (i = 0; i < n; i++) {
		pthread_join(w[i].t, NULL);
		if (w[i].why[0] != '\0') {
			printf("thread %d failed: %s\n", i, w[i].why);
			bad = 1;
		} else
			printf("thread %d ok\n", i);
	}
	free(w);
	return bad;
}

int
main(int argc, char **argv)
{
	int rc = 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 7) {
		fprintf(stderr, "usage: client-test KNOWN_HOSTS KEY USER HOST "
		    "PORT MODE [ARGS]\n");
		return 2;
	}
	conn = argv + 1;
	if (strcmp(argv[6], "connect") == 0)
		rc = mode_connect(argc > 7 ? argv[7] : NULL);
	else if (strcmp(argv[6], "ops") == 0 && argc == 8)
		rc = mode_ops(argv[7]);
	else if (strcmp(argv[6], "threads") == 0 && argc == 9)
		rc = mode_threads(atoi(argv[7]), atoi(argv[8]));
	else if (strcmp(argv[6], "shell") == 0)
		rc = mode_shell();
	else if (strcmp(argv[6], "jump") == 0 && argc == 9)
		rc = mode_via(argv[7], argv[8], NULL);
	else if (strcmp(argv[6], "proxy") == 0 && argc == 8)
		rc = mode_via(NULL, NULL, argv[7]);
	return rc;
}
