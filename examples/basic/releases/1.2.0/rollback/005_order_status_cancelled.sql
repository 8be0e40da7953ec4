-- PostgreSQL cannot drop a value from an enum, so the type is rebuilt without
-- 'cancelled'. Runs after the view's rollback (rollback files run in reverse
-- migration order), so nothing else uses the type any more. An order still
-- cancelled cannot be converted: the rollback then fails and changes nothing.
ALTER TYPE order_status RENAME TO order_status_with_cancelled;
CREATE TYPE order_status AS ENUM ('pending', 'paid', 'shipped');
ALTER TABLE orders ALTER COLUMN status DROP DEFAULT;
ALTER TABLE orders ALTER COLUMN status TYPE order_status USING status::text::order_status;
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'pending';
DROP TYPE order_status_with_cancelled;
