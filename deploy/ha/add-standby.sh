#!/usr/bin/env bash
# Adds a streaming standby (run as the postgres user on the new node):
#   deploy/ha/add-standby.sh "host=db1 port=5432 user=replicator" node2 /var/lib/postgresql/15/main
# Copies the source node with pg_basebackup -R (standby.signal and a
# primary_conninfo naming this node's application_name) and starts it. The
# source may be the primary or another standby (cascading). To make it a
# synchronous standby, name it on the primary:
#   ALTER SYSTEM SET synchronous_standby_names = 'ANY 1 (node2, node3)'; SELECT pg_reload_conf();
set -euo pipefail
source=${1:?conninfo of the node to copy} name=${2:?application_name of this node} data=${3:?new data directory}
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
[ -e "$data/PG_VERSION" ] && { echo "add-standby: $data holds a cluster already" >&2; exit 1; }
mkdir -p "$data" && chmod 700 "$data"
"$bindir/pg_basebackup" -d "$source application_name=$name" -D "$data" -X stream -R --checkpoint=fast
"$bindir/pg_ctl" start -w -D "$data" -l "$data/startup.log"
echo "standby $name streaming from: $source"
