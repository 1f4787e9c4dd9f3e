/*
 * shell.h: the shell job (an interactive session on one host) and the
 * escape-sequence filter on its typed input.
 *
 * The job asks for a pty of the given $TERM and size (unless told not to),
 * starts the login shell or a command, then moves bytes both ways: typed
 * input from in_fd to the channel, through the escape filter; the channel's
 * output to out_fd (stderr to err_fd without a pty).  While out_fd cannot
 * take more, the channel is not read, so its window fills and the server
 * waits (backpressure).  Window changes arrive through a pipe that
 * drove_fleet_shell_resize() writes to, and are sent between writes, never
 * while one is pending (engine/README, 1).
 *
 * Ownership: the fleet owns the struct shell_ctl for a drove_fleet_shell()
 * call; the job lends it.  Loop thread only, except shell_ctl's size and
 * pipe, which drove_fleet_shell_resize() writes from a signal handler.
 */
#ifndef SHELL_H
#define SHELL_H

#include <signal.h>

#include "drove.h"
#include "engine/sess.h"
#include "jobs/record.h"

/* Escape filter: after a newline, ESC '.' disconnects, ESC '?' asks for
 * help, ESC ESC sends one ESC; ESC and any other byte are both sent. */
enum shell_esc_action {
	SHELL_ESC_NONE = 0,	/* send the out bytes */
	SHELL_ESC_DISCONNECT,
	SHELL_ESC_HELP
};

struct shell_esc {
	int	ch;		/* the escape byte, or -1: none */
	int	line_start;	/* the last byte sent ended a line */
	int	seen;		/* an escape byte at a line start waits */
};

void	shell_esc_init(struct shell_esc *, int ch);
/* Filter one typed byte: *nout bytes (0 to 2) go to out, to be sent. */
enum shell_esc_action shell_esc_byte(struct shell_esc *, unsigned char c,
	    char out[2], size_t *nout);

struct shell_ctl {
	struct drove_shell_opts	 o;
	struct record		 rec;
	int			 recording;
	int			 pipe[2];	/* resize wake-ups */
	volatile sig_atomic_t	 cols;		/* the latest size */
	volatile sig_atomic_t	 rows;
	int			 in_flags;	/* to restore, or -1 */
	int			 out_flags;
	int			 disconnected;	/* by the escape */
};

struct become;
/* A shell job, run as b's user (NULL: the login user); it owns b. */
struct job	*shell_job_new(struct shell_ctl *, struct become *b);

#endif /* SHELL_H */
