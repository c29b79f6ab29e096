-- Guarantee loans (创业担保贷款) from application to their end. One row per loan holds its current
-- state; every change is also an audit event, and money moves are ledger transactions. The row
-- carries a version for optimistic concurrency (the API's etag).

create table loans (
    id                        text primary key check (id ~ '^L[0-9A-Z]{12,26}$'),
    bank_id                   text not null references institutions (id),
    region_code               text not null check (region_code ~ '^CN(-[A-Z0-9]{2,4}){0,2}$'),
    district                  text not null default '',
    state                     text not null check (state in ('SUBMITTED', 'ELIGIBILITY_REVIEW', 'PUBLICITY', 'OBJECTION',
                                  'DUE_DILIGENCE', 'APPROVED', 'GUARANTEED', 'CURRENT', 'OVERDUE', 'SETTLED', 'EXTENDED',
                                  'CLAIMED', 'COMPENSATED', 'RECOVERING', 'WRITTEN_OFF', 'CLOSED', 'REJECTED', 'WITHDRAWN')),
    borrower_type             text not null check (borrower_type in ('INDIVIDUAL', 'PARTNERSHIP', 'ENTERPRISE')),
    -- The borrower as submitted, with every ID number removed (masked copies only).
    borrower                  jsonb not null,
    -- The principal person's ID number: AES-GCM ciphertext and an HMAC blind index for look-ups.
    id_number_cipher          bytea not null,
    id_number_index           bytea not null check (length(id_number_index) = 32),
    amount_fen                bigint not null check (amount_fen > 0),
    term_months               int not null check (term_months > 0),
    contract_rate_bp          numeric(8, 2) not null check (contract_rate_bp > 0),
    repayment_method          text not null check (repayment_method in ('BULLET', 'EQUAL_PRINCIPAL')),
    contract_date             date not null,
    application_date          date not null,
    counter_guarantee         boolean not null,
    hk_macau_youth            boolean not null default false,
    publicity_start_date      date,
    publicity_days            int check (publicity_days > 0),
    publicity_unit            text check (publicity_unit in ('CALENDAR_DAYS', 'WORKING_DAYS')),
    suspended_since_date      date,
    suspended_days            int not null default 0 check (suspended_days >= 0),
    bank_due_diligence        boolean not null default false,
    fund_due_diligence        boolean not null default false,
    guarantee_fund_id         text,
    guarantee_date            date,
    fund_risk_share_bp        int check (fund_risk_share_bp between 0 and 10000),
    disbursement_date         date,
    maturity_date             date,
    outstanding_principal_fen bigint not null default 0 check (outstanding_principal_fen >= 0),
    interest_paid_to_date     date,
    unpaid_interest_fen       bigint not null default 0 check (unpaid_interest_fen >= 0),
    extensions                int not null default 0 check (extensions >= 0),
    extension_months          int not null default 0 check (extension_months >= 0),
    extended_from_date        date,
    overdue_since_date        date,
    -- Past overdue episodes as [{"from": "2025-01-01", "until": "2025-01-13"}]: no subsidy on those days.
    overdue_history           jsonb not null default '[]',
    settled_date              date,
    claim_date                date,
    compensated_date          date,
    written_off_date          date,
    closed_date               date,
    rejection_reason          text,
    rejection_message         text,
    -- Every rule that failed at review, by reason code (rejection_reason is the first).
    failed_rules              text[] not null default '{}',
    -- Ids of the policy versions the loan's decisions used, in order of first use.
    policy_version_ids        text[] not null default '{}',
    version                   int not null default 1 check (version > 0),
    created_at                timestamptz not null default now(),
    updated_at                timestamptz not null default now(),
    check (amount_fen >= outstanding_principal_fen)
);
create index loans_by_bank on loans (bank_id, created_at desc, id desc);
create index loans_by_region on loans (region_code, created_at desc, id desc);
create index loans_by_borrower on loans (id_number_index);
create index loans_by_state on loans (state) where state in ('PUBLICITY', 'CURRENT', 'OVERDUE');

-- Partners of a partnership and representatives count toward the lifetime loan limit too.
create table loan_borrower_ids (
    loan_id          text not null references loans (id),
    id_number_index  bytea not null,
    primary key (loan_id, id_number_index)
);
create index loan_borrower_ids_by_person on loan_borrower_ids (id_number_index);

-- Repayments as the bank recorded them, split into interest and principal. Append-only.
create table loan_repayments (
    id              bigserial primary key,
    loan_id         text not null references loans (id),
    paid_date       date not null,
    amount_fen      bigint not null check (amount_fen > 0),
    interest_fen    bigint not null check (interest_fen >= 0),
    principal_fen   bigint not null check (principal_fen >= 0),
    interest_from_date date not null,
    interest_to_date   date not null,
    request_id      text not null,
    recorded_at     timestamptz not null default now(),
    check (interest_fen + principal_fen = amount_fen)
);
create index loan_repayments_by_loan on loan_repayments (loan_id, paid_date);

-- Objections lodged during publicity (异议) and how they were resolved.
create table loan_objections (
    id               bigserial primary key,
    loan_id          text not null references loans (id),
    lodged_by        text not null references institutions (id),
    lodged_date      date not null,
    objection        text not null,
    resolved_date    date,
    upheld           boolean,
    resolution       text
);

-- Append-only, like the audit log (function from 0002).
create trigger loan_repayments_append_only before update or delete on loan_repayments
    for each row execute function refuse_mutation_of_append_only_table();
create trigger loan_repayments_no_truncate before truncate on loan_repayments
    for each statement execute function refuse_mutation_of_append_only_table();
