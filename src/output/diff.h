/*
 * diff.h: line diffs of two byte strings, printed as unified diff hunks.
 *
 * The diff is Myers' O((N+M)D) algorithm in its linear-space form: memory
 * is O(N+M) in lines whatever the inputs.  When the two sides differ so much
 * that the search grows past a cost bound (at least 256 steps, more for big
 * inputs), the split point is the furthest one reached: the diff stays a
 * correct one but may not be the shortest.  Lines end at '\n'; a last line
 * without one is marked as GNU diff does.
 */
#ifndef DIFF_H
#define DIFF_H

#include <stddef.h>
#include <stdio.h>

/*
 * Print to f the hunks ("@@ -1,3 +1,4 @@" and their lines) turning
 * a[0..alen) into b[0..blen), with context lines of context around each
 * change; nothing when they are equal.  The lines are shown as
 * drove_vis_write() shows them with vis (0: as they are).  0 or
 * DROVE_E_NOMEM.
 */
int	diff_unified(FILE *f, const char *a, size_t alen, const char *b,
	    size_t blen, size_t context, int vis);

#endif /* DIFF_H */
