DROP VIEW revenue_by_customer;
