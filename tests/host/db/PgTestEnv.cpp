#include "PgTestEnv.h"

#include <cppunit/extensions/HelperMacros.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <optional>

namespace zt::db::test {

namespace {

std::string required(const char* name) {
    const char* v = std::getenv(name);
    if (!v || !*v)
        CPPUNIT_FAIL(std::string(name) +
                     " is not set: the db suite needs the private PostgreSQL; run ./scripts/test "
                     "(it starts one and exports ZT_TEST_PG_*)");
    return v;
}

}  // namespace

const PgTestEnv& PgTestEnv::get() {
    static std::optional<PgTestEnv> env;
    if (!env) {
        PgTestEnv e;
        e.host = required("ZT_TEST_PG_HOST");
        e.port = std::stoi(required("ZT_TEST_PG_PORT"));
        e.user = required("ZT_TEST_PG_USER");
        e.password = required("ZT_TEST_PG_PASSWORD");
        e.database = required("ZT_TEST_PG_DATABASE");
        e.stopCommand = required("ZT_TEST_PG_STOP_CMD");
        e.startCommand = required("ZT_TEST_PG_START_CMD");
        env = e;
    }
    return *env;
}

config::DatabaseSettings PgTestEnv::settings(int poolMax, int idleTimeoutMs, int connectionTimeoutMs) const {
    config::DatabaseSettings s;
    s.host = host;
    s.port = port;
    s.database = database;
    s.username = user;
    s.password = password;
    s.poolMax = poolMax;
    s.poolIdleTimeoutMs = idleTimeoutMs;
    s.poolConnectionTimeoutMs = connectionTimeoutMs;
    return s;
}

PoolOptions PgTestEnv::poolOptions(int poolMax, int idleTimeoutMs, int connectionTimeoutMs) const {
    return PoolOptions::fromDatabaseSettings(settings(poolMax, idleTimeoutMs, connectionTimeoutMs));
}

std::string PgTestEnv::uniqueName(const std::string& prefix) {
    static std::atomic<int> counter{0};
    return prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
}

void PgTestEnv::shell(const std::string& command) {
    int rc = std::system((command + " >/dev/null 2>&1").c_str());
    if (rc != 0) CPPUNIT_FAIL("command failed (" + std::to_string(rc) + "): " + command);
}

}  // namespace zt::db::test
