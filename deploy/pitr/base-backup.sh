#!/usr/bin/env bash
# A physical base backup for point-in-time recovery (the start point that the
# archived WAL is replayed from). Run as the postgres user, e.g. weekly:
#   deploy/pitr/base-backup.sh /var/backups/dossier-base "host=/var/run/postgresql port=5432"
# Keeps its own WAL (-X stream), so a base backup is usable even without the archive.
set -euo pipefail
target=${1:?usage: base-backup.sh <directory> [conninfo]}
conninfo=${2:-}
bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
dest="$target/base-$(date -u +%Y%m%dT%H%M%SZ)"
"$bindir/pg_basebackup" ${conninfo:+-d "$conninfo"} -D "$dest" --format=tar --gzip -X stream --checkpoint=fast --label="dossier $(date -u +%FT%TZ)"
echo "$dest"
