build/lib/err.o: src/err.c src/drove.h src/err.h
src/drove.h:
src/err.h:
