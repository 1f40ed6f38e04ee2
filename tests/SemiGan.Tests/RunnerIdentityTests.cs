using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Experiments;
using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Results;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>
/// Through the runner (not networks built by hand): at a seed, in both protocols, the SGAN and every
/// baseline method start from bit-identical discriminators, and the SGAN and the seed-like baselines
/// (baseline, and its whole-batch variant) take their supervised loss on the same labeled images in the
/// same order. The supervised method is the exception by design: it trains on full batches of the
/// labeled set cycled and reshuffled (EpochData.LabeledBatches), not on the epoch's steps; it sees the
/// same labeled set, and under streams, whose steps draw their labeled batches from that same cycle, also
/// the same order. Observed with the test-only <see cref="TrainingProbe"/>.
/// </summary>
public class RunnerIdentityTests
{
    const int Labels = 50, BatchSize = 25;
    static readonly string[] Methods = ["sgan", "baseline", "supervised", "baseline-wb"];

    /// <summary>Per run: the classifier's parameters and buffers as its trainer got it, and each step's labeled indices.</summary>
    sealed class Recorder : IRunObserver, IDisposable
    {
        public readonly Dictionary<string, (List<(string Name, Tensor Value)> Initial, List<long[]> Labeled)> Runs = [];
        List<(string Name, Tensor Value)>? initial;
        List<long[]> labeled = [];
        Classifier? current;

        public Recorder()
        {
            TrainingProbe.Started = d =>
            {
                Assert.Null(initial); // one trainer per run
                current = d;
                using var _ = no_grad();
                initial = d.named_parameters().Select(p => (p.name, p.parameter.detach().clone().DetachFromDisposeScope()))
                    .Concat(d.named_buffers().Select(b => (b.name, b.buffer.clone().DetachFromDisposeScope()))).ToList();
                labeled = [];
            };
            TrainingProbe.Labeled = (d, indices) =>
            {
                Assert.Same(current, d);
                labeled.Add((long[])indices.Clone());
            };
        }

        public void Samples(RunSpec run, int epoch, bool final, float[] pixels, int count, int height, int width) { }

        public void RunEnded(RunSpec run, IReadOnlyList<EpochRecord> rows)
        {
            Runs[run.Id] = (initial ?? throw new InvalidOperationException($"{run.Id}: no trainer started"), labeled);
            initial = null;
        }

        public void Dispose()
        {
            TrainingProbe.Started = null;
            TrainingProbe.Labeled = null;
            foreach (var (first, _) in Runs.Values) foreach (var (_, t) in first) t.Dispose();
        }
    }

    [Fact]
    public void Every_method_of_a_seed_starts_from_the_same_classifier_and_the_seed_like_ones_read_the_same_labeled_images_in_order()
    {
        using var data = Synthetic.Dataset(train: 150, test: 20);
        var cfg = new ExperimentConfig
        {
            Name = "identity", Labels = [Labels], Seeds = [1, 2], Epochs = 2, Protocol = ["masked", "streams"], Head = ["gan_logit"],
            Methods = Methods,
            MethodSettings = new() { ["baseline-wb"] = new MethodOptions { Method = "baseline" }.WithOwn("mask", "whole-batch") },
            BatchSize = BatchSize, SampleCount = 0, EvalBatchSize = 20,
        }.Validated();
        var output = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "run"), cfg);
        using var recorder = new Recorder();
        new ExperimentRunner(cfg, data, output, CPU) { Observer = recorder }.Run();
        Assert.Equal(2 * 2 * Methods.Length, recorder.Runs.Count);

        foreach (var protocol in new[] { "masked", "streams" })
            foreach (int seed in cfg.Seeds)
            {
                var runs = Methods.ToDictionary(m => m, m => recorder.Runs[RunSpec.Of(Labels, protocol, "gan_logit", seed, m, "mnist").Id]);
                string at = $"{protocol}, seed {seed}";

                // Bit-identical starting classifiers: every parameter and buffer, by name.
                var sgan = runs["sgan"];
                foreach (var method in Methods.Skip(1))
                {
                    Assert.Equal(sgan.Initial.Select(p => p.Name), runs[method].Initial.Select(p => p.Name));
                    foreach (var ((name, a), (_, b)) in sgan.Initial.Zip(runs[method].Initial))
                        Assert.True(a.shape.SequenceEqual(b.shape) && a.equal(b).all().item<bool>(), $"{at}: {method}'s initial {name} differs from sgan's");
                }

                // sgan, baseline and baseline-wb: the same labeled indices, step by step, in the same order
                // (under masked, the labeled members of each batch; a batch without one is no baseline step
                // and no supervised term of the SGAN step).
                Assert.NotEmpty(sgan.Labeled);
                foreach (var method in new[] { "baseline", "baseline-wb" })
                {
                    Assert.Equal(sgan.Labeled.Count, runs[method].Labeled.Count);
                    for (int i = 0; i < sgan.Labeled.Count; i++)
                        Assert.True(sgan.Labeled[i].SequenceEqual(runs[method].Labeled[i]), $"{at}: {method}'s labeled step {i} differs from sgan's");
                }

                // supervised: full labeled batches cycling the labeled set; the same labeled set as the others
                // (the split, which all of them cover in these two epochs).
                var split = LabeledSplit.LoadIndices(output.SplitPath(Labels, seed)).Select(i => (long)i).Order().ToArray();
                var supervised = runs["supervised"].Labeled;
                Assert.All(supervised, batch => Assert.Equal(BatchSize, batch.Length));
                Assert.Equal(split, supervised.SelectMany(b => b).Distinct().Order());
                // As many batches as the epoch has steps (150 / 25 = 6 per epoch), and within an epoch each
                // consecutive run of |split| images is one pass, a reshuffle of the whole split.
                Assert.Equal(2 * 6, supervised.Count);
                var passes = supervised.Chunk(6).SelectMany(epoch => epoch.SelectMany(b => b).Chunk(split.Length)).ToList();
                Assert.Equal(2 * 150 / Labels, passes.Count);
                Assert.All(passes, pass => Assert.Equal(split, pass.Order()));
                Assert.True(passes.Zip(passes.Skip(1)).Any(p => !p.First.SequenceEqual(p.Second)), $"{at}: supervised's passes are not reshuffled");
                Assert.Equal(split, sgan.Labeled.SelectMany(b => b).Distinct().Order());
                // Under streams a step's labeled batch is the next batch of that same cycle: the same order too.
                if (protocol == "streams")
                    Assert.Equal(sgan.Labeled.SelectMany(b => b), supervised.SelectMany(b => b));
            }

        // The comparison can fail: another seed is another classifier.
        var one = recorder.Runs[RunSpec.Of(Labels, "masked", "gan_logit", 1, "sgan", "mnist").Id].Initial;
        var two = recorder.Runs[RunSpec.Of(Labels, "masked", "gan_logit", 2, "sgan", "mnist").Id].Initial;
        Assert.Contains(one.Zip(two), p => !p.First.Value.equal(p.Second.Value).all().item<bool>());
        // And a seed's classifier does not depend on the protocol.
        var streams = recorder.Runs[RunSpec.Of(Labels, "streams", "gan_logit", 1, "sgan", "mnist").Id].Initial;
        Assert.All(one.Zip(streams), p => Assert.True(p.First.Value.equal(p.Second.Value).all().item<bool>(), p.First.Name));
    }
}
