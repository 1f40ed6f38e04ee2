using SemiGan.Data;

namespace SemiGan.Tests;

public class LabeledSplitTests
{
    static readonly byte[] Labels = Synthetic.Digits(3000, 7).Labels;

    [Fact]
    public void Split_is_class_balanced()
    {
        var split = LabeledSplit.Create(Labels, 100, seed: 1);
        Assert.Equal(100, split.Indices.Length);
        Assert.Equal(100, split.Indices.Distinct().Count());
        foreach (var g in split.Indices.GroupBy(i => Labels[i])) Assert.Equal(10, g.Count());
        Assert.Equal(10, split.Indices.Select(i => Labels[i]).Distinct().Count());
    }

    [Fact]
    public void Split_depends_only_on_seed_and_count()
    {
        Assert.Equal(LabeledSplit.Create(Labels, 200, 5).Indices, LabeledSplit.Create(Labels, 200, 5).Indices);
        Assert.NotEqual(LabeledSplit.Create(Labels, 200, 5).Indices, LabeledSplit.Create(Labels, 200, 6).Indices);
    }

    [Fact]
    public void Smaller_split_nests_in_larger_for_same_seed()
    {
        var small = LabeledSplit.Create(Labels, 50, 3).Indices;
        var large = LabeledSplit.Create(Labels, 500, 3).Indices;
        Assert.Subset(large.ToHashSet(), small.ToHashSet());
    }

    [Fact]
    public void Impossible_counts_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => LabeledSplit.Create(Labels, 15, 1));
        Assert.Throws<ArgumentException>(() => LabeledSplit.Create(Labels, 0, 1));
        Assert.Throws<ArgumentException>(() => LabeledSplit.Create(Labels, 3010, 1)); // 301 per class > 300
    }

    [Fact]
    public void Saved_indices_round_trip()
    {
        var split = LabeledSplit.Create(Labels, 100, 2);
        string path = Path.Combine(Synthetic.TempDir(), "s", "split.csv");
        split.Save(path, Labels);
        Assert.Equal(split.Indices, LabeledSplit.LoadIndices(path));
        Assert.Equal("index,label", File.ReadLines(path).First());
    }
}
