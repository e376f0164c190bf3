namespace Haul.TestServer;

/// <summary>State shared by the accept loop and every connection.</summary>
internal sealed class ServerContext(HostileServerOptions options, FileCatalog catalog, ServerCounters counters)
{
    public HostileServerOptions Options { get; } = options;

    public FileCatalog Catalog { get; } = catalog;

    public ServerCounters Counters { get; } = counters;

    public FaultPlanner Planner { get; } = new(options.Seed, options.Faults);

    public BanTracker Ban { get; } = new(options.Ban, options.TimeProvider);

    public TimeProvider Time => Options.TimeProvider;

    public int Port { get; set; }
}
