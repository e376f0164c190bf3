namespace Haul.TestServer.Tests;

/// <summary>A raw response as read from the socket until close, reset or the time limit.</summary>
internal sealed record RawResponse(int Status, Dictionary<string, string> Headers, byte[] Body, bool WasReset, bool TimedOut)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);
}
