using Haul.Engine;

namespace Haul.Tests.Engine;

public sealed class PagePathsTests
{
    [Theory]
    [InlineData("http://example.com/gallery/page/2", "example.com/gallery/page/2.html", "example.com/gallery/page/2")]
    [InlineData("http://example.com/gallery/", "example.com/gallery/index.html", "example.com/gallery")]
    [InlineData("http://example.com/", "example.com/index.html", "example.com")]
    [InlineData("http://example.com/gallery/based.html", "example.com/gallery/based.html", "example.com/gallery/based")]
    [InlineData("http://example.com/old/Page.HTM", "example.com/old/Page.HTM", "example.com/old/Page")]
    [InlineData("http://example.com/view.php", "example.com/view.php.html", "example.com/view.php")]
    [InlineData("http://example.com:8080/a.b.c", "example.com_8080/a.b.c.html", "example.com_8080/a.b.c")]
    public void A_saved_page_is_an_html_file_and_its_folder_is_its_name_without_html(string page, string saved, string folder)
    {
        Assert.Equal(saved, PagePaths.SavedPage(new Uri(page)));
        Assert.Equal(folder, PagePaths.Folder(new Uri(page)));
        Assert.Equal(folder + "/photo.jpg", PagePaths.ByPage(new Uri(page), new Uri("http://cdn.example.net/img/full/photo.jpg")));
    }

    [Theory]
    [InlineData("http://example.com/gallery/page/2")]
    [InlineData("http://example.com/gallery/")]
    [InlineData("http://example.com/view.php?id=3")]
    [InlineData("http://example.com/sort/?order=desc")]
    [InlineData("http://example.com/weird%2F..%2Fname")]
    [InlineData("http://example.com/CON")]
    public void A_saved_page_is_never_its_folder_nor_a_file_in_its_folders_place(string page)
    {
        var saved = PagePaths.SavedPage(new Uri(page));
        var folder = PagePaths.Folder(new Uri(page));

        Assert.NotEqual(folder, saved, StringComparer.OrdinalIgnoreCase);
        Assert.False(folder.StartsWith(saved + "/", StringComparison.OrdinalIgnoreCase), $"{folder} is under {saved}");
        Assert.EndsWith(".html", saved, StringComparison.OrdinalIgnoreCase);
    }
}
