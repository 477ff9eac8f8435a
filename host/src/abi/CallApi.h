#pragma once
// The 1.2 inter-service call functions of zt_host_api (docs/CALLS.md): the plugin's arguments are
// copied into a calls::CallRequest, the answer into a host-owned zt_call_response.
#include "calls/CallMessage.h"
#include "zintrust/plugin.h"

/// OWNERSHIP: allocated by the host (new), owned by the plugin until call_response_free (delete).
struct zt_call_response {
    zt::calls::CallResponse response;
};

namespace zt::abi {

/// The plugin's call arguments copied into a CallRequest made by `host`'s service (no trace:
/// the caller adds it). Shared by the host's call_service and the test host's stub.
calls::CallRequest callRequestOf(const zt_host& host, zt_str service, zt_str method, zt_str pathAndQuery,
                                 const zt_header* headers, size_t headerCount, zt_str body);

zt_status apiCallService(zt_host* host, const zt_request* context, zt_str service, zt_str method, zt_str pathAndQuery,
                         const zt_header* headers, size_t headerCount, zt_str body, zt_call_response** out);
int32_t apiCallResponseStatus(const zt_call_response* response);
zt_str apiCallResponseBody(const zt_call_response* response);
zt_status apiCallResponseHeader(const zt_call_response* response, zt_str name, zt_str* out);
void apiCallResponseFree(zt_call_response* response);

}  // namespace zt::abi
