-- Customers, dossiers, items, archive numbers, change history, approvals,
-- access grants, handovers.
--
-- Register and content live in separate tables because RULES.md gives them
-- different audiences: row-level security decides rows, so the register card
-- (dossiers, customers) and the content (dossier_contents, items,
-- customer_details) each get the policy of their own audience.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- Gapless customer numbers per year: C-YYYY-NNNNN.
CREATE TABLE customer_counters (
    year     int PRIMARY KEY CHECK (year BETWEEN 2000 AND 9999),
    last_no  int NOT NULL CHECK (last_no >= 0)
);

-- The company-wide customer directory entry: number, name, owner, department.
CREATE TABLE customers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number        text NOT NULL UNIQUE CHECK (number ~ '^C-[0-9]{4}-[0-9]{5,}$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    owner_id      bigint NOT NULL REFERENCES users (id),
    dept_id       bigint NOT NULL REFERENCES departments (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- Last refresh of the customer's data (STALE_CUSTOMER counts from here).
    updated_at    timestamptz NOT NULL DEFAULT now(),
    -- 客户终止合作: starts retention of KH/XY dossiers.
    closed_on     date,
    closed_reason text,
    -- Personal data purged by a destruction.
    purged_at     timestamptz
);
CREATE INDEX customers_owner_idx ON customers (owner_id);
CREATE INDEX customers_dept_idx ON customers (dept_id);

-- Details: visible as the content of the customer's dossiers.
CREATE TABLE customer_details (
    customer_id      bigint PRIMARY KEY REFERENCES customers (id),
    kind             text NOT NULL DEFAULT 'company' CHECK (kind IN ('company', 'person')),
    -- 统一社会信用代码 (GB 32100-2015); the check character is verified by the daemon.
    credit_code      text CHECK (credit_code ~ '^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$'),
    legal_rep        text,
    contact          text,
    phone            text,
    email            text,
    address          text,
    industry         text,
    region           text,
    grade            text CHECK (grade IN ('VIP', 'A', 'B', 'C')),
    credit_rating    text,
    credit_limit_fen bigint CHECK (credit_limit_fen >= 0)
);
CREATE UNIQUE INDEX customer_details_credit_code_key ON customer_details (credit_code) WHERE credit_code IS NOT NULL;

-- Gapless archive numbers per (department, category, year).
CREATE TABLE archive_counters (
    dept_id   bigint NOT NULL REFERENCES departments (id),
    category  text NOT NULL,
    year      int NOT NULL CHECK (year BETWEEN 2000 AND 9999),
    last_no   int NOT NULL CHECK (last_no >= 0),
    PRIMARY KEY (dept_id, category, year)
);

-- The register card of a dossier and its lifecycle. Title and customer appear
-- here only for `internal` dossiers (the register shows them); the authoritative
-- copies are in dossier_contents, kept in sync by a trigger below.
CREATE TABLE dossiers (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- reference D<id>
    dept_id               bigint NOT NULL REFERENCES departments (id),
    category              text NOT NULL CHECK (category IN ('HT', 'BJ', 'DD', 'KH', 'XY', 'TS', 'HD', 'BG')),
    level                 text NOT NULL DEFAULT 'internal'
                          CHECK (level IN ('internal', 'secret', 'confidential', 'top_secret')),
    scope                 text NOT NULL DEFAULT 'personal' CHECK (scope IN ('personal', 'department', 'company')),
    status                text NOT NULL DEFAULT 'draft'
                          CHECK (status IN ('draft', 'submitted', 'filed', 'on_loan', 'deleted', 'purged', 'destroyed')),
    owner_id              bigint NOT NULL REFERENCES users (id),
    -- 档号, assigned in the transaction that approves the filing.
    number                text UNIQUE CHECK (number ~ '^[A-Z][A-Z0-9]*-(HT|BJ|DD|KH|XY|TS|HD|BG)-[0-9]{4}-[0-9]{4,}$'),
    filed_year            int,
    filed_seq             int CHECK (filed_seq >= 1),
    register_title        text,
    register_customer_id  bigint REFERENCES customers (id),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    submitted_at          timestamptz,
    filed_at              timestamptz,
    -- Deletion grace: restorable until purge_after; status_before_delete says where RESTORE returns.
    deleted_at            timestamptz,
    purge_after           timestamptz,
    status_before_delete  text CHECK (status_before_delete IN ('draft', 'submitted', 'filed')),
    purged_at             timestamptz,
    destroyed_at          timestamptz,
    -- Computed from the retention rule of the category (set-based recomputation).
    retain_until          date,
    UNIQUE (dept_id, category, filed_year, filed_seq),
    CHECK ((number IS NULL) = (filed_seq IS NULL)),
    CHECK (status NOT IN ('filed', 'on_loan', 'destroyed') OR number IS NOT NULL),
    CHECK (status <> 'deleted' OR (deleted_at IS NOT NULL AND purge_after IS NOT NULL)),
    CHECK (level = 'internal' OR (register_title IS NULL AND register_customer_id IS NULL))
);
CREATE INDEX dossiers_dept_idx ON dossiers (dept_id);
CREATE INDEX dossiers_owner_idx ON dossiers (owner_id);
CREATE INDEX dossiers_status_idx ON dossiers (status);
CREATE INDEX dossiers_register_customer_idx ON dossiers (register_customer_id);
CREATE INDEX dossiers_retain_until_idx ON dossiers (retain_until) WHERE status IN ('filed', 'on_loan');

-- The content of a dossier (purged on destruction; the register card stays).
CREATE TABLE dossier_contents (
    dossier_id   bigint PRIMARY KEY REFERENCES dossiers (id),
    customer_id  bigint NOT NULL REFERENCES customers (id),
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    location     text NOT NULL DEFAULT '',   -- paper location of the whole dossier (存址)
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dossier_contents_customer_idx ON dossier_contents (customer_id);

-- 卷内文件: the items of a dossier.
CREATE TABLE items (
    dossier_id       bigint NOT NULL REFERENCES dossiers (id),
    item_no          int NOT NULL CHECK (item_no >= 1),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 500),
    pages            int NOT NULL DEFAULT 0 CHECK (pages >= 0),
    medium           text NOT NULL DEFAULT 'paper' CHECK (medium IN ('paper', 'electronic', 'both')),
    location         text NOT NULL DEFAULT '',   -- cabinet/shelf/box
    uri              text,
    sha256           text CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    signed_customer  boolean NOT NULL DEFAULT false,
    signed_internal  boolean NOT NULL DEFAULT false,
    added_by         bigint REFERENCES users (id),
    added_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dossier_id, item_no)
);

-- Every approved change of a dossier or customer: nothing is updated in place without a record.
CREATE TABLE change_history (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id    bigint REFERENCES dossiers (id),
    customer_id   bigint REFERENCES customers (id),
    dept_id       bigint NOT NULL REFERENCES departments (id),
    field         text NOT NULL,
    old_value     text,
    new_value     text,
    reason        text NOT NULL,
    requested_by  bigint NOT NULL REFERENCES users (id),
    approved_by   bigint REFERENCES users (id),
    approval_id   bigint,
    changed_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(dossier_id, customer_id) = 1)
);
CREATE INDEX change_history_dossier_idx ON change_history (dossier_id, changed_at);
CREATE INDEX change_history_customer_idx ON change_history (customer_id, changed_at);

-- One approval mechanism for every kind of request.
CREATE TABLE approvals (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- A<id>
    kind          text NOT NULL CHECK (kind IN ('file', 'edit', 'customer_edit', 'delete', 'access',
                                                'loan', 'extend', 'destroy', 'waive')),
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
    dept_id       bigint NOT NULL REFERENCES departments (id),
    requester_id  bigint NOT NULL REFERENCES users (id),
    dossier_id    bigint REFERENCES dossiers (id),
    customer_id   bigint REFERENCES customers (id),
    loan_id       bigint,      -- FK added with the loans table
    penalty_id    bigint,      -- FK added with the penalties table
    -- What was asked for (changed fields, hours, purpose, …), applied on the last approval.
    payload       jsonb NOT NULL DEFAULT '{}',
    reason        text,
    current_step  int NOT NULL DEFAULT 1 CHECK (current_step >= 1),
    step_count    int NOT NULL CHECK (step_count BETWEEN 1 AND 5),
    created_at    timestamptz NOT NULL DEFAULT now(),
    decided_at    timestamptz,
    CHECK (current_step <= step_count),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX approvals_dept_status_idx ON approvals (dept_id, status);
CREATE INDEX approvals_requester_idx ON approvals (requester_id);
CREATE INDEX approvals_dossier_idx ON approvals (dossier_id);

CREATE TABLE approval_steps (
    approval_id       bigint NOT NULL REFERENCES approvals (id),
    step_no           int NOT NULL CHECK (step_no >= 1),
    approver_role     text NOT NULL CHECK (approver_role IN ('manager', 'director')),
    approver_dept_id  bigint REFERENCES departments (id),   -- NULL: any director
    requester_id      bigint NOT NULL REFERENCES users (id),
    decision          text CHECK (decision IN ('approved', 'rejected')),
    decided_by        bigint REFERENCES users (id),
    comment           text,
    decided_at        timestamptz,
    PRIMARY KEY (approval_id, step_no),
    -- Nobody approves their own request, whoever writes.
    CONSTRAINT approval_steps_not_self CHECK (decided_by IS NULL OR decided_by <> requester_id),
    CHECK ((decision IS NULL) = (decided_by IS NULL))
);

-- Time-boxed read access to one dossier; expiry is a policy condition on time.
CREATE TABLE access_grants (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dossier_id   bigint NOT NULL REFERENCES dossiers (id),
    dept_id      bigint NOT NULL REFERENCES departments (id),
    grantee_id   bigint NOT NULL REFERENCES users (id),
    approval_id  bigint REFERENCES approvals (id),
    purpose      text NOT NULL,
    starts_at    timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    CHECK (expires_at > starts_at)
);
CREATE INDEX access_grants_grantee_idx ON access_grants (grantee_id, dossier_id, expires_at);
CREATE INDEX access_grants_dept_idx ON access_grants (dept_id);

-- Handover when someone leaves: the list of what moved.
CREATE TABLE handovers (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dept_id       bigint NOT NULL REFERENCES departments (id),
    leaver_id     bigint NOT NULL REFERENCES users (id),
    successor_id  bigint NOT NULL REFERENCES users (id),
    performed_by  bigint REFERENCES users (id),
    performed_at  timestamptz NOT NULL DEFAULT now(),
    customers     int NOT NULL CHECK (customers >= 0),
    dossiers      int NOT NULL CHECK (dossiers >= 0),
    CHECK (leaver_id <> successor_id)
);
CREATE TABLE handover_items (
    handover_id  bigint NOT NULL REFERENCES handovers (id),
    object_kind  text NOT NULL CHECK (object_kind IN ('customer', 'dossier')),
    object_id    bigint NOT NULL,
    reference    text NOT NULL,
    PRIMARY KEY (handover_id, object_kind, object_id)
);

-- Keep the register card's title/customer in step with the content, shown only
-- for `internal` dossiers. SECURITY DEFINER: the register card must follow even
-- when the writer cannot see the other table's row.
CREATE FUNCTION sync_register_from_content() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    UPDATE dossiers d
       SET register_title = CASE WHEN d.level = 'internal' THEN NEW.title END,
           register_customer_id = CASE WHEN d.level = 'internal' THEN NEW.customer_id END
     WHERE d.id = NEW.dossier_id;
    RETURN NULL;
END $$;
CREATE TRIGGER dossier_contents_sync_register
    AFTER INSERT OR UPDATE OF title, customer_id ON dossier_contents
    FOR EACH ROW EXECUTE FUNCTION sync_register_from_content();

CREATE FUNCTION sync_register_from_level() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
BEGIN
    IF NEW.level = 'internal' THEN
        SELECT c.title, c.customer_id INTO NEW.register_title, NEW.register_customer_id
          FROM dossier_contents c WHERE c.dossier_id = NEW.id;
    ELSE
        NEW.register_title := NULL;
        NEW.register_customer_id := NULL;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER dossiers_sync_register
    BEFORE UPDATE OF level ON dossiers
    FOR EACH ROW WHEN (OLD.level IS DISTINCT FROM NEW.level)
    EXECUTE FUNCTION sync_register_from_level();
