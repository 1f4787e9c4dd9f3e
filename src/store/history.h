/*
 * history.h: the inside of the run history (drove_history_* in drove.h).
 *
 * Host rows are batched: a batch is written when it holds
 * DROVE_HISTORY_BATCH rows, when a result comes HISTORY_FLUSH_MS or more
 * after the last write, and at the end of the record.
 */
#ifndef HISTORY_H
#define HISTORY_H

/* The longest a finished host's row waits while results keep coming. */
#define HISTORY_FLUSH_MS	1000

#endif /* HISTORY_H */
