#!/usr/bin/env bash
# The fault run of issue 21 (docs/store-and-forward.md, "Fault run"): simulated meters -> a forwarding
# `meterhub gateway` (journal on a small tmpfs) -> a Mosquitto of the run's own -> `meterhub engine-intake`
# -> a PostgreSQL of the run's own, while PostgreSQL is restarted every quarter of the run (every 5 min
# in the 20-minute run), the journal's disk is filled and freed, the broker is killed and the gateway is
# killed -9. Reports lost, doubled, last registers, time to resume, heap and RSS; exit 0 only when
# nothing was lost or doubled and every register and consumption is exact.
#
#   scripts/fault-run.sh                          # full run: 1,000 meters every 3 s for 20 min
#   scripts/fault-run.sh --minutes 3 --meters 100 # short run (about 4.5 min, plus the build on first use)
#
# Needs root (it mounts a tmpfs; PostgreSQL runs as `postgres`), the PostgreSQL server binaries
# (/usr/lib/postgresql/*/bin) and mosquitto. The shared servers on 5432/1883 are never touched.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for tool in java mvn mosquitto runuser mount; do
  command -v "$tool" >/dev/null || { echo "fault-run: '$tool' is not installed" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "fault-run: run as root (it mounts a tmpfs for the journal)" >&2; exit 1; }

bench=benchmarks/target/benchmarks.jar
app=app/target/meterhub.jar
stale() {
  [ -f "$bench" ] && [ -f "$app" ] || return 0
  [ -n "$(find . -path ./.git -prune -o -path '*/target' -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$bench" -print -quit)" ]
}
if stale; then
  echo "fault-run: building app and benchmarks (reactor build, nothing installed) ..." >&2
  log="${TMPDIR:-/tmp}/meterhub-fault-run-build.log"
  # MVN_FLAGS=-o builds offline from ~/.m2 (no `mvn install`: the modules come from the reactor).
  mvn -B -q ${MVN_FLAGS:-} -DskipTests -pl app,benchmarks -am package >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; echo "fault-run: build failed; log in $log" >&2; exit 1; }
fi
exec java -Xmx1g -cp "$bench" org.meterhub.benchmarks.faults.FaultRun --jar "$app" "$@"
