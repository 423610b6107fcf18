#!/usr/bin/env bash
# Install the Debian packages libnax needs to build, test and document itself.
# Fast on a prepared machine: when every package is already installed (or
# provided by another installed package, e.g. npm by NodeSource's nodejs),
# apt is not touched at all. Uses sudo only when not root.
#   scripts/deps.sh              the packages below
#   scripts/deps.sh PACKAGE...   those packages instead (bench/run's peers)
set -euo pipefail

packages=(
    build-essential cmake pkg-config
    libcurl4-openssl-dev libyajl-dev libwebsockets-dev libssl-dev libsqlite3-dev
    # naxd: Argon2id password hashing (the DESIGN's memory-hard KDF); sqlite3
    # CLI for operators and the crash tests that inspect the store.
    libargon2-dev sqlite3
    # the TLS integration test makes a self-signed certificate with the openssl CLI
    openssl
    check doxygen abigail-tools clang-format
    libcjson-dev libjansson-dev
    python3 python3-yaml python3-pytest
    # the Python binding installs with pip (its packaging test, offline)
    python3-pip python3-setuptools
    # the stream interop tests use an independent WebSocket client
    python3-websockets
    # the live market page test drives headless Chromium (through npm playwright-core)
    chromium
    # Debian 12's nodejs is 18 (bookworm-backports has no newer one); the npx
    # contract checks pin tool versions that run on it (tests/spec/CMakeLists.txt).
    nodejs npm
    # the nax man page's check (groff -ww, man --warnings)
    groff-base man-db
    # bench/run --report draws the performance charts (its test too)
    gnuplot-nox
    # the libFuzzer targets (tests/fuzz: clang with its fuzzer runtime) and
    # the memcheck runs
    clang libclang-rt-14-dev valgrind
)
# The Node binding's addon builds against the installed node's headers. Debian's
# nodejs has none (libnode-dev has them); NodeSource's nodejs ships them and
# conflicts with libnode-dev.
[[ -f /usr/include/node/node_api.h ]] || packages+=(libnode-dev)
(($#)) && packages=("$@")

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: this script installs Debian packages; install by hand: ${packages[*]}" >&2
    exit 1
fi

# Names of installed packages and of the virtual packages they provide.
present=$(dpkg-query -W -f='${db:Status-Status} ${Package} ${Provides}\n' 2>/dev/null |
    awk '$1 == "installed" { $1 = ""; print }' |
    sed -e 's/([^)]*)//g' -e 's/:[a-z0-9]*//g' | tr ' ,' '\n\n' | sed '/^$/d' | sort -u)

missing=()
for pkg in "${packages[@]}"; do
    grep -qxF "$pkg" <<<"$present" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "deps: all ${#packages[@]} packages present"
    exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "deps: missing ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
