using Haul.Fetching;
using Haul.Writing;
using Microsoft.Extensions.Logging;

namespace Haul.Engine;

/// <summary>
/// What is already at an item's final path before its first request: the file an earlier run staged (adopted), a file
/// <see cref="ExistingFilePolicy.Skip"/> trusts, or something in the way that fails the item.
/// </summary>
internal sealed class ExistingFileCheck
{
    private readonly SafeFileSystem _fileSystem;
    private readonly ExistingFilePolicy _policy;
    private readonly ILogger _logger;

    public ExistingFileCheck(SafeFileSystem fileSystem, ExistingFilePolicy policy, ILogger logger)
    {
        _fileSystem = fileSystem;
        _policy = policy;
        _logger = logger;
    }

    /// <summary>
    /// Settles an item by what is already at its final path, before any request: a file matching the record staged
    /// by an earlier run (a crash between the rename and the journal's commit) is adopted; with
    /// <see cref="ExistingFilePolicy.Skip"/> any regular file is trusted (a given SHA-256 is still checked); a link or
    /// a file on the way fails the item. Anything else is fetched, and <see cref="FilePlacer"/> decides at the end.
    /// </summary>
    public async Task<AttemptOutcome?> CheckAsync(FetchTarget target, CancellationToken cancellationToken)
    {
        try
        {
            _fileSystem.CheckParentFolders(target.FinalPath);
            var kind = SafeFileSystem.Inspect(target.FinalPath);
            if (kind is EntryKind.SymbolicLink or EntryKind.Directory or EntryKind.Inaccessible)
            {
                return new AttemptOutcome { Reason = FailureReason.UnsafePath, Detail = UnsafePathException.Found(_fileSystem.Relative(target.FinalPath), kind).Message };
            }

            if (kind != EntryKind.File)
            {
                return null;
            }

            var staged = target.StagedSha256 is not null && new FileInfo(target.FinalPath).Length == target.StagedBytes;
            if (!staged && _policy != ExistingFilePolicy.Skip)
            {
                return null;
            }

            var sha256 = await FilePlacer.HashAsync(target.FinalPath, cancellationToken).ConfigureAwait(false);
            if (target.ExpectedSha256 is not null && !string.Equals(sha256, target.ExpectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            var matchesStaged = string.Equals(sha256, target.StagedSha256, StringComparison.OrdinalIgnoreCase);
            if (!matchesStaged && _policy != ExistingFilePolicy.Skip)
            {
                return null;
            }

            Log.ExistingKept(_logger, target.Url, target.FinalPath, matchesStaged ? "it matches what an earlier run verified" : "--skip-existing");
            return new AttemptOutcome
            {
                Reason = FailureReason.None,
                FileSize = new FileInfo(target.FinalPath).Length,
                Sha256 = sha256,
                FileModified = FilePlacer.ModifiedTicks(target.FinalPath),
            };
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            var (reason, detail, _) = FailureClassifier.ClassifyWrite(exception);
            return new AttemptOutcome { Reason = reason, Detail = detail };
        }
    }
}
