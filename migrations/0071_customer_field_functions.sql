-- One sensitive field of a customer (0070) by its name, for the daemon: the
-- field is a parameter, so no SQL text is ever built from a name in Swift.
-- SECURITY INVOKER: the caller's row-level security decides, as for a plain
-- UPDATE or SELECT of customer_details.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

-- Writes (or clears, with NULLs) a field's sealed value, mask and, for the
-- indexed fields, blind index.
CREATE FUNCTION dossier.customer_field_write(
    p_customer_id bigint, p_field text, p_sealed bytea, p_masked text, p_index bytea
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CASE p_field
        WHEN 'id_number', 'phone' THEN
            EXECUTE format('UPDATE dossier.customer_details SET %I = $1, %I = $2, %I = $3 WHERE customer_id = $4',
                           p_field || '_sealed', p_field || '_masked', p_field || '_index')
              USING p_sealed, p_masked, p_index, p_customer_id;
        WHEN 'email', 'address', 'bank_account' THEN
            EXECUTE format('UPDATE dossier.customer_details SET %I = $1, %I = $2 WHERE customer_id = $3',
                           p_field || '_sealed', p_field || '_masked')
              USING p_sealed, p_masked, p_customer_id;
        ELSE
            RAISE EXCEPTION 'no sensitive field %', p_field USING ERRCODE = 'invalid_parameter_value';
    END CASE;
END $$;

-- A field's sealed value (NULL when none, or the row is not visible).
CREATE FUNCTION dossier.customer_field_sealed(p_customer_id bigint, p_field text) RETURNS bytea
LANGUAGE sql STABLE AS $$
    SELECT CASE p_field
               WHEN 'id_number' THEN id_number_sealed WHEN 'phone' THEN phone_sealed
               WHEN 'email' THEN email_sealed WHEN 'address' THEN address_sealed
               WHEN 'bank_account' THEN bank_account_sealed
           END
      FROM dossier.customer_details WHERE customer_id = p_customer_id
$$;

REVOKE ALL ON FUNCTION dossier.customer_field_write(bigint, text, bytea, text, bytea),
    dossier.customer_field_sealed(bigint, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.customer_field_write(bigint, text, bytea, text, bytea),
    dossier.customer_field_sealed(bigint, text) TO dossier_app;
