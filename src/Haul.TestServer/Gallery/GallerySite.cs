using System.Globalization;
using System.Text;

namespace Haul.TestServer;

/// <summary>
/// The seeded gallery site: every page's HTML, the images they name, and what a correct default crawl from
/// <c>/gallery/</c> fetches and returns (see <see cref="GalleryPages"/> for the trap arithmetic). Pure: the same seed,
/// options and base addresses give the same site.
/// </summary>
internal sealed class GallerySite
{
    /// <summary>
    /// The crawl's trap limits (the crawl rules): a segment 3 times, more than 16 parameters, 8 barren pages (pages that
    /// name no image new to the crawl).
    /// </summary>
    public const int RepeatedSegmentLimit = 3;

    public const int MaxQueryParameters = 16;

    public const int BarrenChainLimit = 8;

    private const int HugeImages = 4;

    private readonly ulong _seed;
    private readonly GalleryUrls _urls;
    private readonly Dictionary<string, FileEntry> _pages = new(StringComparer.Ordinal);
    private readonly List<string> _found = [];
    private readonly HashSet<string> _foundSet = new(StringComparer.Ordinal);

    public GallerySite(int seed, GalleryOptions options, Uri baseUri)
    {
        _seed = (ulong)(uint)seed;
        _urls = new GalleryUrls(baseUri, options.CdnBaseUri);
        Images = new GalleryImageCatalog(_seed, options);
        Robots = RobotsText(options);
        var pages = new List<GalleryPage>();
        var formOffset = (int)(SeededHash.Combine(_seed, 0x6A11UL) % (ulong)Enum.GetValues<SlotForm>().Length);
        var nextOffset = (int)(SeededHash.Combine(_seed, 0x7E47UL) % 3);
        var photos = new List<(string Id, string File, string Back)>();
        var previousCover = (string?)null;
        for (var page = 1; page <= options.Pages; page++)
        {
            var number = page.ToString(CultureInfo.InvariantCulture);
            var cover = Images.Add("cover-p" + number);
            var slots = new List<RenderedSlot>(options.SlotsPerPage);
            for (var slot = 0; slot < options.SlotsPerPage; slot++)
            {
                var id = "p" + number + "-" + slot.ToString(CultureInfo.InvariantCulture);
                var form = (SlotForm)((slot + (page * 7) + formOffset) % Enum.GetValues<SlotForm>().Length);
                var rendered = SlotRenderer.Render(form, id, Images.Add(id), previousCover ?? cover, slot, _urls);
                slots.Add(rendered);
                if (rendered.PhotoId is { } photo)
                {
                    photos.Add((photo, Images.Add(photo), ListingPageRenderer.PathOf(page)));
                }
            }

            var path = ListingPageRenderer.PathOf(page);
            var style = (ListingPageRenderer.NextStyle)((page + nextOffset) % 3);
            AddPage(path, ListingPageRenderer.Render(page, options.Pages, style, cover, slots, _urls));
            Found(GalleryMarkup.LogoPath);
            Found("/img/full/" + cover);
            foreach (var slot in slots)
            {
                Found(slot.Found);
            }

            pages.Add(new GalleryPage(path, GalleryPageKind.Listing, false, null));
            previousCover = cover;
        }

        foreach (var (id, file, back) in photos)
        {
            var path = "/gallery/photo/" + id + ".html";
            AddPage(path, SpecialPageRenderer.Photo(id, file, back, _urls));
            Found("/img/full/" + file);
            pages.Add(new GalleryPage(path, GalleryPageKind.Photo, false, null));
        }

        string[] based = [Images.Add("based-0"), Images.Add("based-1"), Images.Add("based-2")];
        AddPage(GalleryMarkup.BasedPath, SpecialPageRenderer.Based(based));
        foreach (var file in based)
        {
            Found("/img/full/" + file);
        }

        var broken = Images.Add("broken");
        AddPage(GalleryMarkup.BrokenPath, SpecialPageRenderer.Broken(broken));
        Found("/img/full/" + broken);
        AddPage(GalleryMarkup.EmptyPath, string.Empty);
        AddPage(GalleryMarkup.PrivatePath, SpecialPageRenderer.Private(Images.Add("members")));
        AddPage(GalleryMarkup.OffsitePath, SpecialPageRenderer.Offsite(Images.Add("offsite")));
        var huge = Enumerable.Range(0, HugeImages).Select(i => Images.Add("huge-" + i.ToString(CultureInfo.InvariantCulture))).ToList();
        var hugeHead = Encoding.UTF8.GetBytes(SpecialPageRenderer.HugeHead(huge));
        var hugeContent = new RepeatedPageContent(
            hugeHead, Encoding.UTF8.GetBytes(SpecialPageRenderer.HugeLine), Encoding.UTF8.GetBytes(SpecialPageRenderer.HugeTail), options.HugePageBytes + 4096);
        _pages[GalleryMarkup.HugePath] = FileCatalog.CreatePage(_seed, GalleryMarkup.HugePath, GalleryMarkup.HugePath, hugeContent);

        pages.Add(new GalleryPage(GalleryMarkup.BasedPath, GalleryPageKind.Based, false, null));
        pages.Add(new GalleryPage(GalleryMarkup.BrokenPath, GalleryPageKind.Broken, false, null));
        pages.Add(new GalleryPage(GalleryMarkup.EmptyPath, GalleryPageKind.Empty, false, null));
        pages.Add(new GalleryPage(GalleryMarkup.HugePath, GalleryPageKind.Huge, false, null));
        AddTrapPages(pages);
        pages.Add(new GalleryPage(GalleryMarkup.PrivatePath, GalleryPageKind.Private, false, "robots"));
        if (_urls.HasCdn)
        {
            pages.Add(new GalleryPage(GalleryMarkup.OffsitePath, GalleryPageKind.Offsite, true, "off-host"));
        }

        GalleryPages = pages;
    }

    /// <summary>The images the pages name, servable by path.</summary>
    public GalleryImageCatalog Images { get; }

    /// <summary>The body of <c>/robots.txt</c>.</summary>
    public string Robots { get; }

    /// <summary>
    /// Every page a correct default crawl meets, in the order of this list: the listing pages, the photo pages, the
    /// special pages, then the traps, each ended by its rule (the repeated-segment trap after 2 pages, the query trap
    /// after 16, the calendar, whose pages have no image slot, after 8), then the disallowed and off-host pages.
    /// </summary>
    public IReadOnlyList<GalleryPage> GalleryPages { get; }

    /// <summary>Absolute URLs of the full-size images a correct default crawl returns, in discovery order.</summary>
    public IReadOnlyList<string> ExpectedUrls => _found;

    /// <summary>The expected images, their sizes and hashes at their current versions on this server.</summary>
    public IReadOnlyList<GalleryImage> ExpectedImages()
    {
        var images = new List<GalleryImage>(_found.Count);
        foreach (var url in _found)
        {
            var uri = new Uri(url);
            var file = Images.Find(uri.AbsolutePath)!.Snapshot();
            images.Add(new GalleryImage(_urls.IsOnCdn(url), uri.AbsolutePath, file.Size, file.Sha256Hex, file.ContentType, uri));
        }

        return images;
    }

    /// <summary>The page at <paramref name="path"/> and <paramref name="query"/> (without <c>?</c>), or null.</summary>
    public FileEntry? FindPage(string path, string query)
    {
        if (_pages.TryGetValue(path, out var page))
        {
            return page;
        }

        string html;
        if (TrapPageRenderer.IsMorePath(path))
        {
            html = TrapPageRenderer.More(path);
        }
        else if (path == GalleryMarkup.SortPath)
        {
            html = TrapPageRenderer.Sort(query);
        }
        else if (TrapPageRenderer.TryParseCalendar(path, out var year, out var month))
        {
            html = TrapPageRenderer.Calendar(year, month);
        }
        else
        {
            return null;
        }

        return FileCatalog.CreatePage(_seed, path, path + "?" + query, new PageContent(Encoding.UTF8.GetBytes(html)));
    }

    private void AddTrapPages(List<GalleryPage> pages)
    {
        var more = GalleryMarkup.MorePath;
        for (var count = 2; count <= RepeatedSegmentLimit; count++)
        {
            pages.Add(new GalleryPage(more, GalleryPageKind.RepeatedSegmentTrap, false, null));
            more += "more/";
        }

        pages.Add(new GalleryPage(more, GalleryPageKind.RepeatedSegmentTrap, false, "repeated-segment"));
        // The query trap's pages show only the logo, never new: hung off a listing page (a barren run of 0), its first
        // page has a run of 1, and the links of the one with a run of 8 are cut, before the query grows past 16.
        for (var count = 1; count <= Math.Min(BarrenChainLimit + 1, MaxQueryParameters + 1); count++)
        {
            var path = GalleryMarkup.SortPath + "?" + TrapPageRenderer.SortQuery(count);
            var rule = count > BarrenChainLimit ? "barren-chain" : count > MaxQueryParameters ? "query-growth" : null;
            pages.Add(new GalleryPage(path, GalleryPageKind.QueryTrap, false, rule));
        }

        // The calendar hangs off listing pages (a barren run of 0), so its first month has a run of 1; its pages show
        // only the logo, which is not new.
        for (var run = 1; run <= BarrenChainLimit + 1; run++)
        {
            var path = TrapPageRenderer.CalendarPath(2024 + ((run - 1) / 12), ((run - 1) % 12) + 1);
            pages.Add(new GalleryPage(path, GalleryPageKind.Calendar, false, run > BarrenChainLimit ? "barren-chain" : null));
        }

        Found(GalleryMarkup.LogoPath);
    }

    private void AddPage(string path, string html) =>
        _pages[path] = FileCatalog.CreatePage(_seed, path, path, new PageContent(Encoding.UTF8.GetBytes(html)));

    /// <summary>Records an image a correct crawl finds: root-relative paths are on this server; robots.txt removes <c>/private/</c>.</summary>
    private void Found(string? url)
    {
        if (url is null)
        {
            return;
        }

        var absolute = url.StartsWith('/') ? _urls.Main + url : url;
        if (!new Uri(absolute).AbsolutePath.StartsWith("/private/", StringComparison.Ordinal) && _foundSet.Add(absolute))
        {
            _found.Add(absolute);
        }
    }

    private static string RobotsText(GalleryOptions options)
    {
        var text = new StringBuilder()
            .Append("# The gallery of Haul's test server\n")
            .Append("User-agent: *\n")
            .Append("Disallow: /private/\n");
        if (options.CrawlDelayLine is { } delay)
        {
            text.Append(delay).Append('\n');
        }

        return text.Append("\nUser-agent: otherbot\nDisallow: /\n").ToString();
    }
}
