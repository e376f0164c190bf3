using System.Globalization;
using Haul.Fetching;
using Haul.Reporting;

namespace Haul.Cli.Terminal;

/// <summary>The closing summary of a job: terminal states, failures by reason, where the reports are.</summary>
internal static class Summary
{
    public static void Print(JobReport report, string outputDirectory)
    {
        var rate = report.Elapsed.TotalSeconds > 0 ? report.BytesReceived / report.Elapsed.TotalSeconds : 0;
        var counts = string.Create(CultureInfo.InvariantCulture,
            $"{report.Done} done, {report.Failed} failed, {report.Skipped} skipped of {report.Total}");

        // A report read from a journal (haul status) has no run to time.
        Console.WriteLine(report.Elapsed == TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{counts} ({Units.Bytes(report.BytesDone)} in done files)")
            : string.Create(CultureInfo.InvariantCulture, $"{counts} in {report.Elapsed.TotalSeconds:0.0} s ({Units.Bytes(report.BytesReceived)} received, {Units.Bytes((long)rate)}/s)"));
        if (report.Pending > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Pending} not finished: run the same command again to resume"));
        }

        if (report.RetriesByReason.Count > 0)
        {
            Console.WriteLine("retries: " + Units.Counts(report.RetriesByReason));
        }

        if (report.Failed > 0)
        {
            Console.WriteLine("failures: " + Units.Counts(report.FailuresByReason));
            foreach (var failure in report.Failures.Take(10))
            {
                var status = failure.Item.LastStatus is { } s ? string.Create(CultureInfo.InvariantCulture, $" (HTTP {s})") : string.Empty;
                Console.WriteLine($"  {FailureReasons.ToName(failure.Item.LastReason)}{status}: {failure.Item.Url}");
            }

            if (report.Failed > 10)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {report.Failed - 10} more"));
            }
        }

        Console.WriteLine($"report: {Path.Combine(outputDirectory, ReportWriter.ReportFileName)}; failed URLs: {Path.Combine(outputDirectory, ReportWriter.FailedFileName)}");
    }
}
