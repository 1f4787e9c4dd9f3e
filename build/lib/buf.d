build/lib/buf.o: src/buf.c src/drove.h src/buf.h
src/drove.h:
src/buf.h:
