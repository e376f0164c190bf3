using System.Globalization;
using AngleSharp.Dom;

namespace Haul.Discovery;

/// <summary>
/// The image slot of one <c>&lt;img&gt;</c>: its enclosing <c>&lt;a href&gt;</c>, the <c>&lt;source&gt;</c>s of its
/// <c>&lt;picture&gt;</c>, its <c>src</c>, <c>srcset</c> and lazy-load attributes, and which of them is the full-size
/// image (the rules of "What counts as the full-size image").
/// </summary>
internal static class ImgSlot
{
    // Lazy single-URL attributes, strongest first; the first BigGroup of them beat a srcset choice.
    private static readonly string[] LazyAttributes =
    [
        "data-download-url", "data-zoom-image", "data-hires", "data-full", "data-large", "data-original",
        "data-lazy-src", "data-src",
    ];

    private const int BigGroup = 6;
    private const int OtherDataRank = 8;

    private static readonly string[] LazySrcsetAttributes = ["data-srcset", "data-lazy-srcset"];

    /// <summary>Records the slot of <paramref name="img"/>: its kept images, and its photo page when it is a thumbnail of one.</summary>
    public static void Read(IElement img, UrlResolver urls, ExtractionOptions options, ExtractionCollector collector)
    {
        collector.AddSlot();
        var inNoscript = HasAncestor(img, "noscript");
        var alt = NonEmpty(img.GetAttribute("alt")) ?? NonEmpty(img.GetAttribute("title"));
        var width = Dimension(img.GetAttribute("width"));
        var height = Dimension(img.GetAttribute("height"));

        var link = EnclosingLink(img, urls);
        if (link is not null && ImageUrls.IsImageFile(link))
        {
            collector.AddImage(link, inNoscript ? ImageSource.Noscript : ImageSource.Link, alt);
            if (!options.AllSizes)
            {
                return;
            }
        }
        else if (link is not null)
        {
            collector.AddLink(link, LinkKind.PhotoPage);
            if (!options.AllSizes)
            {
                return;
            }
        }

        var candidates = Gather(img, urls, options.KeepDataUris);
        var chosen = Choose(candidates.Where(c => !c.IsData).ToList()) ?? Choose(candidates.Where(c => c.IsData).ToList());
        IEnumerable<Candidate> kept = options.AllSizes ? candidates : chosen is null ? [] : [chosen];
        foreach (var candidate in kept)
        {
            collector.AddImage(candidate.Url, inNoscript ? ImageSource.Noscript : candidate.Source, alt, width, height);
        }
    }

    private static Candidate? Choose(List<Candidate> candidates)
    {
        var srcsets = candidates.Where(c => c.Kind == CandidateKind.Srcset).ToList();
        var lazies = candidates.Where(c => c.Kind == CandidateKind.Lazy).ToList();
        if (srcsets.Count > 0)
        {
            var big = lazies.Where(c => c.Rank < BigGroup).MinBy(c => c.Rank);
            if (big is not null)
            {
                return big;
            }

            var widths = srcsets.Where(c => c.Width is not null).ToList();
            return widths.Count > 0 ? widths.MaxBy(c => c.Width) : srcsets.MaxBy(c => c.Density);
        }

        return lazies.Count > 0 ? lazies.MinBy(c => c.Rank) : candidates.FirstOrDefault(c => c.Kind == CandidateKind.Src);
    }

    private static List<Candidate> Gather(IElement img, UrlResolver urls, bool keepDataUris)
    {
        var candidates = new List<Candidate>();
        if (img.ParentElement is { LocalName: "picture" } picture)
        {
            foreach (var source in picture.Children)
            {
                if (source == img)
                {
                    break;
                }

                if (source.LocalName == "source")
                {
                    AddSrcset(source.GetAttribute("srcset"), ImageSource.Picture);
                    AddSrcset(source.GetAttribute("data-srcset"), ImageSource.Picture);
                }
            }
        }

        if (urls.Resolve(img.GetAttribute("src"), keepDataUris) is { } src)
        {
            candidates.Add(new Candidate(src, ImageSource.Img, CandidateKind.Src));
        }

        AddSrcset(img.GetAttribute("srcset"), ImageSource.Srcset);
        foreach (var name in LazySrcsetAttributes)
        {
            AddSrcset(img.GetAttribute(name), ImageSource.Lazy);
        }

        foreach (var attribute in img.Attributes)
        {
            if (LazyCandidate(attribute, urls, keepDataUris) is { } lazy)
            {
                candidates.Add(lazy);
            }
        }

        return candidates;

        void AddSrcset(string? value, ImageSource source)
        {
            if (value is null)
            {
                return;
            }

            foreach (var candidate in SrcsetParser.Parse(value))
            {
                if (urls.Resolve(candidate.Url, keepDataUris) is { } url)
                {
                    candidates.Add(new Candidate(url, source, CandidateKind.Srcset, candidate.Width, candidate.EffectiveDensity));
                }
            }
        }
    }

    private static Candidate? LazyCandidate(IAttr attribute, UrlResolver urls, bool keepDataUris)
    {
        var name = attribute.Name.ToLowerInvariant();
        if (!name.StartsWith("data-", StringComparison.Ordinal) || LazySrcsetAttributes.Contains(name))
        {
            return null;
        }

        var rank = Array.IndexOf(LazyAttributes, name);
        if (rank >= 0)
        {
            // A flag or a number ("true", "1") in a lazy attribute is no URL.
            return attribute.Value.AsSpan().IndexOfAny('/', '.', ':') >= 0
                && urls.Resolve(attribute.Value, keepDataUris) is { } url
                ? new Candidate(url, ImageSource.Lazy, CandidateKind.Lazy, Rank: rank)
                : null;
        }

        return urls.Resolve(attribute.Value) is { } other && ImageUrls.IsImageFile(other)
            ? new Candidate(other, ImageSource.Lazy, CandidateKind.Lazy, Rank: OtherDataRank)
            : null;
    }

    private static Uri? EnclosingLink(IElement img, UrlResolver urls)
    {
        for (var element = img.ParentElement; element is not null; element = element.ParentElement)
        {
            if (element.LocalName == "a" && element.HasAttribute("href"))
            {
                return urls.Resolve(element.GetAttribute("href"));
            }
        }

        return null;
    }

    private static bool HasAncestor(IElement element, string localName)
    {
        for (var parent = element.ParentElement; parent is not null; parent = parent.ParentElement)
        {
            if (parent.LocalName == localName)
            {
                return true;
            }
        }

        return false;
    }

    private static string? NonEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static int? Dimension(string? text) =>
        int.TryParse(text?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    private enum CandidateKind
    {
        Src,
        Srcset,
        Lazy,
    }

    private sealed record Candidate(
        Uri Url, ImageSource Source, CandidateKind Kind, int? Width = null, double Density = 1, int Rank = 0)
    {
        public bool IsData => Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps;
    }
}
