using System.Globalization;
using System.Net.Http.Headers;

namespace Haul.Fetching;

/// <summary>A response's body as Haul takes it: its Content-Length checked for conflicts, its stream decoded.</summary>
internal static class ResponseBody
{
    /// <summary>The body stream, decoded when the response names content codings.</summary>
    public static async Task<Stream> OpenAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var raw = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var codings = response.Content.Headers.ContentEncoding;
        if (ContentDecoding.IsIdentity(codings))
        {
            return raw;
        }

        // A decoded body is bounded by the bytes that came over the wire, against a compression bomb.
        string? unsupported = null;
        var guarded = ExpansionGuardStream.Create(raw, wire => ContentDecoding.TryCreate(codings, wire, out var decoded, out unsupported) ? decoded : wire);
        if (unsupported is not null)
        {
            await guarded.DisposeAsync().ConfigureAwait(false);
            throw new UnsupportedCodingException($"content-coding '{unsupported}'");
        }

        return guarded;
    }

    /// <summary>Two different Content-Length values, or one that is not a non-negative number, break the protocol.</summary>
    public static string? ContentLengthProblem(HttpContentHeaders headers)
    {
        if (!headers.NonValidated.TryGetValues("Content-Length", out var values))
        {
            return null;
        }

        long? first = null;
        foreach (var value in values)
        {
            foreach (var part in value.Split(','))
            {
                if (!long.TryParse(part.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                {
                    return $"invalid Content-Length '{value}'";
                }

                if (first is not null && first != length)
                {
                    return "conflicting Content-Length values";
                }

                first = length;
            }
        }

        return null;
    }
}
