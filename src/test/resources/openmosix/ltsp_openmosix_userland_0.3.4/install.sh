#!/bin/sh
# install.sh of ltsp_openmosix_userland 0.3.4 in miniature: the openMosix tools for LTSP nodes.
# Needs ltsp_mosix_core (installed before it). Root-aware: installs below $MOSAIC_ROOT and appends
# its name to $MOSAIC_ROOT/var/log/openmosix-recipe.log.
set -e
cd "$(dirname "$0")"
root=${MOSAIC_ROOT:?MOSAIC_ROOT is not set: run me through mosaic}
root=${root%/}
ltsp=$root/opt/ltsp/i386
[ -f "$ltsp/etc/rc.openmosix" ] || { echo "install.sh: install ltsp_mosix_core first" >&2; exit 1; }
mkdir -p "$ltsp/bin" "$ltsp/sbin"
cp bin/mosmon "$ltsp/bin/mosmon"
cp sbin/setpe "$ltsp/sbin/setpe"
chmod 0755 "$ltsp/bin/mosmon" "$ltsp/sbin/setpe"
mkdir -p "$root/var/log"
echo "install.sh ltsp_openmosix_userland" >> "$root/var/log/openmosix-recipe.log"
echo "ltsp_openmosix_userland installed in /opt/ltsp/i386"
