using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Haul.Crawling;
using Haul.Engine;
using Haul.Text;

namespace Haul.Cli.Commands;

/// <summary>The options of <c>haul crawl</c> beyond those it shares with <c>haul get</c>, named like wget's and gallery-dl's.</summary>
internal sealed class CrawlOptionsBinder
{
    public Argument<string[]> StartPages { get; } = new("start-pages")
    {
        Description = "Pages to start from (a gallery's first page).",
        // Checked by the command, so that a missing start page is one line naming it.
        Arity = ArgumentArity.ZeroOrMore,
    };

    public Option<bool> AllSizes { get; } = new("--all-sizes") { Description = "Keep every size of every image (each srcset candidate, thumbnails too), not only the full-size one." };

    public Option<bool> DataUris { get; } = new("--data-uris") { Description = "Keep images inlined as data: URIs." };

    public Option<string?> Next { get; } = new("--next") { Description = "CSS selector of the link to the next page, where pagination is not recognised by itself." };

    public Option<bool> NoParent { get; } = new("--no-parent", "-np") { Description = "Follow only pages under the start page's folder." };

    public Option<bool> SpanHosts { get; } = new("--span-hosts") { Description = "Follow pages on other hosts too (images are taken from any host anyway)." };

    public Option<string[]> Include { get; } = new("--include") { Description = "Follow only pages whose URL matches one of these regular expressions.", Arity = ArgumentArity.ZeroOrMore };

    public Option<string[]> Exclude { get; } = new("--exclude") { Description = "Never follow pages whose URL matches one of these regular expressions.", Arity = ArgumentArity.ZeroOrMore };

    public Option<int?> MaxDepth { get; } = new("--max-depth", "-l") { Description = "Links followed from a start page at most (0: the start pages only)." };

    public Option<int?> MaxPages { get; } = new("--max-pages") { Description = "Pages fetched at most, the start pages included." };

    public Option<bool> IgnoreRobots { get; } = new("--ignore-robots") { Description = "Neither fetch nor honour robots.txt (only for sites whose rules you may set aside)." };

    public Option<string> RefererPolicy { get; } = new("--referer-policy")
    {
        Description = "Referer sent with each request: full (the page it was found on), origin, or none.",
        DefaultValueFactory = _ => "full",
    };

    public Option<string[]> Accept { get; } = new("--accept", "-A") { Description = "Keep only images with these extensions (jpg,png,...), as wget -A.", Arity = ArgumentArity.ZeroOrMore };

    public Option<string?> MinSize { get; } = new("--min-size") { Description = "Skip images smaller than this (bytes, or with K, M, G)." };

    public Option<string?> MaxSize { get; } = new("--max-size") { Description = "Skip images larger than this (bytes, or with K, M, G)." };

    public Option<int?> MinWidth { get; } = new("--min-width") { Description = "Skip images whose page states a smaller width." };

    public Option<int?> MinHeight { get; } = new("--min-height") { Description = "Skip images whose page states a smaller height." };

    public Option<string?> MaxPageSize { get; } = new("--max-page-size")
    {
        Description = "Largest page read; a larger one fails (too-large) and the crawl goes on.",
        DefaultValueFactory = _ => "10M",
    };

    public Option<bool> ByPage { get; } = new("--by-page") { Description = "Save images in a folder for the page they were found on (HOST/PAGE/NAME: the page's path without index.html or .html), not by their own URL." };

    public Option<bool> SavePages { get; } = new("--save-pages") { Description = "Keep each page read as an HTML file too, at HOST/PATH (index.html for a folder, .html added when missing: beside its --by-page folder)." };

    public Option<bool> List { get; } = new("--list", "-g") { Description = "Print the URLs of the images found, one a line, without downloading them." };

    public Option<bool> Sitemap { get; } = new("--sitemap") { Description = "Also start from the pages of each start host's sitemap." };

    public void AddTo(Command command)
    {
        GetOptions.RefuseOptionsAsUrls(StartPages);
        command.Arguments.Add(StartPages);
        foreach (var option in new Option[]
        {
            AllSizes, DataUris, Next, NoParent, SpanHosts, Include, Exclude, MaxDepth, MaxPages, IgnoreRobots, RefererPolicy,
            Accept, MinSize, MaxSize, MinWidth, MinHeight, MaxPageSize, ByPage, SavePages, List, Sitemap,
        })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Builds the crawl's options; returns null and prints the problem when a value is unusable.</summary>
    public CrawlOptions? ToCrawlOptions(ParseResult result)
    {
        var referer = result.GetValue(RefererPolicy)!.ToLowerInvariant() switch
        {
            "full" => RefererMode.Full,
            "origin" => RefererMode.Origin,
            "none" => RefererMode.None,
            _ => (RefererMode?)null,
        };
        if (referer is null)
        {
            return Fail($"--referer-policy '{result.GetValue(RefererPolicy)}' is not one of full, origin, none");
        }

        if (result.GetValue(Next) is { } selector && !Discovery.PageExtractor.IsValidSelector(selector))
        {
            return Fail($"--next '{selector}' is not a CSS selector");
        }

        if (!TrySize(result, MinSize, out var minSize) || !TrySize(result, MaxSize, out var maxSize) || !TrySize(result, MaxPageSize, out var maxPage))
        {
            return null;
        }

        if (CheckValues(result, minSize, maxSize) is { } problem)
        {
            return Fail(problem);
        }

        var options = new CrawlOptions
        {
            AllSizes = result.GetValue(AllSizes),
            KeepDataUris = result.GetValue(DataUris),
            NextSelector = result.GetValue(Next),
            NoParent = result.GetValue(NoParent),
            SpanHosts = result.GetValue(SpanHosts),
            Include = result.GetValue(Include) ?? [],
            Exclude = result.GetValue(Exclude) ?? [],
            MaxDepth = result.GetValue(MaxDepth),
            MaxPages = result.GetValue(MaxPages),
            IgnoreRobots = result.GetValue(IgnoreRobots),
            Referer = referer.Value,
            Extensions = (result.GetValue(Accept) ?? []).SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Select(e => e.TrimStart('.').ToLowerInvariant()).ToList(),
            MinBytes = minSize,
            MaxBytes = maxSize,
            MinWidth = result.GetValue(MinWidth),
            MinHeight = result.GetValue(MinHeight),
            MaxPageBytes = maxPage ?? new CrawlOptions().MaxPageBytes,
            ByPage = result.GetValue(ByPage),
            SavePages = result.GetValue(SavePages),
            ListOnly = result.GetValue(List),
            Sitemap = result.GetValue(Sitemap),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException exception)
        {
            return Fail(exception.Message);
        }

        return options;
    }

    /// <summary>
    /// The numbers, size ranges and patterns the engine would refuse, named as the user wrote them (the engine's own
    /// check speaks of its properties); returns the first problem, or null.
    /// </summary>
    private string? CheckValues(ParseResult result, long? minSize, long? maxSize)
    {
        var problem = AtLeast(result, MaxDepth, 0) ?? AtLeast(result, MaxPages, 1) ?? AtLeast(result, MinWidth, 0) ?? AtLeast(result, MinHeight, 0);
        if (problem is null && minSize > maxSize)
        {
            problem = $"{MinSize.Name} {result.GetValue(MinSize)} is more than {MaxSize.Name} {result.GetValue(MaxSize)}";
        }

        foreach (var option in new[] { Include, Exclude })
        {
            foreach (var pattern in result.GetValue(option) ?? [])
            {
                try
                {
                    _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                }
                catch (RegexParseException exception)
                {
                    problem ??= $"{option.Name} '{pattern}' is not a regular expression ({exception.Message.TrimEnd('.')})";
                }
            }
        }

        return problem;
    }

    private static string? AtLeast(ParseResult result, Option<int?> option, int min) =>
        result.GetValue(option) is { } value && value < min
            ? string.Create(CultureInfo.InvariantCulture, $"{option.Name} {value} is out of range (N >= {min})")
            : null;

    private static bool TrySize(ParseResult result, Option<string?> option, out long? size) => TrySize(result.GetValue(option), option.Name, out size);

    private static bool TrySize(string? text, string name, out long? size)
    {
        size = null;
        if (text is null)
        {
            return true;
        }

        size = OptionValues.ParseSize(text);
        if (size is null)
        {
            Console.Error.WriteLine($"haul: {name} '{PrintableText.Of(text)}' is not a size such as 500000, 20M or 2G");
            return false;
        }

        return true;
    }

    private static CrawlOptions? Fail(string message)
    {
        Console.Error.WriteLine($"haul: {message}");
        return null;
    }
}
