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
        if (UnixFlags.Current is { } flags)
        {
            var fd = NativeOpen(path, flags.For(mode), 0x1B6 /* 0666, less the umask */);
            if (fd < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (flags.IsLinkError(errno))
                {
                    throw new UnsafePathException($"'{path}' is a symbolic link; Haul does not write through links");
                }

                if (errno == flags.NoSuchDeviceOrAddress)
                {
                    throw new UnsafePathException($"'{path}' is a special file (a socket), not a regular file");
                }

                if (errno == flags.IsDirectory)
                {
                    throw new UnsafePathException($"'{path}' is a folder where a file is needed");
                }

                throw IoErrors.FromErrno(errno, path);
            }

            stream = new FileStream(new SafeFileHandle(fd, ownsHandle: true), access, bufferSize: 0);
        }
        else
        {
            var kind = SafeFileSystem.Inspect(path);
            if (kind == EntryKind.SymbolicLink)
            {
                throw new UnsafePathException($"'{path}' is a symbolic link; Haul does not write through links");
            }

            if (kind == EntryKind.Directory)
            {
                throw new UnsafePathException($"'{path}' is a folder where a file is needed");
            }

            var fileMode = mode switch { Mode.Read => FileMode.Open, Mode.CreateNew => FileMode.CreateNew, _ => FileMode.OpenOrCreate };
            stream = new FileStream(path, fileMode, access, FileShare.Read, bufferSize: 0);
        }

        // Regular files can seek; FIFOs, sockets and terminals cannot.
        if (!stream.CanSeek)
        {
            stream.Dispose();
            throw new UnsafePathException($"'{path}' is a special file (a FIFO or device), not a regular file");
        }

        return stream;
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int NativeOpen(string path, int flags, int mode);

    /// <summary>The <c>open(2)</c> flags and error numbers of the running Unix, or null elsewhere.</summary>
    private sealed record UnixFlags(int Create, int Exclusive, int NonBlocking, int NoFollow, int CloseOnExec, int LinkErrno, int AltLinkErrno, int NoSuchDeviceOrAddress, int IsDirectory)
    {
        private const int ReadOnly = 0;
        private const int ReadWrite = 2;

        public static readonly UnixFlags? Current = Detect();

        public int For(Mode mode) => NonBlocking | NoFollow | CloseOnExec | mode switch
        {
            Mode.Read => ReadOnly,
            Mode.CreateNew => ReadWrite | Create | Exclusive,
            _ => ReadWrite | Create,
        };

        public bool IsLinkError(int errno) => errno == LinkErrno || errno == AltLinkErrno;

        private static UnixFlags? Detect()
        {
            if (OperatingSystem.IsLinux())
            {
                // asm-generic values; 32- and 64-bit Arm move O_NOFOLLOW.
                var arm = RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64;
                return new UnixFlags(0x40, 0x80, 0x800, arm ? 0x8000 : 0x20000, 0x80000, LinkErrno: 40, AltLinkErrno: 40, NoSuchDeviceOrAddress: 6, IsDirectory: 21);
            }

            if (OperatingSystem.IsMacOS() || OperatingSystem.IsIOS() || OperatingSystem.IsFreeBSD())
            {
                var cloexec = OperatingSystem.IsFreeBSD() ? 0x100000 : 0x1000000;

                // FreeBSD reports EMLINK (31) for O_NOFOLLOW on a link, macOS ELOOP (62).
                return new UnixFlags(0x200, 0x800, 0x4, 0x100, cloexec, LinkErrno: 62, AltLinkErrno: 31, NoSuchDeviceOrAddress: 6, IsDirectory: 21);
            }

            return null;
        }
    }
}
