using System.CommandLine;
using System.Globalization;
using Haul.Cli.Terminal;
using Haul.Engine;
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

    public Option<double> ConnectTimeout { get; } = Seconds("--connect-timeout", "Seconds to establish a connection.", HaulDefaults.ConnectTimeout);

    public Option<double> HeaderTimeout { get; } = Seconds("--header-timeout", "Seconds to wait for response headers.", HaulDefaults.ResponseHeadersTimeout);

    public Option<double> ReadTimeout { get; } = Seconds("--read-timeout", "Seconds a body may stall without a byte before the attempt is abandoned.", HaulDefaults.StallTimeout, "--stall-timeout");

    public Option<double> MaxTime { get; } = Seconds("--max-time", "Seconds one item may take in all, retries and waits included.", HaulDefaults.ItemTimeout, "-m");

    public Option<long> SpeedLimit { get; } = new("--speed-limit", "--lowest-speed-limit")
    {
        Description = "Abandon an attempt slower than this many bytes a second over --speed-time (0 = off).",
        DefaultValueFactory = _ => HaulDefaults.LowSpeedLimit,
    };

    public Option<double> SpeedTime { get; } = Seconds("--speed-time", "Seconds over which --speed-limit is measured.", HaulDefaults.LowSpeedTime);

    public Option<int> Tries { get; } = new("--tries", "-t")
    {
        Description = "Attempts an item gets, the first included.",
        DefaultValueFactory = _ => HaulDefaults.MaxAttempts,
    };

    public Option<double> RetryDelay { get; } = Seconds("--retry-delay", "First backoff delay in seconds; it grows exponentially, with jitter.", HaulDefaults.RetryBaseDelay);

    public Option<double> RetryMaxDelay { get; } = Seconds("--retry-max-delay", "Largest backoff delay in seconds (a server's Retry-After may ask for more).", HaulDefaults.RetryMaxDelay);

    public Option<int> MaxRedirects { get; } = new("--max-redirs")
    {
        Description = "Redirects followed at most.",
        DefaultValueFactory = _ => HaulDefaults.MaxRedirects,
    };

    public Option<string?> MaxFileSize { get; } = new("--max-filesize")
    {
        Description = "Largest file accepted, in bytes or with a K, M or G suffix.",
    };

    public Option<string[]> Headers { get; } = new("--header", "-H")
    {
        Description = "Extra request header 'Name: value' (repeatable).",
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<string> UserAgent { get; } = new("--user-agent", "-U", "-A")
    {
        Description = "The User-Agent header.",
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
            Tries, RetryDelay, RetryMaxDelay, MaxRedirects, MaxFileSize, Headers, UserAgent, LocationTrusted, CaCertificates, Insecure,
            SkipExisting, Overwrite, Verbose, NoProgress, Quiet,
        })
        {
            command.Options.Add(option);
        }
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

    /// <summary>
    /// The longest time any option may ask for: 30 days, well inside what every timer accepts (about 49.7 days).
    /// </summary>
    internal const int MaxSeconds = 30 * 24 * 60 * 60;

    /// <summary>The longest backoff delay: 1 day, the most the retry strategy accepts.</summary>
    internal const int MaxDelaySeconds = 24 * 60 * 60;

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
            if (HasLineBreakOrNul(header))
            {
                Console.Error.WriteLine($"haul: header '{Printable(header)}' contains CR, LF or NUL");
                return null;
            }

            var colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                Console.Error.WriteLine($"haul: header '{header}' is not 'Name: value'");
                return null;
            }

            headers.Add(new(header[..colon].Trim(), header[(colon + 1)..].Trim()));
        }

        var userAgent = result.GetValue(UserAgent)!;
        if (HasLineBreakOrNul(userAgent))
        {
            Console.Error.WriteLine($"haul: {UserAgent.Name} '{Printable(userAgent)}' contains CR, LF or NUL");
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
            maxFileSize = ParseSize(sizeText);
            if (maxFileSize is null)
            {
                Console.Error.WriteLine($"haul: --max-filesize '{sizeText}' is not a size such as 500000, 20M or 2G");
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
            Headers = headers,
            UserAgent = userAgent,
            TrustedCertificateFiles = result.GetValue(CaCertificates) ?? [],
            Insecure = result.GetValue(Insecure),
            SendCredentialsOnRedirect = result.GetValue(LocationTrusted),
            ExistingFiles = result.GetValue(SkipExisting) ? ExistingFilePolicy.Skip
                : result.GetValue(Overwrite) ? ExistingFilePolicy.Overwrite : ExistingFilePolicy.Backup,
            LoggerFactory = result.GetValue(Verbose) ? new StandardErrorLoggerProvider(LogLevel.Information) : NullLoggerFactory.Instance,
        };
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
    /// Every number within the range the engine and its timers accept, so that a value out of range is a usage error
    /// naming its option rather than an overflow later; returns the first problem, or null.
    /// </summary>
    private string? CheckRanges(ParseResult result)
    {
        var problem =
            CountInRange(result, Jobs, 1, 10_000)
            ?? CountInRange(result, PerHost, 1, 1_000)
            ?? SecondsInRange(result, ConnectTimeout, zeroAllowed: false)
            ?? SecondsInRange(result, HeaderTimeout, zeroAllowed: false)
            ?? SecondsInRange(result, ReadTimeout, zeroAllowed: false)
            ?? SecondsInRange(result, MaxTime, zeroAllowed: false)
            ?? (result.GetValue(SpeedLimit) < 0 ? OutOfRange(result, SpeedLimit, "bytes a second >= 0") : null)
            ?? SecondsInRange(result, SpeedTime, zeroAllowed: false)
            ?? CountInRange(result, Tries, 1, 1_000)
            ?? SecondsInRange(result, RetryDelay, zeroAllowed: true, MaxDelaySeconds)
            ?? SecondsInRange(result, RetryMaxDelay, zeroAllowed: true, MaxDelaySeconds)
            ?? CountInRange(result, MaxRedirects, 0, 100);
        if (problem is null && result.GetValue(RetryDelay) > result.GetValue(RetryMaxDelay))
        {
            problem = $"{RetryDelay.Name} {Typed(result, RetryDelay)} is more than {RetryMaxDelay.Name} {Typed(result, RetryMaxDelay)}";
        }

        return problem;
    }

    private static string? SecondsInRange(ParseResult result, Option<double> option, bool zeroAllowed, int max = MaxSeconds)
    {
        var seconds = result.GetValue(option);
        var inRange = double.IsFinite(seconds) && (zeroAllowed ? seconds >= 0 : seconds > 0) && seconds <= max;
        return inRange
            ? null
            : OutOfRange(result, option, string.Create(CultureInfo.InvariantCulture, $"{(zeroAllowed ? "0 <=" : "0 <")} seconds <= {max}"));
    }

    private static string? CountInRange(ParseResult result, Option<int> option, int min, int max)
    {
        var value = result.GetValue(option);
        return value >= min && value <= max
            ? null
            : OutOfRange(result, option, string.Create(CultureInfo.InvariantCulture, $"{min} <= N <= {max}"));
    }

    private static string OutOfRange<T>(ParseResult result, Option<T> option, string range) =>
        $"{option.Name} {Typed(result, option)} is out of range ({range})";

    /// <summary>The value as the user wrote it (<c>1e9</c> stays <c>1e9</c>), or the default's.</summary>
    private static string Typed<T>(ParseResult result, Option<T> option) =>
        result.GetResult(option) is { Implicit: false, Tokens: [.., var last] }
            ? last.Value
            : Convert.ToString(result.GetValue(option), CultureInfo.InvariantCulture) ?? string.Empty;

    private static bool HasLineBreakOrNul(string text) => text.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;

    /// <summary>CR, LF and NUL written as escapes, so that the message stays one line.</summary>
    private static string Printable(string text) =>
        text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\0", "\\0", StringComparison.Ordinal);

    internal static long? ParseSize(string text)
    {
        var multiplier = 1L;
        var digits = text.Trim();
        if (digits.Length > 0 && char.ToUpperInvariant(digits[^1]) is 'K' or 'M' or 'G')
        {
            multiplier = char.ToUpperInvariant(digits[^1]) switch { 'K' => 1L << 10, 'M' => 1L << 20, _ => 1L << 30 };
            digits = digits[..^1];
        }

        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= long.MaxValue / multiplier
            ? value * multiplier
            : null;
    }

    /// <summary>
    /// A number of seconds: digits with an optional decimal point, nothing else (no thousands separators: "1,5" is an
    /// error, not 15; no "inf"). The range is checked afterwards, with the option's name.
    /// </summary>
    private static Option<double> Seconds(string name, string description, TimeSpan defaultValue, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue.TotalSeconds,
            CustomParser = result =>
            {
                var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
                if (double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var seconds))
                {
                    return seconds;
                }

                result.AddError($"{name} '{text}' is not a number of seconds such as 30 or 1.5");
                return 0;
            },
        };
}
