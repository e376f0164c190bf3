using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Haul.Writing;

/// <summary>
/// Opens files without following a symbolic link at the last component and without blocking on a FIFO: the one
/// platform-specific seam of the write boundary. On Linux and macOS it calls <c>open(2)</c> with <c>O_NOFOLLOW</c> and
/// <c>O_NONBLOCK</c>, which makes the check and the open one step; elsewhere it checks the path first and opens it
/// normally (a race a local attacker could win, but no FIFOs exist there).
/// </summary>
internal static partial class NoFollowFile
{
    /// <summary>How to open.</summary>
    public enum Mode
    {
        /// <summary>Read an existing file.</summary>
        Read,

        /// <summary>Read and write a file, creating it when missing.</summary>
        OpenOrCreate,

        /// <summary>Create a new file; it must not exist.</summary>
        CreateNew,
    }

    /// <summary>Opens <paramref name="path"/>; the stream is unbuffered and synchronous.</summary>
    /// <exception cref="UnsafePathException">The path is a symbolic link, a folder or not a regular file.</exception>
    /// <exception cref="IOException">Another I/O error, as the file system reported it.</exception>
    public static FileStream Open(string path, Mode mode)
    {
        var access = mode == Mode.Read ? FileAccess.Read : FileAccess.ReadWrite;
        FileStream stream;
        if (mode == Mode.CreateNew)
        {
            // O_CREAT | O_EXCL: fails on anything already there, a link included, so nothing is followed.
            stream = new FileStream(File.OpenHandle(path, FileMode.CreateNew, access, FileShare.Read), access, bufferSize: 0);
        }
        else if (UnixFlags.Current is { } flags)
        {
            // open(2) is variadic; calling it with a mode argument is not portable through P/Invoke (Apple's arm64 ABI
            // passes variadic arguments on the stack), so it is only ever called without O_CREAT, and a missing file
            // is created by .NET with O_CREAT | O_EXCL.
            var fd = NativeOpen(path, flags.For(mode));
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno == UnixFlags.NoSuchFile && mode == Mode.OpenOrCreate)
                {
                    try
                    {
                        return Open(path, Mode.CreateNew);
                    }
                    catch (IOException) when (SafeFileSystem.Inspect(path) != EntryKind.None)
                    {
                        // Something appeared in between: look again, without following it.
                        return Open(path, mode);
                    }
                }

                throw ErrorFor(errno, flags, path);
            }

            stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);
        }
        else
        {
            if (SafeFileSystem.Inspect(path) is (EntryKind.SymbolicLink or EntryKind.Directory or EntryKind.Inaccessible) and var kind)
            {
                throw UnsafePathException.Found(path, kind);
            }

            var fileMode = mode == Mode.Read ? FileMode.Open : FileMode.OpenOrCreate;
            stream = new FileStream(path, fileMode, access, FileShare.Read, bufferSize: 0);
        }

        // Regular files can seek; FIFOs, sockets and terminals cannot.
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw UnsafePathException.Found(path, EntryKind.None);
        }

        return stream;
    }

    private static IOException ErrorFor(int errno, UnixFlags flags, string path)
    {
        if (flags.IsLinkError(errno))
        {
            return UnsafePathException.Found(path, EntryKind.SymbolicLink);
        }

        if (errno == flags.NoSuchDeviceOrAddress)
        {
            return UnsafePathException.Found(path, EntryKind.None);
        }

        if (errno == flags.IsDirectory)
        {
            return UnsafePathException.Found(path, EntryKind.Directory);
        }

        return errno == UnixFlags.NoSuchFile ? new FileNotFoundException($"'{path}' does not exist", path) : IoErrors.FromErrno(errno, path);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeOpen(string path, int flags);

    /// <summary>The <c>open(2)</c> flags and error numbers of the running Unix, or null elsewhere.</summary>
    private sealed record UnixFlags(int NonBlocking, int NoFollow, int CloseOnExec, int LinkErrno, int AltLinkErrno, int NoSuchDeviceOrAddress, int IsDirectory)
    {
        private const int ReadOnly = 0;
        private const int ReadWrite = 2;

        public static readonly UnixFlags? Current = Detect();

        /// <summary>ENOENT, the same on every Unix.</summary>
        public const int NoSuchFile = 2;

        public int For(Mode mode) => NonBlocking | NoFollow | CloseOnExec | (mode == Mode.Read ? ReadOnly : ReadWrite);

        public bool IsLinkError(int errno) => errno == LinkErrno || errno == AltLinkErrno;

        private static UnixFlags? Detect()
        {
            if (OperatingSystem.IsLinux())
            {
                // O_NOFOLLOW moves between architectures; one not listed here gets the portable way rather than a guess.
                int? noFollow = RuntimeInformation.ProcessArchitecture switch
                {
                    Architecture.X64 or Architecture.X86 or Architecture.RiscV64 or Architecture.LoongArch64 or Architecture.S390x => 0x20000,
                    Architecture.Arm or Architecture.Arm64 or Architecture.Ppc64le => 0x8000,
                    _ => null,
                };
                return noFollow is { } value
                    ? new UnixFlags(0x800, value, 0x80000, LinkErrno: 40, AltLinkErrno: 40, NoSuchDeviceOrAddress: 6, IsDirectory: 21)
                    : null;
            }

            if (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsFreeBSD())
            {
                var cloexec = OperatingSystem.IsFreeBSD() ? 0x100000 : 0x1000000;

                // FreeBSD reports EMLINK (31) for O_NOFOLLOW on a link, macOS ELOOP (62).
                return new UnixFlags(0x4, 0x100, cloexec, LinkErrno: 62, AltLinkErrno: 31, NoSuchDeviceOrAddress: 6, IsDirectory: 21);
            }

            return null;
        }
    }
}
