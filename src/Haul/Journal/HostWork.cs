namespace Haul.Journal;

/// <summary>A host with unfinished items, as the journal knows it.</summary>
/// <param name="Host">The host key (<see cref="Input.UrlNormalizer.HostKey"/>).</param>
/// <param name="NotBefore">Unix milliseconds before which nothing of the host may start (a pause); 0 for none.</param>
/// <param name="Reason">Why it is paused, e.g. <c>too-many-requests</c>.</param>
public sealed record HostWork(string Host, long NotBefore, string? Reason);
