namespace Haul.Fetching;

/// <summary>Facts about <see cref="FailureReason"/> values: transience and stable names.</summary>
public static class FailureReasons
{
    /// <summary>Whether a failure with this reason may succeed when tried again.</summary>
    public static bool IsTransient(FailureReason reason) => reason switch
    {
        FailureReason.StaleConnection or FailureReason.ConnectionReset or FailureReason.ConnectionRefused
            or FailureReason.NameResolution or FailureReason.ConnectTimeout or FailureReason.HeadersTimeout
            or FailureReason.BodyStall or FailureReason.LowSpeed or FailureReason.Truncated
            or FailureReason.ProtocolError or FailureReason.NetworkError or FailureReason.TooManyRequests
            or FailureReason.ServiceUnavailable or FailureReason.ServerError or FailureReason.RequestTimeout
            or FailureReason.SoftBlock or FailureReason.RangeMismatch or FailureReason.ChecksumMismatch
            or FailureReason.ProxyFailed => true,
        _ => false,
    };

    /// <summary>The stable kebab-case name used in reports, journals and logs, e.g. <c>stale-connection</c>.</summary>
    public static string ToName(FailureReason reason) => Names[(int)reason];

    /// <summary>Parses a name written by <see cref="ToName"/>.</summary>
    public static FailureReason Parse(string name)
    {
        var index = Array.IndexOf(Names, name);
        return index < 0 ? FailureReason.Unknown : (FailureReason)index;
    }

    private static readonly string[] Names = Enum.GetValues<FailureReason>().Select(Kebab).ToArray();

    private static string Kebab(FailureReason reason)
    {
        var text = reason.ToString();
        var builder = new System.Text.StringBuilder(text.Length + 4);
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsUpper(text[i]) && i > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(text[i]));
        }

        return builder.ToString();
    }
}
