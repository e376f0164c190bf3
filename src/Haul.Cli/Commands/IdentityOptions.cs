using System.CommandLine;
using Haul.Engine;

namespace Haul.Cli.Commands;

/// <summary>The options of <c>haul get</c> and <c>haul crawl</c> that say who the job is: cookies.</summary>
internal sealed class IdentityOptions
{
    public Option<string?> Cookies { get; } = new("--cookies", "--load-cookies")
    {
        Description = "Import the cookies of a Netscape cookies.txt FILE (as browsers export it, or curl -c writes it) into the job's cookie jar.",
    };

    public Option<bool> NoCookies { get; } = new("--no-cookies")
    {
        Description = "Keep no cookie jar: cookies that sites set are not sent back (a -H Cookie still is).",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Cookies, NoCookies })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The options with the identity settings; null when a value is unusable (the problem is printed).</summary>
    public HaulOptions? Apply(ParseResult result, HaulOptions options)
    {
        var cookieFile = result.GetValue(Cookies);
        var noCookies = result.GetValue(NoCookies);
        if (cookieFile is not null && noCookies)
        {
            Console.Error.WriteLine("haul: --cookies and --no-cookies contradict each other; choose one");
            return null;
        }

        return options with { CookieFile = cookieFile, UseCookies = !noCookies };
    }
}
