#include "db/ProvisioningRights.h"

#include "db/Connection.h"
#include "db/SqlCompiler.h"

namespace zt::db {

ProvisioningRights ProvisioningRights::read(Connection& admin) {
    auto r = admin.executeStateless(
        "SELECT current_user::text, current_database()::text, r.rolsuper, r.rolcreaterole, r.rolcreatedb, "
        "pg_has_role(current_user, d.datdba, 'USAGE') "
        "FROM pg_roles r, pg_database d WHERE r.rolname = current_user AND d.datname = current_database()");
    const auto& row = r.front();
    ProvisioningRights p;
    p.user = row[0].asString();
    p.database = row[1].asString();
    p.superuser = row[2].asBool();
    p.createRole = p.superuser || row[3].asBool();
    p.createDb = p.superuser || row[4].asBool();
    p.ownsDatabase = p.superuser || row[5].asBool();
    return p;
}

std::vector<std::string> ProvisioningRights::missingFor(const AdapterConfig& service) const {
    std::vector<std::string> missing;
    if (!createRole) missing.push_back("CREATEROLE (to create the login role '" + service.role + "')");
    if (service.isolation == "isolated" && !createDb)
        missing.push_back("CREATEDB (to create the isolated database '" + service.database + "')");
    if (!ownsDatabase)
        missing.push_back("ownership of database '" + database +
                          "' (to create the service's schema and keep other roles from connecting)");
    return missing;
}

std::string ProvisioningRights::grantSqlFor(const AdapterConfig& service) const {
    const std::string who = SqlCompiler::quoteIdentifier(user, "role");
    std::string attributes;
    if (!createRole) attributes += " CREATEROLE";
    if (service.isolation == "isolated" && !createDb) attributes += " CREATEDB";
    std::string sql;
    if (!attributes.empty()) sql += "ALTER ROLE " + who + attributes + ";";
    if (!ownsDatabase) {
        if (!sql.empty()) sql += " ";
        sql += "ALTER DATABASE " + SqlCompiler::quoteIdentifier(database, "database") + " OWNER TO " + who + ";";
    }
    return sql;
}

std::string ProvisioningRights::problemFor(const AdapterConfig& service) const {
    auto missing = missingFor(service);
    if (missing.empty()) return {};
    std::string text = "the provisioning role '" + user + "' lacks ";
    for (std::size_t i = 0; i < missing.size(); ++i) text += (i ? ", " : "") + missing[i];
    return text + "; as a superuser run: " + grantSqlFor(service);
}

}  // namespace zt::db
