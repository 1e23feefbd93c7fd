#!/bin/bash
# Single-node Ceph (1 mon, 1 memstore OSD, no cephx) + radosgw (beast), everything bound to 127.0.0.1.
# Debian: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd   (Ceph 16.2)
# Usage: start-rgw.sh <dir> [rgw_port=${RGW_PORT:-7480}] [mon_port=${MON_PORT:-6789}]
# Writes <dir>/pids (space-separated) as soon as each daemon is up, so a caller can kill them even if a later
# step fails. Stop: kill $(cat <dir>/pids), then kill -9 after a few seconds (an OSD whose mon is gone may hang
# in shutdown). memstore: all data is lost on stop.
# Adapted from the shared recipe; tcp_nodelay=1 matters (without it GETs take ~45 ms: Nagle + delayed ACK).
set -euo pipefail
D=${1:?usage: start-rgw.sh <dir> [rgw_port] [mon_port]}
RGW_PORT=${2:-${RGW_PORT:-7480}}
MON_PORT=${3:-${MON_PORT:-6789}}
ACCESS_KEY=${RGW_ACCESS_KEY:-TESTKEY}
SECRET_KEY=${RGW_SECRET_KEY:-TESTSECRET}

for bin in monmaptool ceph-mon ceph-osd radosgw radosgw-admin ceph; do
  command -v "$bin" >/dev/null || { echo "start-rgw: $bin not found; run: apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd" >&2; exit 3; }
done

rm -rf "$D"; mkdir -p "$D"/{mon,osd,run,log,rgw}
: > "$D/pids"
record_pids() { cat "$D"/run/*.pid 2>/dev/null | tr '\n' ' ' > "$D/pids.tmp" || true; echo >> "$D/pids.tmp"; mv "$D/pids.tmp" "$D/pids"; }
# Ceph 16 race: a client that sends its first mon command before its MonClient has the monmap sends fsid 0 and
# gets EPERM ('wrong fsid', 'problem getting command descriptions'); mostly on a busy machine. Trying again works.
retry() { local n=$1; shift; for i in $(seq 1 "$n"); do "$@" && return 0; [ "$i" = "$n" ] || { echo "start-rgw: retrying: $*" >&2; sleep 1; }; done; return 1; }
wait_pidfile() { for _ in $(seq 1 100); do [ -s "$1" ] && return 0; sleep 0.1; done; echo "start-rgw: no pid file $1" >&2; return 1; }

FSID=$(cat /proc/sys/kernel/random/uuid)
cat > "$D/ceph.conf" <<CONF
[global]
fsid = $FSID
mon host = [v1:127.0.0.1:$MON_PORT]
mon initial members = a
public addr = 127.0.0.1
cluster addr = 127.0.0.1
auth cluster required = none
auth service required = none
auth client required = none
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
run dir = $D/run
log file = $D/log/\$name.log
pid file = $D/run/\$name.pid
admin socket = $D/run/\$name.asok
ms bind ipv6 = false
mon data avail warn = 1
mon data avail crit = 0
[mon.a]
mon data = $D/mon
[osd]
osd data = $D/osd
osd objectstore = memstore
memstore device bytes = 4294967296
osd max object name len = 256
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw dns name = localhost
rgw data = $D/rgw
CONF
export CEPH_CONF="$D/ceph.conf"

monmaptool --create --addv a "[v1:127.0.0.1:$MON_PORT]" --fsid "$FSID" "$D/monmap" >/dev/null
ceph-mon --mkfs -i a --monmap "$D/monmap" -c "$CEPH_CONF"
ceph-mon -i a -c "$CEPH_CONF"
wait_pidfile "$D/run/mon.a.pid"; record_pids
for _ in $(seq 1 30); do timeout 5 ceph -c "$CEPH_CONF" mon stat >/dev/null 2>&1 && break; sleep 1; done

OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
ID=$(retry 10 timeout 20 ceph -c "$CEPH_CONF" osd new "$OSD_UUID")   # same uuid: same id, so safe to repeat
ceph-osd -i "$ID" --mkfs --osd-uuid "$OSD_UUID" -c "$CEPH_CONF" 2>>"$D/log/mkfs.log"
# The same race makes a fresh OSD exit during init (update_crush_device_class: 'wrong fsid').
for attempt in 1 2 3 4 5; do
  rm -f "$D/run/osd.$ID.pid"
  ceph-osd -i "$ID" -c "$CEPH_CONF" && break
  [ "$attempt" = 5 ] && { echo "start-rgw: ceph-osd did not start (see $D/log/osd.$ID.log)" >&2; exit 1; }
  echo "start-rgw: ceph-osd init failed (attempt $attempt), retrying" >&2; sleep 1
done
wait_pidfile "$D/run/osd.$ID.pid"; record_pids
for _ in $(seq 1 60); do timeout 5 ceph -c "$CEPH_CONF" osd stat 2>/dev/null | grep -q "1 up" && break; sleep 1; done

timeout 120 radosgw -n client.rgw.a -c "$CEPH_CONF"   # daemonizes once the mon answers; never hang 300 s
wait_pidfile "$D/run/client.rgw.a.pid"; record_pids
for _ in $(seq 1 60); do (exec 3<>"/dev/tcp/127.0.0.1/$RGW_PORT") 2>/dev/null && break; sleep 1; done   # no curl needed
user_exists() { timeout 30 radosgw-admin -c "$CEPH_CONF" user info --uid=test >/dev/null 2>&1; }
create_user() { user_exists || timeout 60 radosgw-admin -c "$CEPH_CONF" user create --uid=test --display-name=test \
  --access-key="$ACCESS_KEY" --secret="$SECRET_KEY" >/dev/null; }
retry 5 create_user
record_pids
echo "rgw up on http://127.0.0.1:$RGW_PORT, pids: $(cat "$D/pids")"
