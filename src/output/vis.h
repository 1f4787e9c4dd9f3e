/*
 * vis.h: hosts' output made safe for the operator's terminal.
 *
 * A host's bytes printed to a terminal as they are could move the cursor,
 * clear the screen, set the window title or write the clipboard (OSC 52),
 * or fake another host's line after a carriage return.  vis_write() shows
 * every control character and escape sequence as \xHH instead: C0
 * controls but tab and newline, DEL, C1 controls (raw or UTF-8 encoded) and
 * bytes that are not valid UTF-8.  Valid UTF-8 text passes unchanged, and
 * so, when asked, do colour sequences (SGR: ESC [ digits ; : m).
 */
#ifndef VIS_H
#define VIS_H

#include <stddef.h>
#include <stdio.h>

/* Write len bytes of data to f, shown as above; with sgr, colour
 * sequences pass as they are.  Returns 1 when one passed, else 0. */
int	vis_write(FILE *f, const char *data, size_t len, int sgr);

#endif /* VIS_H */
