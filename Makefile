# run: plain GNU make. Out-of-tree builds in $(BUILD); every flavour has its own directory.
#   make            build $(BUILD)/run
#   make check      all test suites; ends with "check: N passed, M failed"
#   make demo       build, then list and run the sample Runfile
#   make deps       install missing Debian packages and npm test dependencies
# V=1 shows commands, WERROR=1 turns warnings into errors (CI).

BUILD       ?= build
PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
DESTDIR     ?=
FUZZ_TIME   ?= 60
CC          ?= cc

PKGS        := libuv jansson libpcre2-8 yaml-0.1
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
# The run binary links libuv, jansson and pcre2 statically when their archives are there
# (Debian's -dev packages ship them): loading three shared objects was a fifth of the
# start-up every `run` pays (test/bench/RESULTS.md, A). SHARED_DEPS=1 links them dynamically.
DEP_LIBDIR  := $(shell pkg-config --variable=libdir libuv 2>/dev/null)
DEP_ARCHIVES := $(firstword $(wildcard $(DEP_LIBDIR)/libuv_a.a $(DEP_LIBDIR)/libuv.a)) \
                $(wildcard $(DEP_LIBDIR)/libjansson.a $(DEP_LIBDIR)/libpcre2-8.a)
ifeq ($(SHARED_DEPS)$(words $(DEP_ARCHIVES)),3)
RUN_LIBS     = $(DEP_ARCHIVES) \
               $(filter-out -luv -ljansson -lpcre2-8 -lyaml-0.1 -lyaml,$(shell pkg-config --static --libs $(PKGS) 2>/dev/null)) \
               $(LDLIBS)
else
RUN_LIBS     = $(LIBS)
endif
CFLAGS      ?= -O2 -g
WARN        := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
               -Wold-style-definition -Wwrite-strings -Wvla -Wformat=2 -Wundef -Wpointer-arith
SANFLAGS    := $(if $(SAN),-fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer)
ALL_CPPFLAGS = -Iinclude -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
               -DPCRE2_CODE_UNIT_WIDTH=8 $(CPPFLAGS)
ALL_CFLAGS   = -std=c17 $(WARN) $(if $(WERROR),-Werror) $(SANFLAGS) $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS  = $(SANFLAGS) $(LDFLAGS)
LIBS         = $(PKG_LIBS) $(LDLIBS)

ifeq ($(V),1)
Q :=
say :=
else
Q := @
say = @printf '  %-6s %s\n' $(1) $(2);
endif

LIB_SRCS    := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS    := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/embedded.o
UNIT_SRCS   := $(wildcard test/unit/test_*.c)
UNIT_BINS   := $(UNIT_SRCS:test/unit/%.c=$(BUILD)/test/%)
EMBED_FILES := $(sort $(wildcard man/topics/*.md)) $(sort $(wildcard completions/run.*))
BENCH_SRCS  := $(wildcard test/bench/*.c)
BENCH_BINS  := $(BENCH_SRCS:test/bench/%.c=$(BUILD)/bench/%)

.PHONY: all check demo deps install uninstall asan ubsan valgrind fuzz bench lint format \
        format-check hdr-check clean unit print-deps soak

all: $(BUILD)/run

$(BUILD)/run: $(BUILD)/obj/main.o $(BUILD)/librun.a
	$(call say,LINK,$@)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(RUN_LIBS)

$(BUILD)/librun.a: $(LIB_OBJS)
	$(call say,AR,$@)rm -f $@ && ar rcs $@ $^

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

# Topic pages and completion scripts are embedded in the binary at build time.
$(BUILD)/embed: tools/embed.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) -std=c17 -O1 -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/embed $(EMBED_FILES) Makefile
	@mkdir -p $(dir $@)
	$(call say,GEN,$@)$(BUILD)/embed $@ $(EMBED_FILES)

$(BUILD)/obj/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/test/%: test/unit/%.c $(BUILD)/librun.a
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Itest/unit -MMD -MP $(ALL_LDFLAGS) -o $@ $< \
		$(BUILD)/librun.a $(LIBS) $(CMOCKA_LIBS)

$(BUILD)/bench/%: test/bench/%.c $(BUILD)/librun.a
	@mkdir -p $(dir $@)
	$(call say,CC,$@)$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< \
		$(BUILD)/librun.a $(LIBS)

unit: $(UNIT_BINS)

deps:
	@bash tools/deps.sh

print-deps:
	@bash tools/deps.sh --print

check: deps
	@$(MAKE) --no-print-directory all unit
	@bash test/check.sh $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all
	@bash tools/demo.sh $(BUILD)/run

asan:
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=address,undefined CFLAGS="-O1 -g" check

ubsan:
	@$(MAKE) --no-print-directory BUILD=build/ubsan SAN=undefined CFLAGS="-O1 -g" check

valgrind: deps
	@$(MAKE) --no-print-directory BUILD=build/valgrind CFLAGS="-O0 -g" all unit
	@bash test/valgrind.sh build/valgrind

fuzz:
	@bash test/fuzz/run.sh $(FUZZ_TIME)

bench: all $(BENCH_BINS)
	@bash test/bench/run.sh $(BUILD)

soak: all
	@bash test/mcp/soak.sh $(BUILD)/run

lint:
	@bash tools/lint.sh

format:
	clang-format -i $$(git ls-files 'src/*.[ch]' 'include/*.h' 'test/*.[ch]' 'tools/*.c')

format-check:
	clang-format --dry-run -Werror $$(git ls-files 'src/*.[ch]' 'include/*.h' 'test/*.[ch]' 'tools/*.c')

hdr-check:
	@set -e; for h in include/*.h; do \
		printf '  %-6s %s\n' HDR $$h; \
		printf '#include "%s"\n' $$(basename $$h) | \
		$(CC) $(ALL_CPPFLAGS) $(ALL_CFLAGS) -Werror -fsyntax-only -x c -; \
	done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BUILD)/run $(DESTDIR)$(BINDIR)/run
	install -m 644 man/run.1 $(DESTDIR)$(MANDIR)/man1/run.1
	install -m 644 man/runfile.5 $(DESTDIR)$(MANDIR)/man5/runfile.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/run $(DESTDIR)$(MANDIR)/man1/run.1 $(DESTDIR)$(MANDIR)/man5/runfile.5

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/test/*.d)
