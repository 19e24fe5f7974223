#!/usr/bin/env bash
# A throwaway 3-node MariaDB Galera cluster on 127.0.0.1, beside the machine's
# own MariaDB (3306 is never touched), for tidemark's Galera tests.
#
#   galera-cluster.sh start [DIR]      start a cluster; prints one mysql:// URL per node, then dir=DIR
#   galera-cluster.sh status DIR       wsrep_cluster_size / wsrep_ready per node
#   galera-cluster.sh stop DIR         kill every node, remove DIR and its port block
#   galera-cluster.sh stop-node DIR N  kill node N (1-3) only: "a node leaves the cluster"
#   galera-cluster.sh start-node DIR N let node N rejoin (IST/SST from the others)
#
# DIR defaults to a fresh /tmp/tidemark-galera-XXXXXX (never $TMPDIR: the test
# run's TMPDIR is private to root and mariadbd runs as user mysql). Each run
# reserves its own block of 12 free ports (client, gmcast, IST, SST per node)
# from 3311 upwards, so several runs on one machine do not collide.
# Needs: mariadbd, mariadb-install-db, Debian's galera-4, rsync, ss.
set -euo pipefail

PROVIDER=${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}
PORT_LOCKS=/tmp/tidemark-galera-ports
FIRST_BLOCK=3311
BLOCK_STEP=20
NODES=3
START_TIMEOUT=${GALERA_START_TIMEOUT:-120}

die() { echo "galera-cluster: $*" >&2; exit 1; }

port_free() { [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]; }

# Reserves a block of 12 ports by creating $PORT_LOCKS/<base> (mkdir is atomic);
# a block whose owning cluster folder is gone is stale and taken over.
reserve_ports() {
  local dir=$1 base p ok owner
  mkdir -p "$PORT_LOCKS"
  for ((base = FIRST_BLOCK; base < FIRST_BLOCK + 100 * BLOCK_STEP; base += BLOCK_STEP)); do
    if [ -d "$PORT_LOCKS/$base" ]; then
      owner=$(cat "$PORT_LOCKS/$base/owner" 2>/dev/null || true)
      if [ -n "$owner" ] && [ -d "$owner" ]; then continue; fi
      rm -rf "$PORT_LOCKS/$base"
    fi
    mkdir "$PORT_LOCKS/$base" 2>/dev/null || continue
    echo "$dir" > "$PORT_LOCKS/$base/owner"
    ok=1
    for ((p = base; p < base + 4 * NODES; p += 1)); do port_free "$p" || { ok=0; break; }; done
    if [ "$ok" = 1 ]; then echo "$base"; return 0; fi
    rm -rf "$PORT_LOCKS/$base"
  done
  die "no free block of $((4 * NODES)) ports from $FIRST_BLOCK upwards"
}

client_port() { echo $(($1 + $2 - 1)); }
gmcast_port() { echo $(($1 + NODES + $2 - 1)); }
ist_port() { echo $(($1 + 2 * NODES + $2 - 1)); }
sst_port() { echo $(($1 + 3 * NODES + $2 - 1)); }

write_config() {
  local dir=$1 base=$2 n=$3 name=$4 node=$1/node$3 peers="" i
  for ((i = 1; i <= NODES; i += 1)); do peers="$peers${peers:+,}127.0.0.1:$(gmcast_port "$base" "$i")"; done
  cat > "$node/my.cnf" <<EOF
[mariadbd]
user=mysql
datadir=$node/data
tmpdir=$node/tmp
port=$(client_port "$base" "$n")
bind-address=127.0.0.1
socket=$node/mysqld.sock
pid-file=$node/mysqld.pid
log-error=$node/error.log
skip-name-resolve
performance_schema=OFF
innodb_buffer_pool_size=32M
innodb_log_file_size=16M
innodb_flush_log_at_trx_commit=0
max_connections=300
default_storage_engine=InnoDB
binlog_format=ROW
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=$PROVIDER
wsrep_cluster_name=$name
wsrep_cluster_address=gcomm://$peers
wsrep_node_name=node$n
wsrep_node_address=127.0.0.1
wsrep_node_incoming_address=127.0.0.1:$(client_port "$base" "$n")
wsrep_provider_options="gmcast.listen_addr=tcp://127.0.0.1:$(gmcast_port "$base" "$n");ist.recv_addr=127.0.0.1:$(ist_port "$base" "$n");gcache.size=32M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S"
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:$(sst_port "$base" "$n")
wsrep_slave_threads=2
EOF
}

mysql_on() {
  local dir=$1 n=$2
  shift 2
  mariadb --no-defaults --socket="$dir/node$n/mysqld.sock" -uroot --batch --skip-column-names "$@"
}

status_of() { mysql_on "$1" "$2" -e "SHOW GLOBAL STATUS LIKE '$3'" 2>/dev/null | awk '{print $2}'; }

node_ready() {
  local dir=$1 n=$2 size=${3:-$NODES}
  [ "$(status_of "$dir" "$n" wsrep_cluster_size)" = "$size" ] && [ "$(status_of "$dir" "$n" wsrep_ready)" = "ON" ] &&
    [ "$(status_of "$dir" "$n" wsrep_local_state_comment)" = "Synced" ]
}

node_pid() { cat "$1/node$2/mysqld.pid" 2>/dev/null || true; }

launch_node() {
  local dir=$1 n=$2
  shift 2
  rm -f "$dir/node$n/mysqld.pid"
  setsid mariadbd --defaults-file="$dir/node$n/my.cnf" "$@" > "$dir/node$n/stdout.log" 2>&1 < /dev/null &
  echo $! > "$dir/node$n/launcher.pid"
}

# Waits until node n answers and is Synced in a cluster of `size`; shows its log on failure.
wait_node() {
  local dir=$1 n=$2 size=$3 deadline=$((SECONDS + START_TIMEOUT)) launcher
  launcher=$(cat "$dir/node$n/launcher.pid")
  until node_ready "$dir" "$n" "$size"; do
    if ! kill -0 "$launcher" 2>/dev/null; then
      tail -n 40 "$dir/node$n/error.log" >&2 || true
      die "node $n exited while starting (log: $dir/node$n/error.log)"
    fi
    if ((SECONDS > deadline)); then
      tail -n 40 "$dir/node$n/error.log" >&2 || true
      die "node $n was not Synced in a cluster of $size within ${START_TIMEOUT}s (log: $dir/node$n/error.log)"
    fi
    sleep 0.3
  done
}

urls() {
  local dir=$1 base n
  base=$(cat "$dir/ports")
  for ((n = 1; n <= NODES; n += 1)); do echo "mysql://root@127.0.0.1:$(client_port "$base" "$n")/mysql"; done
}

cmd_start() {
  command -v mariadbd > /dev/null || die "mariadbd is not installed (apt-get install mariadb-server)"
  [ -r "$PROVIDER" ] || die "$PROVIDER is missing (apt-get install galera-4)"
  command -v rsync > /dev/null || die "rsync is missing (apt-get install rsync)"
  local dir=${1:-} base name n
  if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/tidemark-galera-XXXXXX); else mkdir -p "$dir"; fi
  dir=$(cd "$dir" && pwd)
  chmod 755 "$dir"
  base=$(reserve_ports "$dir")
  echo "$base" > "$dir/ports"
  name="tidemark-$(basename "$dir" | sed "s/^tidemark-galera-//")"
  for ((n = 1; n <= NODES; n += 1)); do
    mkdir -p "$dir/node$n/data" "$dir/node$n/tmp"
    write_config "$dir" "$base" "$n" "$name"
  done
  chown -R mysql:mysql "$dir"
  # Only node 1 needs system tables: the joiners receive node 1's datadir by SST.
  mariadb-install-db --defaults-file="$dir/node1/my.cnf" --user=mysql --auth-root-authentication-method=normal \
    --skip-test-db --wsrep-on=OFF > "$dir/node1/install.log" 2>&1 || { cat "$dir/node1/install.log" >&2; die "mariadb-install-db failed"; }
  launch_node "$dir" 1 --wsrep-new-cluster
  wait_node "$dir" 1 1
  # Password-less root over TCP from 127.0.0.1 only; anonymous users would shadow it.
  mysql_on "$dir" 1 -e "DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES;"
  # The joiners start together; one waits (Galera retries every second) while node 1 donates to the other.
  for ((n = 2; n <= NODES; n += 1)); do launch_node "$dir" "$n"; done
  for ((n = 1; n <= NODES; n += 1)); do wait_node "$dir" "$n" "$NODES"; done
  urls "$dir" > "$dir/urls"
  urls "$dir"
  echo "dir=$dir"
}

# Sends SIGKILL to node n. setsid made each node its own process group: killing
# the group also ends an SST script and its rsync daemon, which would outlive mariadbd.
kill_node() {
  local dir=$1 n=$2 pid launcher
  pid=$(node_pid "$dir" "$n")
  launcher=$(cat "$dir/node$n/launcher.pid" 2>/dev/null || true)
  if [ -n "$launcher" ]; then kill -KILL -- "-$launcher" 2>/dev/null || true; fi
  for p in $pid $launcher; do kill -KILL "$p" 2>/dev/null || true; done
}

# Waits until node n's process is gone (or a zombie) and its port is closed.
wait_node_gone() {
  local dir=$1 n=$2 pid launcher deadline state base
  pid=$(node_pid "$dir" "$n")
  launcher=$(cat "$dir/node$n/launcher.pid" 2>/dev/null || true)
  base=$(cat "$dir/ports")
  deadline=$((SECONDS + 20))
  for p in $pid $launcher; do
    while ((SECONDS < deadline)); do
      state=$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null || echo gone)
      [ "$state" = gone ] || [ "$state" = Z ] && break
      sleep 0.05
    done
  done
  while ! port_free "$(client_port "$base" "$n")" && ((SECONDS < deadline)); do sleep 0.05; done
  rm -f "$dir/node$n/mysqld.pid" "$dir/node$n/mysqld.sock"
}

stop_node() {
  kill_node "$1" "$2"
  wait_node_gone "$1" "$2"
}

cmd_stop() {
  local dir=${1:?stop needs the cluster folder} base n
  [ -f "$dir/ports" ] || die "$dir is not a cluster folder"
  base=$(cat "$dir/ports")
  for ((n = 1; n <= NODES; n += 1)); do kill_node "$dir" "$n"; done
  for ((n = 1; n <= NODES; n += 1)); do wait_node_gone "$dir" "$n"; done
  rm -rf "$dir"
  owner=$(cat "$PORT_LOCKS/$base/owner" 2>/dev/null || true)
  if [ "$owner" = "$dir" ]; then rm -rf "${PORT_LOCKS:?}/$base"; fi
}

cmd_status() {
  local dir=${1:?status needs the cluster folder} base n
  base=$(cat "$dir/ports")
  for ((n = 1; n <= NODES; n += 1)); do
    printf 'node%s port %s cluster_size=%s ready=%s state=%s\n' "$n" "$(client_port "$base" "$n")" \
      "$(status_of "$dir" "$n" wsrep_cluster_size || true)" "$(status_of "$dir" "$n" wsrep_ready || true)" \
      "$(status_of "$dir" "$n" wsrep_local_state_comment || true)"
  done
}

cmd_start_node() {
  local dir=${1:?} n=${2:?}
  launch_node "$dir" "$n"
  wait_node "$dir" "$n" "$NODES"
}

case "${1:-}" in
  start) cmd_start "${2:-}" ;;
  stop) cmd_stop "${2:-}" ;;
  status) cmd_status "${2:-}" ;;
  stop-node) stop_node "${2:?}" "${3:?}" ;;
  start-node) cmd_start_node "${2:?}" "${3:?}" ;;
  urls) urls "${2:?}" ;;
  *) echo "usage: $0 start [DIR] | status DIR | stop DIR | stop-node DIR N | start-node DIR N | urls DIR" >&2; exit 2 ;;
esac
