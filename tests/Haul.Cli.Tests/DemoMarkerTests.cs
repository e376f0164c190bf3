using Haul.Cli.Commands;

namespace Haul.Cli.Tests;

/// <summary>The demo's marker is written like every file Haul writes in its folder: never through a link.</summary>
public sealed class DemoMarkerTests
{
    [Fact]
    public async Task Recording_the_servers_through_a_link_planted_at_the_marker_refuses_and_leaves_the_target_untouched()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("demo");
        Directory.CreateDirectory(Path.Combine(output, ".haul"));
        var outsideFile = folder.Combine("outside.txt");
        await File.WriteAllTextAsync(outsideFile, "precious");
        File.CreateSymbolicLink(Path.Combine(output, ".haul", "demo"), outsideFile);

        var problem = DemoFolder.RecordServers(output, [new Uri("http://127.0.0.1:8080/")]);

        Assert.NotNull(problem);
        Assert.Contains(output, problem, StringComparison.Ordinal);
        Assert.Contains("symbolic link", problem, StringComparison.Ordinal);
        Assert.Equal("precious", await File.ReadAllTextAsync(outsideFile));
    }

    [Fact]
    public async Task Recording_the_servers_through_a_link_planted_at_the_state_folder_refuses_and_writes_nothing_there()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("demo");
        Directory.CreateDirectory(output);
        var outside = folder.Combine("outside");
        Directory.CreateDirectory(outside);
        await File.WriteAllTextAsync(Path.Combine(outside, "demo"), "precious");
        Directory.CreateSymbolicLink(Path.Combine(output, ".haul"), outside);

        var problem = DemoFolder.RecordServers(output, [new Uri("http://127.0.0.1:8080/")]);

        Assert.NotNull(problem);
        Assert.Contains("symbolic link", problem, StringComparison.Ordinal);
        Assert.Equal(["demo"], Directory.GetFileSystemEntries(outside).Select(Path.GetFileName));
        Assert.Equal("precious", await File.ReadAllTextAsync(Path.Combine(outside, "demo")));
    }

    [Fact]
    public async Task Recording_the_servers_in_a_real_folder_replaces_the_marker_with_their_origins()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("demo");
        var stateFolder = Path.Combine(output, ".haul");
        Directory.CreateDirectory(stateFolder);
        await File.WriteAllTextAsync(Path.Combine(stateFolder, "demo"), new string('x', 4096));

        Assert.Null(DemoFolder.RecordServers(output, [new Uri("http://127.0.0.1:8080/a/b"), new Uri("http://127.0.0.1:8080/c")]));

        Assert.True(DemoMarker.IsMarked(stateFolder));
        Assert.Equal(["http://127.0.0.1:8080"], DemoMarker.ReadServers(stateFolder));
        Assert.DoesNotContain("xxx", await File.ReadAllTextAsync(Path.Combine(stateFolder, "demo")), StringComparison.Ordinal);
    }
}
