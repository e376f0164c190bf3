using System.Runtime.InteropServices;
using System.Text;

namespace Haul.Text;

/// <summary>
/// Unicode Normalization Form C (UAX #15) with Haul's own tables (<see cref="NfcData"/>), so it needs no ICU:
/// <c>string.Normalize</c> silently returns its input under invariant globalization, which
/// Haul builds with and an app hosting the library may run with.
/// </summary>
internal static class Nfc
{
    // Hangul syllables decompose and compose by arithmetic (The Unicode Standard, section 3.12), not by table.
    private const int SBase = 0xAC00;
    private const int LBase = 0x1100;
    private const int VBase = 0x1161;
    private const int TBase = 0x11A7;
    private const int LCount = 19;
    private const int VCount = 21;
    private const int TCount = 28;
    private const int NCount = VCount * TCount;
    private const int SCount = LCount * NCount;

    // While normalising, a code point travels with its canonical combining class: class << 21 | code point.
    private const int ClassShift = 21;
    private const int CodePointMask = (1 << ClassShift) - 1;

    // Below U+0300 every code point is a starter that is already NFC (the generator checks this).
    private const char FirstToCheck = '\u0300';

    /// <summary>
    /// The NFC form of <paramref name="text"/>; the same instance when it is NFC already. Ill-formed UTF-16 (a lone
    /// surrogate) passes through unchanged and acts as a starter that composes with nothing.
    /// </summary>
    public static string Normalize(string text)
    {
        var start = UnnormalizedStart(text);
        if (start < 0)
        {
            return text;
        }

        // Decomposition: every code point fully (recursively) decomposed, non-starters put in canonical order.
        var buffer = new List<int>(text.Length - start + 8);
        for (var i = start; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }

            Decompose(cp, buffer);
        }

        var composed = CollectionsMarshal.AsSpan(buffer)[..Compose(CollectionsMarshal.AsSpan(buffer))];
        var result = new StringBuilder(text.Length);
        result.Append(text, 0, start);
        foreach (var packed in composed)
        {
            var cp = packed & CodePointMask;
            if (cp > 0xFFFF)
            {
                result.Append((char)(0xD800 + ((cp - 0x10000) >> 10))).Append((char)(0xDC00 + (cp & 0x3FF)));
            }
            else
            {
                result.Append((char)cp);
            }
        }

        // The quick check's "maybe" may still turn out to be NFC: keep the caller's instance then.
        return result.Equals(text.AsSpan()) ? text : result.ToString();
    }

    /// <summary>
    /// The NFC quick check (UAX #15, section 9): -1 when <paramref name="text"/> is NFC, else the index from which it
    /// must be normalised. That is the last starter with NFC_Quick_Check=Yes before the first doubtful code point:
    /// nothing before such a starter reorders or composes with anything from it on, so the prefix stays as it is.
    /// </summary>
    private static int UnnormalizedStart(string text)
    {
        var safe = 0;
        var lastClass = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < FirstToCheck)
            {
                safe = i;
                lastClass = 0;
                continue;
            }

            var index = i;
            int cp = c;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cp = char.ConvertToUtf32(c, text[i + 1]);
                i++;
            }

            var combiningClass = CombiningClass(cp);
            if ((combiningClass != 0 && lastClass > combiningClass) || IsQuickCheckNoOrMaybe(cp))
            {
                return safe;
            }

            if (combiningClass == 0)
            {
                safe = index;
            }

            lastClass = combiningClass;
        }

        return -1;
    }

    private static void Decompose(int cp, List<int> buffer)
    {
        var s = cp - SBase;
        if ((uint)s < SCount)
        {
            Append(LBase + (s / NCount), buffer);
            Append(VBase + (s % NCount / TCount), buffer);
            if (s % TCount != 0)
            {
                Append(TBase + (s % TCount), buffer);
            }

            return;
        }

        var i = NfcData.DecompositionSources.BinarySearch((uint)cp);
        if (i < 0)
        {
            Append(cp, buffer);
            return;
        }

        // A mapping is one or two code points, either of which may decompose again.
        Decompose((int)NfcData.DecompositionFirsts[i], buffer);
        if (NfcData.DecompositionSeconds[i] != 0)
        {
            Decompose((int)NfcData.DecompositionSeconds[i], buffer);
        }
    }

    /// <summary>
    /// Appends a fully decomposed code point. Canonical ordering as it goes: a non-starter moves back past the
    /// non-starters of a higher class (a stable sort: equal classes keep their order); a starter (class 0) is never passed.
    /// </summary>
    private static void Append(int cp, List<int> buffer)
    {
        var combiningClass = CombiningClass(cp);
        var packed = (combiningClass << ClassShift) | cp;
        buffer.Add(packed);
        if (combiningClass == 0)
        {
            return;
        }

        var span = CollectionsMarshal.AsSpan(buffer);
        var i = span.Length - 1;
        while (i > 0 && (span[i - 1] >> ClassShift) > combiningClass)
        {
            span[i] = span[i - 1];
            i--;
        }

        span[i] = packed;
    }

    /// <summary>
    /// Canonical composition (UAX #15, section 3.11), in place over decomposed, ordered code points; returns how many
    /// remain. Each code point is combined with the last starter if it is not blocked from it and the pair has a primary
    /// composite. It is blocked when a code point between them has class 0 or a class not lower than its own; as the
    /// non-starters kept after the starter are in canonical order, the last one kept has the highest class.
    /// </summary>
    private static int Compose(Span<int> buffer)
    {
        var starter = -1;
        var lastClass = 0;
        var kept = 0;
        for (var i = 0; i < buffer.Length; i++)
        {
            var packed = buffer[i];
            var combiningClass = packed >> ClassShift;
            if (starter >= 0 && (kept == starter + 1 || lastClass < combiningClass)
                && TryCompose(buffer[starter] & CodePointMask, packed & CodePointMask, out var composite))
            {
                // A primary composite is a starter (the generator checks this), so its packed form is the code point.
                buffer[starter] = composite;
                continue;
            }

            if (combiningClass == 0)
            {
                starter = kept;
            }

            lastClass = combiningClass;
            buffer[kept++] = packed;
        }

        return kept;
    }

    private static bool TryCompose(int first, int second, out int composite)
    {
        // Hangul: L + V gives an LV syllable, LV + T an LVT syllable.
        var l = first - LBase;
        var v = second - VBase;
        if ((uint)l < LCount && (uint)v < VCount)
        {
            composite = SBase + (((l * VCount) + v) * TCount);
            return true;
        }

        var s = first - SBase;
        var t = second - TBase;
        if ((uint)s < SCount && s % TCount == 0 && t > 0 && t < TCount)
        {
            composite = first + t;
            return true;
        }

        // Binary search of the primary composites, ordered by their (first, second) mapping.
        var indices = NfcData.CompositionIndices;
        var key = ((long)first << ClassShift) | (uint)second;
        var low = 0;
        var high = indices.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            int index = indices[middle];
            var probe = ((long)NfcData.DecompositionFirsts[index] << ClassShift) | NfcData.DecompositionSeconds[index];
            if (probe == key)
            {
                composite = (int)NfcData.DecompositionSources[index];
                return true;
            }

            if (probe < key)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        composite = 0;
        return false;
    }

    private static int CombiningClass(int cp)
    {
        if (cp < FirstToCheck)
        {
            return 0;
        }

        var run = FindRun(NfcData.CombiningClassStarts, NfcData.CombiningClassEnds, cp);
        return run < 0 ? 0 : NfcData.CombiningClasses[run];
    }

    private static bool IsQuickCheckNoOrMaybe(int cp) =>
        FindRun(NfcData.QuickCheckStarts, NfcData.QuickCheckEnds, cp) >= 0;

    /// <summary>The index of the run [starts[i], ends[i]] holding <paramref name="cp"/>, or -1.</summary>
    private static int FindRun(ReadOnlySpan<uint> starts, ReadOnlySpan<uint> ends, int cp)
    {
        var i = starts.BinarySearch((uint)cp);
        if (i < 0)
        {
            i = ~i - 1;
        }

        return i >= 0 && (uint)cp <= ends[i] ? i : -1;
    }
}
