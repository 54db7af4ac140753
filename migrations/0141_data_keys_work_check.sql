-- Whether the daemon's start-up has data-key work to do (issue 17): customers
-- with clear text from before 0070, or without a data key. The start-up's
-- first batch looked for them through the policies of three tables (two
-- probes into customers per row): 7.3 s at every start with 1,000,000
-- customers and nothing to do. As the owner the same question is one merge
-- of three primary keys: 0.57 s. It answers only yes or no; the condition is
-- that of DataKeyMaintenance.encryptExisting's batch statement (keep them equal).
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE FUNCTION data_key_work_pending() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp SET jit = off AS $$
    SELECT EXISTS (
        SELECT 1 FROM customer_details d JOIN customers c ON c.id = d.customer_id
          LEFT JOIN customer_keys k ON k.customer_id = d.customer_id
         WHERE d.legacy_phone IS NOT NULL OR d.legacy_email IS NOT NULL OR d.legacy_address IS NOT NULL
            OR (c.purged_at IS NULL AND k.customer_id IS NULL))
$$;
REVOKE ALL ON FUNCTION data_key_work_pending() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION data_key_work_pending() TO dossier_app;
