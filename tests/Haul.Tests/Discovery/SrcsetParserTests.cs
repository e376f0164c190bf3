using Haul.Discovery;

namespace Haul.Tests.Discovery;

public sealed class SrcsetParserTests
{
    [Fact]
    public void Parse_WidthDescriptors()
    {
        var candidates = SrcsetParser.Parse("small.jpg 320w, medium.jpg 640w,large.jpg 1280w");

        Assert.Equal(["small.jpg", "medium.jpg", "large.jpg"], candidates.Select(c => c.Url));
        Assert.Equal([320, 640, 1280], candidates.Select(c => c.Width ?? 0));
        Assert.All(candidates, c => Assert.Null(c.Density));
    }

    [Fact]
    public void Parse_DensityDescriptors_AndNoDescriptorIsOneX()
    {
        var candidates = SrcsetParser.Parse("a.jpg, b.jpg 1.5x, c.jpg 2x");

        Assert.Equal(["a.jpg", "b.jpg", "c.jpg"], candidates.Select(c => c.Url));
        Assert.Equal([1, 1.5, 2], candidates.Select(c => c.EffectiveDensity));
    }

    [Fact]
    public void Parse_CommasInsideUrls_StayInTheUrl()
    {
        var candidates = SrcsetParser.Parse("/img/a,b.jpg 1x, /img/w_100,h_100/c.jpg 2x,/d.jpg,, /e.jpg");

        Assert.Equal(["/img/a,b.jpg", "/img/w_100,h_100/c.jpg", "/d.jpg", "/e.jpg"], candidates.Select(c => c.Url));
    }

    [Fact]
    public void Parse_DataUriWithComma_IsOneCandidate()
    {
        var candidates = SrcsetParser.Parse("data:image/gif;base64,R0lGODlh 1x, real.jpg 2x");

        Assert.Equal(["data:image/gif;base64,R0lGODlh", "real.jpg"], candidates.Select(c => c.Url));
    }

    [Theory]
    [InlineData("a.jpg 0w")]
    [InlineData("a.jpg -5w")]
    [InlineData("a.jpg 1.5w")]
    [InlineData("a.jpg 100w 2x")]
    [InlineData("a.jpg 2x 100w")]
    [InlineData("a.jpg -1x")]
    [InlineData("a.jpg 1.x")]
    [InlineData("a.jpg 100h")]
    [InlineData("a.jpg 100w 200w")]
    [InlineData("a.jpg 2q")]
    [InlineData("a.jpg big")]
    public void Parse_InvalidDescriptors_DropTheCandidate(string value)
    {
        Assert.Empty(SrcsetParser.Parse(value));
    }

    [Fact]
    public void Parse_InvalidCandidate_DoesNotDropTheOthers()
    {
        var candidates = SrcsetParser.Parse("a.jpg 0w, b.jpg 800w 600h, c.jpg 400w");

        Assert.Equal(["b.jpg", "c.jpg"], candidates.Select(c => c.Url));
        Assert.Equal(600, candidates[0].Height);
    }

    [Fact]
    public void Parse_ParenthesesInDescriptor_KeepTheirComma()
    {
        // A future-compatible descriptor with a comma inside parentheses is one (invalid) descriptor, not two candidates.
        var candidates = SrcsetParser.Parse("a.jpg foo(1,2), b.jpg 2x");

        Assert.Equal(["b.jpg"], candidates.Select(c => c.Url));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(" , ,, ")]
    public void Parse_Nothing_GivesNoCandidate(string value) => Assert.Empty(SrcsetParser.Parse(value));
}
