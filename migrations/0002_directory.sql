-- Departments, users, BI logins, the working-day calendar.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE TABLE departments (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The code is the first part of every archive number (SH-HT-2026-0001).
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9]{0,9}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    login          text NOT NULL UNIQUE CHECK (login ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    dept_id        bigint NOT NULL REFERENCES departments (id),
    role           text NOT NULL CHECK (role IN ('rep', 'manager', 'archivist', 'director', 'auditor', 'admin')),
    line           text NOT NULL DEFAULT 'sales' CHECK (line IN ('sales', 'service')),
    -- bcrypt via pgcrypto: crypt(password, gen_salt('bf', 10)). Never granted for reading.
    password_hash  text NOT NULL CHECK (password_hash LIKE '$2_$%'),
    active         boolean NOT NULL DEFAULT true,
    left_at        timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (active OR left_at IS NOT NULL)
);
CREATE INDEX users_dept_idx ON users (dept_id);

-- Failed AUTH attempts, for the lockout rule (5 in 15 minutes).
CREATE TABLE auth_failures (
    login  text NOT NULL,
    at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auth_failures_login_at_idx ON auth_failures (login, at);

-- PostgreSQL logins of BI tools and the department they may read
-- (NULL: the whole company). Created with `dossierd bi-login`.
CREATE TABLE bi_logins (
    role_name   name PRIMARY KEY,
    dept_id     bigint REFERENCES departments (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- Exceptions to Monday–Friday: public holidays on weekdays, make-up working
-- days (调休) on weekends.
CREATE TABLE calendar_days (
    day     date PRIMARY KEY,
    kind    text NOT NULL CHECK (kind IN ('workday', 'holiday')),
    note    text NOT NULL DEFAULT '',
    set_by  bigint REFERENCES users (id),
    set_at  timestamptz NOT NULL DEFAULT now()
);

-- Leases of scheduled jobs (penalty sweep, purge): one daemon runs each.
CREATE TABLE job_runs (
    job          text PRIMARY KEY,
    leased_by    text,
    lease_until  timestamptz,
    last_started timestamptz,
    last_done    timestamptz,
    last_result  text
);
