/*
 * ytag.h: YAML scalars tagged as strings in the text ("!!str 5").
 *
 * libyaml's document API gives every untagged scalar the string tag too,
 * so a loaded document cannot tell "port: !!str 5" (text, as PyYAML and so
 * Ansible read it) from "port: 5" (an integer).  The non-specific tag "!"
 * leaves a plain scalar as it was, as in PyYAML ("! yes" is true, where
 * YAML 1.1 would make it text).  ytag_strings() reads the
 * text's events again and changes the style of each plain scalar the text
 * tags as a string from YAML_PLAIN_SCALAR_STYLE to YAML_ANY_SCALAR_STYLE:
 * code that reads only plain scalars as numbers, booleans or null then
 * reads these as text.
 */
#ifndef YTAG_H
#define YTAG_H

#include <stddef.h>
#include <yaml.h>

/* Mark doc's scalars tagged as strings in text (the whole stream doc was
 * loaded from).  0, or -1 when out of memory; a text libyaml cannot parse
 * was already refused by the load. */
int	ytag_strings(yaml_document_t *doc, const char *text, size_t len);

#endif
