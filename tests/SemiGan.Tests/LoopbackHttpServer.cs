using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SemiGan.Tests;

/// <summary>
/// A minimal HTTP/1.1 file server on 127.0.0.1 (a free port) for fetcher tests: GET of a known path answers its
/// bytes, anything else 404. Bounded: it answers at most <see cref="MaxRequests"/> requests and stops by itself
/// after a minute, or on Dispose.
/// </summary>
public sealed class LoopbackHttpServer : IDisposable
{
    const int MaxRequests = 100;
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stop = new(TimeSpan.FromMinutes(1));
    readonly Dictionary<string, byte[]> files;
    readonly Task loop;

    /// <summary>Paths requested, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    public LoopbackHttpServer(Dictionary<string, byte[]> files)
    {
        this.files = files;
        listener.Start();
        loop = Task.Run(Serve);
    }

    public string BaseUrl => $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";

    async Task Serve()
    {
        try
        {
            for (int i = 0; i < MaxRequests; i++)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                await Answer(client.GetStream());
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException) { }
        finally { listener.Stop(); }
    }

    async Task Answer(NetworkStream stream)
    {
        var head = new StringBuilder();
        var buf = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n") && await stream.ReadAsync(buf, stop.Token) == 1) head.Append((char)buf[0]);
        string path = head.ToString().Split(' ') is [_, var p, ..] ? p : "";
        Requests.Enqueue(path);
        bool found = files.TryGetValue(path, out var body);
        body ??= [];
        string status = found ? "200 OK" : "404 Not Found";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), stop.Token);
        await stream.WriteAsync(body, stop.Token);
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        stop.Dispose();
    }
}
