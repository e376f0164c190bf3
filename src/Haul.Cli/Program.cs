using System.CommandLine;
using Haul.Cli;
using Haul.Cli.Commands;

// A plain command named "haul" rather than RootCommand, whose name would be the assembly's ("Haul.Cli") in help.
var root = new Command("haul", "Haul: a resilient, polite bulk downloader. Every URL ends done, failed with a reason, or skipped; nothing corrupt is ever saved; a killed run resumes.")
{
    HelpWithExamples.CreateOption(),
    new VersionOption(),
    GetCommand.Create(),
    CrawlCommand.Create(),
    WorkerCommand.Create(),
    StatusCommand.Create(),
    VerifyCommand.Create(),
    DemoCommand.Create(),
    ServeCommand.Create(),
};

HelpWithExamples.WithExamples(root, """
      haul demo                          watch Haul survive a hostile server on 127.0.0.1
      haul get -i urls.txt -o images     download a list; run it again to resume
      haul crawl URL -o photos           every full-size image of a gallery
      haul status images                 what the journal of a job says
      haul worker --journal URI --job N  join a job many machines share
      haul get --help                    every option of get
    """);

var parseResult = root.Parse(args);
if (parseResult.Errors.Count > 0 && parseResult.Action is not HelpWithExamples)
{
    foreach (var error in parseResult.Errors)
    {
        Console.Error.WriteLine($"haul: {Haul.Text.PrintableText.Of(error.Message, Haul.Text.PrintableText.LongMaxLength)}");
    }

    Console.Error.WriteLine("Try 'haul --help'.");
    return ExitCodes.Usage;
}

return await parseResult.InvokeAsync();
