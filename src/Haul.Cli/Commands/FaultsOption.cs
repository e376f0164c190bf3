using System.CommandLine;
using Haul.TestServer;

namespace Haul.Cli.Commands;

/// <summary>The <c>--faults</c> option of the commands that start the hostile server.</summary>
internal static class FaultsOption
{
    public static Option<FaultProfile> Create() => new("--faults")
    {
        Description = "Fault mix: none, moderate, hostile, or kind=rate,… (e.g. reset-mid-body=0.1,stall=0.02).",
        DefaultValueFactory = _ => FaultProfile.Moderate,
        CustomParser = result =>
        {
            try
            {
                return FaultProfile.Parse(result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty);
            }
            catch (FormatException exception)
            {
                result.AddError(exception.Message);
                return null;
            }
        },
    };
}
