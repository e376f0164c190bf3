namespace Haul.TestServer.Tests;

/// <summary>A raw response as read from the socket until close, reset or the time limit.</summary>
/// <param name="Status">Status code; 0 when no complete head arrived.</param>
/// <param name="Headers">Header values by name; a repeated header keeps its last value.</param>
/// <param name="Fields">Every header line in the order received, repeats included.</param>
/// <param name="Body">Bytes after the head.</param>
/// <param name="WasReset">The connection ended with a reset.</param>
/// <param name="TimedOut">The time limit passed before the connection ended.</param>
internal sealed record RawResponse(int Status, Dictionary<string, string> Headers, IReadOnlyList<KeyValuePair<string, string>> Fields, byte[] Body, bool WasReset, bool TimedOut)
{
    public string? Header(string name) => Headers.GetValueOrDefault(name);

    /// <summary>Every value of a header, one per line it was sent on.</summary>
    public IReadOnlyList<string> HeaderValues(string name) =>
        [.. Fields.Where(f => f.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(f => f.Value)];
}
