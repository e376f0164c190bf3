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

    public static TheoryData<byte[]> BinaryHeadsThatStartLikeText()
    {
        var random = new Random(5);
        byte[] WithNoise(byte[] start)
        {
            var data = new byte[ContentSniffer.SniffLength];
            random.NextBytes(data);
            start.CopyTo(data, 0);
            return data;
        }

        // A tar header: the first entry's name, NUL-padded to 100 bytes, then octal fields.
        var tar = new byte[ContentSniffer.SniffLength];
        "[2024] holiday/IMG_0001.jpg"u8.CopyTo(tar);
        "0000644\0"u8.CopyTo(tar.AsSpan(100));
        return new TheoryData<byte[]>
        {
            WithNoise([(byte)'[', 0x0D, (byte)' ', (byte)'s', 0xA7]),
            WithNoise("{"u8.ToArray()),
            WithNoise("<"u8.ToArray()),
            tar,
            "[1,2,3]\0\0\0\0"u8.ToArray(),
            "<html>\u0001\u0002</html>"u8.ToArray(),
        };
    }

    [Theory]
    [MemberData(nameof(BinaryHeadsThatStartLikeText))]
    public void LooksLikePage_BinaryThatStartsWithABracket_False(byte[] head) =>
        Assert.False(ContentSniffer.LooksLikePage(head));

    [Fact]
    public void LooksLikePage_BlockPagesInLegacyCharsets_True()
    {
        // windows-1252 / Latin-1: "Accès refusé" is not UTF-8; ISO-2022-JP switches character sets with ESC.
        Assert.True(ContentSniffer.LooksLikePage(Encoding.Latin1.GetBytes("<html><head><title>Accès refusé</title>")));
        Assert.True(ContentSniffer.LooksLikePage([.. "<html><title>"u8, 0x1B, (byte)'$', (byte)'B', 0x25, 0x22, 0x1B, (byte)'(', (byte)'B', .. "</title>"u8]));
        Assert.True(ContentSniffer.LooksLikePage([.. "<html><title>"u8, 0x83, 0x41, 0x83, 0x4E, 0x83, 0x5A, 0x83, 0x58, .. "</title>"u8]));
    }

    [Fact]
    public void LooksLikePage_HtmlCutInsideAUtf8Character_True()
    {
        var page = Encoding.UTF8.GetBytes("<html><body>" + new string('é', 300) + "</body></html>");

        Assert.True(ContentSniffer.LooksLikePage(page.AsSpan(0, 13)));
        Assert.True(ContentSniffer.LooksLikePage(page.AsSpan(0, ContentSniffer.SniffLength - 1)));
    }

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
