#!/bin/sh
# Called by tbot-backup.service from /opt/tbot. Writes backups/archive/tbot-<UTC stamp>.tar.gz
# holding a consistent snapshot of every ledger (SQLite online backup, safe while tbot runs)
# and the files needed to rebuild the host; deletes archives older than the retention.
set -eu
umask 077
retention="${TBOT_BACKUP_RETENTION_DAYS:-30}"
stamp="$(date -u +%Y%m%dT%H%M%SZ)"
archive_dir="backups/archive"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$archive_dir" "$work/ledgers"

for db in output/ledgers/*.db; do
    [ -e "$db" ] || continue
    sqlite3 "$db" ".backup '$work/ledgers/$(basename "$db")'"
done

# Never the plain .env_bot or .env: only the encrypted config goes into an archive.
set --
for path in .env_bot.enc manifests output/summaries output/trades output/logs; do
    if [ -e "$path" ]; then set -- "$@" "$path"; fi
done
tar -czf "$archive_dir/.tbot-$stamp.tar.gz.tmp" -C "$work" ledgers -C "$PWD" "$@"
mv "$archive_dir/.tbot-$stamp.tar.gz.tmp" "$archive_dir/tbot-$stamp.tar.gz"
echo "backup $archive_dir/tbot-$stamp.tar.gz written"

find "$archive_dir" -name 'tbot-*.tar.gz' -mtime "+$retention" -print -delete
