namespace Danbao.Cli;

/// <summary>What `danbao` returns to the shell. Scripts branch on these; keep them stable.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>The server (or the database) refused: the status and reason are printed.</summary>
    public const int Refused = 1;

    /// <summary>Bad command line: unknown command or option, missing or malformed value.</summary>
    public const int Usage = 2;

    /// <summary>Cannot reach the server or the database.</summary>
    public const int CannotConnect = 3;

    /// <summary>A check found a problem: <c>verify</c> (the ledger is inconsistent), <c>reconcile</c> (journal and loan book differ today), <c>reconcile statement</c> (breaks).</summary>
    public const int Inconsistent = 4;

    /// <summary><c>danbao reconcile</c> and <c>reconcile statement</c>: the comparison found breaks.</summary>
    public const int BreaksFound = 5;
}

/// <summary>A usage mistake found after parsing (e.g. a malformed date): printed, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
