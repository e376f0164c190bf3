using System.Globalization;
using System.IO.Compression;
using Haul.Text;

namespace Haul.Tests.Text;

// Every code point through the normaliser is seconds of CPU: it runs with the heavy tests, not beside timing-sensitive ones.
[Collection(NetworkTests.Name)]
public sealed class NfcTests
{
    // Unicode's conformance data (NormalizationTest.txt of the same version as the tables), shipped with the tests so
    // they need nothing installed. Refreshed as eng/GenerateNfcData.cs describes.
    private const string ConformanceResource = "NormalizationTest.txt.gz";

    [Fact]
    public void Normalize_EveryConformanceLine_MeetsTheNfcInvariants()
    {
        var (version, lines) = ReadConformanceData();
        var failures = new List<string>();
        foreach (var (number, _, c) in lines)
        {
            // c2 == NFC(c1) == NFC(c2) == NFC(c3) and c4 == NFC(c4) == NFC(c5).
            foreach (var (source, expected) in new[] { (0, 1), (1, 1), (2, 1), (3, 3), (4, 3) })
            {
                var actual = Nfc.Normalize(c[source]);
                if (actual != c[expected])
                {
                    failures.Add($"line {number}: NFC(c{source + 1} {Hex(c[source])}) = {Hex(actual)}, expected {Hex(c[expected])}");
                }
            }
        }

        Assert.Equal(NfcData.UnicodeVersion, version);
        Assert.True(lines.Count > 18_000, $"only {lines.Count} conformance lines were read");
        Assert.True(failures.Count == 0, $"{failures.Count} failures:\n" + string.Join('\n', failures.Take(20)));
    }

    [Fact]
    public void Normalize_EveryCodePointNotListedInPart1_IsItsOwnNfc()
    {
        var listed = ReadConformanceData().Lines
            .Where(l => l.Part == 1)
            .Select(l => char.ConvertToUtf32(l.Columns[0], 0))
            .ToHashSet();
        var failures = new List<string>();
        for (var cp = 0; cp <= 0x10FFFF; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF || listed.Contains(cp))
            {
                continue;
            }

            var text = char.ConvertFromUtf32(cp);
            if (Nfc.Normalize(text) != text)
            {
                failures.Add(Hex(text));
            }
        }

        Assert.True(listed.Count > 17_000, $"only {listed.Count} code points in part 1");
        Assert.True(failures.Count == 0, $"{failures.Count} changed: " + string.Join(", ", failures.Take(20)));
    }

    [Theory]
    [InlineData("e\u0301", "\u00E9")] // e + combining acute composes
    [InlineData("caf\u00E9", "caf\u00E9")]
    [InlineData("\u1112\u1161\u11AB", "\uD55C")] // Hangul L + V + T composes to one syllable
    [InlineData("\uD558\u11AB", "\uD55C")] // Hangul LV syllable + T
    [InlineData("\u1112\u1161", "\uD558")] // Hangul L + V
    [InlineData("\u0958", "\u0915\u093C")] // a composition exclusion decomposes and stays decomposed
    [InlineData("\u0915\u093C", "\u0915\u093C")]
    [InlineData("\u212B", "\u00C5")] // singleton: ANGSTROM SIGN becomes A WITH RING ABOVE
    [InlineData("\u2126", "\u03A9")] // singleton: OHM SIGN becomes GREEK CAPITAL OMEGA
    [InlineData("a\u0302\u0323", "\u1EAD")] // marks reordered (dot below, class 220, first), then composed
    [InlineData("a\u0323\u0302", "\u1EAD")]
    [InlineData("x\u0301\u0323", "x\u0323\u0301")] // reordered, nothing to compose with
    [InlineData("a\u0301\u0301", "\u00E1\u0301")] // the second acute is blocked by the first (same class)
    [InlineData("a\u0308\u0304", "\u01DF")] // composes twice: a + diaeresis, then that + macron
    [InlineData("\u01DF", "\u01DF")]
    [InlineData("\u0344", "\u0308\u0301")] // a non-starter decomposition is excluded from composition
    public void Normalize_ReadableCases(string text, string expected) =>
        Assert.Equal(Hex(expected), Hex(Nfc.Normalize(text)));

    [Fact]
    public void Normalize_SupplementaryCharacters_ComposeAndDecomposeAsPairs()
    {
        // KAITHI LETTER BA + KAITHI SIGN NUKTA compose to KAITHI LETTER BBA, all outside the BMP.
        var kaithi = char.ConvertFromUtf32(0x11099) + char.ConvertFromUtf32(0x110BA);
        Assert.Equal(char.ConvertFromUtf32(0x1109A), Nfc.Normalize(kaithi));

        // MUSICAL SYMBOL HALF NOTE is excluded: it decomposes to two supplementary code points.
        var halfNote = char.ConvertFromUtf32(0x1D15E);
        Assert.Equal(char.ConvertFromUtf32(0x1D157) + char.ConvertFromUtf32(0x1D165), Nfc.Normalize(halfNote));
    }

    [Fact]
    public void Normalize_LoneSurrogates_PassThroughUnchanged()
    {
        // A Fact, not a Theory: test-case names cannot carry lone surrogates, so theory cases would collide.
        var cases = new (string Text, string Expected)[]
        {
            ("a\uD800b", "a\uD800b"), // lone high surrogate
            ("a\uDC00b", "a\uDC00b"), // lone low surrogate
            ("\uDC00\uD800", "\uDC00\uD800"), // a reversed pair
            ("e\u0301\uD800", "\u00E9\uD800"), // normalised around it
            ("\uD800\u0301", "\uD800\u0301"), // a lone surrogate composes with nothing
            ("e\uD800\u0301", "e\uD800\u0301"), // and blocks what follows from composing with what precedes
        };

        Assert.All(cases, c => Assert.Equal(Hex(c.Expected), Hex(Nfc.Normalize(c.Text))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain-ascii_name.jpg")]
    [InlineData("caf\u00E9 na\u00EFve \u00C5ngstr\u00F6m")] // below U+0300
    [InlineData("\uD55C\uAD6D\uC5B4 \u65E5\u672C\u8A9E")] // NFC by the quick check
    [InlineData("\u0915\u093C \u1100\u1100")] // NFC after the quick check said maybe
    [InlineData("\U0001F600 \U00020000")]
    public void Normalize_TextAlreadyNfc_ReturnsTheSameInstance(string text) =>
        Assert.Same(text, Nfc.Normalize(text));

    [Fact]
    public void Normalize_ChangeAfterANormalisedPrefix_KeepsThePrefix()
    {
        var text = "\u65E5\u672C/caf" + "e\u0301" + "/x";

        Assert.Equal("\u65E5\u672C/caf\u00E9/x", Nfc.Normalize(text));
    }

    private static string Hex(string text) =>
        string.Join(' ', EnumerateCodeUnitsOrPoints(text).Select(v => v.ToString("X4", CultureInfo.InvariantCulture)));

    // Code points, with a lone surrogate shown as its code unit.
    private static IEnumerable<int> EnumerateCodeUnitsOrPoints(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                yield return char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }
            else
            {
                yield return text[i];
            }
        }
    }

    private static (string Version, List<ConformanceLine> Lines) ReadConformanceData()
    {
        using var resource = typeof(NfcTests).Assembly.GetManifestResourceStream(ConformanceResource)
            ?? throw new InvalidOperationException($"The resource {ConformanceResource} is missing.");
        using var reader = new StreamReader(new GZipStream(resource, CompressionMode.Decompress));
        var version = string.Empty;
        var lines = new List<ConformanceLine>();
        var part = -1;
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.StartsWith("# NormalizationTest-", StringComparison.Ordinal))
            {
                version = line["# NormalizationTest-".Length..].Replace(".txt", "", StringComparison.Ordinal);
            }
            else if (line.StartsWith("@Part", StringComparison.Ordinal))
            {
                part = line["@Part".Length] - '0';
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                var columns = line.Split(';').Take(5).Select(Decode).ToArray();
                lines.Add(new ConformanceLine(number, part, columns));
            }
        }

        return (version, lines);
    }

    private static string Decode(string codePoints) => string.Concat(codePoints
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .Select(h => char.ConvertFromUtf32(int.Parse(h, NumberStyles.HexNumber, CultureInfo.InvariantCulture))));

    private sealed record ConformanceLine(int Number, int Part, string[] Columns);
}
