#!/bin/sh
# install.sh of ltsp_local_apps 3.0.0 in miniature: lets LTSP workstations run programs locally.
# Root-aware for hermetic tests: installs below $MOSAIC_ROOT (which Mosaic exports; "/" without
# --root) and appends its name to $MOSAIC_ROOT/var/log/openmosix-recipe.log.
set -e
cd "$(dirname "$0")"
root=${MOSAIC_ROOT:?MOSAIC_ROOT is not set: run me through mosaic}
root=${root%/}
ltsp=$root/opt/ltsp/i386
[ -d "$ltsp" ] || { echo "install.sh: /opt/ltsp/i386 does not exist: install LTSP first" >&2; exit 1; }
mkdir -p "$ltsp/etc"
cp rc.localapps "$ltsp/etc/rc.localapps"
chmod 0755 "$ltsp/etc/rc.localapps"
mkdir -p "$root/var/log"
echo "install.sh ltsp_local_apps" >> "$root/var/log/openmosix-recipe.log"
echo "ltsp_local_apps installed in /opt/ltsp/i386"
