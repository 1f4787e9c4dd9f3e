/*
 * test-client.c: the blocking client's checks that need no server: calls
 * without a connection, bad options and arguments, and a connect that
 * fails on a local identity file before any network use.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "drove.h"
#include "test.h"

/* An output callback that is never called without a connection. */
static void
sink(int stream, const char *data, size_t len, void *arg)
{
	(void)stream;
	(void)data;
	(void)len;
	(void)arg;
}

TEST(client_calls_need_a_connection)
{
	struct drove_client_result *r = (struct drove_client_result *)&r;
	struct drove_client_result st;
	struct drove_client_stat sb;
	drove_client *c = drove_client_new();
	char self[] = "/tmp/drove-test-client.XXXXXX";
	int fd = 0, tmp;

	T_TRUE(c != NULL);
	T_STREQ(drove_client_error(c), "");
	T_EQ(drove_client_exec(c, "true", &r), DROVE_E_INVAL);
	T_TRUE(r == NULL);
	T_STREQ(drove_client_error(c), "not connected");
	T_EQ(drove_client_exec_stream(c, "true", sink, NULL, &st),
	    DROVE_E_INVAL);
	T_EQ(drove_client_exec_stream(c, "true", NULL, NULL, &st),
	    DROVE_E_INVAL);
	T_STREQ(drove_client_error(c), "no output callback");
	T_EQ(drove_client_stat(c, "/", &sb), DROVE_E_INVAL);
	T_EQ(drove_client_mkdir(c, "/x", 0755), DROVE_E_INVAL);
	T_EQ(drove_client_remove(c, "/x"), DROVE_E_INVAL);
	T_EQ(drove_client_rename(c, "/x", "/y"), DROVE_E_INVAL);
	T_EQ(drove_client_rename(c, "/x", ""), DROVE_E_INVAL);
	T_STREQ(drove_client_error(c), "empty path");
	T_EQ(drove_client_get(c, "/x", "/tmp/never"), DROVE_E_INVAL);
	T_TRUE(access("/tmp/never", F_OK) != 0);
	T_TRUE((tmp = mkstemp(self)) != -1);
	close(tmp);
	T_EQ(drove_client_put(c, self, "/x", -1), DROVE_E_INVAL);
	T_STREQ(drove_client_error(c), "not connected");
	unlink(self);
	T_EQ(drove_client_put(c, self, "/x", -1), DROVE_E_IO);
	T_TRUE(strstr(drove_client_error(c), "No such file") != NULL);
	T_EQ(drove_client_put(c, "/", "/x", -1), DROVE_E_INVAL);
	T_TRUE(strstr(drove_client_error(c), "not a regular file") != NULL);
	T_EQ(drove_client_invoke_shell(c, NULL, 0, 0, &fd), DROVE_E_INVAL);
	T_EQ(fd, -1);
	drove_client_shell_resize(c, 10, 10);
	T_EQ(drove_client_shell_close(c, &st), DROVE_E_INVAL);
	T_STREQ(drove_client_error(c), "no shell");
	T_EQ(drove_client_close(c), 0);
	drove_client_free(c);
	drove_client_free(NULL);
	drove_client_result_free(NULL);
}

TEST(client_options_and_arguments_checked)
{
	drove_client *c = drove_client_new();

	T_TRUE(c != NULL);
	T_EQ(drove_client_set_hostkey_policy(c, DROVE_HOSTKEY_ASK),
	    DROVE_E_INVAL);
	T_EQ(drove_client_set_hostkey_policy(c, DROVE_HOSTKEY_OFF), 0);
	T_EQ(drove_client_set_hostkey_policy(c, DROVE_HOSTKEY_ACCEPT_NEW), 0);
	T_EQ(drove_client_add_identity(c, NULL), DROVE_E_INVAL);
	T_EQ(drove_client_set_password(c, "secret"), 0);
	T_EQ(drove_client_set_password(c, NULL), 0);
	T_EQ(drove_client_set_known_hosts(c, NULL), 0);
	T_EQ(drove_client_connect(c, NULL, 22, "u"), DROVE_E_INVAL);
	T_EQ(drove_client_connect(c, "", 22, "u"), DROVE_E_INVAL);
	T_EQ(drove_client_connect(c, "127.0.0.1", 65536, "u"),
	    DROVE_E_INVAL);
	T_STREQ(drove_client_error(c), "connect: bad host or port");
	drove_client_free(c);
}

TEST(client_connect_fails_on_an_identity_before_the_network)
{
	drove_client *c = drove_client_new();

	T_TRUE(c != NULL);
	T_EQ(drove_client_set_known_hosts(c, "/nonexistent/known_hosts"), 0);
	T_EQ(drove_client_use_agent(c, 0), 0);
	T_EQ(drove_client_use_default_identities(c, 0), 0);
	T_EQ(drove_client_add_identity(c, "/nonexistent/id_ed25519"), 0);
	T_EQ(drove_client_connect(c, "127.0.0.1", 22, "u"), DROVE_E_IO);
	T_TRUE(strstr(drove_client_error(c), "/nonexistent/id_ed25519") !=
	    NULL);
	/* nothing is left half made: the same again, then a plain call */
	T_EQ(drove_client_connect(c, "127.0.0.1", 22, "u"), DROVE_E_IO);
	T_EQ(drove_client_stat(c, "/", &(struct drove_client_stat){ 0 }),
	    DROVE_E_INVAL);
	drove_client_free(c);
}
