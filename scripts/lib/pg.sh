# A private PostgreSQL 15 cluster for the tests and the demo. Source it; do not run it.
#   zt_pg_start   -> initdb in a temp dir (as user postgres), start on a free loopback port,
#                    export ZT_TEST_* (ZT_TEST_PG_PASSWORD: the superuser's password, made
#                    for this run; connections over TCP need it) and PGPASSWORD for psql.
#   zt_pg_stop    -> fast shutdown and removal of the temp dir. Call it from a trap.
# initdb/postgres refuse to run as root, so everything runs through runuser -u postgres.

ZT_PG_BINDIR="${ZT_PG_BINDIR:-/usr/lib/postgresql/15/bin}"

_zt_pg_as_postgres() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

_zt_free_port() {
  python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

zt_pg_start() {
  ZT_PG_DIR="$(mktemp -d /tmp/zt-pg.XXXXXX)"
  chmod 755 "$ZT_PG_DIR"
  mkdir -p "$ZT_PG_DIR/data"
  if [[ $(id -u) -eq 0 ]]; then chown -R postgres:postgres "$ZT_PG_DIR"; fi
  ZT_PG_PORT="$(_zt_free_port)"
  # Password authentication over TCP (scram-sha-256), never trust: with trust any role could log
  # in as any other, and the per-service roles would isolate nothing (docs/DATABASE.md). The
  # superuser's password is made for this run, lives in the environment only, and its file is gone
  # once initdb has read it. The Unix socket (peer) is for the postgres OS user alone.
  ZT_PG_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_hex(24))')"
  (umask 077; printf '%s\n' "$ZT_PG_PASSWORD" >"$ZT_PG_DIR/pwfile")
  if [[ $(id -u) -eq 0 ]]; then chown postgres:postgres "$ZT_PG_DIR/pwfile"; fi
  _zt_pg_as_postgres "$ZT_PG_BINDIR/initdb" -D "$ZT_PG_DIR/data" -U postgres \
    --auth-local=peer --auth-host=scram-sha-256 --pwfile="$ZT_PG_DIR/pwfile" \
    -E UTF8 --locale=C.UTF-8 >"$ZT_PG_DIR/initdb.log" 2>&1 || {
      rm -f "$ZT_PG_DIR/pwfile"; cat "$ZT_PG_DIR/initdb.log" >&2; return 1; }
  rm -f "$ZT_PG_DIR/pwfile"
  ZT_PG_START_CMD="$( [[ $(id -u) -eq 0 ]] && echo 'runuser -u postgres -- ' )$ZT_PG_BINDIR/pg_ctl -D $ZT_PG_DIR/data -o '-p $ZT_PG_PORT -k $ZT_PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off' -l $ZT_PG_DIR/postgres.log -w start"
  ZT_PG_STOP_CMD="$( [[ $(id -u) -eq 0 ]] && echo 'runuser -u postgres -- ' )$ZT_PG_BINDIR/pg_ctl -D $ZT_PG_DIR/data -m fast -w stop"
  eval "$ZT_PG_START_CMD" >/dev/null
  export ZT_PG_DIR ZT_PG_PORT ZT_PG_PASSWORD
  # psql, createdb and pgbench in the scripts read PGPASSWORD.
  export PGPASSWORD="$ZT_PG_PASSWORD"
  # What the suites read. DB_* / DATABASE_URL are what the host reads (docs/CONFIGURATION.md: environment).
  export ZT_TEST_PG_HOST=127.0.0.1 ZT_TEST_PG_PORT="$ZT_PG_PORT" ZT_TEST_PG_USER=postgres
  export ZT_TEST_PG_PASSWORD="$ZT_PG_PASSWORD" ZT_TEST_PG_DATABASE=postgres
  export ZT_TEST_DATABASE_URL="postgresql://postgres:$ZT_PG_PASSWORD@127.0.0.1:$ZT_PG_PORT/postgres"
  export ZT_TEST_PG_START_CMD="$ZT_PG_START_CMD" ZT_TEST_PG_STOP_CMD="$ZT_PG_STOP_CMD"
  zt_log "private PostgreSQL on 127.0.0.1:$ZT_PG_PORT (data in $ZT_PG_DIR)"
}

zt_pg_stop() {
  if [[ -n "${ZT_PG_DIR:-}" && -d "$ZT_PG_DIR" ]]; then
    eval "$ZT_PG_STOP_CMD" >/dev/null 2>&1 || true
    rm -rf "$ZT_PG_DIR"
    # Silent on purpose: ./scripts/test must end with CTest's summary line.
    ZT_PG_DIR=""
  fi
}
