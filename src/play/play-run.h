/*
 * play-run.h: the playbook runner (play-run.c): runs the plays of a parsed
 * playbook (play.h) on an inventory, task by task, each task one fleet run
 * over the live hosts of a batch, and reports what happens through a
 * callback; the library never prints.
 *
 * The remote side of every action is a POSIX shell command built here
 * (prun_sh_*): become wraps it in sudo, creates/removes guard it, template
 * and script send their bytes on the command's stdin, wait_for is a shell
 * loop.  Markers on stdout (PRUN_MARK_*) tell the runner what happened.
 *
 * Ownership: strings returned by prun_sh_* are malloc'd, the caller frees
 * them; NULL means out of memory.  One thread.
 */
#ifndef PLAY_RUN_H
#define PLAY_RUN_H

#include <stddef.h>

#include "drove.h"
#include "play/play.h"

/* A line the wrappers print alone on stdout to say what they did. */
#define PRUN_MARK_SKIPPED	"drove:skipped"
#define PRUN_MARK_CHANGED	"drove:changed"
#define PRUN_MARK_UNCHANGED	"drove:unchanged"

/*
 * The size of batch number idx of a play over total hosts with serial
 * list s of n values (the last repeats); n == 0 or a value of 0 means every
 * host at once.  A percentage rounds down but is at least 1.
 */
size_t	prun_batch_size(const struct play_batch *s, size_t n, size_t idx,
	    size_t total);

/* cmd skipped (printing PRUN_MARK_SKIPPED) when creates exists or removes
 * does not; either may be NULL. */
char	*prun_sh_guard(const char *cmd, const char *creates,
	    const char *removes);
/*
 * Write stdin to dest (mode: octal text or NULL) through a temporary file
 * beside it and a rename, unless dest already holds those bytes and mode;
 * prints PRUN_MARK_CHANGED or PRUN_MARK_UNCHANGED.  With check, compare
 * only: nothing is written.
 */
char	*prun_sh_install(const char *dest, const char *mode, int check);
/* Save stdin to a temporary file, run it with args (may be NULL), remove
 * it; the script's exit status. */
char	*prun_sh_script(const char *args);
/* Wait up to timeout_s seconds for path to exist (absent: to be gone). */
char	*prun_sh_wait_path(const char *path, int absent,
	    unsigned int timeout_s);
/* Wait up to timeout_s seconds for TCP host:port to take connections. */
char	*prun_sh_wait_port(const char *host, unsigned int port,
	    unsigned int timeout_s);

/*
 * Give each host of f its own command cmds[i] and stdin ins[i] (NULL: none)
 * of lens[i] bytes; hosts with equal stdin bytes share one copy.  The
 * fleet copies what it needs.  0 or DROVE_E_NOMEM.
 */
int	prun_fleet_exec(drove_fleet *f, char *const *cmds,
	    const char *const *ins, const size_t *lens);

/* What the runner reports, in order: a play starts, a task starts (once
 * per batch), a host's outcome (once per loop item), the play stops early,
 * and at the end a recap per host. */
enum prun_ev_type {
	PRUN_EV_PLAY,
	PRUN_EV_TASK,
	PRUN_EV_HOST,
	PRUN_EV_STOP,
	PRUN_EV_RECAP
};

/* A host's tally over the whole playbook. */
struct prun_counts {
	unsigned int	 ok;
	unsigned int	 changed;
	unsigned int	 skipped;
	unsigned int	 failed;
	unsigned int	 unreachable;
	unsigned int	 ignored;
};

/* Strings are lent for the call; those that do not apply are NULL. */
struct prun_event {
	enum prun_ev_type	 type;
	const char		*play;		/* its name, else its hosts */
	const char		*task;		/* its name, else its action */
	const char		*host;
	const char		*status;	/* HOST: ok, changed, skipped,
						   failed, unreachable */
	int			 ignored;	/* HOST: failed, ignore_errors */
	int			 rc;		/* HOST: exit code, or -1 */
	const char		*item;		/* HOST: the loop item */
	const char		*out;		/* HOST: stdout, err: stderr */
	size_t			 outlen;
	const char		*err;
	size_t			 errlen;
	const char		*msg;		/* HOST: why; STOP: why */
	size_t			 batch;		/* TASK: batch number, from 1 */
	size_t			 nbatches;
	const struct prun_counts *counts;	/* RECAP */
	const struct drove_result *result;	/* RECAP: the host's final
						   outcome, for the history */
};

typedef void prun_event_cb(const struct prun_event *, void *arg);

struct prun_opts {
	int			 check;		/* dry run */
	const char		*limit;		/* a pattern, or NULL */
	const size_t		*only;		/* inventory hosts (sorted), */
	size_t			 nonly;		/* or NULL: every host */
	const char *const	*tags;		/* run only tasks with these */
	size_t			 ntags;
	const char *const	*skip_tags;	/* and none of these */
	size_t			 nskip_tags;
	const char		*start_at;	/* first task to run, by name */
	const struct pval	*extra;		/* -e vars: a map, or NULL */
	size_t			 cap;		/* output kept per stream and
						   host (0: 1 MiB) */
	/* A fleet over inventory hosts with the command's options, or NULL
	 * after saying why; called for each fleet run. */
	drove_fleet		*(*make_fleet)(void *arg, const size_t *hosts,
				    size_t n);
	void			*fleet_arg;
	/* Called with each fleet just before it runs and with NULL after
	 * (to let Ctrl-C cancel it); may be NULL. */
	void			(*running)(void *arg, drove_fleet *f);
	prun_event_cb		*cb;
	void			*cb_arg;
};

/* How a run of a playbook ended. */
struct prun_summary {
	size_t		 hosts;		/* hosts in the recap */
	size_t		 failed;	/* of them with a failure (not
					   ignored) */
	size_t		 unreachable;	/* of them never reached once */
	int		 stopped;	/* a play stopped early */
};

/*
 * Run every play of book on inv.  0 when it ran to its end (hosts may have
 * failed: see sum); DROVE_E_CANCELLED when a fleet run was cancelled;
 * DROVE_E_NOTFOUND (--start-at-task named no task, a pattern matched
 * nothing) or another DROVE_E_* with err set when it could not go on.
 */
int	prun_run(const struct playbook *book, drove_inventory *inv,
	    const struct prun_opts *o, struct prun_summary *sum,
	    struct drove_err *err);

#endif /* PLAY_RUN_H */
