using System.CommandLine;
using System.Globalization;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Journal;
using Microsoft.Data.Sqlite;

namespace Haul.Cli.Commands;

/// <summary><c>haul verify</c>: re-hashes every done file of a job and re-queues the ones that do not match.</summary>
internal static class VerifyCommand
{
    private const int MaxListed = 20;

    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "An output folder of 'haul get'." };
        var command = new Command("verify", "Re-hash every done file of a job; missing or changed files are put back to pending for the next run.") { folder };
        HelpWithExamples.WithExamples(command, """
              haul verify images
              haul get -o images          fetch again what verify re-queued
            """);
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(folder)!;
            try
            {
                var report = await JobVerifier.VerifyAsync(path, null, cancellationToken);
                foreach (var problem in report.Problems.Take(MaxListed))
                {
                    Console.WriteLine($"  {problem.OutputPath}: {problem.Problem}");
                }

                if (report.Problems.Count > MaxListed)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  … and {report.Problems.Count - MaxListed} more"));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"verified {report.Checked} done files: {report.Intact} intact ({Units.Bytes(report.IntactBytes)}), {report.Problems.Count} missing or changed"));
                if (report.Problems.Count == 0)
                {
                    return ExitCodes.Success;
                }

                Console.WriteLine($"they are pending again: run 'haul get -o {path}' (or the job's own command) to fetch them");
                return ExitCodes.SomeFailed;
            }
            catch (Exception exception) when (CliError.IsUsageProblem(exception))
            {
                return CliError.Usage(exception.Message);
            }
            catch (SqliteException exception)
            {
                return CliError.Usage($"the journal '{SqliteJobJournal.DatabasePath(path)}' cannot be read: {exception.Message}");
            }
            catch (Exception exception) when (exception is JournalWriteException or DiskFullException or IOException)
            {
                return CliError.Failure(exception.Message);
            }
        });
        return command;
    }
}
