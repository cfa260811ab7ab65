#!/usr/bin/env bash
# A real Switchboard cluster on one machine: two gateways, two consumers, two workers, each its own JVM
# on 127.0.0.1, joined by Hazelcast TCP-IP through an explicit member list, sharing one Redis.
#
#   deploy/cluster.sh start    start the six nodes, wait until every /health is UP with 6 cluster nodes
#   deploy/cluster.sh status   each node's role, PID, ports, health and log; exit 0 only if all are UP
#   deploy/cluster.sh stop     SIGTERM by PID (gateways first), SIGKILL after SWITCHBOARD_STOP_TIMEOUT
#
# Configuration (environment, defaults in brackets):
#   SWITCHBOARD_RUN_DIR         [/tmp/switchboard-cluster]  logs, PID table, Redis data if started here
#   SWITCHBOARD_HTTP_BASE_PORT  [8080]  gateways serve HTTP on base and base+1, consumers on base+2 and +3,
#                               workers on base+4 and +5 (/health only); 0 = free ports, read from the logs
#   SWITCHBOARD_TCP_BASE_PORT   [8000]  gateways serve TCP echo on base and base+1; 0 = free ports
#   SWITCHBOARD_CLUSTER_PORT    [5701]  node i binds Hazelcast on base+i; every node lists all six
#   SWITCHBOARD_CLUSTER_NAME    [switchboard-local]
#   SWITCHBOARD_REDIS_URL       [redis://127.0.0.1:6379]  if nothing answers there (and the host is local),
#                               a redis-server is started in the run dir and stopped with the cluster
#   SWITCHBOARD_JAR             [deploy/target/switchboard.jar]
#   JAVA_OPTS                   [-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dhazelcast.wait.seconds.before.join=0]
#   SWITCHBOARD_START_TIMEOUT   [240]  seconds to wait for all nodes healthy
#   SWITCHBOARD_STOP_TIMEOUT    [30]   seconds between SIGTERM and SIGKILL
#   SWITCHBOARD_LB_PORT         [unset] if set, nginx (Debian's package) on 127.0.0.1:PORT balances HTTP and
#                               WebSocket over the two gateways; started last, stopped first
# Other SWITCHBOARD_* variables (SWITCHBOARD_PG_URL, limits, ...) pass through to every node.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
RUN_DIR="${SWITCHBOARD_RUN_DIR:-/tmp/switchboard-cluster}"
HTTP_BASE="${SWITCHBOARD_HTTP_BASE_PORT:-8080}"
TCP_BASE="${SWITCHBOARD_TCP_BASE_PORT:-8000}"
HZ_BASE="${SWITCHBOARD_CLUSTER_PORT:-5701}"
CLUSTER_NAME="${SWITCHBOARD_CLUSTER_NAME:-switchboard-local}"
REDIS_URL="${SWITCHBOARD_REDIS_URL:-redis://127.0.0.1:6379}"
JAR="${SWITCHBOARD_JAR:-$HERE/target/switchboard.jar}"
JAVA_OPTS="${JAVA_OPTS:--Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Dhazelcast.wait.seconds.before.join=0}"
START_TIMEOUT="${SWITCHBOARD_START_TIMEOUT:-240}"
STOP_TIMEOUT="${SWITCHBOARD_STOP_TIMEOUT:-30}"
LB_PORT="${SWITCHBOARD_LB_PORT:-}"
NGINX="${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

NODES_FILE="$RUN_DIR/nodes.tsv"   # name role pid http-port tcp-port hazelcast-port log
NAME_FILE="$RUN_DIR/cluster-name"  # so that stop and status find the nodes whatever the environment says
REDIS_PID_FILE="$RUN_DIR/redis.pid"
NGINX_PID_FILE="$RUN_DIR/nginx.pid"
# name:role:port-offset, in start order (the first is started alone, as the seed the others join);
# node i in this list binds Hazelcast on SWITCHBOARD_CLUSTER_PORT+i, HTTP on the base + its offset.
NODES=(consumers-1:consumers:2 consumers-2:consumers:3 worker-1:worker:4 worker-2:worker:5 gateway-1:gateway:0 gateway-2:gateway:1)
NODE_COUNT=${#NODES[@]}

die() { echo "cluster.sh: $*" >&2; exit 1; }
now_ms() { date +%s%3N; }

# Alive and not a zombie (an orphaned child may linger as a zombie if nothing reaps it).
alive() {
  local pid=$1 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# Ours: the PID still runs this cluster's jar (PIDs get reused after a crash).
ours() {
  alive "$1" && tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -q -- "switchboard.cluster=$CLUSTER_NAME"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Prints "HTTP-CODE BODY" of GET /health, or "000".
health() {
  curl -s -m 3 -w ' %{http_code}' "http://127.0.0.1:$1/health" 2>/dev/null || echo " 000"
}

node_up() {   # port expected-nodes
  local out
  out=$(health "$1")
  [[ ${out##* } == 200 && $out == *'"status":"UP"'* && $out == *"\"nodes\":$2"* ]]
}

start_redis() {
  local hostport host port
  hostport="${REDIS_URL#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
  host="${hostport%%:*}"; port="${hostport##*:}"
  [[ $port == "$hostport" ]] && port=6379
  if port_open "$host" "$port"; then
    echo "Redis: $REDIS_URL (already running)"
    return
  fi
  [[ $host == 127.0.0.1 || $host == localhost ]] || die "Redis at $REDIS_URL is not reachable"
  command -v redis-server >/dev/null || die "no Redis on $host:$port and no redis-server to start one (apt-get install redis-server)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no \
    --dir "$RUN_DIR" --pidfile "$REDIS_PID_FILE" --logfile "$RUN_DIR/redis.log" >/dev/null
  for _ in $(seq 1 50); do port_open 127.0.0.1 "$port" && break; sleep 0.1; done
  port_open 127.0.0.1 "$port" || die "redis-server did not start on port $port: see $RUN_DIR/redis.log"
  echo "Redis: started redis-server on 127.0.0.1:$port (PID $(cat "$REDIS_PID_FILE"), log $RUN_DIR/redis.log)"
}

# nginx in front of the gateways: round robin for HTTP, WebSocket upgrades passed through.
start_nginx() {
  local upstreams="" name role pid http rest
  [[ -x $NGINX ]] || die "SWITCHBOARD_LB_PORT is set but there is no nginx (apt-get install nginx)"
  while IFS=$'\t' read -r name role pid http rest; do
    [[ $role == gateway ]] && upstreams+="    server 127.0.0.1:$http max_fails=1 fail_timeout=5s;"$'\n'
  done <"$NODES_FILE"
  mkdir -p "$RUN_DIR/nginx-tmp"
  cat >"$RUN_DIR/nginx.conf" <<CONF
# a proxied WebSocket holds two connections (client and gateway): two workers of up to 16,000 carry 10,000 sockets
# within a process's 20,000 open files; reuseport spreads new clients over both
worker_processes 2;
worker_rlimit_nofile 20000;
pid $NGINX_PID_FILE;
error_log $RUN_DIR/nginx-error.log warn;
events { worker_connections 16000; }
http {
  access_log off;
  client_body_temp_path $RUN_DIR/nginx-tmp/body;
  proxy_temp_path $RUN_DIR/nginx-tmp/proxy;
  fastcgi_temp_path $RUN_DIR/nginx-tmp/fastcgi;
  uwsgi_temp_path $RUN_DIR/nginx-tmp/uwsgi;
  scgi_temp_path $RUN_DIR/nginx-tmp/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream switchboard_gateways {
$upstreams  }
  server {
    listen 127.0.0.1:$LB_PORT reuseport;
    location / {
      proxy_pass http://switchboard_gateways;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$http_host;   # with the port: the gateway checks Origin against it
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_read_timeout 1h;
    }
  }
}
CONF
  "$NGINX" -q -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" || die "nginx did not start: see $RUN_DIR/nginx-error.log"
  for _ in $(seq 1 50); do [[ -s $NGINX_PID_FILE ]] && port_open 127.0.0.1 "$LB_PORT" && break; sleep 0.1; done
  port_open 127.0.0.1 "$LB_PORT" || die "nginx is not listening on $LB_PORT: see $RUN_DIR/nginx-error.log"
}

stop_nginx() {
  local pid
  [[ -f $NGINX_PID_FILE ]] || return 0
  pid=$(cat "$NGINX_PID_FILE")
  if alive "$pid"; then
    echo "Stopping nginx $pid"
    kill -QUIT "$pid" 2>/dev/null || true   # graceful: finishes the requests in progress
    for _ in $(seq 1 $((STOP_TIMEOUT * 10))); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -TERM "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$NGINX_PID_FILE"
}

lb_line() {
  [[ -f $NGINX_PID_FILE ]] || return 0
  local pid state=GONE; pid=$(cat "$NGINX_PID_FILE")
  if alive "$pid"; then state=UP; fi
  echo "nginx load balancer: http://127.0.0.1:$(cat "$RUN_DIR/lb-port") over the gateways, PID $pid, $state, log $RUN_DIR/nginx-error.log"
}

members() {
  local list=() i
  for ((i = 0; i < NODE_COUNT; i++)); do list+=("127.0.0.1:$((HZ_BASE + i))"); done
  (IFS=,; echo "${list[*]}")
}

launch() {   # name role port-offset hazelcast-index
  local name=$1 role=$2 offset=$3 i=$4 http=0 tcp=0 log="$RUN_DIR/$1.log"
  [[ $HTTP_BASE == 0 ]] || http=$((HTTP_BASE + offset))
  if [[ $role == gateway && $TCP_BASE != 0 ]]; then tcp=$((TCP_BASE + offset)); fi
  # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
  SWITCHBOARD_HTTP_PORT=$http SWITCHBOARD_TCP_ECHO_PORT=$tcp \
  SWITCHBOARD_CLUSTER_NAME="$CLUSTER_NAME" SWITCHBOARD_CLUSTER_MEMBERS="$(members)" \
  SWITCHBOARD_CLUSTER_PORT=$((HZ_BASE + i)) SWITCHBOARD_CLUSTER_HOST=127.0.0.1 \
  SWITCHBOARD_REDIS_URL="$REDIS_URL" \
    nohup "$JAVA" $JAVA_OPTS "-Dswitchboard.cluster=$CLUSTER_NAME" "-Dswitchboard.node=$name" \
      -jar "$JAR" "$role" --cluster </dev/null >"$log" 2>&1 &
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$role" "$!" "$http" "$tcp" "$((HZ_BASE + i))" "$log" >>"$NODES_FILE"
}

# Fills in the ports a node picked itself (port 0) from its "Switchboard ready" line; fails if not ready yet.
learn_ports() {
  local tmp="$NODES_FILE.tmp" name role pid http tcp hz log line missing=0
  : >"$tmp"
  while IFS=$'\t' read -r name role pid http tcp hz log; do
    if [[ $http == 0 ]]; then
      line=$(grep -m1 -o 'Switchboard ready: .*' "$log" 2>/dev/null || true)
      if [[ -n $line ]]; then
        http=$(sed -E 's/.*http port ([0-9]+).*/\1/' <<<"$line")
        [[ $line == *"tcp-echo port"* ]] && tcp=$(sed -E 's/.*tcp-echo port ([0-9]+).*/\1/' <<<"$line")
      else
        missing=1
      fi
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$role" "$pid" "$http" "$tcp" "$hz" "$log" >>"$tmp"
  done <"$NODES_FILE"
  mv "$tmp" "$NODES_FILE"
  return $missing
}

print_table() {   # with-health
  local name role pid http tcp hz log state
  printf '%-12s %-10s %-8s %-6s %-9s %-10s %-6s %s\n' NODE ROLE PID HTTP TCP-ECHO HAZELCAST HEALTH LOG
  while IFS=$'\t' read -r name role pid http tcp hz log; do
    if ! ours "$pid"; then state=GONE
    elif [[ $http != 0 ]] && node_up "$http" "$NODE_COUNT"; then state=UP
    else state=DOWN; fi
    [[ $tcp == 0 ]] && tcp=-
    printf '%-12s %-10s %-8s %-6s %-9s %-10s %-6s %s\n' "$name" "$role" "$pid" "$http" "$tcp" "$hz" "$state" "$log"
  done <"$NODES_FILE"
}

all_healthy() {
  local name role pid http tcp hz log
  while IFS=$'\t' read -r name role pid http tcp hz log; do
    ours "$pid" || die "$name (PID $pid) exited during start-up; last lines of $log:
$(tail -n 20 "$log")"
    [[ $http != 0 ]] && node_up "$http" "$NODE_COUNT" || return 1
  done <"$NODES_FILE"
}

running_pids() {
  local name role pid rest
  [[ -f $NODES_FILE ]] || return 0
  while IFS=$'\t' read -r name role pid rest; do
    if ours "$pid"; then echo "$pid"; fi
  done <"$NODES_FILE"
}

cmd_start() {
  [[ -f $JAR ]] || die "no jar at $JAR: run 'mvn -B package -DskipTests' first"
  mkdir -p "$RUN_DIR"
  [[ -z $(running_pids) ]] || die "a cluster is already running from $RUN_DIR (deploy/cluster.sh status)"
  local i name role offset
  for ((i = 0; i < NODE_COUNT; i++)); do
    port_open 127.0.0.1 $((HZ_BASE + i)) && die "Hazelcast port $((HZ_BASE + i)) is taken: set SWITCHBOARD_CLUSTER_PORT"
    if [[ $HTTP_BASE != 0 ]]; then
      port_open 127.0.0.1 $((HTTP_BASE + i)) && die "HTTP port $((HTTP_BASE + i)) is taken: set SWITCHBOARD_HTTP_BASE_PORT"
    fi
  done
  if [[ -n $LB_PORT ]]; then
    [[ -x $NGINX ]] || die "SWITCHBOARD_LB_PORT is set but there is no nginx (apt-get install nginx)"
    port_open 127.0.0.1 "$LB_PORT" && die "load-balancer port $LB_PORT is taken: set SWITCHBOARD_LB_PORT"
  fi
  rm -f "$RUN_DIR/lb-port"
  start_redis
  : >"$NODES_FILE"
  echo "$CLUSTER_NAME" >"$NAME_FILE"
  local started; started=$(now_ms)
  echo "Starting $NODE_COUNT nodes of cluster '$CLUSTER_NAME' (Hazelcast ports $HZ_BASE-$((HZ_BASE + NODE_COUNT - 1))), logs in $RUN_DIR"
  local deadline=$(( $(date +%s) + START_TIMEOUT ))
  # The seed first, so the others join one master rather than forming small clusters that merge later.
  IFS=: read -r name role offset <<<"${NODES[0]}"
  launch "$name" "$role" "$offset" 0
  until grep -q 'Switchboard ready' "$RUN_DIR/$name.log" 2>/dev/null; do
    running_pids | grep -q . || die "$name exited during start-up: $(tail -n 20 "$RUN_DIR/$name.log")"
    (( $(date +%s) < deadline )) || die "$name not ready after ${START_TIMEOUT}s: see $RUN_DIR/$name.log"
    sleep 0.5
  done
  for ((i = 1; i < NODE_COUNT; i++)); do
    IFS=: read -r name role offset <<<"${NODES[$i]}"
    launch "$name" "$role" "$offset" "$i"
  done
  until learn_ports && all_healthy; do
    if (( $(date +%s) >= deadline )); then
      print_table
      die "not all nodes healthy after ${START_TIMEOUT}s (see the logs above); stop with: $0 stop"
    fi
    sleep 1
  done
  echo "All $NODE_COUNT nodes UP in $(( ($(now_ms) - started) )) ms"
  if [[ -n $LB_PORT ]]; then
    start_nginx
    echo "$LB_PORT" >"$RUN_DIR/lb-port"
  fi
  print_table
  lb_line
}

cmd_status() {
  [[ -f $NODES_FILE ]] || { echo "no cluster in $RUN_DIR"; return 3; }
  local table; table=$(print_table)
  echo "$table"
  lb_line
  ! grep -qE ' (DOWN|GONE) ' <<<"$table" || return 3
}

# SIGTERM to the given PIDs, then SIGKILL to those still there after STOP_TIMEOUT.
terminate() {
  local pids=("$@") pid deadline left
  (( ${#pids[@]} )) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  deadline=$(( $(date +%s) + STOP_TIMEOUT ))
  while :; do
    left=()
    for pid in "${pids[@]}"; do ours "$pid" && left+=("$pid"); done
    (( ${#left[@]} )) || return 0
    if (( $(date +%s) >= deadline )); then
      echo "still running after ${STOP_TIMEOUT}s, killing: ${left[*]}"
      kill -KILL "${left[@]}" 2>/dev/null || true
      return 0
    fi
    sleep 0.2
  done
}

cmd_stop() {
  [[ -f $NODES_FILE ]] || { echo "no cluster in $RUN_DIR"; return 0; }
  local name role pid rest gateways=() others=()
  while IFS=$'\t' read -r name role pid rest; do
    ours "$pid" || continue
    if [[ $role == gateway ]]; then gateways+=("$pid"); else others+=("$pid"); fi
  done <"$NODES_FILE"
  stop_nginx
  # Gateways first: they close their sockets with 1001 while the consumers behind them are still there.
  echo "Stopping gateways: ${gateways[*]:-none}"
  terminate "${gateways[@]}"
  echo "Stopping consumers and workers: ${others[*]:-none}"
  terminate "${others[@]}"
  if [[ -f $REDIS_PID_FILE ]]; then
    pid=$(cat "$REDIS_PID_FILE")
    if alive "$pid"; then echo "Stopping redis-server $pid"; kill -TERM "$pid" 2>/dev/null || true; fi
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.1; done
    rm -f "$REDIS_PID_FILE"
  fi
  echo "Stopped cluster '$CLUSTER_NAME'"
}

if [[ ${1:-} != start && -f $NAME_FILE ]]; then CLUSTER_NAME=$(cat "$NAME_FILE"); fi
case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 start|stop|status (configuration: see the top of this script)" >&2; exit 2 ;;
esac
