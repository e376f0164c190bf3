using System.Collections.Concurrent;
using Haul.Fetching;
using Haul.Input;
using Haul.Scheduling;

namespace Haul.Engine;

/// <summary>Live counters of a running job, safe to read from another thread (the progress display polls them).</summary>
public sealed class JobProgress
{
    private readonly ConcurrentDictionary<FailureReason, int> _retries = new();
    private long _bytes;
    private int _total;
    private int _done;
    private int _failed;
    private int _skipped;
    private int _alreadyDone;
    private int _inputRequests;
    private int _inputSkipped;
    private int _pagesFound;
    private int _pagesDone;
    private int _imagesFound;
    private int _imagesDone;
    private int _hedges;
    private int _hedgesWon;
    private Func<IReadOnlyList<HostSnapshot>> _hosts = () => [];
    private Func<IReadOnlyList<HostSnapshot>> _pushedBack = () => [];

    /// <summary>Items in the job, skipped entries included.</summary>
    public int Total => Volatile.Read(ref _total);

    /// <summary>
    /// The job is shared with other workers (a shared journal): the counters are this worker's, and <see cref="Total"/>
    /// is what was left when it joined, of which the others do a share, so it is no measure of this worker's end.
    /// </summary>
    public bool Shared { get; internal set; }

    /// <summary>Items done, in this run or before it.</summary>
    public int Done => Volatile.Read(ref _done);

    /// <summary>Items done by an earlier run.</summary>
    public int AlreadyDone => Volatile.Read(ref _alreadyDone);

    /// <summary>Items failed.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>Entries skipped.</summary>
    public int Skipped => Volatile.Read(ref _skipped);

    /// <summary>Requests this run's input named (before duplicates were merged).</summary>
    public int InputRequests => Volatile.Read(ref _inputRequests);

    /// <summary>Entries of this run's input that were skipped, by the parser or by the journal.</summary>
    public int InputSkipped => Volatile.Read(ref _inputSkipped);

    /// <summary>Pages of a crawl known so far (found, or left by an earlier run).</summary>
    public int PagesFound => Volatile.Read(ref _pagesFound);

    /// <summary>Pages of a crawl read.</summary>
    public int PagesDone => Volatile.Read(ref _pagesDone);

    /// <summary>Images of a crawl known so far.</summary>
    public int ImagesFound => Volatile.Read(ref _imagesFound);

    /// <summary>Images of a crawl saved.</summary>
    public int ImagesDone => Volatile.Read(ref _imagesDone);

    /// <summary>Raised for each new image a crawl with <see cref="CrawlOptions.ListOnly"/> finds, once per URL; handlers must be quick.</summary>
    public event Action<Uri>? ImageListed;

    /// <summary>Raised for each entry of this run's input that is skipped, as it is; handlers must be quick.</summary>
    public event Action<SkippedInput>? EntrySkipped;

    /// <summary>Body bytes received in this run.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytes);

    /// <summary>Retries so far, by the reason of the attempt that failed (immediate stale-connection retries included).</summary>
    public IReadOnlyDictionary<FailureReason, int> RetriesByReason => new Dictionary<FailureReason, int>(_retries);

    /// <summary>Every host's queue now.</summary>
    public IReadOnlyList<HostSnapshot> Hosts => _hosts();

    /// <summary>Every host that pushed back in this run (429, 503, resets, bans, stalls), with what it did and how it is treated.</summary>
    public IReadOnlyList<HostSnapshot> HostsThatPushedBack => _pushedBack();

    internal void SetHostSource(Func<IReadOnlyList<HostSnapshot>> hosts, Func<IReadOnlyList<HostSnapshot>> pushedBack)
    {
        _hosts = hosts;
        _pushedBack = pushedBack;
    }

    internal void AddTotal(int count) => Interlocked.Add(ref _total, count);

    internal void AddAlreadyDone(int count)
    {
        Interlocked.Add(ref _alreadyDone, count);
        Interlocked.Add(ref _done, count);
    }

    internal void AddInputRequests(int count) => Interlocked.Add(ref _inputRequests, count);

    internal void InputEntrySkipped(SkippedInput entry)
    {
        Interlocked.Increment(ref _inputSkipped);
        Interlocked.Increment(ref _skipped);
        Interlocked.Increment(ref _total);
        EntrySkipped?.Invoke(entry);
    }

    internal void AddBytes(long count) => Interlocked.Add(ref _bytes, count);

    internal void ItemDone(Journal.ItemKind kind)
    {
        Interlocked.Increment(ref _done);
        Interlocked.Increment(ref kind == Journal.ItemKind.Page ? ref _pagesDone : ref _imagesDone);
    }

    internal void ItemFailed() => Interlocked.Increment(ref _failed);

    internal void ItemSkipped() => Interlocked.Increment(ref _skipped);

    /// <summary>A crawl's job at its start: the pages and images an earlier run left, and those done.</summary>
    internal void AddCrawlTotals(int pages, int pagesDone, int images, int imagesDone)
    {
        Interlocked.Add(ref _pagesFound, pages);
        Interlocked.Add(ref _pagesDone, pagesDone);
        Interlocked.Add(ref _imagesFound, images);
        Interlocked.Add(ref _imagesDone, imagesDone);
    }

    /// <summary>A page was read: the pages and images new to the job it found.</summary>
    internal void PageRead(int newPages, int newImages)
    {
        Interlocked.Add(ref _pagesFound, newPages);
        Interlocked.Add(ref _imagesFound, newImages);
        Interlocked.Add(ref _total, newPages + newImages);
    }

    internal void ImageFound(Uri url)
    {
        Interlocked.Increment(ref _imagesFound);
        ImageListed?.Invoke(url);
    }

    /// <summary>Hedged range requests opened for stalled bodies in this run.</summary>
    public int Hedges => Volatile.Read(ref _hedges);

    /// <summary>Hedges whose body replaced the stalled one.</summary>
    public int HedgesWon => Volatile.Read(ref _hedgesWon);

    internal void Hedged(int started, int won)
    {
        Interlocked.Add(ref _hedges, started);
        Interlocked.Add(ref _hedgesWon, won);
    }

    internal void Retry(FailureReason reason) => _retries.AddOrUpdate(reason, 1, static (_, n) => n + 1);
}
