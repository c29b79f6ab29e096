-- The application's role: what the service may do to the tables of 0001–0008. The service logs
-- in as a user that is a member of danbao_app (deploy: GRANT danbao_app TO <login user>) and
-- never as the owner, so append-only is enforced twice: by these privileges and by the triggers.
-- The balance-maintaining trigger functions become SECURITY DEFINER, so the app role needs no
-- write privilege on ledger_balances at all. The role is cluster-wide; creating it is skipped (with a notice) where the migrating user may
-- not create roles, in which case deploy creates it.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'danbao_app') then
        create role danbao_app nologin;
    end if;
exception
    when duplicate_object or unique_violation then null;  -- a concurrent migration of another database created it
    when insufficient_privilege then raise notice 'cannot create role danbao_app; deploy must create it';
end;
$$;

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'danbao_app') then
        return;
    end if;
    revoke all on idempotency_keys, audit_events, ledger_accounts, ledger_transactions,
                  ledger_entries, ledger_balances, ledger_transaction_lines from danbao_app;
    -- Requests are claimed (insert) and completed (update of response) in the same transaction.
    grant select, insert, update on idempotency_keys to danbao_app;
    grant select, insert on audit_events, ledger_accounts, ledger_transactions, ledger_entries,
                            ledger_transaction_lines to danbao_app;
    -- Balances are written only by the ledger's triggers, which run as the owner (below).
    grant select on ledger_balances to danbao_app;
    grant usage on sequence audit_events_id_seq, ledger_accounts_id_seq, ledger_transactions_id_seq,
                            ledger_entries_id_seq to danbao_app;
end;
$$;

-- Run as the owner with a pinned search_path (the schema the migrations run in), as every
-- SECURITY DEFINER function must, so a caller cannot substitute its own tables.
do $$
begin
    execute format('alter function ledger_entries_apply() security definer set search_path = %I, pg_temp', current_schema());
    execute format('alter function ledger_accounts_open_balance() security definer set search_path = %I, pg_temp', current_schema());
    revoke all on function ledger_entries_apply(), ledger_accounts_open_balance() from public;
end;
$$;
