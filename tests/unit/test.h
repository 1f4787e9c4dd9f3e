/*
 * test.h: the unit test harness.
 *
 * A test file defines TEST(name) { ... } functions; each registers itself
 * before main() runs.  Asserts print file:line and the values compared, then
 * end the test.  The runner (main.c) runs every test, or those whose names
 * contain argv[1], and ends with "N passed, N failed".
 */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>
#include <string.h>

struct test {
	const char	*name;
	void		(*fn)(void);
	struct test	*next;
};

void	test_register(struct test *);
void	test_fail(const char *file, int line, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
extern int test_failed;

#define TEST(n)								\
	static void test_##n(void);					\
	static struct test test_s_##n = { #n, test_##n, NULL };		\
	__attribute__((constructor)) static void test_reg_##n(void)	\
	{ test_register(&test_s_##n); }					\
	static void test_##n(void)

#define T_TRUE(c) do {							\
	if (!(c)) {							\
		test_fail(__FILE__, __LINE__, "%s", #c);		\
		return;							\
	}								\
} while (0)

#define T_EQ(a, b) do {							\
	long long t_a_ = (long long)(a), t_b_ = (long long)(b);		\
	if (t_a_ != t_b_) {						\
		test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld",	\
		    #a, #b, t_a_, t_b_);				\
		return;							\
	}								\
} while (0)

#define T_STREQ(a, b) do {						\
	const char *t_a_ = (a), *t_b_ = (b);				\
	if (t_a_ == NULL || t_b_ == NULL || strcmp(t_a_, t_b_) != 0) {	\
		test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", \
		    #a, #b, t_a_ ? t_a_ : "(null)",			\
		    t_b_ ? t_b_ : "(null)");				\
		return;							\
	}								\
} while (0)

#endif /* TEST_H */
