using System.CommandLine;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Journal;
using Haul.Reporting;
using Microsoft.Data.Sqlite;

namespace Haul.Cli.Commands;

/// <summary><c>haul status</c>: what an output folder's journal, or a shared job's, says.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "An output folder of 'haul get'.", Arity = ArgumentArity.ZeroOrOne };
        var shared = new SharedJobOptions();
        var command = new Command("status", "Show the state of a job from its output folder's journal, or of a shared job with its workers.") { folder };
        shared.AddTo(command);
        HelpWithExamples.WithExamples(command, """
              haul status images
              haul status --journal postgres://haul@db.example/haul --job cats
            """);
        command.SetAction(async (result, cancellationToken) =>
        {
            var path = result.GetValue(folder);
            if (shared.Given(result) == (path is not null))
            {
                return CliError.Usage("haul status takes an output folder, or --journal URI --job NAME, one of the two");
            }

            try
            {
                if (path is null)
                {
                    if (shared.Read(result, mustExist: true) is not { } job)
                    {
                        return ExitCodes.Usage;
                    }

                    var sharedReport = await DownloadJob.ReadStatusAsync(job, cancellationToken);
                    Summary.Print(sharedReport, null);
                    SharedStatusText.Print(sharedReport, job.Lease);
                    return sharedReport.Succeeded ? ExitCodes.Success : ExitCodes.SomeFailed;
                }

                var report = await DownloadJob.ReadStatusAsync(path, cancellationToken);
                // The reports' paths only when a run wrote them: one stopped by a full disk may not have.
                Summary.Print(report, File.Exists(Path.Combine(path, ReportWriter.ReportFileName)) ? path : null);
                return report.Succeeded ? ExitCodes.Success : ExitCodes.SomeFailed;
            }
            catch (Exception exception) when (CliError.IsUsageProblem(exception) || exception is JournalUnavailableException)
            {
                return CliError.Usage(exception.Message);
            }
            catch (SqliteException exception)
            {
                return CliError.Usage($"the journal '{SqliteJobJournal.DatabasePath(path!)}' cannot be read: {exception.Message}");
            }
        });
        return command;
    }
}
