#!/bin/sh
# Makes ./configure from a clean clone.
set -e
cd "$(dirname "$0")"
autoreconf -fi
