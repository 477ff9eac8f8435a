-- users: one row per account; e-mail addresses are unique (POST /users answers 409 on a duplicate).
CREATE TABLE users (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT        NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    email       TEXT        NOT NULL CHECK (length(email) BETWEEN 3 AND 320),
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT users_email_key UNIQUE (email)
);
