using System.Globalization;
using Haul.Journal;
using Haul.Reporting;
using Haul.Text;

namespace Haul.Cli.Terminal;

/// <summary>
/// What <c>haul status</c> adds for a job many workers share: its hosts' shared state (gap, pause) and its workers,
/// alive, gone (no heartbeat for longer than their lease) or left; those that left long ago are only counted.
/// </summary>
internal static class SharedStatusText
{
    /// <summary>How long ago a worker may have left and still be listed on its own line.</summary>
    public static readonly TimeSpan RecentlyLeft = TimeSpan.FromMinutes(10);

    private const int MostListed = 20;

    /// <summary>Prints the hosts and workers of <paramref name="report"/>, judging workers by <paramref name="lease"/>.</summary>
    public static void Print(JobReport report, TimeSpan lease, TextWriter? writer = null)
    {
        writer ??= Console.Out;
        if (report.SharedHosts.Count > 0)
        {
            writer.WriteLine("hosts:");
            foreach (var host in report.SharedHosts.Take(MostListed))
            {
                writer.WriteLine($"  {PrintableText.Of(host.Host)}: {PrintableText.Of(Describe(host))}");
            }

            More(writer, report.SharedHosts.Count - MostListed, "hosts");
        }

        if (report.Workers.Count == 0)
        {
            return;
        }

        var listed = report.Workers.Where(w => w.Left is null || w.SinceHeartbeat <= RecentlyLeft).ToList();
        var earlier = report.Workers.Where(w => w.Left is not null && w.SinceHeartbeat > RecentlyLeft).ToList();
        writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"workers: {report.Workers.Count(w => w.Left is null && !w.IsGone(lease))} alive, {report.Workers.Count(w => w.IsGone(lease))} gone, {report.Workers.Count(w => w.Left is not null)} left"));
        foreach (var worker in listed.Take(MostListed))
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {PrintableText.Of(worker.Owner)}: {worker.FilesDone} files done into {PrintableText.Of(worker.Holder)}; {Describe(worker, lease)}"));
        }

        More(writer, listed.Count - MostListed, "workers");
        if (earlier.Count > 0)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {earlier.Count} more left over {RecentlyLeft.TotalMinutes:0} minutes ago ({earlier.Sum(w => w.FilesDone)} files done)"));
        }
    }

    private static string Describe(SharedHostStatus host)
    {
        var gap = host.Gap > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"gap {host.Gap.TotalMilliseconds:0} ms ({1000 / host.Gap.TotalMilliseconds:0.#} req/s at most)")
            : "no gap set";
        return host.PausedFor > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture,
                $"{gap}; paused until {DateTimeOffset.UtcNow.Add(host.PausedFor):u} ({host.Reason ?? "no reason given"})")
            : gap;
    }

    private static string Describe(WorkerStatus worker, TimeSpan lease) => worker switch
    {
        { Left: not null } => $"left {Ago(worker.SinceHeartbeat)} ago",
        _ when worker.IsGone(lease) => $"gone: no heartbeat for {Ago(worker.SinceHeartbeat)}, longer than its lease ({Ago(worker.Lease ?? lease)}); others take over what it held",
        _ => string.Create(CultureInfo.InvariantCulture, $"alive, last heartbeat {Ago(worker.SinceHeartbeat)} ago, holding {worker.Holding}"),
    };

    private static string Ago(TimeSpan span) => span.TotalSeconds < 90
        ? string.Create(CultureInfo.InvariantCulture, $"{Math.Floor(span.TotalSeconds):0} s")
        : Units.Duration(span);

    private static void More(TextWriter writer, int more, string what)
    {
        if (more > 0)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {more} more {what}"));
        }
    }
}
