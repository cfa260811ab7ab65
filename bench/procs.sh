# Sourced by the bench scripts: the PIDs a script starts go into STARTED; on exit each is stopped (TERM, KILL after
# 15 s), newest first, and nothing else; log writes to stderr.
STARTED=()
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
cleanup() { local i; for ((i=${#STARTED[@]}-1; i>=0; i--)); do stop_pid "${STARTED[$i]}"; done; STARTED=(); }
trap cleanup EXIT
log() { echo "== $*" >&2; }
