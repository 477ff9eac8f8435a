#include "db/ConnectionSettings.h"

#include <algorithm>

namespace zt::db {

ConnectionSettings ConnectionSettings::fromDatabaseSettings(const config::DatabaseSettings& s) {
    ConnectionSettings c;
    c.host = s.host;
    c.port = s.port;
    c.database = s.database;
    c.user = s.username;
    c.password = s.password;
    c.connectTimeoutSeconds = std::max(2, (s.poolConnectionTimeoutMs + 999) / 1000);
    return c;
}

ConnectionSettings ConnectionSettings::withDatabase(std::string name) const {
    ConnectionSettings c = *this;
    c.database = std::move(name);
    return c;
}

std::string ConnectionSettings::connectionString() const {
    std::string s = "host=" + host + " port=" + std::to_string(port) + " dbname=" + database + " user=" + user;
    if (!password.empty()) s += " password=" + password;
    s += " connect_timeout=" + std::to_string(connectTimeoutSeconds);
    return s;
}

std::string ConnectionSettings::endpoint() const { return host + ":" + std::to_string(port) + "/" + database; }

}  // namespace zt::db
