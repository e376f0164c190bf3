namespace Haul.Scheduling;

/// <summary>A host must be left alone until <paramref name="Until"/> (Unix milliseconds), for <paramref name="Reason"/>.</summary>
internal readonly record struct HostPause(long Until, string Reason);
