using System.Net.Http.Headers;
using Haul.Fetching;

namespace Haul.Tests.Fetching;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Read_Seconds_GivesThatWait() =>
        Assert.Equal(TimeSpan.FromSeconds(7), RetryAfter.Read(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), Now));

    [Fact]
    public void Read_FutureDate_GivesTimeUntilIt() =>
        Assert.Equal(TimeSpan.FromSeconds(90), RetryAfter.Read(new RetryConditionHeaderValue(Now.AddSeconds(90)), Now));

    [Fact]
    public void Read_PastDate_GivesZero() =>
        Assert.Equal(TimeSpan.Zero, RetryAfter.Read(new RetryConditionHeaderValue(Now.AddMinutes(-5)), Now));

    [Fact]
    public void Read_NoHeader_GivesNull() => Assert.Null(RetryAfter.Read(null, Now));

    [Theory]
    [InlineData("120", 120)]
    [InlineData("Sun, 01 Mar 2026 12:00:30 GMT", 30)]
    [InlineData("Sun, 01 Mar 2026 11:00:00 GMT", 0)]
    public void Read_ParsedHeaderText_BothForms(string text, int seconds)
    {
        using var response = new HttpResponseMessage();
        response.Headers.TryAddWithoutValidation("Retry-After", text);

        Assert.Equal(TimeSpan.FromSeconds(seconds), RetryAfter.Read(response.Headers.RetryAfter, Now));
    }
}
