#pragma once
// The request a service makes to another service and the answer it gets back (docs/CALLS.md,
// callService). Plain data: the plugin ABI copies its arguments into a CallRequest and the
// CallResponse back into plugin-visible memory.
#include <string>
#include <utility>
#include <vector>

#include "http/Exchange.h"

namespace zt::calls {

struct CallRequest {
    std::string caller;        ///< calling service's name (x-parent-service-id, JWT subject)
    std::string target;        ///< registry name of the service to call
    std::string method;        ///< HTTP method; case-insensitive
    std::string pathAndQuery;  ///< "/orders/7?expand=items"; empty means "/"
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// The caller's server span, when the call is made while handling a request. May be null.
    /// OWNERSHIP: borrowed for the duration of ServiceCaller::call.
    const http::TraceContext* trace = nullptr;
};

struct CallResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;  ///< names lower-cased
    std::string body;
    bool inProcess = false;  ///< answered by a pipeline of this process, without a socket
    int attempts = 0;        ///< requests actually sent to the target (0: refused before sending)
};

}  // namespace zt::calls
