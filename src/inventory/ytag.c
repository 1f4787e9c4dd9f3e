/*
 * ytag.c: YAML scalars tagged as strings in the text (ytag.h).
 */
#include <stdlib.h>
#include <string.h>

#include "inventory/ytag.h"

/* Whether the sorted at[0..n) holds x. */
static int
holds(const size_t *at, size_t n, size_t x)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (at[mid] == x)
			return 1;
		if (at[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
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
		    holds(at, nat, n->start_mark.index))
			n->data.scalar.style = YAML_ANY_SCALAR_STYLE;
	free(at);
	return r;
}
