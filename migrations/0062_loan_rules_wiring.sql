-- Loan rules of issue 11 that need storage: the bank's 10-working-day event reports, one live loan
-- per unified social credit code (indexed), and which partner an ID index belongs to (partners'
-- loan histories are judged one by one).

-- The enterprise's unified social credit code (统一社会信用代码), out of the borrower JSON so the
-- "one live loan per credit code" and good-payer look-ups use an index.
alter table loans add column credit_code text;
update loans set credit_code = borrower -> 'enterprise' ->> 'creditCode' where borrower_type = 'ENTERPRISE';
create index loans_by_credit_code on loans (credit_code) where credit_code is not null;

-- 1-based position of a partner in the borrower's partners list (null for rows written before 0062).
alter table loan_borrower_ids add column partner_position int check (partner_position > 0);

-- Reports of early settlement, change of legal representative, business closure (policy.md §4, §8):
-- due within 10 working days of the event; the deadline and the late flag are decided at filing and
-- stored (decisions are stored at their event). Append-only.
create table loan_event_reports (
    id              bigserial primary key,
    loan_id         text not null references loans (id),
    bank_id         text not null references institutions (id),
    region_code     text not null,
    kind            text not null check (kind in ('EARLY_SETTLEMENT', 'LEGAL_REPRESENTATIVE_CHANGE', 'BUSINESS_CLOSURE')),
    event_date      date not null,
    reported_date   date not null check (reported_date >= event_date),
    deadline_date   date not null check (deadline_date >= event_date),
    late            boolean not null,
    days_late       int not null check (days_late >= 0),
    note            text not null default '',
    policy_version_ids text[] not null default '{}',
    request_id      text not null,
    created_at      timestamptz not null default now(),
    check (late = (reported_date > deadline_date))
);
create index loan_event_reports_by_loan on loan_event_reports (loan_id, id);
create index loan_event_reports_by_region on loan_event_reports (region_code, id desc);
create index loan_event_reports_late on loan_event_reports (region_code, id desc) where late;

create trigger loan_event_reports_append_only before update or delete on loan_event_reports
    for each row execute function refuse_mutation_of_append_only_table();

do $$
begin
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        grant select, insert on loan_event_reports to danbao_app;
        grant usage on sequence loan_event_reports_id_seq to danbao_app;
    end if;
end;
$$;
