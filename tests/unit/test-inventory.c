/*
 * test-inventory.c: YAML inventories, host lists, merges, vars and their
 * precedence, host specs, every load error with its file:line:column, and a
 * large generated inventory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/buf.h"
#include "drove.h"
#include "test.h"

static char tdir[64];
static char tpath[128];

/* Remove the test directory at exit; files are removed after each load. */
__attribute__((destructor)) static void
tdir_remove(void)
{
	if (tdir[0] != '\0')
		rmdir(tdir);
}

/* Load text written to a file called name in the test directory. */
static int
tload(drove_inventory *inv, const char *name, const char *text)
{
	FILE *f;
	int r;

	if (tdir[0] == '\0') {
		snprintf(tdir, sizeof tdir, "/tmp/drove-inv-XXXXXX");
		if (mkdtemp(tdir) == NULL)
			return -100;
	}
	snprintf(tpath, sizeof tpath, "%s/%s", tdir, name);
	if ((f = fopen(tpath, "w")) == NULL)
		return -100;
	fputs(text, f);
	fclose(f);
	r = drove_inventory_load(inv, tpath);
	unlink(tpath);
	return r;
}

/* Every host name, as "a b c", in a static buffer. */
static const char *
names(const drove_inventory *inv)
{
	static char out[4096];
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < drove_inventory_count(inv) && len < sizeof out; i++)
		len += (size_t)snprintf(out + len, sizeof out - len, "%s%s",
		    i > 0 ? " " : "", drove_inventory_name(inv, i));
	return out;
}

/* The value of var for the host called name, or "(unset)". */
static const char *
var(const drove_inventory *inv, const char *name, const char *v)
{
	const char *s;
	size_t i;

	for (i = 0; i < drove_inventory_count(inv); i++) {
		if (strcmp(drove_inventory_name(inv, i), name) == 0) {
			s = drove_inventory_var(inv, i, v);
			return s != NULL ? s : "(unset)";
		}
	}
	return "(no host)";
}

/* The path of an example inventory in the source tree. */
static const char *
example(const char *name)
{
	static char path[512];
	const char *end = strstr(__FILE__, "tests/unit/");

	snprintf(path, sizeof path, "%.*sinventory/%s",
	    (int)(end != NULL ? end - __FILE__ : 0), __FILE__, name);
	return path;
}

TEST(inventory_empty)
{
	drove_inventory *inv = drove_inventory_new();

	T_TRUE(inv != NULL);
	T_EQ(drove_inventory_count(inv), 0);
	T_TRUE(drove_inventory_name(inv, 0) == NULL);
	T_TRUE(drove_inventory_var(inv, 0, "x") == NULL);
	T_EQ(tload(inv, "e.yml", ""), 0);
	T_EQ(tload(inv, "e.yml", "# nothing\n---\n"), 0);
	T_EQ(tload(inv, "e.txt", "# nothing\n\n"), 0);
	T_EQ(drove_inventory_count(inv), 0);
	drove_inventory_free(inv);
	drove_inventory_free(NULL);
}

TEST(inventory_demo)
{
	drove_inventory *inv = drove_inventory_new();
	struct drove_hostspec spec;

	T_EQ(drove_inventory_load(inv, example("demo.yml")), 0);
	T_EQ(drove_inventory_count(inv), 21);
	T_STREQ(drove_inventory_name(inv, 0), "bastion");
	T_STREQ(drove_inventory_name(inv, 1), "web01");
	T_STREQ(drove_inventory_name(inv, 20), "db10");
	T_STREQ(var(inv, "web03", "http_port"), "8080");
	T_STREQ(var(inv, "web03", "env"), "production");
	T_STREQ(var(inv, "web03", "ntp_server"), "ntp.example.com");
	T_STREQ(var(inv, "bastion", "env"), "(unset)");
	T_EQ(drove_inventory_hostspec(inv, 1, &spec), 0);
	T_STREQ(spec.name, "web01");
	T_STREQ(spec.address, "web01");
	T_EQ(spec.port, 0);
	T_STREQ(spec.user, "drove");
	T_EQ(drove_inventory_hostspec(inv, 20, &spec), 0);
	T_EQ(spec.port, 5522);
	T_STREQ(spec.user, "postgres");
	T_EQ(drove_inventory_hostspec(inv, 0, &spec), 0);
	T_STREQ(spec.address, "127.0.0.1");
	T_EQ(spec.port, 2222);
	T_EQ(drove_inventory_hostspec(inv, 21, &spec), DROVE_E_INVAL);
	drove_inventory_free(inv);
}

TEST(inventory_yaml_structure)
{
	drove_inventory *inv = drove_inventory_new();

	T_EQ(tload(inv, "s.yml",
	    "all:\n"
	    "  hosts:\n"
	    "    solo:\n"
	    "  children:\n"
	    "    a:\n"
	    "      hosts:\n"
	    "        h1:\n"
	    "        h2: {x: 1}\n"
	    "      children:\n"
	    "        b:\n"
	    "          children:\n"
	    "            c:\n"
	    "              hosts:\n"
	    "                h3:\n"
	    "                h1:\n"
	    "    d:\n"
	    "      hosts: ~\n"
	    "      children:\n"
	    "      vars:\n"
	    "top:\n"
	    "  hosts:\n"
	    "    h4:\n"
	    "    h2:\n"
	    "  vars: {v: top}\n"
	    "all:\n"
	    "  vars: {v: all, w: all}\n"), 0);
	T_STREQ(names(inv), "solo h1 h2 h3 h4");
	T_STREQ(var(inv, "h2", "x"), "1");
	/* A top-level group is a child of all. */
	T_STREQ(var(inv, "h4", "v"), "top");
	T_STREQ(var(inv, "h4", "w"), "all");
	T_STREQ(var(inv, "h3", "v"), "all");
	drove_inventory_free(inv);
}

TEST(inventory_precedence)
{
	drove_inventory *inv = drove_inventory_new();

	/*
	 * h: in all, p (depth 1), c (child of p, depth 2), and in z and a,
	 * both depth 1: z sorts after a, so z wins over a.
	 */
	T_EQ(tload(inv, "p.yml",
	    "all:\n"
	    "  vars: {v1: all, v2: all, v3: all, v4: all, v5: all}\n"
	    "  children:\n"
	    "    z:\n"
	    "      hosts: {h: }\n"
	    "      vars: {v4: z}\n"
	    "    a:\n"
	    "      hosts: {h: }\n"
	    "      vars: {v4: a, v5: a}\n"
	    "    p:\n"
	    "      vars: {v1: p, v2: p, v3: p}\n"
	    "      children:\n"
	    "        c:\n"
	    "          vars: {v1: c, v2: c}\n"
	    "          hosts:\n"
	    "            h: {v1: host}\n"
	    "            k:\n"), 0);
	T_STREQ(var(inv, "h", "v1"), "host");
	T_STREQ(var(inv, "h", "v2"), "c");
	T_STREQ(var(inv, "h", "v3"), "p");
	T_STREQ(var(inv, "h", "v4"), "z");
	T_STREQ(var(inv, "h", "v5"), "a");
	T_STREQ(var(inv, "h", "v6"), "(unset)");
	T_STREQ(var(inv, "k", "v1"), "c");
	drove_inventory_free(inv);
}

TEST(inventory_depth_is_longest_path)
{
	drove_inventory *inv = drove_inventory_new();

	/* x is a child of all and of y (depth 2): x wins over y and over b. */
	T_EQ(tload(inv, "d.yml",
	    "all:\n"
	    "  children:\n"
	    "    x:\n"
	    "      vars: {v: x}\n"
	    "      hosts: {h: }\n"
	    "    b:\n"
	    "      vars: {v: b}\n"
	    "      hosts: {h: }\n"
	    "    y:\n"
	    "      vars: {v: y}\n"
	    "      children: {x: }\n"), 0);
	T_STREQ(var(inv, "h", "v"), "x");
	drove_inventory_free(inv);
}

TEST(inventory_host_ranges_and_ports)
{
	drove_inventory *inv = drove_inventory_new();
	struct drove_hostspec spec;

	T_EQ(tload(inv, "r.yml",
	    "all:\n"
	    "  hosts:\n"
	    "    web[01:03].example.com:\n"
	    "    db-[a:b]:\n"
	    "    s[01:05:2]:\n"
	    "    p[1:2]:2200: {user: ops}\n"
	    "    \"[::1]:2201\":\n"), 0);
	T_STREQ(names(inv), "web01.example.com web02.example.com "
	    "web03.example.com db-a db-b s01 s03 s05 p1 p2 ::1");
	T_EQ(drove_inventory_hostspec(inv, 8, &spec), 0);
	T_STREQ(spec.name, "p1");
	T_EQ(spec.port, 2200);
	T_STREQ(spec.user, "ops");
	T_EQ(drove_inventory_hostspec(inv, 10, &spec), 0);
	T_STREQ(spec.address, "::1");
	T_EQ(spec.port, 2201);
	drove_inventory_free(inv);
}

TEST(inventory_connection_vars)
{
	drove_inventory *inv = drove_inventory_new();
	struct drove_hostspec spec;
	char key[512];

	setenv("DROVE_TEST_PW", "s3cret", 1);
	T_EQ(tload(inv, "c.yml",
	    "all:\n"
	    "  vars:\n"
	    "    ansible_become: true\n"
	    "    ansible_become_user: root\n"
	    "  hosts:\n"
	    "    a:\n"
	    "      host: 10.0.0.1\n"
	    "      port: 2022\n"
	    "      user: alice\n"
	    "      key: ~/.ssh/id_test\n"
	    "      password_env: DROVE_TEST_PW\n"
	    "    b:\n"
	    "      ansible_host: 10.0.0.2\n"
	    "      ansible_port: '2023'\n"
	    "      ansible_user: bob\n"
	    "      ansible_ssh_private_key_file: /k/b\n"
	    "      ansible_password: pw\n"
	    "      password_env: DROVE_TEST_PW\n"
	    "    c:\n"
	    "      ansible_ssh_host: 10.0.0.3\n"
	    "      ansible_ssh_user: carol\n"
	    "      ansible_ssh_pass: cpw\n"
	    "      password_env: DROVE_TEST_UNSET_VAR\n"
	    "      user: carl\n"), 0);
	T_EQ(drove_inventory_hostspec(inv, 0, &spec), 0);
	T_STREQ(spec.address, "10.0.0.1");
	T_EQ(spec.port, 2022);
	T_STREQ(spec.user, "alice");
	snprintf(key, sizeof key, "%s/.ssh/id_test", getenv("HOME"));
	T_STREQ(spec.key, key);
	T_STREQ(spec.password, "s3cret");
	T_EQ(drove_inventory_hostspec(inv, 1, &spec), 0);
	T_STREQ(spec.address, "10.0.0.2");
	T_EQ(spec.port, 2023);
	T_STREQ(spec.user, "bob");
	T_STREQ(spec.key, "/k/b");
	T_STREQ(spec.password, "pw");
	T_EQ(drove_inventory_hostspec(inv, 2, &spec), 0);
	T_STREQ(spec.address, "10.0.0.3");
	T_STREQ(spec.user, "carl");
	T_STREQ(spec.password, "cpw");
	T_TRUE(spec.key == NULL);
	/* Short and Ansible names are one var; unknown vars are kept. */
	T_STREQ(var(inv, "a", "ansible_user"), "alice");
	T_STREQ(var(inv, "b", "user"), "bob");
	T_STREQ(var(inv, "c", "ansible_become_user"), "root");
	T_STREQ(var(inv, "c", "ansible_become"), "true");
	T_STREQ(var(inv, "a", "password_env"), "DROVE_TEST_PW");
	unsetenv("DROVE_TEST_PW");
	drove_inventory_free(inv);
}

TEST(inventory_anchors_merges_and_flow_values)
{
	drove_inventory *inv = drove_inventory_new();

	T_EQ(tload(inv, "m.yml",
	    "all:\n"
	    "  hosts:\n"
	    "    a: &base\n"
	    "      x: 1\n"
	    "      y: 2\n"
	    "    b:\n"
	    "      <<: *base\n"
	    "      y: 3\n"
	    "    c:\n"
	    "      <<: [&one {x: one, z: one}, &two {x: two, w: two}]\n"
	    "    d: *base\n"
	    "    e:\n"
	    "      list: [1, two, \"3 4\"]\n"
	    "      map: {k: v, <<: {m: n}}\n"
	    "      nested:\n"
	    "        - a: \"q\\\"t\"\n"
	    "      empty: []\n"
	    "      quoted: \"with: colon\"\n"), 0);
	T_STREQ(var(inv, "b", "x"), "1");
	T_STREQ(var(inv, "b", "y"), "3");
	T_STREQ(var(inv, "c", "x"), "one");
	T_STREQ(var(inv, "c", "z"), "one");
	T_STREQ(var(inv, "c", "w"), "two");
	T_STREQ(var(inv, "d", "y"), "2");
	T_STREQ(var(inv, "e", "list"), "[1, \"two\", \"3 4\"]");
	T_STREQ(var(inv, "e", "map"), "{\"m\": \"n\", \"k\": \"v\"}");
	T_STREQ(var(inv, "e", "nested"), "[{\"a\": \"q\\\"t\"}]");
	T_STREQ(var(inv, "e", "empty"), "[]");
	T_STREQ(var(inv, "e", "quoted"), "with: colon");
	drove_inventory_free(inv);
}

TEST(inventory_merge_group_mapping)
{
	drove_inventory *inv = drove_inventory_new();

	T_EQ(tload(inv, "g.yml",
	    "all:\n"
	    "  children:\n"
	    "    a: &grp\n"
	    "      hosts: {h1: }\n"
	    "      vars: {v: a}\n"
	    "    b:\n"
	    "      <<: *grp\n"
	    "      vars: {v: b}\n"), 0);
	T_STREQ(names(inv), "h1");
	T_STREQ(var(inv, "h1", "v"), "b");
	drove_inventory_free(inv);
}

TEST(inventory_loads_merge_in_order)
{
	drove_inventory *inv = drove_inventory_new();

	T_EQ(tload(inv, "1.yml",
	    "all:\n"
	    "  vars: {v: first}\n"
	    "  hosts:\n"
	    "    b: {x: 1, y: 1}\n"
	    "    a:\n"), 0);
	T_EQ(tload(inv, "2.yml",
	    "all:\n"
	    "  hosts:\n"
	    "    c:\n"
	    "    b: {x: 2}\n"), 0);
	T_EQ(tload(inv, "3.txt", "a\nd\n"), 0);
	T_EQ(drove_inventory_add_list(inv, "e,root@b:2200"), 0);
	T_STREQ(names(inv), "b a c d e");
	T_STREQ(var(inv, "b", "x"), "2");
	T_STREQ(var(inv, "b", "y"), "1");
	T_STREQ(var(inv, "b", "user"), "root");
	T_STREQ(var(inv, "b", "port"), "2200");
	T_STREQ(var(inv, "e", "v"), "first");
	T_EQ(tload(inv, "4.yml", "all:\n  vars: {v: second}\n"), 0);
	T_STREQ(var(inv, "e", "v"), "second");
	drove_inventory_free(inv);
}

TEST(inventory_host_list_file)
{
	drove_inventory *inv = drove_inventory_new();
	struct drove_hostspec spec;

	T_EQ(drove_inventory_load(inv, example("hosts.txt")), 0);
	T_STREQ(names(inv), "web01 web02 ::1 node1 node2 node3");
	T_EQ(drove_inventory_hostspec(inv, 1, &spec), 0);
	T_STREQ(spec.user, "admin");
	T_EQ(spec.port, 2222);
	T_EQ(drove_inventory_hostspec(inv, 2, &spec), 0);
	T_STREQ(spec.address, "::1");
	T_EQ(spec.port, 2200);
	drove_inventory_free(inv);
	inv = drove_inventory_new();
	T_EQ(tload(inv, "l.txt",
	    "  # comment\n"
	    "\n"
	    "fe80::1\n"
	    "2001:db8::\n"
	    "\thost:22   # trailing comment\r\n"
	    "u@[2001:db8::2]\n"
	    "[fe80::3%eth0]:2022\n"
	    "x.example.com"), 0);
	T_STREQ(names(inv), "fe80::1 2001:db8:: host 2001:db8::2 "
	    "fe80::3%eth0 x.example.com");
	T_STREQ(var(inv, "host", "port"), "22");
	T_STREQ(var(inv, "2001:db8::2", "user"), "u");
	T_STREQ(var(inv, "fe80::3%eth0", "port"), "2022");
	drove_inventory_free(inv);
}

TEST(inventory_add_list)
{
	drove_inventory *inv = drove_inventory_new();

	T_EQ(drove_inventory_add_list(inv, "a,u@b:23,web[1-2,5],[::1]:24,"
	    "::2"), 0);
	T_STREQ(names(inv), "a b web1 web2 web5 ::1 ::2");
	T_STREQ(var(inv, "b", "user"), "u");
	T_STREQ(var(inv, "::1", "port"), "24");
	T_EQ(drove_inventory_add_list(inv, "c,d:0"), DROVE_E_INVENTORY);
	T_STREQ(drove_inventory_error(inv), "bad port '0': expected a "
	    "number from 1 to 65535 (column 5)");
	T_EQ(drove_inventory_add_list(inv, "c,,d"), DROVE_E_INVENTORY);
	T_STREQ(drove_inventory_error(inv), "expected a host name (column 3)");
	T_EQ(drove_inventory_add_list(inv, "c,@d"), DROVE_E_INVENTORY);
	T_STREQ(drove_inventory_error(inv), "expected a user name before "
	    "'@' (column 3)");
	T_EQ(drove_inventory_add_list(inv, "c,u@"), DROVE_E_INVENTORY);
	T_STREQ(drove_inventory_error(inv), "expected a host name (column 5)");
	T_EQ(drove_inventory_add_list(inv, "c,x[3:1]"), DROVE_E_INVENTORY);
	T_STREQ(drove_inventory_error(inv), "bad range '[3:1]' in 'x[3:1]': "
	    "start after end (column 3)");
	T_EQ(drove_inventory_add_list(inv, ""), DROVE_E_INVENTORY);
	T_EQ(drove_inventory_add_list(NULL, "a"), DROVE_E_INVAL);
	T_EQ(drove_inventory_count(inv), 7);
	drove_inventory_free(inv);
}

TEST(inventory_format_detection)
{
	static const struct {
		const char	*text;
		const char	*names;
	} cases[] = {
		{ "# c\n\nall:\n  hosts: {a: }\n", "a" },
		{ "---\nall:\n  hosts: {a: }\n", "a" },
		{ "%YAML 1.1\n---\nall: {hosts: {a: }}\n", "a" },
		{ "{all: {hosts: {a: }}}\n", "a" },
		{ "web: # group\n  hosts: {a: }\n", "a" },
		{ "a:22\nb\n", "a b" },
		{ "2001:db8::\n", "2001:db8::" },
		{ "[::1]:22\n", "::1" },
		{ "  # only\nu@a\n", "a" },
	};
	drove_inventory *inv;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		inv = drove_inventory_new();
		T_EQ(tload(inv, "f", cases[i].text), 0);
		T_STREQ(names(inv), cases[i].names);
		drove_inventory_free(inv);
	}
}

static const struct {
	const char	*text;
	const char	*msg;	/* after "<dir>/" */
} load_errors[] = {
	{ "all:\n  hosts: [a\n",
	    "x.yml:3:1: did not find expected ',' or ']'" },
	{ "all:\n  children:\n    web:\n      - a\n",
	    "x.yml:4:7: expected a mapping for group 'web', found a sequence" },
	{ "- a\n", "x.yml:1:1: expected a mapping of groups, found a "
	    "sequence" },
	{ "all: yes\n", "x.yml:1:6: expected a mapping for group 'all', "
	    "found a scalar" },
	{ "all:\n  host:\n", "x.yml:2:3: unknown key 'host' in group 'all': "
	    "expected hosts, children or vars" },
	{ "all:\n  [a]: 1\n", "x.yml:2:3: expected hosts, children or vars "
	    "in group 'all', found a sequence" },
	{ "[a]: {}\n", "x.yml:1:1: expected a group name, found a "
	    "sequence" },
	{ "\"\": {}\n", "x.yml:1:1: expected a group name, found an empty "
	    "name" },
	{ "all:\n  hosts:\n    - a\n", "x.yml:3:5: expected a mapping of "
	    "hosts in group 'all', found a sequence" },
	{ "all:\n  hosts:\n    [a]:\n", "x.yml:3:5: expected a host name in "
	    "group 'all', found a sequence" },
	{ "all:\n  hosts:\n    web01: yes\n", "x.yml:3:12: expected a "
	    "mapping of vars for host 'web01', found a scalar" },
	{ "all:\n  vars: [1]\n", "x.yml:2:9: expected a mapping for vars of "
	    "group 'all', found a sequence" },
	{ "all:\n  vars:\n    [a]: 1\n", "x.yml:3:5: expected a var name, "
	    "found a sequence" },
	{ "all:\n  children: [web]\n", "x.yml:2:13: expected a mapping of "
	    "groups in children of 'all', found a sequence" },
	{ "all:\n  hosts:\n    web01:\n      ansible_port: abc\n",
	    "x.yml:4:21: bad port 'abc': expected a number from 1 to 65535" },
	{ "all:\n  vars:\n    port: 65536\n", "x.yml:3:11: bad port "
	    "'65536': expected a number from 1 to 65535" },
	{ "all:\n  hosts:\n    web01:99999:\n", "x.yml:3:11: bad port "
	    "'99999': expected a number from 1 to 65535" },
	{ "all:\n  hosts:\n    u@web[5:1]:\n", "x.yml:3:7: bad range "
	    "'[5:1]' in 'web[5:1]': start after end" },
	{ "a:\n  children:\n    b:\n      children:\n        a:\n",
	    "x.yml:5:9: group 'a' cannot be a child of 'b': it is its "
	    "ancestor" },
	{ "a:\n  children:\n    a:\n", "x.yml:3:5: group 'a' cannot be a "
	    "child of 'a': it is its ancestor" },
	{ "a:\n  children:\n    all:\n", "x.yml:3:5: group 'all' cannot be "
	    "a child of 'a': it is its ancestor" },
	{ "all:\n  vars:\n    <<: 1\n", "x.yml:3:9: expected a mapping to "
	    "merge, found a scalar" },
	{ "all:\n  vars:\n    <<: [{a: 1}, 2]\n", "x.yml:3:18: expected a "
	    "mapping to merge, found a scalar" },
	{ "all:\n  hosts:\n    a:\n  vars:\n    port: x\n", "x.yml:5:11: bad "
	    "port 'x': expected a number from 1 to 65535" },
	/* As Ansible: integer host names, unknown tags. */
	{ "all:\n  hosts:\n    5:\n", "x.yml:3:5: host name 5 reads as a "
	    "number: quote it, as Ansible asks" },
	{ "g:\n  hosts:\n    1.5: {}\n", "x.yml:3:5: host name 1.5 reads as a "
	    "number: quote it, as Ansible asks" },
	{ "all:\n  vars:\n    x: !foo y\n", "x.yml:3:8: unknown YAML tag "
	    "'!foo'" },
	{ "all:\n  vars:\n    x: !vault [a]\n", "x.yml:3:8: unknown YAML tag "
	    "'!vault' on a collection: expected a scalar" },
	{ "all:\n  vars:\n    ansible_group_priority: high\n", "x.yml:3:5: "
	    "bad ansible_group_priority 'high' for group 'all': expected an "
	    "integer" },
};

TEST(inventory_load_errors)
{
	drove_inventory *inv = drove_inventory_new();
	char want[512];
	size_t i;

	T_EQ(drove_inventory_add_list(inv, "keep"), 0);
	for (i = 0; i < sizeof load_errors / sizeof load_errors[0]; i++) {
		T_EQ(tload(inv, "x.yml", load_errors[i].text),
		    DROVE_E_INVENTORY);
		snprintf(want, sizeof want, "%s/%s", tdir, load_errors[i].msg);
		T_STREQ(drove_inventory_error(inv), want);
		/* A bad file adds nothing. */
		T_STREQ(names(inv), "keep");
		T_STREQ(var(inv, "keep", "port"), "(unset)");
	}
	drove_inventory_free(inv);
}

TEST(inventory_list_errors)
{
	drove_inventory *inv = drove_inventory_new();
	char want[512];

	T_EQ(tload(inv, "x.txt", "a\n  b:0\n"), DROVE_E_INVENTORY);
	snprintf(want, sizeof want, "%s/x.txt:2:5: bad port '0': expected a "
	    "number from 1 to 65535", tdir);
	T_STREQ(drove_inventory_error(inv), want);
	T_EQ(tload(inv, "x.txt", "a\nb c\n"), DROVE_E_INVENTORY);
	snprintf(want, sizeof want, "%s/x.txt:2:3: expected KEY=VALUE after "
	    "host 'b', found 'c'", tdir);
	T_STREQ(drove_inventory_error(inv), want);
	T_EQ(tload(inv, "x.txt", "a\n[::1]:x\n"), DROVE_E_INVENTORY);
	snprintf(want, sizeof want, "%s/x.txt:2:7: bad port 'x': expected a "
	    "number from 1 to 65535", tdir);
	T_STREQ(drove_inventory_error(inv), want);
	T_EQ(tload(inv, "x.txt", "web[01\n"), DROVE_E_INVENTORY);
	snprintf(want, sizeof want, "%s/x.txt:1:1: unclosed '[' in 'web[01'",
	    tdir);
	T_STREQ(drove_inventory_error(inv), want);
	T_EQ(drove_inventory_count(inv), 0);
	T_EQ(drove_inventory_load(inv, "/nonexistent/inv.yml"), DROVE_E_IO);
	T_STREQ(drove_inventory_error(inv), "cannot open "
	    "'/nonexistent/inv.yml': No such file or directory");
	T_EQ(drove_inventory_load(inv, NULL), DROVE_E_INVAL);
	drove_inventory_free(inv);
}

TEST(inventory_large)
{
	drove_inventory *inv = drove_inventory_new();
	struct drove_hostspec spec;
	struct buf b;
	size_t *sel = NULL, n = 0, i;
	char name[32];
	int r;

	/* 20,000 hosts in 100 racks of 200, one group per rack. */
	buf_init(&b);
	buf_puts(&b, "all:\n  vars: {v: all}\n  children:\n");
	for (i = 0; i < 100; i++) {
		buf_printf(&b, "    rack%02zu:\n      vars: {rack: '%zu'}\n"
		    "      hosts:\n", i, i);
		buf_printf(&b, "        n%02zu-[000:198]:\n", i);
		buf_printf(&b, "        n%02zu-199: {v: own}\n", i);
	}
	r = tload(inv, "big.yml", b.data);
	buf_release(&b);
	T_EQ(r, 0);
	T_EQ(drove_inventory_count(inv), 20000);
	T_STREQ(drove_inventory_name(inv, 0), "n00-000");
	T_STREQ(drove_inventory_name(inv, 19999), "n99-199");
	T_STREQ(drove_inventory_name(inv, 12345), "n61-145");
	T_STREQ(drove_inventory_var(inv, 12345, "rack"), "61");
	T_STREQ(drove_inventory_var(inv, 12345, "v"), "all");
	T_STREQ(drove_inventory_var(inv, 12399, "v"), "own");
	T_EQ(drove_inventory_select(inv, "rack1*:!n1?-1??:&~n1", &sel, &n), 0);
	T_EQ(n, 1000);
	T_STREQ(drove_inventory_name(inv, sel[0]), "n10-000");
	T_STREQ(drove_inventory_name(inv, sel[999]), "n19-099");
	free(sel);
	for (i = 0; i < 20000; i++) {
		snprintf(name, sizeof name, "n%02zu-%03zu", i / 200, i % 200);
		T_EQ(drove_inventory_hostspec(inv, i, &spec), 0);
		T_STREQ(spec.name, name);
	}
	drove_inventory_free(inv);
}

static const struct {
	const char	*text;
	const char	*msg;
} ini_errors[] = {
	{ "[web\n", "x.ini:1:1: bad section header '[web': expected "
	    "[GROUP], [GROUP:children] or [GROUP:vars], without blanks" },
	{ "[a b]\n", "x.ini:1:1: bad section header '[a b]': expected "
	    "[GROUP], [GROUP:children] or [GROUP:vars], without blanks" },
	{ "\n  [web:foo]\n", "x.ini:2:8: unknown section type 'foo' in "
	    "[web:foo]: expected hosts, children or vars" },
	{ "[g:vars]\nx\n[g]\n", "x.ini:2:1: expected KEY=VALUE in [g:vars], "
	    "found 'x'" },
	{ "[g]\nh1 a=1 b\n", "x.ini:2:8: expected KEY=VALUE after host 'h1', "
	    "found 'b'" },
	{ "[g]\nh1 a=\"x\n", "x.ini:2:6: unclosed double quote" },
	{ "[g]\nh1 a='x\n", "x.ini:2:6: unclosed single quote" },
	{ "[p:children]\nc\n", "x.ini:2:1: [p:children] names group 'c', "
	    "which no section defines" },
	{ "[g:vars]\na=1\n", "x.ini:1:1: section [g:vars] names a group no "
	    "section defines" },
	{ "[p:children]\na b\n", "x.ini:2:2: expected a group name in "
	    "[p:children], found 'a b'" },
	{ "h:0\n", "x.ini:1:3: bad port '0': expected a number from 1 to "
	    "65535" },
	{ "[g]\n  h ansible_port=x\n", "x.ini:2:5: bad port 'x': expected a "
	    "number from 1 to 65535" },
	{ "[a:children]\nb\n[b:children]\na\n", "x.ini:4:1: group 'a' "
	    "cannot be a child of 'b': it is its ancestor" },
	{ "[g]\n---\n", "x.ini:2:1: unexpected host '---' in an INI "
	    "inventory: YAML needs .yml or a first line '---'" },
	{ "[g]\nh\001\n", "x.ini:2:2: expected printable UTF-8, found byte "
	    "0x01" },
	{ "[g:vars]\nansible_group_priority=x\n[g]\n", "x.ini:2:1: bad "
	    "ansible_group_priority 'x' for group 'g': expected an integer" },
	{ "[g]\nweb[3:1]\n", "x.ini:2:1: bad range '[3:1]' in 'web[3:1]': "
	    "start after end" },
};

TEST(ini_errors)
{
	drove_inventory *inv = drove_inventory_new();
	char want[512];
	size_t i;

	T_EQ(drove_inventory_add_list(inv, "keep"), 0);
	for (i = 0; i < sizeof ini_errors / sizeof ini_errors[0]; i++) {
		T_EQ(tload(inv, "x.ini", ini_errors[i].text),
		    DROVE_E_INVENTORY);
		snprintf(want, sizeof want, "%s/%s", tdir, ini_errors[i].msg);
		T_STREQ(drove_inventory_error(inv), want);
		T_STREQ(names(inv), "keep");
	}
	drove_inventory_free(inv);
}

TEST(ini_values_typed_as_ansible)
{
	drove_inventory *inv = drove_inventory_new();

	T_EQ(tload(inv, "hosts", "; INI without an extension\n"
	    "h1 a='x y' b=\"5\" c=\"'5'\" d=True e=0x10 f=[1,2] g=x#y\n"
	    "u@h2:2222 ansible_port=2223\n"
	    "[all:vars]\n"
	    "q = \"it's\" 'ok'\n"
	    "n = 22 # ssh\n"
	    "t = a # b\n"
	    "esc = \"a\\tb\\u00e9\\x41\"\n"
	    "raw = r'a\\tb'\n"
	    "eq = a=b\n"), 0);
	T_STREQ(names(inv), "h1 h2");
	T_STREQ(var(inv, "h1", "a"), "x y");
	T_STREQ(var(inv, "h1", "b"), "5");
	T_STREQ(var(inv, "h1", "c"), "5");
	T_STREQ(var(inv, "h1", "d"), "True");
	T_STREQ(var(inv, "h1", "e"), "0x10");
	T_STREQ(var(inv, "h1", "f"), "[1, 2]");
	T_STREQ(var(inv, "h1", "g"), "x");
	T_STREQ(var(inv, "h2", "user"), "u");
	T_STREQ(var(inv, "h2", "port"), "2223");
	T_STREQ(var(inv, "h1", "q"), "it'sok");
	T_STREQ(var(inv, "h1", "n"), "22");
	T_STREQ(var(inv, "h1", "t"), "a # b");
	T_STREQ(var(inv, "h1", "esc"), "a\tb\xc3\xa9" "A");
	T_STREQ(var(inv, "h1", "raw"), "a\\tb");
	T_STREQ(var(inv, "h1", "eq"), "a=b");
	drove_inventory_free(inv);
}

/* inv exported as YAML and loaded again, or NULL. */
static drove_inventory *
reload(const drove_inventory *inv)
{
	drove_inventory *back = drove_inventory_new();
	char path[] = "/tmp/drove-reload-XXXXXX";
	FILE *f;
	int fd, r = -1;

	if ((fd = mkstemp(path)) < 0)
		return NULL;
	if ((f = fdopen(fd, "w")) != NULL) {
		r = drove_inventory_write_yaml(inv, f);
		fclose(f);
	}
	if (r == 0)
		r = drove_inventory_load(back, path);
	unlink(path);
	if (r != 0) {
		drove_inventory_free(back);
		return NULL;
	}
	return back;
}

TEST(null_distinct_from_empty)
{
	drove_inventory *inv = drove_inventory_new(), *back;

	T_EQ(tload(inv, "x.yml", "all:\n  hosts:\n    h:\n      a: ~\n"
	    "      b: \"\"\n      c: null\n      d:\n      e: 'null'\n"), 0);
	T_EQ(tload(inv, "y.ini", "[all:vars]\nf=None\ng=\nh='None'\n"), 0);
	T_STREQ(var(inv, "h", "a"), "");
	T_STREQ(var(inv, "h", "b"), "");
	T_EQ(drove_inventory_var_is_null(inv, 0, "a"), 1);
	T_EQ(drove_inventory_var_is_null(inv, 0, "b"), 0);
	T_EQ(drove_inventory_var_is_null(inv, 0, "c"), 1);
	T_EQ(drove_inventory_var_is_null(inv, 0, "d"), 1);
	T_EQ(drove_inventory_var_is_null(inv, 0, "e"), 0);
	T_STREQ(var(inv, "h", "e"), "null");
	T_EQ(drove_inventory_var_is_null(inv, 0, "f"), 1);
	T_EQ(drove_inventory_var_is_null(inv, 0, "g"), 0);
	T_EQ(drove_inventory_var_is_null(inv, 0, "h"), 0);
	T_STREQ(var(inv, "h", "h"), "None");
	T_EQ(drove_inventory_var_is_null(inv, 0, "unset"), 0);
	/* The YAML export keeps a null a null. */
	T_TRUE((back = reload(inv)) != NULL);
	T_EQ(drove_inventory_var_is_null(back, 0, "a"), 1);
	T_EQ(drove_inventory_var_is_null(back, 0, "b"), 0);
	T_EQ(drove_inventory_var_is_null(back, 0, "f"), 1);
	drove_inventory_free(back);
	drove_inventory_free(inv);
}

/* Collects the JSON of each var for jvar(). */
static int
jvar_cb(const char *name, const char *value, const char *source, void *arg)
{
	struct buf *b = arg;

	(void)source;
	return buf_printf(b, "%s=%s\n", name, value);
}

/* The JSON of var for host 0 as drove_inventory_each_var_json() gives it,
 * or "(unset)"; lent until the next call. */
static const char *
jvar(const drove_inventory *inv, const char *v)
{
	static struct buf b;
	static char out[512];
	char key[128], *p, *e;

	b.len = 0;
	if (drove_inventory_each_var_json(inv, 0, jvar_cb, &b) != 0 ||
	    b.data == NULL)
		return "(error)";
	snprintf(key, sizeof key, "\n%s=", v);
	if (strncmp(b.data, key + 1, strlen(key + 1)) == 0)
		p = b.data + strlen(key + 1);
	else if ((p = strstr(b.data, key)) != NULL)
		p += strlen(key);
	else
		return "(unset)";
	e = strchr(p, '\n');
	snprintf(out, sizeof out, "%.*s", (int)(e - p), p);
	return out;
}

TEST(values_typed_as_ansible)
{
	drove_inventory *inv = drove_inventory_new(), *back;
	static const char *const want[][2] = {
		{ "i", "5" }, { "oct", "8" }, { "hex", "31" }, { "bin", "5" },
		{ "big", "123456789012345678901234567890" },
		{ "sexa", "685230" }, { "under", "1000" }, { "neg", "-7" },
		{ "f", "1.5" }, { "fe", "1000.0" }, { "fs", "20.5" },
		{ "inf", "-Infinity" }, { "nan", "NaN" }, { "b", "true" },
		{ "o", "false" }, { "n", "null" }, { "qs", "\"5\"" },
		{ "word", "\"1e3\"" }, { "y", "\"y\"" },
		{ "unsafe", "{\"__ansible_unsafe\": \"7\"}" },
		{ "tagged", "12" },
		{ "l", "[1, \"a\", true, null, 2.5, {\"3\": [\"x\"]}]" },
		{ "ip", "5" }, { "ibig", "255" }, { "io", "15" },
		{ "if", "0.001" }, { "ib", "false" }, { "inone", "null" },
		{ "is", "5" }, { "iw", "\"yes\"" },
		{ "il", "[1, \"a\", [true, null], {\"k\": -2, \"1\": 2.0}]" },
		{ "it", "[1]" }, { "ip1", "1" }, { "iset", "\"{1, 2}\"" },
		{ "iu", "\"1_\"" }, { "iu2", "\"1__0\"" }, { "iu3", "1000" },
		{ "ansible_port", "22" }, { "ansible_user", "\"u\"" },
	};
	size_t i;

	T_EQ(tload(inv, "x.yml", "all:\n  hosts:\n    h:\n      i: 5\n"
	    "      oct: 010\n      hex: 0x1_f\n      bin: 0b101\n"
	    "      big: 123456789012345678901234567890\n"
	    "      sexa: 190:20:30\n      under: 1_000\n      neg: -7\n"
	    "      f: 1.5\n      fe: 1.0e+3\n      fs: 0:20.5\n"
	    "      inf: -.inf\n      nan: .NaN\n      b: yes\n"
	    "      o: Off\n      n: ~\n      qs: '5'\n      word: 1e3\n"
	    "      y: y\n      unsafe: !unsafe 7\n      tagged: !!int '12'\n"
	    "      l: [1, a, true, null, 2.5, {3: [x]}]\n"), 0);
	T_EQ(tload(inv, "y.ini", "h:2222 ansible_user=u ip=+5 ibig=0xff "
	    "io=0o17 if=1e-3 ib=False inone=None is='5' iw=yes\n"
	    "[all:vars]\n"
	    "il = [1, 'a', (True, None), {'k': -2, 1: 2.}]  # c\n"
	    "it = (1,)\n"
	    "ip1 = (1)\n"
	    "iset = {1, 2}\n"
	    "iu = 1_\n"
	    "iu2 = 1__0\n"
	    "iu3 = 1_000\n"), 0);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		T_STREQ(jvar(inv, want[i][0]), want[i][1]);
	/* drove's own readers keep the text as written. */
	T_STREQ(var(inv, "h", "b"), "yes");
	T_STREQ(var(inv, "h", "ip"), "+5");
	/* The YAML export loads back with the same types. */
	T_TRUE((back = reload(inv)) != NULL);
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		T_STREQ(jvar(back, want[i][0]), want[i][1]);
	drove_inventory_free(back);
	drove_inventory_free(inv);
	/* A port in another base is the number Ansible connects to. */
	inv = drove_inventory_new();
	T_EQ(tload(inv, "p.yml", "all:\n  hosts:\n    p:\n"
	    "      ansible_port: 0x8AE\n"), 0);
	T_STREQ(var(inv, "p", "ansible_port"), "2222");
	T_STREQ(jvar(inv, "ansible_port"), "2222");
	T_EQ(tload(inv, "p.ini", "q ansible_port=2_223\n"), 0);
	T_STREQ(var(inv, "q", "ansible_port"), "2223");
	T_EQ(tload(inv, "b.ini", "r ansible_port=0x0\n"), DROVE_E_INVENTORY);
	T_TRUE(strstr(drove_inventory_error(inv), "bad port '0x0'") != NULL);
	drove_inventory_free(inv);
}

TEST(hostspec_null_is_unset)
{
	drove_inventory *inv = drove_inventory_new();
	struct drove_hostspec spec;

	T_EQ(tload(inv, "x.yml", "all:\n  vars: {ansible_port: 2200}\n"
	    "  hosts:\n    h:\n      ansible_port: ~\n      ansible_user: ~\n"
	    "      ansible_host: ~\n"), 0);
	T_EQ(drove_inventory_hostspec(inv, 0, &spec), 0);
	T_EQ(spec.port, 0);
	T_TRUE(spec.user == NULL);
	T_STREQ(spec.address, "h");
	drove_inventory_free(inv);
}
