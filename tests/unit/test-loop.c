/*
 * test-loop.c: timers, tasks, fd watches and posts of the event loop.
 */
#include <pthread.h>
#include <unistd.h>

#include "engine/loop.h"
#include "test.h"

static int fired[4], nfired;

static void
timer_cb(struct loop *l, void *arg)
{
	(void)l;
	fired[(int)(long)arg] = ++nfired;
}

TEST(loop_timers_fire_in_order)
{
	struct loop *l = loop_new();
	struct loop_timer t[4];
	int i;

	T_TRUE(l != NULL);
	memset(fired, 0, sizeof fired);
	nfired = 0;
	for (i = 0; i < 4; i++)
		loop_timer_init(&t[i], timer_cb, (void *)(long)i);
	loop_timer_start(l, &t[0], 30);
	loop_timer_start(l, &t[1], 10);
	loop_timer_start(l, &t[2], 20);
	loop_timer_start(l, &t[3], 5);
	loop_timer_stop(l, &t[3]);
	T_TRUE(!loop_timer_active(&t[3]));
	while (loop_timer_active(&t[0]))
		loop_run_once(l, -1);
	T_EQ(fired[1], 1);
	T_EQ(fired[2], 2);
	T_EQ(fired[0], 3);
	T_EQ(fired[3], 0);
	loop_free(l);
}

static int pipe_events;

static void
pipe_cb(struct loop *l, int fd, int events, void *arg)
{
	char c;

	(void)arg;
	pipe_events |= events;
	if (read(fd, &c, 1) == 1)
		loop_unwatch(l, fd);
}

TEST(loop_watch_reports_readable)
{
	struct loop *l = loop_new();
	int p[2];

	T_TRUE(pipe(p) == 0);
	pipe_events = 0;
	T_EQ(loop_watch(l, p[0], LOOP_READ, pipe_cb, NULL), 0);
	loop_run_once(l, 0);
	T_EQ(pipe_events, 0);
	T_EQ(write(p[1], "x", 1), 1);
	loop_run_once(l, 1000);
	T_EQ(pipe_events, LOOP_READ);
	close(p[0]);
	close(p[1]);
	loop_free(l);
}

static int posted;

static void
post_cb(struct loop *l, void *arg)
{
	(void)l;
	posted += (int)(long)arg;
}

static void *
poster(void *arg)
{
	loop_post(arg, post_cb, (void *)5L);
	return NULL;
}

TEST(loop_post_from_thread)
{
	struct loop *l = loop_new();
	pthread_t th;

	posted = 0;
	pthread_create(&th, NULL, poster, l);
	pthread_join(th, NULL);
	loop_run_once(l, 1000);
	T_EQ(posted, 5);
	loop_free(l);
}

static void
task_cb(struct loop *l, void *arg)
{
	(void)l;
	posted += (int)(long)arg;
}

TEST(loop_task_runs_once)
{
	struct loop *l = loop_new();
	struct loop_task a, b;

	posted = 0;
	loop_task_init(&a, task_cb, (void *)1L);
	loop_task_init(&b, task_cb, (void *)10L);
	loop_task_queue(l, &a);
	loop_task_queue(l, &a);
	loop_task_queue(l, &b);
	loop_task_cancel(l, &b);
	T_EQ(loop_next_timeout(l), 0);
	loop_run_once(l, 0);
	T_EQ(posted, 1);
	T_EQ(loop_next_timeout(l), -1);
	loop_free(l);
}

/* A turn whose task ends the caller's work (the last host of a run) comes
 * back without sleeping: with nothing else to wait for, the caller's next
 * turn would sleep for ever (here, until the far timer). */
TEST(loop_turn_that_ran_tasks_does_not_sleep)
{
	struct loop *l = loop_new();
	struct loop_task t;
	struct loop_timer far;

	T_TRUE(l != NULL);
	memset(fired, 0, sizeof fired);
	nfired = 0;
	posted = 0;
	loop_task_init(&t, task_cb, (void *)1L);
	loop_timer_init(&far, timer_cb, (void *)0L);
	loop_timer_start(l, &far, 10000);
	loop_task_queue(l, &t);
	T_EQ(loop_run_once(l, -1), 0);
	T_EQ(posted, 1);
	T_EQ(fired[0], 0);	/* came back before the far timer */
	loop_timer_stop(l, &far);
	loop_free(l);
}
