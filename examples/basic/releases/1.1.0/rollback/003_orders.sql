DROP TABLE order_items;
DROP TABLE orders;
DROP FUNCTION orders_check_placed_at();
DROP TYPE order_status;
