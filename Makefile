# libnax: the two commands that matter are `make run` and `make test`; both
# work on a fresh Debian 12 (scripts/deps.sh installs what is missing).
#
#   make run           build and run the main job (today: examples/codec_tour)
#   make test          format check + every test, normal and ASan/UBSan builds
#   make bench         benchmarks (bench/run; BENCH_ARGS="codec" picks some)
#   make install PREFIX=/opt/nax
#   make docs          API reference into build/docs/html (Doxygen)
#   make format        clang-format the C sources in place
#   make abi-baseline  regenerate tests/abi/libnax.abi (needs a CHANGELOG line)
#   make clean         remove build/, build-asan/ and build-bench/

SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
PREFIX ?= /usr/local
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNAX_SANITIZE=OFF

.PHONY: all deps configure build run test bench install docs format format-check \
        abi-baseline clean help

all: build

help:
	@sed -n '1,12s/^# \{0,1\}//p' $(firstword $(MAKEFILE_LIST))

deps:
	@scripts/deps.sh

configure: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

run:
	BUILD=$(BUILD) scripts/run.sh

test:
	scripts/test.sh

bench: deps
	@test -x bench/run || { echo "bench/run is not in this tree yet" >&2; exit 1; }
	bench/run $(BENCH_ARGS)

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

docs: deps
	mkdir -p build/docs
	doxygen docs/Doxyfile
	@echo "API reference: build/docs/html/index.html"

format: deps
	scripts/format.sh

format-check: deps
	scripts/format.sh --check

# The ABI baseline changes only on purpose: add a CHANGELOG.md line that says
# what changed in the ABI (and bump the SONAME if it is incompatible).
abi-baseline: build
	scripts/abi.sh dump $(BUILD)/libnax.so tests/abi/libnax.abi
	@echo "tests/abi/libnax.abi regenerated: commit it with a CHANGELOG.md line."

clean:
	rm -rf build build-asan build-bench
