using Grpc.Net.Client;
using Danbao.Proof.Tests.Support;
using System.Reflection;
using Danbao.Client;
using Danbao.Contracts.V1;
using Grpc.Core;
using Danbao.Server.Identity;
using Danbao.Server.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Xunit.Abstractions;

namespace Danbao.Proof.Tests;

/// <summary>
/// The access matrix, generated from what each handler declares: every danbao.v1 rpc × every
/// role × own vs other institution's resource × missing / malformed / unknown / revoked key.
/// </summary>
public sealed class SecurityMatrixTests(DanbaoServer server, ITestOutputHelper output) : IClassFixture<DanbaoServer>
{
    /// <summary>One demo institution per role (Guangzhou), and its counterpart outside: another bank, or Jiangmen.</summary>
    private static readonly (Role Role, string Own, string Other)[] Roles =
    [
        (Role.Bank, "icbc-gz", "ccb-gz"),
        (Role.FundOperator, "gz-fund", "jm-fund"),
        (Role.EmploymentService, "gz-hrss", "jm-hrss"),
        (Role.FinanceBureau, "gz-finance", "jm-finance"),
        (Role.Admin, "admin", "admin"),
    ];

    private static readonly HashSet<StatusCode> Denials = [StatusCode.Unauthenticated, StatusCode.PermissionDenied];

    /// <summary>Every rpc with the roles its handler method declares ([Roles]).</summary>
    public static IEnumerable<(MethodDescriptor Method, IReadOnlyList<Role> Allowed)> DeclaredRpcs()
    {
        var handlers = typeof(RolesAttribute).Assembly.GetTypes()
            .Where(t => t.Namespace == "Danbao.Server.Handlers" && t.IsClass)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttribute<RolesAttribute>() is not null)
            .ToList();
        foreach (var rpc in Fuzzer.DanbaoMethods())
        {
            var handler = handlers.SingleOrDefault(h => h.Name == rpc.Name && h.GetParameters().FirstOrDefault()?.ParameterType == rpc.InputType.ClrType);
            if (handler is not null)
            {
                yield return (rpc, handler.GetCustomAttribute<RolesAttribute>()!.Roles);
            }
        }
    }

    [Fact]
    public async Task Every_rpc_admits_exactly_its_declared_roles_and_only_valid_keys()
    {
        var rpcs = DeclaredRpcs().ToList();
        var compiled = Fuzzer.DanbaoMethods().Select(m => m.FullName).ToList();
        output.WriteLine($"{rpcs.Count} rpcs with declared roles (of {compiled.Count} compiled: unmatched {string.Join(", ", compiled.Except(rpcs.Select(r => r.Method.FullName)))})");
        Assert.True(rpcs.Count >= 30, "the matrix lost its rpcs");

        var revoked = await RevokedKeyAsync();
        var credentials = new (string What, string? Key, string Reason)[]
        {
            ("no credentials", null, "CREDENTIALS_MISSING"),
            ("malformed key", "not-a-danbao-key", "API_KEY_MALFORMED"),
            ("wrong secret", WrongSecret(Key("icbc-gz")), "API_KEY_INVALID"),
            ("revoked key", revoked, "API_KEY_INVALID"),
        };
        var failures = new List<string>();
        var cells = 0;
        foreach (var (rpc, allowed) in rpcs)
        {
            var empty = (IMessage)Activator.CreateInstance(rpc.InputType.ClrType)!;
            foreach (var (role, own, _) in Roles)
            {
                var status = await StatusOfAsync(Key(own), rpc, empty);
                cells++;
                var ok = allowed.Contains(role) ? !Denials.Contains(status.Code) : status.Code == StatusCode.PermissionDenied && status.Reason == "ROLE_NOT_ALLOWED";
                if (!ok)
                {
                    failures.Add($"{rpc.FullName} as {role} ({own}): {status.Code} {status.Reason} (declared: {string.Join(",", allowed)})");
                }
            }
            foreach (var (what, key, reason) in credentials)
            {
                var status = await StatusOfAsync(key, rpc, empty);
                cells++;
                if (status.Code != StatusCode.Unauthenticated || status.Reason != reason)
                {
                    failures.Add($"{rpc.FullName} with {what}: {status.Code} {status.Reason}, expected UNAUTHENTICATED {reason}");
                }
            }
        }
        output.WriteLine($"{cells} cells checked");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task No_rpc_reaches_another_institutions_loan()
    {
        var rpcs = DeclaredRpcs().Where(r => r.Method.InputType.FindFieldByName("name") is { FieldType: FieldType.String }
                                              && r.Method.Service.Name == "LoanService").ToList();
        Assert.NotEmpty(rpcs);
        var steps = new LoanSteps(server);
        var loan = await steps.Submit();
        var failures = new List<string>();
        var cells = 0;
        foreach (var (rpc, allowed) in rpcs)
        {
            foreach (var (role, _, other) in Roles.Where(r => r.Role != Role.Admin && allowed.Contains(r.Role)))
            {
                var status = await StatusOfAsync(Key(other), rpc, Filled(rpc.InputType, loan));
                cells++;
                // NOT_FOUND: the loan is invisible to it. (INVALID_ARGUMENT would mean the request never got as far as the loan: not proof.)
                if (status.Code is not (StatusCode.NotFound or StatusCode.PermissionDenied))
                {
                    failures.Add($"{rpc.FullName} as {role} of another institution ({other}) on {loan.Name}: {status.Code} {status.Reason}");
                }
            }
        }
        // Nothing those calls did changed the loan.
        var after = await steps.Bank.Loans.GetLoanAsync(new GetLoanRequest { Name = loan.Name });
        Assert.Equal(loan.Etag, after.Etag);

        // The owner and its region's bodies do reach it: on a fresh loan per write, so each call finds it as submitted.
        foreach (var (rpc, allowed) in rpcs)
        {
            foreach (var (role, own, _) in Roles.Where(r => allowed.Contains(r.Role)))
            {
                var target = Fuzzer.IsWrite(rpc) ? await steps.Submit() : loan;
                var status = await StatusOfAsync(Key(own), rpc, Filled(rpc.InputType, target));
                cells++;
                if (status.Code is StatusCode.NotFound or StatusCode.PermissionDenied or StatusCode.Unauthenticated)
                {
                    failures.Add($"{rpc.FullName} as {role} ({own}) on its own region's {target.Name}: {status.Code} {status.Reason}");
                }
            }
        }
        output.WriteLine($"{cells} own/other cells over {rpcs.Count} loan rpcs");
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // Lists never show another bank's loans, whatever the filter says.
        var listed = await server.As("ccb-gz").Loans.ListLoansAsync(new ListLoansRequest { PageSize = 500, Bank = "institutions/icbc-gz" });
        Assert.DoesNotContain(listed.Loans, l => l.Name == loan.Name);
        var jm = await server.As("jm-fund").Loans.ListLoansAsync(new ListLoansRequest { PageSize = 500 });
        Assert.DoesNotContain(jm.Loans, l => l.Region == "CN-GD-GZ");
    }

    /// <summary>A request aimed at <paramref name="loan"/> that passes field validation where it can.</summary>
    private static IMessage Filled(MessageDescriptor type, Loan loan)
    {
        var message = (IMessage)Activator.CreateInstance(type.ClrType)!;
        foreach (var field in type.Fields.InFieldNumberOrder().Where(f => !f.IsRepeated && !f.IsMap))
        {
            object? value = (field.FieldType, field.Name) switch
            {
                (FieldType.String, "name") => loan.Name,
                (FieldType.String, "request_id") => DanbaoClient.NewRequestId(),
                (FieldType.String, "etag") => loan.Etag,
                (FieldType.String, var n) when n.EndsWith("_date", StringComparison.Ordinal) => "2025-07-01",
                (FieldType.String, "page_token" or "guarantee_fund") => null,
                (FieldType.String, _) => "proof",
                (FieldType.Int64, _) => 100L,
                (FieldType.Int32, _) => 1,
                (FieldType.Bool, "passed" or "upheld") => true,
                (FieldType.Bool, _) => null,
                (FieldType.Enum, _) => Enum.ToObject(field.EnumType.ClrType, 1),
                _ => null,
            };
            if (value is not null)
            {
                field.Accessor.SetValue(message, value);
            }
        }
        return message;
    }

    private async Task<string> RevokedKeyAsync()
    {
        var admin = server.As("admin");
        var created = await admin.Identity.CreateApiKeyAsync(new CreateApiKeyRequest
        {
            RequestId = DanbaoClient.NewRequestId(), Institution = "institutions/icbc-gz", Description = "revoked by the security matrix",
        });
        var works = await server.WithKey(created.Secret).Identity.WhoAmIAsync(new WhoAmIRequest());
        Assert.Equal("institutions/icbc-gz", works.Institution);
        await admin.Identity.RevokeApiKeyAsync(new RevokeApiKeyRequest { RequestId = DanbaoClient.NewRequestId(), Name = created.Key.Name });
        return created.Secret;
    }

    private string Key(string institution) => server.Host.DemoKeys[institution];

    /// <summary>A real key id with its secret's last character changed.</summary>
    private static string WrongSecret(string key) => key[..^1] + (key[^1] == 'A' ? 'B' : 'A');

    private async Task<(StatusCode Code, string? Reason)> StatusOfAsync(string? key, MethodDescriptor rpc, IMessage request)
    {
        _grpc ??= GrpcChannel.ForAddress(server.Address);
        try
        {
            await UntypedCalls.UnaryAsync(_grpc, rpc, request, key, TimeSpan.FromSeconds(20));
            return (StatusCode.OK, null);
        }
        catch (RpcException ex)
        {
            return (ex.StatusCode, ex.Reason());
        }
    }

    private GrpcChannel? _grpc;
}
