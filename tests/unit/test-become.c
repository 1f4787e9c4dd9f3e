/*
 * test-become.c: the become filter: the wrapped commands, and the prompt
 * and start watch fed output in pieces as a channel would give it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "engine/fleet.h"
#include "jobs/become.h"
#include "test.h"

/* Output handed on by the filter, per stream. */
static struct buf got[2];
static char name[] = "h1";

static void
take(void *arg, int stream, const char *p, size_t n)
{
	(void)arg;
	buf_append(&got[stream], p, n);
}

/* A fleet of one host with become set as given; its filter in *b. */
static drove_fleet *
one_host(const char *method, const char *user, const char *pw, int shell,
    struct become **b)
{
	struct drove_hostspec spec;
	drove_fleet *f = drove_fleet_new();

	memset(&spec, 0, sizeof spec);
	spec.name = "h1";
	spec.become = "yes";
	spec.become_method = method;
	spec.become_user = user;
	spec.become_password = pw;
	drove_fleet_add_host(f, &spec);
	strcpy(f->become_mark, "0123456789abcdef");
	*b = NULL;
	become_host(f, 0, shell, b);
	buf_release(&got[0]);
	buf_release(&got[1]);
	return f;
}

/* A session as far as the filter looks at one: a name, an error. */
static void
fake_sess(struct sess *s)
{
	memset(s, 0, sizeof *s);
	s->name = name;
}

/* Feed text to the filter as stream's output. */
static int
feed(struct become *b, struct sess *s, int stream, const char *text)
{
	return become_output(b, s, stream, text, strlen(text), take, NULL);
}

TEST(become_commands_quote_user_and_command)
{
	struct become *b;
	drove_fleet *f;
	char *c;

	f = one_host(NULL, "app user", NULL, 0, &b);
	c = become_command(b, "echo 'a b'");
	T_STREQ(c, "sudo -S -p '[drove-become-0123456789abcdef] ' -u "
	    "'app user' -- sh -c 'echo drove-became-0123456789abcdef; "
	    "echo '\\''a b'\\'''");
	T_EQ(become_pty(b), 0);
	free(c);
	become_free(b);
	drove_fleet_free(f);

	f = one_host("su", NULL, NULL, 0, &b);
	c = become_command(b, "id");
	T_STREQ(c, "su 'root' -c 'sh -c '\\''echo "
	    "drove-became-0123456789abcdef; id'\\'''");
	T_EQ(become_pty(b), 1);
	free(c);
	become_free(b);
	drove_fleet_free(f);

	f = one_host("sudo", NULL, NULL, 1, &b);
	c = become_command(b, NULL);
	T_STREQ(c, "sudo -S -p '[drove-become-0123456789abcdef] ' -i -u "
	    "'root' -- sh -c 'echo drove-became-0123456789abcdef; exec "
	    "\"$SHELL\" -l'");
	free(c);
	become_free(b);
	drove_fleet_free(f);
}

TEST(become_without_become_is_no_filter)
{
	struct drove_hostspec spec;
	struct become *b;
	drove_fleet *f = drove_fleet_new();

	memset(&spec, 0, sizeof spec);
	spec.name = "h1";
	drove_fleet_add_host(f, &spec);
	T_EQ(become_host(f, 0, 0, &b), 0);
	T_EQ(b == NULL, 1);
	spec.become_method = "doas";
	T_EQ(drove_fleet_add_host(f, &spec), DROVE_E_INVAL);
	T_STREQ(drove_fleet_error(f), "h1: bad become method 'doas' (sudo "
	    "or su)");
	drove_fleet_free(f);
}

TEST(become_prompt_in_pieces_then_start)
{
	struct sess s;
	struct become *b;
	drove_fleet *f = one_host(NULL, NULL, "pw", 0, &b);

	fake_sess(&s);
	T_EQ(feed(b, &s, 1, "sudo: a warning\n[drove-become-0123"), 0);
	T_EQ(become_due(b), 0);
	T_EQ(feed(b, &s, 1, "456789abcdef] "), 0);
	T_EQ(become_due(b), 1);
	T_EQ(become_idle(b), 0);	/* the password is due */
	T_EQ(feed(b, &s, 0, "drove-became-0123456789abcdef\nout"), 0);
	T_EQ(become_started(b), 1);
	T_STREQ(got[0].data, "out");
	T_STREQ(got[1].data, "sudo: a warning\n");
	T_EQ(feed(b, &s, 1, "[drove-become-0123456789abcdef] "), 0);
	T_STREQ(got[1].data, "sudo: a warning\n[drove-become-0123456789abcdef] ");
	become_free(b);
	drove_fleet_free(f);
}

TEST(become_second_prompt_is_a_wrong_password)
{
	struct sess s;
	struct become *b;
	drove_fleet *f = one_host(NULL, NULL, "pw", 0, &b);

	fake_sess(&s);
	T_EQ(feed(b, &s, 1, "[drove-become-0123456789abcdef] "), 0);
	T_EQ(feed(b, &s, 1, "Sorry, try again.\n"
	    "[drove-become-0123456789abcdef] "), DROVE_E_AUTH);
	T_STREQ(s.err.msg, "become: incorrect password for sudo: Sorry, try "
	    "again.");
	T_EQ(got[0].len + got[1].len, 0);
	become_free(b);
	drove_fleet_free(f);
}

TEST(become_no_password_and_ended)
{
	struct sess s;
	struct become *b;
	drove_fleet *f = one_host(NULL, NULL, NULL, 0, &b);

	fake_sess(&s);
	T_EQ(feed(b, &s, 1, "[drove-become-0123456789abcdef] "),
	    DROVE_E_AUTH);
	T_STREQ(s.err.msg, "become: sudo asks for a password and none was "
	    "given (-K, become_password_env)");
	become_free(b);
	drove_fleet_free(f);

	f = one_host(NULL, NULL, NULL, 0, &b);
	T_EQ(feed(b, &s, 1, "sudo: sorry, you must have a tty to run sudo\n"),
	    0);
	T_EQ(become_ended(b, &s), 1);	/* once more, with a pty */
	T_EQ(become_pty(b), 1);
	T_EQ(feed(b, &s, 1, "sudo: sorry, you must have a tty to run sudo\n"),
	    0);
	T_EQ(become_ended(b, &s), DROVE_E_AUTH);
	T_STREQ(s.err.msg, "become: sudo: sorry, you must have a tty to run "
	    "sudo");
	become_free(b);
	drove_fleet_free(f);
}

TEST(become_su_prompt_not_its_own_message)
{
	struct sess s;
	struct become *b;
	drove_fleet *f = one_host("su", NULL, "pw", 0, &b);

	fake_sess(&s);
	T_EQ(feed(b, &s, 0, "Passwort: "), 0);
	T_EQ(become_due(b), 1);
	T_EQ(feed(b, &s, 0, "\nsu: "), 0);
	T_EQ(feed(b, &s, 0, "Authentication failure\n"), 0);
	T_EQ(become_ended(b, &s), DROVE_E_AUTH);
	T_STREQ(s.err.msg, "become: su: Authentication failure");
	become_free(b);
	drove_fleet_free(f);
}
