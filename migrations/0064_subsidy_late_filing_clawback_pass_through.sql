-- Subsidy claims through the SubsidyClaim aggregate (policy.md §5): a line is one loan's one quarter
-- (a late line for an earlier quarter may sit in a later claim), late filing with a reason accepted or
-- refused line by line, claw-backs (就业补助资金追回) and pass-through dates as their own append-only
-- records (the paid line stays as it was), and the summary counters the aggregate computes.

alter table subsidy_claim_lines drop constraint subsidy_claim_lines_pkey;
alter table subsidy_claim_lines add primary key (claim_id, loan_id, quarter_start);
alter table subsidy_claim_lines
    add column late_filing text not null default 'ON_TIME' check (late_filing in ('ON_TIME', 'PENDING', 'ACCEPTED', 'REFUSED')),
    add column late_reason text,
    add constraint subsidy_claim_lines_late_has_reason check (late_filing = 'ON_TIME' or late_reason is not null);

alter table subsidy_claims
    add column lines_late          int not null default 0,
    add column lines_late_pending  int not null default 0,
    add column paid_subsidy_fen    bigint not null default 0,
    add column clawed_back_fen     bigint not null default 0 check (clawed_back_fen >= 0),
    add column passed_through_fen  bigint not null default 0 check (passed_through_fen >= 0);

create table subsidy_clawbacks (
    id                     bigserial primary key,
    claim_id               text not null references subsidy_claims (id),
    loan_id                text not null,
    quarter_start          date not null,
    amount_fen             bigint not null check (amount_fen > 0),
    reason                 text not null check (length(reason) between 1 and 500),
    clawed_back_date       date not null,
    clawed_back_by         text not null references institutions (id),
    ledger_transaction_id  bigint not null,
    created_at             timestamptz not null default now(),
    foreign key (claim_id, loan_id, quarter_start) references subsidy_claim_lines (claim_id, loan_id, quarter_start)
);
create index subsidy_clawbacks_by_line on subsidy_clawbacks (claim_id, loan_id, quarter_start);

create table subsidy_pass_throughs (
    claim_id               text not null,
    loan_id                text not null,
    quarter_start          date not null,
    amount_fen             bigint not null check (amount_fen > 0),
    credited_date          date not null,
    ledger_transaction_id  bigint not null,
    created_at             timestamptz not null default now(),
    primary key (claim_id, loan_id, quarter_start),
    foreign key (claim_id, loan_id, quarter_start) references subsidy_claim_lines (claim_id, loan_id, quarter_start)
);

create trigger subsidy_clawbacks_append_only before update or delete on subsidy_clawbacks
    for each row execute function refuse_mutation_of_append_only_table();
create trigger subsidy_pass_throughs_append_only before update or delete on subsidy_pass_throughs
    for each row execute function refuse_mutation_of_append_only_table();

-- Awards: the pool the decision allowed (cap less what nested regions awarded on the same lending).
alter table award_allocations add column pool_fen bigint check (pool_fen >= 0 and pool_fen <= cap_fen);

-- Which kinds of unit a region names as award recipients ("经办银行、担保基金运营管理机构等单位"): the most
-- specific region with rows governs; none anywhere → banks and fund operators (policy.md §7 [A]).
create table award_recipient_kinds (
    region_code  text not null,
    kind         text not null check (kind in ('HANDLING_BANK', 'FUND_OPERATOR', 'GOVERNMENT_GUARANTEE_INSTITUTION', 'EMPLOYMENT_SERVICE', 'OTHER_NAMED_UNIT')),
    source       text not null check (length(source) between 1 and 500),
    primary key (region_code, kind)
);
-- A unit's kind when its role does not say it (a 政府性融资担保机构 acting as fund operator, an incubator).
create table institution_award_kinds (
    institution_id  text primary key references institutions (id),
    kind            text not null check (kind in ('HANDLING_BANK', 'FUND_OPERATOR', 'GOVERNMENT_GUARANTEE_INSTITUTION', 'EMPLOYMENT_SERVICE', 'OTHER_NAMED_UNIT'))
);

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant select, insert on subsidy_clawbacks, subsidy_pass_throughs to danbao_app;
        grant select on award_recipient_kinds, institution_award_kinds to danbao_app;
        grant usage on sequence subsidy_clawbacks_id_seq to danbao_app;
    end if;
end;
$$;
