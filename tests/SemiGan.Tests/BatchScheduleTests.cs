using SemiGan.Data;
using SemiGan.Training;

namespace SemiGan.Tests;

public class BatchScheduleTests
{
    static readonly byte[] Labels = Synthetic.Digits(1000, 3).Labels;
    static readonly int[] Labeled = LabeledSplit.Create(Labels, 100, 1).Indices;

    [Fact]
    public void Masked_epoch_is_one_pass_over_all_images_with_labeled_members_marked()
    {
        var s = new BatchSchedule(Protocol.Masked, 1000, Labeled, true, 50, seed: 4);
        var steps = s.Epoch(1).ToList();
        Assert.Equal(20, steps.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), steps.SelectMany(x => x.Real).Order());
        var labeledSet = Labeled.Select(i => (long)i).ToHashSet();
        Assert.Equal(100, steps.Sum(x => x.Labeled.Length));
        foreach (var st in steps)
        {
            Assert.All(st.Labeled, i => Assert.Contains(i, labeledSet));
            Assert.Equal(st.Labeled, st.LabeledPositions!.Select(p => st.Real[p]));
            Assert.Equal(st.Real.Count(labeledSet.Contains), st.Labeled.Length);
        }
    }

    [Fact]
    public void Order_is_seeded_per_epoch_and_reproducible()
    {
        var a = new BatchSchedule(Protocol.Masked, 1000, Labeled, true, 50, seed: 4);
        var b = new BatchSchedule(Protocol.Masked, 1000, Labeled, true, 50, seed: 4);
        Assert.Equal(a.Epoch(2).SelectMany(x => x.Real), b.Epoch(2).SelectMany(x => x.Real));
        Assert.NotEqual(a.Epoch(1).SelectMany(x => x.Real), a.Epoch(2).SelectMany(x => x.Real));
        Assert.NotEqual(a.Epoch(1).SelectMany(x => x.Real), new BatchSchedule(Protocol.Masked, 1000, Labeled, true, 50, 5).Epoch(1).SelectMany(x => x.Real));
    }

    [Fact]
    public void Streams_draws_full_labeled_batches_cycling_the_labeled_set()
    {
        var s = new BatchSchedule(Protocol.Streams, 1000, Labeled, labeledInUnlabeledPool: false, batchSize: 30, seed: 1);
        var steps = s.Epoch(1).ToList();
        Assert.Equal(900 / 30, steps.Count);
        var labeledSet = Labeled.Select(i => (long)i).ToHashSet();
        Assert.All(steps, st => { Assert.Equal(30, st.Labeled.Length); Assert.Null(st.LabeledPositions); });
        Assert.All(steps.SelectMany(x => x.Labeled), i => Assert.Contains(i, labeledSet));
        Assert.DoesNotContain(steps.SelectMany(x => x.Real), labeledSet.Contains); // pool excludes labeled
        // The first 100 labeled draws are one full pass over the labeled set.
        Assert.Equal(labeledSet.Order(), steps.SelectMany(x => x.Labeled).Take(100).Order());
    }
}
