#pragma once
// What one HTTP attempt to a target produced. Transport failures are values, not exceptions:
// the caller (retry policy, circuit breaker, error mapping) must tell them apart cheaply.
#include <string>
#include <utility>
#include <vector>

namespace zt::calls {

using HeaderVector = std::vector<std::pair<std::string, std::string>>;

enum class Transport {
    Response,         ///< the target answered (any status)
    ConnectionError,  ///< refused, reset, unknown host, closed without answer, truncated body
    Timeout,          ///< connect, send or receive took longer than the attempt's timeout
};

struct ClientResult {
    Transport transport = Transport::ConnectionError;
    int status = 0;        ///< HTTP status when transport == Response
    HeaderVector headers;  ///< response headers, names lower-cased
    std::string body;
    std::string error;  ///< what went wrong when transport != Response
};

}  // namespace zt::calls
