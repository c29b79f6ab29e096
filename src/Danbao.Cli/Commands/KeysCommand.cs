using System.CommandLine;
using Danbao.Client;
using Danbao.Contracts.V1;
using Danbao.Data;
using Danbao.Data.Identity;
using Spectre.Console;

namespace Danbao.Cli.Commands;

/// <summary>`danbao keys create|list|revoke`: API keys, through the server with an admin key (or --bootstrap on the database).</summary>
internal static class KeysCommand
{
    public static Command Build(CliContext cli)
    {
        var keys = new Command("keys", "Create, list and revoke API keys (admin key required; --bootstrap makes the first one)");
        keys.Add(Create(cli));
        keys.Add(List(cli));
        keys.Add(Revoke(cli));
        return keys;
    }

    private static Command Create(CliContext cli)
    {
        var institution = new Option<string>("--institution") { Description = "Institution id the key authenticates as, e.g. icbc-gz", Required = true };
        var description = new Option<string>("--description") { Description = "What the key is for (who holds it)", DefaultValueFactory = _ => "" };
        var bootstrap = new Option<bool>("--bootstrap")
        {
            Description = "Make the first ADMIN key directly on DANBAO_DB (refused when a live admin key exists); creates the institution if missing",
        };
        var command = new Command("create", "Create an API key; its secret is printed once and stored only as a SHA-256 hash") { institution, description, bootstrap };
        command.SetAction(async (parse, ct) =>
        {
            var id = parse.GetRequiredValue(institution);
            var text = parse.GetValue(description) ?? "";
            if (parse.GetValue(bootstrap))
            {
                return await BootstrapAsync(cli, id, text, ct);
            }
            using var client = cli.KeyedClient();
            var created = await client.Identity.CreateApiKeyAsync(new CreateApiKeyRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Institution = Institution(id), Description = text,
            }, cancellationToken: ct);
            cli.Error.WriteLine($"Created {created.Key.Name} for {created.Key.Institution}. The secret is shown once:");
            cli.Out.WriteLine(created.Secret);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The first admin key, made on the database because no key exists yet to call the server with.</summary>
    private static async Task<int> BootstrapAsync(CliContext cli, string institution, string description, CancellationToken ct)
    {
        await using var database = new Database(new DatabaseOptions { ConnectionString = cli.DatabaseConnectionString() });
        var secret = await database.InSessionAsync(async session =>
        {
            // Serialise concurrent bootstraps; the count then sees any key the other one made. Lock, count and
            // the institution go in one round trip; the inserts are queued for the commit's.
            session.Identity.LockKeys();
            var (liveAdminKeys, existing) = await session.ReadAsync(session.Identity.LiveAdminKeys(), session.Identity.FindInstitution(institution));
            if (liveAdminKeys > 0)
            {
                return null;
            }
            if (existing is null)
            {
                session.Identity.CreateInstitution(institution, "Danbao administrator", "ADMIN", "CN");
            }
            else if (existing.Role != "ADMIN")
            {
                throw new UsageException($"institution '{institution}' exists with role {existing.Role}: --bootstrap makes an ADMIN key");
            }
            var generated = ApiKeySecret.Generate();
            session.Identity.InsertApiKey(generated.KeyId, institution,
                generated.Hash(), description.Length > 0 ? description : "bootstrap (danbao keys create --bootstrap)");
            return (ApiKeySecret?)generated;
        }, ct);
        if (secret is not { } key)
        {
            cli.Error.WriteLine("danbao: refused: a live admin key exists already; create more keys through the server with it (danbao keys create --key …)");
            return ExitCodes.Refused;
        }
        cli.Error.WriteLine($"Created apiKeys/{key.KeyId} for institutions/{institution}. The secret is shown once:");
        cli.Out.WriteLine(key.Token);
        return ExitCodes.Ok;
    }

    private static Command List(CliContext cli)
    {
        var institution = new Option<string>("--institution") { Description = "Only this institution's keys" };
        var command = new Command("list", "List API keys (never their secrets)") { institution };
        command.SetAction(async (parse, ct) =>
        {
            using var client = cli.KeyedClient();
            var table = new Report("key", "institution", "created", "revoked", "description");
            var request = new ListApiKeysRequest { PageSize = 500 };
            if (parse.GetValue(institution) is { } only)
            {
                request.Institution = Institution(only);
            }
            var count = 0;
            do
            {
                var page = await client.Identity.ListApiKeysAsync(request, cancellationToken: ct);
                foreach (var key in page.Keys)
                {
                    table.AddRow(Markup.Escape(key.Name), Markup.Escape(key.Institution), key.CreateTime, key.RevokeTime.Length > 0 ? key.RevokeTime : "-", Markup.Escape(key.Description));
                    count++;
                }
                request.PageToken = page.NextPageToken;
            }
            while (request.PageToken.Length > 0);
            table.Write(cli);
            cli.Out.WriteLine($"{count} key(s)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Revoke(CliContext cli)
    {
        var name = new Argument<string>("key") { Description = "apiKeys/{id} or the bare id" };
        var command = new Command("revoke", "Revoke an API key: calls with it are refused from now on") { name };
        command.SetAction(async (parse, ct) =>
        {
            var key = parse.GetRequiredValue(name);
            using var client = cli.KeyedClient();
            var revoked = await client.Identity.RevokeApiKeyAsync(new RevokeApiKeyRequest
            {
                RequestId = DanbaoClient.NewRequestId(), Name = key.StartsWith("apiKeys/", StringComparison.Ordinal) ? key : "apiKeys/" + key,
            }, cancellationToken: ct);
            cli.Out.WriteLine($"{revoked.Name} revoked at {revoked.RevokeTime}");
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The request field's form, "institutions/{id}", from either form.</summary>
    public static string Institution(string id) => id.StartsWith("institutions/", StringComparison.Ordinal) ? id : "institutions/" + id;
}
