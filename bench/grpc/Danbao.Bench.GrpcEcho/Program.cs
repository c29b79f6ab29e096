using System.Globalization;
using Danbao.Grpc.Interop;

// Usage: Danbao.Bench.GrpcEcho [port]. Prints "listening <port>" once ready; stops on SIGTERM or Ctrl+C.
int port = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 50051;
await using InteropServer server = await InteropServer.StartAsync(port);
Console.WriteLine($"listening {server.Port}");
await server.WaitForShutdownAsync();
