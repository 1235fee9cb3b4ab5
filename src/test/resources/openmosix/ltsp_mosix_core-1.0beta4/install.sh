#!/bin/sh
# install.sh of ltsp_mosix_core 1.0beta4 in miniature: the openMosix start-up of an LTSP node.
# Needs ltsp_local_apps (installed before it, as the recipe says). Root-aware: installs below
# $MOSAIC_ROOT and appends its name to $MOSAIC_ROOT/var/log/openmosix-recipe.log.
set -e
cd "$(dirname "$0")"
root=${MOSAIC_ROOT:?MOSAIC_ROOT is not set: run me through mosaic}
root=${root%/}
ltsp=$root/opt/ltsp/i386
[ -f "$ltsp/etc/rc.localapps" ] || { echo "install.sh: install ltsp_local_apps first" >&2; exit 1; }
cp rc.openmosix "$ltsp/etc/rc.openmosix"
chmod 0755 "$ltsp/etc/rc.openmosix"
mkdir -p "$root/var/log"
echo "install.sh ltsp_mosix_core" >> "$root/var/log/openmosix-recipe.log"
echo "ltsp_mosix_core installed in /opt/ltsp/i386"
