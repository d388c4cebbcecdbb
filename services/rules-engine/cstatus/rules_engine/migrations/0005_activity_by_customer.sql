-- Issue 19: a decision reads only what its rules can still see of a customer's history, by index
-- range scans per customer (adapters/activity_store.load_visible): every event of a business id,
-- events of a type by time (windows, first and last activity), bookings by arrival date.
CREATE INDEX IF NOT EXISTS activity_customer_ref ON activity (tenant, customer, ref);
CREATE INDEX IF NOT EXISTS activity_customer_type_time
    ON activity (tenant, customer, type, time, event_id);
CREATE INDEX IF NOT EXISTS activity_customer_arrival ON activity (tenant, customer, arrival_date)
    WHERE type = 'reservation.booked';
