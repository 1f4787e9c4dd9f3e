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

/* A line the wrappers print alone on stdout to say what they did. */
#define PRUN_MARK_SKIPPED	"drove:skipped"
#define PRUN_MARK_CHANGED	"drove:changed"
#define PRUN_MARK_UNCHANGED	"drove:unchanged"

/* One value of a play's serial list: a host count or a percentage. */
struct prun_serial {
	long	 value;
	int	 percent;
};

/*
 * The size of batch number idx of a play over total hosts with serial
 * list s of n values (the last repeats); n == 0 or a value of 0 means every
 * host at once.  A percentage rounds down but is at least 1.
 */
size_t	prun_batch_size(const struct prun_serial *s, size_t n, size_t idx,
	    size_t total);

/* cmd run as user through "sudo -n -u USER -- sh -c 'CMD'". */
char	*prun_sh_become(const char *cmd, const char *user);
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

#endif /* PLAY_RUN_H */
