namespace Haul.Scheduling;

/// <summary>The names of <see cref="HostMode"/> values in reports and on screen.</summary>
public static class HostModes
{
    /// <summary>The lower-case name, e.g. <c>slowed</c> or <c>banned</c>.</summary>
    public static string ToName(HostMode mode) => mode switch
    {
        HostMode.Running => "running",
        HostMode.Slowed => "slowed",
        HostMode.Paused => "paused",
        HostMode.Banned => "banned",
        HostMode.Probing => "probing",
        _ => mode.ToString().ToLowerInvariant(),
    };
}
