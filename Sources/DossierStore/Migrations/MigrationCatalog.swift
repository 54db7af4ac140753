/// The migrations this binary was built with, in order. The schema version the
/// code expects is the last one. `MigrationCatalogTests` checks that every file
/// in `migrations/` is listed here, so the two cannot drift apart.
public enum MigrationCatalog {
    public static let all: [Migration] = {
        let files: [(String, [UInt8])] = [
            ("0001_roles_and_schema.sql", PackageResources._001_roles_and_schema_sql),
            ("0002_directory.sql", PackageResources._002_directory_sql),
            ("0003_records.sql", PackageResources._003_records_sql),
            ("0004_loans_and_retention.sql", PackageResources._004_loans_and_retention_sql),
            ("0005_penalties.sql", PackageResources._005_penalties_sql),
            ("0006_audit.sql", PackageResources._006_audit_sql),
            ("0007_row_security.sql", PackageResources._007_row_security_sql),
            ("0008_customer_search.sql", PackageResources._008_customer_search_sql),
            ("0009_inline_row_security.sql", PackageResources._009_inline_row_security_sql),
            ("0010_working_days.sql", PackageResources._010_working_days_sql),
            ("0011_penalty_visibility.sql", PackageResources._011_penalty_visibility_sql),
            ("0012_retention_dates.sql", PackageResources._012_retention_dates_sql),
            ("0013_audit_chains.sql", PackageResources._013_audit_chains_sql),
            ("0014_penalty_commands.sql", PackageResources._014_penalty_commands_sql),
            ("0015_violation_sweep.sql", PackageResources._015_violation_sweep_sql),
            ("0016_linear_bigrams.sql", PackageResources._016_linear_bigrams_sql),
            ("0020_records_follow_their_subject.sql", PackageResources._020_records_follow_their_subject_sql),
            ("0021_serialised_lockout.sql", PackageResources._021_serialised_lockout_sql),
            ("0022_audit_seals.sql", PackageResources._022_audit_seals_sql),
            ("0023_parallel_password_checks.sql", PackageResources._023_parallel_password_checks_sql),
            ("0024_retention_due_function.sql", PackageResources._024_retention_due_function_sql),
            ("0030_approvals_in_substance.sql", PackageResources._030_approvals_in_substance_sql),
            ("0031_todo.sql", PackageResources._031_todo_sql),
            ("0032_lighter_closing_trigger.sql", PackageResources._032_lighter_closing_trigger_sql),
            ("0035_company_time_zone.sql", PackageResources._035_company_time_zone_sql),
            ("0036_week_verbs.sql", PackageResources._036_week_verbs_sql),
            ("0037_company_times_in_details.sql", PackageResources._037_company_times_in_details_sql),
            ("0050_report_views.sql", PackageResources._050_report_views_sql),
            ("0051_customer_import.sql", PackageResources._051_customer_import_sql),
            ("0060_followups.sql", PackageResources._060_followups_sql),
            ("0061_inspections.sql", PackageResources._061_inspections_sql),
            ("0062_followup_reports.sql", PackageResources._062_followup_reports_sql),
            ("0063_credit.sql", PackageResources._063_credit_sql),
            ("0064_credit_reports.sql", PackageResources._064_credit_reports_sql),
            ("0065_inspection_reports.sql", PackageResources._065_inspection_reports_sql),
            ("0067_followup_auto_and_cancel.sql", PackageResources._067_followup_auto_and_cancel_sql),
            ("0068_inspection_scope.sql", PackageResources._068_inspection_scope_sql),
            ("0069_followup_auto_plan_cost.sql", PackageResources._069_followup_auto_plan_cost_sql),
            ("0070_personal_data_protection.sql", PackageResources._070_personal_data_protection_sql),
            ("0071_customer_field_functions.sql", PackageResources._071_customer_field_functions_sql),
            ("0080_one_statement_show.sql", PackageResources._080_one_statement_show_sql),
            ("0081_pending_approvals_index.sql", PackageResources._081_pending_approvals_index_sql),
            ("0082_approval_details_by_kind.sql", PackageResources._082_approval_details_by_kind_sql),
            ("0083_audit_checkpoints.sql", PackageResources._083_audit_checkpoints_sql),
            ("0086_working_days_by_steps.sql", PackageResources._086_working_days_by_steps_sql),
            ("0087_todo_draft_deadlines_per_day.sql", PackageResources._087_todo_draft_deadlines_per_day_sql),
            ("0088_approval_details_per_present_kind.sql", PackageResources._088_approval_details_per_present_kind_sql),
            ("0090_dossier_list_indexes.sql", PackageResources._090_dossier_list_indexes_sql),
            ("0091_todo_sections_on_demand.sql", PackageResources._091_todo_sections_on_demand_sql),
            ("0092_customer_find_function.sql", PackageResources._092_customer_find_function_sql),
            ("0093_audit_target_names_cached.sql", PackageResources._093_audit_target_names_cached_sql),
            ("0094_approval_listing_function.sql", PackageResources._094_approval_listing_function_sql),
            ("0095_approval_obstacles_per_page.sql", PackageResources._095_approval_obstacles_per_page_sql),
            ("0100_fewer_executor_starts.sql", PackageResources._100_fewer_executor_starts_sql),
            ("0110_loan_verbs_in_fewer_statements.sql", PackageResources._110_loan_verbs_in_fewer_statements_sql),
            ("0120_approval_cycle_lighter.sql", PackageResources._120_approval_cycle_lighter_sql),
            ("0121_pending_approvals_in_one_statement.sql", PackageResources._121_pending_approvals_in_one_statement_sql),
            ("0130_customer_name_bigram_lists.sql", PackageResources._130_customer_name_bigram_lists_sql),
            ("0131_customer_find_one_details_join.sql", PackageResources._131_customer_find_one_details_join_sql),
            ("0132_customer_find_common_needles.sql", PackageResources._132_customer_find_common_needles_sql),
            ("0140_approval_obstacles_by_key.sql", PackageResources._140_approval_obstacles_by_key_sql),
            ("0141_data_keys_work_check.sql", PackageResources._141_data_keys_work_check_sql),
            ("0142_verb_roles_in_the_transaction.sql", PackageResources._142_verb_roles_in_the_transaction_sql),
            ("0150_loan_request_without_link_update.sql", PackageResources._150_loan_request_without_link_update_sql),
            ("0151_pending_loans_details_inline.sql", PackageResources._151_pending_loans_details_inline_sql),
            ("0152_loan_approval_in_one_call.sql", PackageResources._152_loan_approval_in_one_call_sql),
            ("0153_loan_checkout_and_return_in_one_call.sql", PackageResources._153_loan_checkout_and_return_in_one_call_sql),
            ("0160_pending_approvals_walk_in_order.sql", PackageResources._160_pending_approvals_walk_in_order_sql),
            ("0161_customer_find_walk_in_one_statement.sql", PackageResources._161_customer_find_walk_in_one_statement_sql),
            ("0170_audit_writer_lighter.sql", PackageResources._170_audit_writer_lighter_sql),
            ("0171_audit_log_fewer_indexes.sql", PackageResources._171_audit_log_fewer_indexes_sql),
            ("0180_approval_obstacles_only_needed_rows.sql", PackageResources._180_approval_obstacles_only_needed_rows_sql),
            ("0181_approval_page_joins_by_kind.sql", PackageResources._181_approval_page_joins_by_kind_sql),
            ("0190_loan_cycle_fewer_lookups.sql", PackageResources._190_loan_cycle_fewer_lookups_sql),
            ("0191_audit_list_penalties_of_a_dossier.sql", PackageResources._191_audit_list_penalties_of_a_dossier_sql),
            ("0192_one_pending_access_request.sql", PackageResources._192_one_pending_access_request_sql),
        ]
        // A bad name or order here is a build mistake, caught by the tests.
        return files.map { try! Migration(name: $0.0, sql: String(decoding: $0.1, as: UTF8.self)) }
    }()

    /// `migrations/policies.sql`: every current policy, its helper functions
    /// and the transition triggers, re-applied by `Migrator` after the
    /// numbered files whenever it changed.
    public static let policies: String = String(decoding: PackageResources.policies_sql, as: UTF8.self)

    /// The schema version this binary expects.
    public static var expectedVersion: Int { all.last?.version ?? 0 }
}
