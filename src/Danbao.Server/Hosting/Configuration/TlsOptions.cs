using Microsoft.Extensions.Options;

namespace Danbao.Server.Hosting.Configuration;

/// <summary>TLS on the gRPC port, and client certificates (section "Tls"). All off: h2c.</summary>
public sealed class TlsOptions
{
    public const string Section = "Tls";

    /// <summary>--tls-cert: PEM certificate chain.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>--tls-key: PEM private key of that certificate.</summary>
    public string? KeyFile { get; set; }

    /// <summary>--client-ca: accept client certificates issued by this PEM CA (mTLS).</summary>
    public string? ClientCaFile { get; set; }
}

public sealed class TlsOptionsValidator(OptionSources sources) : IValidateOptions<TlsOptions>
{
    public ValidateOptionsResult Validate(string? name, TlsOptions options)
    {
        var cert = sources.NameOf(TlsOptions.Section + ":" + nameof(TlsOptions.CertificateFile));
        var key = sources.NameOf(TlsOptions.Section + ":" + nameof(TlsOptions.KeyFile));
        if ((options.CertificateFile is null) != (options.KeyFile is null))
        {
            return ValidateOptionsResult.Fail($"{cert} and {key} go together");
        }
        if (options.ClientCaFile is not null && options.CertificateFile is null)
        {
            return ValidateOptionsResult.Fail($"{sources.NameOf(TlsOptions.Section + ":" + nameof(TlsOptions.ClientCaFile))} needs {cert} and {key}");
        }
        return ValidateOptionsResult.Success;
    }
}
