# cyberguide — the two commands a newcomer needs:
#   make run    install what is missing, build, serve the default guide at http://127.0.0.1:8080
#   make test   install what is missing, build with sanitizers, run every test
SHELL := /bin/bash
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
ARGS ?=

# Debian 12 packages for building and running.
BUILD_PACKAGES := g++ cmake make pkg-config ca-certificates \
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
  libkainjow-mustache-dev libcmark-gfm-dev libcmark-gfm-extensions-dev \
  libsqlite3-dev libpq-dev libbrotli-dev zlib1g-dev libtomlplusplus-dev libcli11-dev libsodium-dev libxapian-dev
# Extra packages for the tests (GoogleTest, the sqlite3 shell, Chromium for browser tests, nginx and
# wrk for the benchmark's smoke run, a PostgreSQL 15 server for throwaway test clusters, slowhttptest
# for slow clients, clang with its libFuzzer and sanitizer runtimes for the fuzz targets, e2fsprogs'
# chattr for the read-only database test).
TEST_PACKAGES := libgtest-dev libgmock-dev sqlite3 chromium nginx wrk postgresql-15 slowhttptest \
  clang libclang-rt-14-dev e2fsprogs
# Extra packages for `make bench` only: Hugo (the reference for render cost) and GNU time (its memory).
BENCH_PACKAGES := hugo time

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps deps-build deps-test deps-bench build build-debug build-fuzz run test test-unit test-long fuzz \
  bench clean format

all: build

# Installs only what is missing, non-interactively.
deps-build:
	@missing=$$(for p in $(BUILD_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

deps-test: deps-build
	@missing=$$(for p in $(TEST_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  echo "Installing npm packages from package-lock.json"; \
	  npm ci --no-audit --no-fund; \
	fi

deps-bench:
	@missing=$$(for p in $(BENCH_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi

deps: deps-test

build/release/CMakeCache.txt:
	cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DCYBERGUIDE_TESTS=OFF

build/debug/CMakeCache.txt:
	cmake -S . -B build/debug -DCMAKE_BUILD_TYPE=Debug -DCYBERGUIDE_SANITIZE=ON -DCYBERGUIDE_TESTS=ON

build/fuzz/CMakeCache.txt:
	cmake -S . -B build/fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DCYBERGUIDE_FUZZ=ON \
	  -DCYBERGUIDE_TESTS=OFF

# The release server binary: build/release/cyberguide
build: deps-build build/release/CMakeCache.txt
	cmake --build build/release -j $(JOBS)

# The test build, under AddressSanitizer and UndefinedBehaviorSanitizer.
build-debug: deps-build build/debug/CMakeCache.txt
	cmake --build build/debug -j $(JOBS)

run: build
	./build/release/cyberguide serve $(ARGS)

# The libFuzzer targets (clang, ASan, UBSan): build/fuzz/fuzz_*
build-fuzz: deps-test build/fuzz/CMakeCache.txt
	cmake --build build/fuzz -j $(JOBS) --target fuzzers

# The release tree is built too: a warning only the optimizer sees must not reach `make run` unseen.
# Then every fuzz target runs for FUZZ_SECONDS (30) from its committed seed corpus.
FUZZ_SECONDS ?= 30
# After a fuzz run: executions and new inputs per target (ctest shows only failures' output), then
# ctest's status.
FUZZ_SUMMARY = status=$$?; grep -hE '^fuzz_[a-z_]+: |^Done [0-9]+ runs' Testing/Temporary/LastTest.log; exit $$status
test: deps build-debug build build-fuzz
	cd build/debug && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure --timeout 900
	cd build/fuzz && CYBERGUIDE_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure; $(FUZZ_SUMMARY)

# As long as asked: make fuzz FUZZ_SECONDS=3600 (each target in turn; new inputs are not kept).
fuzz: build-fuzz
	cd build/fuzz && CYBERGUIDE_FUZZ_SECONDS=$(FUZZ_SECONDS) ctest --output-on-failure --timeout 0; $(FUZZ_SUMMARY)

# The long runs: 1 000 SIGKILL crash iterations, slow clients for longer, the fuzz targets 10 minutes each.
test-long: deps build-debug build-fuzz
	cd build/debug && CYBERGUIDE_CRASH_ITERATIONS=1000 CYBERGUIDE_SLOW_SECONDS=60 \
	  CYBERGUIDE_BIN=$(CURDIR)/build/debug/cyberguide node --test --test-timeout=7200000 \
	  $(CURDIR)/tests/blackbox/crash.test.mjs $(CURDIR)/tests/blackbox/slowhttp.test.mjs
	cd build/fuzz && CYBERGUIDE_FUZZ_SECONDS=600 ctest --output-on-failure --timeout 0; $(FUZZ_SUMMARY)

test-unit: build-debug
	cd build/debug && ctest --output-on-failure -L unit

# Benchmarks (release build): search latency p50/p95 over the default guide and 10 000 resources;
# snapshot build time and memory (`./build/release/snapshot_bench --large` adds 10 000 and 100 000
# resources) against Hugo building the same catalogue (`bench/hugo-bench.sh 10000` for the larger one);
# cyberguide against nginx on loopback (bench/http-bench.mjs). Results in bench/results/.
bench: deps deps-bench build
	./build/release/search_bench
	./build/release/snapshot_bench
	bench/hugo-bench.sh 1000
	node bench/http-bench.mjs

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.hpp')

clean:
	rm -rf build
