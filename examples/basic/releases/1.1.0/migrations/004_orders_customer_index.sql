-- squizzle:no-transaction
-- Built without locking writes on a live table; runs outside any transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_id_idx ON orders (customer_id);
