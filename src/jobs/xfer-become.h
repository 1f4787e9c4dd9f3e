/*
 * xfer-become.h: push and pull for hosts that become another user.
 *
 * SFTP runs as the login user, so a host that becomes another user gets
 * its files through one exec of a shell script run as that user
 * (jobs/become.h: the password only at its prompt).  Push: the files'
 * bytes follow each other on the script's stdin (each file read once for
 * every host, and held in memory); for each file the script makes a
 * private temporary file beside the target (mktemp, mode 0600), takes
 * exactly its size with head -c, compares it with the target under
 * --update or --checksum, sets mode, owner (the old file's, unless
 * --owner/--group say), time, and renames it over the target, so a
 * failure leaves the old file as it was and removes the temporary one.
 * Pull: the script prints, per regular file, a header line, the name
 * under the path asked for and the bytes; drove writes each to a
 * temporary local file renamed once complete.  The script needs GNU head,
 * stat, mktemp and find (coreutils, findutils).
 *
 * Ownership: the fleet owns the run (through the push or pull run that
 * holds it); each job lends it.  The run is read-only while running.
 */
#ifndef XFER_BECOME_H
#define XFER_BECOME_H

#include <stdint.h>

#include "base/err.h"
#include "engine/sess.h"
#include "jobs/become.h"
#include "jobs/xfer.h"

struct bx_run;

/* What a push sends to hosts that become another user; 0, or
 * DROVE_E_IO/NOMEM with e set (a local file cannot be read). */
int	bx_push_new(const struct xplan *, const struct drove_push_opts *,
	    const char *dest, struct bx_run **out, struct drove_err *e);
/* What a pull asks of them. */
int	bx_pull_new(const char *const *paths, size_t n,
	    const struct drove_pull_opts *, const char *localdir,
	    struct bx_run **out);
void	bx_run_free(struct bx_run *);		/* NULL-safe */
/* The job of host name, writing r and adding file bytes to *done, run as
 * b's user; it owns b, made or not. */
struct job *bx_job_new(struct bx_run *, struct drove_result *r,
	    const char *name, struct become *b, uint64_t *done);

#endif /* XFER_BECOME_H */
