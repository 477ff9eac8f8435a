// Bare Poco HTTPServer hello-world: the ceiling bench/run compares zintrust-host's /health against.
// Same server settings as host/src/http/HttpServer.cpp (ThreadPool(2, maxThreads+1), maxThreads 256,
// maxQueued 1024, keep-alive 5 s, 10000 requests per connection, 10 s timeout), no filters, no
// routing, no logging: every request gets a small JSON body.
//   bare-poco PORT [MAX_THREADS]     stops on SIGTERM/SIGINT
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/ThreadPool.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

class Hello : public Poco::Net::HTTPRequestHandler {
public:
    void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override {
        request.stream().ignore(1 << 20);  // drain any body so keep-alive stays valid
        static const std::string body = "{\"status\":\"healthy\"}";
        response.setContentType("application/json");
        response.setContentLength64(static_cast<Poco::Int64>(body.size()));
        response.sendBuffer(body.data(), body.size());
    }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
public:
    Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override {
        return new Hello;
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s PORT [MAX_THREADS]\n", argv[0]);
        return 2;
    }
    const int port = std::atoi(argv[1]);
    const int maxThreads = argc > 2 ? std::atoi(argv[2]) : 256;

    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGTERM);
    sigaddset(&stopSignals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);  // inherited by every server thread

    Poco::Net::ServerSocket socket;
    socket.bind(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)), true, false);
    socket.listen(256);
    Poco::ThreadPool threads(2, maxThreads + 1, 60, 0);
    auto* params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(maxThreads);
    params->setMaxQueued(1024);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(5, 0));
    params->setMaxKeepAliveRequests(10000);
    params->setTimeout(Poco::Timespan(10, 0));
    params->setServerName("bare-poco");
    Poco::Net::HTTPServer server(new Factory, threads, socket, params);
    server.start();
    std::printf("bare-poco on 127.0.0.1:%d (maxThreads %d)\n", port, maxThreads);
    std::fflush(stdout);

    int sig = 0;
    sigwait(&stopSignals, &sig);
    server.stop();
    server.stopAll(true);
    threads.joinAll();
    return 0;
}
