namespace SemiGan.Data;

/// <summary>
/// Everything the harness needs to know about an image dataset in IDX format: its shape, classes, counts,
/// the four files with their SHA-256 and where to get them. Tests point <see cref="Mirrors"/> elsewhere
/// and drop <see cref="Fallback"/> with a <c>with</c> expression.
/// </summary>
public sealed record DatasetDescriptor
{
    /// <summary>Lower-case id used on the command line and in experiment files, e.g. "fashion-mnist".</summary>
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public required int Channels { get; init; }
    public required int Height { get; init; }
    public required int Width { get; init; }
    /// <summary>Class names in label order (label i is ClassNames[i]).</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required int TrainCount { get; init; }
    public required int TestCount { get; init; }
    public required DataFile TrainImages { get; init; }
    public required DataFile TrainLabels { get; init; }
    public required DataFile TestImages { get; init; }
    public required DataFile TestLabels { get; init; }
    /// <summary>Base URLs (ending in '/') serving each file as &lt;name&gt;.gz, tried in order.</summary>
    public required IReadOnlyList<string> Mirrors { get; init; }
    /// <summary>Where the files come from when no mirror answers; null: nowhere else.</summary>
    public PackageSource? Fallback { get; init; }
    /// <summary>Environment variable that, when set, names the default folder instead of data/&lt;name&gt;.</summary>
    public string? FolderVariable { get; init; }

    public int Classes => ClassNames.Count;
    public IReadOnlyList<DataFile> Files => [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>Default folder: $<see cref="FolderVariable"/> when set, else data/&lt;name&gt; under the current directory.</summary>
    public string DefaultFolder =>
        FolderVariable is { } v && Environment.GetEnvironmentVariable(v) is { Length: > 0 } d ? d : Path.Combine("data", Name);

    /// <summary>The dims of one image in its IDX file: [H,W] for one channel, [C,H,W] otherwise.</summary>
    public int[] ImageDims => Channels == 1 ? [Height, Width] : [Channels, Height, Width];
}
