using Haul.Writing;

namespace Haul.Tests.Writing;

/// <summary>What <see cref="SafeFileSystem.Inspect"/> says a path names, without following a link at its end.</summary>
public sealed class SafeFileSystemTests
{
    [Fact]
    public void Inspect_NamesEachKindOfEntry_AndALinkAsALinkWhereverItPoints()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "file");
        File.WriteAllText(file, "x");
        var dir = Directory.CreateDirectory(Path.Combine(folder.Path, "dir")).FullName;
        var linkToFile = Path.Combine(folder.Path, "link-to-file");
        File.CreateSymbolicLink(linkToFile, file);
        var linkToDir = Path.Combine(folder.Path, "link-to-dir");
        Directory.CreateSymbolicLink(linkToDir, dir);
        var dangling = Path.Combine(folder.Path, "dangling");
        File.CreateSymbolicLink(dangling, Path.Combine(folder.Path, "nowhere"));

        Assert.Equal(EntryKind.File, SafeFileSystem.Inspect(file));
        Assert.Equal(EntryKind.Directory, SafeFileSystem.Inspect(dir));
        Assert.Equal(EntryKind.SymbolicLink, SafeFileSystem.Inspect(linkToFile));
        Assert.Equal(EntryKind.SymbolicLink, SafeFileSystem.Inspect(linkToDir));
        Assert.Equal(EntryKind.SymbolicLink, SafeFileSystem.Inspect(dangling));
    }

    [Fact]
    public void Inspect_AMissingPath_IsNone_UnderAMissingFolderOrAFileToo()
    {
        using var folder = new TempFolder();
        var file = Path.Combine(folder.Path, "file");
        File.WriteAllText(file, "x");

        Assert.Equal(EntryKind.None, SafeFileSystem.Inspect(Path.Combine(folder.Path, "missing")));
        Assert.Equal(EntryKind.None, SafeFileSystem.Inspect(Path.Combine(folder.Path, "no-folder", "missing")));
        Assert.Equal(EntryKind.None, SafeFileSystem.Inspect(Path.Combine(file, "under-a-file")));
    }

    [Fact]
    public void Inspect_APathThroughALoopOfLinks_IsInaccessible()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var folder = new TempFolder();
        var loop = Path.Combine(folder.Path, "loop");
        File.CreateSymbolicLink(loop, loop);

        // The last component is the link itself: not followed, so it is a link.
        Assert.Equal(EntryKind.SymbolicLink, SafeFileSystem.Inspect(loop));

        // A folder level that is the loop cannot be resolved (ELOOP): nothing may be written through it.
        Assert.Equal(EntryKind.Inaccessible, SafeFileSystem.Inspect(Path.Combine(loop, "file")));
    }

    [Fact]
    public void The_file_systems_root_as_output_folder_holds_its_own_paths_and_still_refuses_a_link_on_the_way()
    {
        using var folder = new TempFolder();
        var real = Directory.CreateDirectory(Path.Combine(folder.Path, "real")).FullName;
        var link = Path.Combine(folder.Path, "link");
        Directory.CreateSymbolicLink(link, real);
        var root = new SafeFileSystem("/");

        Assert.Equal(Path.GetFullPath(real).TrimStart('/') + "/x.jpg", root.Relative(Path.Combine(real, "x.jpg")));
        root.CheckParentFolders(Path.Combine(real, "x.jpg"));
        Assert.Throws<UnsafePathException>(() => root.CheckParentFolders(Path.Combine(link, "x.jpg")));
    }
}
