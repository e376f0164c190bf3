using System.CommandLine;
using Haul.Cli;
using Haul.Cli.Commands;

var root = new RootCommand("Haul: a resilient, polite bulk downloader. Every URL ends done, failed with a reason, or skipped; nothing corrupt is ever saved; a killed run resumes.")
{
    GetCommand.Create(),
    StatusCommand.Create(),
    DemoCommand.Create(),
    ServeCommand.Create(),
};

var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0)
{
    foreach (var error in parseResult.Errors)
    {
        Console.Error.WriteLine($"haul: {error.Message}");
    }

    Console.Error.WriteLine("Try 'haul --help'.");
    return ExitCodes.Usage;
}

return await parseResult.InvokeAsync();
