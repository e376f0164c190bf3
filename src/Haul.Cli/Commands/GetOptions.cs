using System.CommandLine;
using System.Globalization;
using Haul.Cli.Terminal;
using Haul.Engine;
using Haul.Text;
using Haul.Writing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Haul.Cli.Commands;

/// <summary>The options of <c>haul get</c>, named like wget's, curl's and aria2's where they have one.</summary>
internal sealed class GetOptions
{
    public Argument<string[]> Urls { get; } = new("urls")
    {
        Description = "URLs to download; '-' reads a URL list from standard input.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string[]> InputFiles { get; } = new("--input-file", "-i")
    {
        Description = "Read URLs from FILE ('-' for standard input): one a line, # comments, optional TAB output path and TAB sha256=HEX.",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string> Output { get; } = new("--output", "-o")
    {
        Description = "Output folder (files go to HOST/PATH inside it; the journal to .haul/).",
        DefaultValueFactory = _ => "haul-out",
    };

    public Option<int> Jobs { get; } = new("--jobs", "-j")
    {
        Description = "Downloads at once, in total.",
        DefaultValueFactory = _ => HaulDefaults.MaxConcurrency,
    };

    public Option<int> PerHost { get; } = new("--per-host", "--max-connection-per-server")
    {
        Description = "Downloads at once from one host.",
        DefaultValueFactory = _ => HaulDefaults.MaxConcurrencyPerHost,
    };

    public Option<double> ConnectTimeout { get; } = OptionValues.Seconds("--connect-timeout", "Seconds to establish a connection.", HaulDefaults.ConnectTimeout);

    public Option<double> HeaderTimeout { get; } = OptionValues.Seconds("--header-timeout", "Seconds to wait for response headers.", HaulDefaults.ResponseHeadersTimeout);

    public Option<double> ReadTimeout { get; } = OptionValues.Seconds("--read-timeout", "Seconds a body may stall without a byte before the attempt is abandoned.", HaulDefaults.StallTimeout, "--stall-timeout");

    public Option<double> MaxTime { get; } = OptionValues.Seconds("--max-time", "Seconds one item may take in all, retries and waits included.", HaulDefaults.ItemTimeout, "-m");

    public Option<long> SpeedLimit { get; } = new("--speed-limit", "--lowest-speed-limit")
    {
        Description = "Abandon an attempt slower than this many bytes a second over --speed-time (0 = off).",
        DefaultValueFactory = _ => HaulDefaults.LowSpeedLimit,
    };

    public Option<double> SpeedTime { get; } = OptionValues.Seconds("--speed-time", "Seconds over which --speed-limit is measured.", HaulDefaults.LowSpeedTime);

    public Option<int> Tries { get; } = new("--tries", "-t")
    {
        Description = "Attempts an item gets, the first included.",
        DefaultValueFactory = _ => HaulDefaults.MaxAttempts,
    };

    public Option<double> RetryDelay { get; } = OptionValues.Seconds("--retry-delay", "First backoff delay in seconds; it grows exponentially, with jitter.", HaulDefaults.RetryBaseDelay);

    public Option<double> RetryMaxDelay { get; } = OptionValues.Seconds("--retry-max-delay", "Largest backoff delay in seconds (a server's Retry-After may ask for more).", HaulDefaults.RetryMaxDelay);

    public Option<int> MaxRedirects { get; } = new("--max-redirs")
    {
        Description = "Redirects followed at most.",
        DefaultValueFactory = _ => HaulDefaults.MaxRedirects,
    };

    public Option<double> Wait { get; } = OptionValues.Seconds("--wait", "Seconds between the starts of two requests to one host (0 = none); less than --max-time, which counts the waits of retries.", TimeSpan.Zero, "-w");

    public Option<bool> RandomWait { get; } = new("--random-wait") { Description = "Vary each --wait between 0.5 and 1.5 times it, so requests do not tick like a clock." };

    public Option<double> MaxRate { get; } = OptionValues.Number("--max-rate", "Requests a second to one host at most (0 = no limit).", 0, "a number of requests a second such as 2 or 0.5");

    public Option<string?> MaxFileSize { get; } = new("--max-filesize")
    {
        Description = "Largest file accepted, in bytes or with a K, M or G suffix.",
    };

    public Option<string?> LimitRate { get; } = new("--limit-rate")
    {
        Description = "The job's whole download bandwidth at most, in bytes a second or with a K, M or G suffix (all downloads together).",
    };

    public Option<string[]> Headers { get; } = new("--header", "-H")
    {
        Description = "Extra request header 'Name: value' (repeatable; of a name given twice the last wins, and a -H User-Agent wins over -U).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string> UserAgent { get; } = new("--user-agent", "-U", "-A")
    {
        Description = "The User-Agent header (a -H 'User-Agent: ...' wins over it).",
        DefaultValueFactory = _ => HaulDefaults.UserAgent,
    };

    public Option<string[]> CaCertificates { get; } = new("--cacert")
    {
        Description = "Also trust the certificates of this PEM FILE (a CA, or a self-signed server's own); adds to the system's trust store (repeatable).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<bool> Insecure { get; } = new("--insecure", "-k")
    {
        Description = "Do not verify TLS certificates at all (anyone on the path can read and change the downloads).",
    };

    public Option<bool> LocationTrusted { get; } = new("--location-trusted")
    {
        Description = "Send Authorization, Cookie and Proxy-Authorization headers (-H) to every host a redirect leads to, not only to the URL's own origin.",
    };

    public Option<bool> SkipExisting { get; } = new("--skip-existing", "--no-clobber", "-nc")
    {
        Description = "Trust a file already at an item's path and skip the download (a given sha256 is still checked).",
    };

    public Option<bool> Overwrite { get; } = new("--overwrite")
    {
        Description = "Replace a different file already at an item's path (by default it is kept as NAME.~N~).",
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Log every attempt, retry, wait and reason to standard error.",
    };

    public Option<bool> NoProgress { get; } = new("--no-progress")
    {
        Description = "Plain periodic log lines instead of the live display.",
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "Print only the summary and errors.",
    };

    /// <summary>Cookies, credentials and the browser profile.</summary>
    public IdentityOptions Identity { get; } = new();

    /// <summary>Proxies, from the options and the environment.</summary>
    public ProxyOptions Proxies { get; } = new();

    public void AddTo(Command command) => AddTo(command, withInput: true);

    /// <summary>Adds the options to <paramref name="command"/>; without input, the URL argument and <c>-i</c> are left to the command.</summary>
    public void AddTo(Command command, bool withInput)
    {
        if (withInput)
        {
            RefuseOptionsAsUrls(Urls);
            command.Arguments.Add(Urls);
            command.Options.Add(InputFiles);
        }
        else
        {
            // A crawl's -A is wget's --accept (file types), not curl's User-Agent.
            UserAgent.Aliases.Remove("-A");
        }

        foreach (var option in new Option[]
        {
            Output, Jobs, PerHost, ConnectTimeout, HeaderTimeout, ReadTimeout, MaxTime, SpeedLimit, SpeedTime,
            Tries, RetryDelay, RetryMaxDelay, Wait, RandomWait, MaxRate, MaxRedirects, MaxFileSize, Headers, UserAgent, LocationTrusted, CaCertificates, Insecure,
            SkipExisting, Overwrite, Verbose, NoProgress, Quiet, LimitRate,
        })
        {
            command.Options.Add(option);
        }

        Identity.AddTo(command);
        Proxies.AddTo(command);
    }

    /// <summary>An argument of any number of tokens would otherwise take an unknown option for a URL.</summary>
    internal static void RefuseOptionsAsUrls(Argument<string[]> urls) =>
        urls.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => t.Value.Length > 1 && t.Value.StartsWith('-')))
            {
                result.AddError($"unknown option '{token.Value}'");
            }
        });

    /// <summary>Builds the engine's options; returns null and prints the problem when a value is unusable.</summary>
    public HaulOptions? ToHaulOptions(ParseResult result)
    {
        var problem = CheckRanges(result);
        if (problem is not null)
        {
            Console.Error.WriteLine($"haul: {problem}");
            return null;
        }

        var headers = new List<KeyValuePair<string, string>>();
        foreach (var header in result.GetValue(Headers) ?? [])
        {
            if (OptionValues.HasLineBreakOrNul(header))
            {
                Console.Error.WriteLine($"haul: header '{PrintableText.Of(header)}' contains CR, LF or NUL");
                return null;
            }

            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                Console.Error.WriteLine($"haul: header '{PrintableText.Of(header)}' is not 'Name: value'");
                return null;
            }

            headers.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
        }

        // One rule for a header given more than once: the last -H of a name wins (as a -H User-Agent wins over -U),
        // rather than both being sent or joined into one value.
        var lastOfName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            lastOfName[headers[i].Key] = i;
        }

        headers = headers.Where((header, i) => lastOfName[header.Key] == i).ToList();

        var userAgent = result.GetValue(UserAgent)!;
        if (OptionValues.HasLineBreakOrNul(userAgent))
        {
            Console.Error.WriteLine($"haul: {UserAgent.Name} '{PrintableText.Of(userAgent)}' contains CR, LF or NUL");
            return null;
        }

        if (result.GetValue(SkipExisting) && result.GetValue(Overwrite))
        {
            Console.Error.WriteLine("haul: --skip-existing and --overwrite contradict each other; choose one");
            return null;
        }

        long? maxFileSize = null;
        if (result.GetValue(MaxFileSize) is { } sizeText)
        {
            maxFileSize = OptionValues.ParseSize(sizeText);
            if (maxFileSize is null)
            {
                Console.Error.WriteLine($"haul: --max-filesize '{PrintableText.Of(sizeText)}' is not a size such as 500000, 20M or 2G");
                return null;
            }
        }

        long? limitRate = null;
        if (result.GetValue(LimitRate) is { } rateText)
        {
            limitRate = OptionValues.ParseSize(rateText);
            if (limitRate is null)
            {
                Console.Error.WriteLine($"haul: --limit-rate '{PrintableText.Of(rateText)}' is not a rate in bytes a second such as 500000, 100K or 2M");
                return null;
            }
        }

        var options = new HaulOptions
        {
            OutputDirectory = result.GetValue(Output)!,
            MaxConcurrency = result.GetValue(Jobs),
            MaxConcurrencyPerHost = result.GetValue(PerHost),
            ConnectTimeout = TimeSpan.FromSeconds(result.GetValue(ConnectTimeout)),
            ResponseHeadersTimeout = TimeSpan.FromSeconds(result.GetValue(HeaderTimeout)),
            StallTimeout = TimeSpan.FromSeconds(result.GetValue(ReadTimeout)),
            ItemTimeout = TimeSpan.FromSeconds(result.GetValue(MaxTime)),
            LowSpeedLimit = result.GetValue(SpeedLimit),
            LowSpeedTime = TimeSpan.FromSeconds(result.GetValue(SpeedTime)),
            MaxAttempts = result.GetValue(Tries),
            RetryBaseDelay = TimeSpan.FromSeconds(result.GetValue(RetryDelay)),
            RetryMaxDelay = TimeSpan.FromSeconds(result.GetValue(RetryMaxDelay)),
            MaxRedirects = result.GetValue(MaxRedirects),
            MaxFileSize = maxFileSize,
            Wait = TimeSpan.FromSeconds(result.GetValue(Wait)),
            RandomWait = result.GetValue(RandomWait),
            MaxRequestsPerSecond = result.GetValue(MaxRate) is > 0 and var rate ? rate : null,
            Headers = headers,
            UserAgent = userAgent,
            TrustedCertificateFiles = result.GetValue(CaCertificates) ?? [],
            Insecure = result.GetValue(Insecure),
            SendCredentialsOnRedirect = result.GetValue(LocationTrusted),
            ExistingFiles = result.GetValue(SkipExisting) ? ExistingFilePolicy.Skip
                : result.GetValue(Overwrite) ? ExistingFilePolicy.Overwrite : ExistingFilePolicy.Backup,
            LoggerFactory = result.GetValue(Verbose) ? new StandardErrorLoggerProvider(LogLevel.Information) : NullLoggerFactory.Instance,
            MaxBytesPerSecond = limitRate,
        };
        if (Identity.Apply(result, options) is not { } withIdentity)
        {
            return null;
        }

        options = withIdentity;
        if (Proxies.Apply(result, options) is not { } proxied)
        {
            return null;
        }

        options = proxied;
        try
        {
            options.Validate();
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine($"haul: {exception.Message}");
            return null;
        }

        return options;
    }

    /// <summary>
    /// A retry waits for the host's gap, and <c>--max-time</c> counts waits: a gap as long as it would fail every item
    /// that needs a retry with <c>item-timeout</c>, so it is refused rather than changed behind the user's back (the
    /// wait may be what a site asks for). The longest gap counts: 1.5 times <c>--wait</c> with <c>--random-wait</c>.
    /// </summary>
    private string? CheckWaitWithinMaxTime(ParseResult result)
    {
        var maxTime = result.GetValue(MaxTime);
        var wait = result.GetValue(Wait) * (result.GetValue(RandomWait) ? 1.5 : 1);
        var rateWait = result.GetValue(MaxRate) is > 0 and var rate ? 1 / rate : 0;
        var tail = $"is not less than {MaxTime.Name} {OptionValues.Typed(result, MaxTime)}, which counts waits: every item that needs a retry would run out of time; lower the wait or raise {MaxTime.Name}";
        return wait >= maxTime && wait >= rateWait
            ? $"{Wait.Name} {OptionValues.Typed(result, Wait)}{(result.GetValue(RandomWait) ? $" with --random-wait (up to {wait.ToString(CultureInfo.InvariantCulture)} s)" : string.Empty)} {tail}"
            : rateWait >= maxTime
                ? $"{MaxRate.Name} {OptionValues.Typed(result, MaxRate)} (a wait of {rateWait.ToString(CultureInfo.InvariantCulture)} s) {tail}"
                : null;
    }

    /// <summary>
    /// Every number within the range the engine and its timers accept, so that a value out of range is a usage error
    /// naming its option rather than an overflow later; returns the first problem, or null.
    /// </summary>
    private string? CheckRanges(ParseResult result)
    {
        var problem =
            OptionValues.CountInRange(result, Jobs, 1, 10_000)
            ?? OptionValues.CountInRange(result, PerHost, 1, 1_000)
            ?? OptionValues.SecondsInRange(result, ConnectTimeout, zeroAllowed: false)
            ?? OptionValues.SecondsInRange(result, HeaderTimeout, zeroAllowed: false)
            ?? OptionValues.SecondsInRange(result, ReadTimeout, zeroAllowed: false)
            ?? OptionValues.SecondsInRange(result, MaxTime, zeroAllowed: false)
            ?? (result.GetValue(SpeedLimit) < 0 ? OptionValues.OutOfRange(result, SpeedLimit, "bytes a second >= 0") : null)
            ?? OptionValues.SecondsInRange(result, SpeedTime, zeroAllowed: false)
            ?? OptionValues.CountInRange(result, Tries, 1, 1_000)
            ?? OptionValues.SecondsInRange(result, RetryDelay, zeroAllowed: true, OptionValues.MaxDelaySeconds)
            ?? OptionValues.SecondsInRange(result, RetryMaxDelay, zeroAllowed: true, OptionValues.MaxDelaySeconds)
            ?? OptionValues.SecondsInRange(result, Wait, zeroAllowed: true, OptionValues.MaxDelaySeconds)
            ?? (result.GetValue(MaxRate) is var rate && (!double.IsFinite(rate) || rate < 0 || rate > 1_000_000)
                ? OptionValues.OutOfRange(result, MaxRate, "0 <= requests a second <= 1000000") : null)
            ?? OptionValues.CountInRange(result, MaxRedirects, 0, 100);
        if (problem is null && result.GetValue(RetryDelay) > result.GetValue(RetryMaxDelay))
        {
            problem = $"{RetryDelay.Name} {OptionValues.Typed(result, RetryDelay)} is more than {RetryMaxDelay.Name} {OptionValues.Typed(result, RetryMaxDelay)}";
        }

        return problem ?? CheckWaitWithinMaxTime(result);
    }
}
