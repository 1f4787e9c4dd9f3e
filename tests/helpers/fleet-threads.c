/*
 * fleet-threads.c: several fleets in several threads at once, each run
 * by its own thread from start to end, each host saying its thread's
 * number: every host of every fleet must be ok with its own thread's
 * output.  Prints "ok N fleets" or what went wrong; exits 1 on failure.
 *
 * Usage: fleet-threads KNOWN_HOSTS KEY USER ADDRESS PORT NTHREADS NHOSTS
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drove.h"

struct job {
	pthread_t	 thread;
	int		 n;		/* the thread's number */
	char	       **argv;
	size_t		 good;		/* hosts ok with the right output */
	char		 out[64];	/* what a host is to say */
};

/* Count a host whose whole stdout is the thread's line. */
static void
on_event(const struct drove_event *ev, void *arg)
{
	struct job *j = arg;

	if (ev->type == DROVE_EV_STDOUT && ev->len == strlen(j->out) &&
	    memcmp(ev->data, j->out, ev->len) == 0)
		j->good++;
}

/* One thread: a fleet of NHOSTS names for the one server, run. */
static void *
run(void *arg)
{
	struct job *j = arg;
	struct drove_hostspec spec;
	drove_fleet *f = drove_fleet_new();
	char name[32], cmd[64];
	int i, nhosts = atoi(j->argv[7]);

	if (f == NULL)
		return NULL;
	for (i = 0; i < nhosts; i++) {
		memset(&spec, 0, sizeof spec);
		snprintf(name, sizeof name, "t%d-h%d", j->n, i);
		spec.name = name;
		spec.address = j->argv[4];
		spec.port = atoi(j->argv[5]);
		spec.user = j->argv[3];
		if (drove_fleet_add_host(f, &spec) < 0)
			goto out;
	}
	snprintf(j->out, sizeof j->out, "thread %d\n", j->n);
	snprintf(cmd, sizeof cmd, "echo thread %d", j->n);
	drove_fleet_set_event_cb(f, on_event, j);
	if (drove_fleet_set_known_hosts(f, j->argv[1]) != 0 ||
	    drove_fleet_add_identity(f, j->argv[2]) != 0 ||
	    drove_fleet_use_agent(f, 0) != 0 ||
	    drove_fleet_set_loops(f, 1) != 0 ||
	    drove_fleet_exec(f, cmd, -1) != 0 ||
	    drove_fleet_run(f) != 0)
		fprintf(stderr, "thread %d: %s\n", j->n, drove_fleet_error(f));
	for (i = 0; i < nhosts; i++)
		if (drove_fleet_result(f, (size_t)i)->status != DROVE_ST_OK)
			j->good = 0;
 out:
	drove_fleet_free(f);
	return NULL;
}

int
main(int argc, char **argv)
{
	struct job *jobs;
	int i, n, failed = 0;

	if (argc != 8) {
		fprintf(stderr, "usage: fleet-threads KNOWN_HOSTS KEY USER "
		    "ADDRESS PORT NTHREADS NHOSTS\n");
		return 2;
	}
	n = atoi(argv[6]);
	if (n < 1 || (jobs = calloc((size_t)n, sizeof *jobs)) == NULL)
		return 2;
	for (i = 0; i < n; i++) {
		jobs[i].n = i;
		jobs[i].argv = argv;
		if (pthread_create(&jobs[i].thread, NULL, run, &jobs[i]) != 0)
			return 2;
	}
	for (i = 0; i < n; i++) {
		pthread_join(jobs[i].thread, NULL);
		if (jobs[i].good != (size_t)atoi(argv[7])) {
			printf("thread %d: %zu hosts right\n", i, jobs[i].good);
			failed = 1;
		}
	}
	free(jobs);
	if (!failed)
		printf("ok %d fleets\n", n);
	return failed;
}
