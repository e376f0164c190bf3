using Haul.Discovery;

namespace Haul.Tests.Discovery;

public sealed class ImageUrlsTests
{
    [Theory]
    [InlineData("http://h/a.jpg")]
    [InlineData("http://h/a.JPEG")]
    [InlineData("http://h/a.png?size=large")]
    [InlineData("http://h/x/a.gif#frag")]
    [InlineData("http://h/a.webp")]
    [InlineData("http://h/a.avif")]
    [InlineData("http://h/a.bmp")]
    [InlineData("http://h/a.tif")]
    [InlineData("http://h/a.tiff")]
    [InlineData("http://h/a.svg")]
    [InlineData("http://h/a.heic")]
    [InlineData("http://h/a.heif")]
    [InlineData("http://h/a.jxl")]
    public void IsImageFile_ImageExtensions(string url) => Assert.True(ImageUrls.IsImageFile(new Uri(url)));

    [Theory]
    [InlineData("http://h/photo.html")]
    [InlineData("http://h/view?file=a.jpg")]
    [InlineData("http://h/a.jpg/")]
    [InlineData("http://h/jpg")]
    [InlineData("http://h/a.jpgx")]
    [InlineData("http://h/")]
    public void IsImageFile_OtherUrls(string url) => Assert.False(ImageUrls.IsImageFile(new Uri(url)));
}
