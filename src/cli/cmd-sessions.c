/*
 * cmd-sessions.c: "drove sessions [PATTERN] [--json]" lists the recorded
 * shell sessions from the store (hosts matched as shell globs), and "drove
 * replay ID [--speed X] [--idle-limit S]" plays one back in the terminal
 * with its timing.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"

static int	cmd_sessions_exec(int, char **);
static int	cmd_replay_exec(int, char **);

enum { OPT_JSON = OPT_COMMON_END, OPT_SPEED, OPT_IDLE, OPT_HELP };

static const struct option sessions_longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

static const struct option replay_longopts[] = {
	{ "speed", required_argument, NULL, OPT_SPEED },
	{ "idle-limit", required_argument, NULL, OPT_IDLE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 }
};

const struct cmd_entry cmd_sessions_entry = {
	.name = "sessions",
	.usage = "[--json] [--db FILE] [PATTERN]",
	.help = "list recorded shell sessions",
	.shortopts = "",
	.longopts = sessions_longopts,
	.exec = cmd_sessions_exec,
};

const struct cmd_entry cmd_replay_entry = {
	.name = "replay",
	.usage = "[--speed X] [--idle-limit SEC] [--db FILE] ID",
	.help = "play a recorded shell session back",
	.shortopts = "",
	.longopts = replay_longopts,
	.exec = cmd_replay_exec,
};

static const char sessions_help[] =
    "List the recorded shell sessions, oldest first, of the hosts PATTERN\n"
    "matches (a glob; all by default): id, start, host, user, duration,\n"
    "exit status and the size of the recording.\n\n"
    "      --json        one JSON object per session\n"
    "      --db FILE     the store (default $DROVE_HOME/drove.db)\n";

static const char replay_help[] =
    "Play recorded session ID back on the terminal with its timing.\n\n"
    "      --speed X          X times as fast (default 1)\n"
    "      --idle-limit SEC   no pause longer than SEC seconds (default:\n"
    "                         as recorded)\n"
    "      --db FILE          the store (default $DROVE_HOME/drove.db)\n";

/* What a listing or a look-up wants. */
struct pick {
	const char	*pattern;	/* sessions: hosts to list */
	int		 json;
	int64_t		 id;		/* replay: the one to find */
	char		*path;		/* its file, malloc'd */
};

/* Print s as a JSON string. */
static void
json_str(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/* Print one session as a table row or a JSON line. */
static int
list_one(const struct drove_session_info *si, void *arg)
{
	struct pick *p = arg;
	char when[32];
	struct tm tm;
	time_t t = (time_t)(si->started_ms / 1000);

	if (p->pattern != NULL && fnmatch(p->pattern, si->host, 0) != 0)
		return 0;
	if (p->json) {
		printf("{\"id\": %lld, \"host\": ", (long long)si->id);
		json_str(si->host);
		fputs(", \"user\": ", stdout);
		json_str(si->user);
		printf(", \"start_ms\": %lld, \"end_ms\": %lld, \"exit\": "
		    "%d, \"size\": %lld, \"path\": ",
		    (long long)si->started_ms, (long long)si->ended_ms,
		    si->exit_status, (long long)si->size);
		json_str(si->path);
		fputs("}\n", stdout);
		return 0;
	}
	localtime_r(&t, &tm);
	strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
	printf("%-5lld %s  %-20s %-12s %7.1fs %4d %9lld\n",
	    (long long)si->id, when, si->host, si->user,
	    (double)(si->ended_ms - si->started_ms) / 1000, si->exit_status,
	    (long long)si->size);
	return 0;
}

/* Find the session p->id; 1 stops the walk. */
static int
find_one(const struct drove_session_info *si, void *arg)
{
	struct pick *p = arg;

	if (si->id != p->id)
		return 0;
	p->path = strdup(si->path);
	return 1;
}

/* Parse the options of either command; the first word left, or NULL. */
static int
parse(const struct cmd_entry *cmd, int argc, char **argv,
    struct common_opts *o, struct pick *p, double *speed, double *idle,
    const char **word)
{
	struct option longopts[CMD_LONGOPTS];
	char *end;
	int ch;

	*word = NULL;
	common_longopts_merge(longopts, sizeof longopts / sizeof longopts[0],
	    cmd->longopts);
	while ((ch = getopt_long(argc, argv, "+" COMMON_SHORTOPTS, longopts,
	    NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
			p->json = 1;
			break;
		case OPT_SPEED:
		case OPT_IDLE:
			*(ch == OPT_SPEED ? speed : idle) = strtod(optarg,
			    &end);
			if (*end != '\0' || end == optarg || (ch == OPT_SPEED ?
			    *speed <= 0 : *idle < 0)) {
				usage_error(cmd, "bad value: '%s'", optarg);
				return -1;
			}
			break;
		case OPT_HELP:
			printf("usage: drove %s %s\n\n%s", cmd->name, cmd->usage,
			    cmd == &cmd_replay_entry ? replay_help :
			    sessions_help);
			return 1;
		case '?':
			usage_error(cmd, "bad option");
			return -1;
		default:
			/* the host options mean nothing here but --db */
			if (common_opt(o, ch, optarg) != 1)
				return -1;
			break;
		}
	}
	if (optind < argc)
		*word = argv[optind++];
	if (optind < argc) {
		usage_error(cmd, "too many arguments");
		return -1;
	}
	return 0;
}

static int
cmd_sessions_exec(int argc, char **argv)
{
	struct common_opts o;
	struct pick p;
	drove_store *st = NULL;
	double unused = 0;
	int rc;

	common_init(&o);
	memset(&p, 0, sizeof p);
	if ((rc = parse(&cmd_sessions_entry, argc, argv, &o, &p, &unused,
	    &unused, &p.pattern)) != 0) {
		rc = rc > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_FAILED;
	if ((st = common_store(&o)) == NULL)
		goto out;
	if (drove_store_sessions(st, list_one, &p) != 0) {
		fprintf(stderr, "drove: %s\n", drove_store_error(st));
		goto out;
	}
	rc = EXIT_OK;
 out:
	drove_store_close(st);
	common_release(&o);
	return rc;
}

static int
cmd_replay_exec(int argc, char **argv)
{
	struct common_opts o;
	struct pick p;
	drove_store *st = NULL;
	const char *word;
	double speed = 1, idle = -1;
	char *end, msg[256];
	FILE *fp = NULL;
	int rc;

	common_init(&o);
	memset(&p, 0, sizeof p);
	if ((rc = parse(&cmd_replay_entry, argc, argv, &o, &p, &speed, &idle,
	    &word)) != 0) {
		rc = rc > 0 ? EXIT_OK : EXIT_USAGE;
		goto out;
	}
	rc = EXIT_USAGE;
	if (word == NULL || (p.id = strtoll(word, &end, 10)) <= 0 ||
	    *end != '\0') {
		usage_error(&cmd_replay_entry, "no session ID");
		goto out;
	}
	rc = EXIT_FAILED;
	if ((st = common_store(&o)) == NULL)
		goto out;
	if (drove_store_sessions(st, find_one, &p) < 0) {
		fprintf(stderr, "drove: %s\n", drove_store_error(st));
		goto out;
	}
	if (p.path == NULL) {
		fprintf(stderr, "drove: no session %lld\n", (long long)p.id);
		goto out;
	}
	if ((fp = fopen(p.path, "r")) == NULL) {
		fprintf(stderr, "drove: open %s: %s\n", p.path,
		    strerror(errno));
		goto out;
	}
	if (drove_cast_play(fp, STDOUT_FILENO, speed, idle, msg,
	    sizeof msg) != 0) {
		fprintf(stderr, "drove: %s: %s\n", p.path, msg);
		goto out;
	}
	rc = EXIT_OK;
 out:
	if (fp != NULL)
		fclose(fp);
	free(p.path);
	drove_store_close(st);
	common_release(&o);
	return rc;
}
