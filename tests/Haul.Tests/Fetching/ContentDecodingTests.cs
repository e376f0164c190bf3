using System.IO.Compression;
using System.Text;
using Haul.Fetching;

namespace Haul.Tests.Fetching;

public sealed class ContentDecodingTests
{
    private static readonly byte[] Original = MakeOriginal();

    [Theory]
    [InlineData("gzip", "gzip")]
    [InlineData("x-gzip", "gzip")]
    [InlineData("GZip", "gzip")]
    [InlineData("deflate", "deflate")]
    [InlineData("br", "br")]
    public async Task TryCreate_EachCoding_RoundTrips(string coding, string format)
    {
        var encoded = Encode(Original, format);
        Assert.NotEqual(Original, encoded);

        Assert.True(ContentDecoding.TryCreate([coding], new MemoryStream(encoded), out var decoded, out var unsupported));
        Assert.Null(unsupported);
        Assert.Equal(Original, await ReadAllAsync(decoded));
    }

    [Theory]
    [InlineData("gzip|br")]
    [InlineData("gzip, br")]
    [InlineData("identity|gzip| br ")]
    public async Task TryCreate_Chain_UndoesTheLastListedFirst(string listed)
    {
        // "gzip, br" means gzip was applied first, then br.
        var codings = Values(listed);
        var encoded = Encode(Encode(Original, "gzip"), "br");

        Assert.True(ContentDecoding.TryCreate(codings, new MemoryStream(encoded), out var decoded, out _));
        Assert.Equal(Original, await ReadAllAsync(decoded));
    }

    [Fact]
    public async Task TryCreate_RawDeflateWithoutZlibHeader_StillDecodes()
    {
        var encoded = Encode(Original, "raw-deflate");
        Assert.False(IsZlib(encoded));

        Assert.True(ContentDecoding.TryCreate(["deflate"], new MemoryStream(encoded), out var decoded, out _));
        Assert.Equal(Original, await ReadAllAsync(decoded));
    }

    [Theory]
    [InlineData("deflate")]
    [InlineData("raw-deflate")]
    public async Task TryCreate_Deflate_SniffsAHeaderThatArrivesOneByteAtATime(string format)
    {
        var encoded = Encode(Original, format);

        Assert.True(ContentDecoding.TryCreate(["deflate"], new TrickleStream(encoded), out var decoded, out _));
        Assert.Equal(Original, await ReadAllAsync(decoded));
    }

    [Theory]
    [InlineData("deflate")]
    [InlineData("raw-deflate")]
    public void TryCreate_Deflate_DecodesOnSynchronousReadsToo(string format)
    {
        var encoded = Encode(Original, format);

        Assert.True(ContentDecoding.TryCreate(["deflate"], new TrickleStream(encoded), out var decoded, out _));
        using var output = new MemoryStream();
        decoded.CopyTo(output);
        Assert.Equal(Original, output.ToArray());
    }

    [Fact]
    public async Task TryCreate_DeflateOfCorruptData_FailsWhenRead()
    {
        var encoded = Encode(Original, "deflate");
        encoded[^3] ^= 0xFF; // inside the Adler-32 trailer

        Assert.True(ContentDecoding.TryCreate(["deflate"], new MemoryStream(encoded), out var decoded, out _));
        await Assert.ThrowsAsync<InvalidDataException>(() => ReadAllAsync(decoded));
    }

    [Theory]
    [InlineData("zstd", "zstd")]
    [InlineData("gzip|compress", "compress")]
    [InlineData("gzip, x-unknown, br", "x-unknown")]
    public void TryCreate_UnknownCoding_NamesItAndLeavesTheStreamAlone(string listed, string expected)
    {
        var codings = Values(listed);
        using var raw = new MemoryStream(Original);

        Assert.False(ContentDecoding.TryCreate(codings, raw, out var decoded, out var unsupported));
        Assert.Equal(expected, unsupported);
        Assert.Same(raw, decoded);
        Assert.Equal(0, raw.Position);
    }

    [Theory]
    [InlineData("")]
    [InlineData("identity")]
    [InlineData("Identity|identity")]
    public async Task TryCreate_Identity_ReturnsTheRawStream(string listed)
    {
        var codings = Values(listed);
        using var raw = new MemoryStream(Original);

        Assert.True(ContentDecoding.IsIdentity(codings));
        Assert.True(ContentDecoding.TryCreate(codings, raw, out var decoded, out _));
        Assert.Same(raw, decoded);
        Assert.Equal(Original, await ReadAllAsync(decoded));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("identity|br")]
    [InlineData("zstd")]
    public void IsIdentity_AnyRealCoding_IsFalse(string listed) => Assert.False(ContentDecoding.IsIdentity(Values(listed)));

    [Fact]
    public async Task TryCreate_Decoded_OwnsTheRawStream()
    {
        var raw = new MemoryStream(Encode(Original, "gzip"));
        Assert.True(ContentDecoding.TryCreate(["gzip"], raw, out var decoded, out _));
        await decoded.DisposeAsync();
        Assert.False(raw.CanRead);

        raw = new MemoryStream(Encode(Original, "deflate"));
        Assert.True(ContentDecoding.TryCreate(["deflate"], raw, out decoded, out _));
        await decoded.DisposeAsync();
        Assert.False(raw.CanRead);
    }

    /// <summary>Header values as HttpContentHeaders gives them; '|' separates values, so one value can hold a comma list.</summary>
    private static List<string> Values(string listed) => [.. listed.Split('|', StringSplitOptions.RemoveEmptyEntries)];

    private static bool IsZlib(byte[] data) => (data[0] & 0x0F) == 8 && ((data[0] << 8) | data[1]) % 31 == 0;

    private static byte[] MakeOriginal()
    {
        // Text that compresses well, then bytes that do not, so every decoder sees both kinds of block.
        var random = new Random(7);
        var text = new StringBuilder();
        for (var i = 0; i < 4000; i++)
        {
            text.Append("line ").Append(i).Append(": the quick brown fox ").Append(random.Next()).Append('\n');
        }

        var noise = new byte[100_000];
        random.NextBytes(noise);
        return [.. Encoding.UTF8.GetBytes(text.ToString()), .. noise];
    }

    private static byte[] Encode(byte[] data, string format)
    {
        using var output = new MemoryStream();
        using (Stream compressor = format switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "raw-deflate" => new DeflateStream(output, CompressionLevel.Fastest, leaveOpen: true),
            "br" => new BrotliStream(output, CompressionLevel.Fastest, leaveOpen: true),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        })
        {
            compressor.Write(data);
        }

        return output.ToArray();
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var output = new MemoryStream();
            await stream.CopyToAsync(output);
            return output.ToArray();
        }
    }

    /// <summary>Hands out at most one byte per read, as a slow network might.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(1, buffer.Length)]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(1, count));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
