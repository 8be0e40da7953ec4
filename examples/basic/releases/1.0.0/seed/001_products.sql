INSERT INTO products (sku, title, price_cents) VALUES
  ('BK-001', 'The Pragmatic Programmer', 4200),
  ('BK-002', 'Designing Data-Intensive Applications', 4800),
  ('BK-003', 'SQL Performance Explained', 3500);
