-- Per-subject detail of a ledger transaction, for set-based settlement: a quarter's
-- compensation or subsidy settlement with a bank posts ONE balanced ledger transaction
-- (a few aggregate entries) and streams its per-loan breakdown here with COPY. A million lines
-- then cost a million narrow rows, not a million ledger transactions with two entries each.
--
-- Invariant (checked at commit with the transaction's other checks): when a transaction has
-- lines, they add up to the transaction's total (sum of debits = sum of credits).
-- Append-only like the rest of the ledger; production also REVOKEs UPDATE, DELETE and TRUNCATE.
create table ledger_transaction_lines (
    -- No per-row foreign key: the statement trigger below checks the referenced transactions
    -- set-based, which costs one join per COPY instead of one index probe per line.
    transaction_id  bigint  not null,
    line_no         integer not null check (line_no >= 0),
    subject_type    text    not null check (length(subject_type) between 1 and 100),
    subject_id      text    not null check (length(subject_id) between 1 and 200),
    amount_fen      bigint  not null check (amount_fen > 0),
    primary key (transaction_id, line_no)
);

create function ledger_transaction_lines_check() returns trigger
language plpgsql as $$
declare
    bad_transaction_id bigint;
begin
    select l.transaction_id into bad_transaction_id
    from (select distinct transaction_id from new_lines) l
    left join ledger_transactions t on t.id = l.transaction_id
    where t.id is null or t.created_xid <> pg_current_xact_id()
    limit 1;
    if found then
        raise exception using
            errcode = 'integrity_constraint_violation',
            message = format('lines for ledger transaction %s must be inserted by the database transaction that created it',
                             bad_transaction_id);
    end if;
    return null;
end;
$$;

create trigger ledger_transaction_lines_check
    after insert on ledger_transaction_lines
    referencing new table as new_lines
    for each statement execute function ledger_transaction_lines_check();

create trigger ledger_transaction_lines_no_update_delete
    before update or delete on ledger_transaction_lines
    for each row execute function refuse_mutation_of_append_only_table();

create trigger ledger_transaction_lines_no_truncate
    before truncate on ledger_transaction_lines
    for each statement execute function refuse_mutation_of_append_only_table();

-- The commit-time check of 0007, extended with the lines invariant.
create or replace function ledger_transaction_check() returns trigger
language plpgsql as $$
declare
    entry_count  bigint;
    debits_fen   numeric;
    credits_fen  numeric;
    lines_fen    numeric;
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

    select sum(amount_fen) into lines_fen from ledger_transaction_lines where transaction_id = new.id;
    if lines_fen is not null and lines_fen <> debits_fen then
        raise exception using
            errcode = 'check_violation',
            message = format('ledger transaction %s: lines add up to %s fen but the transaction moves %s fen',
                             new.id, lines_fen, debits_fen);
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
