#!/usr/bin/python3
"""A partner bank's integration with Danbao in Python (grpcio): the bank's side of a loan.

Generates the message classes from protos/ with /usr/bin/protoc at start-up into a private
directory (gitignored, removed at exit), then calls the API with plain grpcio. Every command
prints one JSON object on stdout; errors print {"error": ...} with the google.rpc details and
exit 1.

  bank_integration.py --server 127.0.0.1:50051 --key dbk_... submit --date 2026-03-01
  bank_integration.py ... due-diligence loans/L...
  bank_integration.py ... approve loans/L...
  bank_integration.py ... disburse loans/L... --date 2026-03-10
  bank_integration.py ... repay loans/L... --instalment 1
  bank_integration.py ... claim-subsidy --quarter 2026-Q2 --loan loans/L... --interest-fen 87500
  bank_integration.py ... errors            # shows how refusals and bad input come back

The key may also come from DANBAO_KEY and the server from DANBAO_SERVER (host:port).
Needs: apt-get install python3-grpcio python3-protobuf protobuf-compiler
"""
import argparse
import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
PROTOS = os.path.join(REPO, "protos")
THIRD_PARTY = os.path.join(PROTOS, "third_party")


def generate_stubs():
    """protoc → danbao/v1/*_pb2.py and google/rpc/*_pb2.py in a fresh directory on sys.path."""
    os.makedirs(os.path.join(HERE, "gen"), exist_ok=True)
    gen = tempfile.mkdtemp(prefix="stubs-", dir=os.path.join(HERE, "gen"))
    atexit.register(shutil.rmtree, gen, True)
    files = [os.path.join("danbao", "v1", f) for f in sorted(os.listdir(os.path.join(PROTOS, "danbao", "v1"))) if f.endswith(".proto")]
    files += ["google/rpc/status.proto", "google/rpc/error_details.proto"]
    subprocess.run(["/usr/bin/protoc", "-I", PROTOS, "-I", THIRD_PARTY, "--python_out", gen] + files, check=True)
    # "google" is a namespace package (python3-protobuf's google.protobuf lives in another
    # directory): no __init__.py there, so google.rpc from here and google.protobuf from the
    # system import side by side.
    sys.path.insert(0, gen)


try:
    import grpc
except ImportError:
    sys.exit("python3-grpcio is not installed for /usr/bin/python3 (apt-get install python3-grpcio)")
generate_stubs()
from danbao.v1 import loans_pb2, subsidy_pb2  # noqa: E402  (generated)
from google.rpc import error_details_pb2, status_pb2  # noqa: E402

LOANS = "/danbao.v1.LoanService/"
SUBSIDY = "/danbao.v1.SubsidyService/"


class Danbao:
    """A thin typed wrapper: one method per call, bearer key on every call, writes retried by request_id."""

    def __init__(self, target, key, timeout=30.0):
        self.channel = grpc.insecure_channel(target)
        self.metadata = (("authorization", "Bearer " + key),)
        self.timeout = timeout

    def call(self, path, request, reply_type):
        stub = self.channel.unary_unary(path, request_serializer=type(request).SerializeToString,
                                        response_deserializer=reply_type.FromString)
        return stub(request, metadata=self.metadata, timeout=self.timeout)

    def write(self, path, request, reply_type, attempts=4):
        """A write with the request_id already set: on UNAVAILABLE, retry with the SAME id. The server
        answers a repeated id with the first reply, so a write lost in transit is never done twice."""
        for attempt in range(attempts):
            try:
                return self.call(path, request, reply_type)
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.UNAVAILABLE or attempt == attempts - 1:
                    raise
                time.sleep(0.2 * 2 ** attempt)

    def loan(self, name):
        return self.call(LOANS + "GetLoan", loans_pb2.GetLoanRequest(name=name), loans_pb2.Loan)


def new_request_id():
    return uuid.uuid4().hex


def error_details(error):
    """The google.rpc.Status the server sends in the grpc-status-details-bin trailer, unpacked."""
    out = {"code": error.code().name, "message": error.details()}
    for key, value in error.trailing_metadata() or ():
        if key != "grpc-status-details-bin":
            continue
        status = status_pb2.Status.FromString(value)
        for any_detail in status.details:
            info = error_details_pb2.ErrorInfo()
            bad = error_details_pb2.BadRequest()
            if any_detail.Is(info.DESCRIPTOR):
                any_detail.Unpack(info)
                out["reason"] = info.reason
                out["domain"] = info.domain
                out["metadata"] = dict(info.metadata)
            elif any_detail.Is(bad.DESCRIPTOR):
                any_detail.Unpack(bad)
                out["field_violations"] = [{"field": v.field, "description": v.description} for v in bad.field_violations]
    return out


def resident_id(first17):
    """Appends the GB 11643 check character (ISO 7064 MOD 11-2) to the first 17 digits."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


def application(date, rate_bp=350, amount_fen=15000000, id_number=resident_id("44010619900517001")):
    """An individual's application: 15万 over 2 years, bullet, with a counter-guarantee (above 10万)."""
    return loans_pb2.CreateLoanRequest(
        request_id=new_request_id(),
        loan=loans_pb2.Loan(
            borrower=loans_pb2.Borrower(
                type=loans_pb2.INDIVIDUAL,
                person=loans_pb2.Person(name="李华", id_number=id_number, key_group=loans_pb2.GRADUATE, residency=loans_pb2.MAINLAND),
            ),
            amount_fen=amount_fen, term_months=24, contract_rate_bp=rate_bp, repayment_method=loans_pb2.BULLET,
            contract_date=date, application_date=date, counter_guarantee=True, region="CN-GD-GZ", district="天河区",
        ))


def submit(api, args):
    loan = api.write(LOANS + "CreateLoan", application(args.date), loans_pb2.Loan)
    return {"loan": loan.name, "state": loans_pb2.LoanState.Name(loan.state), "masked_id": loan.borrower.person.id_number_masked}


def due_diligence(api, args):
    loan = api.loan(args.loan)
    loan = api.write(LOANS + "RecordDueDiligence", loans_pb2.RecordDueDiligenceRequest(
        request_id=new_request_id(), name=loan.name, etag=loan.etag, passed=True), loans_pb2.Loan)
    return {"loan": loan.name, "state": loans_pb2.LoanState.Name(loan.state), "bank_due_diligence": loan.bank_due_diligence}


def approve(api, args):
    loan = api.loan(args.loan)
    loan = api.write(LOANS + "ApproveLoan", loans_pb2.ApproveLoanRequest(request_id=new_request_id(), name=loan.name, etag=loan.etag), loans_pb2.Loan)
    return {"loan": loan.name, "state": loans_pb2.LoanState.Name(loan.state)}


def disburse(api, args):
    loan = api.loan(args.loan)
    loan = api.write(LOANS + "DisburseLoan", loans_pb2.DisburseLoanRequest(
        request_id=new_request_id(), name=loan.name, etag=loan.etag, disbursement_date=args.date), loans_pb2.Loan)
    return {"loan": loan.name, "state": loans_pb2.LoanState.Name(loan.state), "maturity_date": loan.maturity_date}


def repay(api, args):
    schedule = api.call(LOANS + "GetRepaymentSchedule", loans_pb2.GetRepaymentScheduleRequest(name=args.loan), loans_pb2.RepaymentSchedule)
    due = next(i for i in schedule.instalments if i.number == args.instalment)
    amount = due.principal_due_fen + due.interest_due_fen
    request = loans_pb2.RecordRepaymentRequest(request_id=new_request_id(), name=args.loan, amount_fen=amount, paid_date=due.due_date)
    reply = api.write(LOANS + "RecordRepayment", request, loans_pb2.RecordRepaymentResponse)
    # The same request_id again (as after a lost reply): the first answer, not a second repayment.
    again = api.write(LOANS + "RecordRepayment", request, loans_pb2.RecordRepaymentResponse)
    return {"loan": args.loan, "paid_date": due.due_date, "amount_fen": amount, "interest_fen": reply.interest_fen,
            "principal_fen": reply.principal_fen, "settled": reply.settled,
            "retry_same_reply": again == reply, "outstanding_principal_fen": reply.loan.outstanding_principal_fen}


def claim_subsidy(api, args):
    claim = api.write(SUBSIDY + "CreateSubsidyClaim", subsidy_pb2.CreateSubsidyClaimRequest(
        request_id=new_request_id(), quarter=args.quarter), subsidy_pb2.SubsidyClaim)
    line = subsidy_pb2.SubsidyClaimLineInput(loan=args.loan, interest_paid_fen=args.interest_fen,
                                             subsidy_claimed_fen=(args.interest_fen + 1) // 2)
    added = api.write(SUBSIDY + "AddSubsidyClaimLines", subsidy_pb2.AddSubsidyClaimLinesRequest(
        request_id=new_request_id(), claim=claim.name, lines=[line]), subsidy_pb2.AddSubsidyClaimLinesResponse)
    checked = added.lines[0]
    claim = api.write(SUBSIDY + "SubmitSubsidyClaim", subsidy_pb2.SubmitSubsidyClaimRequest(
        request_id=new_request_id(), name=added.claim.name, etag=added.claim.etag), subsidy_pb2.SubsidyClaim)
    return {"claim": claim.name, "state": subsidy_pb2.SubsidyClaimState.Name(claim.state), "quarter": claim.quarter,
            "line_flag": subsidy_pb2.SubsidyLineFlag.Name(checked.flag), "claimed_fen": checked.subsidy_claimed_fen,
            "expected_subsidy_fen": checked.expected_subsidy_fen, "expected_interest_fen": checked.expected_interest_fen}


def errors(api, args):
    """Two refusals a bank must handle: a rule (ErrorInfo.reason) and bad fields (BadRequest)."""
    out = {}
    try:
        api.write(LOANS + "CreateLoan", application("2026-03-01", rate_bp=900, id_number=resident_id("44010619920304002")), loans_pb2.Loan)
        out["rate_above_cap"] = "accepted?!"
    except grpc.RpcError as e:
        out["rate_above_cap"] = error_details(e)
    bad = application("2026-03-01")
    bad.loan.amount_fen = -5
    bad.loan.borrower.person.id_number = "12345"
    try:
        api.write(LOANS + "CreateLoan", bad, loans_pb2.Loan)
        out["bad_input"] = "accepted?!"
    except grpc.RpcError as e:
        out["bad_input"] = error_details(e)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default=os.environ.get("DANBAO_SERVER", "127.0.0.1:50051"), help="host:port (h2c)")
    parser.add_argument("--key", default=os.environ.get("DANBAO_KEY"), help="the bank's API key dbk_…")
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("submit")
    c.add_argument("--date", required=True)
    c.set_defaults(run=submit)
    for name, run in (("due-diligence", due_diligence), ("approve", approve)):
        c = commands.add_parser(name)
        c.add_argument("loan")
        c.set_defaults(run=run)
    c = commands.add_parser("disburse")
    c.add_argument("loan")
    c.add_argument("--date", required=True)
    c.set_defaults(run=disburse)
    c = commands.add_parser("repay")
    c.add_argument("loan")
    c.add_argument("--instalment", type=int, required=True)
    c.set_defaults(run=repay)
    c = commands.add_parser("claim-subsidy")
    c.add_argument("--quarter", required=True)
    c.add_argument("--loan", required=True)
    c.add_argument("--interest-fen", type=int, required=True)
    c.set_defaults(run=claim_subsidy)
    c = commands.add_parser("errors")
    c.set_defaults(run=errors)
    args = parser.parse_args()
    if not args.key:
        parser.error("--key or DANBAO_KEY is required")
    server = args.server.removeprefix("http://")
    api = Danbao(server, args.key)
    try:
        print(json.dumps(args.run(api, args), ensure_ascii=False))
    except grpc.RpcError as e:
        print(json.dumps({"error": error_details(e)}, ensure_ascii=False))
        sys.exit(1)


if __name__ == "__main__":
    main()
