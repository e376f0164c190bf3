using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Haul.Writing;

/// <summary>The operating system's own words for an I/O error, without the path .NET puts into its messages.</summary>
internal static class IoErrors
{
    /// <summary>An exception for an errno from a native call.</summary>
    public static IOException FromErrno(int errno, string path) =>
        new($"{Marshal.GetPInvokeErrorMessage(errno)}: '{path}'", errno);

    /// <summary>What the OS said, e.g. <c>Permission denied</c> or <c>Input/output error</c>.</summary>
    public static string Describe(Exception exception)
    {
        switch (exception)
        {
            case UnsafePathException unsafePath:
                return unsafePath.Message;
            case UnauthorizedAccessException:
                return "Permission denied";
            case IOException io when OperatingSystem.IsWindows() && (io.HResult & 0xFFFF0000) == 0x80070000:
                return new Win32Exception(io.HResult & 0xFFFF).Message;
            case IOException io when !OperatingSystem.IsWindows() && io.HResult is > 0 and < 4096:
                // .NET keeps the raw errno as the HResult of the I/O errors it does not map to a type of its own.
                return Marshal.GetPInvokeErrorMessage(io.HResult);
            default:
                return exception.Message;
        }
    }
}
