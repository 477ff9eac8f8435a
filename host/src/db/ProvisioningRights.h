#pragma once
// What the provisioning credentials (DATABASE_URL / DB_*) may do, read from the server, and what
// a service would need that they lack (docs/DATABASE.md: the provisioning role). Used before
// provisioning a service at start and by --check-config.
#include <string>
#include <vector>

#include "db/AdapterConfig.h"

namespace zt::db {

class Connection;

struct ProvisioningRights {
    std::string user;      ///< current_user of the provisioning connection
    std::string database;  ///< DB_DATABASE, where it is connected
    bool superuser = false;
    bool createRole = false;    ///< CREATEROLE: make and repair the service roles
    bool createDb = false;      ///< CREATEDB: isolated databases
    bool ownsDatabase = false;  ///< owner of DB_DATABASE (or a member of its owner): its CONNECT grants

    /// One round trip on `admin` (connected to DB_DATABASE with the provisioning credentials).
    static ProvisioningRights read(Connection& admin);

    /// Every privilege `service` needs that these rights lack, each as "<privilege> (<why>)",
    /// empty when none is missing.
    std::vector<std::string> missingFor(const AdapterConfig& service) const;
    /// The SQL a superuser runs to grant what missingFor() lists ("" when nothing is missing).
    std::string grantSqlFor(const AdapterConfig& service) const;
    /// "the provisioning role 'u' lacks A, B; as a superuser run: SQL" or "" when nothing is missing.
    std::string problemFor(const AdapterConfig& service) const;
};

}  // namespace zt::db
