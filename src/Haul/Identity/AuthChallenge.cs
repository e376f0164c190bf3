using System.Net.Http.Headers;
using System.Text;

namespace Haul.Identity;

/// <summary>One challenge of a <c>WWW-Authenticate</c> header that Haul can answer: Basic, or Digest (RFC 7616) with MD5 or SHA-256.</summary>
/// <param name="Scheme"><c>Basic</c> or <c>Digest</c>.</param>
/// <param name="Parameters">The challenge's parameters, names in lower case, values unquoted.</param>
internal sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsDigest => Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.GetValueOrDefault(name);

    /// <summary>The Digest algorithm, upper case; MD5 when the server names none.</summary>
    public string Algorithm => (this["algorithm"] ?? "MD5").ToUpperInvariant();

    /// <summary>How strong: Digest SHA-256 over Digest MD5 over Basic; 0 for what Haul cannot answer.</summary>
    public int Strength => !IsDigest ? 1
        : this["nonce"] is null || (this["qop"] is { } qop && !qop.Split(',').Any(q => q.Trim().Equals("auth", StringComparison.OrdinalIgnoreCase))) ? 0
        : Algorithm switch { "SHA-256" or "SHA-256-SESS" => 3, "MD5" or "MD5-SESS" => 2, _ => 0 };

    /// <summary>The strongest challenge of a 401 that Haul can answer, or null.</summary>
    public static AuthChallenge? Strongest(HttpHeaderValueCollection<AuthenticationHeaderValue> headers) =>
        headers
            .Where(h => h.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) || h.Scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase))
            .Select(h => new AuthChallenge(h.Scheme, ParseParameters(h.Parameter ?? string.Empty)))
            .Where(c => c.Strength > 0)
            .MaxBy(c => c.Strength);

    /// <summary>Reads <c>name=value, name="quoted, value"</c>.</summary>
    public static IReadOnlyDictionary<string, string> ParseParameters(string text)
    {
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',')
            {
                i++;
            }

            var name = text[nameStart..i].Trim();
            if (i >= text.Length || text[i] != '=')
            {
                continue;
            }

            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i]))
            {
                i++;
            }

            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }

                i++;
            }
            else
            {
                while (i < text.Length && text[i] != ',')
                {
                    value.Append(text[i++]);
                }
            }

            if (name.Length > 0)
            {
                parameters.TryAdd(name, value.ToString().Trim());
            }
        }

        return parameters;
    }
}
