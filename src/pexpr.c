/*
 * pexpr.c: values and expressions of the playbook language (see play.h).
 */
#include <stdlib.h>
#include <string.h>

#include "drove.h"
#include "buf.h"
#include "err.h"
#include "play.h"

/* Not written yet: every entry point fails with this. */
static int
notyet(struct drove_err *err)
{
	return err_set(err, DROVE_E_INVAL, "not yet");
}

int
pval_str(struct pval *v, const char *s)
{
	return pval_strn(v, s, strlen(s));
}

int
pval_strn(struct pval *v, const char *s, size_t len)
{
	(void)v; (void)s; (void)len;
	return DROVE_E_INVAL;
}

void
pval_int(struct pval *v, long long i)
{
	(void)v; (void)i;
}

void
pval_bool(struct pval *v, int b)
{
	(void)v; (void)b;
}

void
pval_list(struct pval *v)
{
	(void)v;
}

void
pval_map(struct pval *v)
{
	(void)v;
}

void
pval_release(struct pval *v)
{
	(void)v;
}

int
pval_push(struct pval *list, struct pval *item)
{
	(void)list; (void)item;
	return DROVE_E_INVAL;
}

int
pval_set(struct pval *map, const char *key, struct pval *v)
{
	(void)map; (void)key; (void)v;
	return DROVE_E_INVAL;
}

int
pval_set_str(struct pval *map, const char *key, const char *s)
{
	(void)map; (void)key; (void)s;
	return DROVE_E_INVAL;
}

int
pval_set_int(struct pval *map, const char *key, long long i)
{
	(void)map; (void)key; (void)i;
	return DROVE_E_INVAL;
}

int
pval_set_bool(struct pval *map, const char *key, int b)
{
	(void)map; (void)key; (void)b;
	return DROVE_E_INVAL;
}

const struct pval *
pval_get(const struct pval *map, const char *key)
{
	(void)map; (void)key;
	return NULL;
}

int
pval_copy(struct pval *dst, const struct pval *src)
{
	(void)dst; (void)src;
	return DROVE_E_INVAL;
}

int
pval_truthy(const struct pval *v)
{
	(void)v;
	return 0;
}

int
pval_equal(const struct pval *a, const struct pval *b)
{
	(void)a; (void)b;
	return 0;
}

int
pval_format(const struct pval *v, struct buf *b)
{
	(void)v; (void)b;
	return DROVE_E_INVAL;
}

int
pval_result(struct pval *dst, int rc, const char *out, size_t outlen,
    const char *err, size_t errlen, int changed, int failed, int skipped)
{
	(void)dst; (void)rc; (void)out; (void)outlen; (void)err; (void)errlen;
	(void)changed; (void)failed; (void)skipped;
	return DROVE_E_INVAL;
}

const struct pval *
pval_lookup_chain(void *arg, const char *name)
{
	(void)arg; (void)name;
	return NULL;
}

int
pexpr_parse(const char *text, struct pexpr **out, size_t *off,
    struct drove_err *err)
{
	(void)text; (void)off;
	*out = NULL;
	return notyet(err);
}

int
pexpr_eval(const struct pexpr *e, pval_lookup_fn *lookup, void *arg,
    struct pval *out, size_t *off, struct drove_err *err)
{
	(void)e; (void)lookup; (void)arg; (void)out; (void)off;
	return notyet(err);
}

int
pexpr_test(const struct pexpr *e, pval_lookup_fn *lookup, void *arg,
    int *truth, size_t *off, struct drove_err *err)
{
	(void)e; (void)lookup; (void)arg; (void)truth; (void)off;
	return notyet(err);
}

const char *
pexpr_text(const struct pexpr *e)
{
	(void)e;
	return "";
}

void
pexpr_free(struct pexpr *e)
{
	(void)e;
}
