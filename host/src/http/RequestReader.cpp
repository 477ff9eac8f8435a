#include "http/RequestReader.h"

#include <algorithm>

#include "http/RequestTarget.h"

namespace zt::http {

namespace {
constexpr std::size_t kBodyWindow = 64 * 1024;
}

RequestReader::RequestReader(const HeadLimits& limits, std::size_t maxBodyBytes)
    : limits_(limits), maxBodyBytes_(maxBodyBytes) {}

RequestReader::Step RequestReader::refuse(HeadError e) {
    error_ = std::move(e);
    state_ = State::Refused;
    return Step::Refuse;
}

RequestReader::Step RequestReader::advance(std::string& in) {
    switch (state_) {
    case State::Refused:
        return Step::Refuse;
    case State::Done:
        return Step::Ready;
    case State::Head: {
        const std::size_t headEnd = findHeadEnd(in, scanned_);
        if (headEnd == std::string::npos) {
            if (in.size() > limits_.maxHeadBytes) return refuse(headTooLarge(in, limits_));
            scanned_ = in.size();
            return Step::NeedMore;
        }
        RequestHead head;
        HeadError error;
        if (!parseRequestHead(std::string_view(in).substr(0, headEnd), limits_, head, error)) return refuse(error);
        if (!requestFraming(head, framing_, error)) return refuse(error);
        if (!isServedMethod(head.method)) {
            // Methods are case-sensitive (RFC 9110 9.1): "delete" is not DELETE and never runs.
            return refuse(unservedMethodError(head.method));
        }
        auto& r = current_.request;
        r.method.assign(head.method);
        if (!parseRequestTarget(head.method, head.target, r.path, r.query, error)) return refuse(error);
        for (const auto& [name, value] : head.headers) r.headers.add(name, value);
        // Absolute-form names the host itself; a different Host field is ignored (RFC 9112 3.2.2),
        // so filters and handlers see one host, the one the client addressed.
        if (const std::string_view authority = absoluteFormAuthority(head.target); !authority.empty()) {
            r.headers.set("host", authority);
        }
        current_.minorVersion = head.minorVersion;
        current_.keepAlive = framing_.keepAlive;
        // The head's views are not used past this point.
        in.erase(0, headEnd);
        scanned_ = 0;
        return startBody(in);
    }
    case State::BodyLength: {
        const std::size_t take = std::min(bodyRemaining_, in.size());
        current_.request.body.append(in, 0, take);
        in.erase(0, take);
        bodyRemaining_ -= take;
        if (bodyRemaining_ == 0) {
            state_ = State::Done;
            return Step::Ready;
        }
        return Step::NeedMore;
    }
    case State::BodyChunked: {
        std::size_t used = 0;
        switch (chunked_->feed(in, current_.request.body, used)) {
        case ChunkedDecoder::Status::Done:
            in.erase(0, used);
            state_ = State::Done;
            return Step::Ready;
        case ChunkedDecoder::Status::TooLarge:
            return refuse(HeadError{413, "payload_too_large",
                                    "request body exceeds " + std::to_string(maxBodyBytes_) + " bytes"});
        case ChunkedDecoder::Status::Malformed:
            return refuse(HeadError{400, "bad_request", "malformed chunked body"});
        case ChunkedDecoder::Status::NeedMore:
            in.clear();  // all consumed
            return Step::NeedMore;
        }
        return Step::NeedMore;
    }
    }
    return Step::NeedMore;
}

RequestReader::Step RequestReader::startBody(std::string& in) {
    switch (framing_.body) {
    case RequestFraming::Body::None:
        state_ = State::Done;
        return Step::Ready;
    case RequestFraming::Body::Length:
        if (framing_.contentLength > maxBodyBytes_) {
            // Refused from the head alone: the body is never read.
            return refuse(HeadError{413, "payload_too_large",
                                    "request body exceeds " + std::to_string(maxBodyBytes_) + " bytes"});
        }
        bodyRemaining_ = static_cast<std::size_t>(framing_.contentLength);
        // Address space only: pages are touched as bytes arrive, so a client that announces a
        // large body and sends it slowly costs what it sent.
        current_.request.body.reserve(bodyRemaining_);
        state_ = State::BodyLength;
        break;
    case RequestFraming::Body::Chunked:
        chunked_.emplace(maxBodyBytes_);
        state_ = State::BodyChunked;
        break;
    }
    continueDue_ = framing_.expectContinue && in.empty();
    const Step step = advance(in);
    if (step == Step::NeedMore && continueDue_) {
        continueDue_ = false;
        return Step::Continue;
    }
    return step;
}

std::span<char> RequestReader::bodyWindow() {
    if (state_ != State::BodyLength || bodyRemaining_ == 0) return {};
    std::string& body = current_.request.body;
    windowStart_ = body.size();
    const std::size_t size = std::min(bodyRemaining_, kBodyWindow);
    body.resize(windowStart_ + size);  // within the reserved capacity: no reallocation
    windowOpen_ = true;
    return {body.data() + windowStart_, size};
}

void RequestReader::bodyReceived(std::size_t n) {
    if (!windowOpen_) return;
    windowOpen_ = false;
    current_.request.body.resize(windowStart_ + n);
    bodyRemaining_ -= n;
    if (bodyRemaining_ == 0) state_ = State::Done;
}

ReadRequest RequestReader::take() {
    ReadRequest done = std::move(current_);
    current_ = ReadRequest{};
    framing_ = RequestFraming{};
    chunked_.reset();
    state_ = State::Head;
    scanned_ = 0;
    bodyRemaining_ = 0;
    continueDue_ = false;
    return done;
}

}  // namespace zt::http
