/*
 * test-play-run.c: the playbook runner's batches and the shell commands
 * of its actions, run here by a local /bin/sh in a temporary directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "play/play-run.h"
#include "test.h"

/* Run cmd with /bin/sh, input on its stdin; its stdout into out (size),
 * its exit status as the return. */
static int
sh_run(const char *cmd, const char *input, char *out, size_t size)
{
	char path[] = "/tmp/drove-prun-XXXXXX", line[128];
	FILE *fp;
	size_t n;
	int fd, st;

	if ((fd = mkstemp(path)) == -1)
		return -1;
	if (input != NULL && write(fd, input, strlen(input)) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	snprintf(line, sizeof line, "/bin/sh -c \"$DROVE_T_CMD\" <%s", path);
	setenv("DROVE_T_CMD", cmd, 1);
	fp = popen(line, "r");
	n = fp != NULL ? fread(out, 1, size - 1, fp) : 0;
	out[n] = '\0';
	st = fp != NULL ? pclose(fp) : -1;
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Read a small file into buf; "" when missing. */
static const char *
slurp(const char *path, char *buf, size_t size)
{
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	if (fp != NULL) {
		n = fread(buf, 1, size - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return buf;
}

TEST(prun_batches_serial_lists)
{
	struct play_batch one_half[] = { { 1, 0 }, { 50, 1 } };
	struct play_batch zero[] = { { 0, 0 } };
	struct play_batch tiny[] = { { 10, 1 } };

	T_EQ(prun_batch_size(NULL, 0, 0, 7), 7);
	T_EQ(prun_batch_size(zero, 1, 0, 7), 7);
	T_EQ(prun_batch_size(one_half, 2, 0, 7), 1);
	T_EQ(prun_batch_size(one_half, 2, 1, 7), 3);
	T_EQ(prun_batch_size(one_half, 2, 5, 7), 3);
	T_EQ(prun_batch_size(tiny, 1, 0, 3), 1);
	T_EQ(prun_batch_size(one_half, 2, 0, 0), 0);
}


TEST(prun_guard_skips_on_creates_and_removes)
{
	char dir[] = "/tmp/drove-prun-XXXXXX", there[128], gone[128];
	char out[256], *c;

	T_TRUE(mkdtemp(dir) != NULL);
	snprintf(there, sizeof there, "%s/there", dir);
	snprintf(gone, sizeof gone, "%s/gone", dir);
	fclose(fopen(there, "w"));
	c = prun_sh_guard("echo ran", there, NULL);
	T_EQ(sh_run(c, NULL, out, sizeof out), 0);
	T_STREQ(out, PRUN_MARK_SKIPPED "\n");
	free(c);
	c = prun_sh_guard("echo ran", gone, NULL);
	T_EQ(sh_run(c, NULL, out, sizeof out), 0);
	T_STREQ(out, "ran\n");
	free(c);
	c = prun_sh_guard("echo ran", NULL, gone);
	sh_run(c, NULL, out, sizeof out);
	T_STREQ(out, PRUN_MARK_SKIPPED "\n");
	free(c);
	c = prun_sh_guard("echo ran", NULL, there);
	sh_run(c, NULL, out, sizeof out);
	T_STREQ(out, "ran\n");
	free(c);
	unlink(there);
	rmdir(dir);
}

TEST(prun_install_writes_once_and_check_writes_nothing)
{
	char dir[] = "/tmp/drove-prun-XXXXXX", dest[128], out[256], buf[64];
	char *c, *chk;
	struct stat st;

	T_TRUE(mkdtemp(dir) != NULL);
	snprintf(dest, sizeof dest, "%s/it's a file", dir);
	c = prun_sh_install(dest, "0640", 0);
	chk = prun_sh_install(dest, "0640", 1);
	T_EQ(sh_run(chk, "v=1\n", out, sizeof out), 0);
	T_STREQ(out, PRUN_MARK_CHANGED "\n");
	T_EQ(access(dest, F_OK), -1);
	T_EQ(sh_run(c, "v=1\n", out, sizeof out), 0);
	T_STREQ(out, PRUN_MARK_CHANGED "\n");
	T_STREQ(slurp(dest, buf, sizeof buf), "v=1\n");
	T_EQ(stat(dest, &st), 0);
	T_EQ(st.st_mode & 07777, 0640);
	T_EQ(sh_run(c, "v=1\n", out, sizeof out), 0);
	T_STREQ(out, PRUN_MARK_UNCHANGED "\n");
	T_EQ(sh_run(chk, "v=1\n", out, sizeof out), 0);
	T_STREQ(out, PRUN_MARK_UNCHANGED "\n");
	T_EQ(sh_run(chk, "v=2\n", out, sizeof out), 0);
	T_STREQ(out, PRUN_MARK_CHANGED "\n");
	T_STREQ(slurp(dest, buf, sizeof buf), "v=1\n");
	T_EQ(sh_run(c, "v=2\n", out, sizeof out), 0);
	T_STREQ(out, PRUN_MARK_CHANGED "\n");
	T_STREQ(slurp(dest, buf, sizeof buf), "v=2\n");
	/* no temporary file is left beside it */
	snprintf(buf, sizeof buf, "ls -A %s | wc -l", dir);
	sh_run(buf, NULL, out, sizeof out);
	T_STREQ(out, "1\n");
	free(c);
	free(chk);
	unlink(dest);
	rmdir(dir);
}

TEST(prun_script_runs_stdin_and_removes_it)
{
	char out[256], *c = prun_sh_script("one 'two words'");

	T_EQ(sh_run(c, "#!/bin/sh\necho \"$# $2 $0\"\nexit 3\n", out,
	    sizeof out), 3);
	T_TRUE(strncmp(out, "2 two words /", 13) == 0);
	out[strcspn(out, "\n")] = '\0';
	T_EQ(access(strchr(out + 2, '/'), F_OK), -1);
	free(c);
}

TEST(prun_wait_path_succeeds_or_times_out)
{
	char dir[] = "/tmp/drove-prun-XXXXXX", path[128], out[256], *c;

	T_TRUE(mkdtemp(dir) != NULL);
	c = prun_sh_wait_path(dir, 0, 0);
	T_EQ(sh_run(c, NULL, out, sizeof out), 0);
	free(c);
	snprintf(path, sizeof path, "%s/none", dir);
	c = prun_sh_wait_path(path, 0, 0);
	T_EQ(sh_run(c, NULL, out, sizeof out), 1);
	free(c);
	c = prun_sh_wait_path(path, 1, 0);
	T_EQ(sh_run(c, NULL, out, sizeof out), 0);
	free(c);
	c = prun_sh_wait_port("127.0.0.1", 1, 0);
	T_EQ(sh_run(c, NULL, out, sizeof out), 1);
	free(c);
	rmdir(dir);
}
