-- payments live in their own database (isolation "isolated"); an Idempotency-Key is unique, so a
-- retried POST /payments replays the first payment instead of charging twice.
CREATE TABLE payments (
    id               BIGSERIAL PRIMARY KEY,
    order_id         BIGINT      NOT NULL,
    amount_cents     BIGINT      NOT NULL CHECK (amount_cents > 0),
    currency         CHAR(3)     NOT NULL,
    status           TEXT        NOT NULL DEFAULT 'captured',
    idempotency_key  TEXT,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT payments_idempotency_key_key UNIQUE (idempotency_key)
);
