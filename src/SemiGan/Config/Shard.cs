using SemiGan.Training;
using System.Globalization;

namespace SemiGan.Config;

/// <summary>
/// A deterministic part of a grid for independent machines or scheduler array jobs: shard i (1-based) of n
/// takes the runs whose position in the grid order is i-1 modulo n, so every run is in exactly one shard.
/// One process may take several shards of the same n ("1,4/6"), as `run --jobs` does to deal each child
/// its share of the grid's runs by cost.
/// </summary>
public sealed record Shard
{
    public static readonly Shard All = new(1, 1);

    /// <summary>The shard numbers taken, ascending, each in 1..Count.</summary>
    public IReadOnlyList<int> Indices { get; }
    public int Count { get; }

    public Shard(int index, int count) : this([index], count) { }

    public Shard(IEnumerable<int> indices, int count)
    {
        Indices = indices.Distinct().Order().ToArray();
        Count = count;
        if (count < 1 || Indices.Count == 0 || Indices[0] < 1 || Indices[^1] > count)
            throw new ArgumentException($"shard {string.Join(",", Indices)}/{count}: each i must satisfy 1 <= i <= n.");
    }

    public List<RunSpec> Select(IReadOnlyList<RunSpec> runs) =>
        runs.Where((_, p) => Indices.Contains(p % Count + 1)).ToList();

    /// <summary>Parses "i/n" or "i,j,…/n" with 1 &lt;= i &lt;= n.</summary>
    public static Shard Parse(string s)
    {
        var parts = s.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 1)
        {
            var idx = parts[0].Split(',').Select(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : 0).ToList();
            if (idx.All(i => i >= 1 && i <= n)) return new Shard(idx, n);
        }
        throw new ConfigException($"--shard: '{s}' must be i/n (or i,j,…/n) with 1 <= i <= n, e.g. 2/4.");
    }

    public bool Equals(Shard? other) => other is not null && Count == other.Count && Indices.SequenceEqual(other.Indices);

    public override int GetHashCode() => HashCode.Combine(Count, Indices.Count, Indices[0]);

    public override string ToString() => $"{string.Join(",", Indices)}/{Count}";
}
