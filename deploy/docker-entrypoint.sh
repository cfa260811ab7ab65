#!/bin/sh
# Container entrypoint: java -jar switchboard.jar "$@", with the cluster bound to this container's
# address (hostname -i) unless SWITCHBOARD_CLUSTER_HOST is set (Kubernetes sets it to the pod IP).
set -e
if [ -z "${SWITCHBOARD_CLUSTER_HOST:-}" ]; then
  SWITCHBOARD_CLUSTER_HOST="$(hostname -i | awk '{print $1}')"
  export SWITCHBOARD_CLUSTER_HOST
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
exec java $JAVA_OPTS -jar /app/switchboard.jar "$@"
