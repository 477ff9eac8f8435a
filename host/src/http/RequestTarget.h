#pragma once
// The request-target of a request head and the method and Host checks that go with it
// (RFC 9112 3.2, RFC 9110 9.1; docs/HTTP.md: what the host refuses). Pure functions: unit-tested and
// fuzzed (tests/fuzz/fuzz_http_request.cpp).
//
// Why the path is split before it is decoded: a percent-encoded '/' inside a segment
// ("/payments%2F500") must never act as a separator, or a client picks a route the service did not
// expose. The path handed on keeps such a '/' (and a '%') encoded as "%2F" ("%25"), so '/' in it
// always separates segments; decodePathSegment() gives a segment's real text (path parameters).
#include <string>
#include <string_view>

#include "http/RequestHeadParser.h"

namespace zt::http {

/// The methods the host serves, case-sensitive (RFC 9110 9.1): GET HEAD POST PUT PATCH DELETE
/// OPTIONS. Anything else, "get" included, is answered 501 and never reaches a handler.
bool isServedMethod(std::string_view method);
/// The 501 not_implemented refusal of a method isServedMethod() rejects, naming it.
HeadError unservedMethodError(std::string_view method);

/// origin-form ("/p?q"), absolute-form ("http://host/p?q" or https, without userinfo) and, for
/// OPTIONS only, asterisk-form ("*", path "*"). Authority-form, "*" for another method, relative
/// targets, a userinfo, a fragment, a bad or NUL/control percent-escape: false with a 400 in
/// `error`. `path` is segment-decoded as the header comment says; `query` stays raw.
bool parseRequestTarget(std::string_view method, std::string_view target, std::string& path, std::string& query,
                        HeadError& error);

/// The authority of an absolute-form target ("http://a.example:8080/p" -> "a.example:8080"), or
/// empty for any other form. RFC 9112 3.2.2: a server that receives absolute-form uses this host
/// and ignores the Host field, so the request's Host is replaced by it (RequestReader).
std::string_view absoluteFormAuthority(std::string_view target);

/// One segment of parseRequestTarget's path as a handler sees it: "%2F" -> '/', "%25" -> '%'.
std::string decodePathSegment(std::string_view segment);

/// Host field syntax, host[:port] (RFC 9112 3.2, RFC 3986 3.2.2): a registered name of letters,
/// digits and "-._~", an IPv4 address, or a bracketed IPv6 address, then an optional port of at
/// most 5 digits. Empty is allowed (a request whose target has no authority). "a, b" and "a b"
/// are not.
bool isValidHostHeader(std::string_view value);

}  // namespace zt::http
