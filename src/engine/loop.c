/*
 * loop.c: epoll watches, a timer min-heap, a run queue and an eventfd through
 * which other threads post work (the shapes of Redis ae and libuv).
 *
 * The fd table is indexed by fd.  Level-triggered epoll; EPOLL_CTL_MOD is
 * issued only when the wanted mask changes.  ERR and HUP are reported as
 * both readable and writable so that the pending operation runs and reports
 * the real error.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "drove.h"
#include "engine/loop.h"

struct watch {
	int		 events;
	loop_fd_cb	*cb;
	void		*arg;
};

struct post {
	struct post	*next;
	loop_task_cb	*cb;
	void		*arg;
};

struct loop {
	int		  epfd;
	int		  evfd;
	uint64_t	  now;
	struct watch	 *fds;
	size_t		  nfds;
	struct loop_timer **heap;
	size_t		  nheap;
	size_t		  capheap;
	struct loop_task *tasks;
	struct loop_task **tasks_tail;
	pthread_mutex_t	  lock;
	struct post	 *posts;
	struct post	**posts_tail;
	/* the stall meter: a turn's work, from epoll_wait's return to the
	 * next call, in microseconds */
	uint64_t	  woke_us;	/* 0: not awake */
	uint64_t	  turns;
	uint64_t	  busy_us;	/* in all */
	uint64_t	  longest_us;
};

/* Read the monotonic clock in milliseconds. */
static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Read the monotonic clock in microseconds. */
static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The turn's work is done: count it in the stall meter. */
static void
loop_turn_end(struct loop *l)
{
	uint64_t busy;

	if (l->woke_us == 0)
		return;
	busy = mono_us() - l->woke_us;
	l->turns++;
	l->busy_us += busy;
	if (busy > l->longest_us)
		l->longest_us = busy;
	l->woke_us = 0;
}

/* Make a loop with its epoll and eventfd. */
struct loop *
loop_new(void)
{
	struct loop *l;
	struct epoll_event ev;

	if ((l = calloc(1, sizeof *l)) == NULL)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (l->epfd == -1 || l->evfd == -1)
		goto fail;
	memset(&ev, 0, sizeof ev);
	ev.events = EPOLLIN;
	ev.data.fd = l->evfd;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->evfd, &ev) == -1)
		goto fail;
	pthread_mutex_init(&l->lock, NULL);
	l->tasks_tail = &l->tasks;
	l->posts_tail = &l->posts;
	l->now = mono_ms();
	return l;
 fail:
	if (l->epfd != -1)
		close(l->epfd);
	if (l->evfd != -1)
		close(l->evfd);
	free(l);
	return NULL;
}

/* Free the loop; posts never run are dropped. */
void
loop_free(struct loop *l)
{
	struct post *p;

	if (l == NULL)
		return;
	loop_turn_end(l);
	LOG_STALLS("loop: %llu turns, busy %llu.%03llu ms, longest turn "
	    "%llu.%03llu ms", (unsigned long long)l->turns,
	    (unsigned long long)(l->busy_us / 1000),
	    (unsigned long long)(l->busy_us % 1000),
	    (unsigned long long)(l->longest_us / 1000),
	    (unsigned long long)(l->longest_us % 1000));
	while ((p = l->posts) != NULL) {
		l->posts = p->next;
		free(p);
	}
	pthread_mutex_destroy(&l->lock);
	close(l->epfd);
	close(l->evfd);
	free(l->fds);
	free(l->heap);
	free(l);
}

/* The time of this turn. */
uint64_t
loop_now(struct loop *l)
{
	return l->now;
}

/* Refresh the turn's time. */
void
loop_update_time(struct loop *l)
{
	l->now = mono_ms();
}

/* Watch fd or change what is watched. */
int
loop_watch(struct loop *l, int fd, int events, loop_fd_cb *cb, void *arg)
{
	struct epoll_event ev;
	struct watch *w;
	size_t n;
	int op;

	if (fd < 0)
		return DROVE_E_INVAL;
	if ((size_t)fd >= l->nfds) {
		n = l->nfds ? l->nfds : 64;
		while (n <= (size_t)fd)
			n *= 2;
		if ((w = realloc(l->fds, n * sizeof *w)) == NULL)
			return DROVE_E_NOMEM;
		memset(w + l->nfds, 0, (n - l->nfds) * sizeof *w);
		l->fds = w;
		l->nfds = n;
	}
	w = &l->fds[fd];
	op = w->cb == NULL ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (op == EPOLL_CTL_ADD || w->events != events) {
		memset(&ev, 0, sizeof ev);
		if (events & LOOP_READ)
			ev.events |= EPOLLIN;
		if (events & LOOP_WRITE)
			ev.events |= EPOLLOUT;
		ev.data.fd = fd;
		if (epoll_ctl(l->epfd, op, fd, &ev) == -1)
			return DROVE_E_IO;
	}
	w->events = events;
	w->cb = cb;
	w->arg = arg;
	return 0;
}

/* Stop watching fd; call before closing it. */
void
loop_unwatch(struct loop *l, int fd)
{
	if (fd < 0 || (size_t)fd >= l->nfds || l->fds[fd].cb == NULL)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(&l->fds[fd], 0, sizeof l->fds[fd]);
}

/* Swap two heap slots and fix their back-indices. */
static void
heap_swap(struct loop *l, size_t a, size_t b)
{
	struct loop_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->slot = a + 1;
	l->heap[b]->slot = b + 1;
}

/* Move slot i up or down until the heap holds again. */
static void
heap_fix(struct loop *l, size_t i)
{
	size_t c;

	while (i > 0 && l->heap[(i - 1) / 2]->due > l->heap[i]->due) {
		heap_swap(l, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
	for (;;) {
		c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && l->heap[c + 1]->due < l->heap[c]->due)
			c++;
		if (l->heap[i]->due <= l->heap[c]->due)
			break;
		heap_swap(l, i, c);
		i = c;
	}
}

/* Prepare a stopped timer. */
void
loop_timer_init(struct loop_timer *t, loop_timer_cb *cb, void *arg)
{
	t->due = 0;
	t->slot = 0;
	t->cb = cb;
	t->arg = arg;
}

/* Fire t once, ms from now. */
int
loop_timer_start(struct loop *l, struct loop_timer *t, uint64_t ms)
{
	struct loop_timer **h;
	size_t n;

	t->due = l->now + ms;
	if (t->slot != 0) {
		heap_fix(l, t->slot - 1);
		return 0;
	}
	if (l->nheap == l->capheap) {
		n = l->capheap ? l->capheap * 2 : 64;
		if ((h = realloc(l->heap, n * sizeof *h)) == NULL)
			return DROVE_E_NOMEM;
		l->heap = h;
		l->capheap = n;
	}
	l->heap[l->nheap] = t;
	t->slot = ++l->nheap;
	heap_fix(l, t->slot - 1);
	return 0;
}

/* Stop t if it runs. */
void
loop_timer_stop(struct loop *l, struct loop_timer *t)
{
	size_t i;

	if (t->slot == 0)
		return;
	i = t->slot - 1;
	t->slot = 0;
	if (--l->nheap != i) {
		l->heap[i] = l->heap[l->nheap];
		l->heap[i]->slot = i + 1;
		heap_fix(l, i);
	}
}

/* Whether t is started. */
int
loop_timer_active(const struct loop_timer *t)
{
	return t->slot != 0;
}

/* Prepare an unqueued task. */
void
loop_task_init(struct loop_task *t, loop_task_cb *cb, void *arg)
{
	t->next = NULL;
	t->queued = 0;
	t->cb = cb;
	t->arg = arg;
}

/* Queue t for the next turn unless it is queued already. */
void
loop_task_queue(struct loop *l, struct loop_task *t)
{
	if (t->queued)
		return;
	t->queued = 1;
	t->next = NULL;
	*l->tasks_tail = t;
	l->tasks_tail = &t->next;
}

/* Take t off the run queue. */
void
loop_task_cancel(struct loop *l, struct loop_task *t)
{
	struct loop_task **pp;

	if (!t->queued)
		return;
	for (pp = &l->tasks; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			if (l->tasks_tail == &t->next)
				l->tasks_tail = pp;
			break;
		}
	}
	t->queued = 0;
	t->next = NULL;
}

/* Queue cb(arg) from any thread. */
int
loop_post(struct loop *l, loop_task_cb *cb, void *arg)
{
	struct post *p;

	if ((p = malloc(sizeof *p)) == NULL)
		return DROVE_E_NOMEM;
	p->next = NULL;
	p->cb = cb;
	p->arg = arg;
	pthread_mutex_lock(&l->lock);
	*l->posts_tail = p;
	l->posts_tail = &p->next;
	pthread_mutex_unlock(&l->lock);
	loop_wake(l);
	return 0;
}

/* Interrupt epoll_wait; only write(2), so safe in a signal handler. */
void
loop_wake(struct loop *l)
{
	uint64_t one = 1;
	int saved = errno;

	if (write(l->evfd, &one, sizeof one) == -1) {
		/* the counter is full: a wake-up is pending anyway */
	}
	errno = saved;
}

/* Drain the eventfd and run what other threads posted. */
static void
run_posts(struct loop *l)
{
	struct post *p, *next;
	uint64_t n;

	if (read(l->evfd, &n, sizeof n) == -1) {
		/* EAGAIN: nothing pending */
	}
	pthread_mutex_lock(&l->lock);
	p = l->posts;
	l->posts = NULL;
	l->posts_tail = &l->posts;
	pthread_mutex_unlock(&l->lock);
	for (; p != NULL; p = next) {
		next = p->next;
		p->cb(l, p->arg);
		free(p);
	}
}

/* Run the tasks queued before this call; later ones wait a turn.  Whether
 * there were any. */
static int
run_tasks(struct loop *l)
{
	struct loop_task *t, *next;
	int ran = l->tasks != NULL;

	t = l->tasks;
	l->tasks = NULL;
	l->tasks_tail = &l->tasks;
	for (; t != NULL; t = next) {
		next = t->next;
		t->next = NULL;
		t->queued = 0;
		t->cb(l, t->arg);
	}
	return ran;
}

/* Fire every due timer. */
static void
run_timers(struct loop *l)
{
	struct loop_timer *t;

	while (l->nheap > 0 && l->heap[0]->due <= l->now) {
		t = l->heap[0];
		loop_timer_stop(l, t);
		t->cb(l, t->arg);
	}
}

/* How long epoll_wait may sleep. */
int
loop_next_timeout(struct loop *l)
{
	uint64_t d;

	if (l->tasks != NULL)
		return 0;
	if (l->nheap == 0)
		return -1;
	if (l->heap[0]->due <= l->now)
		return 0;
	d = l->heap[0]->due - l->now;
	return d > 60000 ? 60000 : (int)d;
}

/* One turn: tasks, wait, fds, timers. */
int
loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[256];
	struct watch *w;
	int i, n, fd, events, t;

	loop_update_time(l);
	/* tasks may end the caller's work (the last host of a run): a turn
	 * that ran some returns without sleeping, for the caller to check */
	t = run_tasks(l) ? 0 : loop_next_timeout(l);
	if (timeout_ms >= 0 && (t < 0 || timeout_ms < t))
		t = timeout_ms;
	loop_turn_end(l);
	n = epoll_wait(l->epfd, evs, 256, t);
	if (n == -1 && errno != EINTR)
		return DROVE_E_IO;
	l->woke_us = mono_us();
	loop_update_time(l);
	for (i = 0; i < n; i++) {
		fd = evs[i].data.fd;
		if (fd == l->evfd) {
			run_posts(l);
			continue;
		}
		if ((size_t)fd >= l->nfds || (w = &l->fds[fd])->cb == NULL)
			continue;
		events = 0;
		if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			events |= LOOP_READ;
		if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			events |= LOOP_WRITE;
		events &= w->events | ((evs[i].events & (EPOLLERR |
		    EPOLLHUP)) ? LOOP_READ | LOOP_WRITE : 0);
		if (events != 0)
			w->cb(l, fd, events, w->arg);
	}
	run_timers(l);
	return 0;
}

/* The epoll fd. */
int
loop_fd(const struct loop *l)
{
	return l->epfd;
}
