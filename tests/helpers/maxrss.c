/*
 * maxrss.c: run a command and report its peak memory and CPU time.
 *
 * Usage: maxrss FILE COMMAND [ARGS...]
 * Runs COMMAND with the same stdin/stdout/stderr and writes one line to
 * FILE: "MAXRSS_KIB USER_MS SYS_MS WALL_MS" for the command and its
 * waited-for children.  Exits with the command's status (128+N when killed
 * by signal N).
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* Milliseconds of a timeval. */
static long
tv_ms(struct timeval tv)
{
	return tv.tv_sec * 1000L + tv.tv_usec / 1000;
}

int
main(int argc, char **argv)
{
	struct timespec t0, t1;
	struct rusage ru;
	FILE *fp;
	pid_t pid;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: maxrss FILE COMMAND [ARGS...]\n");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = fork()) == -1) {
		perror("fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[2], argv + 2);
		perror(argv[2]);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) == -1) {
		perror("wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if ((fp = fopen(argv[1], "w")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	fprintf(fp, "%ld %ld %ld %ld\n", ru.ru_maxrss, tv_ms(ru.ru_utime),
	    tv_ms(ru.ru_stime), (long)((t1.tv_sec - t0.tv_sec) * 1000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000));
	fclose(fp);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
