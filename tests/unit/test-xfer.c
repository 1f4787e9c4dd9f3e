/*
 * test-xfer.c: the local side of transfers: names and paths a pull may
 * write, shell quoting, the push plan, and the shared read-once chunks.
 */
#define _GNU_SOURCE
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/xfer.h"
#include "test.h"

/* Make a temporary directory; its path in buf. */
static void
tmpdir(char *buf, size_t len)
{
	snprintf(buf, len, "%s/drove-xfer.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(buf) == NULL)
		abort();
}

/* Remove a directory tree. */
static void
rmtree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		abort();
}

/* Write len bytes of pattern to path (each byte its offset mod 251). */
static void
write_pattern(const char *path, size_t len)
{
	FILE *f = fopen(path, "w");
	size_t i;

	if (f == NULL)
		abort();
	for (i = 0; i < len; i++)
		putc((int)(i % 251), f);
	fclose(f);
}

TEST(xfer_names_that_stay_inside)
{
	char *s;

	T_TRUE(xfer_name_ok("app.log"));
	T_TRUE(xfer_name_ok(".hidden"));
	T_TRUE(xfer_name_ok("..."));
	T_TRUE(!xfer_name_ok(""));
	T_TRUE(!xfer_name_ok("."));
	T_TRUE(!xfer_name_ok(".."));
	T_TRUE(!xfer_name_ok("a/b"));
	T_TRUE(!xfer_name_ok("../etc"));
	T_TRUE(!xfer_name_ok("a\nb"));
	T_TRUE(!xfer_name_ok(NULL));

	s = xfer_basename("/var/log/app/");
	T_STREQ("app", s);
	free(s);
	s = xfer_basename("file");
	T_STREQ("file", s);
	free(s);
	T_TRUE(xfer_basename("/") == NULL);
	T_TRUE(xfer_basename("/var/..") == NULL);
	T_TRUE(xfer_basename("..") == NULL);
	T_TRUE(xfer_basename("") == NULL);

	s = xfer_host_file("a/b");
	T_STREQ("a_b", s);
	free(s);
	s = xfer_host_file("..");
	T_STREQ("_.", s);
	free(s);
	s = xfer_host_file("");
	T_STREQ("_", s);
	free(s);
}

TEST(xfer_shell_quote_and_hex)
{
	unsigned char sha[32];
	char hex[65], *q;
	int i;

	q = xfer_shell_quote("it's a $file");
	T_STREQ("'it'\\''s a $file'", q);
	free(q);
	for (i = 0; i < 32; i++)
		sha[i] = (unsigned char)(i * 8 + 1);
	xfer_hex(sha, hex);
	T_EQ(64, (int)strlen(hex));
	T_TRUE(strncmp(hex, "0109111921", 10) == 0);
}

TEST(xfer_local_mkdirs_refuses_links_and_dots)
{
	struct drove_err e;
	struct stat st;
	char dir[256], path[512], other[512];

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/out", dir);
	err_clear(&e);
	T_EQ(0, xfer_local_mkdirs(path, "h1/a/b", &e));
	snprintf(path, sizeof path, "%s/out/h1/a/b", dir);
	T_TRUE(stat(path, &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(path, sizeof path, "%s/out", dir);
	T_EQ(0, xfer_local_mkdirs(path, "h1/a", &e));	/* already there */
	T_EQ(DROVE_E_INVAL, xfer_local_mkdirs(path, "h1/../../x", &e));
	snprintf(other, sizeof other, "%s/elsewhere", dir);
	T_EQ(0, mkdir(other, 0755));
	snprintf(path, sizeof path, "%s/out/h2", dir);
	T_EQ(0, symlink(other, path));
	snprintf(path, sizeof path, "%s/out", dir);
	T_EQ(DROVE_E_IO, xfer_local_mkdirs(path, "h2/x", &e));
	T_TRUE(strstr(e.msg, "symbolic link") != NULL);
	snprintf(path, sizeof path, "%s/elsewhere/x", dir);
	T_TRUE(stat(path, &st) != 0);
	rmtree(dir);
}

TEST(xfer_plan_walks_trees_in_order)
{
	struct drove_err e;
	struct xplan *p = NULL;
	char dir[256], path[512];
	const char *srcs[2];

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/t", dir);
	T_EQ(0, mkdir(path, 0755));
	snprintf(path, sizeof path, "%s/t/b", dir);
	T_EQ(0, mkdir(path, 0700));
	snprintf(path, sizeof path, "%s/t/b/f", dir);
	write_pattern(path, 10);
	snprintf(path, sizeof path, "%s/t/a", dir);
	write_pattern(path, 3);
	snprintf(path, sizeof path, "%s/t", dir);
	srcs[0] = path;
	err_clear(&e);
	T_EQ(DROVE_E_INVAL, xfer_plan_new(srcs, 1, 0, 0, &p, &e));
	T_TRUE(strstr(e.msg, "use -r") != NULL);
	T_EQ(0, xfer_plan_new(srcs, 1, 1, 1, &p, &e));
	T_TRUE(p != NULL && p->nents == 4 && p->top_kind[0] == XTOP_DIR);
	if (p != NULL && p->nents == 4) {
		T_STREQ("", p->ents[0].rel);
		T_STREQ("a", p->ents[1].rel);
		T_STREQ("b", p->ents[2].rel);
		T_TRUE(p->ents[2].is_dir && p->ents[2].mode == 0700);
		T_STREQ("b/f", p->ents[3].rel);
		T_EQ(2, (int)p->ents[3].parent);
		T_TRUE(p->ents[0].parent == SIZE_MAX);
		T_EQ(13, (int)p->bytes);
		T_STREQ("t", p->base[0]);
	}
	xfer_plan_free(p);
	/* rsync's rule: with a trailing '/', the directory's contents */
	snprintf(path, sizeof path, "%s/t/", dir);
	T_EQ(0, xfer_plan_new(srcs, 1, 1, 0, &p, &e));
	T_TRUE(p != NULL && p->top_kind[0] == XTOP_CONTENTS);
	xfer_plan_free(p);
	srcs[1] = "/nonexistent/drove";
	T_EQ(DROVE_E_IO, xfer_plan_new(srcs, 2, 1, 0, &p, &e));
	T_TRUE(p == NULL);
	rmtree(dir);
}

TEST(xsrc_hosts_in_step_read_each_chunk_once)
{
	struct drove_err e;
	struct xsrc x;
	const char *data;
	char dir[256], path[512];
	size_t len, idx, i, size = 2 * XFER_CHUNK + 12345;
	int slot[3], h, ok = 1;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/f", dir);
	write_pattern(path, size);
	T_EQ(0, xsrc_init(&x, path, size));
	T_EQ(3, (int)x.nchunks);
	xsrc_expect(&x, 4);
	for (h = 0; h < 3; h++)
		slot[h] = xsrc_join(&x);
	for (idx = 0; idx < x.nchunks; idx++)
		for (h = 0; h < 3; h++) {
			err_clear(&e);
			T_EQ(0, xsrc_get(&x, slot[h], idx, &data, &len, &e));
			for (i = 0; i < len; i++)
				ok &= (unsigned char)data[i] ==
				    (idx * XFER_CHUNK + i) % 251;
		}
	T_TRUE(ok);
	T_EQ(3, (int)x.reads);
	for (h = 0; h < 3; h++)
		xsrc_leave(&x, slot[h]);
	/* the fourth host never came: say so, and nothing stays loaded */
	xsrc_skip(&x);
	T_EQ(0, (int)x.loaded);
	/* a later host reads again */
	slot[0] = xsrc_join(&x);
	T_EQ(0, xsrc_get(&x, slot[0], 0, &data, &len, &e));
	T_EQ(4, (int)x.reads);
	xsrc_leave(&x, slot[0]);
	xsrc_release(&x);
	rmtree(dir);
}

TEST(xsrc_memory_stays_bounded_and_slowest_goes_on)
{
	struct drove_err e;
	struct xsrc x;
	const char *data;
	char dir[256], path[512];
	size_t len, idx, n = XFER_BUDGET / XFER_CHUNK + 8;
	uint64_t size = (uint64_t)n * XFER_CHUNK;
	int fast, slow, fd, waited = 0;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/sparse", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	T_TRUE(fd != -1 && ftruncate(fd, (off_t)size) == 0);
	close(fd);
	T_EQ(0, xsrc_init(&x, path, size));
	xsrc_expect(&x, 2);
	fast = xsrc_join(&x);
	slow = xsrc_join(&x);
	err_clear(&e);
	T_EQ(0, xsrc_get(&x, slow, 0, &data, &len, &e));
	for (idx = 0; idx < n; idx++) {
		if (xsrc_get(&x, fast, idx, &data, &len, &e) == DROVE_AGAIN) {
			waited = 1;
			break;
		}
		T_TRUE(x.loaded <= XFER_BUDGET);
	}
	T_TRUE(waited);
	/* the slowest host always gets its chunk; then the fast one goes on */
	for (idx = 1; idx < n; idx++)
		T_EQ(0, xsrc_get(&x, slow, idx, &data, &len, &e));
	T_TRUE(x.loaded <= XFER_BUDGET + XFER_CHUNK);
	T_EQ(0, xsrc_get(&x, fast, n - 1, &data, &len, &e));
	xsrc_leave(&x, fast);
	xsrc_leave(&x, slow);
	T_EQ(0, (int)x.loaded);
	xsrc_release(&x);
	rmtree(dir);
}

TEST(xsrc_file_that_shrank_is_an_error)
{
	struct drove_err e;
	struct xsrc x;
	const char *data;
	char dir[256], path[512];
	size_t len;
	int slot;

	tmpdir(dir, sizeof dir);
	snprintf(path, sizeof path, "%s/f", dir);
	write_pattern(path, 1000);
	T_EQ(0, xsrc_init(&x, path, 1000));
	write_pattern(path, 10);
	slot = xsrc_join(&x);
	err_clear(&e);
	T_EQ(DROVE_E_IO, xsrc_get(&x, slot, 0, &data, &len, &e));
	T_TRUE(strstr(e.msg, "shrank") != NULL);
	T_TRUE(data == NULL);
	xsrc_leave(&x, slot);
	xsrc_release(&x);
	rmtree(dir);
}

extern uint64_t	(*sink_clock)(void);
static uint64_t xfer_now;

/* The sink's clock for these tests. */
static uint64_t
xfer_clock(void)
{
	return xfer_now;
}

/* Send a DONE event for host i named name with result r. */
static void
xfer_done(drove_sink *s, size_t i, const char *name,
    const struct drove_result *r)
{
	struct drove_event ev = { .type = DROVE_EV_DONE, .host = i,
	    .name = name, .result = r };

	drove_sink_event(&ev, s);
}

TEST(xfer_sink_outcomes_summary_and_progress)
{
	struct drove_sink_opts o = { .xfer = 1, .status_line = 1,
	    .total_hosts = 3 };
	struct drove_event ev = { .type = DROVE_EV_START, .name = "a" };
	struct drove_result r = { .status = DROVE_ST_OK };
	uint64_t (*clock)(void) = sink_clock;
	char *obuf = NULL, *ebuf = NULL, errbuf[128];
	size_t olen = 0, elen = 0;
	drove_sink *s;

	sink_clock = xfer_clock;
	xfer_now = 1000;
	o.out = open_memstream(&obuf, &olen);
	o.err = open_memstream(&ebuf, &elen);
	s = drove_sink_new(&o, errbuf, sizeof errbuf);
	T_TRUE(s != NULL);
	drove_sink_event(&ev, s);
	drove_sink_progress(s, 0, 20000000);
	xfer_now = 3000;
	drove_sink_progress(s, 5000000, 20000000);
	drove_sink_tick(s);
	fflush(o.err);
	T_TRUE(strstr(ebuf, "[ 0/3 done, 0 failed ] 5.0 MB/20.0 MB, "
	    "2.5 MB/s, 6s left") != NULL);
	r.changed = 1;
	r.files = 2;
	r.xfer_bytes = 10;
	xfer_done(s, 0, "a", &r);
	memset(&r, 0, sizeof r);
	r.status = DROVE_ST_OK;
	r.files_same = 2;
	xfer_done(s, 1, "b", &r);
	r.status = DROVE_ST_FAILED;
	r.exit_code = 1;
	snprintf(r.msg, sizeof r.msg, "write /x: no space left on device");
	xfer_done(s, 2, "c", &r);
	T_EQ(0, drove_sink_finish(s));
	drove_sink_summary(s, o.err);
	fflush(o.out);
	fflush(o.err);
	T_STREQ("a: changed: 2 files, 10 bytes\nb: unchanged\n", obuf);
	T_TRUE(strstr(ebuf, "c: failed: write /x: no space left on device\n")
	    != NULL);
	T_TRUE(strstr(ebuf, "3 hosts: 1 changed, 1 unchanged, 1 failed\n"
	    "failed (1): c: write /x: no space left on device\n") != NULL);
	drove_sink_free(s);
	fclose(o.out);
	fclose(o.err);
	free(obuf);
	free(ebuf);
	sink_clock = clock;
}
