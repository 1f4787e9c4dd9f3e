build/lib/loop.o: src/loop.c src/drove.h src/loop.h
src/drove.h:
src/loop.h:
