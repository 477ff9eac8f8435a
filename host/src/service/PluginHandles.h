#pragma once
// The host's definitions of the opaque handles that plugin.h declares and a LocalService hands
// to its plugin. The function table that takes them (zt_host_api) is in abi/, above this layer.
#include <string>

#include "http/Exchange.h"

namespace zt::service {
class LocalService;
}

/// OWNERSHIP: one per LocalService, owned by it; the plugin holds the pointer until shutdown().
struct zt_host {
    zt::service::LocalService* service = nullptr;
};

/// OWNERSHIP: lives on the host's stack for one handler call.
struct zt_response {
    zt::http::HttpResponse* response = nullptr;
};

/// OWNERSHIP: lives on the host's stack for one authenticator call.
struct zt_auth_result {
    bool set = false;
    bool allow = false;
    std::string principal;
    int denyStatus = 401;
    std::string message;
};
