// GET /openapi.json's document (docs/MONITORING.md: OpenAPI): path templates with their
// parameters, summaries, the auth strategy as a security scheme, the health endpoints outside
// it, and the shared error schema. (The e2e suite validates served documents with a real
// OpenAPI 3.1 validator.)
#include <cppunit/extensions/HelperMacros.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <string>

#include "service/OpenApiDocument.h"

using nlohmann::json;

namespace {
zt::config::ServiceConfig configWith(const std::string& strategy) {
    zt::config::ServiceConfig c;
    c.name = "users";
    c.domain = "shop";
    c.version = "2.1.0";
    c.auth.strategy = strategy;
    return c;
}

json documentFor(const std::string& strategy, const std::vector<zt::http::Router::RouteInfo>& routes) {
    return json::parse(zt::service::openApiDocument(configWith(strategy), routes));
}
}  // namespace

class OpenApiDocumentTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(OpenApiDocumentTest);
    CPPUNIT_TEST(routes_become_path_templates_with_parameters);
    CPPUNIT_TEST(every_template_parameter_is_declared);
    CPPUNIT_TEST(the_auth_strategy_is_the_security_scheme);
    CPPUNIT_TEST(health_endpoints_need_no_credentials);
    CPPUNIT_TEST(any_method_routes_are_listed_per_method);
    CPPUNIT_TEST(errors_share_one_schema);
    CPPUNIT_TEST_SUITE_END();

public:
    void routes_become_path_templates_with_parameters() {
        const auto d = documentFor("none", {{"GET", "/users/:id", "Read one user"}, {"POST", "/users", ""}});
        CPPUNIT_ASSERT_EQUAL(std::string("3.1.0"), d.at("openapi").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("2.1.0"), d.at("info").at("version").get<std::string>());
        const auto& get = d.at("paths").at("/users/{id}").at("get");
        CPPUNIT_ASSERT_EQUAL(std::string("Read one user"), get.at("summary").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("get_users_id"), get.at("operationId").get<std::string>());
        const auto& p = get.at("parameters").at(0);
        CPPUNIT_ASSERT_EQUAL(std::string("id"), p.at("name").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("path"), p.at("in").get<std::string>());
        CPPUNIT_ASSERT(p.at("required").get<bool>());
        CPPUNIT_ASSERT(!d.at("paths").at("/users").at("post").contains("summary"));
        CPPUNIT_ASSERT(!d.at("paths").contains("/users/:id"));
    }

    void every_template_parameter_is_declared() {
        const auto d = documentFor("none", {{"GET", "/a/:x/b/:y", ""}, {"GET", "/files/*", ""}});
        const std::regex param(R"(\{([^}]+)\})");
        for (const auto& [path, item] : d.at("paths").items()) {
            for (const auto& [method, op] : item.items()) {
                for (auto it = std::sregex_iterator(path.begin(), path.end(), param); it != std::sregex_iterator();
                     ++it) {
                    bool declared = false;
                    for (const auto& p : op.value("parameters", json::array()))
                        declared = declared || (p.at("name") == (*it)[1].str() && p.at("in") == "path");
                    CPPUNIT_ASSERT_MESSAGE(method + " " + path + ": " + (*it)[1].str(), declared);
                }
            }
        }
        CPPUNIT_ASSERT(d.at("paths").contains("/files/{wildcard}"));
    }

    void the_auth_strategy_is_the_security_scheme() {
        const auto apiKey = documentFor("api-key", {{"GET", "/x", ""}});
        const auto& scheme = apiKey.at("components").at("securitySchemes").at("apiKey");
        CPPUNIT_ASSERT_EQUAL(std::string("apiKey"), scheme.at("type").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("header"), scheme.at("in").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("X-API-Key"), scheme.at("name").get<std::string>());
        CPPUNIT_ASSERT(apiKey.at("security") == json::parse(R"([{"apiKey":[]}])"));
        CPPUNIT_ASSERT(apiKey.at("paths").at("/x").at("get").at("responses").contains("401"));

        const auto jwt = documentFor("jwt", {{"GET", "/x", ""}});
        const auto& bearer = jwt.at("components").at("securitySchemes").at("bearerJwt");
        CPPUNIT_ASSERT_EQUAL(std::string("http"), bearer.at("type").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("bearer"), bearer.at("scheme").get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("JWT"), bearer.at("bearerFormat").get<std::string>());

        const auto open = documentFor("none", {{"GET", "/x", ""}});
        CPPUNIT_ASSERT(!open.contains("security"));
        CPPUNIT_ASSERT(!open.at("components").contains("securitySchemes"));
        CPPUNIT_ASSERT(!open.at("paths").at("/x").at("get").at("responses").contains("401"));
    }

    void health_endpoints_need_no_credentials() {
        const auto d = documentFor("jwt", {});
        for (const char* path : {"/health", "/health/live", "/health/ready"})
            CPPUNIT_ASSERT(d.at("paths").at(path).at("get").at("security") == json::array());
        CPPUNIT_ASSERT(d.at("paths").contains("/openapi.json"));
    }

    void any_method_routes_are_listed_per_method() {
        const auto d = documentFor("none", {{"*", "/echo", ""}, {"GET", "/echo", "the GET one"}});
        const auto& item = d.at("paths").at("/echo");
        for (const char* m : {"get", "put", "post", "delete", "patch", "options"})
            CPPUNIT_ASSERT_MESSAGE(m, item.contains(m));
    }

    void errors_share_one_schema() {
        const auto d = documentFor("api-key", {{"GET", "/x", ""}});
        const auto& error = d.at("components").at("schemas").at("Error");
        CPPUNIT_ASSERT(error.at("required") == json::parse(R"(["error"])"));
        CPPUNIT_ASSERT(error.at("properties").at("error").at("required") == json::parse(R"(["code","message"])"));
        CPPUNIT_ASSERT_EQUAL(std::string("#/components/responses/Unauthorized"),
                             d.at("paths").at("/x").at("get").at("responses").at("401").at("$ref").get<std::string>());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(OpenApiDocumentTest);
