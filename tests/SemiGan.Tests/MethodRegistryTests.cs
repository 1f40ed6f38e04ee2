using SemiGan.Training;
using SemiGan.Config;
using SemiGan.Methods;
using SemiGan.Models;
using static TorchSharp.torch;

namespace SemiGan.Tests;

public class MethodRegistryTests
{
    [Fact]
    public void Names_are_unique_and_found_and_unknown_names_are_refused()
    {
        Assert.Equal(MethodRegistry.All.Count, MethodRegistry.All.Select(m => m.Name).Distinct().Count());
        foreach (var m in MethodRegistry.All) Assert.Same(m, MethodRegistry.Get(m.Name));
        Assert.Null(MethodRegistry.Find("vae"));
        var e = Assert.Throws<ArgumentException>(() => MethodRegistry.Get("vae"));
        Assert.Contains(MethodRegistry.Names, e.Message);
        Assert.Contains(MethodRegistry.DefaultReference, MethodRegistry.All);
    }

    [Fact]
    public void Every_method_of_a_seed_starts_from_the_same_classifier_weights()
    {
        var config = new ExperimentConfig { Name = "t", Labels = [100], Seeds = [3], Epochs = 1, SampleCount = 0, Methods = MethodRegistry.All.Select(m => m.Name).ToArray() }.Validated();
        var weights = MethodRegistry.All.Select(m =>
        {
            using var run = m.Start(new MethodContext(new RunSpec(100, Protocol.Masked, KPlusOneHead.GanLogit, 3, m.Name), config.SettingsOf(m.Name), ImageShape.Default, CPU, Implementation.Fast));
            return run.Classifier.parameters().Select(p => p.detach().clone()).ToList();
        }).ToList();
        foreach (var other in weights.Skip(1))
            foreach (var (a, b) in weights[0].Zip(other)) Assert.True(a.allclose(b, rtol: 0, atol: 0), "initial classifier weights differ between methods");
    }

    [Fact]
    public void Supervised_trains_on_full_batches_that_cycle_the_reshuffled_labeled_set()
    {
        var labeled = Enumerable.Range(0, 30).Select(i => i * 3).ToArray();
        var schedule = new Training.BatchSchedule(Training.Protocol.Masked, 200, labeled, true, 20, seed: 2);
        var batches = schedule.LabeledBatches(epoch: 1).Take(6).ToList(); // 120 images: four passes over 30
        Assert.All(batches, b => Assert.Equal(20, b.Length));
        var flat = batches.SelectMany(b => b).ToList();
        for (int pass = 0; pass < 4; pass++)
            Assert.Equal(labeled.Select(i => (long)i).Order(), flat.Skip(pass * 30).Take(30).Order());
        Assert.NotEqual(flat.Take(30), flat.Skip(30).Take(30)); // reshuffled every pass
        Assert.Equal(flat, schedule.LabeledBatches(epoch: 1).Take(6).SelectMany(b => b)); // a function of (seed, epoch)
        // The masked protocol's own steps hold only the few labeled images of each batch.
        Assert.True(schedule.Epoch(1).Average(s => s.Labeled.Length) < 20);
    }
}
