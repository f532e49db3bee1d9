-- examples/warehouse/views.sql - the views over the warehouse tables that
-- examples/scripts/warehouse fills (invoices from Odoo, gl_entries from
-- NAV, payments from BNG); run by the script after each load, so safe to
-- run again (CREATE OR REPLACE).

-- Each invoice against what was paid: Odoo's own view of it (total less
-- what is still due) and BNG's payments naming it; "difference" is what
-- the two disagree on, 0 when they agree.
CREATE OR REPLACE VIEW invoice_payments AS
SELECT i.invoice_no, i.customer, i.invoice_date, i.currency, i.amount_total,
       i.amount_total - i.amount_due AS paid_in_odoo,
       coalesce(p.paid, 0) AS paid_in_bng,
       (i.amount_total - i.amount_due) - coalesce(p.paid, 0) AS difference
FROM invoices i
LEFT JOIN (SELECT invoice_no, sum(amount) AS paid FROM payments
           WHERE invoice_no IS NOT NULL GROUP BY invoice_no) p USING (invoice_no);

-- Per month: what Odoo invoiced, what BNG was paid, and the movement of
-- NAV's ledger (its debits and credits), side by side for the controller.
CREATE OR REPLACE VIEW monthly_control AS
WITH m AS (
  SELECT date_trunc('month', invoice_date)::date AS month, sum(amount_total) AS invoiced,
         0::numeric AS paid, 0::numeric AS gl_debit, 0::numeric AS gl_credit
  FROM invoices WHERE invoice_date IS NOT NULL GROUP BY 1
  UNION ALL
  SELECT date_trunc('month', payment_date)::date, 0, sum(amount), 0, 0 FROM payments GROUP BY 1
  UNION ALL
  SELECT date_trunc('month', posting_date)::date, 0, 0, sum(debit), sum(credit)
  FROM gl_entries WHERE posting_date IS NOT NULL GROUP BY 1)
SELECT month, sum(invoiced) AS invoiced, sum(paid) AS paid,
       sum(gl_debit) AS gl_debit, sum(gl_credit) AS gl_credit
FROM m GROUP BY month ORDER BY month;
