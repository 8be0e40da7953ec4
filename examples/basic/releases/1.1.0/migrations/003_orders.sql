CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');

CREATE TABLE orders (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id  bigint       NOT NULL REFERENCES customers (id),
  status       order_status NOT NULL DEFAULT 'pending',
  placed_at    timestamptz  NOT NULL DEFAULT now()
);

CREATE TABLE order_items (
  order_id     bigint  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id   bigint  NOT NULL REFERENCES products (id),
  quantity     integer NOT NULL CHECK (quantity > 0),
  price_cents  integer NOT NULL,
  PRIMARY KEY (order_id, product_id)
);

-- Keeps placed_at honest: an order cannot be placed in the future.
CREATE FUNCTION orders_check_placed_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.placed_at > now() + interval '1 minute' THEN
    RAISE EXCEPTION 'placed_at % is in the future', NEW.placed_at;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER orders_placed_at BEFORE INSERT OR UPDATE ON orders
  FOR EACH ROW EXECUTE FUNCTION orders_check_placed_at();
