#!/usr/bin/env bash
# Makes sure what the integration tests need is installed, running and reachable: PostgreSQL on
# 127.0.0.1:5432 (role meterhub/meterhub with CREATEDB); a second PostgreSQL cluster with TimescaleDB
# preloaded on 127.0.0.1:5433 (scripts/timescaledb.sh: built from the vendored source the first time,
# about 90 s); the Mosquitto binaries (every MQTT test starts its own broker on a free port, so no
# shared broker is started); socat for serial pseudo-terminals; mbpoll and pymodbus; prometheus (and its
# promtool) for the scrape test, which starts its own Prometheus (the package's service is left alone). Installs missing
# Debian packages when run as root.
# Exit code 1 when something cannot be brought up: under CI=true that fails the run.
set -uo pipefail

log() { echo "services: $*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 0.5; done; return 1; }

apt_updated=
install_pkgs() {
  [ $# -gt 0 ] || return 0
  log "installing missing Debian packages: $*"
  if [ -z "$apt_updated" ]; then as_root apt-get update -qq >/dev/null || return 1; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

missing=()
command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
command -v psql >/dev/null || missing+=(postgresql-client)
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v mosquitto_pub >/dev/null || missing+=(mosquitto-clients)
command -v socat >/dev/null || missing+=(socat)
command -v mbpoll >/dev/null || missing+=(mbpoll)
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
/usr/bin/python3 -c "import pymodbus" 2>/dev/null || missing+=(python3-pymodbus)
# prometheus and promtool: the scrape test starts a real Prometheus on a port of its own; promtool checks the rules
{ command -v prometheus >/dev/null && command -v promtool >/dev/null; } || missing+=(prometheus)
# systemd-analyze: OpsFilesTest verifies the units in ops/systemd (the tool only, no systemd is started)
command -v systemd-analyze >/dev/null || missing+=(systemd)
install_pkgs "${missing[@]}" || log "could not install ${missing[*]}"

ok=0
# PostgreSQL
if ! port_open 5432; then
  if command -v pg_ctlcluster >/dev/null; then
    ver=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$ver" ]; then
      ver=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
      as_root pg_createcluster "$ver" main >/dev/null 2>&1 || true
    fi
    log "starting PostgreSQL $ver"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
  fi
  wait_port 5432 || { log "PostgreSQL is not reachable on 127.0.0.1:5432"; ok=1; }
fi
if port_open 5432; then
  # Works whether TCP logins are trusted or need a password: the role has one either way.
  sql="DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='meterhub') THEN
       CREATE ROLE meterhub LOGIN CREATEDB PASSWORD 'meterhub'; END IF; END\$\$;"
  if ! PGPASSWORD=meterhub psql -h 127.0.0.1 -U meterhub -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- psql -qc "$sql" >/dev/null
    else sudo -u postgres psql -qc "$sql" >/dev/null; fi || { log "cannot create role meterhub"; ok=1; }
  fi
fi

# TimescaleDB: installed into the PostgreSQL above (which stays plain: installed, not preloaded) and
# preloaded by a second cluster on 5433.
if port_open 5432; then
  "$(dirname "${BASH_SOURCE[0]}")/timescaledb.sh" || { log "TimescaleDB is not available on 127.0.0.1:5433"; ok=1; }
fi

# Mosquitto: the tests start their own (simulators.mqtt.PrivateMosquitto); the binaries must be there.
for tool in mosquitto_pub mosquitto_sub; do
  command -v "$tool" >/dev/null || { log "$tool is not installed"; ok=1; }
done
command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ] || { log "mosquitto is not installed"; ok=1; }
exit $ok
