#include "http/RequestCounters.h"

namespace zt::http {

std::string RequestCounters::toJson() const {
    auto n = [](const std::atomic<std::uint64_t>& a) { return std::to_string(a.load(std::memory_order_relaxed)); };
    return "{\"requests\":" + n(requests) + ",\"clientErrors\":" + n(clientErrors) +
           ",\"serverErrors\":" + n(serverErrors) + ",\"handlerFailures\":" + n(handlerFailures) +
           ",\"handlerTimeouts\":" + n(handlerTimeouts) + ",\"headerTimeouts\":" + n(headerTimeouts) +
           ",\"rejectedBodies\":" + n(rejectedBodies) + ",\"rejectedConnections\":" + n(rejectedConnections) + "}";
}

}  // namespace zt::http
