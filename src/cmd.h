/*
 * cmd.h: the command table and the options every command shares.
 *
 * main.c finds the command (a unique prefix of its name) and hands it argv
 * without the command name; global options may stand before or after the
 * name.  Commands return the process exit status.  Commands use only the
 * public API (drove.h), never libssh2.
 */
#ifndef CMD_H
#define CMD_H

#include <getopt.h>

#include "drove.h"

/* Exit statuses shared by every command. */
#define EXIT_OK		0
#define EXIT_FAILED	1	/* a command failed, was killed, timed out */
#define EXIT_USAGE	2	/* usage or inventory error: nothing ran */
#define EXIT_UNREACHED	3	/* a host could not be reached or verified */
#define EXIT_INTERRUPT	130

struct cmd_entry {
	const char	*name;
	const char	*usage;
	const char	*help;
	const char	*shortopts;	/* its own, beside the common ones */
	const struct option *longopts;	/* its own, NULL-terminated */
	int		(*exec)(int argc, char **argv);
};

/* Options shared by the commands that connect to hosts. */
struct common_opts {
	const char	**inventories;
	size_t		  ninventories;
	const char	**adhoc;		/* -H lists */
	size_t		  nadhoc;
	const char	 *known_hosts;
	int		  hostkey_policy;
	const char	**keys;
	size_t		  nkeys;
	const char	 *user;
	int		  port;
	unsigned int	  forks;
	unsigned int	  connect_timeout_ms;
	unsigned int	  timeout_ms;
	unsigned int	  keepalive_s;
	unsigned int	  retries;
	int		  fail_fast;
	double		  connect_rate;
	unsigned int	  max_startups;
	unsigned int	  loops;
	int		  ask_pass;
	int		  no_agent;
	int		  quiet;
	char		  kh_shown[512];	/* known_hosts, for the question */
};

extern const struct cmd_entry cmd_keyscan_entry;
extern const struct cmd_entry cmd_pull_entry;
extern const struct cmd_entry cmd_push_entry;
extern const struct cmd_entry cmd_run_entry;

/* The short options and long options every host command accepts. */
#define COMMON_SHORTOPTS "i:H:f:l:p:q"
extern const struct option common_longopts[];
enum {
	OPT_KNOWN_HOSTS = 256, OPT_HOSTKEY, OPT_KEY, OPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT, OPT_ASK_PASS, OPT_NO_AGENT, OPT_KEEPALIVE,
	OPT_RETRIES, OPT_FAIL_FAST, OPT_CONNECT_RATE, OPT_MAX_STARTUPS,
	OPT_LOOPS,
	OPT_COMMON_END
};

void	common_init(struct common_opts *);
/* Handle one common option; 1 if it was one, 0 if not, -1 on bad value. */
int	common_opt(struct common_opts *, int ch, const char *arg);
void	common_release(struct common_opts *);
/* Load inventories, select pattern; prints the error and returns NULL. */
drove_inventory *common_inventory(struct common_opts *, const char *pattern,
	    size_t **sel, size_t *nsel);
/* Make a fleet with the common options and the selected hosts. */
drove_fleet	*common_fleet(struct common_opts *, drove_inventory *,
	    const size_t *sel, size_t nsel);
/* The exit status for a finished run, from per-status counts. */
int	common_exit_status(drove_fleet *, int run_rc);

/* cmd-push.c: output options push and pull share, and their run. */
struct xfer_cli {
	int		 json;
	const char	*color;		/* auto, always, never */
	const char	*out_dir;
};
/* Handle an output or common option of push or pull: 1, or -1 when it
 * is bad or unknown (printed). */
int	xfer_cli_opt(const struct cmd_entry *, struct common_opts *,
	    struct xfer_cli *, int ch, const char *arg);
/* Select the hosts of args[0], make the fleet, give it its job with
 * set(f, arg, args + 1, nargs - 1), and run it with a sink and a summary;
 * the exit status.  Fewer than 3 args is a usage error. */
int	xfer_cli_main(const struct cmd_entry *, struct common_opts *,
	    const struct xfer_cli *, char **args, int nargs,
	    int (*set)(drove_fleet *, const void *arg, char **, size_t),
	    const void *arg);
enum { OPT_XFER_JSON = OPT_COMMON_END + 100, OPT_XFER_COLOR };

void	usage_error(const struct cmd_entry *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* Parse a duration in seconds ("10", "1.5"); -1 when bad. */
long	parse_seconds_ms(const char *);

#endif /* CMD_H */
