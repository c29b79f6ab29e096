-- The guarantee fund (担保基金): one row per fund, the serialisation point of guarantee capacity;
-- compensation claims (代偿) with their consents, recoveries (追偿) and write-offs (呆账核销);
-- bank statements uploaded for reconciliation. Money itself lives in the ledger (0003–0008).

-- A fund is its operator institution (e.g. gz-fund). IssueGuarantee and ApproveClaim lock this
-- row FOR UPDATE, so the leverage check (outstanding ≤ k × balance) never races.
create table guarantee_funds (
    fund_id         text primary key references institutions (id),
    region_code     text not null,
    -- Set by the first capital contribution: from then on every guarantee is leverage-checked.
    capitalised_at  timestamptz,
    created_at      timestamptz not null default now()
);

create table compensation_claims (
    id                         text primary key check (id ~ '^C[0-9A-Z]{12,26}$'),
    loan_id                    text not null references loans (id),
    bank_id                    text not null references institutions (id),
    fund_id                    text not null references institutions (id),
    region_code                text not null,
    state                      text not null check (state in ('FILED', 'APPROVED', 'REJECTED', 'WRITTEN_OFF')),
    claim_date                 date not null,
    overdue_days               int not null,
    outstanding_principal_fen  bigint not null check (outstanding_principal_fen >= 0),
    unpaid_interest_fen        bigint not null check (unpaid_interest_fen >= 0),
    base_mode                  text not null check (base_mode in ('PRINCIPAL_AND_INTEREST', 'PRINCIPAL_ONLY')),
    base_fen                   bigint not null check (base_fen >= 0),
    fund_share_bp              int not null check (fund_share_bp between 0 and 10000),
    fund_fen                   bigint not null check (fund_fen >= 0),
    bank_fen                   bigint not null check (bank_fen >= 0),
    decided_date               date,
    rejection_reason           text,
    recovered_net_fen          bigint not null default 0 check (recovered_net_fen >= 0),
    recovered_fund_fen         bigint not null default 0 check (recovered_fund_fen >= 0),
    recovered_bank_fen         bigint not null default 0 check (recovered_bank_fen >= 0),
    written_off_fund_fen       bigint not null default 0 check (written_off_fund_fen >= 0),
    written_off_bank_fen       bigint not null default 0 check (written_off_bank_fen >= 0),
    written_off_date           date,
    write_off_evidence         text,
    policy_version_ids         text[] not null default '{}',
    version                    int not null default 1 check (version > 0),
    created_at                 timestamptz not null default now(),
    updated_at                 timestamptz not null default now(),
    -- Splits always add up; recoveries never exceed what was lost.
    check (fund_fen + bank_fen = base_fen),
    check (recovered_fund_fen + recovered_bank_fen = recovered_net_fen),
    check (recovered_net_fen <= base_fen)
);
-- A loan has at most one live (filed or paid) claim: it cannot be compensated twice.
create unique index compensation_claims_one_live_per_loan on compensation_claims (loan_id) where state <> 'REJECTED';
create index compensation_claims_by_bank on compensation_claims (bank_id, id);
create index compensation_claims_by_fund on compensation_claims (fund_id, state);

-- Consents to a compensation (HRSS, finance, PBOC) or confirmations of a write-off (HRSS, finance).
create table claim_consents (
    claim_id      text not null references compensation_claims (id),
    stage         text not null check (stage in ('COMPENSATION', 'WRITE_OFF')),
    party         text not null check (party in ('HRSS', 'FINANCE', 'PBOC')),
    institution   text not null references institutions (id),
    reference     text not null,
    consent_date  date not null,
    recorded_at   timestamptz not null default now(),
    primary key (claim_id, stage, party)
);

create table claim_recoveries (
    id              bigserial primary key,
    claim_id        text not null references compensation_claims (id),
    recovered_date  date not null,
    gross_fen       bigint not null check (gross_fen > 0),
    costs_fen       bigint not null check (costs_fen >= 0),
    net_fen         bigint not null check (net_fen > 0),
    fund_fen        bigint not null check (fund_fen >= 0),
    bank_fen        bigint not null check (bank_fen >= 0),
    request_id      text not null,
    recorded_at     timestamptz not null default now(),
    check (gross_fen - costs_fen = net_fen),
    check (fund_fen + bank_fen = net_fen)
);
create index claim_recoveries_by_claim on claim_recoveries (claim_id, id);

create trigger claim_consents_append_only before update or delete on claim_consents
    for each row execute function refuse_mutation_of_append_only_table();
create trigger claim_recoveries_append_only before update or delete on claim_recoveries
    for each row execute function refuse_mutation_of_append_only_table();

-- A bank's statement of loan-level outstanding balances, as uploaded, and its breaks against the ledger.
create table bank_statements (
    id              text primary key,
    bank_id         text not null references institutions (id),
    as_of_date      date not null,
    lines_received  int not null,
    loans_matched   int not null,
    breaks_count    int not null,
    ours_total_fen  bigint not null,
    theirs_total_fen bigint not null,
    created_at      timestamptz not null default now()
);

create table bank_statement_breaks (
    statement_id  text not null references bank_statements (id),
    loan_id       text not null,
    kind          text not null check (kind in ('MISSING_HERE', 'MISSING_THERE', 'AMOUNT_DIFFERS')),
    ours_fen      bigint not null,
    theirs_fen    bigint not null,
    primary key (statement_id, loan_id)
);

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant select, insert, update on guarantee_funds, compensation_claims to danbao_app;
        grant select, insert on claim_consents, claim_recoveries, bank_statements, bank_statement_breaks to danbao_app;
        grant usage on sequence claim_recoveries_id_seq to danbao_app;
    end if;
end;
$$;
