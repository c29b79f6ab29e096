using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Grpc.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Danbao.Grpc.Tests;

/// <summary>How failures reach a client of the real host: rich details for refusals, nothing of a server bug.</summary>
[Collection(SharedHostCollection.Name)]
public sealed class ErrorTests(SharedHost shared)
{
    [Fact]
    public async Task A_bad_request_arrives_with_every_field_violation_decoded_by_the_sdk()
    {
        var bank = shared.Server.Sdk("icbc-gz");
        var bad = await Assert.ThrowsAsync<RpcException>(async () => await bank.Loans.CreateLoanAsync(new CreateLoanRequest
        {
            RequestId = DanbaoClient.NewRequestId(),
            Loan = new Loan { AmountFen = -1, ContractDate = "2025-02-30" },
        }));
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
        var fields = bad.FieldViolations().Select(v => v.Field).ToList();
        Assert.Contains("loan.amount_fen", fields);
        Assert.Contains("loan.contract_date", fields);
        Assert.All(bad.FieldViolations(), v => Assert.False(string.IsNullOrEmpty(v.Description)));
    }

    [Fact]
    public async Task A_refusal_arrives_with_its_error_info_reason_decoded_by_the_sdk()
    {
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await shared.Server.Sdk(null).Identity.WhoAmIAsync(new WhoAmIRequest()));
        Assert.Equal((StatusCode.Unauthenticated, "CREDENTIALS_MISSING"), (anonymous.StatusCode, anonymous.Reason()));
        Assert.Equal("danbao.gov.cn", anonymous.Detail<Google.Rpc.ErrorInfo>()!.Domain);

        // A bank may not register client certificates: PERMISSION_DENIED with the role and the roles allowed as metadata.
        var bank = shared.Server.Sdk("icbc-gz");
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await bank.Identity.RegisterClientCertificateAsync(new RegisterClientCertificateRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/icbc-gz", CertificatePem = "-",
        }));
        Assert.Equal((StatusCode.PermissionDenied, "ROLE_NOT_ALLOWED"), (denied.StatusCode, denied.Reason()));
        Assert.Equal("BANK", denied.ReasonMetadata()["role"]);
        Assert.Null(denied.RetryDelay());
    }

    [Fact]
    public async Task An_unexpected_server_failure_is_internal_with_nothing_leaked_and_logged_with_its_exception()
    {
        await using var host = await TransportHost.StartAsync();
        // Break the host's database under it: the loans table is gone, which no handler expects.
        await using (var admin = new NpgsqlConnection(host.Database.ConnectionString))
        {
            await admin.OpenAsync();
            await using var rename = new NpgsqlCommand("alter table loans rename to loans_gone_for_the_test", admin);
            await rename.ExecuteNonQueryAsync();
        }
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Sdk("icbc-gz").Loans.GetLoanAsync(new GetLoanRequest { Name = "loans/L0000000000ABCDEFGHJK" }));
        Assert.Equal((StatusCode.Internal, "Internal server error."), (ex.StatusCode, ex.Status.Detail));
        Assert.DoesNotContain("loans", ex.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("42P01", ex.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Null(ex.GetRpcStatus());
        Assert.Contains(host.Logs.Entries, e => e.Level == LogLevel.Error
            && e.Exception is PostgresException { SqlState: "42P01" }
            && e.Message.Contains("/danbao.v1.LoanService/GetLoan", StringComparison.Ordinal));
    }
}
