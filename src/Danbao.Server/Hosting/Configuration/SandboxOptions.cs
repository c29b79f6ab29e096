using Microsoft.Extensions.Options;

namespace Danbao.Server.Hosting.Configuration;

/// <summary>Which "today" the server runs on (section "Sandbox"; docs/sandbox.md).</summary>
public sealed class SandboxOptions
{
    public const string Section = "Sandbox";

    /// <summary>--environment: "production" (the real date) or "sandbox" (a business date an administrator moves forward).</summary>
    public string Environment { get; set; } = ServerSettings.ProductionEnvironment;

    /// <summary>--business-date: a sandbox's first business date (default: the real date at start-up).</summary>
    public DateOnly? BusinessDate { get; set; }
}

public sealed class SandboxOptionsValidator(OptionSources sources) : IValidateOptions<SandboxOptions>
{
    public ValidateOptionsResult Validate(string? name, SandboxOptions options)
    {
        if (options.Environment is not (ServerSettings.ProductionEnvironment or ServerSettings.SandboxEnvironment))
        {
            return ValidateOptionsResult.Fail(
                $"{sources.NameOf(SandboxOptions.Section + ":" + nameof(SandboxOptions.Environment))} '{options.Environment}': production or sandbox");
        }
        if (options.BusinessDate is { } date && options.Environment != ServerSettings.SandboxEnvironment)
        {
            // A production server runs on the real date: a fixed one would back-date or pre-date real decisions.
            return ValidateOptionsResult.Fail(
                $"a fixed business date ({date:yyyy-MM-dd}, {sources.NameOf(SandboxOptions.Section + ":" + nameof(SandboxOptions.BusinessDate))}) is for a sandbox only: add --environment sandbox (./run.sh does)");
        }
        return ValidateOptionsResult.Success;
    }
}
