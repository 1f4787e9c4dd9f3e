/*
 * loop.h: the event loop: epoll fd watches, timers, a run queue and a
 * cross-thread wake-up.
 *
 * One thread owns a loop and is the only one to call these functions, except
 * loop_post() and loop_wake(), which any thread may call (loop_wake() is also
 * async-signal-safe).  Callbacks run on the owning thread from inside
 * loop_run_once().  Watches and timers may be added or removed from inside
 * callbacks; an fd unwatched during a turn gets no further callbacks in it.
 *
 * Timers and tasks are embedded in the caller's objects (libuv style): the
 * loop never allocates or frees them, and the caller must stop them before
 * freeing their memory.
 */
#ifndef LOOP_H
#define LOOP_H

#include <stddef.h>
#include <stdint.h>

#define LOOP_READ	0x1
#define LOOP_WRITE	0x2

struct loop;

typedef void loop_fd_cb(struct loop *, int fd, int events, void *arg);
typedef void loop_timer_cb(struct loop *, void *arg);
typedef void loop_task_cb(struct loop *, void *arg);

struct loop_timer {
	uint64_t	 due;		/* loop_now() ms */
	size_t		 slot;		/* heap index + 1, 0 when stopped */
	loop_timer_cb	*cb;
	void		*arg;
};

/* A deferred call on the loop's next turn; queued at most once. */
struct loop_task {
	struct loop_task *next;
	int		  queued;
	loop_task_cb	 *cb;
	void		 *arg;
};

struct loop	*loop_new(void);		/* NULL on failure (errno) */
void		 loop_free(struct loop *);	/* NULL-safe; must be idle */

/* Monotonic milliseconds, cached per turn. */
uint64_t	 loop_now(struct loop *);
void		 loop_update_time(struct loop *);

/* Watch fd for events (LOOP_READ|LOOP_WRITE); again to change mask. */
int	loop_watch(struct loop *, int fd, int events, loop_fd_cb *, void *);
void	loop_unwatch(struct loop *, int fd);

void	loop_timer_init(struct loop_timer *, loop_timer_cb *, void *);
/* (Re)start the timer to fire once in ms milliseconds. */
int	loop_timer_start(struct loop *, struct loop_timer *, uint64_t ms);
void	loop_timer_stop(struct loop *, struct loop_timer *);
int	loop_timer_active(const struct loop_timer *);

void	loop_task_init(struct loop_task *, loop_task_cb *, void *);
/* Run the task once on the next turn, before waiting for events. */
void	loop_task_queue(struct loop *, struct loop_task *);
void	loop_task_cancel(struct loop *, struct loop_task *);

/* Any thread: run cb(arg) on the loop thread soon.  0 or DROVE_E_NOMEM. */
int	loop_post(struct loop *, loop_task_cb *, void *);
/* Any thread, signal handlers too: make loop_run_once() return soon. */
void	loop_wake(struct loop *);

/*
 * Run queued tasks, then wait at most timeout_ms (-1: until the next timer or
 * event) and dispatch events and due timers.  Returns 0 or DROVE_E_IO.
 */
int	loop_run_once(struct loop *, int timeout_ms);
/* The epoll fd, for embedding in a caller's own poll loop. */
int	loop_fd(const struct loop *);
/* Milliseconds until the next timer or 0 if tasks wait; -1 for none. */
int	loop_next_timeout(struct loop *);

#endif /* LOOP_H */
