namespace Haul.TestServer;

/// <summary>State shared by the accept loop and every connection.</summary>
internal sealed class ServerContext(HostileServerOptions options, FileCatalog catalog, ServerCounters counters, ServerCertificates? certificates)
{
    public HostileServerOptions Options { get; } = options;

    public FileCatalog Catalog { get; } = catalog;

    public ServerCounters Counters { get; } = counters;

    public FaultPlanner Planner { get; } = new(options.Seed, options.Faults);

    public BanTracker Ban { get; } = new(options.Ban, options.TimeProvider, counters);

    public SiteLimits Limits { get; } = new(options, options.TimeProvider);

    /// <summary>The TLS certificates; null when the server speaks plain HTTP.</summary>
    public ServerCertificates? Certificates { get; } = certificates;

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>The gallery site; null when <see cref="HostileServerOptions.Gallery"/> is not set.</summary>
    public GallerySite? Gallery { get; init; }

    /// <summary><c>http://127.0.0.1:PORT/</c>, or <c>https://</c> with TLS.</summary>
    public required Uri BaseUri { get; init; }
}
