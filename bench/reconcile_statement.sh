#!/usr/bin/env bash
# Reconciliation of one bank's statement, database side, at scale (issue 12): plants N loans'
# guarantees and releases in a fresh database (2 journal lines per loan on the bank's account:
# N = 550,000 → 1.1M journal lines), then times what UploadBankStatement runs for a statement of
# every loan (COPY of the lines into the upload's table, the merge that writes the breaks, the
# first 1,000 breaks). Prints figures; asserts nothing. Usage: bench/reconcile_statement.sh PGPORT [N]
set -euo pipefail
port=${1:?PGPORT}; n=${2:-550000}; db=danbao_bench_reconcile
psql() { command psql -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 "$@"; }
psql -qc "drop database if exists $db" -c "create database $db"
for f in "$(dirname "$0")"/../migrations/*.sql; do psql -q -1 -d $db -f "$f" >/dev/null; done
psql -q -d $db <<SQL
insert into institutions (id, display_name, role, region_code) values ('bench-bank', 'bench', 'BANK', 'CN-GD-GZ'), ('gz-fund', 'fund', 'FUND_OPERATOR', 'CN-GD-GZ') on conflict do nothing;
insert into ledger_accounts (code, type, institution) values ('bank:bench-bank:guaranteed_outstanding', 'asset', 'bench-bank'), ('fund:gz-fund:guarantees_outstanding', 'liability', 'gz-fund') on conflict do nothing;
SQL
start=$(date +%s.%N)
psql -q -d $db <<SQL
begin;
with t as (
  insert into ledger_transactions (kind, cause_type, cause_id, request_id, funding_source, policy_versions, business_date)
  select k, 'loan', 'L' || lpad(i::text, 20, '0'), 'bench-' || k || i, 'FINANCE_CAPITAL', '{}', case k when 'guarantee_issued' then date '2025-01-01' else date '2025-06-01' end
  from generate_series(1, $n) i, unnest(array['guarantee_issued', 'guarantee_released']) k
  returning id, kind)
insert into ledger_entries (transaction_id, account_id, side, amount_fen)
select t.id, a.id, s.side, case t.kind when 'guarantee_issued' then 20000000 else 5000000 end
from t
cross join lateral (values ('bank:bench-bank:guaranteed_outstanding', case t.kind when 'guarantee_issued' then 'D' else 'C' end),
                           ('fund:gz-fund:guarantees_outstanding', case t.kind when 'guarantee_issued' then 'C' else 'D' end)) s(code, side)
join ledger_accounts a on a.code = s.code;
commit;
SQL
echo "planted $((n * 2)) journal lines on the bank's account in $(echo "$(date +%s.%N) - $start" | bc) s"
# The statement: every loan, one in 100 off by 1 fen, one in 1000 left out; as the server receives it.
seq 1 "$n" | awk '{ if ($1 % 1000 != 0) printf "L%020d\t%d\n", $1, ($1 % 100 == 0) ? 15000001 : 15000000 }' > /tmp/bench_statement.tsv
lines=$(wc -l < /tmp/bench_statement.tsv)
start=$(date +%s.%N)
psql -q -d $db <<SQL
begin;
create temp table statement_lines (loan_id text primary key, fen bigint not null) on commit drop;
\copy statement_lines from '/tmp/bench_statement.tsv'
insert into bank_statements (id, bank_id, as_of_date, lines_received, loans_matched, breaks_count, ours_total_fen, theirs_total_fen)
values ('Sbench', 'bench-bank', '2025-12-31', $lines, 0, 0, 0, 0);
with ours as (
    select t.cause_id as loan_id, sum(case e.side when 'D' then e.amount_fen else -e.amount_fen end)::bigint as fen
    from ledger_accounts a join ledger_entries e on e.account_id = a.id join ledger_transactions t on t.id = e.transaction_id
    where a.code = 'bank:bench-bank:guaranteed_outstanding' and t.cause_type = 'loan' and t.business_date <= '2025-12-31'
    group by t.cause_id having sum(case e.side when 'D' then e.amount_fen else -e.amount_fen end) <> 0),
compared as (select coalesce(o.loan_id, s.loan_id) as loan_id, o.fen as ours, s.fen as theirs from ours o full join statement_lines s on s.loan_id = o.loan_id),
breaks as (
    insert into bank_statement_breaks (statement_id, loan_id, kind, ours_fen, theirs_fen)
    select 'Sbench', loan_id, case when ours is null then 'MISSING_HERE' when theirs is null then 'MISSING_THERE' else 'AMOUNT_DIFFERS' end, coalesce(ours, 0), coalesce(theirs, 0)
    from compared where (ours is null and theirs <> 0) or theirs is null or ours <> theirs returning 1),
totals as (select count(*) filter (where ours = theirs and theirs <> 0)::int as matched, coalesce(sum(ours), 0)::bigint as o, coalesce(sum(theirs), 0)::bigint as t from compared)
update bank_statements set loans_matched = totals.matched, breaks_count = (select count(*) from breaks), ours_total_fen = totals.o, theirs_total_fen = totals.t
from totals where id = 'Sbench';
select loan_id from bank_statement_breaks where statement_id = 'Sbench' order by loan_id limit 1000 \g /dev/null
commit;
SQL
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
psql -Atd $db -c "select format('statement of %s lines against %s journal lines: %s matched, %s breaks', lines_received, $n * 2, loans_matched, breaks_count) from bank_statements where id = 'Sbench'"
echo "COPY + merge + breaks written + first 1000 read: ${elapsed} s"
psql -qc "drop database $db"
