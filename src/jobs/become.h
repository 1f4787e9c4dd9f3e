/*
 * become.h: running a job's command as another user through sudo or su,
 * with the become password written only where the remote side asks for
 * it.
 *
 * sudo runs with a prompt of drove's own (-p) that holds a random marker
 * made once per run, so no command output can guess it; su, which takes
 * no prompt string, runs under a pty and its own "Password:" prompt is
 * watched.  The wrapped command prints a second marker before it starts.
 * Until that start marker comes, everything the channel says is held and
 * watched: the first prompt gets the password (once), a second prompt is a
 * wrong password and ends the host, and a channel that ends first ends the
 * host with what sudo or su said.  sudo's "you must have a tty" makes the
 * job try once more on a channel with a pty (sudoers' requiretty).  The
 * prompts and the start marker are never shown as output; what the command
 * prints after the start marker is handed on as it comes, and only then
 * does the job send its stdin.
 *
 * Ownership: the job owns its struct become; become_free() wipes the
 * password.  Loop thread only.
 */
#ifndef BECOME_H
#define BECOME_H

#include <stddef.h>

#include "engine/sess.h"

struct become;
struct drove_fleet;

/* Where a job's output goes: stream 0 stdout, 1 stderr. */
typedef void job_output_fn(void *arg, int stream, const char *, size_t);

/* The filter for host's job when the host becomes another user (shell: a
 * login shell): 0 with *out NULL when it does not, or DROVE_E_NOMEM. */
int		 become_host(struct drove_fleet *, size_t host, int shell,
		    struct become **out);
void		 become_free(struct become *);	/* NULL-safe */
/* Whether some host of the fleet becomes another user. */
int		 become_any(struct drove_fleet *);
/* The remote command running command (NULL for the login shell) as the
 * become user; malloc'd, NULL when out of memory. */
char		*become_command(const struct become *, const char *command);
/* Whether the channel must ask for a pty (su, or sudo's requiretty). */
int		 become_pty(const struct become *);
/* Whether the command has started: output flows, stdin may be sent. */
int		 become_started(const struct become *);
/* Output read from the channel: handed to fn once the command started,
 * else held and watched; 0 or an error (err set in the session). */
int		 become_output(struct become *, struct sess *, int stream,
		    const char *, size_t, job_output_fn *fn, void *arg);
/* Whether no password write is in flight (a keepalive may be sent). */
int		 become_idle(const struct become *);
/* Write the password when it is due and watch the time: 0 once the
 * command has started, DROVE_AGAIN before, or an error (err set). */
int		 become_step(struct become *, LIBSSH2_CHANNEL *, struct sess *);
/* Whether output just read asks for a step at once (the password is
 * due, or the command started and stdin may flow). */
int		 become_due(const struct become *);
/* The channel ended before the command started: 1 to try once more on a
 * channel with a pty, else an error (err set). */
int		 become_ended(struct become *, struct sess *);
/* The pty modes the job asks for: raw, no echo. */
extern const unsigned char become_pty_modes[];
extern const size_t become_pty_modes_len;

#endif /* BECOME_H */
