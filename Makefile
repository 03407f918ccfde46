# skiff — one plain Makefile.  See DEVELOPERS.md for the layout and the plugin split.
#
#   make                 build out/skiff
#   make check           install missing deps, build, unit tests, layer check, system tests
#   make demo            install missing deps, build, serve an image locally and run it
#   make DEBUG=1 / ASAN=1   debug / sanitizer variants (objects go to separate out dirs)
#   make install PREFIX=/usr DESTDIR=...

VERSION   := 0.1.0

# Every core by default (`make -jN` still wins; sub-makes share their parent's jobs).
ifeq ($(MAKELEVEL),0)
ifeq ($(filter -j%,$(MAKEFLAGS)),)
  MAKEFLAGS += -j$(shell nproc)
endif
endif
PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
# Where the shells look (Debian 12: `zsh -c 'print -l $$fpath'`, `fish -c 'echo $$fish_complete_path'`).
# zsh: <prefix>/share/zsh/site-functions (in zsh's default fpath for /usr/local; for /usr on
# other distributions), except Debian's own /usr/share/zsh/vendor-completions for PREFIX=/usr
# (Debian's zsh has no /usr/share/zsh/site-functions in its fpath).
ZSHCOMPDIR  ?= $(if $(and $(filter /usr,$(PREFIX)),$(wildcard /etc/debian_version)),/usr/share/zsh/vendor-completions,$(DATADIR)/zsh/site-functions)
# fish: without XDG_DATA_DIRS it searches only the vendor directory compiled into it (Debian:
# /usr/share/fish/vendor_completions.d, what `pkg-config --variable=completionsdir fish` says),
# never /usr/local/share/fish: the completion goes where the installed fish looks, whatever
# the prefix (FISHCOMPDIR=... to choose another).
FISHCOMPDIR ?= $(or $(shell pkg-config --variable=completionsdir fish 2>/dev/null),/usr/share/fish/vendor_completions.d)
# systemd: units, and the generators (links to skiff: it is the Quadlet-style generator when
# called as skiff-systemd-generator). /usr/lib whatever the prefix (systemd looks nowhere else).
SYSTEMDUNITDIR     ?= /usr/lib/systemd/system
SYSTEMDUSERUNITDIR ?= /usr/lib/systemd/user
SYSTEMDGENDIR      ?= /usr/lib/systemd/system-generators
SYSTEMDUSERGENDIR  ?= /usr/lib/systemd/user-generators

CXX ?= g++
ifeq ($(FUZZ),1)
  # libFuzzer targets (make fuzz): clang, every object instrumented for coverage and checked
  # by AddressSanitizer and UBSan.
  CXX := clang++
  OUT ?= out/fuzz
  OPT := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
  LDOPT := -fsanitize=address,undefined
else ifeq ($(ASAN),1)
  OUT ?= out/asan
  OPT := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer
  LDOPT := -fsanitize=address,undefined
else ifeq ($(DEBUG),1)
  OUT ?= out/debug
  OPT := -O0 -g
else
  OUT ?= out
  OPT := -O2 -g1
endif

# fmt is compiled once (src/util/fmt_impl.cpp) and linked statically into the binary and the
# plugin; spdlog is header-only, confined to util/log.cpp. Neither costs a library at start-up.
CPPFLAGS += -Iinclude -D_GNU_SOURCE -DSKIFF_VERSION=\"$(VERSION)\" -MMD -MP
CXXFLAGS += -std=c++20 -fPIC $(OPT) -Wall -Wextra -Werror=return-type -Wno-missing-field-initializers
LDFLAGS  += $(LDOPT) -Wl,--as-needed -Wl,-O1

# Heavy libraries live in a plugin (files named *_plugin.cpp) that is embedded in the binary and
# loaded on first use, so `run`, `ps` and the monitor never pay for Poco, OpenSSL or libarchive.
PLUGIN_LIBS := -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoFoundation -larchive -lzstd -lz -lcrypto -lssl
CORE_LIBS   := -Wl,-Bstatic -lseccomp -lre2 -Wl,-Bdynamic -lpthread

ALL_SRCS    := $(sort $(wildcard src/*/*.cpp))
PLUGIN_SRCS := $(filter %_plugin.cpp,$(ALL_SRCS))
CORE_SRCS   := $(filter-out %_plugin.cpp src/cli/main.cpp,$(ALL_SRCS))
UNIT_SRCS   := $(sort $(wildcard tests/unit/*/*.cpp)) tests/unit/unit_main.cpp
TOOL_SRCS   := $(sort $(wildcard tests/tools/*.cpp))

CORE_OBJS   := $(CORE_SRCS:%.cpp=$(OUT)/obj/%.o)
PLUGIN_OBJS := $(PLUGIN_SRCS:%.cpp=$(OUT)/obj/%.o)
MAIN_OBJ    := $(OUT)/obj/src/cli/main.o
UNIT_OBJS   := $(UNIT_SRCS:%.cpp=$(OUT)/obj/%.o)
TOOLS       := $(TOOL_SRCS:tests/tools/%.cpp=$(OUT)/tools/%)
DEPS        := $(CORE_OBJS:.o=.d) $(PLUGIN_OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_OBJS:.o=.d)

# Tests include a module's private headers by their path under src/ ("engine/mounts.hpp").
$(UNIT_OBJS): CPPFLAGS += -Isrc
$(OUT)/fuzz/%: CPPFLAGS += -Isrc


.PHONY: fuzz fuzz-smoke
.PHONY: deb all deps check check-unit check-system check-layers check-docs demo bench install uninstall \
        clean man completions docs tools
.DEFAULT_GOAL := all

all: $(OUT)/skiff

$(OUT)/obj/%.o: %.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(OUT)/libskiff-io.so: $(PLUGIN_OBJS) $(OUT)/obj/src/util/fmt_impl.o
	$(CXX) -shared $(LDFLAGS) -Wl,-soname,libskiff-io.so -Wl,-z,defs $^ -o $@ $(PLUGIN_LIBS)

# The plugin travels inside the binary (.incbin): skiff stays one file.
$(OUT)/obj/plugin_blob.o: $(OUT)/libskiff-io.so
	@mkdir -p $(@D)
	printf '.section .rodata\n.balign 64\n.globl skiff_plugin_start\nskiff_plugin_start:\n.incbin "%s"\n.globl skiff_plugin_end\nskiff_plugin_end:\n.section .note.GNU-stack,"",@progbits\n' \
	    "$(OUT)/libskiff-io.so" | $(CXX) -x assembler -c - -o $@

$(OUT)/skiff: $(CORE_OBJS) $(MAIN_OBJ) $(OUT)/obj/plugin_blob.o
	$(CXX) $(LDFLAGS) -static-libstdc++ -static-libgcc $^ -o $@ $(CORE_LIBS)

# Unit tests link the plugin objects directly and export them (-rdynamic), so the plugin
# loader finds its symbols in the process instead of loading the blob.
$(OUT)/unit_tests: $(CORE_OBJS) $(PLUGIN_OBJS) $(UNIT_OBJS)
	$(CXX) $(LDFLAGS) -rdynamic $^ -o $@ $(CORE_LIBS) $(PLUGIN_LIBS) -lboost_unit_test_framework

# The notify-protocol tool runs inside busybox containers too: static, no Poco.
$(OUT)/tools/sdnotify: tests/tools/sdnotify.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -static $< -o $@

$(OUT)/tools/%: tests/tools/%.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $< -o $@ $(LDFLAGS) -lPocoJWT -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoJSON -lPocoUtil -lPocoFoundation -lcrypto -lssl

# netprobe also runs inside busybox containers (bind-mounted): static, libc only.
$(OUT)/tools/netprobe: tests/tools/netprobe.cpp
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -static $< -o $@

tools: $(TOOLS)

# Storage micro-benchmarks (extraction throughput, image listing): see bench/storage_bench.cpp.
$(OUT)/bench/storage_bench: bench/storage_bench.cpp $(CORE_OBJS) $(PLUGIN_OBJS)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) $(LDFLAGS) -rdynamic $^ -o $@ $(CORE_LIBS) $(PLUGIN_LIBS)

# Fuzzing (tests/fuzz/README.md): `make fuzz` builds out/fuzz/fuzz/<target>; `make fuzz-smoke`
# runs each over its seed corpus for FUZZ_SECONDS (default 20); crashes land in out/fuzz/crashes.
FUZZ_TARGETS := $(patsubst tests/fuzz/%_fuzz.cpp,%,$(sort $(wildcard tests/fuzz/*_fuzz.cpp)))
FUZZ_SECONDS ?= 20

fuzz:
	@packaging/deps.sh fuzz
	@$(MAKE) --no-print-directory FUZZ=1 $(FUZZ_TARGETS:%=out/fuzz/fuzz/%)

fuzz-smoke: fuzz
	@tests/fuzz/run.sh out/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

$(OUT)/fuzz/%: tests/fuzz/%_fuzz.cpp $(CORE_OBJS) $(PLUGIN_OBJS)
	@mkdir -p $(@D)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -fsanitize=fuzzer $(LDFLAGS) -rdynamic $^ -o $@ $(CORE_LIBS) $(PLUGIN_LIBS)

deps:
	@packaging/deps.sh build runtime test

check: deps
	@$(MAKE) --no-print-directory all $(OUT)/unit_tests tools
	@$(MAKE) --no-print-directory check-layers check-docs
	@tests/run-all.sh --out $(OUT)

check-unit: $(OUT)/unit_tests
	$(OUT)/unit_tests

check-system: all tools $(OUT)/unit_tests
	tests/system/run.sh --out $(OUT)

check-layers:
	@tests/check-layers.sh

# man/ and completions/ are generated from the command table and committed; this keeps them true.
docs: all
	@tests/gen-docs.sh $(OUT)/skiff man completions
man completions: docs

check-docs: all
	@tests/gen-docs.sh --check $(OUT)/skiff man completions
	@tests/check-man.sh man

demo: deps
	@$(MAKE) --no-print-directory all tools
	@tests/demo.sh $(OUT)

bench: all tools
	@bench/run.sh --out $(OUT)

install: all
	install -D -m 0755 $(OUT)/skiff $(DESTDIR)$(BINDIR)/skiff
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 0644 man/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -D -m 0644 completions/bash/skiff $(DESTDIR)$(BASHCOMPDIR)/skiff
	install -D -m 0644 completions/zsh/_skiff $(DESTDIR)$(ZSHCOMPDIR)/_skiff
	install -D -m 0644 completions/fish/skiff.fish $(DESTDIR)$(FISHCOMPDIR)/skiff.fish
ifeq ($(COMPAT_LINKS),1)
	# The docker and podman personalities (argv[0]): only on request, never by default.
	ln -sf skiff $(DESTDIR)$(BINDIR)/docker
	ln -sf skiff $(DESTDIR)$(BINDIR)/podman
endif
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSTEMDUSERUNITDIR)
	sed 's|/usr/bin/skiff|$(BINDIR)/skiff|g' packaging/systemd/skiff-restart.service >$(DESTDIR)$(SYSTEMDUNITDIR)/skiff-restart.service
	sed 's|/usr/bin/skiff|$(BINDIR)/skiff|g' packaging/systemd/skiff-restart.service >$(DESTDIR)$(SYSTEMDUSERUNITDIR)/skiff-restart.service
	chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/skiff-restart.service $(DESTDIR)$(SYSTEMDUSERUNITDIR)/skiff-restart.service
	install -d $(DESTDIR)$(SYSTEMDGENDIR) $(DESTDIR)$(SYSTEMDUSERGENDIR)
	# Relative links (Debian policy 10.5: within one top-level directory; ../../../bin/skiff).
	ln -sf $$(realpath -m --relative-to=$(SYSTEMDGENDIR) $(BINDIR)/skiff) $(DESTDIR)$(SYSTEMDGENDIR)/skiff-systemd-generator
	ln -sf $$(realpath -m --relative-to=$(SYSTEMDUSERGENDIR) $(BINDIR)/skiff) $(DESTDIR)$(SYSTEMDUSERGENDIR)/skiff-user-generator

# A Debian package of this tree (packaging/mkdeb.sh): out/skiff_<version>-1_<arch>.deb.
deb: all
	OUT=$(OUT) VERSION=$(VERSION) sh packaging/mkdeb.sh

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/skiff
	for l in docker podman; do [ "$$(readlink $(DESTDIR)$(BINDIR)/$$l)" != skiff ] || rm -f $(DESTDIR)$(BINDIR)/$$l; done
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard man/*.1)))
	rm -f $(DESTDIR)$(BASHCOMPDIR)/skiff $(DESTDIR)$(ZSHCOMPDIR)/_skiff $(DESTDIR)$(FISHCOMPDIR)/skiff.fish
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/skiff-restart.service $(DESTDIR)$(SYSTEMDUSERUNITDIR)/skiff-restart.service
	rm -f $(DESTDIR)$(SYSTEMDGENDIR)/skiff-systemd-generator $(DESTDIR)$(SYSTEMDUSERGENDIR)/skiff-user-generator

clean:
	rm -rf out

-include $(DEPS)
