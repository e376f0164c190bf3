using System.CommandLine;
using Haul.Engine;

namespace Haul.Cli.Commands;

/// <summary>
/// The options of a job that many workers share: <c>--journal</c> (a PostgreSQL database), <c>--job</c> (its name
/// there) and <c>--lease</c>. Taken by <c>haul get</c>, <c>haul worker</c> and <c>haul status</c>, and without
/// <c>--lease</c> by <c>haul verify</c>.
/// </summary>
internal sealed class SharedJobOptions
{
    private static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(60);
    private bool _withLease = true;

    public Option<string> Journal { get; } = new("--journal")
    {
        Description = "Keep the job in this PostgreSQL database, shared by workers on many machines: postgres://USER[:PASSWORD]@HOST[:PORT]/DB (as psql takes; PGPASSWORD works too) or Host=…;Database=…;Username=….",
        HelpName = "URI",
    };

    public Option<string> Job { get; } = new("--job")
    {
        Description = "The job's name in the --journal database; every worker of the job gives the same.",
        HelpName = "NAME",
    };

    public Option<double> Lease { get; } = OptionValues.Seconds(
        "--lease", "Seconds a worker's claim on its items lasts without a heartbeat; a worker killed or stopped longer loses them to the others.", DefaultLease);

    public void AddTo(Command command, bool withLease = true)
    {
        command.Options.Add(Journal);
        command.Options.Add(Job);
        _withLease = withLease;
        if (withLease)
        {
            command.Options.Add(Lease);
        }
    }

    /// <summary>Whether the command line names a shared job at all.</summary>
    public bool Given(ParseResult result) => result.GetValue(Journal) is not null || result.GetValue(Job) is not null;

    /// <summary>
    /// <paramref name="options"/> with the shared job the command line names (unchanged when it names none); prints the
    /// problem and returns null when the options are incomplete or out of range.
    /// </summary>
    public HaulOptions? Apply(ParseResult result, HaulOptions options, bool mustExist)
    {
        if (!Given(result))
        {
            if (result.GetResult(Lease) is { Implicit: false })
            {
                Console.Error.WriteLine("haul: --lease needs --journal URI and --job NAME (a lease is a shared job's)");
                return null;
            }

            return options;
        }

        if (Read(result, mustExist) is not { } shared)
        {
            return null;
        }

        // The rest of the options were validated already, and Read checked the shared job's own problems.
        return options with { SharedJob = shared };
    }

    /// <summary>The shared job the options name; prints the problem and returns null when they are incomplete or out of range.</summary>
    public SharedJob? Read(ParseResult result, bool mustExist)
    {
        var journal = result.GetValue(Journal);
        var job = result.GetValue(Job);
        if (journal is null || job is null)
        {
            Console.Error.WriteLine(journal is null
                ? "haul: --job needs --journal URI (the database the job is kept in)"
                : "haul: --journal needs --job NAME (the job's name in the database)");
            return null;
        }

        // A command without --lease (haul verify) takes no claims: the default stands.
        var lease = _withLease ? result.GetValue(Lease) : DefaultLease.TotalSeconds;
        if (!double.IsFinite(lease) || lease < SharedJob.MinLease.TotalSeconds || lease > SharedJob.MaxLease.TotalSeconds)
        {
            Console.Error.WriteLine($"haul: {OptionValues.OutOfRange(result, Lease, $"{SharedJob.MinLease.TotalSeconds:0} <= seconds <= {SharedJob.MaxLease.TotalSeconds:0}")}");
            return null;
        }

        var shared = new SharedJob { Journal = journal, Name = job, Lease = TimeSpan.FromSeconds(lease), MustExist = mustExist };
        if (shared.Problems().FirstOrDefault() is { } problem)
        {
            Console.Error.WriteLine($"haul: {problem}");
            return null;
        }

        return shared;
    }
}
