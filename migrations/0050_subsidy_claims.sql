-- Interest subsidy claims (贴息, policy.md §5): a bank's claim for one quarter and one line per loan,
-- recomputed and flagged by the service, reviewed and settled by the finance bureau with one ledger
-- transaction per claim. The database guarantees that no loan's quarter is ever paid twice.

create table subsidy_claims (
    id                     text primary key check (id ~ '^C[0-9A-Z]{12,26}$'),
    bank_id                text not null references institutions (id),
    region_code            text not null,
    quarter_start          date not null check (extract(day from quarter_start) = 1 and extract(month from quarter_start) in (1, 4, 7, 10)),
    state                  text not null check (state in ('DRAFT', 'SUBMITTED', 'REVIEWED', 'SETTLED')),
    filed_date             date not null,
    settled_date           date,
    settled_by             text references institutions (id),
    ledger_transaction_id  bigint,
    -- Summary of the lines, refreshed by every write on the claim (one aggregate statement).
    line_count             int not null default 0,
    claimed_subsidy_fen    bigint not null default 0,
    expected_subsidy_fen   bigint not null default 0,
    approved_subsidy_fen   bigint not null default 0,
    lines_matching         int not null default 0,
    lines_differing        int not null default 0,
    lines_ineligible_days  int not null default 0,
    lines_not_payable      int not null default 0,
    lines_approved         int not null default 0,
    lines_rejected         int not null default 0,
    version                int not null default 1 check (version > 0),
    created_at             timestamptz not null default now(),
    check ((state = 'SETTLED') = (ledger_transaction_id is not null))
);
create index subsidy_claims_by_bank on subsidy_claims (bank_id, created_at desc, id desc);
create index subsidy_claims_by_region on subsidy_claims (region_code, quarter_start);

create table subsidy_claim_lines (
    claim_id               text not null references subsidy_claims (id),
    loan_id                text not null,
    bank_id                text not null,
    quarter_start          date not null,
    region_code            text not null default '',
    district               text not null default '',
    interest_paid_fen      bigint not null check (interest_paid_fen >= 0),
    subsidy_claimed_fen    bigint not null check (subsidy_claimed_fen >= 0),
    flag                   text not null check (flag in ('MATCHES', 'DIFFERS', 'INELIGIBLE_DAYS', 'NOT_PAYABLE')),
    not_payable_reason     text,
    period_start           date,
    period_end             date,
    days                   int not null default 0,
    excluded_days          int not null default 0,
    expected_interest_fen  bigint not null default 0,
    expected_subsidy_fen   bigint not null default 0 check (expected_subsidy_fen >= 0),
    recorded_interest_fen  bigint not null default 0,
    formula                text check (formula in ('V2', 'V3')),
    decision               text not null check (decision in ('PENDING', 'APPROVED', 'REJECTED', 'PAID')),
    rejection_reason       text,
    approved_subsidy_fen   bigint not null default 0 check (approved_subsidy_fen >= 0),
    message                text not null default '',
    primary key (claim_id, loan_id),
    check (flag <> 'NOT_PAYABLE' or (decision = 'REJECTED' and not_payable_reason is not null)),
    check (decision not in ('APPROVED', 'PAID') or approved_subsidy_fen <= expected_subsidy_fen),
    check (decision = 'REJECTED' or rejection_reason is null)
);
-- One live line per loan and quarter, whatever the claim: filing it again is refused, and a paid
-- line can never be paid again. Rejected lines do not count, so a corrected line can be filed.
create unique index subsidy_claim_lines_one_live_per_loan_quarter
    on subsidy_claim_lines (loan_id, quarter_start) where decision <> 'REJECTED';
create index subsidy_claim_lines_by_quarter on subsidy_claim_lines (quarter_start, region_code) where decision = 'PAID';

-- A paid line is final: no update, no delete.
create function subsidy_paid_line_is_final() returns trigger language plpgsql as $$
begin
    if tg_op = 'DELETE' or old.decision = 'PAID' then
        raise exception 'subsidy claim line (%, %) is paid and final', old.claim_id, old.loan_id
            using errcode = 'check_violation';
    end if;
    return new;
end;
$$;
create trigger subsidy_claim_lines_final before update or delete on subsidy_claim_lines
    for each row execute function subsidy_paid_line_is_final();

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant select, insert, update on subsidy_claims, subsidy_claim_lines to danbao_app;
    end if;
end;
$$;
