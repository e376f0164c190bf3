using Haul.TestServer;
using Microsoft.Data.Sqlite;

namespace Haul.Cli.Tests;

/// <summary>
/// <c>haul demo</c> on a folder of its own deletes only what it wrote there: a file put inside its host folder, a file
/// of its changed since, or a download another haul added to its job makes it refuse, deleting nothing.
/// </summary>
public sealed class DemoFolderReuseTests
{
    private static readonly TimeSpan DemoTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Demo_refuses_its_folder_with_a_user_file_inside_or_a_demo_file_changed_and_replaces_it_once_they_are_gone()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("d1");
        var first = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());
        var filesFolder = Path.Combine(Assert.Single(Directory.GetDirectories(output, "127.0.0.1_*")), "files");

        // A file of the user's inside the demo's host folder, with an extension the demo uses.
        var notes = Path.Combine(filesFolder, "notes.jpg");
        await File.WriteAllTextAsync(notes, "mine\n");
        var before = await DemoFolderTests.SnapshotAsync(output);

        var withNotes = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);

        Assert.True(withNotes.ExitCode == 2, withNotes.ToString());
        Support.AssertNoStackTrace(withNotes);
        var line = Assert.Single(withNotes.StderrLines);
        Assert.Contains(output, line, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(Path.GetFileName(Path.GetDirectoryName(filesFolder))!, "files", "notes.jpg"), line, StringComparison.Ordinal);
        Assert.Contains("--output", line, StringComparison.Ordinal);
        Assert.Equal(before, await DemoFolderTests.SnapshotAsync(output));
        Assert.Equal("mine\n", await File.ReadAllTextAsync(notes));
        File.Delete(notes);

        // A file the demo wrote, changed since: no longer the demo's to delete.
        var changed = Directory.GetFiles(filesFolder).Order(StringComparer.Ordinal).First();
        var original = await File.ReadAllBytesAsync(changed);
        await File.AppendAllTextAsync(changed, "edited");
        before = await DemoFolderTests.SnapshotAsync(output);

        var withChange = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);

        Assert.True(withChange.ExitCode == 2, withChange.ToString());
        Assert.Contains("changed since the demo wrote it", Assert.Single(withChange.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, await DemoFolderTests.SnapshotAsync(output));

        // As the demo left it, the folder is the demo's again and is replaced.
        await File.WriteAllBytesAsync(changed, original);
        var again = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);

        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("verified: 7 of 7 files", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(7, Support.DownloadedFiles(output).Length);
    }

    [Fact]
    public async Task Demo_refuses_its_folder_after_a_get_of_a_local_server_added_to_its_job_and_keeps_that_file()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("d1");
        var first = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());

        // A server of the user's on 127.0.0.1, downloaded from into the demo's folder: the get joins the demo's job.
        await using var server = await HostileServer.StartAsync(Support.SmallFileSet(files: 1));
        var url = Assert.Single(server.FileUrls);
        var get = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", url.AbsoluteUri]);
        Assert.True(get.ExitCode == 0, get.ToString());
        await Support.AssertFileMatchesServerAsync(server, output, url);
        var before = await DemoFolderTests.SnapshotAsync(output);

        var demo = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);

        Assert.True(demo.ExitCode == 2, demo.ToString());
        Support.AssertNoStackTrace(demo);
        var line = Assert.Single(demo.StderrLines);
        Assert.Contains(output, line, StringComparison.Ordinal);
        Assert.Contains(url.AbsoluteUri, line, StringComparison.Ordinal);
        Assert.Contains("--output", line, StringComparison.Ordinal);
        Assert.Equal(before, await DemoFolderTests.SnapshotAsync(output));
        await Support.AssertFileMatchesServerAsync(server, output, url);
    }

    [Fact]
    public async Task Demo_refuses_its_folder_after_a_get_named_one_of_its_own_urls_again()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("d1");
        var first = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());

        // The demo's server is gone; whoever serves its port now, an item a later run named is no longer the demo's alone.
        var url = (await Support.ReadJournalAsync(output))[0].Url;
        var get = await HaulProcess.RunAsync(folder.Path, ["get", "-o", output, "--no-progress", "-t", "1", url]);
        Assert.True(get.ExitCode is 0 or 1, get.ToString());
        var before = await DemoFolderTests.SnapshotAsync(output);

        var demo = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);

        Assert.True(demo.ExitCode == 2, demo.ToString());
        var line = Assert.Single(demo.StderrLines);
        Assert.Contains(url, line, StringComparison.Ordinal);
        Assert.Contains("own run did not add", line, StringComparison.Ordinal);
        Assert.Equal(before, await DemoFolderTests.SnapshotAsync(output));
    }

    [Fact]
    public async Task Demo_replaces_its_folder_after_a_stop_between_placing_a_file_and_recording_it_done_unless_that_file_changed()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("d1");
        var first = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());

        // Stopped after the verified file was staged (its size and SHA-256 recorded) and renamed into place, before the
        // item was recorded done: the file is there, the item still in progress.
        var item = (await Support.ReadJournalAsync(output))[0];
        await ExecuteAsync(output, "UPDATE items SET state = 1, file_modified = NULL WHERE url = $url;", item.Url);
        var placed = Path.Combine(output, item.OutputPath!);
        Assert.True(File.Exists(placed), placed);

        // Changed since it was placed, it is no longer the demo's to delete.
        var original = await File.ReadAllBytesAsync(placed);
        await File.AppendAllTextAsync(placed, "edited");
        var before = await DemoFolderTests.SnapshotAsync(output);
        var changed = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(changed.ExitCode == 2, changed.ToString());
        Assert.Contains("changed since the demo wrote it", Assert.Single(changed.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, await DemoFolderTests.SnapshotAsync(output));

        // As the demo placed it, it is the demo's own, and the folder is replaced.
        await File.WriteAllBytesAsync(placed, original);
        var again = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);

        Assert.True(again.ExitCode == 0, again.ToString());
        Support.AssertNoStackTrace(again);
        Assert.Contains("verified: 7 of 7 files", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(7, Support.DownloadedFiles(output).Length);
    }

    [Fact]
    public async Task Demo_refuses_its_folder_after_a_get_whose_lines_were_all_skipped_rewrote_its_reports()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("d1");
        var first = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());

        // A get in the demo's folder that added no item: its skipped line and its reports are its own.
        var list = folder.Combine("urls.txt");
        await File.WriteAllTextAsync(list, "not a url\n");
        var get = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", output, "--no-progress"]);
        Assert.True(get.ExitCode is 1 or 2, get.ToString());
        var before = await DemoFolderTests.SnapshotAsync(output);

        var demo = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);

        Assert.True(demo.ExitCode == 2, demo.ToString());
        Support.AssertNoStackTrace(demo);
        var line = Assert.Single(demo.StderrLines);
        Assert.Contains(output, line, StringComparison.Ordinal);
        Assert.Contains("is not the one the demo wrote", line, StringComparison.Ordinal);
        Assert.Equal(before, await DemoFolderTests.SnapshotAsync(output));
    }

    [Fact]
    public async Task Demo_does_not_take_a_get_jobs_folder_for_its_own_because_of_a_planted_marker()
    {
        using var folder = new TestFolder();
        var demoFolder = folder.Combine("d1");
        var first = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", demoFolder, "--files", "0", "--no-progress"], timeout: DemoTimeout);
        Assert.True(first.ExitCode is 0 or 1, first.ToString());

        // A real get job whose every line was skipped: no item, no file, only its journal and its reports.
        var job = folder.Combine("job");
        var list = folder.Combine("urls.txt");
        await File.WriteAllTextAsync(list, "not a url\n");
        var get = await HaulProcess.RunAsync(folder.Path, ["get", "-i", list, "-o", job, "--no-progress"]);
        Assert.True(get.ExitCode is 1 or 2, get.ToString());
        Assert.True(File.Exists(Path.Combine(job, "report.json")), get.ToString());

        // The demo's marker, copied into the job's state folder.
        File.Copy(Path.Combine(demoFolder, ".haul", "demo"), Path.Combine(job, ".haul", "demo"));
        var before = await DemoFolderTests.SnapshotAsync(job);

        var demo = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", job, "--files", "5", "--no-progress"], timeout: DemoTimeout);

        Assert.True(demo.ExitCode == 2, demo.ToString());
        Support.AssertNoStackTrace(demo);
        Assert.Contains(job, Assert.Single(demo.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, await DemoFolderTests.SnapshotAsync(job));
    }

    [Fact]
    public async Task Demo_refuses_its_folder_with_a_file_of_the_users_in_its_state_folder_or_a_report_replaced()
    {
        using var folder = new TestFolder();
        var output = folder.Combine("d1");
        var first = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(first.ExitCode == 0, first.ToString());

        var notes = Path.Combine(output, ".haul", "notes.txt");
        await File.WriteAllTextAsync(notes, "mine\n");
        var before = await DemoFolderTests.SnapshotAsync(output);
        var withNotes = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(withNotes.ExitCode == 2, withNotes.ToString());
        Assert.Contains(Path.Combine(".haul", "notes.txt"), Assert.Single(withNotes.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, await DemoFolderTests.SnapshotAsync(output));
        File.Delete(notes);

        var report = Path.Combine(output, "report.json");
        var original = await File.ReadAllBytesAsync(report);
        await File.WriteAllTextAsync(report, "{\"mine\": true}\n");
        before = await DemoFolderTests.SnapshotAsync(output);
        var withReport = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(withReport.ExitCode == 2, withReport.ToString());
        Assert.Contains("'report.json' is not the one the demo wrote", Assert.Single(withReport.StderrLines), StringComparison.Ordinal);
        Assert.Equal(before, await DemoFolderTests.SnapshotAsync(output));

        // The demo's own report back, the folder is the demo's again; a haul verify of it changes nothing there.
        await File.WriteAllBytesAsync(report, original);
        var verify = await HaulProcess.RunAsync(folder.Path, ["verify", output]);
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var again = await HaulProcess.RunAsync(folder.Path, ["demo", "-o", output, "--files", "5", "--no-progress"], timeout: DemoTimeout);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("verified: 7 of 7 files", again.Stdout, StringComparison.Ordinal);
    }

    private static async Task ExecuteAsync(string output, string sql, string url)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(output, ".haul", "journal.db"),
            Pooling = false,
        }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$url", url);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }
}
