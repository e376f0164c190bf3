using AngleSharp.Css.Dom;
using AngleSharp.Dom;

namespace Haul.Discovery;

/// <summary>
/// Walks a parsed page in document order and hands each element that can hold an image slot or a link to its rule:
/// <c>&lt;img&gt;</c> to <see cref="ImgSlot"/>, <c>style</c> attributes and <c>&lt;style&gt;</c> blocks to
/// <see cref="CssUrls"/>, <c>og:image</c>/<c>twitter:image</c> metas, and <c>a</c>/<c>area</c>/<c>link</c> links.
/// Checks the cancellation token as it goes, so a huge page stops when asked.
/// </summary>
internal sealed class PageWalker(UrlResolver urls, ExtractionOptions options, ISelector? nextSelector, ExtractionCollector collector)
{
    private const int CheckEvery = 256;

    private static readonly HashSet<string> ImageMetaKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "og:image", "twitter:image", "twitter:image:src",
    };

    /// <summary>Walks every element of <paramref name="document"/>.</summary>
    public void Walk(IDocument document, CancellationToken cancellationToken)
    {
        if (document.DocumentElement is null)
        {
            return;
        }

        var stack = new Stack<IElement>();
        stack.Push(document.DocumentElement);
        var visited = 0;
        while (stack.TryPop(out var element))
        {
            if (++visited % CheckEvery == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            Visit(element);

            // ChildNodes is a plain list; Children is a live filter over it whose indexer walks it from the start, which
            // made a page of 20,000 links take seconds per thousand.
            var nodes = element.ChildNodes;
            for (var i = nodes.Length - 1; i >= 0; i--)
            {
                if (nodes[i] is IElement child)
                {
                    stack.Push(child);
                }
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
    }

    private void Visit(IElement element)
    {
        if (element.GetAttribute("style") is { } style)
        {
            AddBackgrounds(style);
        }

        switch (element.LocalName)
        {
            case "img":
                ImgSlot.Read(element, urls, options, collector);
                break;
            case "style":
                AddBackgrounds(element.TextContent);
                break;
            case "meta":
                VisitMeta(element);
                break;
            case "a" or "area":
                VisitLink(element);
                break;
            case "link" when NextLinkRules.HasNextRel(element):
                if (PageLink(element) is { } next)
                {
                    collector.AddLink(next, LinkKind.Next);
                }

                break;
        }
    }

    private void AddBackgrounds(string css)
    {
        foreach (var reference in CssUrls.BackgroundUrls(css))
        {
            collector.AddSlot();
            if (urls.Resolve(reference, options.KeepDataUris) is { } url)
            {
                collector.AddImage(url, ImageSource.Css);
            }
        }
    }

    private void VisitMeta(IElement meta)
    {
        var key = meta.GetAttribute("property") ?? meta.GetAttribute("name");
        if (key is null || !ImageMetaKeys.Contains(key.Trim()) || string.IsNullOrWhiteSpace(meta.GetAttribute("content")))
        {
            return;
        }

        collector.AddSlot();
        if (urls.Resolve(meta.GetAttribute("content"), options.KeepDataUris) is { } url)
        {
            collector.AddImage(url, ImageSource.Meta);
        }
    }

    private void VisitLink(IElement link)
    {
        if (PageLink(link) is { } url)
        {
            collector.AddLink(url, NextLinkRules.IsNext(link, nextSelector) ? LinkKind.Next : LinkKind.Ordinary);
        }
    }

    // The http(s) URL of a link's href when it is not an image file.
    private Uri? PageLink(IElement link) =>
        urls.Resolve(link.GetAttribute("href")) is { } url && !ImageUrls.IsImageFile(url) ? url : null;
}
