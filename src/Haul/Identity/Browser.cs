namespace Haul.Identity;

/// <summary>A browser whose request headers a job can present (<c>--browser</c>), one identity for the whole job.</summary>
public enum Browser
{
    /// <summary>Google Chrome on Windows, with its client hints.</summary>
    Chrome,

    /// <summary>Mozilla Firefox on Windows.</summary>
    Firefox,

    /// <summary>Apple Safari on macOS.</summary>
    Safari,
}
