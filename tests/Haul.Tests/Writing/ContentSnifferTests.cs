using System.Text;
using Haul.Writing;

namespace Haul.Tests.Writing;

public sealed class ContentSnifferTests
{
    [Theory]
    [InlineData("http://example.com/a.jpg", true)]
    [InlineData("http://example.com/a.JPEG", true)]
    [InlineData("http://example.com/a.webp?x=1", true)]
    [InlineData("http://example.com/v.mp4", true)]
    [InlineData("http://example.com/a.zip", true)]
    [InlineData("http://example.com/page.html", false)]
    [InlineData("http://example.com/data.json", false)]
    [InlineData("http://example.com/dir/", false)]
    [InlineData("http://example.com/noextension", false)]
    public void ExpectsBinary_DecidedByPathExtension(string url, bool expected) =>
        Assert.Equal(expected, ContentSniffer.ExpectsBinary(new Uri(url)));

    [Theory]
    [InlineData("<!DOCTYPE html><html><body>Please verify you are human</body></html>")]
    [InlineData("<html><head><title>Just a moment</title></head></html>")]
    [InlineData("\r\n  \t<?xml version=\"1.0\"?><error/>")]
    [InlineData("{\"error\":\"rate limited\"}")]
    [InlineData("[1,2,3]")]
    [InlineData("Access denied. Please try again later.\n")]
    [InlineData("\uFEFF<html></html>")]
    public void LooksLikePage_HtmlJsonXmlOrText_True(string body) =>
        Assert.True(ContentSniffer.LooksLikePage(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void LooksLikePage_WhitespaceOnlyBody_True() =>
        Assert.True(ContentSniffer.LooksLikePage("   \r\n"u8));

    [Fact]
    public void LooksLikePage_EmptyBody_False() =>
        Assert.False(ContentSniffer.LooksLikePage([]));

    public static TheoryData<byte[]> ImageHeads()
    {
        var random = new Random(7);
        byte[] WithNoise(byte[] signature)
        {
            var data = new byte[ContentSniffer.SniffLength];
            random.NextBytes(data);
            signature.CopyTo(data, 0);
            return data;
        }

        return new TheoryData<byte[]>
        {
            WithNoise([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]),
            WithNoise([0xFF, 0xD8, 0xFF, 0xE0]),
            WithNoise("GIF89a"u8.ToArray()),
            WithNoise("RIFF\0\0\0\0WEBPVP8 "u8.ToArray()),
        };
    }

    [Theory]
    [MemberData(nameof(ImageHeads))]
    public void LooksLikePage_ImageSignatureWithBinaryData_False(byte[] head) =>
        Assert.False(ContentSniffer.LooksLikePage(head));

    [Theory]
    [InlineData("image/jpeg", true)]
    [InlineData("IMAGE/WEBP", true)]
    [InlineData("video/mp4", true)]
    [InlineData("audio/ogg", true)]
    [InlineData("image/svg+xml", false)]
    [InlineData("text/html", false)]
    [InlineData("application/octet-stream", false)]
    [InlineData(null, false)]
    public void IsBinaryMediaType_ImageVideoAudioButNotSvg(string? mediaType, bool expected) =>
        Assert.Equal(expected, ContentSniffer.IsBinaryMediaType(mediaType));
}
