using System.Collections;

namespace Haul.TestServer;

/// <summary>A live view of the file set: each item is snapshotted on access, so hashes are computed lazily and versions are current.</summary>
internal sealed class FileList(IReadOnlyList<FileEntry> entries) : IReadOnlyList<ServedFile>
{
    public ServedFile this[int index] => entries[index].Snapshot();

    public int Count => entries.Count;

    public IEnumerator<ServedFile> GetEnumerator()
    {
        for (var i = 0; i < entries.Count; i++)
        {
            yield return entries[i].Snapshot();
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
