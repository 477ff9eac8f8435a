#pragma once
// Applies a service's migrations/NNN_name.sql files (docs/CONFIGURATION.md: migrations).
//  - numeric order of NNN; file names not matching NNN_name.sql, or two files with one NNN, are errors;
//  - each file in its own transaction with search_path = the service schema, recorded in
//    "<schema>".schema_migrations(version, name, checksum, applied_at) in the same transaction;
//  - already-recorded versions are skipped; a recorded file whose checksum changed is an error
//    naming it (editing an applied migration never silently diverges databases);
//  - the whole run holds pg_advisory_lock(hashtextextended('zintrust.migrations:<schema>', 0)) so
//    two hosts starting together apply each file exactly once (the second waits, then skips);
//  - a failing file throws MigrationError naming it and PostgreSQL's message; earlier files stay
//    applied (they committed), later ones are not attempted.
// A file runs inside a transaction, so it cannot use statements that refuse one
// (CREATE INDEX CONCURRENTLY, CREATE DATABASE, VACUUM).
#include <string>
#include <vector>

#include "db/ConnectionPool.h"
#include "db/MigrationFile.h"

namespace zt::db {

struct MigrationReport {
    std::vector<std::string> applied;  ///< file names applied by this run, in order
    std::vector<std::string> skipped;  ///< file names already recorded
};

class MigrationRunner {
public:
    MigrationRunner(ConnectionPool& pool, std::string schema, std::string directory);

    /// The directory's migration files in version order (empty when the directory does not exist).
    std::vector<MigrationFile> discover() const;
    MigrationReport run();

private:
    ConnectionPool& pool_;
    std::string schema_;
    std::string directory_;
};

}  // namespace zt::db
