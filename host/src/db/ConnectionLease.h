#pragma once
// RAII loan of one pooled connection. Move-only; the destructor gives the connection back (reset
// first, or closed if it is broken). The pool must outlive its leases.
#include <memory>

#include "db/Connection.h"

namespace zt::db {

class ConnectionPool;

class ConnectionLease {
public:
    ConnectionLease() = default;
    ConnectionLease(ConnectionPool* pool, std::unique_ptr<Connection> connection);
    ~ConnectionLease();
    ConnectionLease(ConnectionLease&& other) noexcept;
    ConnectionLease& operator=(ConnectionLease&& other) noexcept;
    ConnectionLease(const ConnectionLease&) = delete;
    ConnectionLease& operator=(const ConnectionLease&) = delete;

    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }
    explicit operator bool() const noexcept { return connection_ != nullptr; }

    /// Returns the connection now (idempotent).
    void release();

private:
    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<Connection> connection_;
};

}  // namespace zt::db
