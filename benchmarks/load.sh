#!/usr/bin/env bash
# The scale load tool (dev.presence.benchmarks.load.LoadTool): real WebSocket clients against the
# demo in a JVM of its own, on loopback. Every scenario is bounded in count and time and stops by
# itself (timeout=SECONDS, default 1800). See docs/benchmarks.md, "Scale".
#
#   benchmarks/load.sh storm  users=2000 spread=10s windows=0,1s
#   benchmarks/load.sh room   members=2000 flappers=50 duration=20s windows=0,1s
#   benchmarks/load.sh steady users=9000 hold=30s
#   benchmarks/load.sh crash  users=2000
#   benchmarks/load.sh smoke
#
# Build first: mvn -B -pl benchmarks -am package -DskipTests
#
# Open files: every connection costs one descriptor in the load tool and one in the demo (both
# processes inherit this shell's limit). The script raises the soft limit to the hard limit; to go
# further raise the hard limit first (as root: `ulimit -Hn 1048576` in this shell, or
# `prlimit --pid $$ --nofile=1048576:1048576`, or `nofile` in /etc/security/limits.conf), and keep
# /proc/sys/fs/file-max and the ephemeral port range (/proc/sys/net/ipv4/ip_local_port_range,
# about 28,000 ports towards one server port) above the connection count.
set -euo pipefail
cd "$(dirname "$0")/.."
hard=$(ulimit -Hn)
ulimit -n "$hard"
echo "open files: $(ulimit -n) (hard $hard); ephemeral ports: $(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo ?)" >&2
exec java -Xmx${LOAD_HEAP:-4g} -cp benchmarks/target/benchmarks.jar dev.presence.benchmarks.load.LoadTool "$@"
