using System.Globalization;
using Haul.Scheduling;

namespace Haul.Cli.Terminal;

/// <summary>How a host's state and push-back read on screen: "slowed to 12.5 req/s", "banned, 8.2 s left", "429 ×5".</summary>
internal static class HostStateText
{
    /// <summary>The host's state now, plain text.</summary>
    public static string State(HostSnapshot host) => host.Mode switch
    {
        HostMode.Banned => string.Create(CultureInfo.InvariantCulture, $"banned, waiting {Seconds(host.PausedFor)}"),
        HostMode.Paused => string.Create(CultureInfo.InvariantCulture, $"paused {Seconds(host.PausedFor)} ({host.PauseReason})"),
        HostMode.Probing => "probing after a ban",
        HostMode.Slowed => string.Create(CultureInfo.InvariantCulture, $"slowed to {host.RateLimit:0.#} req/s"),
        _ => host.Active + host.Queued > 0 ? "running" : "finished",
    };

    /// <summary>The push-back the host showed, e.g. <c>429 ×5, 503 ×2, ban ×1</c>; empty for none.</summary>
    public static string Events(HostEvents events)
    {
        var parts = new List<string>();
        Add(parts, "429", events.Throttled);
        Add(parts, "503", events.Unavailable);
        Add(parts, "reset", events.Refused);
        Add(parts, "ban", events.Bans);
        Add(parts, "stall", events.Stalls);
        return string.Join(", ", parts);
    }

    private static void Add(List<string> parts, string name, int count)
    {
        if (count > 0)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"{name} ×{count}"));
        }
    }

    private static string Seconds(TimeSpan? span) => string.Create(CultureInfo.InvariantCulture, $"{(span ?? TimeSpan.Zero).TotalSeconds:0.0} s");
}
