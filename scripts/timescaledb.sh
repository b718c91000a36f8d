#!/usr/bin/env bash
# Builds and installs TimescaleDB into the local PostgreSQL, then creates and starts a second
# PostgreSQL cluster with it preloaded, for the TimescaleDB tests and benchmarks:
#
#   scripts/timescaledb.sh [SOURCE]
#
# SOURCE is a release tarball (a path or an http(s) URL); the default is the vendored
# ../shared/vendor/timescaledb-2.28.3.tar.gz beside the repository. The version is taken from the
# tarball's name (timescaledb-X.Y.Z.tar.gz). The build is skipped when that version is already
# installed (timescaledb.control and timescaledb-X.Y.Z.so in the server's directories).
#
# The cluster: PostgreSQL <major> "timescale" on 127.0.0.1:5433 (TSDB_PORT), with
# shared_preload_libraries = 'timescaledb', trust authentication on 127.0.0.1 and the role
# meterhub/meterhub (LOGIN CREATEDB). The main cluster on 5432 is left as it is: with the files
# installed but not preloaded, which is what the plain-PostgreSQL tests expect.
#
# Installs missing Debian build dependencies (cmake, postgresql-server-dev-<major>, libssl-dev,
# libkrb5-dev, gcc, make) when run as root or with sudo. Exit code 1 when TimescaleDB cannot be
# installed or the cluster cannot be brought up.
set -uo pipefail

log() { echo "timescaledb: $*" >&2; }
die() { log "$*"; exit 1; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 120); do port_open "$1" && return 0; sleep 0.5; done; return 1; }

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source=${1:-$repo/../shared/vendor/timescaledb-2.28.3.tar.gz}
port=${TSDB_PORT:-5433}
cluster=${TSDB_CLUSTER:-timescale}

version=$(basename "$source" | sed -nE 's/^timescaledb-([0-9]+\.[0-9]+\.[0-9]+)\.tar\.gz$/\1/p')
[ -n "$version" ] || die "cannot tell the version from '$source' (expected timescaledb-X.Y.Z.tar.gz)"

command -v pg_ctlcluster >/dev/null || die "PostgreSQL is not installed (run scripts/services.sh first)"
major=$(ls /usr/lib/postgresql 2>/dev/null | sort -V | tail -n 1)
[ -n "$major" ] || die "no PostgreSQL server under /usr/lib/postgresql"
pg_config=/usr/lib/postgresql/$major/bin/pg_config

# The server's directories; Debian's layout when the dev package (pg_config) is not installed.
sharedir() { if [ -x "$pg_config" ]; then "$pg_config" --sharedir; else echo "/usr/share/postgresql/$major"; fi; }
pkglibdir() { if [ -x "$pg_config" ]; then "$pg_config" --pkglibdir; else echo "/usr/lib/postgresql/$major/lib"; fi; }
installed() {
  local control
  control="$(sharedir)/extension/timescaledb.control"
  [ -f "$control" ] && grep -q "default_version = '$version'" "$control" \
    && [ -f "$(pkglibdir)/timescaledb-$version.so" ]
}

build() {
  local missing=() p
  for p in cmake make gcc libssl-dev libkrb5-dev "postgresql-server-dev-$major"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing build dependencies: ${missing[*]}"
    as_root apt-get update -qq >/dev/null || die "apt-get update failed"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
      || die "cannot install ${missing[*]}"
  fi
  local tarball
  work=$(mktemp -d /tmp/timescaledb-build.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  tarball=$source
  if [[ $source == http://* || $source == https://* ]]; then
    tarball=$work/$(basename "$source")
    log "downloading $source"
    if command -v curl >/dev/null; then curl -fsSL -o "$tarball" "$source"
    else wget -q -O "$tarball" "$source"; fi || die "cannot download $source"
  fi
  [ -f "$tarball" ] || die "no such file: $tarball"
  tar -xzf "$tarball" -C "$work" || die "cannot unpack $tarball"
  local src=$work/timescaledb-$version start=$SECONDS
  [ -d "$src" ] || die "$tarball does not hold timescaledb-$version/"
  log "building TimescaleDB $version for PostgreSQL $major (takes about 2 minutes on 2 cores)"
  (cd "$src" && BUILD_FORCE_REMOVE=true ./bootstrap -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF \
      -DWARNINGS_AS_ERRORS=OFF -DSEND_TELEMETRY_DEFAULT=OFF -DCMAKE_BUILD_TYPE=Release \
      -DPG_CONFIG="$pg_config" >"$work/bootstrap.log" 2>&1) \
    || { tail -n 30 "$work/bootstrap.log" >&2; die "bootstrap failed"; }
  (cd "$src/build" && make -j"${TSDB_JOBS:-2}" >"$work/make.log" 2>&1) \
    || { tail -n 30 "$work/make.log" >&2; die "make failed"; }
  (cd "$src/build" && as_root make install >"$work/install.log" 2>&1) \
    || { tail -n 30 "$work/install.log" >&2; die "make install failed"; }
  log "built and installed TimescaleDB $version in $((SECONDS - start)) s"
}

if installed; then
  log "TimescaleDB $version is installed; not building"
else
  build
  installed || die "TimescaleDB $version is still not installed after the build"
fi

# The second cluster, TimescaleDB preloaded.
conf=/etc/postgresql/$major/$cluster
if [ ! -f "$conf/postgresql.conf" ]; then
  log "creating PostgreSQL $major cluster '$cluster' on port $port"
  as_root pg_createcluster "$major" "$cluster" -p "$port" >/dev/null || die "pg_createcluster failed"
fi
as_root tee "$conf/conf.d/meterhub-timescaledb.conf" >/dev/null <<EOF || die "cannot write $conf/conf.d"
# Written by meterhub scripts/timescaledb.sh
port = $port
listen_addresses = '127.0.0.1'
shared_preload_libraries = 'timescaledb'
timescaledb.telemetry_level = off
max_worker_processes = 16
timescaledb.max_background_workers = 8
EOF
if ! grep -q '^# meterhub: trust 127.0.0.1' "$conf/pg_hba.conf"; then
  as_root sed -i '1i # meterhub: trust 127.0.0.1\nhost all all 127.0.0.1/32 trust' "$conf/pg_hba.conf" \
    || die "cannot edit $conf/pg_hba.conf"
fi

preloaded() { as_postgres psql -p "$port" -Atqc 'show shared_preload_libraries' 2>/dev/null | grep -q timescaledb; }
if port_open "$port" && ! preloaded; then
  log "restarting cluster '$cluster' to preload TimescaleDB"
  as_root pg_ctlcluster --skip-systemctl-redirect "$major" "$cluster" restart || die "restart failed"
fi
if ! port_open "$port"; then
  log "starting PostgreSQL $major cluster '$cluster' on port $port"
  as_root pg_ctlcluster --skip-systemctl-redirect "$major" "$cluster" start || die "cannot start cluster '$cluster'"
  wait_port "$port" || die "cluster '$cluster' is not reachable on 127.0.0.1:$port"
fi
sql="DO \$\$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname='meterhub') THEN
     CREATE ROLE meterhub LOGIN CREATEDB PASSWORD 'meterhub'; END IF; END\$\$;"
as_postgres psql -p "$port" -qc "$sql" >/dev/null || die "cannot create role meterhub on port $port"
psql -h 127.0.0.1 -p "$port" -U meterhub -d postgres -Atqc 'select 1' >/dev/null 2>&1 \
  || die "role meterhub cannot log in on 127.0.0.1:$port"
preloaded || die "TimescaleDB is not preloaded on 127.0.0.1:$port (see $conf)"
log "TimescaleDB $version is preloaded on 127.0.0.1:$port (cluster $major/$cluster)"
