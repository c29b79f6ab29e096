namespace Danbao.Grpc;

/// <summary>Start-up failed: some registered rpcs have no correctly typed handler. Lists every problem.</summary>
public sealed class GrpcBindingException : Exception
{
    /// <summary>Creates the exception from the list of problems.</summary>
    public GrpcBindingException(IReadOnlyList<string> problems)
        : base("gRPC service binding failed:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => " - " + p)))
    {
        Problems = problems;
    }

    /// <summary>One line per missing or mis-typed handler.</summary>
    public IReadOnlyList<string> Problems { get; }
}
