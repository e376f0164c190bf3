using System.Globalization;
using Haul.Fetching;
using Haul.Reporting;
using Haul.Text;

namespace Haul.Cli.Terminal;

/// <summary>The closing summary of a job: terminal states, failures by reason, where the reports are.</summary>
internal static class Summary
{
    /// <summary>Prints the summary to <paramref name="writer"/> (standard output when null); without <paramref name="outputDirectory"/> the reports' paths are left out (they were not kept).</summary>
    public static void Print(JobReport report, string? outputDirectory, bool listSkipped = true, TextWriter? writer = null)
    {
        writer ??= Console.Out;
        var rate = report.Elapsed.TotalSeconds > 0 ? report.BytesReceived / report.Elapsed.TotalSeconds : 0;
        var counts = string.Create(CultureInfo.InvariantCulture,
            $"{report.Done} done, {report.Failed} failed, {report.Skipped} skipped of {report.Total}");

        // A report read from a journal (haul status) has no run to time.
        writer.WriteLine(report.Elapsed == TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{counts} ({Units.Bytes(report.BytesDone)} in done files)")
            : string.Create(CultureInfo.InvariantCulture, $"{counts} in {report.Elapsed.TotalSeconds:0.0} s ({Units.Bytes(report.BytesReceived)} received, {Units.Bytes((long)rate)}/s)"));
        if (report.Pages is { } pages)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"pages: {pages.Done} read, {pages.Failed} failed, {pages.Skipped} skipped; images: {report.Done - pages.Done} saved"));
        }

        if (report.Pending > 0 && report.Workers.Count(w => w.Left is null) is > 0 and var working)
        {
            // A shared job: its workers are on it (or were, until their heartbeat stopped: see the workers below).
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Pending} not finished; {working} worker{(working == 1 ? " has" : "s have")} not left the job (haul worker --journal … --job … joins it)"));
        }
        else if (report.Pending > 0)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Pending} not finished: run the same command again to resume"));
        }

        if (report.RetriesByReason.Count > 0)
        {
            writer.WriteLine("retries: " + Units.Counts(report.RetriesByReason));
        }

        if (report.Hosts.Count > 0)
        {
            // The hosts that pushed back, and how they were left: a user sees at once which site limited the run.
            writer.WriteLine("hosts that pushed back:");
            foreach (var host in report.Hosts.Take(10))
            {
                var held = host.RateLimit is { } r ? string.Create(CultureInfo.InvariantCulture, $"; held to {r:0.#} req/s") : string.Empty;
                writer.WriteLine($"  {PrintableText.Of(host.Host)}: {PrintableText.Of(HostStateText.Events(host.Events))}{held}");
            }

            if (report.Hosts.Count > 10)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {report.Hosts.Count - 10} more"));
            }
        }

        if (report.Failed > 0)
        {
            writer.WriteLine("failures: " + Units.Counts(report.FailuresByReason));
            foreach (var failure in report.Failures.Take(10))
            {
                var status = failure.Item.LastStatus is { } s ? string.Create(CultureInfo.InvariantCulture, $" (HTTP {s})") : string.Empty;
                var detail = failure.Item.LastDetail is { } d ? ": " + PrintableText.Of(d) : string.Empty;
                writer.WriteLine($"  {FailureReasons.ToName(failure.Item.LastReason)}{detail}{status}: {PrintableText.Of(failure.Item.Url.ToString())}");
            }

            if (report.Failed > 10)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {report.Failed - 10} more"));
            }
        }

        if (listSkipped && report.SkippedItems.Count > 0)
        {
            writer.WriteLine("skipped:");
            foreach (var skipped in report.SkippedItems.Take(10))
            {
                writer.WriteLine($"  {PrintableText.Of(skipped.Source)}: '{PrintableText.Of(skipped.Text)}': {PrintableText.Of(skipped.Rule)}");
            }

            if (report.SkippedItems.Count > 10)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {report.SkippedItems.Count - 10} more"));
            }
        }

        if (report.Backups.Count > 0)
        {
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Backups.Count} different file(s) found where downloads belong were kept as numbered backups, e.g. {report.Backups[0].BackupPath}"));
        }

        if (outputDirectory is null)
        {
            return;
        }

        writer.WriteLine($"report: {Path.Combine(outputDirectory, ReportWriter.ReportFileName)}; failed URLs: {Path.Combine(outputDirectory, ReportWriter.FailedFileName)}"
            + (report.Pages is null ? string.Empty : $"; images: {Path.Combine(outputDirectory, ImageListWriter.FileName)}"));
    }
}
