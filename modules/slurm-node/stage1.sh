#!/bin/busybox sh
# PID 1 of the small boot initramfs (boot.img) every node starts from, whatever its root is. It
# brings the network up, fetches the node's root file system over HTTP from the server named on
# the kernel command line (mosaic.server=ADDRESS mosaic.root=FILE), checks its sha256 against the
# one the server computes for that file, makes it the root and hands over to the root's own /init
# (init.sh), which starts Slurm. FILE is node.cpio (unpacked into a tmpfs) or node.squashfs
# (loop-mounted read-only below an overlay whose writable layer is a tmpfs).
#
# The kernel unpacked the server's overlay.img over this initramfs: the drivers this needs are in
# /lib/modules, and /overlay holds the server's files for the node (users, munge key), copied over
# the new root.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
/bin/busybox mkdir -p /proc /sys /dev /run /tmp /usr/sbin /usr/bin /sbin /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
exec 0</dev/console 1>/dev/console 2>&1
/bin/busybox mount -t tmpfs -o mode=0755 run /run
/bin/busybox --install -s

say() { echo "mosaic-node: $*"; }

# A node that cannot get its root says why, leaves the line on the console for a while and
# reboots: the next boot tries again, and a machine left alone never hangs without a word.
fail() {
  say "FAILED: $* - rebooting in 30 s"
  sleep 30
  reboot -f
}

for word in $(cat /proc/cmdline); do
  case $word in
    mosaic.server=*) SERVER=${word#mosaic.server=};;
    mosaic.root=*) ROOT=${word#mosaic.root=};;
  esac
done
[ -n "$SERVER" ] && [ -n "$ROOT" ] || fail "the kernel command line names no mosaic.server= and mosaic.root="

# The drivers come with the server's overlay: they match the kernel the server serves. None of
# them depends on another module.
insmod /lib/modules/e1000.ko || fail "cannot load the NIC's driver"
ip link set lo up
ip link set eth0 up
MAC=$(cat /sys/class/net/eth0/address)
hostname "node-$(echo "$MAC" | cut -d: -f4-6 | tr -d :)"
udhcpc -i eth0 -q -n -t 30 -T 1 -s /etc/mosaic/udhcpc.script > /dev/null 2>&1 \
  || fail "no DHCP answer on eth0 ($MAC)"

# Fetched into /run, a tmpfs that the root's init finds mounted where it is: the squashfs stays
# there, open by its loop device, and so does the overlay's writable layer.
URL=http://$SERVER/$ROOT
IMAGE=/run/mosaic/$ROOT
mkdir -p /run/mosaic
tries=0
until wget -q -O "$IMAGE" "$URL" && WANT=$(wget -q -O - "http://$SERVER/cgi-bin/sha256?$ROOT" | cut -d' ' -f1) \
    && [ -n "$WANT" ]; do
  tries=$((tries + 1))
  [ $tries -lt 3 ] || fail "cannot fetch $URL or its sha256"
  say "cannot fetch $URL or its sha256, trying again in 5 s"
  sleep 5
done
GOT=$(sha256sum "$IMAGE" | cut -d' ' -f1)
[ "$GOT" = "$WANT" ] || fail "$URL has sha256 $GOT, the server says $WANT"

case $ROOT in
  *.squashfs)
    insmod /lib/modules/loop.ko && insmod /lib/modules/squashfs.ko && insmod /lib/modules/overlay.ko \
      || fail "cannot load the loop, squashfs and overlay drivers"
    mkdir -p /run/mosaic/lower /run/mosaic/upper /run/mosaic/work
    mount -t squashfs -o loop,ro "$IMAGE" /run/mosaic/lower || fail "cannot mount $ROOT"
    mount -t overlay -o lowerdir=/run/mosaic/lower,upperdir=/run/mosaic/upper,workdir=/run/mosaic/work \
      root /newroot || fail "cannot mount the overlay over $ROOT"
    say "root squashfs sha256=$GOT"
    ;;
  *)
    mount -t tmpfs -o mode=0755 root /newroot
    (cd /newroot && zcat "$IMAGE" | cpio -i -d -m 2> /dev/null) || fail "cannot unpack $ROOT"
    rm "$IMAGE"
    say "root cpio sha256=$GOT"
    ;;
esac

cp -a /overlay/. /newroot/ || fail "cannot copy the server's files into the root"
# What is mounted here stays mounted for the root's init, which therefore does not do it again.
for m in /proc /sys /dev /run; do
  mount -o move $m /newroot$m || fail "cannot move $m into the new root"
done
exec switch_root /newroot /init
