#pragma once
// The host side of zt_host_api: the function table handed to every plugin, and the definitions of
// the opaque handles declared in plugin.h.
#include <string>

#include "zintrust/host/http/Exchange.h"
#include "zintrust/plugin.h"

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

namespace zt::plugin {

/// The table given to plugins. Static storage: valid for the whole process.
const zt_host_api* hostApiTable();

inline std::string_view view(zt_str s) {
    return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.len);
}
inline zt_str str(std::string_view s) { return zt_str{s.data(), s.size()}; }

}  // namespace zt::plugin
