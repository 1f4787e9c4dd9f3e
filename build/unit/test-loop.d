build/unit/test-loop.o: tests/unit/test-loop.c src/loop.h \
 tests/unit/test.h
src/loop.h:
tests/unit/test.h:
