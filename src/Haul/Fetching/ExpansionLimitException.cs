using System.Globalization;

namespace Haul.Fetching;

/// <summary>A content-coded body decoded to far more bytes than came over the wire: a compression bomb.</summary>
internal sealed class ExpansionLimitException : IOException
{
    public ExpansionLimitException(long decoded, long received)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"content-coded body expands beyond {ExpansionGuardStream.MaxRatio}x: {decoded} bytes decoded from {received} received"))
    {
    }
}
