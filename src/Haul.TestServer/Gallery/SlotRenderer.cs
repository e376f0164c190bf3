namespace Haul.TestServer;

/// <summary>Writes one image slot of a listing page in one of the <see cref="SlotForm"/>s.</summary>
internal static class SlotRenderer
{
    /// <summary>A transparent 1×1 GIF, the <c>data:</c> placeholder of lazy images.</summary>
    public const string DataPlaceholder = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";

    public const string BlankPlaceholder = "/static/blank.gif";

    /// <param name="form">The slot's form.</param>
    /// <param name="id">The slot's image id, e.g. <c>p3-7</c>.</param>
    /// <param name="file">The id with its extension, e.g. <c>p3-7.png</c>.</param>
    /// <param name="cover">The file name of the cover image a <see cref="SlotForm.Duplicate"/> slot repeats.</param>
    /// <param name="index">The slot's index on its page.</param>
    /// <param name="urls">The hosts.</param>
    public static RenderedSlot Render(SlotForm form, string id, string file, string cover, int index, GalleryUrls urls)
    {
        var main = urls.Main;
        var full = "/img/full/" + file;
        var medium = "/img/medium/" + file;
        var thumb = "/img/thumb/" + file;
        var alt = "Photo " + id;
        return form switch
        {
            SlotForm.LinkedThumb => new(
                $"""<a href="{full}" class="photo"><img src="{thumb}" alt="{alt}" width="160" height="120"></a>""", null, main + full, null),
            SlotForm.PhotoPage => new(
                $"""<a href="/gallery/photo/{id}.html"><img src="{thumb}" alt="{alt}" width="160" height="120"></a>""", null, null, id),
            SlotForm.SrcsetWidth => new(
                $"""<img src="{thumb}" srcset="{medium} 800w, {full} 1600w, {thumb} 320w" sizes="(max-width: 600px) 100vw, 50vw" alt="{alt}">""",
                null, main + full, null),
            SlotForm.SrcsetDensity => new(
                $"""<img src="{medium}" srcset="{medium}, {full} 2x" alt="{alt}">""", null, main + full, null),
            SlotForm.Picture => new(
                $"""<picture><source media="(min-width: 1200px)" srcset="{full} 1600w, {medium} 800w"><source srcset="{thumb} 320w"><img src="{thumb}" alt="{alt}"></picture>""",
                null, main + full, null),
            SlotForm.LazyDataSrc => new(
                $"""<img class="lazy" src="{BlankPlaceholder}" data-src="{full}" alt="{alt}"><noscript><img src="{full}" alt="{alt}"></noscript>""",
                null, main + full, null),
            SlotForm.LazyZoomOverSrcset => new(
                $"""<img src="{DataPlaceholder}" data-srcset="{thumb} 320w, {medium} 800w" data-zoom-image="{full}" alt="{alt}">""",
                null, main + full, null),
            SlotForm.SrcsetOverLazySmall => new(
                $"""<img src="{BlankPlaceholder}" data-lazy-src="{medium}" srcset="{thumb} 1x, {full} 2x" alt="{alt}">""",
                null, main + full, null),
            SlotForm.StyleBackground => new(
                index % 2 == 0
                    ? $"""<div class="hero" style="background-image: url('{full}'); background-size: cover" title="{alt}"></div>"""
                    : $"""<div class="hero" style="background: #222 url(&quot;{full}&quot;) center / cover no-repeat" title="{alt}"></div>""",
                null, main + full, null),
            SlotForm.StyleBlockBackground => new(
                $"""<div class="tile-{id}" title="{alt}"></div>""",
                $".tile-{id} {{ background-image: url({main}{full}); height: 120px; }}", main + full, null),
            SlotForm.CdnLinked => new(
                $"""<a href="{urls.Cdn}/cdn/full/{file}"><img src="{urls.Cdn}/cdn/thumb/{file}" alt="{alt}"></a>""",
                null, urls.Cdn + "/cdn/full/" + file, null),
            SlotForm.CdnProtocolRelative => new(
                $"""<img src="{urls.CdnProtocolRelative}/cdn/medium/{file}" srcset="{urls.CdnProtocolRelative}/cdn/medium/{file} 800w, {urls.CdnProtocolRelative}/cdn/full/{file} 1600w" alt="{alt}">""",
                null, urls.Cdn + "/cdn/full/" + file, null),
            SlotForm.Hotlink => new(
                $"""<a href="/protected/full/{file}"><img src="{thumb}" alt="{alt}"></a>""", null, main + "/protected/full/" + file, null),
            SlotForm.Private => new(
                $"""<a href="/private/full/{file}"><img src="{thumb}" alt="{alt}"></a>""", null, main + "/private/full/" + file, null),
            SlotForm.Duplicate => new(
                $"""<img src="/img/medium/{cover}" data-full="/img/full/{cover}" alt="Cover again">""", null, main + "/img/full/" + cover, null),
            SlotForm.EntitiesGlued => new(
                $"""<img alt="Tom &amp; Jerry&#39;s {id}"src="{thumb}"data-large="/img&#x2F;full&#x2F;{file}">""", null, main + full, null),
            SlotForm.OtherDataAttribute => new(
                $"""<img src="{BlankPlaceholder}" data-bigsrc="{full}" data-caption="{alt}" alt="{alt}">""", null, main + full, null),
            SlotForm.DownloadUrl => new(
                $"""<img src="{thumb}" data-original="{medium}" data-download-url="{full}" alt="{alt}">""", null, main + full, null),
            _ => throw new ArgumentOutOfRangeException(nameof(form), form, "Not a slot form."),
        };
    }
}
