# kho-tools: one GNU Makefile for the whole tree.
#   make                 build the tools
#   make SAN=1           ASan+UBSan build in build/san
#   make check           every test: unit, shell, fuzz smoke, the VM cycle and the systemd VM
#   make install PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
DESTDIR ?=
CC ?= gcc
CLANG ?= clang
BATS ?= bats
VERSION := 0.1.0

ifeq ($(SAN),1)
O ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
O ?= build
endif

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -DKT_VERSION='"$(VERSION)"' $(SANFLAGS)
CPPFLAGS += -Ilib
LDFLAGS += $(SANFLAGS)
# bookworm's libfdt ships no pkg-config file.
LDLIBS := -lfdt -lbpf -lelf -lz -lcrypto -ljansson -lsmartcols
# Opened on first use (lib/base/dl.h), not linked: only the tests call them directly.
DLOPEN_LIBS := -larchive -lsystemd

LIB_SRCS := $(sort $(wildcard lib/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
LIB := $(O)/libkt.a

KI_SRCS := $(sort $(wildcard tools/kho-inspect/*.c))
KI_OBJS := $(KI_SRCS:%.c=$(O)/%.o)

TOOLS := $(O)/kho-inspect
AGENT := $(O)/kho-agent

# ---- bpf + luo-top (1/2): variables ------------------------------------------------
# lib/trace.c needs the BPF skeleton (build/bpf) and libbpf: it is linked into
# luo-top only, so it stays out of libkt.a, the unit tests and the fuzz targets.
LIB_SRCS := $(filter-out lib/trace/%,$(LIB_SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
TOOLS += $(O)/luo-top
# ---- end bpf + luo-top (1/2) -------------------------------------------------------

.PHONY: all check unit-test shell-test vm-test vm-scale vm-systemd fuzz-smoke fuzz fixtures install clean format format-check layering bench bench-decode bench-mem bench-sessions bench-vm
all: $(TOOLS)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/kho-inspect: $(KI_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(AGENT): $(O)/tests/vm/agent.o
	$(CC) $(LDFLAGS) -o $@ $^

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# ---- tests -----------------------------------------------------------------
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(O)/tests/unit/%)

$(O)/tests/unit/%: $(O)/tests/unit/%.o $(O)/tests/unit/fdtbuild.o $(O)/tests/unit/fake_pid1.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(DLOPEN_LIBS) -lcmocka

unit-test: $(UNIT_BINS)
	@tests/run-unit.sh $(UNIT_BINS)

shell-test: $(TOOLS)
	@KT_BIN=$(abspath $(O)) $(BATS) --tap tests/bats

# The VM carries build/'s tools and kho-agent with their shared libraries; its host-side
# checks read the snapshots it saved with this build's kho-inspect.
vm-test: $(TOOLS)
	@$(MAKE) -s build/kho-inspect build/luo-top build/kho-agent
	@tests/vm/run-cycle.sh build/vm/cycle
	@KT_BIN=$(abspath $(O)) KT_VM_OUT=$(abspath build/vm/cycle) $(BATS) --tap tests/vm

# libFuzzer targets, one per decoder/parser: built with clang from the library sources.
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_FLAGS := -std=gnu11 -g -O1 -D_GNU_SOURCE -DKT_VERSION='"$(VERSION)"' -Ilib \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -DKT_KIMAGE_MAX_ELF='(64ULL << 20)'
FUZZ_SECONDS ?= 10

build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h tests/kcore_image.h tests/fake_kernel.h $(LIB_SRCS) $(wildcard lib/*/*.h)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(LDLIBS)

# make check: a short run of each; make fuzz: long runs (FUZZ_SECONDS=600).
fuzz-smoke: $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

fuzz: FUZZ_SECONDS = 600
fuzz: $(FUZZ_BINS)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

# Benchmarks (never timed tests): each figure of issue 15 against its target, peers in the same run.
bench: bench-decode bench-mem bench-sessions
bench-decode: $(TOOLS)
	bench/decode.sh $(O)/kho-inspect
bench-mem: $(TOOLS)
	bench/mem.sh $(O)/kho-inspect
bench-sessions: $(TOOLS)
	bench/sessions.sh $(O)
# A scale run in the VM (as make vm-scale runs it, without its checks), then its figures.
bench-vm: $(TOOLS)
	@$(MAKE) -s build/kho-inspect build/luo-top build/kho-agent
	@tests/vm/run-cycle.sh --scale build/vm/scale
	@bench/vm.sh build/vm/scale

# The systemd scenario: systemd >= 262 as PID 1 carries an fd store and a LUOSession= session
# across one real `systemctl kexec` (Debian sid root, cached); its host-side checks read what
# the guest captured and take their expected values from systemd, the services and the kernel.
vm-systemd: $(TOOLS)
	@tests/vm/run-systemd.sh build/vm/systemd
	@KT_VM_OUT=$(abspath build/vm/systemd) $(BATS) --tap tests/vm/systemd

# The scale scenario (1000 sessions, 256 memfds in one, a 1 GiB memfd): minutes under TCG.
vm-scale: $(TOOLS)
	@$(MAKE) -s build/kho-inspect build/luo-top build/kho-agent
	@tests/vm/run-cycle.sh --scale build/vm/scale
	@KT_BIN=$(abspath $(O)) KT_VM_OUT=$(abspath build/vm/scale) $(BATS) --tap tests/vm

fixtures: vm-test
	tests/vm/update-fixtures.sh build/vm/cycle tests/fixtures/linux-7.3

check:
	@tests/check.sh

install: $(TOOLS)
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0755 $(TOOLS) $(DESTDIR)$(PREFIX)/sbin/
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -m 0644 completion/* $(DESTDIR)$(PREFIX)/share/bash-completion/completions/

# Every C file of the tree, one style (.clang-format); format-check is part of make check.
FORMAT_SRCS = $(sort $(wildcard lib/*/*.[ch] tools/*/*.[ch] bpf/*.[ch] tests/*.h tests/*/*.[ch] tests/vm/*/*.[ch] \
	bench/*.[ch]))

format:
	clang-format -i $(FORMAT_SRCS)

format-check:
	@clang-format --dry-run -Werror $(FORMAT_SRCS) 2>&1 | grep -m 20 'error:' && \
		{ echo "format-check: run 'make format'"; exit 1; } || echo "format-check: $(words $(FORMAT_SRCS)) files clean"

layering: $(TOOLS)
	@tests/layering.sh

clean:
	rm -rf build

# ---- bpf + luo-top (2/2): rules ----------------------------------------------------
# BPF: vmlinux.h from the build host's BTF (the LUO structs are declared in
# bpf/kho.bpf.c with CO-RE flavours, so a host kernel without KHO/LUO builds it);
# object and skeleton in build/bpf, shared by every flavour (plain, SAN).
BPFTOOL ?= /usr/sbin/bpftool
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
BPF_OUT := build/bpf
BPF_CFLAGS := -target bpf -g -O2 -D__TARGET_ARCH_x86 -Wall -Wno-unused-parameter -Werror
LT_CPPFLAGS := -Ibpf -I$(BPF_OUT) $(shell pkg-config --cflags ncursesw)
# -pthread: the frame modes load the probes in a thread of their own (src_load.c).
LT_LIBS := $(shell pkg-config --libs libbpf ncursesw) -pthread
LT_SRCS := $(sort $(wildcard tools/luo-top/*.c))
LT_OBJS := $(LT_SRCS:%.c=$(O)/%.o) $(patsubst %.c,$(O)/%.o,$(wildcard lib/trace/*.c))

build/vmlinux.h:
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c >$@.tmp
	@mv $@.tmp $@

$(BPF_OUT)/kho.bpf.o: bpf/kho.bpf.c $(wildcard bpf/*.bpf.h) bpf/kho_trace.h build/vmlinux.h
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -Ibuild -Ibpf -c $< -o $(BPF_OUT)/kho.tmp.bpf.o
	$(BPFTOOL) gen object $@ $(BPF_OUT)/kho.tmp.bpf.o

$(BPF_OUT)/kho.skel.h: $(BPF_OUT)/kho.bpf.o
	$(BPFTOOL) gen skeleton $< name kho >$@.tmp
	@mv $@.tmp $@

$(LT_OBJS): CPPFLAGS += $(LT_CPPFLAGS)
$(LT_OBJS): $(BPF_OUT)/kho.skel.h

$(O)/luo-top: $(LT_OBJS) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(LT_LIBS)


# luo-top's rows, tested on their own.
$(O)/tests/unit/test_lt_rows.o: CPPFLAGS += $(LT_CPPFLAGS) -Itools/luo-top
$(O)/tests/unit/test_lt_rows.o: $(BPF_OUT)/kho.skel.h
$(O)/tests/unit/test_lt_rows: $(O)/tests/unit/test_lt_rows.o $(O)/tools/luo-top/src_luo.o \
		$(patsubst %.c,$(O)/%.o,$(wildcard lib/trace/*.c)) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(DLOPEN_LIBS) $(LT_LIBS) -lcmocka

# bench/trace.sh: the in-VM helper that times PRESERVE_FD with and without tracing.
$(O)/kt-trace-bench: $(O)/bench/trace-bench.o $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# ---- end bpf + luo-top (2/2) -------------------------------------------------------
