#pragma once
// The private PostgreSQL that ./scripts/test starts (scripts/lib/pg.sh exports ZT_TEST_PG_*).
// Missing variables FAIL the test (never skip): a green db suite must mean the database was used.
#include <string>

#include "config/EnvConfig.h"
#include "db/ConnectionPool.h"
#include "db/PoolOptions.h"

namespace zt::db::test {

struct PgTestEnv {
    std::string host;
    int port = 0;
    std::string user;
    std::string password;  ///< ZT_TEST_PG_PASSWORD (the cluster uses scram-sha-256)
    std::string database;
    std::string stopCommand;
    std::string startCommand;

    /// Reads the variables once; CPPUNIT_FAILs naming ./scripts/test when one is missing.
    static const PgTestEnv& get();

    config::DatabaseSettings settings(int poolMax = 5, int idleTimeoutMs = 30000, int connectionTimeoutMs = 2000) const;
    PoolOptions poolOptions(int poolMax = 5, int idleTimeoutMs = 30000, int connectionTimeoutMs = 2000) const;

    /// "<prefix>_<pid>_<n>": unique per run and per call, a valid identifier.
    static std::string uniqueName(const std::string& prefix);
    /// Runs a shell command; CPPUNIT_FAILs when it exits non-zero.
    static void shell(const std::string& command);
};

}  // namespace zt::db::test
