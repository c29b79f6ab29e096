using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Danbao.Server.Hosting.Configuration;

/// <summary>
/// Reads the server's settings through Microsoft.Extensions.Configuration: the environment first,
/// then the command line over it; binds the typed options and validates them before anything starts,
/// every error naming the option as the operator gave it.
/// </summary>
public static class ServerConfiguration
{
    /// <summary>The configuration from <paramref name="args"/> over the variables <paramref name="env"/> knows.</summary>
    public static IConfigurationRoot Build(IReadOnlyList<string> args, Func<string, string?> env)
    {
        var variables = new Dictionary<string, string?>();
        foreach (var option in ServerOption.All)
        {
            if (env(option.Variable) is { Length: > 0 } value)
            {
                variables[option.Key] = value;
            }
        }
        return new ConfigurationBuilder()
            .AddInMemoryCollection(variables)
            .AddCommandLine(Normalise(args).ToArray(), ServerOption.All.Where(o => o.Switch is not null).ToDictionary(o => o.Switch!, o => o.Key))
            .Build();
    }

    /// <summary>Binds and validates every options class; ArgumentException listing what is wrong, one line each.</summary>
    public static ServerSettings Load(IReadOnlyList<string> args, Func<string, string?> env)
    {
        var configuration = Build(args, env);
        var sources = new OptionSources(configuration);
        // Text checks first, so a value the binder could not convert is reported by its option's name.
        var errors = ServerOption.All
            .Select(o => configuration[o.Key] is { } text ? o.Check(sources.NameOf(o.Key), text) : null)
            .OfType<string>()
            .ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("\n", errors));
        }

        var services = new ServiceCollection();
        services.AddSingleton(sources);
        services.AddOptions<ServerOptions>().Bind(configuration.GetSection(ServerOptions.Section));
        services.AddOptions<DatabaseConnectionOptions>().Bind(configuration.GetSection(DatabaseConnectionOptions.Section));
        services.AddOptions<TlsOptions>().Bind(configuration.GetSection(TlsOptions.Section));
        services.AddOptions<SandboxOptions>().Bind(configuration.GetSection(SandboxOptions.Section));
        services.AddOptions<LimitsOptions>().Bind(configuration.GetSection(LimitsOptions.Section));
        services.AddSingleton<IValidateOptions<DatabaseConnectionOptions>, DatabaseConnectionOptionsValidator>();
        services.AddSingleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>();
        services.AddSingleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>();
        using var provider = services.BuildServiceProvider();
        T Value<T>() where T : class
        {
            try
            {
                return provider.GetRequiredService<IOptions<T>>().Value;
            }
            catch (OptionsValidationException ex)
            {
                errors.AddRange(ex.Failures);
                return null!;
            }
        }
        var database = Value<DatabaseConnectionOptions>();
        var server = Value<ServerOptions>();
        var tls = Value<TlsOptions>();
        var sandbox = Value<SandboxOptions>();
        var limits = Value<LimitsOptions>();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("\n", errors));
        }
        return ServerSettings.From(server, database, tls, sandbox, limits) with
        {
            // OpenTelemetry's own variable, read as the SDK reads it (the other OTEL_* variables apply too).
            OtlpEndpoint = env("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } otlp ? otlp : null,
        };
    }

    /// <summary>
    /// The arguments as --switch=value pairs for the command-line provider: a flag alone means true
    /// (the provider would take the next argument as its value); an unknown option or a missing value is an error.
    /// </summary>
    private static List<string> Normalise(IReadOnlyList<string> args)
    {
        var pairs = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals > 0 ? arg[..equals] : arg;
            var option = ServerOption.All.FirstOrDefault(o => o.Switch == name)
                ?? throw new ArgumentException($"unknown option {arg}");
            var value = equals > 0 ? arg[(equals + 1)..]
                : option.Kind == OptionKind.Flag ? "true"
                : i + 1 < args.Count ? args[++i]
                : throw new ArgumentException($"{arg} needs a value");
            pairs.Add($"{name}={value}");
        }
        return pairs;
    }
}
