using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Danbao.Grpc.Tests.Support;

/// <summary>Keeps every log entry of a host, to assert what the server logged (and with which exception).</summary>
public sealed class CapturingLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Exception)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Waits (up to <paramref name="timeout"/>) for an entry matching <paramref name="match"/>; false if none came.</summary>
    public async Task<bool> WaitForAsync(Func<(LogLevel Level, string Category, string Message, Exception? Exception), bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!Entries.Any(match))
        {
            try
            {
                await Task.Delay(20, cancel.Token);
            }
            catch (OperationCanceledException)
            {
                return Entries.Any(match);
            }
        }
        return true;
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception), exception));
    }
}
