/*
 * common-fleet.c: a fleet built from the common options and the selected
 * hosts, the signals that cancel it while it runs, and the exit status a
 * run ends with.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#include "base/buf.h"
#include "cli/cmd-config.h"

static drove_fleet *signalled;

static volatile sig_atomic_t interrupts;

static int intr_pipe[2] = { -1, -1 };

/* Make the pipe a question on the terminal waits on beside it. */
void
common_interrupt_init(void)
{
	if (intr_pipe[0] == -1 && pipe2(intr_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		intr_pipe[0] = intr_pipe[1] = -1;
}

/* End a question on the terminal (signal handler safe). */
void
common_interrupt_raise(void)
{
	int e = errno;
	ssize_t w = 0;

	if (intr_pipe[1] != -1)
		w = write(intr_pipe[1], "", 1);	/* full: it was readable */
	(void)w;
	errno = e;
}

/* SIGINT/SIGTERM: cancel the run (or the next, between two runs of one
 * command) and end a question on the terminal; a second one leaves at
 * once. */
static void
on_signal(int sig)
{
	(void)sig;
	if (interrupts++ > 0)
		_exit(EXIT_INTERRUPT);
	common_interrupt_raise();
	if (signalled != NULL)
		drove_fleet_cancel(signalled);
}

/* Whether SIGINT or SIGTERM came since common_signals() first ran. */
int
common_interrupted(void)
{
	return interrupts > 0;
}

/* An fd that becomes readable when SIGINT or SIGTERM came; -1 before
 * common_signals(). */
int
common_interrupt_fd(void)
{
	return intr_pipe[0];
}

/* While f runs, Ctrl-C and SIGTERM cancel it; SIGPIPE is ignored (a closed
 * output is an error from the sink).  NULL when the run is over. */
void
common_signals(drove_fleet *f)
{
	struct sigaction sa;

	signalled = f;
	if (f == NULL)
		return;
	common_interrupt_init();
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* The policy to use: the option's, else ask on a terminal, else strict. */
static int
hostkey_policy(const struct common_opts *o)
{
	int fd;

	if (o->hostkey_policy != -1)
		return o->hostkey_policy;
	if (!isatty(STDIN_FILENO) || (fd = open("/dev/tty", O_RDWR)) == -1)
		return DROVE_HOSTKEY_STRICT;
	close(fd);
	return DROVE_HOSTKEY_ASK;
}

/* The command line wins over a host's own settings (from ssh_config). */
static void
host_overrides(const struct common_opts *o, struct drove_hostspec *spec)
{
	if (o->given & GIVEN_CONNECT_TIMEOUT)
		spec->connect_timeout_ms = 0;
	if (o->given & GIVEN_KEEPALIVE)
		spec->keepalive_s = 0;
	if (o->given & GIVEN_KNOWN_HOSTS)
		spec->known_hosts = NULL;
	if (o->given & GIVEN_HOSTKEY)
		spec->hostkey_check = NULL;
}

/* Make a fleet with the options and the selected hosts. */
drove_fleet *
common_fleet(struct common_opts *o, drove_inventory *inv, const size_t *sel,
    size_t nsel)
{
	struct drove_hostspec spec;
	struct route *rt = NULL;
	drove_fleet *f;
	size_t i;

	if ((f = drove_fleet_new()) == NULL || (rt = route_new(o)) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		drove_fleet_free(f);
		return NULL;
	}
	drove_fleet_set_forks(f, o->forks);
	drove_fleet_set_connect_timeout(f, o->connect_timeout_ms);
	drove_fleet_set_command_timeout(f, o->timeout_ms);
	drove_fleet_set_keepalive(f, o->keepalive_s);
	drove_fleet_set_retries(f, o->retries);
	drove_fleet_set_fail_fast(f, o->fail_fast);
	drove_fleet_set_connect_rate(f, o->connect_rate, o->max_startups);
	drove_fleet_set_jump_channels(f, o->jump_channels);
	drove_fleet_set_loops(f, o->loops);
	drove_fleet_set_hostkey_policy(f, hostkey_policy(o));
	snprintf(o->kh_shown, sizeof o->kh_shown, "%s", o->known_hosts ?
	    o->known_hosts : "~/.ssh/known_hosts");
	drove_fleet_set_hostkey_ask_cb(f, common_ask_hostkeys, o->kh_shown);
	drove_fleet_use_agent(f, !o->no_agent);
	drove_fleet_set_passphrase_cb(f, common_passphrase_prompt, NULL);
	if (o->known_hosts != NULL &&
	    drove_fleet_set_known_hosts(f, o->known_hosts) != 0)
		goto fail;
	for (i = 0; i < o->nkeys; i++)
		if (drove_fleet_add_identity(f, o->keys[i]) != 0)
			goto fail;
	for (i = 0; i < o->ncerts; i++)
		if (drove_fleet_add_certificate(f, o->certs[i]) != 0)
			goto fail;
	if (common_ask_pass(o) != 0) {
		drove_fleet_free(f);
		route_free(rt);
		return NULL;
	}
	if (o->password != NULL &&
	    drove_fleet_set_password(f, o->password) != 0)
		goto fail;
	if (common_become(o, f) != 0) {
		drove_fleet_free(f);
		return NULL;
	}
	for (i = 0; i < nsel; i++) {
		if (drove_inventory_hostspec(inv, sel[i], &spec) != 0) {
			fprintf(stderr, "drove: %s\n",
			    drove_inventory_error(inv));
			drove_fleet_free(f);
			route_free(rt);
			return NULL;
		}
		/* -l and -p: over ssh_config and defaults, not the inventory */
		if (o->user != NULL && drove_inventory_var(inv, sel[i],
		    "ansible_user") == NULL)
			spec.user = o->user;
		if (o->port != 0 && drove_inventory_var(inv, sel[i],
		    "ansible_port") == NULL)
			spec.port = o->port;
		host_overrides(o, &spec);
		if (route_host(rt, inv, sel[i], &spec) != 0) {
			drove_fleet_free(f);
			route_free(rt);
			return NULL;
		}
		if (drove_fleet_add_host(f, &spec) < 0)
			goto fail;
	}
	route_free(rt);
	return f;
 fail:
	fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
	drove_fleet_free(f);
	route_free(rt);
	return NULL;
}

/* Give the fleet the become options: -B, --become-user, --become-method
 * and the -K password (asked once per command); 0, or -1 (printed). */
int
common_become(struct common_opts *o, drove_fleet *f)
{
	struct drove_become b;

	if (common_ask_become_pass(o) != 0)
		return -1;
	memset(&b, 0, sizeof b);
	b.on = o->become;
	b.user = o->become_user;
	b.method = (enum drove_become_method)o->become_method;
	b.password = o->become_password;
	if (drove_fleet_set_become(f, &b) != 0) {
		fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
		return -1;
	}
	return 0;
}

/* 3 if a host was not reached, else 1 if a command failed, else 0. */
int
common_exit_status(drove_fleet *f, int run_rc)
{
	const struct drove_result *r;
	int failed = 0, unreached = 0;
	size_t i;

	if (run_rc == DROVE_E_CANCELLED)
		return EXIT_INTERRUPT;
	for (i = 0; i < drove_fleet_host_count(f); i++) {
		/* hosts cancelled by --fail-fast: the failure decides */
		if ((r = drove_fleet_result(f, i)) == NULL ||
		    r->status == DROVE_ST_OK ||
		    r->status == DROVE_ST_CANCELLED)
			continue;
		if (r->reached && (r->status == DROVE_ST_FAILED ||
		    r->status == DROVE_ST_SIGNAL ||
		    r->status == DROVE_ST_TIMEOUT))
			failed = 1;
		else
			unreached = 1;
	}
	return unreached ? EXIT_UNREACHED : failed ? EXIT_FAILED : EXIT_OK;
}

/* Whether stdout is a pipe or socket whose reader has gone. */
int
common_stdout_closed(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0 };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

/*
 * After the summary: how to trust the host keys known_hosts lacked, once
 * for every host that failed for one (drove's own keyscan, with the
 * options that chose the hosts and the file).
 */
static void
hostkey_advice(drove_fleet *f, const struct common_opts *o)
{
	const struct drove_result *r;
	const char **names;
	char *folded = NULL;
	struct buf b;
	size_t i, n = 0;

	if ((names = calloc(drove_fleet_host_count(f) + 1,
	    sizeof *names)) == NULL)
		return;
	for (i = 0; i < drove_fleet_host_count(f); i++)
		if ((r = drove_fleet_result(f, i)) != NULL &&
		    r->status == DROVE_ST_HOSTKEY &&
		    strstr(r->msg, " is unknown: ") != NULL)
			names[n++] = drove_fleet_host_name(f, i);
	if (n == 0 || (folded = drove_hosts_fold(names, n)) == NULL)
		goto out;
	buf_init(&b);
	buf_puts(&b, "drove keyscan --append");
	for (i = 0; i < o->ninventories; i++) {
		buf_puts(&b, " -i ");
		common_quote(&b, o->inventories[i]);
	}
	for (i = 0; i < o->nadhoc; i++) {
		buf_puts(&b, " -H ");
		common_quote(&b, o->adhoc[i]);
	}
	if (o->db != NULL) {
		buf_puts(&b, " --db ");
		common_quote(&b, o->db);
	}
	if (o->known_hosts != NULL) {
		buf_puts(&b, " --known-hosts ");
		common_quote(&b, o->known_hosts);
	}
	/* and what decides where the hosts are */
	if (o->ssh_config != NULL) {
		buf_puts(&b, " -F ");
		common_quote(&b, o->ssh_config);
	}
	if (o->port != 0)
		buf_printf(&b, " -p %d", o->port);
	if (o->jump != NULL) {
		buf_puts(&b, " -J ");
		common_quote(&b, o->jump);
	}
	buf_puts(&b, " ");
	common_quote(&b, folded);
	if (b.data != NULL)
		fprintf(stderr, "to trust the unknown host key%s, compare the "
		    "fingerprints above, then run: %s (or run again with "
		    "--host-key-check accept-new)\n", n == 1 ? "" : "s",
		    b.data);
	buf_release(&b);
 out:
	free(folded);
	free(names);
}

/* The run's id in the history, with what to do next (see cmd.h). */
void
common_run_id(const struct common_history *ch, const char *kind, int rc)
{
	long long id;

	if (ch->h == NULL)
		return;
	id = (long long)drove_history_id(ch->h);
	if (rc == EXIT_FAILED || rc == EXIT_UNREACHED)
		fprintf(stderr, "run %lld; rerun the failed hosts: drove %s "
		    "--rerun %lld --failed\n", id, kind, id);
	else if (rc == EXIT_OK)
		fprintf(stderr, "run %lld (drove history show %lld)\n", id,
		    id);
}

/* The rest of a run (see cmd.h). */
int
common_run_end(drove_fleet *f, int run_rc, drove_sink *sink,
    const struct common_opts *o, struct common_history *ch, const char *kind)
{
	int rc = common_exit_status(f, run_rc);

	if (!ch->closed && drove_sink_finish(sink) != 0) {
		if (ferror(stdout) && common_stdout_closed())
			ch->closed = 1;
		else {
			fprintf(stderr, "drove: writing output failed\n");
			if (rc == EXIT_OK)
				rc = EXIT_FAILED;
		}
	}
	if (ch->closed)
		return EXIT_PIPE;
	if (drove_fleet_warning(f) != NULL)
		fprintf(stderr, "drove: warning: %s\n", drove_fleet_warning(f));
	if (o->quiet)
		return rc;
	drove_sink_summary(sink, stderr);
	hostkey_advice(f, o);
	common_run_id(ch, kind, rc);
	return rc;
}
