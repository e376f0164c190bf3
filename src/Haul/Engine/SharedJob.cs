namespace Haul.Engine;

/// <summary>
/// A job in a journal that many workers share (<see cref="HaulOptions.SharedJob"/>): a PostgreSQL database and the job's
/// name in it. Each worker downloads into its own output folder, or all into one shared folder; the journal records
/// which worker's folder holds each file.
/// </summary>
public sealed record SharedJob
{
    /// <summary>The shortest lease: heartbeats come every quarter of it, and a round trip must fit well inside.</summary>
    public static readonly TimeSpan MinLease = TimeSpan.FromSeconds(2);

    /// <summary>The longest lease.</summary>
    public static readonly TimeSpan MaxLease = TimeSpan.FromDays(1);

    /// <summary>
    /// Where the journal is: a libpq URI (<c>postgres://USER[:PASSWORD]@HOST[:PORT]/DB?sslmode=…</c>, as <c>psql</c> takes)
    /// or an Npgsql connection string (<c>Host=…;Username=…;Database=…</c>).
    /// </summary>
    public required string Journal { get; init; }

    /// <summary>The job's name in the database: every worker of the job gives the same.</summary>
    public required string Name { get; init; }

    /// <summary>
    /// How long a worker's claim on an item lasts without a heartbeat; a worker that is killed or stopped for longer
    /// loses its items to the others. Heartbeats come every quarter of it.
    /// </summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Join the job only if it exists (<c>haul worker</c>); otherwise it is created.</summary>
    public bool MustExist { get; init; }

    /// <summary>The problems of these settings, for <see cref="HaulOptions.Validate"/>.</summary>
    /// <summary>The job for messages: its journal without the password, and its name.</summary>
    internal string Describe() => $"{Haul.Journal.Postgres.PostgresConnection.Redact(Journal)} (job '{Name}')";

    internal IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Name))
        {
            yield return "the job's name (--job) is empty";
        }
        else if (Name.Length > 200 || Name.Any(char.IsControl))
        {
            yield return "the job's name (--job) must be at most 200 characters, without control characters";
        }
        else if (Name != Name.Trim())
        {
            // "cats " and "cats" would be two jobs that look like one.
            yield return $"the job's name (--job) '{Name}' begins or ends with a space";
        }

        if (Lease < MinLease || Lease > MaxLease)
        {
            yield return $"the lease ({Lease.TotalSeconds:0.###} s) must be between {MinLease.TotalSeconds:0} s and {MaxLease.TotalHours:0} hours";
        }

        string? problem = null;
        try
        {
            Haul.Journal.Postgres.PostgresConnection.Parse(Journal);
        }
        catch (ArgumentException exception)
        {
            problem = exception.Message;
        }

        if (problem is not null)
        {
            yield return problem;
        }
    }
}
