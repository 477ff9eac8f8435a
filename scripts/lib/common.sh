# Shared by scripts/test, scripts/demo, scripts/package, bench/run. Source it; do not run it.
# Installs missing Debian packages and builds the tree with CMake.
set -euo pipefail

ZT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ZT_BUILD_DIR="${ZT_BUILD_DIR:-$ZT_ROOT/build}"
ZT_JOBS="${ZT_JOBS:-$(nproc)}"

# Debian 12 packages the build, the tests and the demo need.
ZT_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates curl
  libpoco-dev libcppunit-dev libssl-dev libpq-dev nlohmann-json3-dev libgoogle-perftools-dev
  postgresql-15 postgresql-client-15
  python3 python3-jwt
  dpkg-dev rpm rpmlint lintian fakeroot man-db
  prometheus libsystemd-dev
)

zt_log() { printf '[zintrust] %s\n' "$*" >&2; }

# zt_node_tools: Node.js and npm (Debian's, when the machine has none: NodeSource ships both),
# then `npm ci` in tests/openapi (the OpenAPI 3.1 validator the e2e suite runs), again only when
# its lock file changed. Idempotent.
zt_node_tools() {
  local extra=()
  command -v node >/dev/null || extra+=(nodejs)
  command -v npm >/dev/null || extra+=(npm)
  ((${#extra[@]} == 0)) || zt_install_packages "${extra[@]}"
  local dir="$ZT_ROOT/tests/openapi"
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$dir/node_modules" ]]; then
    zt_log "npm ci in tests/openapi"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && touch node_modules)
  fi
}

# zt_install_packages [extra packages...]: apt-get install only what is missing (idempotent).
zt_install_packages() {
  local missing=() pkg
  for pkg in "${ZT_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) -ne 0 ]]; then
      zt_log "missing packages: ${missing[*]} (run as root, or install them with apt-get)"
      return 1
    fi
    zt_log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

zt_configure() {
  cmake -S "$ZT_ROOT" -B "$ZT_BUILD_DIR" -DCMAKE_BUILD_TYPE="${ZT_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
}

# zt_build [extra cmake args...]: configure (once) and build everything with -j$ZT_JOBS.
zt_build() {
  zt_configure "$@"
  cmake --build "$ZT_BUILD_DIR" -j"$ZT_JOBS"
}

# zt_build_quietly LOG TARGET...: configure (with the cmake arguments in the array
# ZT_CONFIGURE_ARGS, when set), then build only TARGETs with -j$ZT_JOBS, the compiler's output in
# LOG and one progress line on the terminal; on failure the end of LOG is shown.
zt_build_quietly() {
  local log="$1" line percent status
  [[ -v ZT_CONFIGURE_ARGS ]] || local ZT_CONFIGURE_ARGS=()
  shift
  mkdir -p "$(dirname "$log")"
  zt_configure "${ZT_CONFIGURE_ARGS[@]}" >"$log" 2>&1 || { tail -n 40 "$log" >&2; return 1; }
  set +e
  cmake --build "$ZT_BUILD_DIR" -j"$ZT_JOBS" --target "$@" 2>&1 | tee -a "$log" | while IFS= read -r line; do
    if [[ $line =~ ^\[\ *([0-9]+)%\] ]]; then
      percent="${BASH_REMATCH[1]}"
      [[ -t 2 ]] && printf '\r[zintrust] building %s ... %3s%%' "$*" "$percent" >&2
    fi
  done
  status="${PIPESTATUS[0]}"
  set -e
  [[ -t 2 ]] && printf '\r\033[K' >&2
  if [[ $status -ne 0 ]]; then
    tail -n 40 "$log" >&2
    zt_log "build failed (whole output: $log)"
    return 1
  fi
  zt_log "built $* (compiler output: $log)"
}
