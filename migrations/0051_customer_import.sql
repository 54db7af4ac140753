-- `dossierd import customers` checks a whole file before writing anything:
-- which of its credit codes belong to a customer already. CUSTOMER NEW learns
-- the same from the unique index (ERR CONFLICT) whoever owns the other
-- customer, so this reveals nothing more; it answers for the whole company
-- (SECURITY DEFINER) because a caller cannot see other departments' details.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

CREATE FUNCTION dossier.credit_codes_taken(p_codes jsonb) RETURNS SETOF text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = dossier, pg_temp AS $$
    SELECT code FROM jsonb_array_elements_text(p_codes) AS code
     WHERE EXISTS (SELECT 1 FROM dossier.customer_details d WHERE d.credit_code = code)
$$;

REVOKE ALL ON FUNCTION dossier.credit_codes_taken(jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.credit_codes_taken(jsonb) TO dossier_app;
