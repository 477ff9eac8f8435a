#include "db/AdapterConfig.h"

#include "db/DatabaseErrors.h"
#include "db/SqlCompiler.h"

namespace zt::db {

AdapterConfig AdapterConfig::forService(const config::DatabaseSettings& settings, const config::ServiceConfig& service,
                                        bool useRawQuery) {
    AdapterConfig c;
    c.serviceName = service.name;
    c.domain = service.domain;
    c.schema = service.schemaName();
    c.role = service.roleName();
    c.isolation = service.database.isolation.empty() ? settings.defaultIsolation : service.database.isolation;
    c.allowRawQuery = useRawQuery;
    c.migrations = service.database.migrations;
    c.migrationsDirectory = service.directory.empty() ? std::string("migrations") : service.directory + "/migrations";
    const std::string where = "service '" + service.name + "': ";
    if (c.isolation == "shared") {
        c.database = settings.database;
    } else if (c.isolation == "isolated") {
        c.database = settings.database + "_" + service.name;
        if (!SqlCompiler::isValidIdentifier(c.database))
            throw DatabaseError(where + "isolated database name '" + c.database +
                                "' is not a valid identifier (^[A-Za-z_][A-Za-z0-9_]{0,62}$)");
    } else {
        throw DatabaseError(where + "database.isolation must be 'shared' or 'isolated', got '" + c.isolation + "'");
    }
    if (!SqlCompiler::isValidIdentifier(c.schema))
        throw DatabaseError(where + "schema name '" + c.schema +
                            "' is not a valid identifier (^[A-Za-z_][A-Za-z0-9_]{0,62}$)");
    if (!SqlCompiler::isValidIdentifier(c.role))
        throw DatabaseError(where + "role name '" + c.role +
                            "' is not a valid identifier (^[A-Za-z_][A-Za-z0-9_]{0,62}$)");
    if (c.role == settings.username)
        throw DatabaseError(
            where + "database.role '" + c.role +
            "' is the provisioning user (DB_USERNAME / DATABASE_URL); a service needs a role of its own");
    return c;
}

}  // namespace zt::db
