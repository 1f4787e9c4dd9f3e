/*
 * json.h: write JSON strings to a stdio stream.
 *
 * JSON has no bytes type, so arbitrary bytes are written as follows: valid
 * UTF-8 passes through, '"', '\' and control characters are escaped, and
 * each byte that is not part of a valid UTF-8 sequence becomes \u00XX, its
 * value as a code point (a reader that maps U+0000-U+00FF back to bytes gets
 * the original data).  The output is always valid UTF-8.  Write errors are
 * left in the stream's error flag.
 */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <stdio.h>

/* Write data as a quoted JSON string. */
void	json_write_str(FILE *, const void *data, size_t len);

#endif /* JSON_H */
