using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Haul.TestServer;

/// <summary>
/// An HTTP/1.1 server on raw sockets at 127.0.0.1 (optionally HTTPS) that serves a seeded file set and injects seeded faults,
/// counting everything it served and injected.
/// </summary>
public sealed class HostileServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly ServerContext _context;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly ConcurrentDictionary<long, (ClientConnection Connection, Task Task)> _connections = new();
    private Task _acceptLoop = Task.CompletedTask;
    private long _nextConnectionId;
    private int _disposed;

    private HostileServer(HostileServerOptions options, Socket listener, ServerCertificates? certificates)
    {
        _listener = listener;
        Port = ((IPEndPoint)listener.LocalEndPoint!).Port;
        var scheme = certificates is null ? Uri.UriSchemeHttp : Uri.UriSchemeHttps;
        BaseUri = new Uri(scheme + "://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture) + "/");
        var catalog = new FileCatalog(options);
        Counters = new ServerCounters();
        var gallery = options.Gallery is { } galleryOptions ? new GallerySite(options.Seed, galleryOptions, BaseUri) : null;
        _context = new ServerContext(options, catalog, Counters, certificates) { BaseUri = BaseUri, Gallery = gallery };
        Files = new FileList(catalog.Entries);
        GalleryStartUri = gallery is null ? null : new Uri(BaseUri, "/gallery/");
        GalleryPages = gallery?.GalleryPages ?? [];
    }

    /// <summary>Base address, <c>http://127.0.0.1:PORT/</c>, or <c>https://127.0.0.1:PORT/</c> with <see cref="HostileServerOptions.Tls"/>.</summary>
    public Uri BaseUri { get; }

    /// <summary>
    /// With TLS, the PEM of the certificate a client must trust to accept the server's: the private CA's, or for a
    /// <see cref="ServerCertificateKind.SelfSigned"/> certificate the certificate itself. Null without TLS.
    /// </summary>
    public string? CaCertificatePem => _context.Certificates?.TrustPem;

    /// <summary>The bound port.</summary>
    public int Port { get; }

    /// <summary>The file set (img files, then large files), each item reflecting its current version.</summary>
    public IReadOnlyList<ServedFile> Files { get; }

    /// <summary>Absolute URLs of every file, in <see cref="Files"/> order.</summary>
    public IEnumerable<Uri> FileUrls => _context.Catalog.Entries.Select(e => new Uri(BaseUri, e.Path));

    /// <summary>The gallery's start page, <c>BaseUri</c> + <c>gallery/</c>; null without <see cref="HostileServerOptions.Gallery"/>.</summary>
    public Uri? GalleryStartUri { get; }

    /// <summary>
    /// The full-size images a correct default crawl from <see cref="GalleryStartUri"/> returns (same host, robots.txt
    /// honoured, no depth or page limit), in the order the pages name them; empty without a gallery. Sizes and hashes
    /// are those of this server's copy at its current version (an injected <see cref="FaultKind.ETagChanged"/> changes
    /// them; ask the CDN server's <see cref="GetFile"/> for its copy of an image with <see cref="GalleryImage.OnCdn"/>).
    /// </summary>
    public IReadOnlyList<GalleryImage> GalleryImages => _context.Gallery?.ExpectedImages() ?? [];

    /// <summary>Every page a correct default crawl of the gallery meets, fetched or skipped by a rule; empty without a gallery.</summary>
    public IReadOnlyList<GalleryPage> GalleryPages { get; }

    /// <summary>What was served and injected so far.</summary>
    public ServerCounters Counters { get; }

    /// <summary>Binds and starts accepting connections.</summary>
    public static Task<HostileServer> StartAsync(HostileServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var certificates = options.Tls is { } tls ? ServerCertificates.Create(tls.Certificate) : null;
        var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(new IPEndPoint(IPAddress.Loopback, options.Port));
            listener.Listen(1024);
            var server = new HostileServer(options, listener, certificates);
            server._acceptLoop = server.AcceptLoopAsync(server._shutdown.Token);
            return Task.FromResult(server);
        }
        catch
        {
            listener.Dispose();
            certificates?.Dispose();
            throw;
        }
    }

    /// <summary>Writes <see cref="CaCertificatePem"/> to <paramref name="path"/>, for a client given a CA file.</summary>
    /// <exception cref="InvalidOperationException">The server does not speak TLS.</exception>
    public Task WriteCaCertificateAsync(string path, CancellationToken cancellationToken = default) =>
        File.WriteAllTextAsync(
            path,
            CaCertificatePem ?? throw new InvalidOperationException("The server speaks plain HTTP: it has no certificate."),
            cancellationToken);

    /// <summary>The current state of a file by URL path, e.g. <c>/files/img00003.gif</c>, or of a gallery image, e.g. <c>/img/thumb/p1-0.jpg</c>.</summary>
    /// <exception cref="KeyNotFoundException">No such file.</exception>
    public ServedFile GetFile(string path) =>
        (_context.Catalog.Find(path) ?? _context.Gallery?.Images.Find(path) ?? throw new KeyNotFoundException("No served file at " + path)).Snapshot();

    /// <summary>The next requests to <paramref name="path"/> get these faults in order, ahead of the random profile and outside its per-path budget; <see cref="FaultKind.None"/> serves cleanly.</summary>
    public void Script(string path, params FaultKind[] faults) => _context.Planner.Script(path, faults);

    /// <summary>The next requests to <paramref name="path"/> whose body covers these absolute offsets are reset once exactly that offset is reached, in order.</summary>
    public void ScriptResetAt(string path, params long[] bodyOffsets) => _context.Planner.ScriptResetAt(path, bodyOffsets);

    /// <summary>The next <paramref name="count"/> TLS handshakes are reset (RST) once the ClientHello is read; see <see cref="FaultKind.HandshakeReset"/>.</summary>
    public void ScriptHandshakeResets(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _context.Planner.ScriptHandshakeResets(count);
    }

    /// <summary>Stops accepting, resets every open connection and waits for their handlers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync();
        _listener.Dispose();
        foreach (var (connection, _) in _connections.Values)
        {
            connection.Abort();
        }

        try
        {
            await _acceptLoop;
            await Task.WhenAll(_connections.Values.Select(c => c.Task));
        }
        catch (Exception)
        {
            // Handlers end by exception when their sockets are torn down; nothing is left to report.
        }

        _shutdown.Dispose();
        _context.Certificates?.Dispose();
    }

    private async Task AcceptLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            Counters.ConnectionAccepted();
            if (_context.Ban.IsBanned())
            {
                Counters.Fault(FaultKind.BanReset);
                SocketCloser.Reset(socket);
                continue;
            }

            socket.NoDelay = true;
            var id = Interlocked.Increment(ref _nextConnectionId);
            var connection = new ClientConnection(id, socket, _context);
            var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = RunConnectionAsync(connection, started.Task, cancellationToken);
            _connections[id] = (connection, task);
            started.SetResult();
        }
    }

    private async Task RunConnectionAsync(ClientConnection connection, Task registered, CancellationToken cancellationToken)
    {
        // Wait until registered so the removal below cannot run before the add.
        await registered;
        try
        {
            await connection.RunAsync(cancellationToken);
        }
        finally
        {
            _connections.TryRemove(connection.Id, out _);
            if (cancellationToken.IsCancellationRequested)
            {
                connection.Abort();
            }
        }
    }
}
