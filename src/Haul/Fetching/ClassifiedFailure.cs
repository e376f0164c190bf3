namespace Haul.Fetching;

/// <summary>What <see cref="FailureClassifier"/> made of an exception.</summary>
/// <param name="Reason">The reason.</param>
/// <param name="Detail">Why, in a few words, when the reason alone does not say it (e.g. <c>certificate expired</c>); else null.</param>
/// <param name="DuringHandshake">
/// The connection broke during its TLS handshake. A handshake only happens on a new connection, so a reset there is
/// never the stale keep-alive race.
/// </param>
internal readonly record struct ClassifiedFailure(FailureReason Reason, string? Detail = null, bool DuringHandshake = false)
{
    /// <summary>A <see cref="FailureReason.ProxyFailed"/> because the proxy refused the credentials or asked for some.</summary>
    public bool ProxyAuthentication { get; init; }
}
