/*
 * fleet-poll.c: run one command on several hosts from the caller's own
 * poll() loop, which serves its own timer at the same time: the fleet is
 * started with drove_fleet_start() and stepped whenever its fd is readable
 * or its timeout passes.  Prints one JSON object per host, then how many
 * times the program's own 10 ms timer fired while the hosts ran.
 *
 * Usage: fleet-poll KNOWN_HOSTS KEY COMMAND USER ADDRESS PORT...
 * Build: cc fleet-poll.c $(pkg-config --cflags --libs drove)
 */
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <drove.h>

/* Add the hosts by hand (named ADDRESS:PORT), the key and the command;
 * 0 or -1. */
static int
setup(drove_fleet *fleet, int argc, char **argv)
{
	struct drove_hostspec spec;
	char name[64];
	int i;

	for (i = 6; i < argc; i++) {
		memset(&spec, 0, sizeof spec);
		snprintf(name, sizeof name, "%s:%s", argv[5], argv[i]);
		spec.name = name;
		spec.address = argv[5];
		spec.port = atoi(argv[i]);
		spec.user = argv[4];
		if (drove_fleet_add_host(fleet, &spec) < 0)
			return -1;
	}
	if (drove_fleet_set_known_hosts(fleet, argv[1]) != 0 ||
	    drove_fleet_add_identity(fleet, argv[2]) != 0 ||
	    drove_fleet_use_agent(fleet, 0) != 0 ||
	    drove_fleet_exec(fleet, argv[3], -1) != 0)
		return -1;
	return 0;
}

int
main(int argc, char **argv)
{
	struct drove_sink_opts so = { .mode = DROVE_OUT_JSON };
	struct itimerspec every = { { 0, 10000000 }, { 0, 10000000 } };
	struct pollfd pfd[2];
	drove_fleet *fleet;
	drove_sink *sink;
	uint64_t fired, ticks = 0;
	char err[256];
	int rc = 2, r, tfd = -1;

	if (argc < 7) {
		fprintf(stderr, "usage: fleet-poll KNOWN_HOSTS KEY COMMAND USER "
		    "ADDRESS PORT...\n");
		return 2;
	}
	fleet = drove_fleet_new();
	sink = drove_sink_new(&so, err, sizeof err);
	if (fleet == NULL || sink == NULL)
		goto out;
	if ((tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK)) == -1 ||
	    timerfd_settime(tfd, 0, &every, NULL) == -1) {
		perror("timerfd");
		goto out;
	}
	if (setup(fleet, argc, argv) != 0)
		goto fail;
	drove_fleet_set_event_cb(fleet, drove_sink_event, sink);
	if (drove_fleet_start(fleet) != 0)
		goto fail;
	for (;;) {
		pfd[0].fd = drove_fleet_fd(fleet);
		pfd[0].events = POLLIN;
		pfd[1].fd = tfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, drove_fleet_timeout(fleet)) == -1) {
			perror("poll");
			goto out;
		}
		if ((pfd[1].revents & POLLIN) &&
		    read(tfd, &fired, sizeof fired) == sizeof fired)
			ticks += fired;
		if ((r = drove_fleet_step(fleet)) > 0)
			continue;
		if (r != 0)
			goto fail;
		break;
	}
	drove_sink_finish(sink);
	fprintf(stderr, "own timer: %llu ticks\n", (unsigned long long)ticks);
	rc = drove_sink_counts(sink)[DROVE_ST_OK] == drove_fleet_host_count(
	    fleet) ? 0 : 1;
	goto out;
 fail:
	fprintf(stderr, "fleet-poll: %s\n", drove_fleet_error(fleet));
 out:
	if (tfd != -1)
		close(tfd);
	drove_sink_free(sink);
	drove_fleet_free(fleet);
	return rc;
}
