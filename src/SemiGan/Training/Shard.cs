using SemiGan.Config;

namespace SemiGan.Training;

/// <summary>
/// A deterministic 1/n of a grid for independent machines or scheduler array jobs: shard i (1-based)
/// takes the runs whose position in the grid order is i-1 modulo n. Every run is in exactly one shard.
/// </summary>
public sealed record Shard(int Index, int Count)
{
    public static readonly Shard All = new(1, 1);

    public List<RunSpec> Select(IReadOnlyList<RunSpec> runs) =>
        runs.Where((_, i) => i % Count == Index - 1).ToList();

    /// <summary>Parses "i/n" with 1 &lt;= i &lt;= n.</summary>
    public static Shard Parse(string s)
    {
        var parts = s.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out int i) && int.TryParse(parts[1], out int n) && n >= 1 && i >= 1 && i <= n)
            return new Shard(i, n);
        throw new ConfigException($"--shard: '{s}' must be i/n with 1 <= i <= n, e.g. 2/4.");
    }

    public override string ToString() => $"{Index}/{Count}";
}
