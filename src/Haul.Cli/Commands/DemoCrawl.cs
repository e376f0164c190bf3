using System.Globalization;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Reporting;
using Haul.TestServer;
using Haul.Writing;

namespace Haul.Cli.Commands;

/// <summary>
/// The everyday job of <c>haul demo</c>: a crawl of the hostile server's gallery (two hosts, pagination, photo pages,
/// lazy and <c>srcset</c> images, traps, robots.txt, a hotlink-protected folder) through the fault mix, then every
/// full-size image the generator expects checked against the bytes the server serves.
/// </summary>
internal static class DemoCrawl
{
    public static async Task<int> RunAsync(string folder, int pages, int seed, FaultProfile faults, ProgressDisplay display, CancellationToken cancellationToken)
    {
        await using var servers = await GalleryServers.StartAsync(new HostileServerOptions
        {
            Seed = seed,
            FileCount = 0,
            Faults = faults,
            StaleAfterIdle = TimeSpan.FromMilliseconds(300),
            StallDuration = TimeSpan.FromSeconds(10),
            Gallery = new GalleryOptions { Pages = pages, HugePageBytes = 12L << 20 },
        }, cancellationToken);

        if (DemoFolder.RecordServers(folder, [servers.Main.BaseUri, servers.Cdn.BaseUri]) is { } problem)
        {
            return CliError.Usage(problem);
        }

        var expected = servers.Main.GalleryImages;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Hostile gallery at {servers.StartUri} ({pages} listing pages, {expected.Count} full-size images on two hosts); faults: {faults}"));
        var options = DemoCommand.Options(folder);
        var crawl = new CrawlOptions();
        var progress = new JobProgress();
        JobReport? report = null;
        var exitCode = await GetCommand.RunJobAsync(
            options, progress, display, async () => report = await CrawlJob.RunAsync(options, crawl, [servers.StartUri], progress, cancellationToken), cancellationToken);
        if (exitCode != ExitCodes.Usage && await DemoFolder.RecordReportsAsync(folder, CancellationToken.None) is { } reportProblem)
        {
            // Recorded even when the crawl was stopped (its reports are written then too): only those are deleted next time.
            return CliError.Usage(reportProblem);
        }

        if (report is null)
        {
            // The crawl did not run (another haul took the folder) or was stopped: there is nothing to verify.
            return exitCode;
        }

        var injected = servers.Main.Counters.FaultsByKind.Where(p => p.Value > 0).OrderByDescending(p => p.Value)
            .Select(p => string.Create(CultureInfo.InvariantCulture, $"{FaultKindNames.ToName(p.Key)} {p.Value}")).ToList();
        Console.WriteLine("server injected: " + (injected.Count == 0 ? "nothing" : string.Join(", ", injected)));

        var wrong = 0;
        foreach (var image in expected)
        {
            var path = OutputPathMapper.Resolve(folder, OutputPathMapper.Map(image.Url));
            if (!await DemoContents.HoldsAsync(path, servers.HostOf(image).GetFile(image.Path).Sha256Hex, cancellationToken))
            {
                wrong++;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"verified: {expected.Count - wrong} of {expected.Count} full-size images byte-identical to the server's; {wrong} missing or different"));

        // The gallery's oversized page is there to be refused: failing it is the right end, not a fault of the crawl.
        var hugeRefused = report.Failures.Any(f => f.Item.Url.EndsWith("/gallery/huge.html", StringComparison.Ordinal));
        var unexpectedFailures = report.Failed - (hugeRefused ? 1 : 0);
        if (report.Failed > 0 && unexpectedFailures == 0)
        {
            Console.WriteLine("the one failure is the gallery's oversized page, refused by design (--max-page-size)");
        }

        return wrong == 0 && unexpectedFailures == 0 && report.Pending == 0 ? ExitCodes.Success : ExitCodes.SomeFailed;
    }
}
