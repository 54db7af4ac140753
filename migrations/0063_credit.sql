-- Issue 15, part 4: credit management (客户信用档案, seed 003 篇5; seed 001
-- 客户信用; RULES.md category XY: credit limit, arrears, repayment plans).
--
-- The rating and the limit stay fields of customer_details, changed only by
-- CUSTOMER SET (approved, with change_history). What is new here:
--   * credit_receivables (R<n>): what a customer owes and by when — an arrear
--     recorded by CREDIT ARREARS (a sale on credit), or an instalment of a
--     repayment plan. amount_fen never changes; paid_fen grows with payments,
--     planned_fen (arrears only) with the part moved into a plan. Open is the
--     rest (open_fen).
--   * credit_plans (RP<n>): a repayment plan (还款计划) made by the manager
--     (CREDIT PLAN): open arrears, oldest due first, moved into instalments.
--   * credit_payments (RC<n>) and credit_settlements: a payment (CREDIT PAY)
--     and the receivables it settled, oldest due first; a plan's settlements
--     are the arrears it took over.
-- All of it is content of the customer: whoever sees the customer's details
-- sees its credit records (policies.sql). Money in fen; the protocol and the
-- reports show yuan. The flags over_limit and overdue (credit_standing) are
-- in CUSTOMER SHOW, CUSTOMER LIST flag= and TODO; the rating is the manager's
-- to change after a review (DossierDomain CreditFlag says why).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE credit_plans (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- RP<n>
    customer_id   bigint NOT NULL REFERENCES customers (id),
    dept_id       bigint NOT NULL REFERENCES departments (id),
    amount_fen    bigint NOT NULL CHECK (amount_fen BETWEEN 1 AND 100000000000),
    instalments   int NOT NULL CHECK (instalments BETWEEN 1 AND 120),
    first_due     date NOT NULL,
    -- `month` or `<n>d` (InstalmentSchedule.Interval).
    every         text NOT NULL CHECK (every ~ '^(month|[1-9][0-9]{0,2}d)$'),
    note          text CHECK (length(note) <= 2000),
    created_by    bigint NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_plans_customer_idx ON credit_plans (customer_id);

CREATE TABLE credit_receivables (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- R<n>
    customer_id   bigint NOT NULL REFERENCES customers (id),
    dept_id       bigint NOT NULL REFERENCES departments (id),
    -- NULL for an arrear; the plan and the instalment's number otherwise.
    plan_id       bigint REFERENCES credit_plans (id),
    instalment_no int CHECK (instalment_no BETWEEN 1 AND 120),
    amount_fen    bigint NOT NULL CHECK (amount_fen BETWEEN 1 AND 100000000000),
    paid_fen      bigint NOT NULL DEFAULT 0 CHECK (paid_fen >= 0),
    planned_fen   bigint NOT NULL DEFAULT 0 CHECK (planned_fen >= 0),
    open_fen      bigint GENERATED ALWAYS AS (amount_fen - paid_fen - planned_fen) STORED,
    -- Payable until the end of this day (the company's); overdue after it.
    due_on        date NOT NULL,
    note          text CHECK (length(note) <= 2000),
    created_by    bigint NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (paid_fen + planned_fen <= amount_fen),
    CHECK ((plan_id IS NULL) = (instalment_no IS NULL)),
    CHECK (plan_id IS NULL OR planned_fen = 0),
    UNIQUE (plan_id, instalment_no)
);
CREATE INDEX credit_receivables_customer_idx ON credit_receivables (customer_id, due_on);
-- Open receivables: the flags, TODO and the ageing report start here.
CREATE INDEX credit_receivables_open_idx ON credit_receivables (customer_id, due_on) WHERE open_fen > 0;
CREATE INDEX credit_receivables_dept_open_idx ON credit_receivables (dept_id, due_on) WHERE open_fen > 0;

CREATE TABLE credit_payments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- RC<n>
    customer_id   bigint NOT NULL REFERENCES customers (id),
    dept_id       bigint NOT NULL REFERENCES departments (id),
    amount_fen    bigint NOT NULL CHECK (amount_fen BETWEEN 1 AND 100000000000),
    paid_on       date NOT NULL,
    note          text CHECK (length(note) <= 2000),
    recorded_by   bigint NOT NULL REFERENCES users (id),
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX credit_payments_customer_idx ON credit_payments (customer_id, paid_on);

CREATE TABLE credit_settlements (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    receivable_id bigint NOT NULL REFERENCES credit_receivables (id),
    customer_id   bigint NOT NULL REFERENCES customers (id),
    dept_id       bigint NOT NULL REFERENCES departments (id),
    -- Exactly one: the payment that paid it, or the plan that took it over.
    payment_id    bigint REFERENCES credit_payments (id),
    plan_id       bigint REFERENCES credit_plans (id),
    amount_fen    bigint NOT NULL CHECK (amount_fen >= 1),
    CHECK ((payment_id IS NULL) <> (plan_id IS NULL))
);
CREATE INDEX credit_settlements_receivable_idx ON credit_settlements (receivable_id);
CREATE INDEX credit_settlements_payment_idx ON credit_settlements (payment_id);

-- A receivable's state on the company's today (ReceivableStatus says the same).
CREATE FUNCTION dossier.credit_receivable_state(p_open bigint, p_planned bigint, p_due date) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN p_open > 0 THEN CASE WHEN p_due < current_date THEN 'overdue' ELSE 'due' END
                WHEN p_planned > 0 THEN 'planned' ELSE 'paid' END
$$;

-- A customer's credit standing as the caller sees its receivables (with the
-- caller's rights: nothing for one who does not see the customer's details):
-- outstanding and overdue amounts, the oldest overdue due day, and the flags
-- (CreditFlag: over_limit when the outstanding amount exceeds the limit, a
-- missing limit counting as none granted; overdue when anything open is
-- past its due day).
CREATE FUNCTION dossier.credit_standing(p_customer bigint)
RETURNS TABLE (outstanding_fen bigint, overdue_fen bigint, overdue_count bigint, oldest_overdue date, flags text[])
LANGUAGE sql STABLE AS $$
    SELECT s.outstanding, s.overdue, s.overdue_count, s.oldest_overdue,
           array_remove(ARRAY[CASE WHEN s.outstanding > coalesce(cd.credit_limit_fen, 0) THEN 'over_limit' END,
                              CASE WHEN s.overdue_count > 0 THEN 'overdue' END], NULL)
      FROM (SELECT coalesce(sum(r.open_fen), 0)::int8 AS outstanding,
                   coalesce(sum(r.open_fen) FILTER (WHERE r.due_on < current_date), 0)::int8 AS overdue,
                   count(*) FILTER (WHERE r.due_on < current_date) AS overdue_count,
                   min(r.due_on) FILTER (WHERE r.due_on < current_date) AS oldest_overdue
              FROM dossier.credit_receivables r
             WHERE r.customer_id = p_customer AND r.open_fen > 0) s
      LEFT JOIN dossier.customer_details cd ON cd.customer_id = p_customer
$$;

-- The flags alone, as CUSTOMER SHOW and CUSTOMER LIST flag= use them.
CREATE FUNCTION dossier.credit_flags(p_customer bigint) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT s.flags FROM dossier.credit_standing(p_customer) s
$$;

-------------------------------------------------------------------------------
-- TODO: customers flagged for a credit review
-------------------------------------------------------------------------------
-- For the customer's owner and the department's manager: every customer of
-- theirs that is over its limit or has something overdue, `overdue` from the
-- day after the oldest overdue due day, else `waiting` (a review).
CREATE FUNCTION todo_credit() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN s.overdue_count > 0 THEN 'overdue' ELSE 'waiting' END,
           (s.oldest_overdue + 1)::timestamptz, 'credit', c.number,
           c.name || ': ' || array_to_string(s.flags, ', ')
               || ' (outstanding ' || dossier.wire_money(s.outstanding_fen)
               || coalesce(', limit ' || dossier.wire_money(cd.credit_limit_fen), ', no credit limit')
               || CASE WHEN s.overdue_count > 0
                       THEN ', overdue ' || dossier.wire_money(s.overdue_fen) || ' since ' || to_char(s.oldest_overdue, 'YYYY-MM-DD')
                       ELSE '' END || ')',
           'CREDIT SHOW ' || c.number
      FROM dossier.customers c
      JOIN dossier.customer_details cd ON cd.customer_id = c.id
     CROSS JOIN LATERAL dossier.credit_standing(c.id) s
     WHERE c.id IN (SELECT r.customer_id FROM dossier.credit_receivables r WHERE r.open_fen > 0)
       AND (c.owner_id = (SELECT dossier.actor_user_id())
            OR ((SELECT dossier.actor_role()) = 'manager' AND c.dept_id = (SELECT dossier.actor_dept_id())))
       AND cardinality(s.flags) > 0
$$;

CREATE OR REPLACE FUNCTION todo() RETURNS SETOF todo_item
LANGUAGE sql STABLE AS $$
    SELECT t.*
      FROM (SELECT * FROM dossier.todo_approvals()
            UNION ALL SELECT * FROM dossier.todo_drafts()
            UNION ALL SELECT * FROM dossier.todo_borrowed()
            UNION ALL SELECT * FROM dossier.todo_archive()
            UNION ALL SELECT * FROM dossier.todo_customers()
            UNION ALL SELECT * FROM dossier.todo_grants()
            UNION ALL SELECT * FROM dossier.todo_stuck_requests()
            UNION ALL SELECT * FROM dossier.todo_followups()
            UNION ALL SELECT * FROM dossier.todo_inspection_losses()
            UNION ALL SELECT * FROM dossier.todo_credit()) t
     ORDER BY array_position(ARRAY['overdue', 'today', 'waiting', 'soon'], t.urgency), t.due NULLS LAST, t.what, t.target
     LIMIT 1000
$$;

REVOKE ALL ON FUNCTION dossier.credit_receivable_state(bigint, bigint, date), dossier.credit_standing(bigint),
    dossier.credit_flags(bigint), todo_credit() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.credit_receivable_state(bigint, bigint, date), dossier.credit_standing(bigint),
    dossier.credit_flags(bigint) TO dossier_app, dossier_bi;
GRANT EXECUTE ON FUNCTION todo_credit() TO dossier_app;
GRANT SELECT, INSERT ON credit_plans, credit_payments, credit_settlements TO dossier_app;
GRANT SELECT, INSERT, UPDATE ON credit_receivables TO dossier_app;
GRANT SELECT ON credit_plans, credit_receivables, credit_payments, credit_settlements TO dossier_bi;
