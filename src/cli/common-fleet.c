/*
 * common-fleet.c: a fleet built from the common options and the selected
 * hosts, the signals that cancel it while it runs, and the exit status a
 * run ends with.
 */
#include <errno.h>
#include <fcntl.h>
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

/* SIGINT/SIGTERM: cancel the run (or the next, between two runs of one
 * command); a second one leaves at once. */
static void
on_signal(int sig)
{
	(void)sig;
	if (interrupts++ > 0)
		_exit(EXIT_INTERRUPT);
	if (signalled != NULL)
		drove_fleet_cancel(signalled);
}

/* Whether SIGINT or SIGTERM came since common_signals() first ran. */
int
common_interrupted(void)
{
	return interrupts > 0;
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
	drove_fleet *f;
	size_t i;

	if ((f = drove_fleet_new()) == NULL) {
		fprintf(stderr, "drove: out of memory\n");
		return NULL;
	}
	drove_fleet_set_forks(f, o->forks);
	drove_fleet_set_connect_timeout(f, o->connect_timeout_ms);
	drove_fleet_set_command_timeout(f, o->timeout_ms);
	drove_fleet_set_keepalive(f, o->keepalive_s);
	drove_fleet_set_retries(f, o->retries);
	drove_fleet_set_fail_fast(f, o->fail_fast);
	drove_fleet_set_connect_rate(f, o->connect_rate, o->max_startups);
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
	if (common_ask_pass(o) != 0) {
		drove_fleet_free(f);
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
		if (drove_fleet_add_host(f, &spec) < 0)
			goto fail;
	}
	return f;
 fail:
	fprintf(stderr, "drove: %s\n", drove_fleet_error(f));
	drove_fleet_free(f);
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
