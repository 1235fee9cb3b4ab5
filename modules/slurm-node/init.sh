#!/bin/busybox sh
# PID 1 of a compute node booted from the network: the same script on every node of every
# server. The node configures nothing by hand: it takes an address by DHCP, names itself from its
# MAC address, and asks the server named on the kernel command line (mosaic.server=ADDRESS) for
# Slurm's configuration (configless), registering as a dynamic node (slurmd -Z).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
/bin/busybox mkdir -p /proc /sys /dev /run /tmp /usr/sbin /usr/bin /sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sys /sys
/bin/busybox mount -t devtmpfs dev /dev
# Everything this script and what it starts print goes to the console.
exec 0</dev/console 1>/dev/console 2>&1
/bin/busybox mount -t tmpfs -o mode=0755 run /run
/bin/busybox mount -t tmpfs -o mode=1777 tmp /tmp
# Links for every applet the image does not ship as a real program (existing files are kept).
/bin/busybox --install -s

say() { echo "mosaic-node: $*"; }

for word in $(cat /proc/cmdline); do
  case $word in mosaic.server=*) SERVER=${word#mosaic.server=};; esac
done

# The NIC's driver comes with the server's overlay (it matches the kernel the server serves).
insmod /lib/modules/e1000.ko
ip link set lo up
ip link set eth0 up
MAC=$(cat /sys/class/net/eth0/address)
NAME=node-$(echo "$MAC" | cut -d: -f4-6 | tr -d :)
hostname "$NAME"
if ! udhcpc -i eth0 -q -n -t 30 -T 1 -s /etc/mosaic/udhcpc.script > /dev/null 2>&1; then
  say "no DHCP answer on eth0 ($MAC)"
fi
ADDRESS=$(ip -4 -o addr show dev eth0 | awk '{ split($4, a, "/"); print a[1] }')
printf '127.0.0.1 localhost\n%s %s\n' "$ADDRESS" "$NAME" > /etc/hosts

# slurmd 22.05 loads a cgroup plugin whatever the proctrack and task plugins are: it needs the
# cgroup v1 hierarchies it knows, below a tmpfs on /sys/fs/cgroup.
mount -t tmpfs -o mode=0755 cgroup /sys/fs/cgroup
mkdir -p /sys/fs/cgroup/systemd
mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
for controller in cpuset memory freezer devices; do
  mkdir -p /sys/fs/cgroup/$controller
  mount -t cgroup -o $controller cgroup /sys/fs/cgroup/$controller
done

# munged on its default socket, where slurmd's configless fetch looks for it. It runs as root
# (--force): the key comes in the overlay, owned by root, readable by root only.
mkdir -p /run/munge /var/log/munge /var/lib/munge /var/lib/slurm/slurmd /var/log/slurm /run/slurm
munged --force

say "up name=$NAME mac=$MAC address=$ADDRESS server=$SERVER"
slurmd -Z --conf-server "$SERVER" -D &

# PID 1 must not exit; it also reaps what is left to it.
while true; do
  wait
  sleep 60
done
