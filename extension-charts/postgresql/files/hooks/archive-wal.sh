#!/bin/sh
# archive_command: archive-wal.sh %p %f. Copies a finished WAL segment into
# $WAL_ARCHIVE_DIR atomically (temp name, fsync, rename). An existing segment
# with identical content is success (PostgreSQL may retry after a crash);
# different content is an error, never an overwrite.
set -eu
src=$1
name=$2
dir=${WAL_ARCHIVE_DIR:?WAL_ARCHIVE_DIR is required}
mkdir -p "$dir"
if [ -f "$dir/$name" ]; then
  cmp -s "$src" "$dir/$name" && exit 0
  echo "archive-wal: $name exists with different content" >&2
  exit 1
fi
cp "$src" "$dir/.$name.tmp"
sync "$dir/.$name.tmp" 2>/dev/null || sync
mv "$dir/.$name.tmp" "$dir/$name"
