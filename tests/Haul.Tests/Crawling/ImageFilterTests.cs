using Haul.Crawling;

namespace Haul.Tests.Crawling;

public sealed class ImageFilterTests
{
    [Fact]
    public void NoOptions_KeepsEverything()
    {
        var filter = new ImageFilter(new ImageFilterOptions());

        Assert.Null(filter.CheckUrl(new Uri("http://h/a.jpg")));
        Assert.Null(filter.CheckUrl(new Uri("http://h/image?id=5")));
        Assert.Null(filter.CheckDimensions(1, 1));
        Assert.Null(filter.CheckSize(0));
        Assert.Null(filter.CheckSize(long.MaxValue));
    }

    [Theory]
    [InlineData("http://h/a.jpg", null)]
    [InlineData("http://h/a.JPEG", null)]
    [InlineData("http://h/a.png", null)]
    [InlineData("http://h/a.tif", null)]
    [InlineData("http://h/a%2Epng", null)]
    [InlineData("http://h/a.gif", "extension")]
    [InlineData("http://h/a.jpg.html", "extension")]
    [InlineData("http://h/a.php?f=b.jpg", "extension")]
    [InlineData("http://h/jpg", "extension")]
    [InlineData("http://h/a.jpg/", "extension")]
    public void Extensions_ByThePathNotTheQuery(string url, string? rule)
    {
        var filter = new ImageFilter(new ImageFilterOptions { Extensions = ["JPG", ".png", "tiff"] });

        Assert.Equal(rule, filter.CheckUrl(new Uri(url)));
    }

    [Theory]
    [InlineData(null, null, null)]
    [InlineData(800, 600, null)]
    [InlineData(799, 600, "min-width")]
    [InlineData(800, 599, "min-height")]
    [InlineData(10, 10, "min-width")]
    [InlineData(null, 599, "min-height")]
    [InlineData(799, null, "min-width")]
    [InlineData(null, 600, null)]
    public void Dimensions_OnlyWhenStated(int? width, int? height, string? rule)
    {
        var filter = new ImageFilter(new ImageFilterOptions { MinWidth = 800, MinHeight = 600 });

        Assert.Equal(rule, filter.CheckDimensions(width, height));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(1024L, null)]
    [InlineData(1023L, "min-bytes")]
    [InlineData(0L, "min-bytes")]
    [InlineData(1_000_000L, null)]
    [InlineData(1_000_001L, "max-bytes")]
    public void Size_OnlyWhenKnown(long? length, string? rule)
    {
        var filter = new ImageFilter(new ImageFilterOptions { MinBytes = 1024, MaxBytes = 1_000_000 });

        Assert.Equal(rule, filter.CheckSize(length));
    }

    [Fact]
    public void BadOptions_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new ImageFilter(new ImageFilterOptions { MinBytes = 10, MaxBytes = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ImageFilter(new ImageFilterOptions { MinWidth = -1 }));
        Assert.Throws<ArgumentException>(() => new ImageFilter(new ImageFilterOptions { Extensions = ["."] }));
    }
}
