// zintrust/sdk.hpp: header-only C++20 SDK over the C ABI in plugin.h.
//
// A service is a class:
//
//   class Hello : public zt::sdk::Service {
//   public:
//       void configure(zt::sdk::Routes& routes, zt::sdk::Host& host) override {
//           routes.get("/hello/:name", [](const zt::sdk::Request& req) {
//               return zt::sdk::Response::json(200, "{\"hello\":\"" + req.param("name") + "\"}");
//           });
//       }
//   };
//   ZT_PLUGIN(Hello, "hello", "1.0.0", "says hello")
//
// Exceptions never cross the C boundary: zt::sdk::HttpError becomes its JSON error, any other
// exception becomes a JSON 500, and an exception in configure() refuses the service with its text.
// Plugins link nothing but the C++ standard library (no Poco).
#pragma once

// The SDK in parts, each including the one before it (docs/ARCHITECTURE.md):
#include "zintrust/sdk/errors.hpp"           // zt_str helpers, HttpError, DbError, jsonEscape
#include "zintrust/sdk/request.hpp"          // Request
#include "zintrust/sdk/response.hpp"         // Response, HealthResult, AuthDecision
#include "zintrust/sdk/db.hpp"               // Db, Query, Result, Row
#include "zintrust/sdk/services.hpp"         // Services, CallResult
#include "zintrust/sdk/host.hpp"             // Host
#include "zintrust/sdk/detail/handlers.hpp"  // the C callbacks (internal)
#include "zintrust/sdk/service.hpp"          // Service, Routes, ZT_PLUGIN
