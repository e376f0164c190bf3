namespace Haul.Discovery;

/// <summary>
/// One candidate of a <c>srcset</c>: its URL as written (not resolved), and its width (<c>w</c>) or density (<c>x</c>)
/// descriptor; a candidate with neither is <c>1x</c>. The <c>h</c> descriptor is parsed and kept.
/// </summary>
internal readonly record struct SrcsetCandidate(string Url, int? Width, double? Density, int? Height)
{
    /// <summary>The density to compare by: the <c>x</c> descriptor, else 1.</summary>
    public double EffectiveDensity => Density ?? 1;
}
