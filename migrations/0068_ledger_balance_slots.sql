-- Balances in slots: every posting used to UPDATE its accounts' one balance row and hold that row
-- lock until COMMIT, so all the guarantee releases of one fund (every repayment of every bank)
-- queued behind each other's durable commit: a fund's write throughput was one commit at a time.
-- Now each account's balance is the sum of up to 32 slot rows; a posting adds to the slot of its
-- database backend (pg_backend_pid() % 32), so concurrent writers on different connections do not
-- wait for each other. Still maintained in the same transaction as the entries, by the ledger's
-- trigger only; `danbao verify` still compares each account's sum of slots with its entries.
alter table ledger_balances add column slot smallint not null default 0;
alter table ledger_balances drop constraint ledger_balances_pkey;
alter table ledger_balances add primary key (account_id, slot);
alter table ledger_balances add constraint ledger_balances_slot_range check (slot between 0 and 31);

-- The day totals of 0065 are per (account, business date, kind): every release of one fund on one
-- day is the same row, the same queue. They get the same slots; readers already sum them.
alter table ledger_daily_movements add column slot smallint not null default 0;
alter table ledger_daily_movements drop constraint ledger_daily_movements_pkey;
alter table ledger_daily_movements add primary key (account_id, business_date, kind, slot);
alter table ledger_daily_movements add constraint ledger_daily_movements_slot_range check (slot between 0 and 31);

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

    -- One row per account touched, in account order (so concurrent postings on one slot cannot
    -- deadlock each other), added to this backend's slot. Then, as 0065 added, the balance per
    -- (account, cause) (a loan's rows are written under its loan's row lock, so they need no slot)
    -- and the day totals per (account, date, kind), in this backend's slot too.
    insert into ledger_balances as b (account_id, slot, debits_fen, credits_fen, balance_fen, version)
    select d.account_id, (pg_backend_pid() % 32)::smallint, d.debits_fen, d.credits_fen, d.normal_fen, 1
    from (
        select e.account_id,
               coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint as debits_fen,
               coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint as credits_fen,
               sum(case when e.side = a.normal_side then e.amount_fen else -e.amount_fen end)::bigint as normal_fen
        from new_entries e
        join ledger_accounts a on a.id = e.account_id
        group by e.account_id
    ) d
    order by d.account_id
    on conflict (account_id, slot) do update
    set debits_fen  = b.debits_fen + excluded.debits_fen,
        credits_fen = b.credits_fen + excluded.credits_fen,
        balance_fen = b.balance_fen + excluded.balance_fen,
        version     = b.version + 1;

    insert into ledger_cause_balances as c (account_id, cause_type, cause_id, balance_fen)
    select e.account_id, t.cause_type, t.cause_id,
           sum(case when e.side = a.normal_side then e.amount_fen else -e.amount_fen end)::bigint
    from new_entries e
    join ledger_transactions t on t.id = e.transaction_id
    join ledger_accounts a on a.id = e.account_id
    group by e.account_id, t.cause_type, t.cause_id
    order by e.account_id, t.cause_type, t.cause_id
    on conflict (account_id, cause_type, cause_id) do update set balance_fen = c.balance_fen + excluded.balance_fen;

    insert into ledger_daily_movements as m (account_id, business_date, kind, slot, debits_fen, credits_fen)
    select e.account_id, t.business_date, t.kind, (pg_backend_pid() % 32)::smallint,
           coalesce(sum(e.amount_fen) filter (where e.side = 'D'), 0)::bigint,
           coalesce(sum(e.amount_fen) filter (where e.side = 'C'), 0)::bigint
    from new_entries e
    join ledger_transactions t on t.id = e.transaction_id
    group by e.account_id, t.business_date, t.kind
    order by e.account_id, t.business_date, t.kind
    on conflict (account_id, business_date, kind, slot) do update
        set debits_fen = m.debits_fen + excluded.debits_fen, credits_fen = m.credits_fen + excluded.credits_fen;
    return null;
end;
$$;

-- CREATE OR REPLACE resets the function to SECURITY INVOKER: run it as the owner again, with the
-- pinned search_path (as 0009 set it), since the application role may not write balances itself.
do $$
begin
    execute format('alter function ledger_entries_apply() security definer set search_path = %I, pg_temp', current_schema());
    revoke all on function ledger_entries_apply() from public;
end;
$$;
