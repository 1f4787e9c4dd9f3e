/*
 * maxrss.c: run a command and report its peak resident memory.
 *
 * Usage: maxrss FILE COMMAND [ARGS...]
 * Runs COMMAND with the same stdin/stdout/stderr, writes the peak RSS of the
 * command (and its waited-for children) in KiB to FILE, and exits with the
 * command's status (128+N when killed by signal N).
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct rusage ru;
	FILE *fp;
	pid_t pid;
	int st;

	if (argc < 3) {
		fprintf(stderr, "usage: maxrss FILE COMMAND [ARGS...]\n");
		return 2;
	}
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
	if ((fp = fopen(argv[1], "w")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	fprintf(fp, "%ld\n", ru.ru_maxrss);
	fclose(fp);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}
