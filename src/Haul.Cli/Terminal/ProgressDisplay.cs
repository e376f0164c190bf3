using System.Diagnostics;
using System.Globalization;
using Haul.Engine;
using Haul.Reporting;
using Haul.Scheduling;
using Haul.Text;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Haul.Cli.Terminal;

/// <summary>
/// Shows a running job: a live view on a terminal, plain periodic log lines elsewhere, or nothing with --quiet.
/// </summary>
internal abstract class ProgressDisplay
{
    public static ProgressDisplay Choose(bool noProgress, bool quiet)
    {
        if (quiet)
        {
            return new QuietDisplay();
        }

        var interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        return interactive && !noProgress ? new LiveDisplay() : new PlainDisplay();
    }

    public abstract Task<JobReport> RunAsync(JobProgress progress, Func<Task<JobReport>> job, CancellationToken cancellationToken);

    /// <summary>Files a second and bytes a second, from the start of the run.</summary>
    protected static (double FilesPerSecond, double BytesPerSecond, TimeSpan? Eta) Rates(JobProgress progress, Stopwatch clock, int doneAtStart)
    {
        var seconds = Math.Max(clock.Elapsed.TotalSeconds, 0.001);
        var finished = progress.Done - doneAtStart + progress.Failed;
        var filesPerSecond = finished / seconds;
        var remaining = progress.Total - progress.Done - progress.Failed - progress.Skipped;
        TimeSpan? eta = filesPerSecond > 0 && remaining > 0 && !progress.Shared ? TimeSpan.FromSeconds(remaining / filesPerSecond) : null;
        return (filesPerSecond, progress.BytesReceived / seconds, eta);
    }

    /// <summary>
    /// Whether the job is a crawl that has pages to show. A worker of a shared crawl counts only its own pages and images:
    /// the others find and read the rest.
    /// </summary>
    protected static bool Crawling(JobProgress progress) => progress.PagesFound > 0 || progress.PagesDone > 0;

    /// <summary>Done of the total; in a shared job, what this worker did (the others do a share of the total).</summary>
    protected static string Counted(JobProgress progress) => progress.Shared
        ? string.Create(CultureInfo.InvariantCulture, $"this worker: {progress.Done}")
        : string.Create(CultureInfo.InvariantCulture, $"{progress.Done}/{progress.Total}");

    private sealed class QuietDisplay : ProgressDisplay
    {
        public override Task<JobReport> RunAsync(JobProgress progress, Func<Task<JobReport>> job, CancellationToken cancellationToken) => job();
    }

    private sealed class PlainDisplay : ProgressDisplay
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

        public override async Task<JobReport> RunAsync(JobProgress progress, Func<Task<JobReport>> job, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            var running = job();
            while (await Task.WhenAny(running, Task.Delay(Interval, CancellationToken.None)) != running)
            {
                var (files, bytes, eta) = Rates(progress, clock, progress.AlreadyDone);
                var retries = progress.RetriesByReason;
                var crawl = !Crawling(progress) ? string.Empty
                    : progress.Shared ? string.Create(CultureInfo.InvariantCulture, $"pages {progress.PagesDone} read, images {progress.ImagesDone} saved; ")
                    : string.Create(CultureInfo.InvariantCulture, $"pages {progress.PagesDone}/{progress.PagesFound}, images {progress.ImagesDone}/{progress.ImagesFound}; ");
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"haul: {crawl}{Counted(progress)} done, {progress.Failed} failed, {Units.Bytes(progress.BytesReceived)}, {files:0.0} files/s, {Units.Bytes((long)bytes)}/s, ETA {(eta is { } e ? Units.Duration(e) : "-")}{(retries.Count > 0 ? "; retries: " + Units.Counts(retries) : string.Empty)}"));
            }

            return await running;
        }
    }

    private sealed class LiveDisplay : ProgressDisplay
    {
        private const int MaxHostRows = 8;

        public override async Task<JobReport> RunAsync(JobProgress progress, Func<Task<JobReport>> job, CancellationToken cancellationToken)
        {
            var clock = Stopwatch.StartNew();
            Task<JobReport>? running = null;
            await AnsiConsole.Live(new Spectre.Console.Text("starting…")).AutoClear(false).StartAsync(async context =>
            {
                running = job();
                while (await Task.WhenAny(running, Task.Delay(250, CancellationToken.None)) != running)
                {
                    context.UpdateTarget(Render(progress, clock));
                }

                context.UpdateTarget(Render(progress, clock));
            });
            return await running!;
        }

        private static IRenderable Render(JobProgress progress, Stopwatch clock)
        {
            var (files, bytes, eta) = Rates(progress, clock, progress.AlreadyDone);
            var finished = progress.Done + progress.Failed + progress.Skipped;
            var ratio = progress.Total == 0 ? 1 : Math.Min(1, (double)finished / progress.Total);
            var barWidth = 30;
            var filled = (int)Math.Round(ratio * barWidth);
            var bar = new string('━', filled) + new string('─', barWidth - filled);
            var rows = new List<IRenderable>
            {
                new Markup(progress.Shared
                    ? string.Create(CultureInfo.InvariantCulture,
                        $"this worker: [bold]{progress.Done}[/] done  [red]{progress.Failed} failed[/]  {progress.Skipped} skipped  (of {progress.Total} left when it joined, shared with the other workers)")
                    : string.Create(CultureInfo.InvariantCulture,
                        $"[green]{bar}[/] {ratio * 100,5:0.0}%  [bold]{progress.Done}[/]/{progress.Total} done  [red]{progress.Failed} failed[/]  {progress.Skipped} skipped")),
                new Markup(string.Create(CultureInfo.InvariantCulture,
                    $"{Markup.Escape(Units.Bytes(progress.BytesReceived))}  {Markup.Escape(Units.Bytes((long)bytes))}/s  {files:0.0} files/s  elapsed {Units.Duration(clock.Elapsed)}  ETA {(eta is { } e ? Units.Duration(e) : "-")}")),
            };
            if (Crawling(progress))
            {
                rows.Add(new Markup(progress.Shared
                    ? string.Create(CultureInfo.InvariantCulture, $"this worker: pages [bold]{progress.PagesDone}[/] read  images [bold]{progress.ImagesDone}[/] saved")
                    : string.Create(CultureInfo.InvariantCulture, $"pages [bold]{progress.PagesDone}[/]/{progress.PagesFound} read  images [bold]{progress.ImagesDone}[/]/{progress.ImagesFound} saved")));
            }

            var retries = progress.RetriesByReason;
            rows.Add(new Markup("[yellow]retries:[/] " + (retries.Count == 0 ? "none" : Markup.Escape(Units.Counts(retries)))));
            var hosts = progress.Hosts;
            if (hosts.Count > 0)
            {
                // In a crawl each count says how many of it are pages: "5 (2 pages)".
                var crawl = progress.PagesFound > 0;
                var table = new Table().Border(TableBorder.Simple).AddColumns("host", "active", "queued", "req/s", "state", "push-back");
                foreach (var host in hosts.OrderByDescending(h => h.Active + h.Queued).Take(MaxHostRows))
                {
                    var state = Markup.Escape(HostStateText.State(host));
                    table.AddRow(
                        Markup.Escape(PrintableText.Of(host.Host)),
                        string.Create(CultureInfo.InvariantCulture, $"{Count(host.Active, host.ActivePages, crawl)}/{host.Concurrency}"),
                        Count(host.Queued, host.QueuedPages, crawl),
                        host.RequestsPerSecond.ToString("0.#", CultureInfo.InvariantCulture),
                        host.Mode switch
                        {
                            HostMode.Running => host.Active + host.Queued > 0 ? state : $"[green]{state}[/]",
                            HostMode.Banned => $"[red]{state}[/]",
                            _ => $"[yellow]{state}[/]",
                        },
                        Markup.Escape(HostStateText.Events(host.Events)));
                }

                rows.Add(table);
            }

            return new Rows(rows);
        }

        private static string Count(int items, int pages, bool crawl) =>
            crawl && pages > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{items} ({pages} page{(pages == 1 ? string.Empty : "s")})")
                : items.ToString(CultureInfo.InvariantCulture);
    }
}
