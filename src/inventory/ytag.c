/*
 * ytag.c: YAML scalars tagged as strings in the text (ytag.h).
 */
#include <stdlib.h>
#include <string.h>

#include "inventory/ytag.h"

/* Order two offsets (bsearch). */
static int
cmp_off(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

int
ytag_strings(yaml_document_t *doc, const char *text, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	yaml_node_t *n;
	size_t *at = NULL, *v, nat = 0, cap = 0;
	int done = 0, r = 0;

	if (!yaml_parser_initialize(&p))
		return -1;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	/* Where each plain scalar with a specific tag starts, in order. */
	while (!done && r == 0 && yaml_parser_parse(&p, &ev)) {
		done = ev.type == YAML_STREAM_END_EVENT;
		if (ev.type == YAML_SCALAR_EVENT && ev.data.scalar.tag != NULL &&
		    strcmp((const char *)ev.data.scalar.tag, "!") != 0 &&
		    ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			if (nat == cap) {
				cap = cap * 2 + 16;
				if ((v = realloc(at, cap * sizeof *v)) == NULL)
					r = -1;
				else
					at = v;
			}
			if (r == 0)
				at[nat++] = ev.start_mark.index;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	for (n = doc->nodes.start; r == 0 && n < doc->nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE &&
		    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		    n->tag != NULL &&
		    strcmp((const char *)n->tag, YAML_STR_TAG) == 0 &&
		    nat > 0 && bsearch(&n->start_mark.index, at, nat,
		    sizeof *at, cmp_off) != NULL)
			n->data.scalar.style = YAML_ANY_SCALAR_STYLE;
	free(at);
	return r;
}
