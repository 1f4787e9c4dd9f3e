/*
 * test-record.c: the asciicast v2 writer (header, escaping, UTF-8 held
 * whole across events, resizes), the event reader, and playback.
 */
#include <stdlib.h>
#include <unistd.h>

#include "drove.h"
#include "jobs/record.h"
#include "test.h"

/* Run fn on a recorder over a memory stream; the text it wrote. */
static char *
recorded(void (*fn)(struct record *))
{
	struct record r;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	record_init(&r, m);
	fn(&r);
	fclose(m);
	return text;
}

static void
write_header(struct record *r)
{
	record_header(r, 100, 30, 1700000000, "xterm", "/bin/sh");
}

TEST(record_header_line)
{
	char *t = recorded(write_header);

	T_STREQ(t, "{\"version\": 2, \"width\": 100, \"height\": 30, "
	    "\"timestamp\": 1700000000, \"env\": {\"SHELL\": \"/bin/sh\", "
	    "\"TERM\": \"xterm\"}}\n");
	free(t);
}

static void
write_events(struct record *r)
{
	record_event(r, 1.5, 'o', "a\"b\\\n\x01", 6);
	record_event(r, 2, 'o', "caf\xc3", 4);	/* é cut in two */
	record_event(r, 2.25, 'o', "\xa9!", 2);
	record_event(r, 3, 'o', "\xe2\x82", 2);	/* only a part: held */
	record_event(r, 3.5, 'i', "ls\r", 3);
	record_resize(r, 4, 120, 40);
}

TEST(record_events_escape_and_keep_utf8_whole)
{
	char *t = recorded(write_events);

	T_STREQ(t, "[1.500000, \"o\", \"a\\\"b\\\\\\n\\u0001\"]\n"
	    "[2.000000, \"o\", \"caf\"]\n"
	    "[2.250000, \"o\", \"\xc3\xa9!\"]\n"
	    "[3.500000, \"i\", \"ls\\r\"]\n"
	    "[4.000000, \"r\", \"120x40\"]\n");
	free(t);
}

TEST(record_parse_event_decodes_json)
{
	double t;
	char type, *data;
	size_t len;

	T_EQ(record_parse_event("[1.5, \"o\", \"a\\\"b\\\\\\n\\u0001\\/\"]\n",
	    &t, &type, &data, &len), 0);
	T_TRUE(t == 1.5);
	T_EQ(type, 'o');
	T_EQ(len, 7);
	T_TRUE(memcmp(data, "a\"b\\\n\x01/", 7) == 0);
	free(data);
	T_EQ(record_parse_event(" [0.25,\"r\",\"80x24\"] ", &t, &type, &data,
	    &len), 0);
	T_EQ(type, 'r');
	T_STREQ(data, "80x24");
	free(data);
	/* a code point and a surrogate pair become UTF-8 */
	T_EQ(record_parse_event("[2, \"o\", \"\\u00e9\\ud83d\\ude00\"]", &t,
	    &type, &data, &len), 0);
	T_STREQ(data, "\xc3\xa9\xf0\x9f\x98\x80");
	free(data);
}

TEST(record_parse_event_rejects_bad_lines)
{
	static const char *bad[] = {
		"", "{\"version\": 2}", "[1, \"o\"]", "[-1, \"o\", \"x\"]",
		"[1, \"oo\", \"x\"]", "[1, \"o\", \"x\"", "[1, \"o\", \"x\"] y",
		"[1, \"o\", \"\\q\"]", "[1, \"o\", \"\\u12\"]", "[x, \"o\", \"\"]",
	};
	double t;
	char type, *data;
	size_t i, len;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		T_EQ(record_parse_event(bad[i], &t, &type, &data, &len),
		    DROVE_E_INVAL);
		T_TRUE(data == NULL);
	}
}

TEST(record_parse_header_wants_version_2)
{
	unsigned int c = 0, r = 0;

	T_TRUE(record_parse_header("{\"version\": 2, \"width\": 100, "
	    "\"height\": 30}", &c, &r));
	T_EQ(c, 100);
	T_EQ(r, 30);
	T_TRUE(!record_parse_header("{\"version\": 1, \"width\": 100, "
	    "\"height\": 30}", &c, &r));
	T_TRUE(!record_parse_header("[1, \"o\", \"x\"]", &c, &r));
}

/* Play text as a cast file; the result, and what came out in out. */
static int
play(const char *text, char *out, size_t outlen, char *msg, size_t msglen)
{
	FILE *in = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	int p[2], rc;
	ssize_t n;

	if (in == NULL || pipe(p) != 0)
		return -100;
	rc = drove_cast_play(in, p[1], 1, 0, msg, msglen);
	close(p[1]);
	n = read(p[0], out, outlen - 1);
	out[n > 0 ? n : 0] = '\0';
	close(p[0]);
	fclose(in);
	return rc;
}

TEST(record_play_writes_output_events)
{
	char out[256], msg[128];

	T_EQ(play("{\"version\": 2, \"width\": 80, \"height\": 24}\n"
	    "[0.5, \"o\", \"one \"]\n[0.6, \"i\", \"typed\"]\n"
	    "[0.7, \"r\", \"100x30\"]\n\n[100, \"o\", \"two\\r\\n\"]\n", out,
	    sizeof out, msg, sizeof msg), 0);
	T_STREQ(out, "one two\r\n");
	T_EQ(play("[0.5, \"o\", \"x\"]\n", out, sizeof out, msg, sizeof msg),
	    DROVE_E_INVAL);
	T_STREQ(msg, "line 1: not an asciicast v2 header");
	T_EQ(play("{\"version\": 2, \"width\": 80, \"height\": 24}\n"
	    "[2, \"o\", \"a\"]\n[1, \"o\", \"b\"]\n", out, sizeof out, msg,
	    sizeof msg), DROVE_E_INVAL);
	T_STREQ(msg, "line 3: time goes back");
	T_EQ(play("{\"version\": 2, \"width\": 80, \"height\": 24}\n"
	    "[2, \"o\", \"a\"]\nnot json\n", out, sizeof out, msg,
	    sizeof msg), DROVE_E_INVAL);
	T_STREQ(msg, "line 3: not an event");
}
