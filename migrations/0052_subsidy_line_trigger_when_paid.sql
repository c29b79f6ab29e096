-- 0050's row trigger ran plpgsql for every updated claim line; a review or settlement of a million
-- lines paid for it a million times. Fire it only for rows that are already PAID (and on delete).
drop trigger subsidy_claim_lines_final on subsidy_claim_lines;
create trigger subsidy_claim_lines_paid_final before update on subsidy_claim_lines
    for each row when (old.decision = 'PAID') execute function subsidy_paid_line_is_final();
create trigger subsidy_claim_lines_no_delete before delete on subsidy_claim_lines
    for each row execute function subsidy_paid_line_is_final();
