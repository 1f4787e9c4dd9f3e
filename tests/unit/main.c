/*
 * main.c: runs the registered unit tests and prints "N passed, N failed".
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"

static struct test *tests;
int test_failed;

/* Add t to the list (called by TEST's constructor). */
void
test_register(struct test *t)
{
	t->next = tests;
	tests = t;
}

/* Report a failed assert. */
void
test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	test_failed = 1;
}

int
main(int argc, char **argv)
{
	struct test *t, *rev = NULL, *next;
	int passed = 0, failed = 0;

	for (t = tests; t != NULL; t = next) {
		next = t->next;
		t->next = rev;
		rev = t;
	}
	for (t = rev; t != NULL; t = t->next) {
		if (argc > 1 && strstr(t->name, argv[1]) == NULL)
			continue;
		test_failed = 0;
		t->fn();
		if (test_failed) {
			printf("FAIL %s\n", t->name);
			failed++;
		} else {
			printf("ok   %s\n", t->name);
			passed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
