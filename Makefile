# drove: build, test and install.  One hand-written Makefile.
#
#   make               drove, libdrove.a, libdrove.so
#   make check         every test (unit, then integration against real sshd,
#                      JOBS=2 of them at a time)
#   make check SAN=1   the same under AddressSanitizer + UBSan (build-san/)
#   make check LIBSSH2=trixie   the same against Debian 13's libssh2 1.11.1,
#                      built by contrib/libssh2.sh (build-libssh2/)
#                      (with SAN=1 too: build-libssh2-san/)
#   make demo          a demo fleet on loopback and a first `drove run`
#                      (KEEP=1: the fleet stays up, with what to try next)
#   make deps          install the Debian packages the build and tests need
#   make install PREFIX=/usr/local DESTDIR=

PKGS = libssh2 yaml-0.1 sqlite3 libcrypto
# the drove command alone: line editing and history for drove console
CLI_PKGS = libedit
WARN = -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes \
       -Wmissing-prototypes -Wpointer-arith -Wwrite-strings -Wvla \
       -Wno-missing-field-initializers
CFLAGS ?= -O2 -g
override CFLAGS += -std=gnu11 $(WARN) -pthread -MMD -MP -fPIC \
       -fvisibility=hidden $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread
# Warnings are errors only where the project checks itself (make check,
# .ci/run, WERROR=1): a newer compiler or libssh2 that adds a warning must
# not stop a user's make or make demo.
ifdef WERROR
override CFLAGS += -Werror
endif
O = build
# LIBSSH2=SUITE: build against that Debian release's libssh2, which
# contrib/libssh2.sh builds from its source package into
# build/libssh2-SUITE; LIBSSH2_PREFIX=DIR: against a libssh2 installed in
# DIR.  The binaries find it through their run path.
ifdef LIBSSH2
LIBSSH2_PREFIX = $(CURDIR)/build/libssh2-$(LIBSSH2)
LIBSSH2_BUILT = $(LIBSSH2_PREFIX)/lib/pkgconfig/libssh2.pc
endif
ifdef LIBSSH2_PREFIX
O = build-libssh2
override CFLAGS += -I$(LIBSSH2_PREFIX)/include
LDFLAGS += -L$(LIBSSH2_PREFIX)/lib -Wl,-rpath,$(LIBSSH2_PREFIX)/lib
# and so do the programs tests build themselves with pkg-config
export PKG_CONFIG_PATH := $(LIBSSH2_PREFIX)/lib/pkgconfig$(if \
    $(PKG_CONFIG_PATH),:$(PKG_CONFIG_PATH))
export LD_LIBRARY_PATH := $(LIBSSH2_PREFIX)/lib$(if \
    $(LD_LIBRARY_PATH),:$(LD_LIBRARY_PATH))
endif
ifdef SAN
O := $(O)-san
override CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all \
       -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif
PREFIX ?= /usr/local
SOVERSION = 0
VERSION = 0.1.0

ifndef V
Q = @
QCC = @echo "  CC      $@";
QLD = @echo "  LD      $@";
QAR = @echo "  AR      $@";
endif

# src/ has one folder per part (each folder's README says what it owns);
# cli/ is the drove command, every other folder goes into libdrove.
CLI_SRCS = $(wildcard src/cli/*.c)
LIB_SRCS = $(filter-out $(CLI_SRCS), $(wildcard src/*/*.c))
LIB_OBJS = $(LIB_SRCS:src/%.c=$(O)/lib/%.o)
CLI_OBJS = $(CLI_SRCS:src/cli/%.c=$(O)/cli/%.o)
UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_OBJS = $(UNIT_SRCS:tests/unit/%.c=$(O)/unit/%.o)
HELPER_SRCS = $(wildcard tests/helpers/*.c)
HELPERS = $(HELPER_SRCS:tests/helpers/%.c=$(O)/helpers/%)
EXAMPLE_SRCS = $(wildcard contrib/examples/*.c)
EXAMPLES = $(EXAMPLE_SRCS:contrib/examples/%.c=$(O)/examples/%)

all: $(O)/drove $(O)/libdrove.a $(O)/libdrove.so drove

# ./drove is a link to the build's binary, so scripts find it in one place.
drove: $(O)/drove
	$(Q)ln -sf $(O)/drove drove

# Objects are rebuilt when the flags change (WERROR, LIBSSH2_PREFIX, ...).
$(O)/flags: FORCE $(LIBSSH2_BUILT)
	@mkdir -p $(@D)
	$(Q)echo '$(CC) $(CFLAGS) $(LDFLAGS) $(LDLIBS)' | cmp -s - $@ || \
	    echo '$(CC) $(CFLAGS) $(LDFLAGS) $(LDLIBS)' > $@

ifdef LIBSSH2
$(LIBSSH2_BUILT):
	$(Q)sh contrib/libssh2.sh $(LIBSSH2) $(LIBSSH2_PREFIX)
endif

$(O)/lib/%.o: src/%.c $(O)/flags
	@mkdir -p $(@D)
	$(QCC)$(CC) $(CFLAGS) -Isrc -DDROVE_BUILDING -c -o $@ $<

$(O)/cli/%.o: src/cli/%.c $(O)/flags
	@mkdir -p $(@D)
	$(QCC)$(CC) $(CFLAGS) $(shell pkg-config --cflags $(CLI_PKGS) \
	    2>/dev/null) -Isrc -c -o $@ $<

$(O)/unit/%.o: tests/unit/%.c $(O)/flags
	@mkdir -p $(@D)
	$(QCC)$(CC) $(CFLAGS) -Isrc -c -o $@ $<

$(O)/libdrove.a: $(LIB_OBJS)
	$(QAR)rm -f $@ && $(AR) rcs $@ $^

$(O)/libdrove.so: $(LIB_OBJS)
	$(QLD)$(CC) $(LDFLAGS) -shared -Wl,-soname,libdrove.so.$(SOVERSION) \
	    -o $@ $^ $(LDLIBS)

$(O)/drove: $(CLI_OBJS) $(O)/libdrove.a
	$(QLD)$(CC) $(LDFLAGS) -o $@ $(CLI_OBJS) $(O)/libdrove.a $(LDLIBS) \
	    $(shell pkg-config --libs $(CLI_PKGS) 2>/dev/null)

$(O)/unit-tests: $(UNIT_OBJS) $(O)/libdrove.a
	$(QLD)$(CC) $(LDFLAGS) -o $@ $(UNIT_OBJS) $(O)/libdrove.a $(LDLIBS)

$(O)/helpers/%: tests/helpers/%.c $(O)/libdrove.a $(O)/flags
	@mkdir -p $(@D)
	$(QCC)$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(O)/libdrove.a \
	    $(LDLIBS) -lutil

# The examples, built against the tree's header and library for the tests
# (t-install builds one against the installed library and pkg-config).
$(O)/examples/%: contrib/examples/%.c $(O)/libdrove.a $(O)/flags
	@mkdir -p $(@D)
	$(QCC)$(CC) $(CFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(O)/libdrove.a \
	    $(LDLIBS)

deps:
	$(Q)sh contrib/deps.sh

# The include rules between src/'s parts come first: a wrong include fails
# in seconds, before anything is installed or built.
check: layers
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)WERROR=1 $(MAKE) --no-print-directory all $(O)/unit-tests \
	    $(HELPERS) $(EXAMPLES)
	$(Q)WERROR=1 FX_JOBS=$(or $(JOBS),2) O=$(O) sh tests/check.sh

layers:
	$(Q)sh tests/layers.sh

check-unit: $(O)/unit-tests
	$(Q)$(O)/unit-tests

check-integration: all $(HELPERS) $(EXAMPLES)
	$(Q)O=$(O) sh tests/integration/run.sh

# Fuzz the YAML loader, the pattern parser and the ssh_config parser for
# FUZZ_SECONDS each (clang's libFuzzer when present, else a corpus replay).
fuzz:
	$(Q)sh tests/fuzz/run.sh -t $(or $(FUZZ_SECONDS),30)

demo:
	$(Q)sh contrib/deps.sh demo
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh contrib/demo.sh $(if $(KEEP),--keep) $(O)/drove

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib \
	    $(DESTDIR)$(PREFIX)/include $(DESTDIR)$(PREFIX)/lib/pkgconfig
	install -m 755 $(O)/drove $(DESTDIR)$(PREFIX)/bin/drove
	install -m 644 $(O)/libdrove.a $(DESTDIR)$(PREFIX)/lib/libdrove.a
	install -m 755 $(O)/libdrove.so \
	    $(DESTDIR)$(PREFIX)/lib/libdrove.so.$(VERSION)
	ln -sf libdrove.so.$(VERSION) \
	    $(DESTDIR)$(PREFIX)/lib/libdrove.so.$(SOVERSION)
	ln -sf libdrove.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libdrove.so
	install -m 644 src/drove.h $(DESTDIR)$(PREFIX)/include/drove.h
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
	    contrib/drove.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/drove.pc
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 644 contrib/drove.1 $(DESTDIR)$(PREFIX)/share/man/man1/drove.1
	install -m 644 contrib/completion/drove.bash \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/drove
	install -m 644 contrib/completion/_drove \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_drove

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/drove \
	    $(DESTDIR)$(PREFIX)/lib/libdrove.a \
	    $(DESTDIR)$(PREFIX)/lib/libdrove.so* \
	    $(DESTDIR)$(PREFIX)/include/drove.h \
	    $(DESTDIR)$(PREFIX)/lib/pkgconfig/drove.pc \
	    $(DESTDIR)$(PREFIX)/share/man/man1/drove.1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions/drove \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_drove

clean:
	rm -rf build build-san build-libssh2 build-libssh2-san drove

FORCE:

.PHONY: all deps check layers check-unit check-integration demo fuzz install \
	uninstall clean FORCE

-include $(wildcard $(O)/*/*.d $(O)/lib/*/*.d)
