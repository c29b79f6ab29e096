using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Danbao.Proof.Tests.Support;

/// <summary>
/// A TCP proxy between the server and PostgreSQL (loopback) that reads the client side of the
/// wire protocol and, for chosen COMMITs, forwards the COMMIT, waits for PostgreSQL's answer
/// (so the transaction is committed) and then drops both connections instead of passing the
/// answer on: the server never learns its transaction committed.
/// </summary>
public sealed class CommitDropProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly Func<int, bool> _dropCommit;
    private int _commits;
    private int _dropped;

    /// <param name="dropCommit">Given the 1-based number of a COMMIT seen, whether to drop its answer.</param>
    public CommitDropProxy(IPEndPoint upstream, Func<int, bool> dropCommit)
    {
        _upstream = upstream;
        _dropCommit = dropCommit;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Commits => Volatile.Read(ref _commits);

    public int Dropped => Volatile.Read(ref _dropped);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        using var server = new TcpClient();
        try
        {
            await server.ConnectAsync(_upstream, _stop.Token);
            client.NoDelay = server.NoDelay = true;
            var fromClient = client.GetStream();
            var toServer = server.GetStream();
            var dropNextAnswer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var armed = 0;
            var upstreamToClient = Task.Run(async () =>
            {
                var buffer = new byte[64 * 1024];
                while (true)
                {
                    var n = await toServer.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }
                    if (Volatile.Read(ref armed) == 1)
                    {
                        // PostgreSQL has answered the COMMIT: the transaction is durable. The server never hears of it.
                        Interlocked.Increment(ref _dropped);
                        client.Client.Close();
                        server.Client.Close();
                        return;
                    }
                    await fromClient.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
                }
            });
            // Untyped start-up messages (SSLRequest/GSSENCRequest then StartupMessage), then typed ones.
            var startup = true;
            var header = new byte[5];
            while (true)
            {
                byte type = 0;
                int length;
                if (startup)
                {
                    await fromClient.ReadExactlyAsync(header.AsMemory(0, 4), _stop.Token);
                    length = BinaryPrimitives.ReadInt32BigEndian(header);
                    var body = new byte[length - 4];
                    await fromClient.ReadExactlyAsync(body, _stop.Token);
                    var code = body.Length >= 4 ? BinaryPrimitives.ReadInt32BigEndian(body) : 0;
                    startup = code is 80877103 or 80877104; // SSLRequest, GSSENCRequest: another start-up message follows
                    await toServer.WriteAsync(header.AsMemory(0, 4), _stop.Token);
                    await toServer.WriteAsync(body, _stop.Token);
                    continue;
                }
                await fromClient.ReadExactlyAsync(header, _stop.Token);
                type = header[0];
                length = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1));
                var payload = new byte[length - 4];
                await fromClient.ReadExactlyAsync(payload, _stop.Token);
                if (type == (byte)'Q' && IsCommit(payload))
                {
                    var number = Interlocked.Increment(ref _commits);
                    if (_dropCommit(number))
                    {
                        Volatile.Write(ref armed, 1);
                    }
                }
                await toServer.WriteAsync(header, _stop.Token);
                await toServer.WriteAsync(payload, _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
            // Either side went away (or we dropped it): the connection is over.
        }
    }

    private static bool IsCommit(byte[] query)
    {
        var text = Encoding.UTF8.GetString(query).TrimEnd('\0').Trim();
        return text.Equals("COMMIT", StringComparison.OrdinalIgnoreCase) || text.StartsWith("COMMIT;", StringComparison.OrdinalIgnoreCase);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
