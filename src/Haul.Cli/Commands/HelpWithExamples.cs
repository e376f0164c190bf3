using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Haul.Cli.Commands;

/// <summary>The standard help, followed by the examples of the command asked about.</summary>
internal sealed class HelpWithExamples : SynchronousCommandLineAction
{
    private static readonly Dictionary<string, string> ExamplesByCommand = new(StringComparer.Ordinal);
    private readonly HelpAction _standard;

    private HelpWithExamples(HelpAction standard)
    {
        _standard = standard;
    }

    /// <summary>Registers examples shown below the help of <paramref name="command"/>.</summary>
    public static T WithExamples<T>(T command, string examples)
        where T : Command
    {
        ExamplesByCommand[command.Name] = examples;
        return command;
    }

    /// <summary>A help option whose output ends with the command's examples.</summary>
    public static HelpOption CreateOption()
    {
        var option = new HelpOption();
        option.Action = new HelpWithExamples((HelpAction)option.Action!);
        return option;
    }

    public override int Invoke(ParseResult parseResult)
    {
        var result = _standard.Invoke(parseResult);
        if (ExamplesByCommand.TryGetValue(parseResult.CommandResult.Command.Name, out var examples))
        {
            var output = parseResult.InvocationConfiguration.Output;
            output.WriteLine("Examples:");
            output.WriteLine(examples);
        }

        return result;
    }
}
