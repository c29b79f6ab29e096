-- Balances derived from the entries, maintained by the ledger's balance trigger in the statement
-- that inserts them (issue 12), so reconciliation never aggregates the whole journal:
-- * per (account, cause): a loan's guaranteed principal on the bank's account is one row, read by
--   the guarantee release of every repayment and by the statement comparison (joined with the
--   bank's streamed lines instead of an aggregate over the journal);
-- * per (account, business date, kind): the day's debits and credits, summed over a period by the
--   bank's period statement (GetBankReconciliation) instead of its entries.
-- Like ledger_balances they can never drift from the entries: only the trigger writes them, after
-- it has locked the account's balance row, so they add no lock of their own.
create table ledger_cause_balances (
    -- No foreign key: rows come only from entries, whose account is already checked.
    account_id   bigint not null,
    cause_type   text   not null,
    cause_id     text   not null,
    -- On the account's normal side, as ledger_balances.balance_fen.
    balance_fen  bigint not null,
    primary key (account_id, cause_type, cause_id)
);

create table ledger_daily_movements (
    account_id     bigint not null,
    business_date  date   not null,
    kind           text   not null,
    debits_fen     bigint not null,
    credits_fen    bigint not null,
    primary key (account_id, business_date, kind)
);

-- Existing entries (forward-only: the tables start equal to the journal).
insert into ledger_daily_movements (account_id, business_date, kind, debits_fen, credits_fen)
select e.account_id, t.business_date, t.kind,
       coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint,
       coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint
from ledger_entries e
join ledger_transactions t on t.id = e.transaction_id
group by e.account_id, t.business_date, t.kind;

insert into ledger_cause_balances (account_id, cause_type, cause_id, balance_fen)
select e.account_id, t.cause_type, t.cause_id,
       sum(case when e.side = a.normal_side then e.amount_fen else -e.amount_fen end)::bigint
from ledger_entries e
join ledger_transactions t on t.id = e.transaction_id
join ledger_accounts a on a.id = e.account_id
group by e.account_id, t.cause_type, t.cause_id;

-- A statement's breaks are written only by the comparison, in the transaction that inserts the
-- statement's row: the per-row foreign-key check cost ~30 µs a break (1.1M breaks: 35 s of 50 s).
alter table bank_statement_breaks drop constraint bank_statement_breaks_statement_id_fkey;

create function ledger_derived_balances_guard() returns trigger
language plpgsql as $$
begin
    if pg_trigger_depth() < 2 then
        raise exception using
            errcode = 'insufficient_privilege',
            message = format('%s on %s is refused: balances are maintained by the ledger', tg_op, tg_table_name);
    end if;
    if tg_op = 'DELETE' then
        return old;
    end if;
    return new;
end;
$$;

create trigger ledger_cause_balances_guard
    before insert or update or delete on ledger_cause_balances
    for each row execute function ledger_derived_balances_guard();
create trigger ledger_cause_balances_no_truncate
    before truncate on ledger_cause_balances
    for each statement execute function refuse_mutation_of_append_only_table();
create trigger ledger_daily_movements_guard
    before insert or update or delete on ledger_daily_movements
    for each row execute function ledger_derived_balances_guard();
create trigger ledger_daily_movements_no_truncate
    before truncate on ledger_daily_movements
    for each statement execute function refuse_mutation_of_append_only_table();

-- 0006's trigger, plus two upserts of the statement's entries, grouped by (account, cause) and by
-- (account, business date, kind), in key order. Rows of one account are upserted after that
-- account's balance row is locked, so two postings cannot deadlock on them.
create or replace function ledger_entries_apply() returns trigger
language plpgsql as $$
declare
    stray_transaction_id bigint;
begin
    select e.transaction_id into stray_transaction_id
    from new_entries e
    join ledger_transactions t on t.id = e.transaction_id
    where t.created_xid <> pg_current_xact_id()
    limit 1;
    if found then
        raise exception using
            errcode = 'integrity_constraint_violation',
            message = format('entries for ledger transaction %s must be inserted by the database transaction that created it',
                             stray_transaction_id);
    end if;

    perform 1 from ledger_balances b
    where b.account_id in (select distinct account_id from new_entries)
    order by b.account_id
    for update;

    update ledger_balances b
    set debits_fen  = b.debits_fen + d.debits_fen,
        credits_fen = b.credits_fen + d.credits_fen,
        balance_fen = b.balance_fen + d.normal_fen,
        version     = b.version + 1
    from (
        select e.account_id,
               coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint as debits_fen,
               coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint as credits_fen,
               sum(case when e.side = a.normal_side then e.amount_fen else -e.amount_fen end)::bigint as normal_fen
        from new_entries e
        join ledger_accounts a on a.id = e.account_id
        group by e.account_id
    ) d
    where b.account_id = d.account_id;

    insert into ledger_cause_balances as c (account_id, cause_type, cause_id, balance_fen)
    select e.account_id, t.cause_type, t.cause_id,
           sum(case when e.side = a.normal_side then e.amount_fen else -e.amount_fen end)::bigint
    from new_entries e
    join ledger_transactions t on t.id = e.transaction_id
    join ledger_accounts a on a.id = e.account_id
    group by e.account_id, t.cause_type, t.cause_id
    order by e.account_id, t.cause_type, t.cause_id
    on conflict (account_id, cause_type, cause_id) do update set balance_fen = c.balance_fen + excluded.balance_fen;

    insert into ledger_daily_movements as m (account_id, business_date, kind, debits_fen, credits_fen)
    select e.account_id, t.business_date, t.kind,
           coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint,
           coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint
    from new_entries e
    join ledger_transactions t on t.id = e.transaction_id
    group by e.account_id, t.business_date, t.kind
    order by e.account_id, t.business_date, t.kind
    on conflict (account_id, business_date, kind) do update
        set debits_fen = m.debits_fen + excluded.debits_fen, credits_fen = m.credits_fen + excluded.credits_fen;
    return null;
end;
$$;

do $$
begin
    execute format('alter function ledger_entries_apply() security definer set search_path = %I, pg_temp', current_schema());
    revoke all on function ledger_entries_apply() from public;
    if exists (select 1 from pg_roles where rolname = 'danbao_app') then
        revoke all on ledger_cause_balances, ledger_daily_movements from danbao_app;
        grant select on ledger_cause_balances, ledger_daily_movements to danbao_app;
    end if;
end;
$$;
