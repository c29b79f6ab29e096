using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Tests.Support;

namespace Danbao.Server.Tests;

/// <summary>Every call is authenticated and authorised by role and institution; a bank never sees another bank's data.</summary>
public sealed class AccessTests(DanbaoServer server) : IClassFixture<DanbaoServer>
{
    [Fact]
    public async Task A_bank_cannot_read_or_change_another_banks_loan()
    {
        var icbc = new LoanSteps(server);
        var loan = await icbc.Submit();
        var ccb = server.As("ccb-gz");
        var read = await Assert.ThrowsAsync<RpcException>(async () => await ccb.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }));
        Assert.Equal(StatusCode.NotFound, read.StatusCode);
        var change = await Assert.ThrowsAsync<RpcException>(async () => await ccb.Loans.RejectLoanAsync(new RejectLoanRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag, Reason = "not mine", Withdraw = true,
        }));
        Assert.Equal(StatusCode.NotFound, change.StatusCode);
        var events = await Assert.ThrowsAsync<RpcException>(async () => await ccb.Loans.ListLoanEventsAsync(new ListLoanEventsRequest { Name = loan.Name }));
        Assert.Equal(StatusCode.NotFound, events.StatusCode);
        var listed = await ccb.Loans.ListLoansAsync(new ListLoansRequest { PageSize = 500, Bank = "institutions/icbc-gz" });
        Assert.DoesNotContain(listed.Loans, l => l.Name == loan.Name);
    }

    [Fact]
    public async Task Regional_bodies_see_their_region_only()
    {
        var loan = await new LoanSteps(server).Submit();
        var gz = await server.As("gz-fund").Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.Equal(loan.Name, gz.Name);
        var jm = await Assert.ThrowsAsync<RpcException>(async () => await server.As("jm-fund").Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name }));
        Assert.Equal(StatusCode.NotFound, jm.StatusCode);
    }

    [Fact]
    public async Task A_role_the_rpc_does_not_allow_is_permission_denied()
    {
        var loan = await new LoanSteps(server).Submit();
        var denied = await Assert.ThrowsAsync<RpcException>(async () => await server.As("icbc-gz").Loans.ReviewEligibilityAsync(new ReviewEligibilityRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Name = loan.Name, Etag = loan.Etag,
        }));
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        Assert.Equal("ROLE_NOT_ALLOWED", denied.Reason());
        Assert.Equal("EMPLOYMENT_SERVICE", denied.ReasonMetadata()["allowed_roles"]);
    }

    [Theory]
    [InlineData(null, "CREDENTIALS_MISSING")]
    [InlineData("Bearer something-else", "API_KEY_MALFORMED")]
    [InlineData("Bearer dbk_abcdefghijkl_not-a-real-secret", "API_KEY_INVALID")]
    public async Task Calls_without_valid_credentials_are_unauthenticated(string? authorization, string reason)
    {
        var client = server.WithKey(authorization?.Replace("Bearer ", "", StringComparison.Ordinal));
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await client.Identity.WhoAmIAsync(new WhoAmIRequest()));
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Equal(reason, refused.Reason());
    }

    [Fact]
    public async Task A_revoked_key_stops_working_at_once_and_a_new_key_works()
    {
        var admin = server.As("admin");
        var created = await admin.Identity.CreateApiKeyAsync(new CreateApiKeyRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/boc-gz", Description = "test key",
        });
        Assert.StartsWith("dbk_", created.Secret, StringComparison.Ordinal);
        var boc = server.WithKey(created.Secret);
        Assert.Equal("institutions/boc-gz", (await boc.Identity.WhoAmIAsync(new WhoAmIRequest())).Institution);

        await admin.Identity.RevokeApiKeyAsync(new RevokeApiKeyRequest { RequestId = DanbaoClient.NewRequestId(), Name = created.Key.Name });
        var refused = await Assert.ThrowsAsync<RpcException>(async () => await boc.Identity.WhoAmIAsync(new WhoAmIRequest()));
        Assert.Equal("API_KEY_INVALID", refused.Reason());
    }

    [Fact]
    public async Task A_new_keys_secret_is_not_kept_even_for_replays()
    {
        var admin = server.As("admin");
        var request = new CreateApiKeyRequest { RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/boc-gz" };
        var first = await admin.Identity.CreateApiKeyAsync(request);
        var replay = await admin.Identity.CreateApiKeyAsync(request);
        Assert.Equal(first.Key.Name, replay.Key.Name);
        Assert.Equal("", replay.Secret);
        await using var conn = await NpgsqlDataSourceFor(server).OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("select count(*) from idempotency_keys where position(convert_to(@secret, 'UTF8') in response) > 0", conn);
        cmd.Parameters.AddWithValue("secret", first.Secret);
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Id_numbers_are_masked_in_replies_and_sealed_at_rest()
    {
        var id = TestIdNumbers.Make(new DateOnly(1991, 1, 9), male: false);
        var loan = await new LoanSteps(server).Submit(LoanSteps.Individual(idNumber: id));
        Assert.Equal("", loan.Borrower.Person.IdNumber);
        Assert.Equal(id[..4] + "**********" + id[14..], loan.Borrower.Person.IdNumberMasked);
        await using var conn = await NpgsqlDataSourceFor(server).OpenConnectionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(
            "select count(*) from loans where borrower::text like '%' || @id || '%' or position(convert_to(@id, 'UTF8') in id_number_cipher) > 0", conn);
        cmd.Parameters.AddWithValue("id", id);
        Assert.Equal(0L, await cmd.ExecuteScalarAsync());
    }

    private static Npgsql.NpgsqlDataSource NpgsqlDataSourceFor(DanbaoServer server) => server.Database.CreateDataSource();
}
