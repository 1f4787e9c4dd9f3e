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
#include <stdio.h>

#include "drove.h"

/* Exit statuses shared by every command. */
#define EXIT_OK		0
#define EXIT_FAILED	1	/* a command failed, was killed, timed out */
#define EXIT_USAGE	2	/* usage or inventory error: nothing ran */
#define EXIT_UNREACHED	3	/* a host could not be reached or verified */
#define EXIT_INTERRUPT	130
#define EXIT_PIPE	141	/* stdout closed (| head): as SIGPIPE would */

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
	const char	**certs;		/* --cert files */
	size_t		  ncerts;
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
	char		 *password;		/* --ask-pass: read once */
	const char	 *vault_file;		/* --vault-password-file */
	int		  ask_vault;		/* --ask-vault-pass */
	int		  become;		/* -B */
	int		  ask_become_pass;	/* -K */
	const char	 *become_user;		/* NULL: root */
	int		  become_method;	/* enum drove_become_method */
	char		 *become_password;	/* -K: read once */
	int		  no_agent;
	int		  quiet;
	int		  no_history;		/* --no-history */
	const char	 *db;			/* --db */
	const char	 *ssh_config;		/* -F */
	const char	 *jump;			/* -J: every host's chain */
	unsigned int	  jump_channels;	/* --jump-channels */
	char		  kh_shown[512];	/* known_hosts, for the question */
	unsigned int	  given;		/* GIVEN_*: set on the command line */
	unsigned char	  seen[512];		/* by option value: given on
						   the command line */
	char		**rec_words;		/* a rerun's record, split */
	char		 *adopted;		/* its options taken, quoted */
};

extern const struct cmd_entry cmd_console_entry;
extern const struct cmd_entry cmd_keyscan_entry;
extern const struct cmd_entry cmd_play_entry;
extern const struct cmd_entry cmd_pull_entry;
extern const struct cmd_entry cmd_push_entry;
extern const struct cmd_entry cmd_run_entry;
extern const struct cmd_entry cmd_inventory_entry;
extern const struct cmd_entry cmd_history_entry;
extern const struct cmd_entry cmd_shell_entry;
extern const struct cmd_entry cmd_sessions_entry;
extern const struct cmd_entry cmd_replay_entry;

/* Options given on the command line win over a host's ssh_config. */
#define GIVEN_CONNECT_TIMEOUT	0x1
#define GIVEN_KEEPALIVE		0x2
#define GIVEN_KNOWN_HOSTS	0x4
#define GIVEN_HOSTKEY		0x8

/* The short options and long options every host command accepts. */
#define COMMON_SHORTOPTS "i:H:f:l:p:qF:J:BK"
extern const struct option common_longopts[];
enum {
	OPT_KNOWN_HOSTS = 256, OPT_HOSTKEY, OPT_KEY, OPT_TIMEOUT,
	OPT_CONNECT_TIMEOUT, OPT_ASK_PASS, OPT_NO_AGENT, OPT_KEEPALIVE,
	OPT_RETRIES, OPT_FAIL_FAST, OPT_CONNECT_RATE, OPT_MAX_STARTUPS,
	OPT_LOOPS, OPT_DB, OPT_NO_HISTORY, OPT_CERT, OPT_VAULT_FILE,
	OPT_ASK_VAULT, OPT_JUMP_CHANNELS, OPT_BECOME_USER, OPT_BECOME_METHOD,
	OPT_COMMON_END
};

void	common_init(struct common_opts *);
/* Handle one common option; 1 if it was one, 0 if not, -1 on bad value. */
int	common_opt(struct common_opts *, int ch, const char *arg);
void	common_release(struct common_opts *);
/* Load inventories, select pattern; prints the error and returns NULL. */
drove_inventory *common_inventory(struct common_opts *, const char *pattern,
	    size_t **sel, size_t *nsel);
/*
 * The inventory sources: ssh_config (-F, else ~/.ssh/config), then the
 * store when --db is given, -i files and -H lists in order; with none of
 * them ./inventory/hosts.yml when present, else the default store when it
 * exists.  Prints the error and returns NULL.
 */
drove_inventory *common_load(struct common_opts *);
/* Append s to a list of strings; exits when out of memory. */
void	common_push(const char ***, size_t *, const char *);
/* Open --db or the default store, creating it; prints the error. */
drove_store	*common_store(struct common_opts *);
/* common-jump.c: how each host is reached (jump hosts, proxy command). */
struct route;
struct route	*route_new(const struct common_opts *);
void		 route_free(struct route *);
/* Set spec->jump or spec->proxy_command for host (valid until the next
 * call); 0, or -1 with the error printed. */
int		 route_host(struct route *, drove_inventory *, size_t host,
		    struct drove_hostspec *spec);
/* The last host's chain or proxy command and where it came from; NULL
 * when it is reached directly. */
const char	*route_text(const struct route *, const char **source,
		    int *is_command);
/* Make a fleet with the common options and the selected hosts. */
drove_fleet	*common_fleet(struct common_opts *, drove_inventory *,
	    const size_t *sel, size_t nsel);
/*
 * The history record of a command: begun before its run (unless
 * --no-history or DROVE_NO_HISTORY=1), fed every event beside the sink,
 * ended with the exit status.  A store that cannot be written is a warning,
 * never a reason not to run.
 */
struct common_history {
	drove_store	*st;
	drove_history	*h;
	drove_sink	*sink;
	drove_fleet	*fleet;		/* cancelled when stdout closes */
	int		 closed;	/* stdout was closed (| head) */
};
/* Begin a record of "drove KIND ARGV..." (argv as the command got it). */
void	common_history_begin(struct common_opts *, struct common_history *,
	    const char *kind, int argc, char *const *argv,
	    const char *command, const char *pattern);
/* A drove_event_cb: the event to ch->sink and to the record. */
void	common_history_event(const struct drove_event *, void *ch);
void	common_history_end(struct common_history *, int exit_code);
/*
 * The hosts and command of history record id, of kind, for --rerun: every
 * host, or with failed those that were not ok, in the current inventory's
 * order.  A recorded host the inventory lacks is an error naming it, and
 * so is a record without hosts.  The record's common options (inventory,
 * keys, ...) are taken into o unless given again.  Returns 0 (*inv,
 * *command and *sel the caller's to free), 1 when no recorded host
 * failed, -1 after printing the error.
 */
int	common_rerun(struct common_opts *, const char *id,
	    const struct cmd_entry *, int failed, drove_inventory **inv,
	    char **command, size_t **sel, size_t *nsel);
/* The id of history record word: a number, or "last", the newest record
 * (of kind, unless NULL); 0 after printing why there is none. */
int64_t	common_history_id(drove_store *, const char *word, const char *kind);
/* Whether stdout is a pipe whose reader has gone (| head). */
int	common_stdout_closed(void);
/* The exit status for a finished run, from per-status counts. */
int	common_exit_status(drove_fleet *, int run_rc);
/* After a run that was recorded (and ended OK, FAILED or UNREACHED), its
 * history id on stderr: "run 12 (drove history show 12)", or with how to
 * rerun the hosts that failed. */
void	common_run_id(const struct common_history *, const char *kind,
	    int rc);
/*
 * After a run of KIND (run, push, pull) that was not fatal: the exit status
 * (EXIT_PIPE, quietly, when stdout was closed); the held output, a fleet
 * warning, the summary and, when hosts failed, how to rerun them printed.
 */
int	common_run_end(drove_fleet *, int run_rc, drove_sink *,
	    const struct common_opts *, struct common_history *,
	    const char *kind);

void	common_help(FILE *);
/* first (unless NULL) and argv words joined by spaces; malloc'd. */
char	*common_join(const char *first, int argc, char **argv);
struct buf;
/* Append word to the buffer, in single quotes when the shell needs them. */
void	common_quote(struct buf *, const char *word);
/* Split what common_quote() wrote back into words (NULL-ended, malloc'd,
 * each malloc'd); -1 when it cannot. */
int	common_split(const char *, char ***words, int *n);
/* The selected hosts as a folded list, for the history; malloc'd. */
char	*common_fold_hosts(drove_inventory *, const size_t *sel, size_t nsel);
/*
 * The common long options and a command's own into out (n entries, room
 * for LONGOPTS_MAX); an out too small aborts rather than drop options.
 */
#define LONGOPTS_MAX	128
void	common_longopts_merge(struct option *out, size_t n,
	    const struct option *own);
void	common_signals(drove_fleet *);
/* --ask-pass: read the password once; 0, or -1 (printed). */
int	common_ask_pass(struct common_opts *);
/* Read a line from the terminal with echo off; 0, or -1 without one. */
int	common_read_secret(const char *prompt, char *buf, size_t size);
/*
 * Give inv the vault password of --vault-password-file (or
 * ANSIBLE_VAULT_PASSWORD_FILE; an executable file is run and its output
 * taken) or --ask-vault-pass; 0, or -1 (printed).
 */
int	common_vault(struct common_opts *, drove_inventory *);
/* -K: read the become password once; 0, or -1 (printed). */
int	common_ask_become_pass(struct common_opts *);
/* Give the fleet the become options (-B, --become-user, ...). */
int	common_become(struct common_opts *, drove_fleet *);
/* The fleet's callbacks for a key's passphrase and the host-key question,
 * both on the terminal (arg of common_ask_hostkeys: the known_hosts path as
 * shown to the user). */
int	common_passphrase_prompt(const char *path, char *buf, size_t size,
	    void *arg);
enum drove_ask_answer common_ask_hostkeys(struct drove_hostkey_query *,
	    size_t n, void *arg);
/* getopt_long() taking options around PATTERN (the first word, set in
 * *pattern): the next option, or -1 at the words after it. */
int	common_getopt_pattern(int argc, char **argv, const char *shortopts,
	    const struct option *longopts, const char **pattern);
/* Whether fd is a terminal that takes escape sequences (TERM not dumb). */
int	common_smart_tty(int fd);
/* How hosts' bytes are shown on fd (drove_vis_write()): DROVE_VIS on a
 * terminal, so that no host can take it over, else 0 (bytes exact). */
int	common_vis(int fd);
/* Whether to colour what goes to fd for --color WHEN (auto, always,
 * never); decided for stdout and stderr apart. */
int	common_want_color(const char *when, int fd);
/* Whether Ctrl-C (or SIGTERM) came: a command of several runs starts the
 * next ones cancelled. */
int	common_interrupted(void);
/* An fd readable once SIGINT or SIGTERM came (-1 before the first
 * common_signals()): a question on the terminal waits on it too. */
int	common_interrupt_fd(void);
/* Make that fd (common_signals() does); make it readable, from a signal
 * handler of a command's own. */
void	common_interrupt_init(void);
void	common_interrupt_raise(void);
/* cmd-push.c: output options push and pull share, and their run. */
struct xfer_cli {
	int		 json;
	const char	*color;		/* auto, always, never */
	const char	*out_dir;
	const char	*rerun;		/* --rerun ID, or NULL */
	int		 failed;	/* --failed */
};
/* Handle an output or common option of push or pull: 1, or -1 when it
 * is bad or unknown (printed). */
int	xfer_cli_opt(const struct cmd_entry *, struct common_opts *,
	    struct xfer_cli *, int ch, const char *arg);
/* What push or pull hands xfer_cli_main(). */
struct xfer_cmd {
	const struct cmd_entry *entry;
	void	*opts;		/* the command's transfer options */
	/* give the fleet its job: SRC... DEST in args */
	int	(*set)(drove_fleet *, const void *opts, char **args, size_t n);
	/* append the options to the buffer as words, for the history */
	void	(*words)(const void *opts, struct buf *);
	/* add the recorded option words argv[1..argc-1] to opts: the index
	 * of the first other word, or -1 (printed) */
	int	(*recorded)(void *opts, int argc, char **argv);
};
/*
 * With args = argv + first (the words after the options): select the
 * hosts of args[0] (or with --rerun those of the record, and its SRC...
 * DEST and options unless words are given), make the fleet, give it its
 * job, run it with a sink and a summary, record it in the history; the
 * exit status.
 */
int	xfer_cli_main(const struct xfer_cmd *, struct common_opts *,
	    const struct xfer_cli *, int argc, char **argv, int first);
enum {
	OPT_XFER_JSON = OPT_COMMON_END + 100, OPT_XFER_COLOR, OPT_XFER_RERUN,
	OPT_XFER_FAILED
};

void	usage_error(const struct cmd_entry *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* After getopt_long() returned '?' (opterr is 0): name the option it did
 * not take, why, and the closest long option; then the usage line. */
void	usage_bad_option(const struct cmd_entry *, char **argv);
/* The name of names closest to word, when close enough to be a typo of
 * it; else NULL. */
const char *common_closest(const char *word, const char *const *names,
	    size_t n);
/* Parse a duration in seconds ("10", "1.5"); -1 when bad. */
long	parse_seconds_ms(const char *);

#endif /* CMD_H */
