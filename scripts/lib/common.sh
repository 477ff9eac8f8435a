# Shared by scripts/test, scripts/demo, scripts/package, bench/run. Source it; do not run it.
# Installs missing Debian packages and builds the tree with CMake.
set -euo pipefail

ZT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ZT_BUILD_DIR="${ZT_BUILD_DIR:-$ZT_ROOT/build}"
ZT_JOBS="${ZT_JOBS:-2}"

# Debian 12 packages the build, the tests and the demo need.
ZT_PACKAGES=(
  build-essential cmake pkg-config git ca-certificates curl
  libpoco-dev libcppunit-dev libssl-dev libpq-dev nlohmann-json3-dev libgoogle-perftools-dev
  postgresql-15 postgresql-client-15
  python3 python3-jwt
  dpkg-dev rpm lintian fakeroot
)

zt_log() { printf '[zintrust] %s\n' "$*" >&2; }

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

# zt_build [extra cmake args...]: configure (once) and build with -j$ZT_JOBS.
zt_build() {
  cmake -S "$ZT_ROOT" -B "$ZT_BUILD_DIR" -DCMAKE_BUILD_TYPE="${ZT_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
  cmake --build "$ZT_BUILD_DIR" -j"$ZT_JOBS"
}
