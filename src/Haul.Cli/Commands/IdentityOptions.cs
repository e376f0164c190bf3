using System.CommandLine;
using Haul.Engine;
using Haul.Text;

namespace Haul.Cli.Commands;

/// <summary>The options of <c>haul get</c> and <c>haul crawl</c> that say who the job is: cookies, credentials and the browser it presents itself as.</summary>
internal sealed class IdentityOptions
{
    public Option<string?> Cookies { get; } = new("--cookies", "--load-cookies")
    {
        Description = "Import the cookies of a Netscape cookies.txt FILE (as browsers export it, or curl -c writes it) into the job's cookie jar: at most 180 a domain and 3000 in all, the first of the file (the rest are left out with a warning); a file of at most 256 MiB.",
    };

    public Option<bool> NoCookies { get; } = new("--no-cookies")
    {
        Description = "Keep no cookie jar: cookies that sites set are not sent back (a -H Cookie still is).",
    };

    public Option<string?> User { get; } = new("--user", "-u")
    {
        Description = "USER:PASSWORD for HTTP Basic or Digest authentication, sent only to the origins of the URLs given (or start pages), once they ask.",
    };

    public Option<bool> Netrc { get; } = new("--netrc")
    {
        Description = "Take credentials from ~/.netrc, by host (machine, login, password; default for any other host). ~ is HOME (on Windows, else USERPROFILE); without it --netrc is an error, never the current folder's .netrc.",
    };

    public Option<string?> NetrcFile { get; } = new("--netrc-file")
    {
        Description = "Take credentials from this netrc FILE instead of ~/.netrc.",
    };

    public Option<string?> Browser { get; } = new("--browser")
    {
        Description = "Send the whole header profile of this browser (chrome, firefox or safari) with every request, instead of Haul's own User-Agent.",
    };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Cookies, NoCookies, User, Netrc, NetrcFile, Browser })
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

        if (cookieFile is not null)
        {
            // Read once here, one line at a time into a jar of its own, to say what the job's jar will leave out.
            try
            {
                var leftOut = new Identity.CookieJar(TimeProvider.System).Import(Identity.CookieFile.Read(cookieFile, TimeProvider.System.GetUtcNow()));
                if (leftOut > 0)
                {
                    Console.Error.WriteLine(
                        $"haul: warning: the cookie file '{cookieFile}' holds more cookies than a jar keeps ({Identity.CookieJar.MaxPerDomain} a domain, {Identity.CookieJar.MaxTotal} in all): {leftOut} left out, the first of the file kept");
                }
            }
            catch (InvalidDataException exception)
            {
                Console.Error.WriteLine($"haul: {exception.Message}");
                return null;
            }
        }

        System.Net.NetworkCredential? user = null;
        if (result.GetValue(User) is { } userText)
        {
            // The password is never repeated in a message.
            var colon = userText.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                Console.Error.WriteLine(colon == 0
                    ? "haul: --user has an empty user name; give user:password"
                    : $"haul: --user '{PrintableText.Of(userText)}' has no password; give user:password");
                return null;
            }

            if (OptionValues.HasLineBreakOrNul(userText))
            {
                Console.Error.WriteLine("haul: --user contains CR, LF or NUL");
                return null;
            }

            user = new System.Net.NetworkCredential(userText[..colon], userText[(colon + 1)..]);
        }

        Haul.Identity.Browser? browser = null;
        if (result.GetValue(Browser) is { } browserText)
        {
            if (!Enum.TryParse<Haul.Identity.Browser>(browserText, ignoreCase: true, out var parsed) || !browserText.All(char.IsAsciiLetter))
            {
                Console.Error.WriteLine($"haul: --browser '{PrintableText.Of(browserText)}' is not one of chrome, firefox, safari");
                return null;
            }

            browser = parsed;
        }

        var netrc = result.GetValue(NetrcFile);
        if (netrc is null && result.GetValue(Netrc))
        {
            netrc = Identity.NetrcFile.DefaultPath;
            if (netrc is null)
            {
                Console.Error.WriteLine(OperatingSystem.IsWindows()
                    ? "haul: --netrc: neither HOME nor USERPROFILE is set to an absolute path, so there is no ~/.netrc; give --netrc-file FILE"
                    : "haul: --netrc: HOME is not set to an absolute path, so there is no ~/.netrc; give --netrc-file FILE");
                return null;
            }
        }

        return options with { CookieFile = cookieFile, UseCookies = !noCookies, User = user, NetrcFile = netrc, Browser = browser };
    }
}
