#pragma once
// A real Poco HTTP server on 127.0.0.1:<ephemeral> whose answers the test decides, and which
// records what it received (method, URI, headers, body) and how many connections it accepted.
// Shared by the calls and monitor suites (header-only: each suite is its own executable).
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/StreamCopier.h>
#include <Poco/String.h>
#include <Poco/ThreadPool.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace zt::test {

struct ReceivedRequest {
    std::string method;
    std::string uri;
    std::map<std::string, std::string> headers;                   ///< names lower-cased (last value wins)
    std::vector<std::pair<std::string, std::string>> allHeaders;  ///< every header line, in order
    std::string body;
    std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? "" : it->second;
    }
    /// How many header lines carry `name` (lower case).
    int headerCount(const std::string& name) const {
        int n = 0;
        for (const auto& h : allHeaders) n += h.first == name ? 1 : 0;
        return n;
    }
};

struct Reply {
    int status = 200;
    std::string body = "{}";
    std::string contentType = "application/json";
    std::map<std::string, std::string> headers;
    std::chrono::milliseconds delay{0};  ///< wait before answering (interrupted by shutdown)
};

class TestHttpServer {
public:
    /// `handler` gets the request number (0-based) and the request; runs on server threads.
    using Handler = std::function<Reply(int index, const ReceivedRequest& request)>;

    explicit TestHttpServer(Handler handler)
        : state_(std::make_shared<State>()), pool_(2, 16), socket_(Poco::Net::SocketAddress("127.0.0.1", 0)) {
        state_->handler = std::move(handler);
        auto* params = new Poco::Net::HTTPServerParams;
        params->setKeepAlive(true);
        params->setKeepAliveTimeout(Poco::Timespan(10, 0));
        params->setMaxThreads(16);
        server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(state_), pool_, socket_, params);
        server_->start();
    }
    ~TestHttpServer() {
        {
            std::lock_guard<std::mutex> lock(state_->mutex);
            state_->closing = true;
        }
        state_->wake.notify_all();
        server_->stopAll(true);
        pool_.joinAll();
    }
    TestHttpServer(const TestHttpServer&) = delete;
    TestHttpServer& operator=(const TestHttpServer&) = delete;

    int port() const { return socket_.address().port(); }
    std::string baseUrl() const { return "http://127.0.0.1:" + std::to_string(port()); }
    int requestCount() const {
        std::lock_guard<std::mutex> lock(state_->mutex);
        return static_cast<int>(state_->requests.size());
    }
    std::vector<ReceivedRequest> requests() const {
        std::lock_guard<std::mutex> lock(state_->mutex);
        return state_->requests;
    }
    /// TCP connections the server accepted so far.
    int connectionCount() const { return server_->totalConnections(); }

private:
    struct State {
        Handler handler;
        mutable std::mutex mutex;
        std::condition_variable wake;
        bool closing = false;
        std::vector<ReceivedRequest> requests;
    };

    class RequestHandler : public Poco::Net::HTTPRequestHandler {
    public:
        explicit RequestHandler(std::shared_ptr<State> state) : state_(std::move(state)) {}
        void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
            ReceivedRequest r;
            r.method = request.getMethod();
            r.uri = request.getURI();
            for (const auto& [name, value] : request) {
                r.headers[Poco::toLower(name)] = value;
                r.allHeaders.emplace_back(Poco::toLower(name), value);
            }
            Poco::StreamCopier::copyToString(request.stream(), r.body);
            int index = 0;
            {
                std::lock_guard<std::mutex> lock(state_->mutex);
                index = static_cast<int>(state_->requests.size());
                state_->requests.push_back(r);
            }
            Reply reply;
            try {
                reply = state_->handler(index, r);
            } catch (...) {
                reply.status = 500;
                reply.body = "handler threw";
            }
            if (reply.delay.count() > 0) {
                std::unique_lock<std::mutex> lock(state_->mutex);
                state_->wake.wait_for(lock, reply.delay, [this] { return state_->closing; });
            }
            response.setStatus(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(reply.status));
            response.setContentType(reply.contentType);
            for (const auto& [name, value] : reply.headers) response.set(name, value);
            response.setContentLength64(static_cast<Poco::Int64>(reply.body.size()));
            response.sendBuffer(reply.body.data(), reply.body.size());
        }

    private:
        std::shared_ptr<State> state_;
    };

    class Factory : public Poco::Net::HTTPRequestHandlerFactory {
    public:
        explicit Factory(std::shared_ptr<State> state) : state_(std::move(state)) {}
        Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
            return new RequestHandler(state_);
        }

    private:
        std::shared_ptr<State> state_;
    };

    std::shared_ptr<State> state_;
    Poco::ThreadPool pool_;
    Poco::Net::ServerSocket socket_;
    std::unique_ptr<Poco::Net::HTTPServer> server_;
};

/// Reply with a JSON body and status.
inline Reply jsonReply(int status, std::string body) {
    Reply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

/// Milliseconds elapsed while running `fn`.
template <typename F>
long long elapsedMs(F&& fn) {
    const auto start = std::chrono::steady_clock::now();
    fn();
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace zt::test
