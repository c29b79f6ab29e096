-- The CHECK constraints of the tables every loan write touches (loans, loan_repayments, audit_events,
-- idempotency_keys, ledger_transactions) become one constraint each, calling a PL/pgSQL function of the row with
-- the same conditions (issue 11).
--
-- Why: PostgreSQL reads a CHECK constraint's stored expression back from its text form (stringToNode) and plans it
-- again for every statement that writes the table. Single-row statements pay that every time: under RecordRepayment
-- `perf` put 12.5 % of all CPU samples (server and PostgreSQL) in ExecConstraints, most of it parsing loans' twenty
-- constraints (13 KB of node text, the state list alone most of it). A function's body is parsed once per
-- connection and its expression prepared once per transaction. On the benchmark's cluster a one-row UPDATE of a loan
-- went from ~4,500 to ~6,350 per second, and an audit event with an idempotency key from ~3,550 to ~4,600.
-- The cost is ~0.8 µs more per row in bulk inserts, so ledger_entries (a settlement writes a million) keeps its own.
--
-- The rows refused are the same: a CHECK passes unless its expression is false, and an AND of the conditions is false
-- exactly when one of them is. A refusal names the table's *_row_valid constraint instead of one of its parts (the
-- service writes only rows its domain decided, so a refusal is a defect, never a caller's error).

create function loans_row_valid(l loans) returns boolean language plpgsql immutable parallel safe as $$
begin
    return l.id ~ '^L[0-9A-Z]{12,26}$'
        and l.region_code ~ '^CN(-[A-Z0-9]{2,4}){0,2}$'
        and length(l.id_number_index) = 32
        and l.state in ('SUBMITTED', 'ELIGIBILITY_REVIEW', 'PUBLICITY', 'OBJECTION', 'DUE_DILIGENCE', 'APPROVED', 'GUARANTEED',
            'CURRENT', 'OVERDUE', 'SETTLED', 'EXTENDED', 'CLAIMED', 'COMPENSATED', 'RECOVERING', 'WRITTEN_OFF', 'CLOSED',
            'REJECTED', 'WITHDRAWN')
        and l.borrower_type in ('INDIVIDUAL', 'PARTNERSHIP', 'ENTERPRISE')
        and l.repayment_method in ('BULLET', 'EQUAL_PRINCIPAL')
        and l.guarantor_type in ('GUARANTEE_FUND', 'GOVERNMENT_FINANCING_GUARANTOR')
        and l.publicity_unit in ('CALENDAR_DAYS', 'WORKING_DAYS')
        and l.amount_fen > 0
        and l.term_months > 0
        and l.contract_rate_bp > 0
        and l.outstanding_principal_fen >= 0
        and l.amount_fen >= l.outstanding_principal_fen
        and l.unpaid_interest_fen >= 0
        and l.publicity_days > 0
        and l.suspended_days >= 0
        and l.extensions >= 0
        and l.extension_months >= 0
        and l.fund_risk_share_bp >= 0 and l.fund_risk_share_bp <= 10000
        and l.version > 0;
end
$$;

alter table loans
    drop constraint loans_id_check,
    drop constraint loans_region_code_check,
    drop constraint loans_id_number_index_check,
    drop constraint loans_state_check,
    drop constraint loans_borrower_type_check,
    drop constraint loans_repayment_method_check,
    drop constraint loans_guarantor_type_check,
    drop constraint loans_publicity_unit_check,
    drop constraint loans_amount_fen_check,
    drop constraint loans_term_months_check,
    drop constraint loans_contract_rate_bp_check,
    drop constraint loans_outstanding_principal_fen_check,
    drop constraint loans_check,
    drop constraint loans_unpaid_interest_fen_check,
    drop constraint loans_publicity_days_check,
    drop constraint loans_suspended_days_check,
    drop constraint loans_extensions_check,
    drop constraint loans_extension_months_check,
    drop constraint loans_fund_risk_share_bp_check,
    drop constraint loans_version_check,
    add constraint loans_row_valid check (loans_row_valid(loans));

create function loan_repayments_row_valid(r loan_repayments) returns boolean language plpgsql immutable parallel safe as $$
begin
    return r.amount_fen > 0 and r.interest_fen >= 0 and r.principal_fen >= 0 and r.interest_fen + r.principal_fen = r.amount_fen;
end
$$;

alter table loan_repayments
    drop constraint loan_repayments_amount_fen_check,
    drop constraint loan_repayments_interest_fen_check,
    drop constraint loan_repayments_principal_fen_check,
    drop constraint loan_repayments_check,
    add constraint loan_repayments_row_valid check (loan_repayments_row_valid(loan_repayments));

create function audit_events_row_valid(e audit_events) returns boolean language plpgsql immutable parallel safe as $$
begin
    return length(e.subject_type) between 1 and 100 and length(e.subject_id) between 1 and 200 and length(e.action) between 1 and 100;
end
$$;

alter table audit_events
    drop constraint audit_events_subject_type_check,
    drop constraint audit_events_subject_id_check,
    drop constraint audit_events_action_check,
    add constraint audit_events_row_valid check (audit_events_row_valid(audit_events));

create function idempotency_keys_row_valid(k idempotency_keys) returns boolean language plpgsql immutable parallel safe as $$
begin
    return length(k.scope) between 1 and 200 and length(k.request_id) between 1 and 200 and length(k.method) between 1 and 200
        and octet_length(k.request_hash) = 32;
end
$$;

alter table idempotency_keys
    drop constraint idempotency_keys_scope_check,
    drop constraint idempotency_keys_request_id_check,
    drop constraint idempotency_keys_method_check,
    drop constraint idempotency_keys_request_hash_check,
    add constraint idempotency_keys_row_valid check (idempotency_keys_row_valid(idempotency_keys));

create function ledger_transactions_row_valid(t ledger_transactions) returns boolean language plpgsql immutable parallel safe as $$
begin
    return length(t.kind) between 1 and 100 and length(t.cause_type) between 1 and 100 and length(t.cause_id) between 1 and 200
        and length(t.request_id) between 1 and 200 and (t.reverses_transaction_id is null or t.reverses_transaction_id <> t.id);
end
$$;

alter table ledger_transactions
    drop constraint ledger_transactions_kind_check,
    drop constraint ledger_transactions_cause_type_check,
    drop constraint ledger_transactions_cause_id_check,
    drop constraint ledger_transactions_request_id_check,
    drop constraint ledger_transactions_check,
    add constraint ledger_transactions_row_valid check (ledger_transactions_row_valid(ledger_transactions));
