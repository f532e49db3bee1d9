# erpipe — plain GNU Makefile.  Sources are discovered: a new lib/LAYER/*.c
# (or lib/engine/PART/*.c) joins liberpipe.a, a new cmd/*.c is a program,
# tests/unit/t-*.c a unit test, tests/fuzz/fuzz-*.c a fuzz target (its corpus
# replays in `make check`).

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/erpipe
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
DESTDIR ?=

VERSION = 0.1.0
CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS    = libcurl libcjson libxml-2.0 libpcre2-8 openssl libmicrohttpd libpq xlsxwriter

ifeq ($(SANITIZE),1)
B        = build-san
SANFLAGS = -fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
else
B        = build
SANFLAGS =
endif

# '=' not ':=': pkg-config is asked when a recipe runs, after `make deps`.
ALL_CFLAGS = -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE \
	-DERPIPE_VERSION='"$(VERSION)"' -DERPIPE_DATADIR='"$(DATADIR)"' \
	-DERPIPE_SRCDIR='"$(CURDIR)"' \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null) -Ilib -MD -MP \
	$(SANFLAGS) $(CFLAGS)
LDLIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lm -lpthread
LDFLAGS ?=

LIB_DIRS = base stream net proto engine engine/map engine/schema engine/diff connect
LIB_SRC  = $(foreach d,$(LIB_DIRS),$(wildcard lib/$(d)/*.c))
LIB_OBJ  = $(LIB_SRC:%.c=$(B)/%.o)
LIBA     = $(B)/liberpipe.a
PROGS    = $(patsubst cmd/%.c,%,$(wildcard cmd/*.c))
BINS     = $(PROGS:%=$(B)/bin/%)
UNIT_SRC = $(wildcard tests/unit/t-*.c)
UNITS    = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
FUZZ_SRC = $(wildcard tests/fuzz/fuzz-*.c)
FUZZ_TIME  ?= 600
FUZZ_MERGE ?= 0
REPLAYS  = $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%-replay)
FUZZERS  = $(FUZZ_SRC:tests/fuzz/%.c=build-fuzz/%)
# the C sources `make fmt` formats and `make fmt-check` checks
FMT_SRC  = $(foreach d,$(LIB_DIRS),$(wildcard lib/$(d)/*.[ch])) \
	$(wildcard cmd/*.c tests/unit/*.[ch] tests/fuzz/*.[ch])
CLANG_FORMAT ?= clang-format
MAN1     = $(wildcard man/*.1)
MAN5     = $(wildcard man/*.5)
MAN7     = $(wildcard man/*.7)

DEB_PKGS = build-essential pkg-config libcurl4-openssl-dev libcjson-dev \
	libxml2-dev libcsv-dev libssl-dev libpcre2-dev libmicrohttpd-dev \
	python3 mandoc clang libclang-rt-14-dev clang-format perl jq curl tzdata chromium strace \
	libpq-dev postgresql prometheus libxlsxwriter-dev python3-openpyxl \
	parallel systemd python3-yaml

.SECONDARY:
.PHONY: all check install uninstall clean fmt fmt-check deps demo bench chaos fuzz fuzz-long \
	lint-man units replays roundtrip completions man docs-gen

all: $(LIBA) $(BINS)

$(B)/lib/%.o: lib/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(B)/cmd/%.o: cmd/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBA): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(B)/bin/%: $(B)/cmd/%.o $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

$(B)/tests/%: tests/unit/%.c $(LIBA) tests/unit/tap.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS)

# Each fuzz target also links with a replay driver: `make check` runs the
# corpus through it with the ordinary compiler (and the sanitizers).
$(B)/fuzz/%-replay: tests/fuzz/%.c tests/fuzz/replay.c $(LIBA)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(LIBA) $(LDLIBS)

units: $(UNITS)
replays: $(REPLAYS)

check: all $(UNITS) $(REPLAYS)
	@B=$(B) SANITIZE=$(SANITIZE) tests/run

# Coverage-guided fuzzing with libFuzzer (clang): make fuzz, then
# build-fuzz/fuzz-ndjson tests/fuzz/corpus/fuzz-ndjson -max_total_time=60
# UBSan does not recover: every report stops the fuzzer with its input.
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all
fuzz:
	$(MAKE) B=build-fuzz CC=clang CFLAGS='-O1 -g' \
		SANFLAGS='-fsanitize=fuzzer-no-link $(FUZZ_SAN)' build-fuzz/liberpipe.a
	@for f in $(FUZZ_SRC); do n=$$(basename $$f .c); \
		echo "clang $$f -> build-fuzz/$$n"; \
		clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer $(FUZZ_SAN) \
		$$(pkg-config --cflags $(PKGS)) -Ilib -o build-fuzz/$$n $$f \
		build-fuzz/liberpipe.a $(LDLIBS) || exit 1; done

# A campaign: each target for FUZZ_TIME seconds (default 600) over its corpus,
# one process on one core, stopping at the first crash, leak or UBSan report
# with the reproducer's path; FUZZ_TARGETS='fuzz-map fuzz-csv' picks targets,
# FUZZ_MERGE=1 merges inputs that add coverage into tests/fuzz/corpus/.
# Executions and exec/s per target in build-fuzz/long/summary (tests/fuzz/long).
fuzz-long: fuzz
	@FUZZ_TIME=$(FUZZ_TIME) FUZZ_TARGETS='$(FUZZ_TARGETS)' FUZZ_MERGE=$(FUZZ_MERGE) \
		tests/fuzz/long

# The round-trip property test (tests/0014, 200 records a target in make
# check) at length: make roundtrip [SEED=N] [N=2000], its counts printed.
roundtrip: all
	@ROUNDTRIP_SEED=$(or $(SEED),15) ROUNDTRIP_N=$(or $(N),2000) B=$(B) \
		tests/run -v tests/0014-roundtrip.t

demo: all
	@tests/demo

bench: all
	@B=$(B) tests/bench/run $(if $(N),-n $(N))

# The crash-and-fault campaign of the shipped flows (tests/chaos/README.md),
# not part of check: make chaos [SEED=N] [FLOW=F,...] [TRIALS=N] [TRIAL=I]
# [KINDS=K,...]; a failure prints the command that runs it again.
chaos: all
	@/usr/bin/python3 tests/chaos/chaos.py --build $(B) $(if $(SEED),--seed $(SEED)) \
		$(if $(FLOW),--flow $(FLOW)) $(if $(TRIALS),--trials $(TRIALS)) \
		$(if $(TRIAL),--trial $(TRIAL)) $(if $(KINDS),--kinds $(KINDS))

deps:
	@missing=; for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' \
		|| missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# Regenerate completions/ from each program's --help; tests/0201-completions.t
# fails until the result is committed.
completions: $(BINS)
	@for p in $(PROGS); do echo "completions/gen $$p"; \
		$(B)/bin/$$p --help | completions/gen $$p || exit 1; done

# Rewrite the OPTIONS section of each program's man page from its option
# tables (man/gen); tests/0016-options-drift.t fails until it is committed.
man: $(BINS)
	@for p in $(PROGS); do echo "man/gen $$p"; \
		$(B)/bin/$$p --help | man/gen $$p || exit 1; done

# Everything generated from the option tables.
docs-gen: completions man

lint-man:
	mandoc -Tlint -Wwarning $(MAN1) $(MAN5) $(MAN7)

# clang-format 14 with .clang-format (the house style); fmt-check names each
# file fmt would change and fails (tests/0019-fmt.t runs it in make check).
fmt:
	@CLANG_FORMAT=$(CLANG_FORMAT) tests/fmt-check -i $(FMT_SRC)

fmt-check:
	@CLANG_FORMAT=$(CLANG_FORMAT) tests/fmt-check $(FMT_SRC)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	for p in load validate; do [ -f $(B)/bin/$$p ] && \
		ln -sf $$p $(DESTDIR)$(BINDIR)/erpipe-$$p; done; true
	$(if $(MAN1),install -m 644 $(MAN1) $(DESTDIR)$(MANDIR)/man1)
	$(if $(MAN5),install -m 644 $(MAN5) $(DESTDIR)$(MANDIR)/man5)
	$(if $(MAN7),install -m 644 $(MAN7) $(DESTDIR)$(MANDIR)/man7)
	for p in $(PROGS); do \
		[ -f completions/bash/$$p ] && install -m 644 completions/bash/$$p $(DESTDIR)$(BASHCOMPDIR)/$$p; \
		[ -f completions/zsh/_$$p ] && install -m 644 completions/zsh/_$$p $(DESTDIR)$(ZSHCOMPDIR)/_$$p; \
		[ -f completions/fish/$$p.fish ] && install -m 644 completions/fish/$$p.fish $(DESTDIR)$(FISHCOMPDIR)/$$p.fish; \
	done; true
	cp -R examples/. $(DESTDIR)$(DATADIR)/
	find $(DESTDIR)$(DATADIR) -type d -exec chmod 755 {} + 

uninstall:
	for p in $(PROGS); do rm -f $(DESTDIR)$(BINDIR)/$$p \
		$(DESTDIR)$(BASHCOMPDIR)/$$p $(DESTDIR)$(ZSHCOMPDIR)/_$$p \
		$(DESTDIR)$(FISHCOMPDIR)/$$p.fish; done
	rm -f $(DESTDIR)$(BINDIR)/erpipe-load $(DESTDIR)$(BINDIR)/erpipe-validate
	for m in $(notdir $(MAN1)); do rm -f $(DESTDIR)$(MANDIR)/man1/$$m; done
	for m in $(notdir $(MAN5)); do rm -f $(DESTDIR)$(MANDIR)/man5/$$m; done
	for m in $(notdir $(MAN7)); do rm -f $(DESTDIR)$(MANDIR)/man7/$$m; done
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf build build-san build-fuzz

-include $(shell find $(B) -name '*.d' 2>/dev/null)
