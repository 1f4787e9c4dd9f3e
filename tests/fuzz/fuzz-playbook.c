/*
 * fuzz-playbook.c: libFuzzer target for the playbook loader.
 *
 * Each input is loaded as a playbook named /nonexistent-drove-fuzz/pb.yml
 * (so relative script, push and template files are never found), with
 * every '/' and '\' byte made '_' first: no absolute path, even spelled
 * with YAML escapes, can make the loader read a local file such as
 * /dev/zero.  A load error must read "FILE:LINE:COLUMN: message".  A
 * playbook that loads has every field rendered, every condition tested,
 * every loop and port resolved and its vars rendered against a few fixed
 * variables; errors there must also carry the playbook's name.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "play/play.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_PB		"/nonexistent-drove-fuzz/pb.yml"

/* x="a b", n=3, l=["p","q"], m={"k":"v"}, t=true. */
static struct pval fvars;

static const struct pval *
flookup(void *arg, const char *name)
{
	struct pval l = { 0 }, m = { 0 }, v = { 0 };

	(void)arg;
	if (fvars.kind != PV_MAP) {
		pval_map(&fvars);
		pval_set_str(&fvars, "x", "a b");
		pval_set_int(&fvars, "n", 3);
		pval_set_bool(&fvars, "t", 1);
		pval_list(&l);
		pval_str(&v, "p");
		pval_push(&l, &v);
		pval_str(&v, "q");
		pval_push(&l, &v);
		pval_set(&fvars, "l", &l);
		pval_map(&m);
		pval_set_str(&m, "k", "v");
		pval_set(&fvars, "m", &m);
	}
	return pval_get(&fvars, name);
}

/* Abort unless a failed call's message names the playbook or is fixed. */
static void
check(int r, const struct drove_err *err, const char *what)
{
	if (r == 0 || r == DROVE_E_NOMEM)
		return;
	if (r != DROVE_E_INVAL || (strncmp(err->msg, FUZZ_PB ":",
	    strlen(FUZZ_PB) + 1) != 0 && strcmp(err->msg, "no value") != 0 &&
	    strcmp(err->msg, "no port") != 0)) {
		fprintf(stderr, "%s: %d %s\n", what, r, err->msg);
		abort();
	}
}

/* Render a field when present. */
static void
field(const struct pstr *p)
{
	struct drove_err err;
	char *s;

	if (p->text == NULL)
		return;
	check(pstr_render(p, flookup, NULL, &s, &err), &err, "render");
	free(s);
}

/* Use every part of a loaded task. */
static void
task(const struct play_task *t)
{
	const struct pstr *f[] = { &t->cmd, &t->src, &t->dest, &t->host,
	    &t->path, &t->port_tmpl, &t->creates, &t->removes,
	    &t->loop_tmpl };
	struct drove_err err;
	struct pval items = { 0 };
	size_t i;
	int truth, port;

	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		field(f[i]);
	check(pcond_test(&t->when, flookup, NULL, &truth, &err), &err, "when");
	check(pcond_test(&t->changed_when, flookup, NULL, &truth, &err), &err,
	    "changed_when");
	check(pcond_test(&t->failed_when, flookup, NULL, &truth, &err), &err,
	    "failed_when");
	check(play_task_loop(t, flookup, NULL, &items, &err), &err, "loop");
	pval_release(&items);
	if (t->action == PLAY_WAIT_FOR && t->path.text == NULL)
		check(play_task_port(t, flookup, NULL, &port, &err), &err,
		    "port");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct drove_err err;
	struct playbook *pb;
	struct pval vars = { 0 };
	char *text;
	size_t i, k;
	int r;

	if ((text = malloc(len + 1)) == NULL)
		return 0;
	for (i = 0; i < len; i++)
		text[i] = data[i] == '/' || data[i] == '\\' ? '_' :
		    (char)data[i];
	text[len] = '\0';
	r = playbook_parse(FUZZ_PB, text, len, &pb, &err);
	free(text);
	if (r != 0 && r != DROVE_E_NOMEM && strncmp(err.msg, FUZZ_PB ":",
	    strlen(FUZZ_PB) + 1) != 0) {
		fprintf(stderr, "load: %d %s\n", r, err.msg);
		abort();
	}
	if (r != 0)
		return 0;
	for (i = 0; i < pb->nplays; i++) {
		check(play_vars_render(&pb->plays[i], flookup, NULL, &vars,
		    &err), &err, "vars");
		for (k = 0; k < pb->plays[i].ntasks; k++)
			task(&pb->plays[i].tasks[k]);
	}
	pval_release(&vars);
	playbook_free(pb);
	return 0;
}
