-- Uses the enum value added by the previous file: the two run in separate
-- transactions because a new enum value is unusable until committed.
CREATE VIEW revenue_by_customer AS
SELECT c.id AS customer_id,
       c.email,
       coalesce(sum(i.quantity * i.price_cents), 0) AS revenue_cents
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.id AND o.status <> 'cancelled'
LEFT JOIN order_items i ON i.order_id = o.id
GROUP BY c.id, c.email;
