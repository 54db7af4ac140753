#!/usr/bin/env bash
# Point-in-time recovery into a NEW data directory:
#   deploy/pitr/restore-to-time.sh <base backup dir> <wal archive> '<target time>' <new data dir> [port]
#   e.g. deploy/pitr/restore-to-time.sh /var/backups/dossier-base/base-20261201T020000Z \
#        /var/lib/postgresql/wal-archive '2026-12-03 14:29:00+08' /var/lib/postgresql/15/pitr 5433
# Unpacks the base backup, replays archived WAL up to the target time (the
# last transaction committed before it is kept), then promotes and starts the
# server on [port] (default 5433) for inspection. Run as the postgres user.
# Check it (dossierd serve --database-url … on that port, AUDIT VERIFY), then
# `dossierd backup` it and restore that into production, or switch over to it.
# Settings the live server got on its command line rather than from its
# postgresql.conf (which the base backup carries) must be given again when they
# may not be lower on a recovering server (max_connections, max_wal_senders, …):
#   PITR_SERVER_OPTIONS="-c max_connections=200" deploy/pitr/restore-to-time.sh …
set -euo pipefail
base=${1:?base backup directory} archive=${2:?wal archive} target=${3:?target time} data=${4:?new data directory}
port=${5:-5433}
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -e "$data" ] && { echo "restore-to-time: $data exists; give a new directory" >&2; exit 1; }
mkdir -p "$data" && chmod 700 "$data"
tar -xzf "$base/base.tar.gz" -C "$data"
mkdir -p "$data/pg_wal"
[ -f "$base/pg_wal.tar.gz" ] && tar -xzf "$base/pg_wal.tar.gz" -C "$data/pg_wal"
cat >> "$data/postgresql.auto.conf" <<CONF
# point-in-time recovery (restore-to-time.sh)
restore_command = 'cp "$archive/%f" "%p"'
recovery_target_time = '$target'
recovery_target_inclusive = false
recovery_target_action = 'promote'
archive_mode = off
CONF
touch "$data/recovery.signal"
"$bindir/pg_ctl" start -w -t 600 -D "$data" -l "$data/recovery.log" -o "-p $port -c listen_addresses='' -k $data ${PITR_SERVER_OPTIONS:-}"
for _ in $(seq 600); do
    if "$bindir/psql" -h "$data" -p "$port" -XAtc "SELECT NOT pg_is_in_recovery()" postgres 2>/dev/null | grep -q t; then
        echo "recovered to $target: PostgreSQL on socket $data port $port"
        exit 0
    fi
    sleep 1
done
echo "restore-to-time: recovery did not finish; see $data/recovery.log" >&2
exit 1
