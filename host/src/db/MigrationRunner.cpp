#include "db/MigrationRunner.h"

#include <Poco/DigestEngine.h>
#include <Poco/DirectoryIterator.h>
#include <Poco/File.h>
#include <Poco/SHA2Engine.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "db/DatabaseErrors.h"
#include "db/SqlCompiler.h"

namespace zt::db {

namespace {

std::string readFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw MigrationError("migration " + path + ": cannot read the file");
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string sha256Hex(const std::string& bytes) {
    Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
    engine.update(bytes);
    return Poco::DigestEngine::digestToHex(engine.digest());
}

}  // namespace

MigrationRunner::MigrationRunner(ConnectionPool& pool, std::string schema, std::string directory)
    : pool_(pool), schema_(std::move(schema)), directory_(std::move(directory)) {
    SqlCompiler::quoteIdentifier(schema_, "schema");  // validate early
}

std::vector<MigrationFile> MigrationRunner::discover() const {
    std::vector<MigrationFile> files;
    Poco::File dir(directory_);
    if (!dir.exists() || !dir.isDirectory()) return files;
    static const std::regex pattern(R"(^([0-9]+)_([A-Za-z0-9_.-]+)\.sql$)");
    std::map<std::int64_t, std::string> seen;
    for (Poco::DirectoryIterator it(dir), end; it != end; ++it) {
        const std::string fileName = it.name();
        if (!it->isFile()) continue;
        if (fileName.size() < 4 || fileName.compare(fileName.size() - 4, 4, ".sql") != 0) continue;  // README etc.
        std::smatch m;
        if (!std::regex_match(fileName, m, pattern))
            throw MigrationError("migration " + it->path() + ": name must be NNN_name.sql");
        MigrationFile f;
        try {
            f.version = std::stoll(m[1].str());
        } catch (const std::exception&) {
            throw MigrationError("migration " + it->path() + ": version number too large");
        }
        if (auto dup = seen.find(f.version); dup != seen.end())
            throw MigrationError("migrations " + dup->second + " and " + fileName + " share version " +
                                 std::to_string(f.version) + " in " + directory_);
        seen.emplace(f.version, fileName);
        f.name = m[2].str();
        f.fileName = fileName;
        f.path = it->path();
        f.sql = readFile(f.path);
        f.checksum = sha256Hex(f.sql);
        files.push_back(std::move(f));
    }
    std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
    return files;
}

MigrationReport MigrationRunner::run() {
    MigrationReport report;
    const auto files = discover();
    if (files.empty()) return report;

    const std::string schema = SqlCompiler::quoteIdentifier(schema_, "schema");
    const std::string table = schema + ".\"schema_migrations\"";
    const std::vector<Value> lockKey{Value::text("zintrust.migrations:" + schema_)};
    auto lease = pool_.acquire();
    Connection& conn = *lease;
    // Session-level lock: held across the per-file transactions; a second host blocks here, then sees
    // everything recorded. Released below, and by DISCARD ALL / disconnect if we never get there.
    conn.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", lockKey);
    try {
        // The host provisions the schema before migrations run (RoleProvisioner), and a service's
        // role may not create schemas at all: PostgreSQL checks that right before IF NOT EXISTS.
        if (conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = $1", {Value::text(schema_)}).empty())
            conn.executeScript("CREATE SCHEMA IF NOT EXISTS " + schema);
        conn.executeScript("CREATE TABLE IF NOT EXISTS " + table +
                           " (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                           " applied_at timestamptz NOT NULL DEFAULT now())");
        std::map<std::int64_t, std::pair<std::string, std::string>> applied;  // version -> name, checksum
        const auto recorded = conn.execute("SELECT version, name, checksum FROM " + table);  // keep alive
        for (const auto& row : recorded.rows()) applied[row[0].asInt64()] = {row[1].asString(), row[2].asString()};

        for (const auto& f : files) {
            if (auto it = applied.find(f.version); it != applied.end()) {
                if (it->second.second != f.checksum)
                    throw MigrationError("migration " + f.path + " was changed after it was applied to schema " +
                                         schema_ + " (recorded checksum " + it->second.second.substr(0, 12) +
                                         "..., file " + f.checksum.substr(0, 12) + "...); add a new migration instead");
                report.skipped.push_back(f.fileName);
                continue;
            }
            try {
                conn.executeScript("BEGIN; SET LOCAL search_path TO " + schema);
                conn.executeScript(f.sql);
                conn.execute("INSERT INTO " + table + " (version, name, checksum) VALUES ($1, $2, $3)",
                             {Value::integer(f.version), Value::text(f.name), Value::text(f.checksum)});
                conn.executeScript("COMMIT");
            } catch (const DatabaseError& e) {
                conn.rollbackQuietly();
                throw MigrationError("migration " + f.path + " failed (schema " + schema_ + "): " + e.message(),
                                     e.sqlState());
            }
            report.applied.push_back(f.fileName);
        }
    } catch (...) {
        conn.rollbackQuietly();
        try {
            if (conn.isUsable()) conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", lockKey);
        } catch (...) {
        }
        throw;
    }
    conn.execute("SELECT pg_advisory_unlock(hashtextextended($1, 0))", lockKey);
    return report;
}

}  // namespace zt::db
