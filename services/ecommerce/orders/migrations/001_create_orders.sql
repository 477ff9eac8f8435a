-- orders and their items; an order and its items are written in one transaction.
CREATE TABLE orders (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT      NOT NULL,
    status       TEXT        NOT NULL DEFAULT 'created',
    total_cents  BIGINT      NOT NULL CHECK (total_cents >= 0),
    currency     CHAR(3)     NOT NULL DEFAULT 'EUR',
    payment_id   BIGINT,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX orders_user_id_idx ON orders (user_id);

CREATE TABLE order_items (
    id           BIGSERIAL PRIMARY KEY,
    order_id     BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    sku          TEXT    NOT NULL,
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    price_cents  BIGINT  NOT NULL CHECK (price_cents >= 0)
);
CREATE INDEX order_items_order_id_idx ON order_items (order_id);
