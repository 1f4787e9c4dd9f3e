/*
 * test-shell.c: the shell's escape filter (OpenSSH's rules: only after a
 * newline; ~. ~? ~~; other bytes pass with the escape), and a shell needs
 * exactly one host.
 */
#include "drove.h"
#include "jobs/shell.h"
#include "test.h"

/* Feed typed text through a filter with escape ch; what would be sent,
 * with "<.>" and "<?>" where the escape acted. */
static void
filter(int ch, const char *typed, char *sent, size_t size)
{
	struct shell_esc e;
	enum shell_esc_action a;
	char two[2];
	size_t n, len = 0;

	shell_esc_init(&e, ch);
	for (; *typed != '\0'; typed++) {
		a = shell_esc_byte(&e, (unsigned char)*typed, two, &n);
		if (a != SHELL_ESC_NONE) {
			len += (size_t)snprintf(sent + len, size - len, "<%c>",
			    a == SHELL_ESC_DISCONNECT ? '.' : '?');
			continue;
		}
		memcpy(sent + len, two, n);
		len += n;
	}
	sent[len] = '\0';
}

TEST(shell_escape_after_newline_only)
{
	char s[128];

	filter('~', "~.", s, sizeof s);
	T_STREQ(s, "<.>");
	filter('~', "ls\r~.", s, sizeof s);
	T_STREQ(s, "ls\r<.>");
	filter('~', "ls\n~?", s, sizeof s);
	T_STREQ(s, "ls\n<?>");
	filter('~', "echo ~.", s, sizeof s);
	T_STREQ(s, "echo ~.");
	filter('~', "~?~.", s, sizeof s);
	T_STREQ(s, "<?><.>");
}

TEST(shell_escape_sends_tilde_and_others)
{
	char s[128];

	filter('~', "~~.", s, sizeof s);
	T_STREQ(s, "~.");			/* one ~, then not at a line start */
	filter('~', "~x~.", s, sizeof s);
	T_STREQ(s, "~x~.");
	filter('~', "~\r~.", s, sizeof s);
	T_STREQ(s, "~\r<.>");			/* the newline counts */
}

TEST(shell_escape_char_or_none)
{
	char s[128];

	filter('%', "~.\r%.", s, sizeof s);
	T_STREQ(s, "~.\r<.>");
	filter(-1, "~.\r~?", s, sizeof s);
	T_STREQ(s, "~.\r~?");
	filter(0x1d, "\x1d.", s, sizeof s);	/* -e ^] */
	T_STREQ(s, "<.>");
}

TEST(shell_needs_one_host)
{
	struct drove_shell_opts o;
	struct drove_hostspec h;
	drove_fleet *f = drove_fleet_new();

	memset(&o, 0, sizeof o);
	memset(&h, 0, sizeof h);
	T_EQ(drove_fleet_shell(f, &o), DROVE_E_INVAL);
	T_STREQ(drove_fleet_error(f), "a shell needs one host, not 0");
	h.name = "a";
	drove_fleet_add_host(f, &h);
	h.name = "b";
	drove_fleet_add_host(f, &h);
	T_EQ(drove_fleet_shell(f, &o), DROVE_E_INVAL);
	T_STREQ(drove_fleet_error(f), "a shell needs one host, not 2");
	drove_fleet_free(f);
}
