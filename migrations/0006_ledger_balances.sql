-- Current balance per account, maintained by the database in the same transaction as the
-- entries (statement-level trigger over the inserted rows), so it can never drift from them.
create table ledger_balances (
    account_id   bigint primary key references ledger_accounts (id),
    debits_fen   bigint not null default 0,
    credits_fen  bigint not null default 0,
    -- On the account's normal side: debits - credits for assets/expenses, credits - debits otherwise.
    balance_fen  bigint not null default 0,
    version      bigint not null default 0
);

-- Only the ledger's own triggers may write balances (they run at trigger depth >= 2 here);
-- a direct INSERT/UPDATE/DELETE from a session is refused.
create function ledger_balances_guard() returns trigger
language plpgsql as $$
begin
    if pg_trigger_depth() < 2 then
        raise exception using
            errcode = 'insufficient_privilege',
            message = format('%s on ledger_balances is refused: balances are maintained by the ledger', tg_op);
    end if;
    if tg_op = 'DELETE' then
        return old;
    end if;
    return new;
end;
$$;

create trigger ledger_balances_guard
    before insert or update or delete on ledger_balances
    for each row execute function ledger_balances_guard();

create trigger ledger_balances_no_truncate
    before truncate on ledger_balances
    for each statement execute function refuse_mutation_of_append_only_table();

-- Every account gets a zero balance row when opened, so postings only ever UPDATE.
create function ledger_accounts_open_balance() returns trigger
language plpgsql as $$
begin
    insert into ledger_balances (account_id) values (new.id);
    return null;
end;
$$;

create trigger ledger_accounts_open_balance
    after insert on ledger_accounts
    for each row execute function ledger_accounts_open_balance();

-- Applies a statement's entries to the balances: one UPDATE per account touched, locking the
-- balance rows in account order first so concurrent postings cannot deadlock each other.
create function ledger_entries_apply() returns trigger
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
    return null;
end;
$$;

create trigger ledger_entries_apply
    after insert on ledger_entries
    referencing new table as new_entries
    for each statement execute function ledger_entries_apply();
