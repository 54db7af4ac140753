-- Personal data protection (issue 16): the sensitive customer fields are kept
-- only encrypted, under keys the database never holds.
--
-- * customer_keys: each customer's own data key, wrapped (AES-256-GCM) under a
--   master key of the daemons' data key file, with that key's id (envelope
--   encryption; `dossierd keys rotate` re-wraps under the newest key). Deleting
--   the row (destruction) crypto-shreds everything sealed with it.
-- * customer_details: per sensitive field (SensitiveField: id_number, phone,
--   email, address, bank_account) its ciphertext (<f>_sealed), a masked form
--   for reports (<f>_masked, e.g. 138****0000), and for phone and id_number a
--   keyed blind index (HMAC) for exact lookups. No substring search on them.
-- * The old clear-text columns phone/email/address become legacy_*: the daemon
--   (it has the keys) seals what they hold and empties them — `dossierd
--   migrate --data-key-file`, every `serve` at start, `dossierd keys
--   encrypt-existing` (README). Nothing reads them any more.
-- * Consent (seed 002: 书面同意或授权) of person customers: date, scope and the
--   document that records it; company_settings.consent_rule says whether a
--   person customer without it is refused or created flagged.
-- * data_keys: the id and a check MAC of every master key the daemons used, so
--   a daemon given a different key under a known id (a restore without the
--   right key file) refuses to start rather than write unreadable data.
SET LOCAL ROLE dossier_owner;
SET LOCAL search_path = dossier, public;

ALTER TABLE customer_details RENAME COLUMN phone TO legacy_phone;
ALTER TABLE customer_details RENAME COLUMN email TO legacy_email;
ALTER TABLE customer_details RENAME COLUMN address TO legacy_address;
COMMENT ON COLUMN customer_details.legacy_phone IS 'clear text before 0070; emptied by the daemon (keys encrypt-existing)';
COMMENT ON COLUMN customer_details.legacy_email IS 'clear text before 0070; emptied by the daemon (keys encrypt-existing)';
COMMENT ON COLUMN customer_details.legacy_address IS 'clear text before 0070; emptied by the daemon (keys encrypt-existing)';

ALTER TABLE customer_details
    ADD COLUMN id_number_sealed     bytea,
    ADD COLUMN id_number_masked     text,
    ADD COLUMN id_number_index      bytea,
    ADD COLUMN phone_sealed         bytea,
    ADD COLUMN phone_masked         text,
    ADD COLUMN phone_index          bytea,
    ADD COLUMN email_sealed         bytea,
    ADD COLUMN email_masked         text,
    ADD COLUMN address_sealed       bytea,
    ADD COLUMN address_masked       text,
    ADD COLUMN bank_account_sealed  bytea,
    ADD COLUMN bank_account_masked  text,
    ADD COLUMN consent_on           date,
    ADD COLUMN consent_scope        text CHECK (length(consent_scope) <= 500),
    ADD COLUMN consent_ref          text CHECK (length(consent_ref) <= 200),
    ADD CONSTRAINT customer_details_masked_with_sealed CHECK (
            (id_number_sealed IS NULL) = (id_number_masked IS NULL)
        AND (phone_sealed IS NULL) = (phone_masked IS NULL)
        AND (email_sealed IS NULL) = (email_masked IS NULL)
        AND (address_sealed IS NULL) = (address_masked IS NULL)
        AND (bank_account_sealed IS NULL) = (bank_account_masked IS NULL)),
    ADD CONSTRAINT customer_details_id_number_of_person CHECK (id_number_sealed IS NULL OR kind = 'person'),
    ADD CONSTRAINT customer_details_consent_whole CHECK (consent_on IS NOT NULL OR (consent_scope IS NULL AND consent_ref IS NULL));
CREATE INDEX customer_details_phone_index_idx ON customer_details (phone_index) WHERE phone_index IS NOT NULL;
CREATE INDEX customer_details_id_number_index_idx ON customer_details (id_number_index) WHERE id_number_index IS NOT NULL;

CREATE TABLE customer_keys (
    customer_id   bigint PRIMARY KEY REFERENCES customers (id),
    -- The master key (data key file) the data key is wrapped with.
    key_id        text NOT NULL CHECK (key_id ~ '^[A-Za-z0-9_-]{1,32}$'),
    wrapped       bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    rewrapped_at  timestamptz
);
CREATE INDEX customer_keys_key_idx ON customer_keys (key_id);

-- No planner statistics of ciphertexts, blind indexes and wrapped keys: ANALYZE
-- would copy sample values into pg_statistic, where an erasure does not reach.
ALTER TABLE customer_details
    ALTER COLUMN id_number_sealed SET STATISTICS 0, ALTER COLUMN id_number_index SET STATISTICS 0,
    ALTER COLUMN phone_sealed SET STATISTICS 0, ALTER COLUMN phone_index SET STATISTICS 0,
    ALTER COLUMN email_sealed SET STATISTICS 0, ALTER COLUMN address_sealed SET STATISTICS 0,
    ALTER COLUMN bank_account_sealed SET STATISTICS 0,
    ALTER COLUMN id_number_masked SET STATISTICS 0, ALTER COLUMN phone_masked SET STATISTICS 0,
    ALTER COLUMN email_masked SET STATISTICS 0, ALTER COLUMN address_masked SET STATISTICS 0,
    ALTER COLUMN bank_account_masked SET STATISTICS 0;
ALTER TABLE customer_keys ALTER COLUMN wrapped SET STATISTICS 0;

CREATE TABLE data_keys (
    id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,32}$'),
    check_mac   bytea NOT NULL,
    first_used  timestamptz NOT NULL DEFAULT now()
);

ALTER TABLE company_settings ADD COLUMN consent_rule text NOT NULL DEFAULT 'flag' CHECK (consent_rule IN ('refuse', 'flag'));

-- A daemon registers its master keys at start: true when the id is new or its
-- check matches, false when the id is known with another key. SECURITY
-- DEFINER: it runs before any actor exists.
CREATE FUNCTION dossier.register_data_key(p_id text, p_check bytea) RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    INSERT INTO dossier.data_keys (id, check_mac) VALUES (p_id, p_check) ON CONFLICT (id) DO NOTHING;
    SELECT check_mac = p_check FROM dossier.data_keys WHERE id = p_id;
$$;

-- The key ids some customer's data key is wrapped with, and how many each
-- (from the wrapped keys themselves: a restored database may never have seen
-- its keys registered).
CREATE FUNCTION dossier.data_keys_in_use() RETURNS TABLE (key_id text, customers bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.key_id, count(*) FROM dossier.customer_keys c GROUP BY c.key_id
$$;

-- Whether any clear text is left for the daemon to seal.
CREATE FUNCTION dossier.plaintext_left() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM dossier.customer_details
                    WHERE legacy_phone IS NOT NULL OR legacy_email IS NOT NULL OR legacy_address IS NOT NULL)
$$;

-- CUSTOMER FIND on details: the phone leaves the bigram index (it is no
-- longer clear text); credit code and contact stay. An exact phone or
-- identity card number is found by its blind index (p_blind: the needle's
-- HMACs under every master key, computed by the daemon).
DROP INDEX customer_details_search_bigrams_idx;
CREATE INDEX customer_details_search_bigrams_idx ON customer_details
    USING gin (dossier.customer_detail_bigrams(credit_code, contact, NULL));

DROP FUNCTION dossier.customer_detail_hits(text, int, bigint);
CREATE FUNCTION dossier.customer_detail_hits(p_needle text, p_limit int, p_after bigint, p_blind bytea[])
RETURNS TABLE (id bigint, number_key bigint) LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 20
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    v_role text := pg_catalog.current_setting('dossier.role', true);
    v_user bigint := nullif(pg_catalog.current_setting('dossier.user_id', true), '')::bigint;
    v_dept bigint := nullif(pg_catalog.current_setting('dossier.dept_id', true), '')::bigint;
    v_match text;
BEGIN
    IF v_role IS NULL OR v_role NOT IN ('rep', 'manager', 'archivist', 'director', 'system')
       OR p_needle IS NULL OR p_needle = '' THEN
        RETURN;
    END IF;
    v_match := '(pg_catalog.strpos(pg_catalog.lower(d.credit_code), pg_catalog.lower($1)) > 0
              OR pg_catalog.strpos(pg_catalog.lower(d.contact), pg_catalog.lower($1)) > 0)';
    IF pg_catalog.length(p_needle) >= 2 THEN
        v_match := '(dossier.customer_detail_bigrams(d.credit_code, d.contact, NULL)
                        OPERATOR(pg_catalog.@>) dossier.bigrams($1) AND ' || v_match || ')';
    END IF;
    v_match := '(' || v_match || ' OR d.phone_index OPERATOR(pg_catalog.=) ANY ($7) OR d.id_number_index OPERATOR(pg_catalog.=) ANY ($7))';
    RETURN QUERY EXECUTE
        'SELECT d.customer_id, dossier.customer_number_key(c.number) FROM dossier.customer_details d JOIN dossier.customers c ON c.id = d.customer_id
          WHERE ' || v_match || '
            AND dossier.customer_number_key(c.number) > $6
            AND ($2 IN (''director'', ''system'')
                 OR c.owner_id = $3
                 OR ($2 IN (''manager'', ''archivist'') AND c.dept_id = $4)
                 OR EXISTS (SELECT 1 FROM dossier.dossier_contents dc WHERE dc.customer_id = c.id))'
        || CASE WHEN v_role IN ('director', 'system')
                THEN ' ORDER BY dossier.customer_number_key(c.number) LIMIT $5' ELSE '' END
        USING p_needle, v_role, v_user, v_dept, p_limit, coalesce(p_after, -1), coalesce(p_blind, '{}'::bytea[]);
END $$;

REVOKE ALL ON FUNCTION dossier.customer_detail_hits(text, int, bigint, bytea[]), dossier.register_data_key(text, bytea),
    dossier.data_keys_in_use(), dossier.plaintext_left() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dossier.customer_detail_hits(text, int, bigint, bytea[]), dossier.register_data_key(text, bytea),
    dossier.data_keys_in_use(), dossier.plaintext_left() TO dossier_app;

-- The daemon reads and writes the wrapped keys through their policies
-- (policies.sql); BI logins never see them, nor the ciphertexts and blind
-- indexes: only the masked forms.
GRANT SELECT, INSERT, UPDATE, DELETE ON customer_keys TO dossier_app;
GRANT SELECT ON data_keys TO dossier_app;
REVOKE SELECT ON customer_details FROM dossier_bi;
GRANT SELECT (customer_id, kind, credit_code, legal_rep, contact, industry, region, grade, credit_rating, credit_limit_fen,
              id_number_masked, phone_masked, email_masked, address_masked, bank_account_masked,
              consent_on, consent_scope, consent_ref) ON customer_details TO dossier_bi;

-------------------------------------------------------------------------------
-- report.customers: masked forms, the identity card number and bank account,
-- consent
-------------------------------------------------------------------------------
DROP VIEW report.customers;
CREATE VIEW report.customers WITH (security_invoker = true) AS
SELECT c.number AS customer,
       c.name,
       dp.code AS department,
       u.login AS owner,
       (c.created_at AT TIME ZONE 'Asia/Shanghai')::date AS created_on,
       (c.updated_at AT TIME ZONE 'Asia/Shanghai')::date AS updated_on,
       c.closed_on,
       cd.customer_id IS NOT NULL AS details_visible,
       cd.kind,
       cd.grade,
       cd.region,
       cd.industry,
       cd.credit_rating,
       report.yuan(cd.credit_limit_fen) AS credit_limit,
       cd.credit_code,
       cd.legal_rep,
       cd.contact,
       cd.phone_masked AS phone,
       cd.email_masked AS email,
       cd.address_masked AS address,
       cd.id_number_masked AS id_number,
       cd.bank_account_masked AS bank_account,
       cd.consent_on,
       cd.consent_scope,
       cd.consent_ref
  FROM dossier.customers c
  JOIN dossier.departments dp ON dp.id = c.dept_id
  JOIN dossier.users u ON u.id = c.owner_id
  LEFT JOIN dossier.customer_details cd ON cd.customer_id = c.id;

COMMENT ON VIEW report.customers IS '客户：目录项及可见的客户详情（敏感字段仅显示掩码） / customers: directory entries, with the details you may see (sensitive fields masked)';
COMMENT ON COLUMN report.customers.customer IS '客户编号（C-年份-序号） / customer number (C-YYYY-NNNNN)';
COMMENT ON COLUMN report.customers.name IS '客户名称 / customer name';
COMMENT ON COLUMN report.customers.department IS '所属部门代码 / department code';
COMMENT ON COLUMN report.customers.owner IS '负责人登录名 / owner''s login';
COMMENT ON COLUMN report.customers.created_on IS '建立日期 / day created';
COMMENT ON COLUMN report.customers.updated_on IS '最近完善日期（每月至少一次） / day last refreshed (at least monthly)';
COMMENT ON COLUMN report.customers.closed_on IS '终止合作日期 / relationship closed on';
COMMENT ON COLUMN report.customers.details_visible IS '是否可见客户详情（否：以下各列为空） / whether the details are visible (no: the columns below are empty)';
COMMENT ON COLUMN report.customers.kind IS '类型（company 企业、person 个人） / kind';
COMMENT ON COLUMN report.customers.grade IS '等级（VIP、A、B、C） / grade';
COMMENT ON COLUMN report.customers.region IS '地区 / region';
COMMENT ON COLUMN report.customers.industry IS '行业 / industry';
COMMENT ON COLUMN report.customers.credit_rating IS '信用评级 / credit rating';
COMMENT ON COLUMN report.customers.credit_limit IS '信用额度（元） / credit limit (yuan)';
COMMENT ON COLUMN report.customers.credit_code IS '统一社会信用代码 / unified social credit code';
COMMENT ON COLUMN report.customers.legal_rep IS '法定代表人 / legal representative';
COMMENT ON COLUMN report.customers.contact IS '联系人 / contact person';
COMMENT ON COLUMN report.customers.phone IS '电话（掩码，如 138****0000） / phone (masked)';
COMMENT ON COLUMN report.customers.email IS '邮箱（掩码） / e-mail (masked)';
COMMENT ON COLUMN report.customers.address IS '地址（掩码） / address (masked)';
COMMENT ON COLUMN report.customers.id_number IS '身份证号码（个人客户，掩码） / identity card number (person customers, masked)';
COMMENT ON COLUMN report.customers.bank_account IS '银行账号（掩码） / bank account (masked)';
COMMENT ON COLUMN report.customers.consent_on IS '客户书面同意日期（个人客户） / day of the customer''s written consent (person customers)';
COMMENT ON COLUMN report.customers.consent_scope IS '同意范围 / scope of the consent';
COMMENT ON COLUMN report.customers.consent_ref IS '同意书的档案引用 / reference of the consent document';

GRANT SELECT ON report.customers TO dossier_bi;
