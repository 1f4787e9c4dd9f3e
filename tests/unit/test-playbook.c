/*
 * test-playbook.c: the playbook loader: every play and task key, every
 * error with its exact file:line:column, positions of errors found at run
 * time, loops, vars rendering, local files, and the example playbooks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "play/play.h"
#include "test.h"

/* Load text as "pb.yml": "ok" or the error message. */
static const char *
load(const char *text)
{
	static struct drove_err err;
	struct playbook *pb;

	if (playbook_parse("pb.yml", text, strlen(text), &pb, &err) != 0)
		return err.msg;
	playbook_free(pb);
	return "ok";
}

/* Load text that must load. */
static struct playbook *
load_ok(const char *text)
{
	struct drove_err err = { 0 };
	struct playbook *pb = NULL;

	if (playbook_parse("pb.yml", text, strlen(text), &pb, &err) != 0)
		fprintf(stderr, "load: %s\n", err.msg);
	return pb;
}

/* A play around tasks on lines 4 and on. */
#define PLAY	"- name: p\n  hosts: all\n  tasks:\n"

TEST(playbook_every_play_key)
{
	struct playbook *pb = load_ok(
	    "# comment\n"
	    "- name: first\n"
	    "  hosts: web:&prod\n"
	    "  vars:\n"
	    "    s: text\n"
	    "    n: 12\n"
	    "    neg: -3\n"
	    "    zero: 0\n"
	    "    octal: 0644\n"
	    "    b: yes\n"
	    "    off: False\n"
	    "    nothing: ~\n"
	    "    quoted: \"12\"\n"
	    "    list: [a, 1, true]\n"
	    "    map: {k: v, n: {x: 1}}\n"
	    "  serial: [1, \"50%\", 10]\n"
	    "  max_fail_percentage: 12.5\n"
	    "  any_errors_fatal: true\n"
	    "  become: yes\n"
	    "  become_user: postgres\n"
	    "  timeout: 30\n"
	    "  tasks:\n"
	    "    - run: uptime\n"
	    "- hosts: db\n"
	    "  serial: 25%\n"
	    "- hosts: all\n"
	    "  serial: 3\n"
	    "  tasks: []\n");
	const struct play *p;
	const struct pval *v;

	T_TRUE(pb != NULL);
	T_STREQ(pb->path, "pb.yml");
	T_STREQ(pb->dir, ".");
	T_EQ(pb->nplays, 3);
	p = &pb->plays[0];
	T_STREQ(p->name, "first");
	T_EQ(p->pos.line, 2);
	T_EQ(p->pos.col, 3);
	T_STREQ(p->hosts, "web:&prod");
	T_EQ(p->vars.kind, PV_MAP);
	T_EQ(p->vars.n, 11);
	T_STREQ(pval_get(&p->vars, "s")->s, "text");
	T_EQ(pval_get(&p->vars, "n")->kind, PV_INT);
	T_EQ(pval_get(&p->vars, "n")->i, 12);
	T_EQ(pval_get(&p->vars, "neg")->i, -3);
	T_EQ(pval_get(&p->vars, "zero")->kind, PV_INT);
	T_EQ(pval_get(&p->vars, "octal")->kind, PV_STR);
	T_EQ(pval_get(&p->vars, "b")->kind, PV_BOOL);
	T_EQ(pval_get(&p->vars, "b")->i, 1);
	T_EQ(pval_get(&p->vars, "off")->i, 0);
	T_EQ(pval_get(&p->vars, "nothing")->kind, PV_NONE);
	T_EQ(pval_get(&p->vars, "quoted")->kind, PV_STR);
	v = pval_get(&p->vars, "list");
	T_EQ(v->kind, PV_LIST);
	T_EQ(v->n, 3);
	T_EQ(v->v[1].kind, PV_INT);
	T_EQ(v->v[2].kind, PV_BOOL);
	v = pval_get(&p->vars, "map");
	T_EQ(pval_get(pval_get(v, "n"), "x")->i, 1);
	T_EQ(p->nserial, 3);
	T_EQ(p->serial[0].n, 1);
	T_EQ(p->serial[0].percent, 0);
	T_EQ(p->serial[1].n, 50);
	T_EQ(p->serial[1].percent, 1);
	T_EQ(p->serial[2].n, 10);
	T_TRUE(p->max_fail_percentage == 12.5);
	T_EQ(p->any_errors_fatal, 1);
	T_EQ(p->become, 1);
	T_STREQ(p->become_user, "postgres");
	T_EQ(p->timeout, 30);
	T_EQ(p->ntasks, 1);
	p = &pb->plays[1];
	T_TRUE(p->name == NULL);
	T_EQ(p->nserial, 1);
	T_EQ(p->serial[0].n, 25);
	T_EQ(p->serial[0].percent, 1);
	T_TRUE(p->max_fail_percentage == -1);
	T_EQ(p->any_errors_fatal, 0);
	T_EQ(p->become, 0);
	T_TRUE(p->become_user == NULL);
	T_EQ(p->timeout, 0);
	T_EQ(p->ntasks, 0);
	T_EQ(p->vars.kind, PV_MAP);
	T_EQ(p->vars.n, 0);
	T_EQ(pb->plays[2].serial[0].n, 3);
	playbook_free(pb);
}

/* A plain scalar tagged !!str is text, as in Ansible (PyYAML); "!" and
 * other tags keep their type. */
TEST(playbook_tagged_strings)
{
	struct playbook *pb = load_ok(
	    "- hosts: all\n"
	    "  vars:\n"
	    "    n: !!str 5\n"
	    "    b: ! yes\n"
	    "    a: &x !!str 7\n"
	    "    l: [!!str 1.5, 2, !!str ~]\n"
	    "    i: !!int 9\n"
	    "    plain: 5\n");
	const struct pval *v;

	T_TRUE(pb != NULL);
	if (pb == NULL)
		return;
	v = &pb->plays[0].vars;
	T_EQ(pval_get(v, "n")->kind, PV_STR);
	T_STREQ(pval_get(v, "n")->s, "5");
	T_EQ(pval_get(v, "b")->kind, PV_BOOL);
	T_STREQ(pval_get(v, "a")->s, "7");
	T_EQ(pval_get(v, "l")->v[0].kind, PV_STR);
	T_EQ(pval_get(v, "l")->v[1].kind, PV_INT);
	T_EQ(pval_get(v, "l")->v[2].kind, PV_STR);
	T_EQ(pval_get(v, "i")->kind, PV_INT);
	T_EQ(pval_get(v, "plain")->kind, PV_INT);
	playbook_free(pb);
	T_STREQ(load("- hosts: all\n  become: !!str yes\n  tasks: []\n"),
	    "pb.yml:2:11: become: expected a boolean (true or false), found "
	    "a string");
}

TEST(playbook_every_task_key)
{
	struct playbook *pb = load_ok(PLAY
	    "    - name: all options\n"
	    "      run: echo {{ x }}\n"
	    "      become: true\n"
	    "      become_user: app\n"
	    "      timeout: 5\n"
	    "      ignore_errors: yes\n"
	    "      creates: /tmp/{{ x }}\n"
	    "      removes: /tmp/y\n"
	    "      when: x is defined\n"
	    "      register: out\n"
	    "      changed_when: out.rc == 0\n"
	    "      failed_when: [out.rc > 1, \"'bad' in out.stderr\"]\n"
	    "      tags: [a, 'b, c']\n"
	    "      loop: [1, '{{ x }}']\n"
	    "    - script: /dev/null\n"
	    "      tags: one, two\n"
	    "      loop: \"{{ users }}\"\n"
	    "    - push: {src: /dev/null, dest: /tmp/d, mode: 0755, mkdir: "
	    "yes, checksum: no}\n"
	    "    - pull: {src: /etc/hosts, dest: 'out/{{ x }}'}\n"
	    "    - template: {src: /dev/null, dest: /tmp/t, mode: '644'}\n"
	    "    - wait_for: {port: 22}\n"
	    "    - wait_for: {port: 80, host: '{{ x }}', timeout: 9}\n"
	    "    - wait_for: {path: /tmp/x, state: absent}\n");
	const struct play_task *t;

	T_TRUE(pb != NULL);
	T_EQ(pb->plays[0].ntasks, 8);
	t = &pb->plays[0].tasks[0];
	T_STREQ(t->name, "all options");
	T_EQ(t->pos.line, 4);
	T_EQ(t->pos.col, 7);
	T_EQ(t->action, PLAY_RUN);
	T_STREQ(t->action_name, "run");
	T_STREQ(t->cmd.text, "echo {{ x }}");
	T_EQ(t->cmd.pos.line, 5);
	T_EQ(t->cmd.pos.col, 12);
	T_EQ(t->become, 1);
	T_STREQ(t->become_user, "app");
	T_EQ(t->timeout, 5);
	T_EQ(t->ignore_errors, 1);
	T_STREQ(t->creates.text, "/tmp/{{ x }}");
	T_STREQ(t->removes.text, "/tmp/y");
	T_STREQ(pexpr_text(t->when.expr), "x is defined");
	T_TRUE(t->when.next == NULL);
	T_STREQ(t->reg, "out");
	T_STREQ(pexpr_text(t->changed_when.expr), "out.rc == 0");
	T_STREQ(pexpr_text(t->failed_when.expr), "out.rc > 1");
	T_STREQ(pexpr_text(t->failed_when.next->expr), "'bad' in out.stderr");
	T_EQ(t->ntags, 3);
	T_STREQ(t->tags[0], "a");
	T_STREQ(t->tags[1], "b");
	T_STREQ(t->tags[2], "c");
	T_EQ(t->loop.kind, PV_LIST);
	T_EQ(t->loop.n, 2);
	T_TRUE(t->loop_tmpl.text == NULL);
	T_EQ(t->mode, -1);
	T_EQ(t->mkdir, -1);
	t++;
	T_EQ(t->action, PLAY_SCRIPT);
	T_STREQ(t->cmd.text, "/dev/null");
	T_TRUE(t->name == NULL);
	T_EQ(t->become, -1);
	T_EQ(t->ignore_errors, -1);
	T_TRUE(t->when.expr == NULL);
	T_TRUE(t->reg == NULL);
	T_EQ(t->ntags, 2);
	T_STREQ(t->tags[1], "two");
	T_STREQ(t->loop_tmpl.text, "{{ users }}");
	T_EQ(t->loop.kind, PV_NONE);
	t++;
	T_EQ(t->action, PLAY_PUSH);
	T_STREQ(t->src.text, "/dev/null");
	T_STREQ(t->dest.text, "/tmp/d");
	T_EQ(t->mode, 0755);
	T_EQ(t->mkdir, 1);
	T_EQ(t->checksum, 0);
	t++;
	T_EQ(t->action, PLAY_PULL);
	T_STREQ(t->dest.text, "out/{{ x }}");
	T_EQ(t->mode, -1);
	t++;
	T_EQ(t->action, PLAY_TEMPLATE);
	T_EQ(t->mode, 0644);
	t++;
	T_EQ(t->action, PLAY_WAIT_FOR);
	T_EQ(t->port, 22);
	T_STREQ(t->host.text, "127.0.0.1");
	T_EQ(t->wait_timeout, 300);
	T_TRUE(t->path.text == NULL);
	t++;
	T_EQ(t->port, 80);
	T_STREQ(t->host.text, "{{ x }}");
	T_EQ(t->wait_timeout, 9);
	t++;
	T_STREQ(t->path.text, "/tmp/x");
	T_EQ(t->present, 0);
	T_EQ(t->port, 0);
	T_TRUE(t->host.text == NULL);
	playbook_free(pb);
}

TEST(playbook_document_errors)
{
	T_STREQ(load(""), "pb.yml:1:1: empty playbook: expected a list of "
	    "plays");
	T_STREQ(load("# only a comment\n"), "pb.yml:1:1: empty playbook: "
	    "expected a list of plays");
	T_STREQ(load("hosts: all\n"),
	    "pb.yml:1:1: expected a list of plays, found a mapping");
	T_STREQ(load("[]\n"),
	    "pb.yml:1:1: expected a list of plays, found an empty list");
	T_STREQ(load("- hosts: all\n  tasks: [\n"),
	    "pb.yml:3:1: did not find expected node content");
	T_STREQ(load("- hosts: all\n   bad: indent\n"),
	    "pb.yml:2:7: mapping values are not allowed in this context");
	T_STREQ(load("- hosts: all\n---\n- hosts: db\n"),
	    "pb.yml:3:1: expected one YAML document, found a second");
	T_STREQ(load("- hosts: all\n---\n- hosts: [\n"),
	    "pb.yml:4:1: did not find expected node content");
	T_STREQ(load("---\n- hosts: all\n...\n"), "ok");
	T_STREQ(load("- hosts: all\n- just text\n"),
	    "pb.yml:2:3: play: expected a mapping, found a string");
}

TEST(playbook_play_errors)
{
	T_STREQ(load("- hosts: all\n  taks: []\n"),
	    "pb.yml:2:3: unknown key 'taks' in play");
	T_STREQ(load("- hosts: all\n  hosts: db\n"),
	    "pb.yml:2:3: duplicate key 'hosts' in play");
	T_STREQ(load("- name: x\n  tasks: []\n"),
	    "pb.yml:1:3: play has no 'hosts'");
	T_STREQ(load("- hosts: [a, b]\n"),
	    "pb.yml:1:10: hosts: expected a string, found a list");
	T_STREQ(load("- hosts:\n"),
	    "pb.yml:1:9: hosts: expected a string, found null");
	T_STREQ(load("- hosts: all\n  name: {a: 1}\n"),
	    "pb.yml:2:9: name: expected a string, found a mapping");
	T_STREQ(load("- hosts: all\n  ? [k]\n  : v\n"),
	    "pb.yml:2:5: play: expected a key, found a list");
	T_STREQ(load("- hosts: all\n  vars:\n    a-b: 1\n"),
	    "pb.yml:3:5: vars: 'a-b' is not a variable name");
	T_STREQ(load("- hosts: all\n  vars:\n    m: {a-b: 1, 2: x}\n"),
	    "ok");
	T_STREQ(load("- hosts: all\n  vars: [a]\n"),
	    "pb.yml:2:9: vars: expected a mapping, found a list");
	T_STREQ(load("- hosts: all\n  vars:\n    a: 1\n    a: 2\n"),
	    "pb.yml:4:5: duplicate key 'a'");
	T_STREQ(load("- hosts: all\n  vars:\n    a: \"x {{ y\"\n"),
	    "pb.yml:3:11: '{{' without '}}'");
	T_STREQ(load("- hosts: all\n  vars:\n    a: [ok, 'b {% c']\n"),
	    "pb.yml:3:16: '{%' statements are not supported: use '{{ }}' "
	    "only");
	T_STREQ(load("- hosts: all\n  serial: 0\n"),
	    "pb.yml:2:11: serial: expected a host count (1 or more) or a "
	    "percentage (\"1%\" to \"100%\"), found '0'");
	T_STREQ(load("- hosts: all\n  serial: 101%\n"),
	    "pb.yml:2:11: serial: expected a host count (1 or more) or a "
	    "percentage (\"1%\" to \"100%\"), found '101%'");
	T_STREQ(load("- hosts: all\n  serial: [1, \"0%\"]\n"),
	    "pb.yml:2:15: serial: expected a host count (1 or more) or a "
	    "percentage (\"1%\" to \"100%\"), found '0%'");
	T_STREQ(load("- hosts: all\n  serial: [1, [2]]\n"),
	    "pb.yml:2:15: serial: expected a host count (1 or more) or a "
	    "percentage (\"1%\" to \"100%\"), found a list");
	T_STREQ(load("- hosts: all\n  serial: \"5\"\n"),
	    "pb.yml:2:11: serial: expected a host count (1 or more) or a "
	    "percentage (\"1%\" to \"100%\"), found '5'");
	T_STREQ(load("- hosts: all\n  serial: []\n"),
	    "pb.yml:2:11: serial: expected a number, a percentage or a list, "
	    "found a list");
	T_STREQ(load("- hosts: all\n  serial: {a: 1}\n"),
	    "pb.yml:2:11: serial: expected a number, a percentage or a list, "
	    "found a mapping");
	T_STREQ(load("- hosts: all\n  max_fail_percentage: 101\n"),
	    "pb.yml:2:24: max_fail_percentage: expected a number from 0 to "
	    "100, found '101'");
	T_STREQ(load("- hosts: all\n  max_fail_percentage: '5'\n"),
	    "pb.yml:2:24: max_fail_percentage: expected a number from 0 to "
	    "100, found '5'");
	T_STREQ(load("- hosts: all\n  any_errors_fatal: maybe\n"),
	    "pb.yml:2:21: any_errors_fatal: expected a boolean (true or "
	    "false), found a string");
	T_STREQ(load("- hosts: all\n  become: 'true'\n"),
	    "pb.yml:2:11: become: expected a boolean (true or false), found "
	    "a string");
	T_STREQ(load("- hosts: all\n  become_user: [a]\n"),
	    "pb.yml:2:16: become_user: expected a string, found a list");
	T_STREQ(load("- hosts: all\n  timeout: 0\n"),
	    "pb.yml:2:12: timeout: 0 is out of range (1 to 31536000)");
	T_STREQ(load("- hosts: all\n  timeout: 5s\n"),
	    "pb.yml:2:12: timeout: expected a number, found a string");
	T_STREQ(load("- hosts: all\n  tasks: {run: x}\n"),
	    "pb.yml:2:10: tasks: expected a list, found a mapping");
	T_STREQ(load(PLAY "    - run: x\n    - uptime\n"),
	    "pb.yml:5:7: task: expected a mapping, found a string");
}

TEST(playbook_task_errors)
{
	T_STREQ(load(PLAY "    - run: x\n      shell: y\n"),
	    "pb.yml:5:7: unknown key 'shell' in task; drove runs commands "
	    "with 'run:'");
	T_STREQ(load(PLAY "    - command: x\n"),
	    "pb.yml:4:7: unknown key 'command' in task; drove runs commands "
	    "with 'run:'");
	T_STREQ(load(PLAY "    - run: x\n      become_usr: y\n"),
	    "pb.yml:5:7: unknown key 'become_usr' in task");
	T_STREQ(load(PLAY "    - run: x\n      name: a\n      name: b\n"),
	    "pb.yml:6:7: duplicate key 'name' in task");
	T_STREQ(load(PLAY "    - name: nothing to do\n      when: true\n"),
	    "pb.yml:4:7: task has no action (run, script, push, pull, "
	    "template or wait_for)");
	T_STREQ(load(PLAY "    - run: x\n      push: {src: a, dest: b}\n"),
	    "pb.yml:5:7: task has two actions: 'run' and 'push'");
	T_STREQ(load(PLAY "    - name: stop {{ svc \n      run: x\n"),
	    "pb.yml:4:18: '{{' without '}}'");
	T_STREQ(load(PLAY "    - name: [a]\n      run: x\n"),
	    "pb.yml:4:13: name: expected a string, found a list");
	T_STREQ(load(PLAY "    - run: {cmd: x}\n"),
	    "pb.yml:4:12: run: expected a string, found a mapping");
	T_STREQ(load(PLAY "    - run:\n"),
	    "pb.yml:4:11: run: expected a string, found null");
	T_STREQ(load(PLAY "    - run: echo {{ x | nosuch }}\n"),
	    "pb.yml:4:24: unknown filter 'nosuch'");
	T_STREQ(load(PLAY "    - run: \"echo {{ a b }}\"\n"),
	    "pb.yml:4:23: unexpected 'b'");
	T_STREQ(load(PLAY "    - run: 'it''s {{ a b }}'\n"),
	    "pb.yml:4:12: unexpected 'b'");
	T_STREQ(load(PLAY "    - run: |\n        echo one\n        echo {{ }}\n"),
	    "pb.yml:4:12: empty '{{ }}'");
	T_STREQ(load(PLAY "    - run: echo {% x %}\n"),
	    "pb.yml:4:17: '{%' statements are not supported: use '{{ }}' "
	    "only");
	T_STREQ(load(PLAY "    - run: x\n      become: sometimes\n"),
	    "pb.yml:5:15: become: expected a boolean (true or false), found "
	    "a string");
	T_STREQ(load(PLAY "    - run: x\n      become_user: {a: b}\n"),
	    "pb.yml:5:20: become_user: expected a string, found a mapping");
	T_STREQ(load(PLAY "    - run: x\n      timeout: -1\n"),
	    "pb.yml:5:16: timeout: -1 is out of range (1 to 31536000)");
	T_STREQ(load(PLAY "    - run: x\n      ignore_errors: 1\n"),
	    "pb.yml:5:22: ignore_errors: expected a boolean (true or false), "
	    "found a number");
	T_STREQ(load(PLAY "    - run: x\n      creates: [a]\n"),
	    "pb.yml:5:16: creates: expected a string, found a list");
	T_STREQ(load(PLAY "    - run: x\n      removes: /a/{{ b\n"),
	    "pb.yml:5:19: '{{' without '}}'");
	T_STREQ(load(PLAY "    - run: x\n      register: [a]\n"),
	    "pb.yml:5:17: register: expected a string, found a list");
	T_STREQ(load(PLAY "    - run: x\n      register: out.rc\n"),
	    "pb.yml:5:17: register: 'out.rc' is not a variable name");
	T_STREQ(load(PLAY "    - run: x\n      tags: {a: 1}\n"),
	    "pb.yml:5:13: tags: expected a string or a list, found a "
	    "mapping");
	T_STREQ(load(PLAY "    - run: x\n      tags: [a, [b]]\n"),
	    "pb.yml:5:17: tags: expected a string, found a list");
	T_STREQ(load(PLAY "    - run: x\n      loop: {a: 1}\n"),
	    "pb.yml:5:13: loop: expected a list or a \"{{ }}\" string, found "
	    "a mapping");
	T_STREQ(load(PLAY "    - run: x\n      loop: \"{{ users\"\n"),
	    "pb.yml:5:14: '{{' without '}}'");
	T_STREQ(load(PLAY "    - run: x\n      loop: [a, '{{ b c }}']\n"),
	    "pb.yml:5:23: unexpected 'c'");
}

TEST(playbook_condition_errors)
{
	T_STREQ(load(PLAY "    - run: x\n      when: a = 1\n"),
	    "pb.yml:5:15: when: unexpected '='");
	T_STREQ(load(PLAY "    - run: x\n      when: \"a == 'b\"\n"),
	    "pb.yml:5:19: when: unterminated string");
	T_STREQ(load(PLAY "    - run: x\n      when:\n        - a\n"
	    "        - b and\n"),
	    "pb.yml:7:16: when: expected a value, found end of text");
	T_STREQ(load(PLAY "    - run: x\n      when: []\n"),
	    "pb.yml:5:13: when: expected an expression, found a list");
	T_STREQ(load(PLAY "    - run: x\n      when: {a: 1}\n"),
	    "pb.yml:5:13: when: expected an expression, found a mapping");
	T_STREQ(load(PLAY "    - run: x\n      when:\n"),
	    "pb.yml:5:12: when: expected an expression, found null");
	T_STREQ(load(PLAY "    - run: x\n      changed_when: r.rc is bogus\n"),
	    "pb.yml:5:29: changed_when: expected 'defined' after 'is', found "
	    "'bogus'");
	T_STREQ(load(PLAY "    - run: x\n      failed_when: (r.rc\n"),
	    "pb.yml:5:25: failed_when: expected ')', found end of text");
	T_STREQ(load(PLAY "    - run: x\n      when: >\n        a and\n"
	    "        (b\n"),
	    "pb.yml:5:13: when: expected ')', found end of text");
}

TEST(playbook_action_errors)
{
	T_STREQ(load(PLAY "    - script: [a]\n"),
	    "pb.yml:4:15: script: expected a local file, found a list");
	T_STREQ(load(PLAY "    - script: nosuch.sh\n"),
	    "pb.yml:4:15: script: cannot find 'nosuch.sh' in ./files or .");
	T_STREQ(load(PLAY "    - script: /nonexistent/x.sh\n"),
	    "pb.yml:4:15: script: cannot find '/nonexistent/x.sh': No such "
	    "file or directory");
	T_STREQ(load(PLAY "    - script: '{{ dir }}/x.sh'\n"), "ok");
	T_STREQ(load(PLAY "    - push: /dev/null\n"),
	    "pb.yml:4:13: push: expected a mapping, found a string");
	T_STREQ(load(PLAY "    - push: {dest: /tmp/x}\n"),
	    "pb.yml:4:13: push: missing 'src'");
	T_STREQ(load(PLAY "    - push: {src: /dev/null}\n"),
	    "pb.yml:4:13: push: missing 'dest'");
	T_STREQ(load(PLAY "    - push: {src: a, dest: b, owner: c}\n"),
	    "pb.yml:4:31: unknown key 'owner' in push");
	T_STREQ(load(PLAY "    - push: {src: a, src: b, dest: c}\n"),
	    "pb.yml:4:22: duplicate key 'src' in push");
	T_STREQ(load(PLAY "    - push: {src: /dev/null, dest: b, mode: 999}\n"),
	    "pb.yml:4:45: mode: expected an octal mode (0 to 7777), found "
	    "'999'");
	T_STREQ(load(PLAY "    - push: {src: /dev/null, dest: b, mode: rw}\n"),
	    "pb.yml:4:45: mode: expected an octal mode (0 to 7777), found "
	    "'rw'");
	T_STREQ(load(PLAY "    - push: {src: /dev/null, dest: b, mode: 17777}\n"),
	    "pb.yml:4:45: mode: expected an octal mode (0 to 7777), found "
	    "'17777'");
	T_STREQ(load(PLAY "    - push: {src: /dev/null, dest: b, mkdir: 2}\n"),
	    "pb.yml:4:46: mkdir: expected a boolean (true or false), found "
	    "a number");
	T_STREQ(load(PLAY "    - push: {src: /dev/null, dest: b, checksum: "
	    "x}\n"),
	    "pb.yml:4:49: checksum: expected a boolean (true or false), "
	    "found a string");
	T_STREQ(load(PLAY "    - push: {src: gone.txt, dest: b}\n"),
	    "pb.yml:4:19: push: cannot find 'gone.txt' in ./files or .");
	T_STREQ(load(PLAY "    - push: {src: '{{ f }}', dest: '{{ d }}'}\n"),
	    "ok");
	T_STREQ(load(PLAY "    - pull: {src: a, dest: b, mode: 0644}\n"),
	    "pb.yml:4:31: unknown key 'mode' in pull");
	T_STREQ(load(PLAY "    - pull: {src: a, dest: b}\n"), "ok");
	T_STREQ(load(PLAY "    - template: {src: a.j2, dest: b}\n"),
	    "pb.yml:4:23: template: cannot find 'a.j2' in ./templates or .");
	T_STREQ(load(PLAY "    - template: {src: /dev/null, dest: b, mkdir: "
	    "true}\n"),
	    "pb.yml:4:43: unknown key 'mkdir' in template");
	T_STREQ(load(PLAY "    - wait_for: {timeout: 5}\n"),
	    "pb.yml:4:17: wait_for: expected one of 'port' and 'path'");
	T_STREQ(load(PLAY "    - wait_for: {port: 22, path: /x}\n"),
	    "pb.yml:4:17: wait_for: expected one of 'port' and 'path'");
	T_STREQ(load(PLAY "    - wait_for: {port: 0}\n"),
	    "pb.yml:4:24: port: 0 is out of range (1 to 65535)");
	T_STREQ(load(PLAY "    - wait_for: {port: ssh}\n"),
	    "pb.yml:4:24: port: expected a number, found a string");
	T_STREQ(load(PLAY "    - wait_for: {path: /x, state: gone}\n"),
	    "pb.yml:4:35: state: expected present or absent, found a string");
	T_STREQ(load(PLAY "    - wait_for: {port: 1, state: absent}\n"),
	    "pb.yml:4:27: wait_for: 'state' goes with 'path', not 'port'");
	T_STREQ(load(PLAY "    - wait_for: {path: /x, host: h}\n"),
	    "pb.yml:4:28: wait_for: 'host' goes with 'port', not 'path'");
	T_STREQ(load(PLAY "    - wait_for: {path: /x, timeout: 0}\n"),
	    "pb.yml:4:37: timeout: 0 is out of range (1 to 31536000)");
	T_STREQ(load(PLAY "    - wait_for: {port: 1, host: '{{ h'}\n"),
	    "pb.yml:4:34: '{{' without '}}'");
	T_STREQ(load(PLAY "    - wait_for: {port: '{{ p', host: h}\n"),
	    "pb.yml:4:25: '{{' without '}}'");
}

/* Write text to path; 0 or -1. */
static int
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

TEST(playbook_local_files)
{
	struct drove_err err = { 0 };
	struct playbook *pb;
	char dir[64], path[256], want[600], *file;

	snprintf(dir, sizeof dir, "/tmp/drove-pb-%d", (int)getpid());
	snprintf(path, sizeof path, "mkdir -p %s/templates %s/files", dir,
	    dir);
	T_EQ(system(path), 0);
	snprintf(path, sizeof path, "%s/templates/good.j2", dir);
	T_EQ(put(path, "port {{ port }}\n"), 0);
	snprintf(path, sizeof path, "%s/templates/bad.j2", dir);
	T_EQ(put(path, "ok\n  {{ port | }}\n"), 0);
	snprintf(path, sizeof path, "%s/files/run.sh", dir);
	T_EQ(put(path, "echo\n"), 0);
	snprintf(path, sizeof path, "%s/top.sh", dir);
	T_EQ(put(path, "echo\n"), 0);

	snprintf(path, sizeof path, "%s/site.yml", dir);
	T_EQ(put(path, PLAY "    - template: {src: good.j2, dest: /x}\n"
	    "    - script: run.sh\n    - script: top.sh\n"
	    "    - push: {src: run.sh, dest: /y}\n"), 0);
	T_EQ(playbook_load(path, &pb, &err), 0);
	T_STREQ(pb->dir, dir);
	T_EQ(playbook_file(pb, PLAY_TEMPLATE, "good.j2", &file, &err), 0);
	snprintf(want, sizeof want, "%s/templates/good.j2", dir);
	T_STREQ(file, want);
	free(file);
	T_EQ(playbook_file(pb, PLAY_SCRIPT, "top.sh", &file, &err), 0);
	snprintf(want, sizeof want, "%s/top.sh", dir);
	T_STREQ(file, want);
	free(file);
	T_EQ(playbook_file(pb, PLAY_PUSH, "good.j2", &file, &err),
	    DROVE_E_IO);
	snprintf(want, sizeof want, "cannot find 'good.j2' in %s/files or %s",
	    dir, dir);
	T_STREQ(err.msg, want);
	T_TRUE(file == NULL);
	T_EQ(playbook_file(pb, PLAY_PUSH, "", &file, &err), DROVE_E_IO);
	playbook_free(pb);
	T_EQ(playbook_check(path, &err), 0);

	T_EQ(put(path, PLAY "    - template: {src: bad.j2, dest: /x}\n"), 0);
	T_EQ(playbook_check(path, &err), DROVE_E_INVAL);
	snprintf(want, sizeof want, "%s/templates/bad.j2:2:13: expected a "
	    "filter name after '|', found '}}'", dir);
	T_STREQ(err.msg, want);

	T_EQ(put(path, PLAY "    - run: x\n      bogus: 1\n"), 0);
	T_EQ(playbook_check(path, &err), DROVE_E_INVAL);
	snprintf(want, sizeof want, "%s:5:7: unknown key 'bogus' in task",
	    path);
	T_STREQ(err.msg, want);

	snprintf(path, sizeof path, "rm -r %s", dir);
	T_EQ(system(path), 0);
	T_EQ(playbook_check("/nonexistent/pb.yml", &err), DROVE_E_IO);
	T_STREQ(err.msg, "cannot open '/nonexistent/pb.yml': No such file or "
	    "directory");
}

/* Variables for run-time tests: x="one", users=["al","bo"], n=3. */
static struct pval rvars;

static const struct pval *
rlookup(void *arg, const char *name)
{
	(void)arg;
	return pval_get(&rvars, name);
}

static void
rvars_init(void)
{
	struct pval l = { 0 }, item = { 0 };

	if (rvars.kind == PV_MAP)
		return;
	pval_map(&rvars);
	pval_set_str(&rvars, "x", "one");
	pval_set_int(&rvars, "n", 3);
	pval_list(&l);
	pval_str(&item, "al");
	pval_push(&l, &item);
	pval_str(&item, "bo");
	pval_push(&l, &item);
	pval_set(&rvars, "users", &l);
}

TEST(playbook_runtime_errors_have_positions)
{
	struct playbook *pb = load_ok(PLAY
	    "    - run: echo {{ x }} {{ nosuch }}\n"
	    "      creates: \"/tmp/{{ x }}/{{ y.z }}\"\n"
	    "      when: x == 'one' and n > 2\n"
	    "      changed_when: [n == 3, nosuch2]\n"
	    "      failed_when: users > 1\n"
	    "    - run: |\n"
	    "        echo {{ gone }}\n"
	    "      when: n == 'x' and gone\n");
	struct drove_err err = { 0 };
	struct play_task *t;
	char *s;
	int truth;

	T_TRUE(pb != NULL);
	rvars_init();
	t = &pb->plays[0].tasks[0];
	T_EQ(pstr_render(&t->cmd, rlookup, NULL, &s, &err), DROVE_E_INVAL);
	T_TRUE(s == NULL);
	T_STREQ(err.msg, "pb.yml:4:28: undefined variable 'nosuch'");
	T_EQ(pstr_render(&t->creates, rlookup, NULL, &s, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:5:33: undefined variable 'y'");
	T_EQ(pstr_render(&t->src, rlookup, NULL, &s, &err), DROVE_E_INVAL);
	T_STREQ(err.msg, "no value");
	T_EQ(pcond_test(&t->when, rlookup, NULL, &truth, &err), 0);
	T_EQ(truth, 1);
	T_EQ(pcond_test(&t->changed_when, rlookup, NULL, &truth, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:7:30: undefined variable 'nosuch2'");
	T_EQ(pcond_test(&t->failed_when, rlookup, NULL, &truth, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:8:20: cannot compare a list with an "
	    "integer");
	t++;
	T_EQ(pstr_render(&t->cmd, rlookup, NULL, &s, &err), DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:9:12: undefined variable 'gone'");
	T_EQ(pcond_test(&t->when, rlookup, NULL, &truth, &err), 0);
	T_EQ(truth, 0);
	T_EQ(pcond_test(&t->failed_when, rlookup, NULL, &truth, &err), 0);
	T_EQ(truth, 1);
	playbook_free(pb);
}

TEST(playbook_yaml_booleans_as_conditions)
{
	struct playbook *pb = load_ok(PLAY
	    "    - run: x\n"
	    "      when: yes\n"
	    "      changed_when: no\n"
	    "      failed_when: 'no'\n");
	struct drove_err err = { 0 };
	struct play_task *t;
	int truth;

	T_TRUE(pb != NULL);
	t = &pb->plays[0].tasks[0];
	T_EQ(pcond_test(&t->when, rlookup, NULL, &truth, &err), 0);
	T_EQ(truth, 1);
	T_EQ(pcond_test(&t->changed_when, rlookup, NULL, &truth, &err), 0);
	T_EQ(truth, 0);
	T_EQ(pcond_test(&t->failed_when, rlookup, NULL, &truth, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:7:21: undefined variable 'no'");
	playbook_free(pb);
}

TEST(playbook_renders_fields)
{
	struct playbook *pb = load_ok(PLAY
	    "    - run: echo {{ x | quote }} {{ users | join(',') }}\n"
	    "      when: [x == 'one', \"'al' in users\"]\n");
	struct drove_err err = { 0 };
	struct play_task *t;
	char *s;
	int truth = 0;

	T_TRUE(pb != NULL);
	rvars_init();
	t = &pb->plays[0].tasks[0];
	T_EQ(pstr_render(&t->cmd, rlookup, NULL, &s, &err), 0);
	T_STREQ(s, "echo one al,bo");
	free(s);
	T_EQ(pcond_test(&t->when, rlookup, NULL, &truth, &err), 0);
	T_EQ(truth, 1);
	playbook_free(pb);
}

TEST(playbook_ports)
{
	struct drove_err err = { 0 };
	struct playbook *pb;
	struct play_task *t;
	int port;

	T_STREQ(load(PLAY "    - wait_for: {port: '{{ n + 1 }}'}\n"),
	    "pb.yml:4:30: unexpected '+'");
	pb = load_ok(PLAY
	    "    - wait_for: {port: 22}\n"
	    "    - wait_for: {port: '{{ n }}'}\n"
	    "    - wait_for: {port: '{{ x }}'}\n"
	    "    - wait_for: {port: \"{{ nosuch | default('2222') }}\"}\n"
	    "    - wait_for: {port: '{{ nosuch }}'}\n"
	    "    - wait_for: {path: /x}\n");
	T_TRUE(pb != NULL);
	rvars_init();
	t = pb->plays[0].tasks;
	T_EQ(play_task_port(&t[0], rlookup, NULL, &port, &err), 0);
	T_EQ(port, 22);
	T_TRUE(t[1].port_tmpl.text != NULL);
	T_EQ(t[1].port, 0);
	T_STREQ(t[1].host.text, "127.0.0.1");
	T_EQ(play_task_port(&t[1], rlookup, NULL, &port, &err), 0);
	T_EQ(port, 3);
	T_EQ(play_task_port(&t[2], rlookup, NULL, &port, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:6:25: port: expected a number from 1 to "
	    "65535");
	T_EQ(play_task_port(&t[3], rlookup, NULL, &port, &err), 0);
	T_EQ(port, 2222);
	T_EQ(play_task_port(&t[4], rlookup, NULL, &port, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:8:28: undefined variable 'nosuch'");
	T_EQ(play_task_port(&t[5], rlookup, NULL, &port, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "no port");
	playbook_free(pb);
}

TEST(playbook_loops)
{
	struct playbook *pb = load_ok(PLAY
	    "    - run: a\n"
	    "      loop: \"{{ users }}\"\n"
	    "    - run: b\n"
	    "      loop: [1, '{{ x }}', {name: '{{ n }}'}, '{{ users }}']\n"
	    "    - run: c\n"
	    "      loop: '{{ x }}'\n"
	    "    - run: d\n"
	    "      loop: '{{ nosuch }}'\n"
	    "    - run: e\n"
	    "      loop: [a, '{{ nosuch }}']\n"
	    "    - run: f\n");
	struct drove_err err = { 0 };
	struct pval items = { 0 };
	struct play_task *t;

	T_TRUE(pb != NULL);
	rvars_init();
	t = pb->plays[0].tasks;
	T_EQ(play_task_loop(&t[0], rlookup, NULL, &items, &err), 0);
	T_EQ(items.kind, PV_LIST);
	T_EQ(items.n, 2);
	T_STREQ(items.v[1].s, "bo");
	T_EQ(play_task_loop(&t[1], rlookup, NULL, &items, &err), 0);
	T_EQ(items.n, 4);
	T_EQ(items.v[0].kind, PV_INT);
	T_STREQ(items.v[1].s, "one");
	T_EQ(pval_get(&items.v[2], "name")->kind, PV_INT);
	T_EQ(items.v[3].kind, PV_LIST);
	T_EQ(play_task_loop(&t[2], rlookup, NULL, &items, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:9:14: loop: expected a list, found a string");
	T_EQ(play_task_loop(&t[3], rlookup, NULL, &items, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:11:17: undefined variable 'nosuch'");
	T_EQ(play_task_loop(&t[4], rlookup, NULL, &items, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:12:7: undefined variable 'nosuch'");
	T_EQ(items.kind, PV_LIST);
	T_EQ(play_task_loop(&t[5], rlookup, NULL, &items, &err), 0);
	T_EQ(items.kind, PV_NONE);
	pval_release(&items);
	playbook_free(pb);
}

TEST(playbook_vars_render_in_order)
{
	struct playbook *pb = load_ok(
	    "- hosts: all\n"
	    "  vars:\n"
	    "    dir: /srv/{{ x }}\n"
	    "    conf: '{{ dir }}/app.conf'\n"
	    "    all: '{{ users }}'\n"
	    "    nested: {a: ['{{ n }}', 2]}\n"
	    "    x: shadowed\n"
	    "- hosts: all\n"
	    "  vars:\n"
	    "    bad: '{{ later }}'\n"
	    "    later: 1\n");
	struct drove_err err = { 0 };
	struct pval out = { 0 };
	const struct pval *v;

	T_TRUE(pb != NULL);
	rvars_init();
	T_EQ(play_vars_render(&pb->plays[0], rlookup, NULL, &out, &err), 0);
	T_STREQ(pval_get(&out, "dir")->s, "/srv/one");
	T_STREQ(pval_get(&out, "conf")->s, "/srv/one/app.conf");
	T_EQ(pval_get(&out, "all")->kind, PV_LIST);
	v = pval_get(pval_get(&out, "nested"), "a");
	T_EQ(v->v[0].kind, PV_INT);
	T_EQ(v->v[0].i, 3);
	T_STREQ(pval_get(&out, "x")->s, "shadowed");
	T_EQ(play_vars_render(&pb->plays[1], rlookup, NULL, &out, &err),
	    DROVE_E_INVAL);
	T_STREQ(err.msg, "pb.yml:8:3: vars: bad: undefined variable 'later'");
	T_EQ(out.kind, PV_MAP);
	pval_release(&out);
	playbook_free(pb);
}

TEST(playbook_bounds)
{
	char text[2000];
	size_t i, n;

	n = (size_t)snprintf(text, sizeof text, "- hosts: all\n  vars:\n"
	    "    a: ");
	for (i = 0; i < 70; i++)
		text[n++] = '[';
	for (i = 0; i < 70; i++)
		text[n++] = ']';
	strcpy(text + n, "\n");
	T_STREQ(load(text), "pb.yml:3:72: value nested too deeply");
	T_STREQ(load("- hosts: all\n  vars:\n"
	    "    a: &a [x, x, x, x, x, x, x, x, x, x]\n"
	    "    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "    c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "    d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "    e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"),
	    "pb.yml:3:39: too many values");
	T_STREQ(load("- &p {hosts: all, tasks: [{run: x}]}\n- *p\n"), "ok");
}

TEST(playbook_examples_load)
{
	static const char *files[] = {
		"playbooks/deploy-config.yml", "playbooks/site-facts.yml",
		"playbooks/rolling-restart.yml"
	};
	struct drove_err err = { 0 };
	size_t i;
	int r;

	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		if ((r = playbook_check(files[i], &err)) != 0)
			fprintf(stderr, "%s\n", err.msg);
		T_EQ(r, 0);
	}
}

/* Write text to a new file under /tmp; its path in path. */
static void
vars_file(char path[64], const char *text)
{
	int fd;

	snprintf(path, 64, "/tmp/drove-vars-XXXXXX");
	fd = mkstemp(path);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			path[0] = '\0';
		close(fd);
	}
}

TEST(playbook_vars_load)
{
	struct drove_err err = { 0 };
	struct pval into = { 0 };
	char path[64], want[160];

	pval_map(&into);
	pval_set_str(&into, "keep", "k");
	pval_set_str(&into, "port", "1");
	vars_file(path, "port: 8080\nname: web\nlist: [a, b]\n"
	    "map: {x: true}\n");
	T_EQ(play_vars_load(path, &into, &err), 0);
	unlink(path);
	T_STREQ(pval_get(&into, "keep")->s, "k");
	T_EQ(pval_get(&into, "port")->kind, PV_INT);
	T_EQ(pval_get(&into, "port")->i, 8080);
	T_STREQ(pval_get(&into, "name")->s, "web");
	T_EQ(pval_get(&into, "list")->n, 2);
	T_EQ(pval_get(pval_get(&into, "map"), "x")->kind, PV_BOOL);

	vars_file(path, "- a\n- b\n");
	T_EQ(play_vars_load(path, &into, &err), DROVE_E_INVAL);
	snprintf(want, sizeof want, "%s:1:1: ", path);
	T_TRUE(strncmp(err.msg, want, strlen(want)) == 0);
	unlink(path);
	vars_file(path, "ok: 1\n'bad name': 2\n");
	T_EQ(play_vars_load(path, &into, &err), DROVE_E_INVAL);
	snprintf(want, sizeof want, "%s:2:1: vars: 'bad name' is not a "
	    "variable name", path);
	T_STREQ(err.msg, want);
	unlink(path);
	vars_file(path, "a: [1, 2\n");
	T_EQ(play_vars_load(path, &into, &err), DROVE_E_INVAL);
	snprintf(want, sizeof want, "%s:2:1: ", path);
	T_TRUE(strncmp(err.msg, want, strlen(want)) == 0);
	unlink(path);
	T_EQ(play_vars_load("/nonexistent/vars.yml", &into, &err), DROVE_E_IO);
	pval_release(&into);
}
