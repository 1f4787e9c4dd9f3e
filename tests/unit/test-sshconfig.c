/*
 * test-sshconfig.c: OpenSSH client config: every keyword drove reads, first
 * value wins, Host and Match host patterns with negation, Include with globs
 * relative to ~/.ssh (inside a block too), %-tokens and ~, errors naming
 * file:line and the token, and precedence in the inventory (inventory vars,
 * then ssh_config, then defaults) with the source of each value.
 */
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "drove.h"
#include "inventory/sshconfig.h"
#include "test.h"

/* Collect "var=value@line" for each reported var. */
static int
collect(const char *var, const char *value, const char *file, unsigned line,
    void *arg)
{
	(void)file;
	return buf_printf(arg, "%s=%s@%u ", var, value, line);
}

/* What lookup reports for host, in a static buffer. */
static const char *
look(const struct sshcfg *cfg, const char *host)
{
	static char out[2048];
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "");
	sshcfg_lookup(cfg, host, collect, &b);
	snprintf(out, sizeof out, "%s", b.data);
	buf_release(&b);
	return out;
}

TEST(sshconfig_every_keyword)
{
	struct sshcfg *cfg = sshcfg_new();

	setenv("HOME", "/home/t", 1);
	T_EQ(sshcfg_parse(cfg, "cfg",
	    "# a comment\n"
	    "Host web1\n"
	    "  HostName 10.0.0.1\n"
	    "  User deploy\n"
	    "  Port 2222\n"
	    "  IdentityFile ~/.ssh/id_%h\n"
	    "  IdentitiesOnly yes\n"
	    "  UserKnownHostsFile ~/kh /etc/kh2\n"
	    "  StrictHostKeyChecking accept-new\n"
	    "  ConnectTimeout=5\n"
	    "  ServerAliveInterval = 15\n"
	    "  ProxyJump bastion\n"
	    "  ForwardAgent yes\n"), 0);
	T_STREQ(look(cfg, "web1"), "ansible_host=10.0.0.1@3 "
	    "ansible_user=deploy@4 ansible_port=2222@5 "
	    "ansible_ssh_private_key_file=/home/t/.ssh/id_%h@6 "
	    "ssh_identities_only=yes@7 ssh_user_known_hosts_file=/home/t/kh@8 "
	    "ssh_strict_host_key_checking=accept-new@9 "
	    "ssh_connect_timeout=5@10 ssh_server_alive_interval=15@11 "
	    "ssh_proxy_jump=bastion@12 ");
	T_STREQ(look(cfg, "web2"), "");
	sshcfg_free(cfg);
}

TEST(sshconfig_first_value_wins_and_patterns)
{
	struct sshcfg *cfg = sshcfg_new();

	T_EQ(sshcfg_parse(cfg, "cfg",
	    "Host *.example.com !bad.example.com\n"
	    "  User ex\n"
	    "Host db? \"quoted host\"\n"
	    "  User db\n"
	    "  Port 2200\n"
	    "Match host WEB*,!web9\n"
	    "  User web\n"
	    "Match all\n"
	    "  User fallback\n"
	    "  Port 22\n"
	    "Match exec \"true\"\n"
	    "  Port 1\n"
	    "Match !host nomatch\n"
	    "  ProxyJump j\n"), 0);
	T_STREQ(look(cfg, "a.example.com"), "ansible_user=ex@2 "
	    "ansible_port=22@10 ssh_proxy_jump=j@14 ");
	T_STREQ(look(cfg, "bad.example.com"), "ansible_user=fallback@9 "
	    "ansible_port=22@10 ssh_proxy_jump=j@14 ");
	T_STREQ(look(cfg, "db1"), "ansible_user=db@4 ansible_port=2200@5 "
	    "ssh_proxy_jump=j@14 ");
	T_STREQ(look(cfg, "db12"), "ansible_user=fallback@9 "
	    "ansible_port=22@10 ssh_proxy_jump=j@14 ");
	T_STREQ(look(cfg, "web1"), "ansible_user=web@7 ansible_port=22@10 "
	    "ssh_proxy_jump=j@14 ");
	T_STREQ(look(cfg, "web9"), "ansible_user=fallback@9 "
	    "ansible_port=22@10 ssh_proxy_jump=j@14 ");
	T_STREQ(look(cfg, "nomatch"), "ansible_user=fallback@9 "
	    "ansible_port=22@10 ");
	T_EQ(sshcfg_match_list("a.b", "*.b"), 1);
	T_EQ(sshcfg_match_list("a.b", "!a.b *"), 0);
	T_EQ(sshcfg_match_list("x", "!a.b"), 0);
	T_EQ(sshcfg_match_list("abc", "a?c"), 1);
	T_EQ(sshcfg_match_list("abbc", "a?c"), 0);
	T_EQ(sshcfg_match_list("aXbXc", "a*b*c"), 1);
	sshcfg_free(cfg);
}

/* Write text to path. */
static int
wfile(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

TEST(sshconfig_include)
{
	struct sshcfg *cfg = sshcfg_new();
	char dir[64], p[128], cmd[128];

	snprintf(dir, sizeof dir, "/tmp/drove-sshcfg-XXXXXX");
	T_TRUE(mkdtemp(dir) != NULL);
	setenv("HOME", dir, 1);
	snprintf(p, sizeof p, "%s/.ssh", dir);
	T_EQ(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/.ssh/conf.d", dir);
	T_EQ(mkdir(p, 0700), 0);
	snprintf(p, sizeof p, "%s/.ssh/conf.d/b.conf", dir);
	T_EQ(wfile(p, "Host b\n  User from-b\n"), 0);
	snprintf(p, sizeof p, "%s/.ssh/conf.d/a.conf", dir);
	T_EQ(wfile(p, "User from-a\nHost a\n  Port 2201\n"), 0);
	snprintf(p, sizeof p, "%s/.ssh/only-web", dir);
	T_EQ(wfile(p, "Port 2300\nHost *\n  IdentitiesOnly yes\n"), 0);
	snprintf(p, sizeof p, "%s/.ssh/config", dir);
	T_EQ(wfile(p, "Include conf.d/*.conf\n"
	    "Host web\n"
	    "  Include only-web\n"
	    "Host *\n"
	    "  User last\n"), 0);
	T_EQ(sshcfg_load(cfg, p, 0), 0);
	/* a.conf's top line applies to all; its Host a block to a only */
	T_STREQ(look(cfg, "a"), "ansible_user=from-a@1 ansible_port=2201@3 ");
	T_STREQ(look(cfg, "b"), "ansible_user=from-a@1 ");
	T_STREQ(look(cfg, "web"), "ansible_user=from-a@1 ansible_port=2300@1 "
	    "ssh_identities_only=yes@3 ");
	T_STREQ(look(cfg, "zz"), "ansible_user=from-a@1 ");
	sshcfg_free(cfg);
	/* a missing optional file is fine; a missing Include glob too */
	cfg = sshcfg_new();
	snprintf(p, sizeof p, "%s/.ssh/nosuch", dir);
	T_EQ(sshcfg_load(cfg, p, 1), 0);
	T_EQ(sshcfg_load(cfg, p, 0), DROVE_E_IO);
	T_EQ(sshcfg_parse(cfg, "c", "Include nothing-*.conf\nPort 5\n"), 0);
	T_STREQ(look(cfg, "x"), "ansible_port=5@2 ");
	sshcfg_free(cfg);
	/* an Include of itself ends at the depth limit */
	cfg = sshcfg_new();
	snprintf(p, sizeof p, "%s/.ssh/loop", dir);
	T_EQ(wfile(p, "Include loop\n"), 0);
	T_EQ(sshcfg_load(cfg, p, 0), DROVE_E_INVENTORY);
	T_TRUE(strstr(sshcfg_error(cfg), "include nested too deeply") != NULL);
	T_STREQ(look(cfg, "x"), "");
	sshcfg_free(cfg);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	T_EQ(system(cmd), 0);
}

TEST(sshconfig_errors)
{
	static const struct {
		const char	*text;
		const char	*msg;
	} cases[] = {
		{ "Host a\n  Port 0\n", "f:2: bad port '0'" },
		{ "Port 70000\n", "f:1: bad port '70000'" },
		{ "Port\n", "f:1: missing argument for 'Port'" },
		{ "User a b\n", "f:1: garbage at end of line: 'b'" },
		{ "\n\nHostName \"abc\n", "f:3: unterminated quote in 'abc'" },
		{ "IdentitiesOnly maybe\n",
		    "f:1: expected yes or no, found 'maybe'" },
		{ "StrictHostKeyChecking sometimes\n", "f:1: expected yes, no, "
		    "ask, accept-new or off, found 'sometimes'" },
		{ "ConnectTimeout soon\n",
		    "f:1: bad number of seconds 'soon'" },
		{ "Host\n", "f:1: missing pattern after 'Host'" },
		{ "Match\n", "f:1: missing criteria after 'Match'" },
		{ "Match host\n",
		    "f:1: missing argument for match criterion 'host'" },
		{ "Match colour blue\n",
		    "f:1: unknown match criterion 'colour'" },
		{ "Match all host x\n", "f:1: 'all' cannot be combined with "
		    "other criteria at 'all'" },
		{ "IdentityFile %z\n", "f:1: unknown token in '%z'" },
	};
	struct sshcfg *cfg;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = sshcfg_new();
		T_EQ(sshcfg_parse(cfg, "Port 1\n", "Port 1\n"), 0);
		T_EQ(sshcfg_parse(cfg, "f", cases[i].text), DROVE_E_INVENTORY);
		T_STREQ(sshcfg_error(cfg), cases[i].msg);
		/* the bad text left nothing, the good text stays */
		T_STREQ(look(cfg, "h"), "ansible_port=1@1 ");
		sshcfg_free(cfg);
	}
}

TEST(sshconfig_expand)
{
	char *s;

	setenv("USER", "me", 1);
	T_EQ(sshcfg_expand("/k/%h-%r-%p-%u-%%", "h1", "bob", "22", &s), 0);
	T_STREQ(s, "/k/h1-bob-22-me-%");
	free(s);
	T_EQ(sshcfg_expand("%", "h", "u", "1", &s), DROVE_E_INVENTORY);
	T_TRUE(s == NULL);
}

/* Collect "name=value (source)" lines. */
static int
srcs(const char *name, const char *value, const char *source, void *arg)
{
	return buf_printf(arg, "%s=%s (%s)\n", name, value, source);
}

TEST(sshconfig_inventory_precedence)
{
	drove_inventory *inv = drove_inventory_new();
	struct drove_hostspec spec;
	char dir[64], cfgp[128], invp[128], cmd[512];
	struct buf b;

	snprintf(dir, sizeof dir, "/tmp/drove-sshinv-XXXXXX");
	T_TRUE(mkdtemp(dir) != NULL);
	setenv("HOME", dir, 1);
	setenv("USER", "me", 1);
	snprintf(cfgp, sizeof cfgp, "%s/config", dir);
	snprintf(invp, sizeof invp, "%s/inv.yml", dir);
	T_EQ(wfile(cfgp, "Host web1 10.9.9.9\n"
	    "  HostName 10.0.0.1\n"
	    "  User sshuser\n"
	    "  Port 2022\n"
	    "  IdentityFile ~/.ssh/%r@%h:%p\n"
	    "  ProxyJump jump\n"), 0);
	T_EQ(wfile(invp, "all:\n  hosts:\n    web1:\n"
	    "      ansible_port: 2200\n    web2:\n"
	    "    db1: {ansible_host: 10.9.9.9}\n"), 0);
	T_EQ(drove_inventory_load(inv, invp), 0);
	T_EQ(drove_inventory_load_ssh_config(inv, "/nonexistent/cfg"),
	    DROVE_E_IO);
	T_EQ(drove_inventory_load_ssh_config(inv, cfgp), 0);
	T_EQ(drove_inventory_hostspec(inv, 0, &spec), 0);
	T_STREQ(spec.address, "10.0.0.1");
	T_STREQ(spec.user, "sshuser");
	T_EQ(spec.port, 2200);
	buf_init(&b);
	T_EQ(drove_inventory_each_var(inv, 0, srcs, &b), 0);
	buf_printf(&b, "--\n");
	T_EQ(drove_inventory_each_var(inv, 1, srcs, &b), 0);
	buf_printf(&b, "--\n");
	T_EQ(drove_inventory_each_var(inv, 2, srcs, &b), 0);
	snprintf(cmd, sizeof cmd, "ansible_port=2200 (host web1)\n"
	    "ansible_host=10.0.0.1 (ssh_config %s:2)\n", cfgp);
	T_TRUE(strncmp(b.data, cmd, strlen(cmd)) == 0);
	snprintf(cmd, sizeof cmd, "ansible_ssh_private_key_file="
	    "%s/.ssh/sshuser@10.0.0.1:2200 (ssh_config %s:5)\n", dir,
	    cfgp);
	T_TRUE(strstr(b.data, cmd) != NULL);
	T_TRUE(strstr(b.data, "--\nansible_port=22 (default)\n"
	    "ansible_user=me (default)\n--\n") != NULL);
	/* db1 is looked up by its ansible_host */
	T_TRUE(strstr(b.data, "--\nansible_host=10.9.9.9 (host db1)\n"
	    "ansible_user=sshuser (ssh_config") != NULL);
	buf_release(&b);
	T_EQ(drove_inventory_hostspec(inv, 1, &spec), 0);
	T_EQ(spec.port, 0);
	T_TRUE(spec.user == NULL);
	T_STREQ(spec.address, "web2");
	drove_inventory_free(inv);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	T_EQ(system(cmd), 0);
}
