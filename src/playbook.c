/*
 * playbook.c: YAML playbooks -> plays and tasks (see play.h).
 */
#include <stdlib.h>

#include "drove.h"
#include "err.h"
#include "play.h"

/* Not written yet: every entry point fails with this. */
static int
notyet(struct drove_err *err)
{
	return err_set(err, DROVE_E_INVAL, "not yet");
}

int
playbook_load(const char *path, struct playbook **out, struct drove_err *err)
{
	(void)path;
	*out = NULL;
	return notyet(err);
}

int
playbook_parse(const char *path, const char *text, size_t len,
    struct playbook **out, struct drove_err *err)
{
	(void)path; (void)text; (void)len;
	*out = NULL;
	return notyet(err);
}

int
playbook_check(const char *path, struct drove_err *err)
{
	(void)path;
	return notyet(err);
}

void
playbook_free(struct playbook *pb)
{
	(void)pb;
}

int
playbook_file(const struct playbook *pb, enum play_action a, const char *src,
    char **out, struct drove_err *err)
{
	(void)pb; (void)a; (void)src;
	*out = NULL;
	return notyet(err);
}

int
play_task_loop(const struct play_task *t, pval_lookup_fn *lookup, void *arg,
    struct pval *items, struct drove_err *err)
{
	(void)t; (void)lookup; (void)arg; (void)items;
	return notyet(err);
}

int
play_vars_render(const struct play *p, pval_lookup_fn *lookup, void *arg,
    struct pval *out, struct drove_err *err)
{
	(void)p; (void)lookup; (void)arg; (void)out;
	return notyet(err);
}
