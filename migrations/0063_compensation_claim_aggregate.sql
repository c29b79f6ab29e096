-- The compensation claim aggregate (issue 12, Danbao.Domain Compensation/CompensationClaim*):
-- the guarantor type stored with the guarantee (policy.md §1), the late-claim flag, and recoveries
-- recorded by the bank that collected them, PENDING until the fund operator confirms or refuses them;
-- recoveries go on after write-off (账销案存). Forward-only; existing rows are backfilled.

-- Who guarantees the loan, fixed at the guarantee with its share (loans.fund_risk_share_bp).
alter table loans add column guarantor_type text not null default 'GUARANTEE_FUND'
    check (guarantor_type in ('GUARANTEE_FUND', 'GOVERNMENT_FINANCING_GUARANTOR'));

alter table compensation_claims
    add column guarantor_type text not null default 'GUARANTEE_FUND'
        check (guarantor_type in ('GUARANTEE_FUND', 'GOVERNMENT_FINANCING_GUARANTOR')),
    -- First day the loan was more than CLAIM_OVERDUE_DAYS_MIN overdue; a claim filed after that
    -- day's quarter is late (Domain LateClaim).
    add column claimable_on date,
    add column filed_late boolean not null default false;

-- Existing claims: the first overdue day is claim_date - overdue_days + 1, claimable 90 days later
-- (the seeded CLAIM_OVERDUE_DAYS_MIN); late when filed after that quarter.
update compensation_claims set claimable_on = claim_date - overdue_days + 1 + 90;
update compensation_claims set filed_late = claim_date >= (date_trunc('quarter', claimable_on) + interval '3 months')::date;
alter table compensation_claims alter column claimable_on set not null;

-- Recoveries: numbered per claim; recorded by a bank (PENDING until confirmed or refused) or by the
-- fund operator (POSTED at once). The split is known only once posted.
drop trigger claim_recoveries_append_only on claim_recoveries;
alter table claim_recoveries
    add column number          int,
    add column recorded_by     text not null default 'FUND_OPERATOR' check (recorded_by in ('BANK', 'FUND_OPERATOR')),
    add column institution     text references institutions (id),
    add column status          text not null default 'POSTED' check (status in ('PENDING', 'POSTED', 'REFUSED')),
    add column after_write_off boolean not null default false,
    add column posted_date     date,
    add column refusal_reason  text,
    alter column fund_fen drop not null,
    alter column bank_fen drop not null;
update claim_recoveries r set
    number = n.number, institution = c.fund_id, posted_date = r.recovered_date
from (select id, row_number() over (partition by claim_id order by id)::int as number from claim_recoveries) n,
     compensation_claims c
where n.id = r.id and c.id = r.claim_id;
alter table claim_recoveries
    alter column number set not null,
    alter column institution set not null,
    add constraint claim_recoveries_number_unique unique (claim_id, number),
    add constraint claim_recoveries_split_when_posted check ((status = 'POSTED') = (fund_fen is not null and bank_fen is not null and posted_date is not null)),
    add constraint claim_recoveries_reason_when_refused check ((status = 'REFUSED') = (refusal_reason is not null));

-- A recovery row never disappears, and changes only once: a PENDING one is posted or refused.
create function claim_recoveries_only_pending_changes() returns trigger
language plpgsql as $$
begin
    if tg_op = 'DELETE' or old.status <> 'PENDING' or new.status = 'PENDING'
       or (new.claim_id, new.number, new.recorded_by, new.institution, new.recovered_date, new.gross_fen, new.costs_fen, new.net_fen, new.request_id)
          is distinct from (old.claim_id, old.number, old.recorded_by, old.institution, old.recovered_date, old.gross_fen, old.costs_fen, old.net_fen, old.request_id) then
        raise exception using
            errcode = 'insufficient_privilege',
            message = format('%s on claim_recoveries is refused: only a PENDING recovery is posted or refused, once', tg_op);
    end if;
    return new;
end;
$$;
create trigger claim_recoveries_only_pending_changes before update or delete on claim_recoveries
    for each row execute function claim_recoveries_only_pending_changes();

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant update on claim_recoveries to danbao_app;
    end if;
end;
$$;

-- Reconciliation bounds (issue 12): a quota per bank per day counts the day's statements and their
-- lines; breaks are kept for a retention period, then deleted (the statement row and its totals stay).
alter table bank_statements add column breaks_deleted_at timestamptz;
create index bank_statements_by_bank_created on bank_statements (bank_id, created_at);
do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant update on bank_statements to danbao_app;
        grant delete on bank_statement_breaks to danbao_app;
    end if;
end;
$$;
