/*
 * test-vis.c: what vis_write() lets through to a terminal and what it
 * shows as \xHH.
 */
#include <stdlib.h>

#include "output/vis.h"
#include "test.h"

/* vis_write() of in (len bytes) with sgr, as a string in out. */
static int
vis(const char *in, size_t len, int sgr, char *out, size_t size)
{
	FILE *f;
	int used;

	if ((f = fmemopen(out, size, "w")) == NULL)
		return -1;
	used = vis_write(f, in, len, sgr);
	fclose(f);
	return used;
}

TEST(vis_controls)
{
	char out[256];
	static const char in[] = "a\tb\r\033[2J\007\177\n";

	T_EQ(vis(in, sizeof in - 1, 0, out, sizeof out), 0);
	T_STREQ(out, "a\tb\\x0d\\x1b[2J\\x07\\x7f\n");
	T_EQ(vis("\0z", 2, 0, out, sizeof out), 0);
	T_STREQ(out, "\\x00z");
}

TEST(vis_utf8)
{
	char out[256];
	/* é, €, 😀 pass; C1 CSI as UTF-8, a raw C1, overlong ESC, a
	 * surrogate and a cut sequence do not */
	static const char in[] = "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|"
	    "\xc2\x9b|\x9b|\xc0\x9b|\xed\xa0\x80|\xe2\x82";

	T_EQ(vis(in, sizeof in - 1, 0, out, sizeof out), 0);
	T_STREQ(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\\xc2\\x9b|\\x9b|"
	    "\\xc0\\x9b|\\xed\\xa0\\x80|\\xe2\\x82");
}

TEST(vis_sgr)
{
	char out[256];
	static const char in[] = "\033[1;31mred\033[0m \033[38:5:9mx\033[2J"
	    "\033]0;t\007";

	T_EQ(vis(in, sizeof in - 1, 1, out, sizeof out), 1);
	T_STREQ(out, "\033[1;31mred\033[0m \033[38:5:9mx\\x1b[2J\\x1b]0;t"
	    "\\x07");
	T_EQ(vis(in, sizeof in - 1, 0, out, sizeof out), 0);
	T_STREQ(out, "\\x1b[1;31mred\\x1b[0m \\x1b[38:5:9mx\\x1b[2J\\x1b]0;"
	    "t\\x07");
}
