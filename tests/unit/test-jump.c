/*
 * test-jump.c: copying a jump chain from host specs (the key that decides
 * which hosts share a connection) and the connect pace.
 */
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "drove.h"
#include "engine/jump.h"
#include "engine/pace.h"
#include "test.h"

TEST(jhop_copy_chain_and_key)
{
	struct drove_hostspec b1, b2, t;
	struct drove_err e;
	struct jhop *h = NULL;

	memset(&b1, 0, sizeof b1);
	memset(&b2, 0, sizeof b2);
	memset(&t, 0, sizeof t);
	b1.name = "b1";
	b1.address = "10.0.0.1";
	b1.user = "ops";
	b1.key = "/k/b1";
	b2.name = "b2";
	b2.port = 2222;
	b2.jump = &b1;
	t.name = "web1";
	t.jump = &b2;
	err_clear(&e);
	T_EQ(0, jhop_copy(&t, &h, &e));
	T_STREQ("b2", h->name);
	T_STREQ("b2", h->address);	/* the name when none */
	T_EQ(2222, h->port);
	T_EQ(1, h->user == NULL);
	T_STREQ("ops@10.0.0.1:22,b2:2222", h->key);
	T_STREQ("ops@10.0.0.1:22", h->via->key);
	T_STREQ("/k/b1", h->via->keypath);
	T_EQ(1, h->via->via == NULL);
	jhop_free(h);
}

TEST(jhop_copy_none_and_bad)
{
	struct drove_hostspec b, t;
	struct drove_err e;
	struct jhop *h = (struct jhop *)&e;

	memset(&b, 0, sizeof b);
	memset(&t, 0, sizeof t);
	t.name = "web1";
	err_clear(&e);
	T_EQ(0, jhop_copy(&t, &h, &e));
	T_EQ(1, h == NULL);
	t.jump = &b;			/* a jump host without a name */
	T_EQ(DROVE_E_INVAL, jhop_copy(&t, &h, &e));
	T_STREQ("web1: bad jump host", e.msg);
	b.name = "b";
	b.port = 70000;
	T_EQ(DROVE_E_INVAL, jhop_copy(&t, &h, &e));
	T_EQ(1, h == NULL);
}

TEST(pace_take_burst_and_refill)
{
	struct pace p;
	int i, n = 0;

	pace_init(&p, 1000);
	for (i = 0; i < 20; i++)
		n += pace_take(&p, 100, 1000);
	T_EQ(8, n);			/* the burst */
	T_EQ(0, pace_take(&p, 100, 1005));
	T_EQ(1, pace_take(&p, 100, 1010));	/* 10 ms at 100/s */
	pace_init(&p, 0);
	n = 0;
	for (i = 0; i < 5; i++)
		n += pace_take(&p, 2, 0);
	T_EQ(2, n);			/* the burst is the rate when lower */
	T_EQ(1, pace_take(&p, 0, 0));	/* no limit */
}
