using System.CommandLine;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Input;
using Haul.Reporting;

namespace Haul.Cli.Commands;

/// <summary><c>haul worker</c>: joins a job that many machines share and works on it until nothing is left.</summary>
internal static class WorkerCommand
{
    private const string Examples = """
        Start a job on one machine, then add workers on others; each leaves when nothing is left:
          haul get --journal postgres://haul@db.example/haul --job cats -i urls.txt -o /data/images
          haul worker --journal postgres://haul@db.example/haul --job cats -o /data/images

        A crawl is joined the same way: the worker crawls by the options of the haul crawl that started it.
          haul crawl --journal postgres://haul@db.example/haul --job gallery https://example.org/gallery/ -o /data/photos
          haul worker --journal postgres://haul@db.example/haul --job gallery -o /data/photos

        A worker killed (or stopped) for longer than --lease loses its items to the others; run it again to rejoin.
        See the whole job: haul status --journal postgres://haul@db.example/haul --job cats
        """;

    public static Command Create()
    {
        var options = new GetOptions();
        var shared = new SharedJobOptions();
        var command = HelpWithExamples.WithExamples(
            new Command("worker", "Join a job kept in a shared PostgreSQL journal (see 'haul get --journal') and work on it until it is finished."), Examples);
        options.AddTo(command, withInput: false);
        shared.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(options, shared, result, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(GetOptions options, SharedJobOptions shared, ParseResult result, CancellationToken cancellationToken)
    {
        if (!shared.Given(result))
        {
            return CliError.Usage("haul worker needs --journal URI and --job NAME (the shared job to join)");
        }

        if (options.ToHaulOptions(result) is not { } haulOptions || shared.Apply(result, haulOptions, mustExist: true) is not { } withJob)
        {
            return ExitCodes.Usage;
        }

        var plain = result.GetValue(options.NoProgress) || result.GetValue(options.Verbose);
        var display = ProgressDisplay.Choose(plain, result.GetValue(options.Quiet));
        return await GetCommand.RunJobAsync(withJob, NoInput(), new JobProgress(), display, cancellationToken);
    }

    private static async IAsyncEnumerable<InputEntry> NoInput()
    {
        await Task.CompletedTask;
        yield break;
    }
}
