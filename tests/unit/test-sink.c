/*
 * test-sink.c: output sinks (lines, gathered, diffs, JSON, per-host files,
 * the summary and the status line) fed with interleaved, split events, and
 * the JSON string writer.
 */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/json.h"
#include "drove.h"
#include "test.h"

/* The sink's clock (sink.c); the status line tests set it. */
extern uint64_t	(*sink_clock)(void);

/* Captured out and err of a sink. */
struct cap {
	FILE	*out;
	FILE	*err;
	char	*obuf;
	char	*ebuf;
	size_t	 olen;
	size_t	 elen;
};

static const char *const host_names[] = {
	"web01", "web02", "db1", "web03", "web04", "web05", "web06", "web07",
	"web08", "db2", "db3", "db4"
};

/* Make a sink of mode writing into c's memory streams. */
static drove_sink *
cap_sink(struct cap *c, struct drove_sink_opts *o, enum drove_output mode)
{
	char errbuf[256];

	memset(c, 0, sizeof *c);
	c->out = open_memstream(&c->obuf, &c->olen);
	c->err = open_memstream(&c->ebuf, &c->elen);
	o->mode = mode;
	o->out = c->out;
	o->err = c->err;
	return drove_sink_new(o, errbuf, sizeof errbuf);
}

/* Close c's streams and free their memory. */
static void
cap_free(struct cap *c)
{
	fclose(c->out);
	fclose(c->err);
	free(c->obuf);
	free(c->ebuf);
}

/* 1 when got[0..glen) is want[0..wlen); prints both when not. */
static int
mem_is(const char *got, size_t glen, const char *want, size_t wlen)
{
	if (glen == wlen && memcmp(got, want, glen) == 0)
		return 1;
	fprintf(stderr, "got  (%zu) \"%.*s\"\nwant (%zu) \"%.*s\"\n", glen,
	    (int)glen, got, wlen, (int)wlen, want);
	return 0;
}

#define T_OUT(c, want) T_TRUE(mem_is((c)->obuf, (c)->olen, want,	\
	sizeof(want) - 1))
#define T_ERR(c, want) T_TRUE(mem_is((c)->ebuf, (c)->elen, want,	\
	sizeof(want) - 1))

/* Send a data or warning event of host i. */
static void
ev_data(drove_sink *s, size_t i, enum drove_event_type type,
    const char *data, size_t len)
{
	struct drove_event ev = {
		.type = type, .host = i, .name = host_names[i], .data = data,
		.len = len
	};

	drove_sink_event(&ev, s);
}

/* Send a chunk of stdout of host i. */
static void
ev_out(drove_sink *s, size_t i, const char *text)
{
	ev_data(s, i, DROVE_EV_STDOUT, text, strlen(text));
}

/* Send a chunk of stderr of host i. */
static void
ev_err(drove_sink *s, size_t i, const char *text)
{
	ev_data(s, i, DROVE_EV_STDERR, text, strlen(text));
}

/* End host i with status, exit code (or -1), signal and message. */
static void
ev_done(drove_sink *s, size_t i, enum drove_status st, int code,
    const char *sig, const char *msg)
{
	struct drove_result r = {
		.status = st, .exit_code = code, .elapsed_ms = 15,
		.reached = st == DROVE_ST_OK || st == DROVE_ST_FAILED ||
		    st == DROVE_ST_SIGNAL
	};
	struct drove_event ev = {
		.type = DROVE_EV_DONE, .host = i, .name = host_names[i],
		.result = &r
	};

	snprintf(r.signal, sizeof r.signal, "%s", sig);
	snprintf(r.msg, sizeof r.msg, "%s", msg);
	drove_sink_event(&ev, s);
}

TEST(sink_lines_interleaved_split)
{
	struct drove_sink_opts o = { .name_width = 5 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_LINES);

	T_TRUE(s != NULL);
	ev_data(s, 0, DROVE_EV_START, NULL, 0);
	ev_data(s, 2, DROVE_EV_START, NULL, 0);
	ev_out(s, 0, "hel");
	ev_out(s, 2, "a\nb");
	ev_out(s, 0, "lo\nwor");
	ev_err(s, 2, "e");
	ev_err(s, 2, "1\n");
	ev_out(s, 0, "ld\n");
	ev_done(s, 0, DROVE_ST_OK, 0, "", "");
	ev_done(s, 2, DROVE_ST_FAILED, 3, "", "");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c, "db1:   a\nweb01: hello\nweb01: world\ndb1:   b\n");
	T_ERR(&c, "db1:   e1\ndb1:   exit 3\n");
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_lines_outcomes_and_warnings)
{
	struct drove_sink_opts o = { 0 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_LINES);
	const size_t *n;

	T_TRUE(s != NULL);
	ev_data(s, 4, DROVE_EV_WARN, "host key changed", 0);
	ev_done(s, 0, DROVE_ST_SIGNAL, -1, "KILL", "");
	ev_done(s, 1, DROVE_ST_TIMEOUT, -1, "", "command timed out");
	ev_done(s, 2, DROVE_ST_UNREACHABLE, -1, "", "connect to db1: no route");
	ev_done(s, 3, DROVE_ST_AUTH, -1, "", "");
	ev_done(s, 3, DROVE_ST_OK, 0, "", "");
	ev_out(s, 3, "late\n");
	ev_done(s, 4, DROVE_ST_OK, 0, "", "");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c, "");
	T_ERR(&c, "web04: warning: host key changed\n"
	    "web01: killed by signal KILL\n"
	    "web02: timeout: command timed out\n"
	    "db1: unreachable: connect to db1: no route\n"
	    "web03: auth\n");
	n = drove_sink_counts(s);
	T_EQ(n[DROVE_ST_OK], 1);
	T_EQ(n[DROVE_ST_AUTH], 1);
	T_EQ(n[DROVE_ST_SIGNAL], 1);
	T_EQ(n[DROVE_ST_FAILED], 0);
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_lines_binary_and_partial_at_done)
{
	static const char want[] = "web01: x\0y\xff\xfe\nweb01: \0\0\n";
	struct drove_sink_opts o = { 0 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_LINES);

	T_TRUE(s != NULL);
	ev_data(s, 0, DROVE_EV_STDOUT, "x\0y\xff", 4);
	ev_data(s, 0, DROVE_EV_STDOUT, "\xfe\n\0", 3);
	ev_data(s, 0, DROVE_EV_STDOUT, "\0", 1);
	ev_done(s, 0, DROVE_ST_OK, 0, "", "");
	T_EQ(drove_sink_finish(s), 0);
	T_TRUE(mem_is(c.obuf, c.olen, want, sizeof want - 1));
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_lines_long_line_is_cut)
{
	struct drove_sink_opts o = { 0 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_LINES);
	char chunk[1000];
	const char *p, *nl;
	size_t i, lens[4], nlines = 0;

	T_TRUE(s != NULL);
	memset(chunk, 'x', sizeof chunk);
	for (i = 0; i < 150; i++)
		ev_data(s, 0, DROVE_EV_STDOUT, chunk, sizeof chunk);
	/* Held data is printed before the host ends. */
	fflush(c.out);
	T_EQ(c.olen, 2 * (7 + 65536 + 1));
	ev_done(s, 0, DROVE_ST_OK, 0, "", "");
	T_EQ(drove_sink_finish(s), 0);
	for (p = c.obuf; p < c.obuf + c.olen; p = nl + 1) {
		T_TRUE(nlines < 4);
		T_TRUE(strncmp(p, "web01: x", 8) == 0);
		nl = memchr(p, '\n', (size_t)(c.obuf + c.olen - p));
		T_TRUE(nl != NULL);
		lens[nlines++] = (size_t)(nl - p) - 7;
	}
	T_EQ(nlines, 3);
	T_EQ(lens[0], 65536);
	T_EQ(lens[1], 65536);
	T_EQ(lens[2], 150000 - 2 * 65536);
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_lines_color)
{
	struct drove_sink_opts o = { .color = 1, .color_err = 1 };
	struct cap c, c2;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_LINES);
	drove_sink *s2 = cap_sink(&c2, &o, DROVE_OUT_LINES);

	T_TRUE(s != NULL && s2 != NULL);
	ev_out(s, 0, "a\n");
	ev_err(s, 0, "b\n");
	ev_out(s2, 0, "a\n");
	ev_done(s, 0, DROVE_ST_OK, 0, "", "");
	ev_done(s2, 0, DROVE_ST_OK, 0, "", "");
	T_EQ(drove_sink_finish(s), 0);
	T_EQ(drove_sink_finish(s2), 0);
	T_TRUE(c.olen > 9 && strncmp(c.obuf, "\033[", 2) == 0);
	T_TRUE(strstr(c.obuf, "mweb01:\033[0m a\n") != NULL);
	T_TRUE(strncmp(c.obuf, "\033[1;31m", 7) != 0);
	T_ERR(&c, "\033[1;31mweb01:\033[0m b\n");
	/* The same host gets the same colour in another run. */
	T_TRUE(mem_is(c2.obuf, c2.olen, c.obuf, c.olen));
	drove_sink_free(s);
	drove_sink_free(s2);
	cap_free(&c);
	cap_free(&c2);
}

/* Colour is decided per stream: stdout on a terminal, stderr redirected. */
TEST(sink_color_per_stream)
{
	struct drove_sink_opts o = { .color = 1 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_LINES);

	T_TRUE(s != NULL);
	ev_out(s, 0, "a\n");
	ev_err(s, 0, "b\n");
	ev_done(s, 0, DROVE_ST_FAILED, 1, "", "");
	T_EQ(drove_sink_finish(s), 0);
	T_TRUE(strstr(c.obuf, "mweb01:\033[0m a\n") != NULL);
	T_ERR(&c, "web01: b\nweb01: exit 1\n");
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_gather_groups)
{
	struct drove_sink_opts o = { 0 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_GATHER);
	static const size_t same[] = { 7, 5, 0, 3, 1, 6 };
	size_t i;

	T_TRUE(s != NULL);
	for (i = 0; i < sizeof same / sizeof same[0]; i++)
		ev_out(s, same[i], "sa");
	for (i = 0; i < sizeof same / sizeof same[0]; i++)
		ev_out(s, same[i], "me\n");
	ev_out(s, 4, "other");
	ev_err(s, 7, "warn\n");
	for (i = 0; i < 8; i++)
		if (i == 2)
			ev_done(s, i, DROVE_ST_UNREACHABLE, -1, "",
			    "connect refused");
		else
			ev_done(s, i, i == 6 ? DROVE_ST_FAILED : DROVE_ST_OK,
			    i == 6, "", "");
	T_OUT(&c, "");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c,
	    "---------------\nweb[01-03,05] (exit 0)\n---------------\n"
	    "same\n"
	    "---------------\ndb1 (unreachable: connect refused)\n"
	    "---------------\n"
	    "---------------\nweb04 (exit 0)\n---------------\n"
	    "other\n"
	    "---------------\nweb06 (exit 1)\n---------------\n"
	    "same\n"
	    "---------------\nweb07 (exit 0)\n---------------\n"
	    "same\n--- stderr ---\nwarn\n");
	T_ERR(&c, "");
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_gather_truncation_is_announced)
{
	struct drove_sink_opts o = { .max_output = 4 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_GATHER);

	T_TRUE(s != NULL);
	ev_out(s, 0, "abcdefgh");
	ev_out(s, 0, "ij");
	ev_out(s, 1, "abcdXYZ");
	ev_out(s, 2, "abcdefghij");
	ev_err(s, 2, "e");
	ev_out(s, 3, "abcdefghij");
	ev_err(s, 3, "e");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c,
	    "---------------\nweb01 (pending)\n---------------\n"
	    "abcd\n[drove: stdout truncated: 4 of 10 bytes shown]\n"
	    "---------------\nweb02 (pending)\n---------------\n"
	    "abcd\n[drove: stdout truncated: 4 of 7 bytes shown]\n"
	    "---------------\ndb1,web03 (pending)\n---------------\n"
	    "abcd\n[drove: stdout truncated: 4 of 10 bytes shown]\n"
	    "--- stderr ---\ne\n");
	T_EQ(drove_sink_counts(s)[DROVE_ST_PENDING], 4);
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_gather_headers_show_outcomes)
{
	struct drove_sink_opts o = { 0 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_GATHER);
	static const size_t ok[] = { 0, 1, 3, 4, 5 };
	size_t i;

	T_TRUE(s != NULL);
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		ev_out(s, ok[i], "ok\n");
		ev_done(s, ok[i], DROVE_ST_OK, 0, "", "");
	}
	ev_out(s, 9, "bad\n");
	ev_done(s, 9, DROVE_ST_FAILED, 3, "", "");
	ev_done(s, 7, DROVE_ST_TIMEOUT, -1, "", "command timed out after 5s");
	ev_out(s, 2, "bad\n");
	ev_done(s, 2, DROVE_ST_FAILED, 3, "", "");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c,
	    "---------------\nweb[01-05] (exit 0)\n---------------\nok\n"
	    "---------------\ndb[1-2] (exit 3)\n---------------\nbad\n"
	    "---------------\nweb07 (timeout: command timed out after 5s)\n"
	    "---------------\n");
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_diff_groups_against_the_most_common)
{
	struct drove_sink_opts o = { 0 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_DIFF);
	static const size_t ref[] = { 4, 1, 0 }, odd[] = { 5, 3 };
	size_t i;

	T_TRUE(s != NULL);
	for (i = 0; i < 3; i++) {
		ev_out(s, ref[i], "a\nb");
		ev_out(s, ref[i], "\nc\n");
	}
	for (i = 0; i < 2; i++)
		ev_out(s, odd[i], "a\nX\nc\n");
	ev_err(s, 3, "oops\npart");
	ev_out(s, 6, "a\nb\nc\nd\n");
	for (i = 0; i < 7; i++)
		if (i == 2)
			ev_done(s, i, DROVE_ST_UNREACHABLE, -1, "",
			    "connect refused");
		else
			ev_done(s, i, i == 6 ? DROVE_ST_FAILED : DROVE_ST_OK,
			    i == 6 ? 3 : 0, "", "");
	/* stderr is printed as lines go; stdout waits for the end. */
	T_OUT(&c, "");
	T_ERR(&c, "web03: oops\nweb03: part\n");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c,
	    "3 of 7 hosts match the reference output; 3 differ; "
	    "1 not reached\n"
	    "--- reference (3 hosts: web[01-02,04])\n"
	    "+++ web[03,05]\n"
	    "@@ -1,3 +1,3 @@\n a\n-b\n+X\n c\n"
	    "--- reference (3 hosts: web[01-02,04])\n"
	    "+++ web06\n"
	    "@@ -1,3 +1,4 @@\n a\n b\n c\n+d\n"
	    "not reached: db1 (unreachable: connect refused)\n");
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_diff_tie_all_same_and_cut)
{
	struct drove_sink_opts o = { .max_output = 4 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_DIFF);

	/* A tie: the first host's output is the reference. */
	T_TRUE(s != NULL);
	ev_out(s, 3, "xy\n");
	ev_out(s, 1, "ab\n");
	ev_done(s, 3, DROVE_ST_OK, 0, "", "");
	ev_done(s, 1, DROVE_ST_OK, 0, "", "");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c, "1 of 2 hosts match the reference output; 1 differ\n"
	    "--- reference (1 host: web02)\n+++ web03\n"
	    "@@ -1 +1 @@\n-ab\n+xy\n");
	drove_sink_free(s);
	cap_free(&c);

	s = cap_sink(&c, &o, DROVE_OUT_DIFF);
	T_TRUE(s != NULL);
	ev_out(s, 0, "same\n");
	ev_out(s, 1, "same\n");
	ev_done(s, 0, DROVE_ST_OK, 0, "", "");
	ev_done(s, 1, DROVE_ST_FAILED, 1, "", "");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c, "2 of 2 hosts match the reference output\n");
	drove_sink_free(s);
	cap_free(&c);

	/* Cut outputs compare and show what was held, and say so. */
	s = cap_sink(&c, &o, DROVE_OUT_DIFF);
	T_TRUE(s != NULL);
	ev_out(s, 0, "abcdefgh\n");
	ev_out(s, 1, "abcdefgh\n");
	ev_out(s, 3, "abXYZ\n");
	ev_done(s, 0, DROVE_ST_OK, 0, "", "");
	ev_done(s, 1, DROVE_ST_OK, 0, "", "");
	ev_done(s, 3, DROVE_ST_OK, 0, "", "");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c, "2 of 3 hosts match the reference output; 1 differ\n"
	    "--- reference (2 hosts: web[01-02], stdout truncated: 4 of 9 "
	    "bytes compared)\n"
	    "+++ web03 (stdout truncated: 4 of 6 bytes compared)\n"
	    "@@ -1 +1 @@\n-abcd\n\\ No newline at end of file\n"
	    "+abXY\n\\ No newline at end of file\n");
	drove_sink_free(s);
	cap_free(&c);
}

static uint64_t fake_now;

/* A clock that moves only when the test says. */
static uint64_t
fake_clock(void)
{
	return fake_now;
}

/* Send a START event of host i. */
static void
ev_start(drove_sink *s, size_t i)
{
	struct drove_event ev = {
		.type = DROVE_EV_START, .host = i, .name = host_names[i]
	};

	drove_sink_event(&ev, s);
}

/* A LINES sink with a status line, out and err both the stream of c. */
static drove_sink *
tty_sink(struct cap *c, size_t total)
{
	struct drove_sink_opts o = {
		.name_width = 5, .status_line = 1, .total_hosts = total
	};

	memset(c, 0, sizeof *c);
	c->out = open_memstream(&c->obuf, &c->olen);
	o.out = c->out;
	o.err = c->out;
	sink_clock = fake_clock;
	return drove_sink_new(&o, NULL, 0);
}

/* Close the stream of a tty_sink() and put the clock back. */
static void
tty_free(struct cap *c, uint64_t (*clock)(void))
{
	fclose(c->out);
	free(c->obuf);
	sink_clock = clock;
}

#define EL "\r\033[K"

TEST(sink_status_line_around_output)
{
	uint64_t (*clock)(void) = sink_clock;
	struct cap c;
	drove_sink *s = tty_sink(&c, 3);

	T_TRUE(s != NULL);
	fake_now = 1000;
	ev_start(s, 0);
	fake_now = 1050;
	ev_start(s, 1);			/* too soon: not drawn */
	fake_now = 1100;
	ev_out(s, 0, "a\n");		/* erase, print, draw again */
	ev_out(s, 1, "b");		/* nothing printed: untouched */
	fake_now = 3150;
	drove_sink_tick(s);
	fake_now = 3200;
	ev_done(s, 0, DROVE_ST_FAILED, 1, "", "");
	fake_now = 3250;
	drove_sink_tick(s);		/* too soon */
	fake_now = 3260;
	ev_done(s, 1, DROVE_ST_OK, 0, "", "");	/* prints its last line */
	fake_now = 3270;
	ev_start(s, 2);			/* too soon */
	fake_now = 3300;
	drove_sink_tick(s);		/* too soon */
	fake_now = 3360;
	drove_sink_tick(s);
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c,
	    "[ 0/3 done, 0 failed ] slowest: web01 0s"
	    EL "web01: a\n"
	    "[ 0/3 done, 0 failed ] slowest: web01 0s, web02 0s"
	    EL "[ 0/3 done, 0 failed ] slowest: web01 2s, web02 2s"
	    EL "web01: exit 1\n"
	    "[ 1/3 done, 1 failed ] slowest: web02 2s"
	    EL "web02: b\n"
	    "[ 2/3 done, 1 failed ]"
	    EL "[ 2/3 done, 1 failed ] slowest: db1 0s"
	    EL "db1:   pending\n");
	drove_sink_free(s);
	tty_free(&c, clock);
}

TEST(sink_status_line_fits_the_width)
{
	uint64_t (*clock)(void) = sink_clock;
	struct cap c;
	drove_sink *s = tty_sink(&c, 12);
	size_t i;

	T_TRUE(s != NULL);
	fake_now = 0;
	for (i = 0; i < 12; i++)
		ev_start(s, i);
	fake_now = 61000;
	ev_data(s, 5, DROVE_EV_WARN, "slow", 0);
	for (i = 0; i < 12; i++)
		ev_done(s, i, DROVE_ST_OK, 0, "", "");
	T_EQ(drove_sink_finish(s), 0);
	/* 80 columns when err is no terminal; a line is narrower. */
	T_OUT(&c,
	    "[  0/12 done, 0 failed ] slowest: web01 0s"
	    EL "web05: warning: slow\n"
	    "[  0/12 done, 0 failed ] slowest: web01 61s, web02 61s, db1 61s,"
	    " web03 61s"
	    EL);
	drove_sink_free(s);
	tty_free(&c, clock);
}

TEST(sink_status_line_erased_on_free)
{
	uint64_t (*clock)(void) = sink_clock;
	struct cap c;
	drove_sink *s = tty_sink(&c, 1);

	T_TRUE(s != NULL);
	fake_now = 0;
	ev_start(s, 2);
	drove_sink_free(s);
	T_OUT(&c, "[ 0/1 done, 0 failed ] slowest: db1 0s" EL);
	tty_free(&c, clock);
}

TEST(sink_json_objects)
{
	struct drove_sink_opts o = { .max_output = 6 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_JSON);

	T_TRUE(s != NULL);
	ev_out(s, 0, "h");
	ev_out(s, 1, "caf\xc3");
	ev_err(s, 0, "\"x\"\\");
	ev_out(s, 1, "\xa9\xff");
	ev_out(s, 0, "i\n");
	ev_err(s, 0, "\t\x01");
	ev_out(s, 3, "abcdefgh");
	ev_done(s, 0, DROVE_ST_FAILED, 2, "", "");
	ev_done(s, 1, DROVE_ST_OK, 0, "", "");
	ev_done(s, 2, DROVE_ST_UNREACHABLE, -1, "", "connect: refused");
	ev_done(s, 3, DROVE_ST_SIGNAL, -1, "TERM", "");
	T_EQ(drove_sink_finish(s), 0);
	T_OUT(&c,
	    "{\"host\":\"web01\",\"status\":\"failed\",\"exit\":2,"
	    "\"signal\":null,\"stdout\":\"hi\\n\","
	    "\"stderr\":\"\\\"x\\\"\\\\\\t\\u0001\",\"error\":null,"
	    "\"elapsed_ms\":15,\"stdout_bytes\":3,\"stderr_bytes\":6,"
	    "\"truncated\":false,\"retries\":0}\n"
	    "{\"host\":\"web02\",\"status\":\"ok\",\"exit\":0,"
	    "\"signal\":null,\"stdout\":\"caf\xc3\xa9\\u00ff\","
	    "\"stderr\":\"\",\"error\":null,"
	    "\"elapsed_ms\":15,\"stdout_bytes\":6,\"stderr_bytes\":0,"
	    "\"truncated\":false,\"retries\":0}\n"
	    "{\"host\":\"db1\",\"status\":\"unreachable\",\"exit\":null,"
	    "\"signal\":null,\"stdout\":\"\",\"stderr\":\"\","
	    "\"error\":\"connect: refused\","
	    "\"elapsed_ms\":15,\"stdout_bytes\":0,\"stderr_bytes\":0,"
	    "\"truncated\":false,\"retries\":0}\n"
	    "{\"host\":\"web03\",\"status\":\"signal\",\"exit\":null,"
	    "\"signal\":\"TERM\",\"stdout\":\"abcdef\",\"stderr\":\"\","
	    "\"error\":null,"
	    "\"elapsed_ms\":15,\"stdout_bytes\":8,\"stderr_bytes\":0,"
	    "\"truncated\":true,\"retries\":0}\n");
	drove_sink_free(s);
	cap_free(&c);
}

/* 1 when p[0..n) is valid UTF-8 (no overlongs, surrogates, > U+10FFFF). */
static int
utf8_valid(const unsigned char *p, size_t n)
{
	unsigned long cp, min;
	size_t i = 0, k, more;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if ((p[i] & 0xe0) == 0xc0) {
			more = 1;
			min = 0x80;
		} else if ((p[i] & 0xf0) == 0xe0) {
			more = 2;
			min = 0x800;
		} else if ((p[i] & 0xf8) == 0xf0) {
			more = 3;
			min = 0x10000;
		} else
			return 0;
		if (n - i <= more)
			return 0;
		cp = p[i] & (0x3f >> more);
		for (k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += more + 1;
	}
	return 1;
}

/*
 * Decode the JSON string s[0..n) into out, mapping \u0000-\u00ff to bytes;
 * returns the length, or -1 when s is not one well-formed string.
 */
static long
json_decode(const char *s, size_t n, char *out)
{
	size_t i;
	long len = 0;
	unsigned int u;
	const char *esc = "\"\"\\\\n\nr\rt\tb\bf\f//", *e;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return -1;
	for (i = 1; i < n - 1; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == '"')
			return -1;
		if (s[i] != '\\') {
			out[len++] = s[i];
			continue;
		}
		if (++i >= n - 1)
			return -1;
		if (s[i] == 'u') {
			if (i + 4 >= n - 1 ||
			    sscanf(s + i + 1, "%4x", &u) != 1 || u > 0xff)
				return -1;
			out[len++] = (char)u;
			i += 4;
			continue;
		}
		for (e = esc; *e != '\0' && *e != s[i]; e += 2)
			;
		if (*e == '\0')
			return -1;
		out[len++] = e[1];
	}
	return len;
}

/* Append the UTF-8 encoding of cp to p; returns the new end. */
static unsigned char *
utf8_put(unsigned char *p, unsigned long cp)
{
	if (cp < 0x80) {
		*p++ = (unsigned char)cp;
	} else if (cp < 0x800) {
		*p++ = (unsigned char)(0xc0 | cp >> 6);
		*p++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*p++ = (unsigned char)(0xe0 | cp >> 12);
		*p++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		*p++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*p++ = (unsigned char)(0xf0 | cp >> 18);
		*p++ = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		*p++ = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		*p++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	return p;
}

TEST(json_random_bytes_round_trip)
{
	unsigned char in[1024], *p;
	char *js = NULL, dec[1024];
	size_t jlen = 0, n;
	unsigned long cp;
	FILE *f;
	int iter;

	srand(11);
	for (iter = 0; iter < 2000; iter++) {
		p = in;
		n = (size_t)rand() % 200;
		while ((size_t)(p - in) < n) {
			if (rand() % 2 == 0) {
				*p++ = (unsigned char)rand();
				continue;
			}
			cp = (unsigned long)rand() % 0x110000;
			if (cp < 0xd800 || cp > 0xdfff)
				p = utf8_put(p, cp);
		}
		n = (size_t)(p - in);
		f = open_memstream(&js, &jlen);
		T_TRUE(f != NULL);
		json_write_str(f, in, n);
		fclose(f);
		T_TRUE(utf8_valid((unsigned char *)js, jlen));
		T_EQ(json_decode(js, jlen, dec), (long)n);
		T_TRUE(memcmp(dec, in, n) == 0);
		free(js);
		js = NULL;
	}
}

TEST(json_rejects_bad_utf8)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		/* Overlong, surrogate, past U+10FFFF, cut short. */
		{ "\xc0\xaf", "\"\\u00c0\\u00af\"" },
		{ "\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"" },
		{ "\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"" },
		{ "\xe2\x82", "\"\\u00e2\\u0082\"" },
		/* Valid sequences and DEL pass through. */
		{ "\xe2\x82\xac\x7f", "\"\xe2\x82\xac\x7f\"" },
		{ "\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"" },
	};
	char *js = NULL;
	size_t i, jlen = 0;
	FILE *f;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f = open_memstream(&js, &jlen);
		T_TRUE(f != NULL);
		json_write_str(f, cases[i].in, strlen(cases[i].in));
		fclose(f);
		T_STREQ(js, cases[i].want);
		free(js);
		js = NULL;
	}
}

/* Remove one entry of a tree (nftw callback). */
static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* 1 when file dir/name holds exactly want. */
static int
file_is(const char *dir, const char *name, const char *want)
{
	char path[512], data[256];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "%s: missing\n", path);
		return 0;
	}
	n = fread(data, 1, sizeof data, f);
	fclose(f);
	return mem_is(data, n, want, strlen(want));
}

TEST(sink_out_dir_files)
{
	char tmp[] = "/tmp/drove-sink-XXXXXX", dir[64];
	struct drove_sink_opts o = { 0 };
	struct drove_event ev = { .type = DROVE_EV_STDOUT };
	struct cap c;
	drove_sink *s;

	T_TRUE(mkdtemp(tmp) != NULL);
	snprintf(dir, sizeof dir, "%s/a/b/", tmp);
	o.out_dir = dir;
	s = cap_sink(&c, &o, DROVE_OUT_GATHER);
	T_TRUE(s != NULL);
	ev.host = 20;
	ev.name = "web/1";
	ev.data = "one\ntw";
	ev.len = 6;
	drove_sink_event(&ev, s);
	ev.host = 21;
	ev.name = ".hidden";
	ev.type = DROVE_EV_STDERR;
	drove_sink_event(&ev, s);
	ev.host = 20;
	ev.name = "web/1";
	ev.data = "o\n";
	ev.len = 2;
	drove_sink_event(&ev, s);
	ev_done(s, 0, DROVE_ST_OK, 0, "", "");
	ev_done(s, 1, DROVE_ST_SIGNAL, -1, "KILL", "");
	ev_done(s, 2, DROVE_ST_UNREACHABLE, -1, "", "connect refused");
	T_EQ(drove_sink_finish(s), 0);
	T_TRUE(file_is(dir, "web_1.out", "one\ntw"));
	T_TRUE(file_is(dir, "web_1.err", "o\n"));
	T_TRUE(file_is(dir, "web_1.status", "pending -1\n"));
	T_TRUE(file_is(dir, "_hidden.out", ""));
	T_TRUE(file_is(dir, "_hidden.err", "one\ntw"));
	T_TRUE(file_is(dir, "web01.status", "ok 0\n"));
	T_TRUE(file_is(dir, "web02.status",
	    "signal -1 killed by signal KILL\n"));
	T_TRUE(file_is(dir, "db1.status", "unreachable -1 connect refused\n"));
	drove_sink_free(s);
	cap_free(&c);
	T_EQ(nftw(tmp, rm_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

TEST(sink_new_reports_bad_dir)
{
	struct drove_sink_opts o = { .out_dir = "/dev/null/x" };
	char errbuf[256];

	T_TRUE(drove_sink_new(&o, errbuf, sizeof errbuf) == NULL);
	T_TRUE(strstr(errbuf, "create /dev/null/x: ") == errbuf);
	o.out_dir = "/dev/null";
	T_TRUE(drove_sink_new(&o, errbuf, sizeof errbuf) == NULL);
	T_TRUE(strstr(errbuf, "create /dev/null: ") == errbuf);
}

TEST(sink_summary)
{
	struct drove_sink_opts o = { 0 };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_LINES);
	const char *refused = "connect to db port 22: refused";
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	T_TRUE(s != NULL);
	ev_done(s, 0, DROVE_ST_OK, 0, "", "");
	ev_done(s, 1, DROVE_ST_OK, 0, "", "");
	ev_done(s, 3, DROVE_ST_OK, 0, "", "");
	ev_done(s, 7, DROVE_ST_FAILED, 1, "", "");
	ev_done(s, 4, DROVE_ST_FAILED, 1, "", "");
	ev_done(s, 8, DROVE_ST_FAILED, 2, "", "");
	ev_done(s, 11, DROVE_ST_UNREACHABLE, -1, "", refused);
	ev_done(s, 9, DROVE_ST_TIMEOUT, -1, "", "command timed out");
	ev_done(s, 2, DROVE_ST_UNREACHABLE, -1, "", refused);
	ev_done(s, 10, DROVE_ST_UNREACHABLE, -1, "", refused);
	T_EQ(drove_sink_finish(s), 0);
	f = open_memstream(&text, &len);
	drove_sink_summary(s, f);
	fclose(f);
	T_STREQ(text, "10 hosts: 3 ok, 3 failed, 1 timeout, 3 unreachable\n"
	    "failed (2): web[04,07]: exit 1\n"
	    "failed (1): web08: exit 2\n"
	    "timeout (1): db2: command timed out\n"
	    "unreachable (3): db[1,3-4]: connect to db port 22: refused\n");
	T_EQ(drove_sink_counts(s)[DROVE_ST_UNREACHABLE], 3);
	free(text);
	drove_sink_free(s);
	cap_free(&c);
}

TEST(sink_finish_reports_write_errors)
{
	struct drove_sink_opts o = { 0 };
	FILE *full = fopen("/dev/full", "w");
	drove_sink *s;

	T_TRUE(full != NULL);
	o.out = full;
	o.err = full;
	s = drove_sink_new(&o, NULL, 0);
	T_TRUE(s != NULL);
	ev_out(s, 0, "x\n");
	T_EQ(drove_sink_finish(s), DROVE_E_IO);
	drove_sink_free(s);
	fclose(full);
}

TEST(sink_summary_names_retried_hosts)
{
	struct drove_sink_opts o = { 0 };
	struct drove_result r = { .status = DROVE_ST_OK, .reached = 1 };
	struct drove_event ev = { .type = DROVE_EV_DONE, .result = &r };
	struct cap c;
	drove_sink *s = cap_sink(&c, &o, DROVE_OUT_LINES);
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;

	T_TRUE(s != NULL);
	for (i = 0; i < 4; i++) {
		ev.host = i;
		ev.name = host_names[i];
		r.retries = i == 1 || i == 2 ? 1 : 0;
		drove_sink_event(&ev, s);
	}
	T_EQ(drove_sink_finish(s), 0);
	f = open_memstream(&text, &len);
	drove_sink_summary(s, f);
	fclose(f);
	T_STREQ(text, "4 hosts: 4 ok\nconnected after a retry: db1,web02\n");
	free(text);
	drove_sink_free(s);
	cap_free(&c);
	/* a host that failed after retries says so with its failure */
	s = cap_sink(&c, &o, DROVE_OUT_LINES);
	T_TRUE(s != NULL);
	r.status = DROVE_ST_REFUSED;
	r.reached = 0;
	r.retries = 1;
	snprintf(r.msg, sizeof r.msg, "connection refused");
	ev.host = 0;
	ev.name = host_names[0];
	drove_sink_event(&ev, s);
	T_EQ(drove_sink_finish(s), 0);
	text = NULL;
	f = open_memstream(&text, &len);
	drove_sink_summary(s, f);
	fclose(f);
	T_STREQ(text, "1 host: 1 refused\nrefused (1): web01: connection "
	    "refused (after 2 tries)\n");
	free(text);
	drove_sink_free(s);
	cap_free(&c);
}
