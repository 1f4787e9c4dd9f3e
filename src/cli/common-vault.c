/*
 * common-vault.c: the Ansible vault password, read as ansible reads it.
 *
 * --vault-password-file FILE (else $ANSIBLE_VAULT_PASSWORD_FILE) names a
 * file holding the password, or an executable that prints it; blanks
 * around it are dropped.  --ask-vault-pass asks on the terminal.  The
 * password never reaches argv, the environment of a child or the output,
 * and its copies are wiped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cmd.h"

/* The most a vault password file may hold. */
#define VAULT_PW_MAX	4096

extern char **environ;

/* Read all of fd into buf (size bytes); the length, or -1. */
static ssize_t
read_all(int fd, char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;

	while (n < size) {
		if ((r = read(fd, buf + n, size - n)) < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	return (ssize_t)n;
}

/* Run the executable path and read what it prints; length or -1. */
static ssize_t
run_script(const char *path, char *buf, size_t size)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)path, NULL };
	ssize_t n = -1;
	int p[2], st;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
	if (posix_spawn(&pid, path, &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	n = read_all(p[0], buf, size);
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		n = -1;
	return n;
}

/* Read the vault password file path into buf; 0 or -1 (printed). */
static int
vault_file(const char *path, char *buf, size_t size)
{
	struct stat sb;
	ssize_t n;
	int fd;

	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    access(path, X_OK) == 0) {
		if ((n = run_script(path, buf, size - 1)) < 0) {
			fprintf(stderr, "drove: vault password script '%s' "
			    "failed\n", path);
			return -1;
		}
	} else {
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
			fprintf(stderr, "drove: cannot open vault password "
			    "file '%s': %s\n", path, strerror(errno));
			return -1;
		}
		n = read_all(fd, buf, size - 1);
		close(fd);
		if (n < 0) {
			fprintf(stderr, "drove: cannot read vault password "
			    "file '%s': %s\n", path, strerror(errno));
			return -1;
		}
	}
	buf[n] = '\0';
	return 0;
}

/* Give inv the vault password; see cmd.h. */
int
common_vault(struct common_opts *o, drove_inventory *inv)
{
	char buf[VAULT_PW_MAX], *s, *e;
	const char *path = o->vault_file;
	int r = -1;

	if (path == NULL && !o->ask_vault)
		path = getenv("ANSIBLE_VAULT_PASSWORD_FILE");
	if (path != NULL && *path == '\0')
		path = NULL;
	if (path == NULL && !o->ask_vault)
		return 0;
	if (path != NULL && vault_file(path, buf, sizeof buf) != 0)
		goto out;
	if (path == NULL &&
	    common_read_secret("Vault password: ", buf, sizeof buf) != 0) {
		fprintf(stderr, "drove: --ask-vault-pass needs a terminal\n");
		goto out;
	}
	for (s = buf; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n';
	    s++)
		;
	for (e = s + strlen(s); e > s && (e[-1] == ' ' || e[-1] == '\t' ||
	    e[-1] == '\r' || e[-1] == '\n'); e--)
		;
	if (e == s) {
		fprintf(stderr, "drove: the vault password%s%s%s is empty\n",
		    path != NULL ? " in '" : "", path != NULL ? path : "",
		    path != NULL ? "'" : "");
		goto out;
	}
	if (drove_inventory_set_vault_password(inv, s, (size_t)(e - s)) !=
	    0) {
		fprintf(stderr, "drove: out of memory\n");
		goto out;
	}
	r = 0;
 out:
	explicit_bzero(buf, sizeof buf);
	return r;
}
