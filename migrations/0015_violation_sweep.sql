-- The scheduler's claim token (issue 6). A daemon claims a job by
-- compare-and-set on `claims` (the row version its decision was made on) and
-- records the end of its run only while the row still carries its claim; a
-- lease is held by someone until some time, or not at all.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

ALTER TABLE job_runs
    ADD COLUMN claims bigint NOT NULL DEFAULT 0 CHECK (claims >= 0),
    ADD CONSTRAINT job_runs_lease_whole CHECK ((leased_by IS NULL) = (lease_until IS NULL));
