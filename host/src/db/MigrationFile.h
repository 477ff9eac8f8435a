#pragma once
// One migrations/NNN_name.sql file, read and checksummed.
#include <cstdint>
#include <string>

namespace zt::db {

struct MigrationFile {
    std::int64_t version = 0;  ///< NNN
    std::string name;          ///< the part after NNN_
    std::string fileName;      ///< NNN_name.sql
    std::string path;
    std::string checksum;  ///< SHA-256 hex of the file's bytes
    std::string sql;
};

}  // namespace zt::db
