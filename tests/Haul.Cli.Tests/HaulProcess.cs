using System.Diagnostics;
using System.Text;

namespace Haul.Cli.Tests;

/// <summary>The outcome of one finished <c>haul</c> process.</summary>
internal sealed record HaulResult(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the built <c>Haul.Cli.dll</c> as a real child process through the dotnet host.</summary>
internal sealed class HaulProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stdout;
    private readonly Task<string> _stderr;

    private HaulProcess(Process process)
    {
        _process = process;
        _stdout = process.StandardOutput.ReadToEndAsync();
        _stderr = process.StandardError.ReadToEndAsync();
    }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id, to read its counters under /proc.</summary>
    public int Id => _process.Id;

    /// <summary>Starts <c>haul ARGS</c> in <paramref name="workingDirectory"/>; standard input gets <paramref name="stdin"/>, then end of file.</summary>
    /// <remarks>
    /// With a <c>launcher</c> (a command line that ends by running its trailing arguments), haul runs through it;
    /// <paramref name="environment"/> adds to or replaces variables of its environment (e.g. <c>TMPDIR</c>).
    /// </remarks>
    public static async Task<HaulProcess> StartAsync(
        string workingDirectory, IEnumerable<string> args, string? stdin = null, IReadOnlyList<string>? launcher = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        host = string.IsNullOrEmpty(host) ? "dotnet" : host;
        var start = new ProcessStartInfo(launcher is null ? host : launcher[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (launcher is not null)
        {
            foreach (var word in launcher.Skip(1))
            {
                start.ArgumentList.Add(word);
            }

            start.ArgumentList.Add(host);
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Haul.Cli.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("the dotnet host did not start");
        var running = new HaulProcess(process);
        try
        {
            if (stdin is not null)
            {
                await process.StandardInput.WriteAsync(stdin);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process exited before reading its input; its exit code and output tell why.
        }

        return running;
    }

    /// <summary>Runs <c>haul ARGS</c> to its end; kills it and fails the test when it takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<HaulResult> RunAsync(
        string workingDirectory, IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null, IReadOnlyList<string>? launcher = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        await using var process = await StartAsync(workingDirectory, args, stdin, launcher, environment);
        return await process.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits for the exit; on timeout kills the process tree and fails.</summary>
    public async Task<HaulResult> WaitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync();
            var partial = new HaulResult(-1, await _stdout, await _stderr);
            Assert.Fail($"haul did not exit within {timeout.TotalSeconds} s and was killed.\n{partial}");
        }

        return new HaulResult(_process.ExitCode, await _stdout, await _stderr);
    }

    /// <summary>SIGKILL on Linux: no handler, no cleanup, no flush.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>Kills the process and waits until it is gone and its output is drained.</summary>
    public async Task<HaulResult> KillAsync()
    {
        Kill();
        return await WaitAsync(TimeSpan.FromSeconds(15));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
