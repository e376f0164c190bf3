using Haul.Fetching;

namespace Haul.Tests.Fetching;

public sealed class FailureReasonsTests
{
    /// <summary>Every reason and whether it is worth retrying; a new reason must be added here on purpose.</summary>
    private static readonly Dictionary<FailureReason, bool> Transience = new()
    {
        [FailureReason.None] = false,
        [FailureReason.StaleConnection] = true,
        [FailureReason.ConnectionReset] = true,
        [FailureReason.ConnectionRefused] = true,
        [FailureReason.NameResolution] = true,
        [FailureReason.ConnectTimeout] = true,
        [FailureReason.HeadersTimeout] = true,
        [FailureReason.BodyStall] = true,
        [FailureReason.LowSpeed] = true,
        [FailureReason.ItemTimeout] = false,
        [FailureReason.Truncated] = true,
        [FailureReason.Tls] = false,
        [FailureReason.ProtocolError] = true,
        [FailureReason.NetworkError] = true,
        [FailureReason.TooManyRequests] = true,
        [FailureReason.ServiceUnavailable] = true,
        [FailureReason.ServerError] = true,
        [FailureReason.RequestTimeout] = true,
        [FailureReason.Forbidden] = false,
        [FailureReason.NotFound] = false,
        [FailureReason.Gone] = false,
        [FailureReason.ClientError] = false,
        [FailureReason.UnexpectedStatus] = false,
        [FailureReason.SoftBlock] = true,
        [FailureReason.UnsupportedEncoding] = false,
        [FailureReason.RangeMismatch] = true,
        [FailureReason.ChecksumMismatch] = true,
        [FailureReason.TooLarge] = false,
        [FailureReason.ParseTimeout] = false,
        [FailureReason.NotAPage] = false,
        [FailureReason.TooSmall] = false,
        [FailureReason.RedirectLoop] = false,
        [FailureReason.TooManyRedirects] = false,
        [FailureReason.BadRedirect] = false,
        [FailureReason.WriteError] = false,
        [FailureReason.UnsafePath] = false,
        [FailureReason.PathTooLong] = false,
        [FailureReason.DiskFull] = false,
        [FailureReason.Unknown] = false,
        [FailureReason.ProxyFailed] = true,
        [FailureReason.Unauthorized] = false,
    };

    [Fact]
    public void IsTransient_MatchesTheDecidedTableForEveryReason()
    {
        Assert.Equal(Enum.GetValues<FailureReason>().Order(), Transience.Keys.Order());
        foreach (var (reason, transient) in Transience)
        {
            Assert.True(transient == FailureReasons.IsTransient(reason), $"{reason}: expected transient={transient}");
        }
    }

    [Fact]
    public void ToNameThenParse_RoundTripsEveryReasonWithDistinctNames()
    {
        var reasons = Enum.GetValues<FailureReason>();
        foreach (var reason in reasons)
        {
            Assert.Equal(reason, FailureReasons.Parse(FailureReasons.ToName(reason)));
        }

        Assert.Equal(reasons.Length, reasons.Select(FailureReasons.ToName).Distinct(StringComparer.Ordinal).Count());
    }

    [Theory]
    [InlineData(FailureReason.None, "none")]
    [InlineData(FailureReason.StaleConnection, "stale-connection")]
    [InlineData(FailureReason.TooManyRequests, "too-many-requests")]
    [InlineData(FailureReason.NotFound, "not-found")]
    [InlineData(FailureReason.Unauthorized, "unauthorized")]
    [InlineData(FailureReason.Forbidden, "forbidden")]
    [InlineData(FailureReason.BodyStall, "body-stall")]
    [InlineData(FailureReason.Tls, "tls")]
    [InlineData(FailureReason.ChecksumMismatch, "checksum-mismatch")]
    public void ToName_IsKebabCase(FailureReason reason, string name) =>
        Assert.Equal(name, FailureReasons.ToName(reason));

    [Theory]
    [InlineData("no-such-reason")]
    [InlineData("NotFound")]
    [InlineData("")]
    public void Parse_UnknownName_GivesUnknown(string name) =>
        Assert.Equal(FailureReason.Unknown, FailureReasons.Parse(name));
}
