#!/bin/sh
# Install libfaketime (Debian's faketime) when it is missing: `make test-timeshift` needs it.
set -eu
LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
[ -f "$LIB" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "ensure_faketime: $LIB is missing; install Debian's faketime package (as root)" >&2
    exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null
[ -f "$LIB" ]
