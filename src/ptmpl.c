/*
 * ptmpl.c: "{{ }}" templates of the playbook language (see play.h).
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
ptmpl_parse(const char *text, size_t len, struct ptmpl **out, size_t *off,
    struct drove_err *err)
{
	(void)text; (void)len; (void)off;
	*out = NULL;
	return notyet(err);
}

int
ptmpl_is_plain(const struct ptmpl *t)
{
	(void)t;
	return 0;
}

int
ptmpl_render(const struct ptmpl *t, pval_lookup_fn *lookup, void *arg,
    char **out, size_t *len, size_t *off, struct drove_err *err)
{
	(void)t; (void)lookup; (void)arg; (void)len; (void)off;
	*out = NULL;
	return notyet(err);
}

int
ptmpl_value(const struct ptmpl *t, pval_lookup_fn *lookup, void *arg,
    struct pval *out, size_t *off, struct drove_err *err)
{
	(void)t; (void)lookup; (void)arg; (void)out; (void)off;
	return notyet(err);
}

void
ptmpl_free(struct ptmpl *t)
{
	(void)t;
}

int
ptmpl_render_str(const char *text, pval_lookup_fn *lookup, void *arg,
    char **out, size_t *off, struct drove_err *err)
{
	(void)text; (void)lookup; (void)arg; (void)off;
	*out = NULL;
	return notyet(err);
}

int
ptmpl_render_file(const char *path, pval_lookup_fn *lookup, void *arg,
    char **out, size_t *len, struct drove_err *err)
{
	(void)path; (void)lookup; (void)arg; (void)len;
	*out = NULL;
	return notyet(err);
}

int
ptmpl_check_file(const char *path, struct drove_err *err)
{
	(void)path;
	return notyet(err);
}

int
pstr_render(const struct pstr *p, pval_lookup_fn *lookup, void *arg,
    char **out, struct drove_err *err)
{
	(void)p; (void)lookup; (void)arg;
	*out = NULL;
	return notyet(err);
}

int
pcond_test(const struct pcond *c, pval_lookup_fn *lookup, void *arg,
    int *truth, struct drove_err *err)
{
	(void)c; (void)lookup; (void)arg;
	*truth = 0;
	return notyet(err);
}
