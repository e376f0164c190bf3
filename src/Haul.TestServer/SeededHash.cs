namespace Haul.TestServer;

/// <summary>Deterministic hashing (SplitMix64 based), stable across runs, processes and platforms.</summary>
internal static class SeededHash
{
    public const ulong Golden = 0x9E3779B97F4A7C15UL;

    public static ulong Mix(ulong x)
    {
        x += Golden;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    public static ulong Combine(ulong a, ulong b) => Mix(a ^ Mix(b ^ 0x5851F42D4C957F2DUL));

    public static ulong Combine(ulong a, ulong b, ulong c) => Combine(Combine(a, b), c);

    public static ulong Combine(ulong a, ulong b, ulong c, ulong d) => Combine(Combine(a, b, c), d);

    // string.GetHashCode is randomised per process, so paths are hashed with FNV-1a instead.
    public static ulong OfString(string text)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 0x100000001B3UL;
        }

        return Mix(hash);
    }

    /// <summary>Maps a hash to a double in [0, 1).</summary>
    public static double ToUnit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));
}
