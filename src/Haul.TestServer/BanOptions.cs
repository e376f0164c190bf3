namespace Haul.TestServer;

/// <summary>Rate-limit ban: more than <paramref name="RequestsPerSecond"/> requests in one second bans every client for <paramref name="Duration"/>.</summary>
/// <param name="RequestsPerSecond">Requests allowed in any one-second window.</param>
/// <param name="Duration">How long the ban lasts once triggered.</param>
public sealed record BanOptions(int RequestsPerSecond, TimeSpan Duration);
