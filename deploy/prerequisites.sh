#!/usr/bin/env bash
# Installs what building and running dossierd needs, when missing:
# libpq (headers + pkg-config), a PostgreSQL server with its contrib modules, and
# the openssl tool (the TLS tests make a throwaway CA with it and drive s_client).
set -euo pipefail
need=()
pkg-config --exists libpq 2>/dev/null || need+=(libpq-dev pkg-config)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql postgresql-contrib)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
