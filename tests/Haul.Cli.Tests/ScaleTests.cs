using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit.Abstractions;

namespace Haul.Cli.Tests;

/// <summary>Memory stays flat in the number of URLs: a million-URL job, measured on the real process.</summary>
public sealed class ScaleTests(ITestOutputHelper output)
{
    /// <summary>
    /// The bound, in MiB of peak resident memory. The .NET runtime with Haul's code loaded sits near 60 MiB; SQLite's
    /// page cache is bounded (2 MiB); the frontier holds at most a window of items per running host (here one host);
    /// ingest holds one batch of 5,000 lines; the report is written by streaming. 150 MiB leaves room for the GC's
    /// headroom and is what the design promises for a million URLs; holding the URLs in memory (about 2 KB each) would
    /// need about 2 GB.
    /// </summary>
    private const long BoundMiB = 150;

    private static readonly int UrlCount = int.Parse(Environment.GetEnvironmentVariable("HAUL_SCALE_URLS") ?? "1000000", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_million_url_job_runs_in_bounded_memory_and_ends_every_url()
    {
        await using var server = new NotFoundServer();
        using var folder = new TestFolder();
        var list = folder.Combine("urls.txt");
        await using (var writer = new StreamWriter(list, false, new UTF8Encoding(false), 1 << 20))
        {
            for (var i = 0; i < UrlCount; i++)
            {
                await writer.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{server.BaseUri}img/{i / 1000}/{i}.jpg"));
            }
        }

        var outputFolder = folder.Combine("out");
        var clock = Stopwatch.StartNew();
        await using var haul = await HaulProcess.StartAsync(folder.Path, ["get", "-i", list, "-o", outputFolder, "-j", "32", "--per-host", "32", "--tries", "1", "-q"]);
        long peakKiB = 0;
        while (!haul.HasExited && clock.Elapsed < TimeSpan.FromMinutes(20))
        {
            peakKiB = Math.Max(peakKiB, PeakResidentKiB(haul.Id) ?? 0);
            await Task.Delay(200);
        }

        var result = await haul.WaitAsync(TimeSpan.FromMinutes(1));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{UrlCount} URLs in {clock.Elapsed.TotalSeconds:0.0} s, peak resident memory {peakKiB / 1024} MiB"));

        // Every URL ended, failed with not-found: the report says so, and the server saw each once.
        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Equal(UrlCount, server.Requests);
        var status = await HaulProcess.RunAsync(folder.Path, ["status", outputFolder]);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"0 done, {UrlCount} failed, 0 skipped of {UrlCount}"), status.Stdout, StringComparison.Ordinal);
        Assert.True(peakKiB > 0, "the process's peak memory could not be read");
        Assert.True(
            peakKiB / 1024 <= BoundMiB,
            $"peak resident memory {peakKiB / 1024} MiB for {UrlCount} URLs in {clock.Elapsed.TotalSeconds:0} s (bound {BoundMiB} MiB)");
    }

    /// <summary>VmHWM, the kernel's high-water mark of the process's resident memory.</summary>
    private static long? PeakResidentKiB(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
            // The process ended between two looks.
        }

        return null;
    }
}
