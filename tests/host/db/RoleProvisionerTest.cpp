// RoleProvisioner against the real PostgreSQL: each service's login role has no privileges, owns
// only its schema or database, belongs to no role, and an existing role, schema or database is
// repaired; a provisioning role that is not a superuser is enough, one that lacks a right is told
// which and how to grant it (docs/DATABASE.md).
#include <cppunit/extensions/HelperMacros.h>

#include "PgTestEnv.h"
#include "db/ConnectionSettings.h"
#include "db/DatabaseErrors.h"
#include "db/RoleProvisioner.h"
#include "support/TestSupport.h"

using namespace zt::db;
using zt::db::test::PgTestEnv;
using zt::test::assertContains;
using zt::test::TestDatabase;
using zt::test::TestPostgres;

namespace {

/// A login as `role` over TCP (scram-sha-256): "" when it works, else libpq's message.
std::string loginError(const std::string& db, const std::string& role, const std::string& password) {
    return TestPostgres::fromEnvironment().loginError(db, role, password);
}

AdapterConfig serviceIn(const std::string& db, const std::string& name, const std::string& isolation = "shared") {
    AdapterConfig c;
    c.serviceName = name;
    c.domain = "zt";
    c.schema = "zt_" + name;
    c.role = "zt_" + name;
    c.isolation = isolation;
    c.database = isolation == "isolated" ? db + "_" + name : db;
    c.rolePassword = "pw-" + name + "-0123456789abcdef";
    return c;
}

ConnectionSettings provisioningFor(const std::string& db, const std::string& user = "",
                                   const std::string& password = "") {
    auto s = ConnectionSettings::fromDatabaseSettings(PgTestEnv::get().settings());
    s.database = db;
    if (!user.empty()) {
        s.user = user;
        s.password = password;
    }
    return s;
}

}  // namespace

class RoleProvisionerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RoleProvisionerTest);
    CPPUNIT_TEST(creates_a_login_role_without_privileges_that_owns_only_its_schema);
    CPPUNIT_TEST(isolated_service_owns_its_database_and_nobody_else_may_connect);
    CPPUNIT_TEST(existing_role_schema_and_objects_are_repaired);
    CPPUNIT_TEST(a_provisioning_role_with_createrole_createdb_and_the_database_is_enough);
    CPPUNIT_TEST(missing_createrole_names_the_privilege_and_the_sql);
    CPPUNIT_TEST(missing_database_ownership_names_the_sql);
    CPPUNIT_TEST(an_existing_superuser_role_is_not_silently_kept);
    CPPUNIT_TEST(operator_managed_password_is_never_changed);
    CPPUNIT_TEST(a_role_not_made_for_a_service_is_never_taken_over);
    CPPUNIT_TEST(another_services_schema_is_never_handed_over);
    CPPUNIT_TEST(host_password_is_set_again_on_each_provisioning);
    CPPUNIT_TEST_SUITE_END();

public:
    void creates_a_login_role_without_privileges_that_owns_only_its_schema() {
        TestDatabase db;
        auto pg = TestPostgres::fromEnvironment();
        auto a = serviceIn(db.name(), PgTestEnv::uniqueName("a"));
        auto b = serviceIn(db.name(), PgTestEnv::uniqueName("b"));
        RoleProvisioner provisioner(provisioningFor(db.name()), {a.role, b.role});
        provisioner.provision(a);
        provisioner.provision(b);
        CPPUNIT_ASSERT_EQUAL(std::string("t|f|f|f|f|f"),
                             pg.scalar(db.name(),
                                       "SELECT concat_ws('|', rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, "
                                       "rolreplication, rolbypassrls) FROM pg_roles WHERE rolname = '" +
                                           a.role + "'"));
        CPPUNIT_ASSERT_EQUAL(
            a.role, pg.scalar(db.name(),
                              "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = '" + a.schema + "'"));
        CPPUNIT_ASSERT_EQUAL(std::string("0"),
                             pg.scalar(db.name(),
                                       "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                                       "WHERE r.rolname = '" +
                                           a.role + "'"));
        CPPUNIT_ASSERT_EQUAL(std::string("f|f|t|t"),
                             pg.scalar(db.name(), "SELECT concat_ws('|', has_schema_privilege('" + a.role + "', '" +
                                                      b.schema + "', 'USAGE'), has_schema_privilege('" + a.role +
                                                      "', 'public', 'CREATE'), "
                                                      "has_database_privilege('" +
                                                      a.role +
                                                      "', current_database(), 'CONNECT'), "
                                                      "has_schema_privilege('" +
                                                      a.role + "', '" + a.schema + "', 'CREATE'))"));
        // PUBLIC lost CONNECT: a role that is not a service of this database cannot come in.
        const std::string outsider = PgTestEnv::uniqueName("outsider");
        pg.exec("postgres", "CREATE ROLE " + outsider + " LOGIN PASSWORD 'outsider-password-123'");
        assertContains(loginError(db.name(), outsider, "outsider-password-123"), "permission denied for database");
        CPPUNIT_ASSERT_EQUAL(std::string(""), loginError(db.name(), a.role, a.rolePassword));
    }

    void isolated_service_owns_its_database_and_nobody_else_may_connect() {
        TestDatabase db;
        auto pg = TestPostgres::fromEnvironment();
        auto shared = serviceIn(db.name(), PgTestEnv::uniqueName("s"));
        auto iso = serviceIn(db.name(), PgTestEnv::uniqueName("i"), "isolated");
        RoleProvisioner provisioner(provisioningFor(db.name()), {shared.role, iso.role});
        provisioner.provision(shared);
        provisioner.provision(iso);
        CPPUNIT_ASSERT_EQUAL(iso.role,
                             pg.scalar("postgres", "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '" +
                                                       iso.database + "'"));
        CPPUNIT_ASSERT_EQUAL(
            iso.role, pg.scalar(iso.database, "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = '" +
                                                  iso.schema + "'"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), loginError(iso.database, iso.role, iso.rolePassword));
        assertContains(loginError(iso.database, shared.role, shared.rolePassword), "permission denied for database");
        assertContains(loginError(db.name(), iso.role, iso.rolePassword), "permission denied for database");
    }

    void existing_role_schema_and_objects_are_repaired() {
        TestDatabase db;
        auto pg = TestPostgres::fromEnvironment();
        auto a = serviceIn(db.name(), PgTestEnv::uniqueName("a"));
        auto b = serviceIn(db.name(), PgTestEnv::uniqueName("b"));
        // What an older host left behind (everything as the superuser), plus rights given by hand.
        const std::string group = PgTestEnv::uniqueName("group");
        pg.exec("postgres", "CREATE ROLE " + b.role + " LOGIN");
        pg.exec("postgres", "CREATE ROLE " + group);
        pg.exec("postgres",
                "CREATE ROLE " + a.role + " LOGIN CREATEDB CREATEROLE IN ROLE pg_read_server_files, " + group);
        pg.exec("postgres", "COMMENT ON ROLE " + a.role + " IS 'zintrust-host service role'");  // adopted on purpose
        pg.exec("postgres", "GRANT " + a.role + " TO " + b.role);
        pg.exec(db.name(), "CREATE SCHEMA " + a.schema + "; CREATE TABLE " + a.schema +
                               ".t (id serial PRIMARY KEY); "
                               "CREATE VIEW " +
                               a.schema + ".v AS SELECT id FROM " + a.schema +
                               ".t; "
                               "CREATE SEQUENCE " +
                               a.schema + ".s; CREATE TYPE " + a.schema +
                               ".mood AS ENUM ('ok'); "
                               "CREATE DOMAIN " +
                               a.schema +
                               ".positive AS int CHECK (VALUE > 0); "
                               "CREATE FUNCTION " +
                               a.schema +
                               ".f() RETURNS int LANGUAGE sql AS 'SELECT 1'; "
                               "GRANT USAGE ON SCHEMA " +
                               a.schema + " TO PUBLIC; GRANT ALL ON SCHEMA " + a.schema + " TO " + b.role +
                               "; GRANT SELECT ON " + a.schema + ".t TO " + b.role);
        RoleProvisioner(provisioningFor(db.name()), {a.role, b.role}).provision(a);

        CPPUNIT_ASSERT_EQUAL(std::string("f|f"),
                             pg.scalar(db.name(),
                                       "SELECT concat_ws('|', rolcreatedb, rolcreaterole) FROM pg_roles "
                                       "WHERE rolname = '" +
                                           a.role + "'"));
        CPPUNIT_ASSERT_EQUAL(std::string("0"),
                             pg.scalar(db.name(),
                                       "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
                                       "WHERE r.rolname = '" +
                                           a.role + "'"));
        CPPUNIT_ASSERT_EQUAL(std::string("f"),
                             pg.scalar(db.name(), "SELECT pg_has_role('" + b.role + "', '" + a.role + "', 'MEMBER')"));
        CPPUNIT_ASSERT_EQUAL(std::string("0"),
                             pg.scalar(db.name(), "SELECT count(*) FROM pg_class WHERE relnamespace = '" + a.schema +
                                                      "'::regnamespace AND relkind IN ('r','v','S') AND relowner <> '" +
                                                      a.role + "'::regrole"));
        CPPUNIT_ASSERT_EQUAL(std::string("0"),
                             pg.scalar(db.name(), "SELECT count(*) FROM pg_type WHERE typnamespace = '" + a.schema +
                                                      "'::regnamespace AND typtype IN ('e','d') AND typowner <> '" +
                                                      a.role + "'::regrole"));
        CPPUNIT_ASSERT_EQUAL(
            a.role, pg.scalar(db.name(), "SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE oid = '" + a.schema +
                                             ".f()'::regprocedure"));
        CPPUNIT_ASSERT_EQUAL(
            std::string("f|f"),
            pg.scalar(db.name(), "SELECT concat_ws('|', has_schema_privilege('" + b.role + "', '" + a.schema +
                                     "', 'USAGE'), has_schema_privilege('public', '" + a.schema + "', 'USAGE'))"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), loginError(db.name(), a.role, a.rolePassword));
    }

    void a_provisioning_role_with_createrole_createdb_and_the_database_is_enough() {
        auto pg = TestPostgres::fromEnvironment();
        const std::string prov = PgTestEnv::uniqueName("prov");
        pg.exec("postgres", "CREATE ROLE " + prov + " LOGIN CREATEROLE CREATEDB PASSWORD 'prov-password-0123'");
        TestDatabase db;
        pg.exec("postgres", "ALTER DATABASE " + db.name() + " OWNER TO " + prov);
        auto shared = serviceIn(db.name(), PgTestEnv::uniqueName("s"));
        auto iso = serviceIn(db.name(), PgTestEnv::uniqueName("i"), "isolated");
        RoleProvisioner provisioner(provisioningFor(db.name(), prov, "prov-password-0123"), {shared.role, iso.role});
        provisioner.provision(shared);
        provisioner.provision(iso);
        provisioner.provision(shared);  // again: nothing to repair, nothing fails
        CPPUNIT_ASSERT_EQUAL(std::string(""), loginError(db.name(), shared.role, shared.rolePassword));
        CPPUNIT_ASSERT_EQUAL(std::string(""), loginError(iso.database, iso.role, iso.rolePassword));
        CPPUNIT_ASSERT_EQUAL(
            shared.role, pg.scalar(db.name(), "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = '" +
                                                  shared.schema + "'"));
        CPPUNIT_ASSERT_EQUAL(std::string("f"),
                             pg.scalar("postgres", "SELECT rolsuper FROM pg_roles WHERE rolname = '" + prov + "'"));
    }

    void missing_createrole_names_the_privilege_and_the_sql() {
        auto pg = TestPostgres::fromEnvironment();
        const std::string prov = PgTestEnv::uniqueName("weak");
        pg.exec("postgres", "CREATE ROLE " + prov + " LOGIN PASSWORD 'weak-password-0123'");
        TestDatabase db;
        pg.exec("postgres", "ALTER DATABASE " + db.name() + " OWNER TO " + prov);
        auto iso = serviceIn(db.name(), PgTestEnv::uniqueName("i"), "isolated");
        try {
            RoleProvisioner(provisioningFor(db.name(), prov, "weak-password-0123"), {iso.role}).provision(iso);
            CPPUNIT_FAIL("provisioned without CREATEROLE");
        } catch (const ProvisioningError& e) {
            assertContains(e.message(),
                           "service " + iso.serviceName + ": the provisioning role '" + prov + "' lacks CREATEROLE");
            assertContains(e.message(), "CREATEDB");
            assertContains(e.message(), "as a superuser run: ALTER ROLE \"" + prov + "\" CREATEROLE CREATEDB;");
        }
        CPPUNIT_ASSERT_EQUAL(std::string(""),
                             pg.scalar("postgres", "SELECT 1 FROM pg_roles WHERE rolname = '" + iso.role + "'"));
    }

    void missing_database_ownership_names_the_sql() {
        auto pg = TestPostgres::fromEnvironment();
        const std::string prov = PgTestEnv::uniqueName("notowner");
        pg.exec("postgres", "CREATE ROLE " + prov + " LOGIN CREATEROLE PASSWORD 'notowner-password-0123'");
        TestDatabase db;
        auto a = serviceIn(db.name(), PgTestEnv::uniqueName("a"));
        try {
            RoleProvisioner(provisioningFor(db.name(), prov, "notowner-password-0123"), {a.role}).provision(a);
            CPPUNIT_FAIL("provisioned without owning the database");
        } catch (const ProvisioningError& e) {
            assertContains(e.message(), "lacks ownership of database '" + db.name() + "'");
            assertContains(e.message(), "ALTER DATABASE \"" + db.name() + "\" OWNER TO \"" + prov + "\";");
        }
    }

    void an_existing_superuser_role_is_not_silently_kept() {
        auto pg = TestPostgres::fromEnvironment();
        const std::string prov = PgTestEnv::uniqueName("prov");
        pg.exec("postgres", "CREATE ROLE " + prov + " LOGIN CREATEROLE PASSWORD 'prov-password-0123'");
        TestDatabase db;
        pg.exec("postgres", "ALTER DATABASE " + db.name() + " OWNER TO " + prov);
        auto a = serviceIn(db.name(), PgTestEnv::uniqueName("a"));
        pg.exec("postgres", "CREATE ROLE " + a.role + " LOGIN SUPERUSER");
        pg.exec("postgres", "COMMENT ON ROLE " + a.role + " IS 'zintrust-host service role'");
        try {
            RoleProvisioner(provisioningFor(db.name(), prov, "prov-password-0123"), {a.role}).provision(a);
            CPPUNIT_FAIL("kept a superuser service role");
        } catch (const ProvisioningError& e) {
            assertContains(e.message(), "ALTER ROLE \"" + a.role + "\" NOSUPERUSER NOREPLICATION NOBYPASSRLS;");
        }
        // A superuser provisioning role repairs it.
        RoleProvisioner(provisioningFor(db.name()), {a.role}).provision(a);
        CPPUNIT_ASSERT_EQUAL(std::string("f"),
                             pg.scalar("postgres", "SELECT rolsuper FROM pg_roles WHERE rolname = '" + a.role + "'"));
    }

    void operator_managed_password_is_never_changed() {
        TestDatabase db;
        auto a = serviceIn(db.name(), PgTestEnv::uniqueName("a"));
        a.operatorManagedPassword = true;
        a.rolePassword = "operator-password-0123";
        RoleProvisioner provisioner(provisioningFor(db.name()), {a.role});
        provisioner.provision(a);  // missing: created with the operator's password
        CPPUNIT_ASSERT_EQUAL(std::string(""), loginError(db.name(), a.role, "operator-password-0123"));
        a.rolePassword = "another-password-0123";
        provisioner.provision(a);  // exists: its password is the operator's business
        CPPUNIT_ASSERT_EQUAL(std::string(""), loginError(db.name(), a.role, "operator-password-0123"));
        assertContains(loginError(db.name(), a.role, "another-password-0123"), "password authentication failed");
    }

    void a_role_not_made_for_a_service_is_never_taken_over() {
        TestDatabase db;
        auto pg = TestPostgres::fromEnvironment();
        auto a = serviceIn(db.name(), PgTestEnv::uniqueName("a"));
        pg.exec("postgres", "CREATE ROLE " + a.role + " LOGIN PASSWORD 'someone-elses-password-0123'");
        try {
            RoleProvisioner(provisioningFor(db.name()), {a.role}).provision(a);
            CPPUNIT_FAIL("an existing role of someone else was taken over");
        } catch (const ProvisioningError& e) {
            assertContains(e.message(), "exists and was not made for a zintrust-host service");
            assertContains(e.message(), "COMMENT ON ROLE \"" + a.role + "\" IS 'zintrust-host service role';");
        }
        CPPUNIT_ASSERT_EQUAL(std::string(""), loginError(db.name(), a.role, "someone-elses-password-0123"));
    }

    void another_services_schema_is_never_handed_over() {
        TestDatabase db;
        auto pg = TestPostgres::fromEnvironment();
        auto a = serviceIn(db.name(), PgTestEnv::uniqueName("a"));
        auto b = serviceIn(db.name(), PgTestEnv::uniqueName("b"));
        b.schema = a.schema;  // two configs naming one schema
        RoleProvisioner provisioner(provisioningFor(db.name()), {a.role, b.role});
        provisioner.provision(a);
        try {
            provisioner.provision(b);
            CPPUNIT_FAIL("b took a's schema");
        } catch (const ProvisioningError& e) {
            assertContains(e.message(), "belongs to the role of another service");
        }
        CPPUNIT_ASSERT_EQUAL(
            a.role, pg.scalar(db.name(),
                              "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = '" + a.schema + "'"));
    }

    void host_password_is_set_again_on_each_provisioning() {
        TestDatabase db;
        auto a = serviceIn(db.name(), PgTestEnv::uniqueName("a"));
        RoleProvisioner provisioner(provisioningFor(db.name()), {a.role});
        provisioner.provision(a);
        const std::string first = a.rolePassword;
        a.rolePassword = "next-start-password-0123";  // the next host start generates a new one
        provisioner.provision(a);
        CPPUNIT_ASSERT_EQUAL(std::string(""), loginError(db.name(), a.role, a.rolePassword));
        assertContains(loginError(db.name(), a.role, first), "password authentication failed");
        // The server stored a SCRAM verifier: the plain text never reached it.
        auto pg = TestPostgres::fromEnvironment();
        CPPUNIT_ASSERT_EQUAL(
            std::string("SCRAM-SHA-256$"),
            pg.scalar("postgres", "SELECT left(rolpassword, 14) FROM pg_authid WHERE rolname = '" + a.role + "'"));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RoleProvisionerTest);
