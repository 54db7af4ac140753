-- Penalty rules (RULES.md defaults) and issued penalties. Money in integer fen.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE penalty_rules (
    code        text PRIMARY KEY CHECK (code ~ '^[A-Z][A-Z_]*$'),
    summary     text NOT NULL,
    amount_fen  bigint NOT NULL CHECK (amount_fen >= 0),
    min_fen     bigint NOT NULL CHECK (min_fen >= 0),
    max_fen     bigint NOT NULL,
    per         text NOT NULL CHECK (per IN ('occurrence', 'item')),
    auto        boolean NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (min_fen <= amount_fen AND amount_fen <= max_fen)
);
INSERT INTO penalty_rules (code, summary, amount_fen, min_fen, max_fen, per, auto) VALUES
    ('LATE_FILING',                'dossier not submitted within 3 working days (sales) / 1 (service)', 5000, 5000, 5000, 'occurrence', true),
    ('MISSING_CUSTOMER_SIGNATURE', 'item filed without the customer''s signature',                        2000, 2000, 2000, 'item',       true),
    ('MISSING_INTERNAL_SIGNATURE', 'item filed without the handler''s signature',                         2000, 2000, 2000, 'item',       true),
    ('STALE_CUSTOMER',             'customer not updated for a month',                                    2000, 2000, 2000, 'occurrence', true),
    ('OVERDUE_LOAN',               'loan not returned by its due time',                                   2000, 2000, 2000, 'occurrence', true),
    ('LOST_OR_DAMAGED',            'dossier lost or damaged',                                             2000, 2000, 50000, 'occurrence', false),
    ('UNAUTHORIZED_VIEW',          'viewed a dossier without approval',                                   5000, 5000, 5000, 'occurrence', false),
    ('ACCOUNT_SHARING',            'gave one''s account to someone else',                                 5000, 5000, 5000, 'occurrence', false);

-- Each row copies what it was computed from, so later rule or calendar
-- changes never rewrite issued penalties.
CREATE TABLE penalties (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- P<id>
    user_id          bigint NOT NULL REFERENCES users (id),
    dept_id          bigint NOT NULL REFERENCES departments (id),
    rule_code        text NOT NULL REFERENCES penalty_rules (code),
    base_amount_fen  bigint NOT NULL CHECK (base_amount_fen >= 0),
    qty              int NOT NULL DEFAULT 1 CHECK (qty >= 1),
    multiplier       int NOT NULL DEFAULT 1 CHECK (multiplier IN (1, 2)),
    amount_fen       bigint NOT NULL CHECK (amount_fen >= 0),
    ordinal_in_month int NOT NULL CHECK (ordinal_in_month >= 1),
    staff_line       text NOT NULL CHECK (staff_line IN ('sales', 'service')),
    occurred_on      date NOT NULL,
    period_start     timestamptz,
    period_end       timestamptz,
    -- What was violated ('loan:17', 'dossier:4', 'customer:9'); unique per period
    -- so reruns, crashes and racing daemons never charge an occurrence twice.
    violation_key    text,
    dossier_id       bigint REFERENCES dossiers (id),
    loan_id          bigint REFERENCES loans (id),
    customer_id      bigint REFERENCES customers (id),
    status           text NOT NULL DEFAULT 'charged' CHECK (status IN ('charged', 'waived')),
    note             text,
    recorded_by      bigint REFERENCES users (id),   -- NULL: the automatic sweep
    created_at       timestamptz NOT NULL DEFAULT now(),
    waived_at        timestamptz,
    waiver_approval_id bigint REFERENCES approvals (id),
    CHECK (amount_fen = base_amount_fen * qty * multiplier),
    CHECK ((status = 'waived') = (waived_at IS NOT NULL))
);
CREATE UNIQUE INDEX penalties_once_per_period ON penalties (rule_code, violation_key, period_start)
    WHERE violation_key IS NOT NULL;
CREATE INDEX penalties_user_month_idx ON penalties (user_id, occurred_on);
CREATE INDEX penalties_dept_month_idx ON penalties (dept_id, occurred_on);

-- Violations per user and calendar month: the row lock serializes concurrent
-- inserts for one user, so two cannot both believe they are the first.
CREATE TABLE penalty_month_counts (
    user_id     bigint NOT NULL REFERENCES users (id),
    month       date NOT NULL CHECK (extract(day FROM month) = 1),
    violations  int NOT NULL CHECK (violations >= 0),
    PRIMARY KEY (user_id, month)
);

ALTER TABLE approvals ADD CONSTRAINT approvals_penalty_fk FOREIGN KEY (penalty_id) REFERENCES penalties (id);
