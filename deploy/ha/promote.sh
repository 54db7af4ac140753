#!/usr/bin/env bash
# The documented promotion (run as the postgres user on the synchronous standby):
#   deploy/ha/promote.sh /var/lib/postgresql/15/main "host=db1 port=5432"
# Refuses while the old primary still answers (no split brain: stop or fence it
# first), then promotes this standby. Daemons reconnect by themselves: their
# multi-host URL with target_session_attrs=read-write finds the new primary.
set -euo pipefail
data=${1:?data directory of the standby} old=${2:?conninfo of the old primary}
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
if "$bindir/pg_isready" -d "$old" -t 3 >/dev/null 2>&1; then
    echo "promote: the old primary ($old) still answers; stop it first (pg_ctl stop -m fast, or fence the host)" >&2
    exit 1
fi
"$bindir/pg_ctl" promote -w -D "$data"
echo "promoted $data; now point synchronous_standby_names at the remaining standby and rebuild the old primary with pg_rewind or add-standby.sh"
