/*
 * fleet-step.c: the stepped fleet API's rules, against a real host:
 * stepping before a start and starting or running during a stepped run
 * are DROVE_E_INVAL; a cancelled stepped run ends with the host cancelled;
 * the next run on the same fleet works; freeing the fleet in the middle of
 * a stepped run ends it.  Prints "ok NAME" per check, exits 1 on the first
 * failure.
 *
 * Usage: fleet-step KNOWN_HOSTS KEY [user@]host[:port]
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drove.h"

static char	 out[256];

/* Keep the host's stdout. */
static void
on_event(const struct drove_event *ev, void *arg)
{
	(void)arg;
	if (ev->type == DROVE_EV_STDOUT &&
	    strlen(out) + ev->len < sizeof out)
		strncat(out, ev->data, ev->len);
}

/* Fail with what was expected. */
static void
check(int ok, const char *name, drove_fleet *f)
{
	if (!ok) {
		printf("FAIL %s: %s\n", name, drove_fleet_error(f));
		exit(1);
	}
	printf("ok %s\n", name);
}

/* Step until the run ends or n steps passed; the last step's value. */
static int
steps(drove_fleet *f, int n)
{
	struct pollfd p;
	int r = 1;

	while (n-- != 0 && (r = drove_fleet_step(f)) > 0) {
		p.fd = drove_fleet_fd(f);
		p.events = POLLIN;
		poll(&p, 1, drove_fleet_timeout(f));
	}
	return r;
}

/* A fleet of the one host, with the key. */
static drove_fleet *
fleet(char **argv)
{
	struct drove_hostspec spec;
	drove_inventory *inv = drove_inventory_new();
	drove_fleet *f = drove_fleet_new();

	if (inv == NULL || f == NULL ||
	    drove_inventory_add_list(inv, argv[3]) != 0 ||
	    drove_inventory_hostspec(inv, 0, &spec) != 0 ||
	    drove_fleet_add_host(f, &spec) < 0 ||
	    drove_fleet_set_known_hosts(f, argv[1]) != 0 ||
	    drove_fleet_add_identity(f, argv[2]) != 0 ||
	    drove_fleet_use_agent(f, 0) != 0) {
		fprintf(stderr, "fleet-step: setup failed\n");
		exit(2);
	}
	drove_inventory_free(inv);
	drove_fleet_set_event_cb(f, on_event, NULL);
	return f;
}

int
main(int argc, char **argv)
{
	drove_fleet *f;

	if (argc != 4) {
		fprintf(stderr, "usage: fleet-step KNOWN_HOSTS KEY HOST\n");
		return 2;
	}
	f = fleet(argv);
	check(drove_fleet_step(f) == DROVE_E_INVAL, "step-before-start", f);
	check(drove_fleet_fd(f) == -1, "no-fd-before-start", f);
	check(drove_fleet_exec(f, "echo started; sleep 30", -1) == 0, "exec",
	    f);
	check(drove_fleet_start(f) == 0, "start", f);
	check(drove_fleet_fd(f) >= 0, "fd", f);
	check(drove_fleet_start(f) == DROVE_E_INVAL, "start-twice", f);
	check(drove_fleet_run(f) == DROVE_E_INVAL, "run-while-stepped", f);
	while (strstr(out, "started") == NULL && steps(f, 1) > 0)
		continue;
	check(strstr(out, "started") != NULL, "command-running", f);
	drove_fleet_cancel(f);
	check(steps(f, -1) == DROVE_E_CANCELLED, "cancelled-run", f);
	check(drove_fleet_result(f, 0)->status == DROVE_ST_CANCELLED,
	    "host-cancelled", f);

	out[0] = '\0';
	check(drove_fleet_exec(f, "echo again", -1) == 0 &&
	    drove_fleet_start(f) == 0 && steps(f, -1) == 0, "second-run", f);
	check(drove_fleet_result(f, 0)->status == DROVE_ST_OK &&
	    strcmp(out, "again\n") == 0, "second-run-result", f);

	out[0] = '\0';
	check(drove_fleet_exec(f, "echo started; sleep 30", -1) == 0 &&
	    drove_fleet_start(f) == 0, "third-start", f);
	while (strstr(out, "started") == NULL && steps(f, 1) > 0)
		continue;
	drove_fleet_free(f);
	printf("ok free-mid-run\n");
	return 0;
}
