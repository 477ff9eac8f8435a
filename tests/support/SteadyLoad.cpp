#include "support/SteadyLoad.h"

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>

#include <iterator>

namespace zt::test {

SteadyLoad::SteadyLoad(std::vector<Target> targets, int clientsPerTarget) {
    for (const auto& t : targets) {
        for (int i = 0; i < clientsPerTarget; ++i) threads_.emplace_back([this, t] { run(t); });
    }
}

SteadyLoad::~SteadyLoad() { stop(); }

void SteadyLoad::stop() {
    stopping_ = true;
    for (auto& t : threads_) {
        if (t.joinable()) t.join();
    }
}

std::string SteadyLoad::firstErrors() {
    std::lock_guard<std::mutex> lock(mutex_);
    return errors_;
}

void SteadyLoad::note(const std::string& what) {
    ++failed_;
    std::lock_guard<std::mutex> lock(mutex_);
    if (errors_.size() < 2000) errors_ += what + "\n";
}

void SteadyLoad::run(const Target& t) {
    Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(t.port));
    session.setKeepAlive(true);
    session.setTimeout(Poco::Timespan(10, 0));
    while (!stopping_) {
        try {
            Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, t.path, Poco::Net::HTTPMessage::HTTP_1_1);
            for (const auto& [k, v] : t.headers) request.set(k, v);
            session.sendRequest(request);
            Poco::Net::HTTPResponse response;
            auto& body = session.receiveResponse(response);
            std::string text((std::istreambuf_iterator<char>(body)), std::istreambuf_iterator<char>());
            if (static_cast<int>(response.getStatus()) == t.expected) {
                ++ok_;
            } else {
                note(std::to_string(t.port) + t.path + ": " + std::to_string(response.getStatus()) + " " + text);
            }
            // A connection: close after a complete answer is polite (every 10,000 requests
            // per connection, as nginx's keepalive_requests): a new connection follows.
            if (!response.getKeepAlive()) session.reset();
        } catch (const Poco::Exception& e) {
            note(std::to_string(t.port) + t.path + ": " + e.displayText());
            session.reset();
        }
    }
}

}  // namespace zt::test
