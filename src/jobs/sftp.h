/*
 * sftp.h: the push and pull jobs: SFTP to and from each host, one
 * operation at a time per session, writes and reads pipelined by libssh2.
 *
 * drove_fleet_push() and drove_fleet_pull() (drove.h) set a fleet's job
 * maker to push_job_new or pull_job_new with the run's shared state (the
 * plan and the local files' chunks, the options, the byte counters); the
 * fleet frees that state.  A job writes its host's changed, files and byte
 * counts straight into the host's result (its own shard's, so no lock).
 *
 * Thread rules: jobs run on their shard's loop thread; the byte counters
 * are atomics read by drove_fleet_xfer_progress() from any thread.
 */
#ifndef SFTP_H
#define SFTP_H

#include "engine/sess.h"

struct drove_fleet;

struct job	*push_job_new(struct drove_fleet *, size_t host);
struct job	*pull_job_new(struct drove_fleet *, size_t host);
struct drove_push_opts;
int		 xfer_fleet_put_each(struct drove_fleet *,
		    const struct drove_push_opts *, char *const *data,
		    const size_t *lens, char *const *names,
		    char *const *dests);
int		 xfer_fleet_put_nosftp(const struct drove_fleet *, size_t h);

#endif /* SFTP_H */
