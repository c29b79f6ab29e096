-- The ledger's invariants, enforced by the database rather than trusted to the application.
--
-- 1. Every ledger transaction has at least two entries and its debits equal its credits.
--    Checked at COMMIT by a deferred constraint trigger (entries are inserted after their
--    transaction row, possibly in several statements), so an unbalanced posting fails at commit.
--    With entries only insertable by the creating database transaction (0006), a checked
--    transaction stays balanced forever.
-- 2. A reversal is the exact mirror of what it reverses: per account, its net movement is the
--    negation of the original's.
-- 3. Transactions and entries are append-only: UPDATE, DELETE and TRUNCATE are refused.
--    Production also REVOKEs UPDATE, DELETE and TRUNCATE on ledger_transactions, ledger_entries,
--    ledger_balances and audit_events from the application role; the triggers hold even for
--    the owner. Corrections are reversals, never edits.

create function ledger_transaction_check() returns trigger
language plpgsql as $$
declare
    entry_count  bigint;
    debits_fen   numeric;
    credits_fen  numeric;
    mismatched_account_id bigint;
begin
    select count(*),
           coalesce(sum(amount_fen) filter (where side = 'D'), 0),
           coalesce(sum(amount_fen) filter (where side = 'C'), 0)
    into entry_count, debits_fen, credits_fen
    from ledger_entries
    where transaction_id = new.id;

    if entry_count < 2 then
        raise exception using
            errcode = 'check_violation',
            message = format('ledger transaction %s has %s entries; at least 2 are required', new.id, entry_count);
    end if;
    if debits_fen <> credits_fen then
        raise exception using
            errcode = 'check_violation',
            message = format('ledger transaction %s is unbalanced: debits %s fen, credits %s fen',
                             new.id, debits_fen, credits_fen);
    end if;

    if new.reverses_transaction_id is not null then
        select coalesce(r.account_id, o.account_id) into mismatched_account_id
        from (select account_id, sum(case side when 'D' then amount_fen else -amount_fen end) as net_fen
              from ledger_entries where transaction_id = new.id group by account_id) r
        full join
             (select account_id, sum(case side when 'D' then amount_fen else -amount_fen end) as net_fen
              from ledger_entries where transaction_id = new.reverses_transaction_id group by account_id) o
          on o.account_id = r.account_id
        where coalesce(r.net_fen, 0) + coalesce(o.net_fen, 0) <> 0
        limit 1;
        if found then
            raise exception using
                errcode = 'check_violation',
                message = format('ledger transaction %s does not mirror transaction %s on account %s',
                                 new.id, new.reverses_transaction_id, mismatched_account_id);
        end if;
    end if;
    return null;
end;
$$;

create constraint trigger ledger_transaction_balanced
    after insert on ledger_transactions
    deferrable initially deferred
    for each row execute function ledger_transaction_check();

create trigger ledger_transactions_no_update_delete
    before update or delete on ledger_transactions
    for each row execute function refuse_mutation_of_append_only_table();

create trigger ledger_transactions_no_truncate
    before truncate on ledger_transactions
    for each statement execute function refuse_mutation_of_append_only_table();

create trigger ledger_entries_no_update_delete
    before update or delete on ledger_entries
    for each row execute function refuse_mutation_of_append_only_table();

create trigger ledger_entries_no_truncate
    before truncate on ledger_entries
    for each statement execute function refuse_mutation_of_append_only_table();
