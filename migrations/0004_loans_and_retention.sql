-- Loans of paper dossiers, retention rules, legal holds, the destruction register.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- How each classification level may be lent (RULES.md "Loans"; defaults, editable rows).
CREATE TABLE loan_rules (
    level          text PRIMARY KEY CHECK (level IN ('internal', 'secret', 'confidential', 'top_secret')),
    lendable       boolean NOT NULL,
    mode           text CHECK (mode IN ('takeout', 'reading_room')),
    max_duration   interval CHECK (max_duration > interval '0'),
    same_day       boolean NOT NULL DEFAULT false,   -- must be back the day it left
    approver_role  text CHECK (approver_role IN ('manager', 'director')),
    CHECK (NOT lendable OR (mode IS NOT NULL AND max_duration IS NOT NULL AND approver_role IS NOT NULL))
);
INSERT INTO loan_rules (level, lendable, mode, max_duration, same_day, approver_role) VALUES
    ('internal',     true,  'takeout',      interval '7 days',  false, 'manager'),
    ('secret',       true,  'takeout',      interval '4 hours', false, 'director'),
    ('confidential', true,  'reading_room', interval '1 day',   true,  'director'),
    ('top_secret',   false, NULL,           NULL,              false, NULL);

CREATE TABLE loans (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- L<id>
    dossier_id          bigint NOT NULL REFERENCES dossiers (id),
    dept_id             bigint NOT NULL REFERENCES departments (id),  -- the owning department
    borrower_id         bigint NOT NULL REFERENCES users (id),
    purpose             text NOT NULL CHECK (length(purpose) >= 1),
    mode                text NOT NULL CHECK (mode IN ('takeout', 'reading_room')),
    requested_duration  interval NOT NULL CHECK (requested_duration > interval '0'),
    status              text NOT NULL DEFAULT 'requested'
                        CHECK (status IN ('requested', 'approved', 'out', 'returned', 'rejected', 'withdrawn')),
    approval_id         bigint REFERENCES approvals (id),
    requested_at        timestamptz NOT NULL DEFAULT now(),
    approved_at         timestamptz,
    checked_out_at      timestamptz,
    checked_out_by      bigint REFERENCES users (id),
    due_at              timestamptz,      -- starts at check-out
    returned_at         timestamptz,
    returned_by         bigint REFERENCES users (id),
    return_complete     boolean,
    return_note         text,
    CHECK (status <> 'out' OR (checked_out_at IS NOT NULL AND due_at IS NOT NULL)),
    CHECK (status <> 'returned' OR (returned_at IS NOT NULL AND return_complete IS NOT NULL))
);
-- At most one active loan per dossier, whoever writes and however they race.
CREATE UNIQUE INDEX loans_one_active_per_dossier ON loans (dossier_id)
    WHERE status IN ('requested', 'approved', 'out');
CREATE INDEX loans_borrower_idx ON loans (borrower_id);
CREATE INDEX loans_dept_status_idx ON loans (dept_id, status);
CREATE INDEX loans_due_idx ON loans (due_at) WHERE status = 'out';

ALTER TABLE approvals ADD CONSTRAINT approvals_loan_fk FOREIGN KEY (loan_id) REFERENCES loans (id);

-- Retention per category (RULES.md defaults), counted from filing or from the
-- customer relationship's end.
CREATE TABLE retention_rules (
    category    text PRIMARY KEY CHECK (category IN ('HT', 'BJ', 'DD', 'KH', 'XY', 'TS', 'HD', 'BG')),
    years       int NOT NULL CHECK (years BETWEEN 1 AND 100),
    trigger     text NOT NULL CHECK (trigger IN ('filed', 'closed')),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO retention_rules (category, years, trigger) VALUES
    ('HT', 5, 'filed'), ('BJ', 5, 'filed'), ('DD', 5, 'filed'),
    ('KH', 5, 'closed'), ('XY', 5, 'closed'),
    ('TS', 3, 'filed'), ('HD', 3, 'filed'), ('BG', 3, 'filed');

-- 冻结: a legal hold blocks deletion and destruction until released.
CREATE TABLE legal_holds (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id      bigint NOT NULL REFERENCES dossiers (id),
    dept_id         bigint NOT NULL REFERENCES departments (id),
    reason          text NOT NULL CHECK (length(reason) >= 1),
    placed_by       bigint NOT NULL REFERENCES users (id),
    placed_at       timestamptz NOT NULL DEFAULT now(),
    released_by     bigint REFERENCES users (id),
    released_at     timestamptz,
    release_reason  text,
    CHECK ((released_at IS NULL) = (released_by IS NULL))
);
CREATE UNIQUE INDEX legal_holds_one_active ON legal_holds (dossier_id) WHERE released_at IS NULL;

-- Enforced here, not only in Swift: a held dossier is neither deleted nor destroyed.
CREATE FUNCTION refuse_removal_under_hold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM legal_holds h WHERE h.dossier_id = NEW.id AND h.released_at IS NULL) THEN
        RAISE EXCEPTION 'dossier % is under a legal hold', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'dossiers_legal_hold';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER dossiers_legal_hold
    BEFORE UPDATE OF status ON dossiers
    FOR EACH ROW WHEN (NEW.status IN ('deleted', 'purged', 'destroyed') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION refuse_removal_under_hold();

-- The permanent destruction register (销毁清册). Never updated, never deleted.
CREATE TABLE destructions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id    bigint NOT NULL REFERENCES dossiers (id),
    number        text NOT NULL,
    category      text NOT NULL,
    level         text NOT NULL,
    dept_id       bigint NOT NULL REFERENCES departments (id),
    what          text NOT NULL,           -- description kept after the content is gone
    reason        text NOT NULL,
    method        text NOT NULL CHECK (method IN ('shred', 'erase')),
    requested_by  bigint NOT NULL REFERENCES users (id),
    approved_by   bigint[] NOT NULL,
    approval_id   bigint REFERENCES approvals (id),
    destroyed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX destructions_dept_idx ON destructions (dept_id);

CREATE FUNCTION refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are permanent: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER destructions_permanent
    BEFORE UPDATE OR DELETE ON destructions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER destructions_no_truncate
    BEFORE TRUNCATE ON destructions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER change_history_permanent
    BEFORE UPDATE OR DELETE ON change_history
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
