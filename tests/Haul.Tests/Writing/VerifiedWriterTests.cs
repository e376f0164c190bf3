using System.Security.Cryptography;
using Haul.Writing;

namespace Haul.Tests.Writing;

public sealed class VerifiedWriterTests
{
    private static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static string Sha(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));

    [Fact]
    public async Task WriteThenFinish_ReturnsTheHashOfAWholeClosedFile()
    {
        using var folder = new TempFolder();
        var part = Path.Combine(folder.Path, "1.part");
        var final = Path.Combine(folder.Path, "a.jpg");
        var data = Data(200_000, 1);

        string? sha;
        await using (var writer = await VerifiedWriter.OpenAsync(part, 0, CancellationToken.None))
        {
            await writer.WriteAsync(data.AsMemory(0, 70_000), CancellationToken.None);
            await writer.WriteAsync(data.AsMemory(70_000), CancellationToken.None);
            Assert.Equal(data.Length, writer.Length);
            Assert.Equal(data.AsSpan(0, ContentSniffer.SniffLength).ToArray(), writer.Head.ToArray());
            sha = await writer.FinishAsync(Sha(data).ToUpperInvariant(), CancellationToken.None);
        }

        File.Move(part, final);

        Assert.Equal(Sha(data), sha);
        Assert.False(File.Exists(part));
        Assert.Equal(data, await File.ReadAllBytesAsync(final));
    }

    [Fact]
    public async Task OpenWithKeep_KeepsAndRehashesPrefixAndDropsTheRest()
    {
        using var folder = new TempFolder();
        var part = Path.Combine(folder.Path, "2.part");
        var final = Path.Combine(folder.Path, "b.bin");
        var data = Data(100_000, 2);

        // The partial file holds a good prefix followed by bytes that must not be kept.
        await File.WriteAllBytesAsync(part, [.. data.AsSpan(0, 60_000), .. Data(5_000, 3)]);

        string? sha;
        await using (var writer = await VerifiedWriter.OpenAsync(part, 60_000, CancellationToken.None))
        {
            Assert.Equal(60_000, writer.Length);
            await writer.WriteAsync(data.AsMemory(60_000), CancellationToken.None);
            sha = await writer.FinishAsync(null, CancellationToken.None);
        }

        File.Move(part, final);

        Assert.Equal(Sha(data), sha);
        Assert.Equal(data, await File.ReadAllBytesAsync(final));
    }

    [Fact]
    public async Task FinishWithWrongExpectedHash_ReturnsNullAndDeletesPart()
    {
        using var folder = new TempFolder();
        var part = Path.Combine(folder.Path, "3.part");

        string? sha;
        await using (var writer = await VerifiedWriter.OpenAsync(part, 0, CancellationToken.None))
        {
            await writer.WriteAsync(Data(10_000, 4), CancellationToken.None);
            sha = await writer.FinishAsync(new string('0', 64), CancellationToken.None);
        }

        Assert.Null(sha);
        Assert.False(File.Exists(part));
    }

    [Fact]
    public async Task Discard_DeletesPartialFile()
    {
        using var folder = new TempFolder();
        var part = Path.Combine(folder.Path, "4.part");

        await using (var writer = await VerifiedWriter.OpenAsync(part, 0, CancellationToken.None))
        {
            await writer.WriteAsync(Data(1000, 5), CancellationToken.None);
            await writer.DiscardAsync();
        }

        Assert.False(File.Exists(part));
    }
}
