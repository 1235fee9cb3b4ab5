#!/bin/busybox sh
# The root file system's init, which the boot initramfs (stage1.sh) hands over to as PID 1: the
# same script on every node of every server. The node configures nothing by hand: stage 1 took an
# address by DHCP, named the node from its MAC address and mounted /proc, /sys, /dev and /run,
# which are left as they are here. This asks the server named on the kernel command line
# (mosaic.server=ADDRESS) for Slurm's configuration (configless), registering as a dynamic node
# (slurmd -Z).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
exec 0</dev/console 1>/dev/console 2>&1
/bin/busybox mkdir -p /tmp
/bin/busybox mount -t tmpfs -o mode=1777 tmp /tmp
# Links for every applet the image does not ship as a real program (existing files are kept).
/bin/busybox --install -s

say() { echo "mosaic-node: $*"; }

for word in $(cat /proc/cmdline); do
  case $word in mosaic.server=*) SERVER=${word#mosaic.server=};; esac
done

NAME=$(hostname)
MAC=$(cat /sys/class/net/eth0/address)
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
