using System.Text;

namespace Haul.TestServer;

/// <summary>Kebab-case names of fault kinds, as used by <see cref="FaultProfile.Parse"/>.</summary>
public static class FaultKindNames
{
    private static readonly Dictionary<FaultKind, string> Names = Enum.GetValues<FaultKind>().ToDictionary(k => k, ToKebab);

    private static readonly Dictionary<string, FaultKind> Kinds =
        Names.ToDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>The kebab-case name, e.g. <c>reset-mid-body</c> or <c>etag-changed</c>.</summary>
    public static string ToName(FaultKind kind) => Names.TryGetValue(kind, out var name) ? name : kind.ToString();

    /// <summary>Parses a kebab-case name (case-insensitive).</summary>
    public static bool TryParse(string name, out FaultKind kind) => Kinds.TryGetValue(name.Trim(), out kind);

    private static string ToKebab(FaultKind kind)
    {
        // "ETag" reads as one word; the generic split would give "e-tag".
        var text = kind.ToString().Replace("ETag", "Etag", StringComparison.Ordinal);
        var builder = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
