using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>What the harness hands a method each step: the protocol's batches, full labeled batches, μ·B unlabeled images, seeded views.</summary>
public class BatchTests
{
    static readonly int[] Labeled = Enumerable.Range(0, 20).Select(i => i * 5).ToArray();

    static BatchSchedule Schedule(Protocol p) => new(p, 200, Labeled, true, 10, seed: 3);

    [Fact]
    public void A_method_asking_for_the_protocols_batches_gets_them_unchanged()
    {
        foreach (var p in new[] { Protocol.Masked, Protocol.Streams })
            Assert.Equal(Schedule(p).Epoch(2).Select(Show), Schedule(p).Epoch(2, DataNeeds.Protocol).Select(Show));
    }

    [Fact]
    public void Full_labeled_batches_come_from_the_labeled_cycle_and_the_step_count_is_the_protocols()
    {
        var s = Schedule(Protocol.Masked);
        var steps = s.Epoch(1, new DataNeeds { Labeled = LabeledSource.FullBatches, UnlabeledRatio = 0 }).ToList();
        Assert.Equal(s.StepsPerEpoch, steps.Count);
        Assert.All(steps, x => { Assert.Empty(x.Real); Assert.Null(x.LabeledPositions); });
        Assert.Equal(s.LabeledBatches(1).Take(steps.Count).SelectMany(b => b), steps.SelectMany(x => x.Labeled));
        // With unlabeled images too, the masked protocol's batch is the unlabeled one.
        var both = s.Epoch(1, new DataNeeds { Labeled = LabeledSource.FullBatches }).ToList();
        Assert.Equal(s.Epoch(1).Select(x => x.Real), both.Select(x => x.Real));
    }

    [Fact]
    public void A_ratio_mu_draws_mu_batches_of_unlabeled_images_a_step_cycling_the_reshuffled_pool()
    {
        var s = Schedule(Protocol.Streams);
        var steps = s.Epoch(1, new DataNeeds { Labeled = LabeledSource.FullBatches, UnlabeledRatio = 3 }).ToList();
        Assert.Equal(s.StepsPerEpoch, steps.Count);
        Assert.All(steps, x => Assert.Equal(30, x.Real.Length));
        var flat = steps.SelectMany(x => x.Real).ToList();
        int pool = s.UnlabeledPool.Count;
        for (int pass = 0; pass + 1 <= flat.Count / pool; pass++)
            Assert.Equal(s.UnlabeledPool.Order(), flat.Skip(pass * pool).Take(pool).Order()); // each pass: the whole pool once
        Assert.NotEqual(flat.Take(pool), flat.Skip(pool).Take(pool)); // reshuffled
        Assert.Throws<ArgumentException>(() => Schedule(Protocol.Masked).Epoch(1, new DataNeeds { UnlabeledRatio = 2 }).ToList());
    }

    [Fact]
    public void Views_are_drawn_from_seed_epoch_and_step_and_leave_the_torch_stream_alone()
    {
        random.manual_seed(1);
        var images = rand(200, 1, 28, 28) * 2 - 1;
        var labels = randint(0, 10, 200, dtype: ScalarType.Int64);
        var needs = new DataNeeds { UnlabeledViews = [Augmentation.Weak, Augmentation.Strong] };
        var step = Schedule(Protocol.Streams).Epoch(1).First();
        Batch Make(int seed, int epoch, int index) => new(step, epoch, index, 10, seed, images, labels, CPU, needs);
        random.manual_seed(5);
        var a = Make(3, 1, 0);
        var (weak, strong) = (a.View(0), a.View(1));
        using var next = randn(3);
        random.manual_seed(5);
        using var expected = randn(3);
        Assert.True(next.equal(expected).all().item<bool>(), "views moved torch's random stream");
        Assert.True(Make(3, 1, 0).View(1).equal(strong).all().item<bool>());
        Assert.False(Make(4, 1, 0).View(1).equal(strong).all().item<bool>()); // another seed
        Assert.False(Make(3, 2, 0).View(1).equal(strong).all().item<bool>()); // another epoch
        Assert.False(Make(3, 1, 1).View(1).equal(strong).all().item<bool>()); // another step
        Assert.False(weak.equal(a.Unlabeled).all().item<bool>());
        Assert.Same(a.View(0), a.View(0)); // made once a step
        Assert.Equal(0.25, Make(3, 1, 5).Progress(2), 12); // step 5 of 10 in epoch 1 of 2
    }

    static string Show(Step s) => $"{string.Join(",", s.Real)}|{string.Join(",", s.Labeled)}|{(s.LabeledPositions is null ? "-" : string.Join(",", s.LabeledPositions))}";
}
