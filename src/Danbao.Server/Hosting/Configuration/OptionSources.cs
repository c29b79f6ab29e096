using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;

namespace Danbao.Server.Hosting.Configuration;

/// <summary>
/// Names a setting the way the operator gave it, for error messages: its switch when the value
/// came from the command line, its environment variable otherwise (or when it was not given at all).
/// </summary>
public sealed class OptionSources(IConfigurationRoot configuration)
{
    public string NameOf(string key)
    {
        var option = ServerOption.All.Single(o => o.Key == key);
        foreach (var provider in configuration.Providers.Reverse())
        {
            if (provider.TryGet(key, out _))
            {
                return provider is CommandLineConfigurationProvider ? option.Switch! : option.Variable;
            }
        }
        return option.Switch ?? option.Variable;
    }
}
