#pragma once
// Gives one service its own PostgreSQL identity before its pool connects (docs/DATABASE.md: roles):
//  - a login role (AdapterConfig::role) with NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
//    NOBYPASSRLS, its password set from the host's in-memory password (a SCRAM verifier made on
//    the client) unless the operator manages it (SERVICE_DB_PASSWORD_<NAME>);
//  - member of no role; no other service role is a member of it;
//  - shared: CONNECT on DB_DATABASE, owner of its schema there; isolated: owner of its own
//    database, no CONNECT on DB_DATABASE. PUBLIC loses CONNECT/TEMPORARY on both and CREATE on
//    DB_DATABASE's public schema; PUBLIC and the other service roles lose every right on the
//    service's schema;
//  - an existing role, database or schema is reused and repaired: attributes, memberships,
//    ownership of the schema and of every table, view, sequence, function, enum and domain in it
//    (a schema made by an older host as the provisioning user becomes the service's).
// Everything runs on short-lived connections with the provisioning credentials (DATABASE_URL /
// DB_*), which need CREATEROLE, CREATEDB (isolated services) and ownership of DB_DATABASE, not
// superuser. Hosts that provision at the same moment are serialised by an advisory lock on
// DB_DATABASE. Stateless apart from its settings: safe to call from any thread.
#include <string>
#include <vector>

#include "db/AdapterConfig.h"
#include "db/ConnectionSettings.h"

namespace zt::db {

class Connection;
struct ProvisioningRights;

class RoleProvisioner {
public:
    /// `provisioning`: DB_DATABASE with the provisioning credentials. `serviceRoles`: the role of
    /// every service of the services folder (loaded here or not), kept out of each other's schemas.
    RoleProvisioner(ConnectionSettings provisioning, std::vector<std::string> serviceRoles);

    /// Idempotent. Throws ProvisioningError when the provisioning role lacks a privilege (the
    /// message names it and the SQL that grants it) or the role has attributes only a superuser
    /// can take away; DatabaseUnavailableError when the server cannot be reached; QueryError for
    /// any other refusal (the server's message, never a password).
    void provision(const AdapterConfig& service) const;

private:
    void provisionRole(Connection& admin, const ProvisioningRights& rights, const AdapterConfig& service) const;
    void provisionDatabase(Connection& admin, const ProvisioningRights& rights, const AdapterConfig& service) const;
    void provisionSchema(Connection& conn, const AdapterConfig& service) const;
    /// "{a,b}": the other service roles, as a text[] parameter (identifiers need no escaping).
    std::string otherRolesArray(const std::string& self) const;

    ConnectionSettings provisioning_;
    std::vector<std::string> serviceRoles_;
};

}  // namespace zt::db
