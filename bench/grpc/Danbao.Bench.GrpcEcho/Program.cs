using System.Globalization;
using Danbao.Grpc.Interop;

// Usage: Danbao.Bench.GrpcEcho [port]. Prints "listening <port>" once ready; stops on Ctrl+C or stdin EOF.
int port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50051;
await using InteropServer server = await InteropServer.StartAsync(port);
Console.WriteLine($"listening {server.Port}");
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.Cancel(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
    // Normal shutdown.
}
