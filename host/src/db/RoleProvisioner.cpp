#include "db/RoleProvisioner.h"

#include "db/Connection.h"
#include "db/DatabaseErrors.h"
#include "db/ProvisioningRights.h"
#include "db/SqlCompiler.h"

namespace zt::db {

namespace {

std::string q(const std::string& identifier) { return SqlCompiler::quoteIdentifier(identifier, "identifier"); }

/// Runs one step; a refusal by the server becomes a ProvisioningError naming the service and the
/// step (the SQL itself is never in the message: it may carry a password verifier).
template <class Fn>
auto step(const AdapterConfig& service, const std::string& what, Fn&& fn) -> decltype(fn()) {
    try {
        return fn();
    } catch (const ConnectionLostError&) {
        throw;
    } catch (const DatabaseUnavailableError&) {
        throw;
    } catch (const ProvisioningError&) {
        throw;
    } catch (const DatabaseError& e) {
        throw ProvisioningError("service " + service.serviceName + ": " + what + ": " + e.message(), e.sqlState());
    }
}

bool isDuplicate(const DatabaseError& e) {
    // 42710 duplicate_object (role), 42P04 duplicate_database, 42P06 duplicate_schema, or 23505
    // when another session's CREATE won the race on the catalog's unique index.
    const auto& s = e.sqlState();
    return s == "42710" || s == "42P04" || s == "42P06" || s == "23505";
}

/// The comment that marks a role as a service's own (RoleProvisioner adopts no other).
constexpr const char* kServiceRoleMarker = "zintrust-host service role";

/// One advisory-lock key for every host provisioning on this database.
constexpr const char* kLockSql = "SELECT pg_advisory_lock(hashtext('zintrust-host: provisioning'))";

}  // namespace

RoleProvisioner::RoleProvisioner(ConnectionSettings provisioning, std::vector<std::string> serviceRoles)
    : provisioning_(std::move(provisioning)), serviceRoles_(std::move(serviceRoles)) {}

std::string RoleProvisioner::otherRolesArray(const std::string& self) const {
    std::string out = "{";
    bool first = true;
    for (const auto& r : serviceRoles_) {
        if (r == self || !SqlCompiler::isValidIdentifier(r)) continue;
        if (!first) out += ',';
        first = false;
        out += '"' + r + '"';
    }
    return out + "}";
}

void RoleProvisioner::provision(const AdapterConfig& service) const {
    Connection admin(provisioning_);
    // Bounded: a host stuck while holding the lock must not stall every other start for ever.
    step(service, "waiting for another host's provisioning", [&] {
        admin.executeScript("SET lock_timeout = '30s'; SET statement_timeout = '60s'", true);
        admin.executeStateless(kLockSql);
    });
    auto rights =
        step(service, "reading the provisioning role's rights", [&] { return ProvisioningRights::read(admin); });
    if (auto problem = rights.problemFor(service); !problem.empty())
        throw ProvisioningError("service " + service.serviceName + ": " + problem);
    provisionRole(admin, rights, service);
    provisionDatabase(admin, rights, service);
    if (service.isolation == "isolated") {
        Connection own(provisioning_.withDatabase(service.database));
        own.executeScript("SET statement_timeout = '60s'", true);
        provisionSchema(own, service);
    } else {
        provisionSchema(admin, service);
    }
    // The advisory lock ends with the admin connection.
}

void RoleProvisioner::provisionRole(Connection& admin, const ProvisioningRights& rights,
                                    const AdapterConfig& service) const {
    const std::string role = q(service.role);
    const auto roleParam = std::vector<Value>{Value::text(service.role)};
    auto readRole = [&] {
        return admin.executeStateless(
            "SELECT rolsuper, rolreplication, rolbypassrls, coalesce(shobj_description(oid, 'pg_authid'), '') "
            "FROM pg_roles WHERE rolname = $1",
            roleParam);
    };
    auto existing = step(service, "reading role '" + service.role + "'", readRole);
    bool created = false;
    if (existing.empty()) {
        created = step(service, "creating role '" + service.role + "'", [&] {
            try {
                admin.executeScript(
                    "CREATE ROLE " + role +
                        " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD " +
                        admin.scramVerifierLiteral(service.rolePassword, service.role) + "; COMMENT ON ROLE " + role +
                        " IS " + admin.quoteLiteral(kServiceRoleMarker),
                    true);
                return true;
            } catch (const QueryError& e) {
                if (!isDuplicate(e)) throw;
                return false;  // another host made it a moment ago: repair it as an existing one
            }
        });
        if (!created) existing = step(service, "reading role '" + service.role + "'", readRole);
    }
    if (!created) {
        const auto& r = existing.front();
        // Only a role made for a service is repaired and used: another application's login (or
        // the owner of DB_DATABASE) named in database.role must not be taken over.
        if (r[3].asString() != kServiceRoleMarker)
            throw ProvisioningError(
                "service " + service.serviceName + ": role '" + service.role +
                "' exists and was not made for a zintrust-host service; choose another database.role, "
                "or, if it is meant to be this service's own role, run: COMMENT ON ROLE " +
                role + " IS '" + std::string(kServiceRoleMarker) + "';");
        bool privileged = r[0].asBool() || r[1].asBool() || r[2].asBool();
        if (privileged && !rights.superuser)
            throw ProvisioningError("service " + service.serviceName + ": role '" + service.role +
                                    "' has SUPERUSER, REPLICATION or BYPASSRLS, which only a superuser can take away; "
                                    "as a superuser run: ALTER ROLE " +
                                    role + " NOSUPERUSER NOREPLICATION NOBYPASSRLS;");
        // PostgreSQL 15 lets a non-superuser name only the attributes a CREATEROLE role may set.
        std::string sql = "ALTER ROLE " + role + " LOGIN NOCREATEDB NOCREATEROLE";
        if (privileged) sql += " NOSUPERUSER NOREPLICATION NOBYPASSRLS";
        if (!service.operatorManagedPassword)
            sql += " PASSWORD " + admin.scramVerifierLiteral(service.rolePassword, service.role);
        step(service, "repairing role '" + service.role + "'", [&] { admin.executeScript(sql, true); });
    }

    step(service, "memberships of role '" + service.role + "'", [&] {
        // Owning objects as the role (CREATE SCHEMA ... AUTHORIZATION, CREATE DATABASE ... OWNER)
        // needs membership in it; the service role itself gets none (below).
        if (!rights.superuser &&
            !admin.executeStateless("SELECT pg_has_role(current_user, $1, 'MEMBER')", roleParam).front()[0].asBool())
            admin.executeScript("GRANT " + role + " TO " + admin.quoteIdentifier(rights.user), true);
        auto memberOf = admin.executeStateless(
            "SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1",
            roleParam);
        for (const auto& row : memberOf.rows())
            admin.executeScript("REVOKE " + admin.quoteIdentifier(row[0].asString()) + " FROM " + role, true);
        auto otherMembers = admin.executeStateless(
            "SELECT u.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = $1 AND u.rolname = ANY($2::text[])",
            {Value::text(service.role), Value::text(otherRolesArray(service.role))});
        for (const auto& row : otherMembers.rows())
            admin.executeScript("REVOKE " + role + " FROM " + admin.quoteIdentifier(row[0].asString()), true);
    });
}

void RoleProvisioner::provisionDatabase(Connection& admin, const ProvisioningRights& rights,
                                        const AdapterConfig& service) const {
    const std::string role = q(service.role);
    const std::string main = admin.quoteIdentifier(rights.database);
    step(service, "privileges on database '" + rights.database + "'", [&] {
        // PostgreSQL grants CONNECT and TEMPORARY on every database to PUBLIC, and (before 15, or
        // on an upgraded cluster) CREATE on the public schema.
        std::string sql = "REVOKE CONNECT, TEMPORARY ON DATABASE " + main +
                          " FROM PUBLIC; "
                          "REVOKE CREATE ON SCHEMA public FROM PUBLIC; ";
        sql += service.isolation == "shared" ? "GRANT CONNECT, TEMPORARY ON DATABASE " + main + " TO " + role
                                             : "REVOKE ALL ON DATABASE " + main + " FROM " + role;
        admin.executeScript(sql, true);
        // REVOKE by a role that does not own the schema only warns: check that it took.
        if (admin
                .executeStateless("SELECT EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a WHERE "
                                  "n.nspname = 'public' AND a.grantee = 0 AND a.privilege_type = 'CREATE')")
                .front()[0]
                .asBool())
            throw ProvisioningError("service " + service.serviceName +
                                    ": every role may still create objects in schema "
                                    "public of database '" +
                                    rights.database +
                                    "' (other services would run them); as "
                                    "the owner of that schema run: REVOKE CREATE ON SCHEMA public FROM PUBLIC;");
        // Rights granted to the role by hand on other databases (its own isolated one excepted).
        auto elsewhere = admin.executeStateless(
            "SELECT d.datname::text FROM pg_database d, aclexplode(d.datacl) a "
            "WHERE a.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1) AND d.datname <> $2 AND d.datname <> $3",
            {Value::text(service.role), Value::text(rights.database), Value::text(service.database)});
        for (const auto& row : elsewhere.rows())
            admin.executeScript("REVOKE ALL ON DATABASE " + admin.quoteIdentifier(row[0].asString()) + " FROM " + role,
                                true);
    });
    if (service.isolation != "isolated") return;
    const std::string db = q(service.database);
    step(service, "database '" + service.database + "'", [&] {
        auto readOwner = [&] {
            return admin.executeStateless("SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = $1",
                                          {Value::text(service.database)});
        };
        auto owner = readOwner();
        if (owner.empty()) {
            try {
                // CREATE DATABASE cannot run in a transaction block: the simple protocol, alone.
                admin.executeScript("CREATE DATABASE " + db + " OWNER " + role, true);
            } catch (const QueryError& e) {
                if (!isDuplicate(e)) throw;
            }
            owner = readOwner();
        }
        if (owner.front()[0].asString() != service.role)
            admin.executeScript("ALTER DATABASE " + db + " OWNER TO " + role, true);
        admin.executeScript("REVOKE CONNECT, TEMPORARY ON DATABASE " + db + " FROM PUBLIC", true);
    });
}

void RoleProvisioner::provisionSchema(Connection& conn, const AdapterConfig& service) const {
    const std::string role = q(service.role);
    const std::string schema = q(service.schema);
    step(service, "schema '" + service.schema + "' in database '" + service.database + "'", [&] {
        auto readOwner = [&] {
            return conn.executeStateless("SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = $1",
                                         {Value::text(service.schema)});
        };
        auto owner = readOwner();
        if (owner.empty()) {
            try {
                conn.executeScript("CREATE SCHEMA " + schema + " AUTHORIZATION " + role, true);
            } catch (const QueryError& e) {
                if (!isDuplicate(e)) throw;
            }
            owner = readOwner();
        }
        const std::string current = owner.front()[0].asString();
        if (current != service.role) {
            // A schema of another service is never handed over (two configs naming one schema).
            for (const auto& other : serviceRoles_) {
                if (other == current)
                    throw ProvisioningError("service " + service.serviceName + ": schema '" + service.schema +
                                            "' belongs to the role of another service ('" + current +
                                            "'); give this service a database.schema of its own");
            }
            conn.executeScript("ALTER SCHEMA " + schema + " OWNER TO " + role, true);
        }

        // Objects an older host (or an operator) made in the schema as another role become the
        // service's, so its raw SQL and migrations keep working with only its own rights. Tables
        // first: their owned sequences and indexes follow them.
        const std::vector<Value> params{Value::text(service.schema), Value::text(service.role)};
        const std::string foreign =
            " WHERE c.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $1)"
            " AND c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)";
        auto relations = conn.executeStateless("SELECT c.relname::text, c.relkind::text FROM pg_class c" + foreign +
                                                   " AND c.relkind IN ('r','p','v','m','f')",
                                               params);
        for (const auto& row : relations.rows()) {
            const std::string kind = row[1].asString();
            const char* what = kind == "v"   ? "VIEW"
                               : kind == "m" ? "MATERIALIZED VIEW"
                               : kind == "f" ? "FOREIGN TABLE"
                                             : "TABLE";
            conn.executeScript(std::string("ALTER ") + what + " " + schema + "." +
                                   conn.quoteIdentifier(row[0].asString()) + " OWNER TO " + role,
                               true);
        }
        auto sequences =
            conn.executeStateless("SELECT c.relname::text FROM pg_class c" + foreign + " AND c.relkind = 'S'", params);
        for (const auto& row : sequences.rows())
            conn.executeScript(
                "ALTER SEQUENCE " + schema + "." + conn.quoteIdentifier(row[0].asString()) + " OWNER TO " + role, true);
        auto routines = conn.executeStateless(
            "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = (SELECT oid FROM pg_namespace "
            "WHERE nspname = $1)"
            " AND p.prokind IN ('f','p') AND p.proowner <> (SELECT oid FROM pg_roles WHERE rolname = $2)",
            params);
        for (const auto& row : routines.rows())
            conn.executeScript("ALTER ROUTINE " + row[0].asString() + " OWNER TO " + role, true);
        auto types = conn.executeStateless(
            "SELECT t.typname::text, t.typtype::text FROM pg_type t WHERE t.typnamespace = (SELECT oid FROM "
            "pg_namespace WHERE nspname = $1)"
            " AND t.typowner <> (SELECT oid FROM pg_roles WHERE rolname = $2) AND t.typtype IN ('e','d')",
            params);
        for (const auto& row : types.rows())
            conn.executeScript(std::string("ALTER ") + (row[1].asString() == "d" ? "DOMAIN " : "TYPE ") + schema + "." +
                                   conn.quoteIdentifier(row[0].asString()) + " OWNER TO " + role,
                               true);

        // Nobody else in: neither PUBLIC nor another service's role (an operator's own reporting
        // role, granted by hand, keeps its rights).
        std::string revoke = "REVOKE ALL ON SCHEMA " + schema + " FROM PUBLIC";
        auto others = conn.executeStateless("SELECT rolname::text FROM pg_roles WHERE rolname = ANY($1::text[])",
                                            {Value::text(otherRolesArray(service.role))});
        for (const auto& row : others.rows()) {
            const std::string other = q(row[0].asString());
            revoke += "; REVOKE ALL ON SCHEMA " + schema + " FROM " + other + "; REVOKE ALL ON ALL TABLES IN SCHEMA " +
                      schema + " FROM " + other + "; REVOKE ALL ON ALL SEQUENCES IN SCHEMA " + schema + " FROM " +
                      other + "; REVOKE ALL ON ALL ROUTINES IN SCHEMA " + schema + " FROM " + other;
        }
        conn.executeScript(revoke, true);
    });
}

}  // namespace zt::db
