using System.Globalization;
using System.Text;
using System.Text.Json;
using Haul.Crawling;

namespace Haul.Engine;

/// <summary>
/// A crawl's options as a shared job keeps them, so that every worker that joins crawls by the same rules: one JSON
/// object, its names those of <c>haul crawl</c>'s options, always written in one order (two definitions are the same
/// crawl when their texts are equal). <see cref="CrawlOptions.ListOnly"/> is not part of it: a list is one process's.
/// </summary>
internal static class CrawlDefinition
{
    /// <summary>The version of the definitions this Haul writes: a later one may hold options this Haul does not know.</summary>
    private const int Version = 1;

    private const string VersionName = "definition";

    /// <summary>The definition of <paramref name="options"/>.</summary>
    public static string Write(CrawlOptions options)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteNumber(VersionName, Version);
            json.WriteBoolean("all-sizes", options.AllSizes);
            json.WriteBoolean("data-uris", options.KeepDataUris);
            json.WriteString("next", options.NextSelector);
            json.WriteBoolean("no-parent", options.NoParent);
            json.WriteBoolean("span-hosts", options.SpanHosts);
            Strings(json, "include", options.Include);
            Strings(json, "exclude", options.Exclude);
            Number(json, "max-depth", options.MaxDepth);
            Number(json, "max-pages", options.MaxPages);
            json.WriteBoolean("ignore-robots", options.IgnoreRobots);
            json.WriteString("referer-policy", options.Referer.ToString().ToLowerInvariant());
            Strings(json, "accept", options.Extensions);
            Number(json, "min-size", options.MinBytes);
            Number(json, "max-size", options.MaxBytes);
            Number(json, "min-width", options.MinWidth);
            Number(json, "min-height", options.MinHeight);
            json.WriteBoolean("by-page", options.ByPage);
            json.WriteBoolean("save-pages", options.SavePages);
            json.WriteNumber("max-page-size", options.MaxPageBytes);
            json.WriteNumber("parse-timeout-ms", (long)options.ParseTimeout.TotalMilliseconds);
            json.WriteBoolean("sitemap", options.Sitemap);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>The options a definition holds.</summary>
    /// <exception cref="InvalidDataException">The text is not a crawl's definition (written by another program, or damaged).</exception>
    public static CrawlOptions Read(string definition)
    {
        try
        {
            using var document = JsonDocument.Parse(definition);
            var root = document.RootElement;
            if (root.GetProperty(VersionName).GetInt32() is var version && version > Version)
            {
                throw new InvalidDataException($"they were written by a newer Haul (definition {version}; this Haul reads up to {Version})");
            }

            var options = new CrawlOptions
            {
                AllSizes = root.GetProperty("all-sizes").GetBoolean(),
                KeepDataUris = root.GetProperty("data-uris").GetBoolean(),
                NextSelector = root.GetProperty("next").GetString(),
                NoParent = root.GetProperty("no-parent").GetBoolean(),
                SpanHosts = root.GetProperty("span-hosts").GetBoolean(),
                Include = Strings(root.GetProperty("include")),
                Exclude = Strings(root.GetProperty("exclude")),
                MaxDepth = Int(root.GetProperty("max-depth")),
                MaxPages = Int(root.GetProperty("max-pages")),
                IgnoreRobots = root.GetProperty("ignore-robots").GetBoolean(),
                Referer = Enum.Parse<RefererMode>(root.GetProperty("referer-policy").GetString()!, ignoreCase: true),
                Extensions = Strings(root.GetProperty("accept")),
                MinBytes = Long(root.GetProperty("min-size")),
                MaxBytes = Long(root.GetProperty("max-size")),
                MinWidth = Int(root.GetProperty("min-width")),
                MinHeight = Int(root.GetProperty("min-height")),
                ByPage = root.GetProperty("by-page").GetBoolean(),
                SavePages = root.GetProperty("save-pages").GetBoolean(),
                MaxPageBytes = root.GetProperty("max-page-size").GetInt64(),
                ParseTimeout = TimeSpan.FromMilliseconds(root.GetProperty("parse-timeout-ms").GetInt64()),
                Sitemap = root.GetProperty("sitemap").GetBoolean(),
            };
            options.Validate();
            return options;
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException(exception.Message, exception);
        }
    }

    /// <summary>The options in which two definitions differ, each as <c>name: stored, given</c>; empty when they are the same crawl.</summary>
    public static IReadOnlyList<string> Differences(string stored, string given)
    {
        using var before = JsonDocument.Parse(stored);
        using var now = JsonDocument.Parse(given);
        var differences = new List<string>();
        var names = now.RootElement.EnumerateObject().Select(p => p.Name)
            .Concat(before.RootElement.EnumerateObject().Select(p => p.Name)).Distinct(StringComparer.Ordinal);
        foreach (var name in names)
        {
            var old = before.RootElement.TryGetProperty(name, out var value) ? Text(value) : "none";
            var current = now.RootElement.TryGetProperty(name, out value) ? Text(value) : "none";
            if (old != current)
            {
                differences.Add(string.Create(CultureInfo.InvariantCulture, $"--{name} {old} (here {current})"));
            }
        }

        return differences;
    }

    /// <summary>
    /// An option's value as a message shows it: none for no value or an empty list. A list is a set (any of its patterns,
    /// any of its types), shown sorted and without repeats, so that <c>--accept png,jpg</c> is the crawl of
    /// <c>--accept jpg,png</c>.
    /// </summary>
    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "none",
        JsonValueKind.Array when value.GetArrayLength() == 0 => "none",
        JsonValueKind.Array => string.Join(",", value.EnumerateArray().Select(Text).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)),
        JsonValueKind.String => value.GetString()!,
        _ => value.GetRawText(),
    };

    private static void Strings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
        {
            json.WriteStringValue(value);
        }

        json.WriteEndArray();
    }

    private static void Number(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("a null in a list"))];

    private static int? Int(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt32();

    private static long? Long(JsonElement value) => value.ValueKind == JsonValueKind.Null ? null : value.GetInt64();
}
