/*
 * keep.c: fleets whose sessions outlive one run (drove_fleet_set_keep_
 * sessions): the shards, their loops and every host's session stay after a
 * run, and the next run hands each host's job to its session in READY
 * (shard.c), with no new connection, handshake or authentication.
 *
 * Between runs one keeper thread per shard turns the shard's loop, so the
 * sessions send their keepalives and notice a server that closes them (a
 * closed session is freed and its host keeps why, for the next run, which
 * connects it again once).  Whatever touches the shards from the caller's
 * thread (a run, adding a host, closing sessions) first stops the keepers
 * (keep_pause, joined: the shard passes to the caller's thread) and starts
 * them again after (keep_resume).
 *
 * A run may take only some hosts (drove_fleet_select); the others keep
 * their sessions, untouched.  Hosts added after the first run join the
 * shard of their index, as the first run placed the others.
 */
#include <pthread.h>
#include <stdlib.h>

#include "engine/fleet.h"

/* A keeper: turn the shard's loop until told to stop, or, while the fleet
 * closes, until the shard has no session left. */
static void *
keeper(void *arg)
{
	struct shard *sh = arg;
	struct drove_fleet *f = sh->f;

	while (!__atomic_load_n(&f->keeper_stop, __ATOMIC_SEQ_CST) &&
	    !(f->closing && sh->nsess == 0))
		if (loop_run_once(sh->loop, -1) != 0)
			break;
	return NULL;
}

/* Start the keepers (kept shards, between runs). */
void
keep_resume(drove_fleet *f)
{
	unsigned int i;

	if (f->shards == NULL || f->running || f->keeping)
		return;
	__atomic_store_n(&f->keeper_stop, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < f->nshards; i++)
		if (pthread_create(&f->shards[i].keeper, NULL, keeper,
		    &f->shards[i]) != 0)
			break;
	/* a keeper that did not start leaves its sessions without
	 * keepalives until the next run; nothing else depends on it */
	f->keeping = i;
}

/* Stop the keepers and wait for them. */
void
keep_pause(drove_fleet *f)
{
	unsigned int i, n = (unsigned int)f->keeping;

	if (n == 0)
		return;
	__atomic_store_n(&f->keeper_stop, 1, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++)
		loop_wake(f->shards[i].loop);
	for (i = 0; i < n; i++)
		pthread_join(f->shards[i].keeper, NULL);
	f->keeping = 0;
}

/* Whether host is part of the next run. */
int
keep_in_run(const drove_fleet *f, size_t host)
{
	return !f->picking || f->hosts[host].picked;
}

/* A run begins on kept shards: stop the keepers, give each shard the
 * hosts of this run (taking in new ones) and reset its counters. */
int
keep_begin(drove_fleet *f)
{
	struct shard *sh;
	unsigned int i, n = f->nshards;
	size_t h;

	keep_pause(f);
	for (i = 0; i < n; i++) {
		sh = &f->shards[i];
		free(sh->hosts);
		sh->nhosts = 0;
		if ((sh->hosts = malloc((f->nhosts / n + 1) *
		    sizeof *sh->hosts)) == NULL)
			return err_set(&f->err, DROVE_E_NOMEM, "out of memory");
		for (h = i; h < f->nhosts; h += n) {
			if (!f->hosts[h].in_run)
				continue;
			if (f->hosts[h].shard == NULL &&
			    shard_adopt(sh, h) != 0)
				return err_set(&f->err, DROVE_E_NOMEM,
				    "out of memory");
			sh->hosts[sh->nhosts++] = h;
		}
		shard_rearm(sh);
	}
	/* the stdin of a run on kept shards is read whole at once */
	feed_init(&f->feed);
	return f->stdin_fd >= 0 ? fleet_read_stdin(f) : 0;
}

/* A run on kept shards ended: stop what belonged to the run, free its
 * stdin, and let the keepers turn the loops. */
void
keep_end(drove_fleet *f)
{
	struct shard *sh;
	unsigned int i;

	for (i = 0; i < f->nshards; i++) {
		sh = &f->shards[i];
		loop_timer_stop(sh->loop, &sh->tick_timer);
		loop_timer_stop(sh->loop, &sh->pace_timer);
		loop_task_cancel(sh->loop, &sh->start_task);
		shard_unwatch_stdin(sh);
	}
	feed_release(&f->feed);
	f->running = 0;
	keep_resume(f);
}

/* Close every kept session (politely, all at once) and free the shards. */
void
keep_close(drove_fleet *f)
{
	unsigned int i, n;
	size_t h;

	if (f->shards == NULL || f->running)
		return;
	keep_pause(f);
	for (h = 0; h < f->nhosts; h++)
		if (f->hosts[h].sess != NULL)
			sess_cancel(f->hosts[h].sess, "closed");
	/* the keepers return once their shard is empty; a shard whose
	 * keeper did not start is turned here */
	f->closing = 1;
	keep_resume(f);
	n = (unsigned int)f->keeping;
	for (i = 0; i < n; i++)
		pthread_join(f->shards[i].keeper, NULL);
	f->keeping = 0;
	for (i = n; i < f->nshards; i++)
		while (f->shards[i].nsess > 0 &&
		    loop_run_once(f->shards[i].loop, -1) == 0)
			continue;
	f->closing = 0;
	for (h = 0; h < f->nhosts; h++)
		f->hosts[h].lost[0] = '\0';
	fleet_teardown(f);
}

/* Keep sessions from run to run, or close them. */
int
drove_fleet_set_keep_sessions(drove_fleet *f, int yes)
{
	if (f->running)
		return err_set(&f->err, DROVE_E_INVAL, "a run is going on");
	if (!yes)
		keep_close(f);
	f->keep = yes != 0;
	return 0;
}

/* Runs take only these hosts. */
int
drove_fleet_select(drove_fleet *f, const size_t *hosts, size_t n)
{
	size_t i;

	if (f->running)
		return err_set(&f->err, DROVE_E_INVAL, "a run is going on");
	for (i = 0; hosts != NULL && i < n; i++)
		if (hosts[i] >= f->nhosts)
			return err_set(&f->err, DROVE_E_INVAL, "select: no "
			    "host %zu", hosts[i]);
	for (i = 0; i < f->nhosts; i++)
		f->hosts[i].picked = 0;
	for (i = 0; hosts != NULL && i < n; i++)
		f->hosts[hosts[i]].picked = 1;
	f->picking = hosts != NULL;
	return 0;
}

/* The connect-only job. */
int
drove_fleet_connect(drove_fleet *f)
{
	if (!f->keep)
		return err_set(&f->err, DROVE_E_INVAL, "connect without kept "
		    "sessions");
	fleet_set_job(f, NULL, NULL, NULL);
	f->keyscan = 0;
	f->connect_only = 1;
	return 0;
}

/* Whether host has a session, and why the last one closed. */
int
drove_fleet_host_connected(drove_fleet *f, size_t host, const char **lost)
{
	int up;

	if (lost != NULL)
		*lost = NULL;
	if (host >= f->nhosts)
		return 0;
	keep_pause(f);
	up = f->hosts[host].sess != NULL;
	if (lost != NULL && f->hosts[host].lost[0] != '\0')
		*lost = f->hosts[host].lost;
	keep_resume(f);
	return up;
}

/* Close one host's kept session. */
int
drove_fleet_close_host(drove_fleet *f, size_t host)
{
	if (f->running)
		return err_set(&f->err, DROVE_E_INVAL, "a run is going on");
	if (host >= f->nhosts)
		return err_set(&f->err, DROVE_E_INVAL, "close: no host %zu",
		    host);
	keep_pause(f);
	if (f->hosts[host].sess != NULL)
		sess_cancel(f->hosts[host].sess, "closed");
	f->hosts[host].lost[0] = '\0';
	keep_resume(f);
	return 0;
}

/* Close every kept session now. */
int
drove_fleet_close_sessions(drove_fleet *f)
{
	if (f->running)
		return err_set(&f->err, DROVE_E_INVAL, "a run is going on");
	keep_close(f);
	return 0;
}
