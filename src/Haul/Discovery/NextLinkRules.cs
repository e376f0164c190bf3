using System.Text;
using AngleSharp.Css.Dom;
using AngleSharp.Dom;

namespace Haul.Discovery;

/// <summary>
/// Whether a link is the next page of a pagination: <c>rel</c> holds <c>next</c>; or its text, <c>aria-label</c> or
/// <c>title</c> says so (<c>Next</c>, <c>Next page</c>, <c>Older posts</c>, <c>More</c>, a lone <c>»</c>, …, any
/// trailing arrows ignored); or the <c>--next</c> selector matches it or an element around it.
/// </summary>
internal static class NextLinkRules
{
    private static readonly HashSet<string> Words = new(StringComparer.OrdinalIgnoreCase)
    {
        "next", "next page", "older", "older posts", "more",
    };

    /// <summary>Whether <paramref name="link"/> (an <c>a</c>, <c>area</c> or <c>link</c>) is a next-page link.</summary>
    public static bool IsNext(IElement link, ISelector? selector)
    {
        return HasNextRel(link)
            || IsNextWording(link.TextContent)
            || IsNextWording(link.GetAttribute("aria-label"))
            || IsNextWording(link.GetAttribute("title"))
            || (selector is not null && Matches(link, selector));
    }

    /// <summary>Whether the <c>rel</c> of <paramref name="element"/> holds the token <c>next</c>.</summary>
    public static bool HasNextRel(IElement element)
    {
        var rel = element.GetAttribute("rel");
        return rel is not null
            && rel.Split([' ', '\t', '\n', '\f', '\r'], StringSplitOptions.RemoveEmptyEntries)
                .Contains("next", StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Whether <paramref name="text"/> is one of the words of a next-page link, trailing arrows ignored.</summary>
    public static bool IsNextWording(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || text.Length > 64)
        {
            return false;
        }

        var collapsed = new StringBuilder(text.Length);
        foreach (var c in text.Trim())
        {
            if (!char.IsWhiteSpace(c))
            {
                collapsed.Append(c);
            }
            else if (collapsed.Length > 0 && collapsed[^1] != ' ')
            {
                collapsed.Append(' ');
            }
        }

        var words = collapsed.ToString().TrimEnd('»', '›', '>', '→', ' ');
        return words.Length == 0 || Words.Contains(words);
    }

    private static bool Matches(IElement link, ISelector selector)
    {
        for (IElement? element = link; element is not null; element = element.ParentElement)
        {
            if (selector.Match(element, null))
            {
                return true;
            }
        }

        return false;
    }
}
