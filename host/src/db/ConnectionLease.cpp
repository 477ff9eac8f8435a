#include "db/ConnectionLease.h"

#include "db/ConnectionPool.h"

namespace zt::db {

ConnectionLease::ConnectionLease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

ConnectionLease::~ConnectionLease() { release(); }

ConnectionLease::ConnectionLease(ConnectionLease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)) {
    other.pool_ = nullptr;
}

ConnectionLease& ConnectionLease::operator=(ConnectionLease&& other) noexcept {
    if (this != &other) {
        release();
        pool_ = other.pool_;
        connection_ = std::move(other.connection_);
        other.pool_ = nullptr;
    }
    return *this;
}

void ConnectionLease::release() {
    if (pool_ && connection_) pool_->giveBack(std::move(connection_));
    connection_.reset();
    pool_ = nullptr;
}

}  // namespace zt::db
