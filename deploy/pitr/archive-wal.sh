#!/usr/bin/env bash
# archive_command for point-in-time recovery:
#   archive_mode = on
#   archive_command = '/opt/dossierd/deploy/pitr/archive-wal.sh %p %f /var/lib/postgresql/wal-archive'
# Copies one WAL segment into the archive, never overwriting a different file
# (PostgreSQL retries a failed archive_command; a second copy of an identical
# segment is fine), and makes it durable before reporting success.
set -euo pipefail
path=$1 file=$2 archive=${3:-/var/lib/postgresql/wal-archive}
mkdir -p "$archive"
if [ -f "$archive/$file" ]; then
    cmp -s "$path" "$archive/$file" && exit 0
    echo "archive-wal: $archive/$file exists with other content" >&2
    exit 1
fi
cp "$path" "$archive/$file.partial"
sync "$archive/$file.partial"
mv "$archive/$file.partial" "$archive/$file"
sync "$archive"
