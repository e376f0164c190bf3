using System.Text;
using Haul.Writing;

namespace Haul.Cli.Commands;

/// <summary>
/// The file <c>.haul/demo</c> that says <c>haul demo</c> made a folder, with the origins of the servers the demo
/// downloaded from (one <c>server ORIGIN</c> line each): the only URLs a demo's journal may hold; and, once its job
/// ended, the reports it wrote at the top of the folder (one <c>report NAME SHA256</c> line each): the only ones it
/// may delete.
/// </summary>
internal static class DemoMarker
{
    /// <summary>The marker's name inside <c>.haul/</c>.</summary>
    public const string Name = "demo";

    private const string Heading = "This folder was made by 'haul demo', which replaces it on every run.";
    private const string ServerPrefix = "server ";
    private const string ReportPrefix = "report ";

    /// <summary>
    /// Marks the state folder as a demo's, naming the servers the demo downloads from. Written like every file Haul
    /// writes in its folder: the state folder is created safely and the marker opened without following a link.
    /// </summary>
    /// <exception cref="UnsafePathException">The state folder or the marker is a link, or not what it should be.</exception>
    public static void Write(string stateFolder, IEnumerable<Uri> servers) => Write(stateFolder, servers.Select(Origin), []);

    /// <summary>Marks the state folder as a demo's, naming the servers' origins and the reports the demo wrote.</summary>
    /// <exception cref="UnsafePathException">The state folder or the marker is a link, or not what it should be.</exception>
    public static void Write(string stateFolder, IEnumerable<string> origins, IEnumerable<KeyValuePair<string, string>> reports)
    {
        new SafeFileSystem(Path.GetDirectoryName(stateFolder)!).CreateFolder(stateFolder);
        using var stream = NoFollowFile.Open(Path.Combine(stateFolder, Name), NoFollowFile.Mode.OpenOrCreate);
        stream.SetLength(0);
        using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        var lines = origins.Select(o => ServerPrefix + o).Distinct(StringComparer.Ordinal)
            .Concat(reports.Select(r => ReportPrefix + r.Key + " " + r.Value));
        foreach (var line in lines.Prepend(Heading))
        {
            writer.WriteLine(line);
        }
    }

    /// <summary>Whether the state folder holds a marker: a regular file in a real <c>.haul</c> folder, never through a link.</summary>
    public static bool IsMarked(string stateFolder)
    {
        var state = new DirectoryInfo(stateFolder);
        var marker = new FileInfo(Path.Combine(stateFolder, Name));
        return state.Exists && state.LinkTarget is null && marker.Exists && marker.LinkTarget is null;
    }

    /// <summary>The origins the marker names (none for a marker written before the demo's servers started).</summary>
    public static IReadOnlySet<string> ReadServers(string stateFolder) =>
        File.ReadLines(Path.Combine(stateFolder, Name))
            .Where(l => l.StartsWith(ServerPrefix, StringComparison.Ordinal))
            .Select(l => l[ServerPrefix.Length..])
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The SHA-256 of each report the demo wrote, by name (none before its job ended).</summary>
    public static IReadOnlyDictionary<string, string> ReadReports(string stateFolder) =>
        File.ReadLines(Path.Combine(stateFolder, Name))
            .Where(l => l.StartsWith(ReportPrefix, StringComparison.Ordinal))
            .Select(l => l[ReportPrefix.Length..].Split(' '))
            .Where(p => p.Length == 2)
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    /// <summary>The scheme, host and port of a URL, as the marker writes them.</summary>
    public static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);
}
