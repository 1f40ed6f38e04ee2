using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;
using Generator = SemiGan.Models.Generator;

namespace SemiGan.Tests;

/// <summary>
/// Equivalence while training: the fast and the reference implementation, and both against the SGAN and
/// supervised steps written once more with plain torch ops (<see cref="PlainSgan"/>), take k = 3 steps at
/// a learning rate above 0 from the same randomised state (weights, biases, batch-norm affine parameters
/// and running statistics: <see cref="FastPathCheck.Randomised{T}"/>), at batch 37, with dropout 0.3 and
/// the same dropout masks (<see cref="SharedMasks"/>); then every parameter, Adam moment and step count,
/// running statistic and batch count, and both networks' eval-mode outputs are compared.
/// </summary>
public class TrainingEquivalenceTests(ITestOutputHelper output)
{
    const int Batch = 37, Steps = 3;
    const double Dropout = 0.3;
    static readonly long[] Positions = [0, 4, 9, 16, 23, 30, 36]; // a masked-protocol batch's labeled members

    public enum Kind { SganMasked, SganStreams, Supervised, BaselineLabeledOnly, BaselineWholeBatch }

    static bool IsGan(Kind k) => k is Kind.SganMasked or Kind.SganStreams;

    sealed record Setup(Dictionary<string, Tensor> D, Dictionary<string, Tensor>? G, Tensor Images, Tensor Labels, Tensor EvalImages, Tensor EvalZ, List<Step> Steps);

    /// <summary>A run's end state (<see cref="Snapshot"/>) and every LeakyReLU input it computed, in call order.</summary>
    sealed record Run(Dictionary<string, Tensor> Values, List<Tensor> Inputs) : IDisposable
    {
        public void Dispose()
        {
            foreach (var t in Values.Values.Concat(Inputs)) t.Dispose();
        }
    }

    static Setup Make(Kind kind, KPlusOneHead head)
    {
        torch.random.manual_seed(7);
        using var d0 = FastPathCheck.Randomised(new Discriminator(head, Dropout, Implementation.Fast));
        using var g0 = FastPathCheck.Randomised(new Generator(100, Implementation.Fast));
        var images = rand(2 * Steps * Batch, 1, 28, 28) * 2 - 1;
        var labels = randint(0, 10, 2 * Steps * Batch, dtype: ScalarType.Int64);
        var evalImages = rand(Batch, 1, 28, 28) * 2 - 1;
        var evalZ = randn(Batch, 100);
        static long[] Range(int from) => Enumerable.Range(from, Batch).Select(i => (long)i).ToArray();
        var steps = Enumerable.Range(0, Steps).Select(s => kind switch
        {
            Kind.SganStreams => new Step(Range(s * Batch), Range((Steps + s) * Batch), null),
            Kind.Supervised => new Step([], Range(s * Batch), null),
            _ => new Step(Range(s * Batch), Positions.Select(p => (long)(s * Batch + p)).ToArray(), Positions),
        }).ToList();
        var dState = d0.state_dict().ToDictionary(e => e.Key, e => e.Value.clone());
        var gState = IsGan(kind) ? g0.state_dict().ToDictionary(e => e.Key, e => e.Value.clone()) : null;
        return new(dState, gState, images, labels, evalImages, evalZ, steps);
    }

    static Run Train(Implementation impl, Kind kind, KPlusOneHead head, double lr, Setup s, int seed)
    {
        using var masks = new SharedMasks(Dropout, 11 + (ulong)seed);
        // The method's networks are drawn from torch's generator when it starts: before seeding.
        using var run = MethodSteps.Start(IsGan(kind) ? "sgan" : "baseline", impl, head, kind == Kind.SganStreams ? Protocol.Streams : Protocol.Masked,
            x => x with { LearningRate = lr, Dropout = Dropout }, IsGan(kind) ? null : new BaselineOptions { Mask = kind == Kind.BaselineWholeBatch ? "whole-batch" : "labeled-only" });
        MethodSteps.Load(run, "discriminator", s.D);
        if (IsGan(kind)) MethodSteps.Load(run, "generator", s.G!);
        torch.random.manual_seed(8 + seed); // the same latent vectors for all
        MethodSteps.Train(run, s.Steps, s.Images, s.Labels);
        var values = Snapshot.Of(run.Modules, run.Optimizers);
        if (IsGan(kind))
        {
            var g = (Generator)MethodSteps.Network(run, "generator");
            g.eval();
            using (no_grad()) values["generator eval output"] = g.forward(s.EvalZ);
        }
        var d = run.Classifier;
        d.eval();
        using (no_grad()) values["discriminator eval output"] = d.forward(s.EvalImages);
        var inputs = masks.Inputs.Select(x => x.clone().DetachFromDisposeScope()).ToList();
        return new(values, inputs);
    }

    static Run TrainPlain(Kind kind, KPlusOneHead head, double lr, Setup s, ScalarType dtype, int seed)
    {
        using var masks = new SharedMasks(Dropout, 11 + (ulong)seed);
        torch.random.manual_seed(8 + seed);
        using var plain = new PlainSgan(s.D, s.G, head == KPlusOneHead.Softmax11, Dropout, masks, lr, 0.5, 0.999, dtype);
        var images = s.Images.to_type(dtype);
        foreach (var step in s.Steps)
        {
            if (IsGan(kind)) plain.SganStep(images, s.Labels, step.Real, step.Labeled, step.LabeledPositions);
            else plain.SupervisedStep(images, s.Labels, step.Real, step.Labeled, step.LabeledPositions, kind == Kind.BaselineWholeBatch);
        }
        var values = plain.Snapshot(s.EvalImages, IsGan(kind) ? s.EvalZ : null);
        return new(values, masks.Inputs.Select(x => x.clone().DetachFromDisposeScope()).ToList());
    }

    /// <summary>Images per LeakyReLU layer in each forward pass of a step, in order (the D update's passes, then the G update's).</summary>
    static int[] PassImages(Kind kind) => kind switch
    {
        Kind.SganMasked => [2 * Batch, Batch],      // real + generated, then generated for G
        Kind.SganStreams => [3 * Batch, Batch],     // real + generated + labeled, then generated for G
        Kind.BaselineLabeledOnly => [Positions.Length],
        _ => [Batch],
    };

    /// <summary>
    /// Where two runs' LeakyReLU branch decisions first differ: the first forward pass (in training order)
    /// in which some input has opposite signs in the two, how many do there, and the largest |input|
    /// among them relative to the layer's RMS in that pass. Null when they agree everywhere.
    /// </summary>
    static (int Pass, long Count, double Size, string Where)? FirstBranchDisagreement(Run a, Run b, Kind kind)
    {
        using var scope = NewDisposeScope();
        var perStep = PassImages(kind);
        var layers = b.Inputs.Select(Layer).Distinct().ToList();
        (int Pass, long Count, double Size, string Where)? first = null;
        foreach (var layer in layers)
        {
            var xa = cat(a.Inputs.Where(x => Layer(x) == layer).ToArray(), 0).to_type(ScalarType.Float64);
            var xb = cat(b.Inputs.Where(x => Layer(x) == layer).ToArray(), 0).to_type(ScalarType.Float64);
            Assert.Equal(xb.shape, xa.shape);
            long row = 0;
            for (int pass = 0; row < xb.shape[0]; pass++)
            {
                long n = perStep[pass % perStep.Length];
                var (pa, pb) = (xa.narrow(0, row, n), xb.narrow(0, row, n));
                row += n;
                var differ = pa.gt(0) != pb.gt(0);
                long count = differ.sum().item<long>();
                if (count == 0) continue;
                double rms = pb.square().mean().sqrt().item<double>();
                double size = maximum(pa.abs(), pb.abs()).masked_select(differ).max().item<double>() / rms;
                if (first is null || pass < first.Value.Pass)
                    first = (pass, count, size, $"layer {layer}, step {pass / perStep.Length + 1}, {(pass % perStep.Length == 0 ? "discriminator" : "generator")} update");
                else if (pass == first.Value.Pass)
                    first = (pass, first.Value.Count + count, Math.Max(size, first.Value.Size), first.Value.Where + $" and layer {layer}");
                break;
            }
        }
        return first;

        static string Layer(Tensor x) => string.Join("x", x.shape.Skip(1));
    }

    static string Category(string key) =>
        key.EndsWith(" exp_avg", StringComparison.Ordinal) ? "exp_avg"
        : key.EndsWith(" exp_avg_sq", StringComparison.Ordinal) ? "exp_avg_sq"
        : key.Contains("running_", StringComparison.Ordinal) ? "running statistics"
        : key.EndsWith("eval output", StringComparison.Ordinal) ? "eval outputs"
        : "parameters";

    /// <summary>Per category ("discriminator parameters", "generator exp_avg", ...), the largest ‖a − b‖/‖b‖ and where.</summary>
    static Dictionary<string, (double Value, string Key)> Differences(Run a, Run b)
    {
        Assert.Equal(b.Values.Keys.Order(), a.Values.Keys.Order());
        var worst = new Dictionary<string, (double Value, string Key)>();
        foreach (var (key, vb) in b.Values)
        {
            if (Snapshot.IsCount(key))
            {
                Assert.True(a.Values[key].equal(vb).all().item<bool>(), $"{key}: {a.Values[key].item<long>()} vs {vb.item<long>()}");
                continue;
            }
            string category = $"{key.Split(' ')[0]} {Category(key)}";
            double r = Snapshot.Relative(a.Values[key], vb);
            if (!worst.TryGetValue(category, out var w) || r > w.Value || double.IsNaN(r)) worst[category] = (r, key);
        }
        return worst;
    }

    /// <summary>
    /// The tolerances, ‖a − b‖ / ‖b‖ per tensor, for two runs that took the same LeakyReLU branches
    /// everywhere. Measured with <see cref="Measure"/> (fast vs reference, fast vs plain, reference vs
    /// plain; every case below, 24 seeds at 1 thread and 12 at 2), the largest differences were:
    /// parameters 2.5e-4 (discriminator) and 1.8e-4 (generator); Adam moments 1.7e-4 (discriminator) and
    /// 2.2e-3 (generator); running statistics 3.5e-5; eval outputs 3.4e-5 (discriminator) and 7.2e-5
    /// (generator); most runs stay below 1e-5. Where the largest come from: (1) Adam. Its update is ±lr
    /// wherever |gradient| ≫ ε, so an element whose gradient is within rounding of 0 moves by +lr in one
    /// run and −lr in the other: one such element of conv3.weight (‖w‖ ≈ 5.4) at lr 1e-3 is
    /// 2e-3/5.4 = 3.7e-4 of the tensor (the 2.5e-4 above is one), and the next steps' gradients and
    /// moments follow it. (2) Kinks the branch check cannot see: the generator's ReLU inputs are not
    /// observed, and one within rounding of 0 moves the generator's gradient, a sum that nearly cancels,
    /// by up to 2e-3 (its moments), then its weights and images. The tolerances are 4–7x those maxima.
    /// A kernel that computes something else misses them by orders of magnitude, and usually already
    /// fails the first forward pass (<see cref="FirstPassRounding"/>).
    /// </summary>
    static double Tolerance(string category) => category switch
    {
        "discriminator parameters" or "generator parameters" => 1e-3,
        "discriminator exp_avg" or "discriminator exp_avg_sq" => 1e-3,
        "generator exp_avg" or "generator exp_avg_sq" => 1e-2,
        "generator eval outputs" => 5e-4,
        _ => 2e-4, // running statistics, the discriminator's eval outputs
    };

    /// <summary>
    /// In the first forward pass both runs hold the same weights and inputs, so their LeakyReLU inputs
    /// differ by summation order alone (measured: branch disagreements only at |x| ≤ 1.7e-6 of the
    /// layer's RMS); a disagreement further from 0 is a different computation.
    /// </summary>
    const double FirstPassRounding = 1e-4;

    /// <summary>Seeds (latent vectors and dropout masks) tried before giving up on a run free of kinks.</summary>
    const int MaxSeeds = 24;

    /// <summary>
    /// Trains two runs per seed until one pair takes the same branch at every LeakyReLU input, then holds
    /// that pair to <see cref="Tolerance"/>: every parameter, Adam moment, buffer and eval-mode output;
    /// Adam step counts and num_batches_tracked exactly. Why not every seed: a LeakyReLU or ReLU input
    /// within float32 rounding of 0 (about one in a few million here) takes different branches in two
    /// computations of the same maths, changing a gradient by up to a few percent; Adam turns the sign of
    /// every near-zero gradient element into a full ±lr step, so from then on the runs part by up to 3.4e-1
    /// (Adam moments) and 1.7e-2 (parameters) after 3 SGAN steps at lr 1e-3. The plain torch step in
    /// float32 parts from itself in float64 by as much (measured), so that is float32, not the fast path.
    /// Kink-free runs are the common case (1 thread: 5 to 23 of 24 seeds by case); skipped seeds are
    /// listed in the output (with how far from 0 their first disagreement was), and each must still agree
    /// in its first forward pass, where both hold the same weights. After an update no such bound holds:
    /// an element of conv1.weight (4x4 inputs) moved +lr in one run and −lr in the other shifts that
    /// layer's inputs by up to 2·lr/(0.02·√16) = 25·lr of their RMS. A difference that only shows after an
    /// update (a wrong gradient or optimizer) makes every seed disagree, and the search fails.
    /// </summary>
    void AssertAgreeOnFirstKinkFreeSeed(string what, Kind kind, Func<int, Run> first, Func<int, Run> second, bool disposeSecond = true)
    {
        var skipped = new List<string>();
        for (int seed = 0; seed < MaxSeeds; seed++)
        {
            using var a = first(seed);
            var b = second(seed);
            using var _ = disposeSecond ? b : null;
            var differences = Differences(a, b); // counts: exactly
            if (FirstBranchDisagreement(a, b, kind) is { } kink)
            {
                Assert.True(kink.Pass > 0 || kink.Size <= FirstPassRounding,
                    $"{what}, seed {seed}: the first forward pass takes other LeakyReLU branches at |x| up to {kink.Size:E1} of the RMS ({kink.Where}): not rounding");
                skipped.Add($"seed {seed}: {kink.Count} kink(s) first at {kink.Where}, |x| ≤ {kink.Size:E1} RMS");
                continue;
            }
            foreach (var (category, (value, key)) in differences)
                Assert.True(value <= Tolerance(category), $"{what}, seed {seed}: {key} differs by {value:E2} (tolerance {Tolerance(category):E0})");
            output.WriteLine($"{what}: seed {seed} kink-free; largest: " + string.Join(", ", differences.OrderBy(d => d.Key).Select(d => $"{d.Key} {d.Value.Value:E1}")));
            foreach (var s in skipped) output.WriteLine($"  skipped {s}");
            return;
        }
        Assert.Fail($"{what}: no kink-free run in {MaxSeeds} seeds: {string.Join("; ", skipped)}");
    }

    [Theory]
    [InlineData(Kind.SganMasked, KPlusOneHead.GanLogit, 2e-4, 1)]
    [InlineData(Kind.SganMasked, KPlusOneHead.GanLogit, 2e-4, 2)]
    [InlineData(Kind.SganStreams, KPlusOneHead.Softmax11, 2e-4, 1)]
    [InlineData(Kind.SganMasked, KPlusOneHead.GanLogit, 1e-3, 1)]
    [InlineData(Kind.Supervised, KPlusOneHead.GanLogit, 1e-3, 1)]
    [InlineData(Kind.Supervised, KPlusOneHead.GanLogit, 1e-3, 2)]
    [InlineData(Kind.BaselineLabeledOnly, KPlusOneHead.GanLogit, 1e-3, 1)]
    [InlineData(Kind.BaselineWholeBatch, KPlusOneHead.Softmax11, 1e-3, 1)]
    public void Fast_and_reference_implementations_agree_through_training_steps(Kind kind, KPlusOneHead head, double lr, int threads)
    {
        using var _ = Threads.Use(threads);
        var s = Make(kind, head);
        AssertAgreeOnFirstKinkFreeSeed($"{kind} {head.Name()} lr {lr}, {threads} thread(s): fast vs reference", kind,
            seed => Train(Implementation.Fast, kind, head, lr, s, seed), seed => Train(Implementation.Reference, kind, head, lr, s, seed));
    }

    [Theory]
    [InlineData(Kind.SganMasked, KPlusOneHead.GanLogit, 2e-4)]
    [InlineData(Kind.SganStreams, KPlusOneHead.Softmax11, 2e-4)]
    [InlineData(Kind.Supervised, KPlusOneHead.GanLogit, 1e-3)]
    [InlineData(Kind.BaselineLabeledOnly, KPlusOneHead.GanLogit, 1e-3)]
    [InlineData(Kind.BaselineWholeBatch, KPlusOneHead.GanLogit, 1e-3)]
    public void Both_implementations_agree_with_plain_torch_steps_written_from_the_definitions(Kind kind, KPlusOneHead head, double lr)
    {
        var s = Make(kind, head);
        var plain = new Dictionary<int, Run>();
        Run Plain(int seed) => plain.TryGetValue(seed, out var r) ? r : plain[seed] = TrainPlain(kind, head, lr, s, ScalarType.Float32, seed);
        foreach (var impl in new[] { Implementation.Fast, Implementation.Reference })
            AssertAgreeOnFirstKinkFreeSeed($"{kind} {head.Name()} lr {lr}: {impl} vs plain torch", kind, seed => Train(impl, kind, head, lr, s, seed), Plain, disposeSecond: false);
        foreach (var r in plain.Values) r.Dispose();
    }

    [Theory(Skip = "measurement for the tolerances above, by hand: EQ_THREADS, EQ_SEEDS")]
    [InlineData(Kind.SganMasked, KPlusOneHead.GanLogit, 2e-4)]
    [InlineData(Kind.SganStreams, KPlusOneHead.Softmax11, 2e-4)]
    [InlineData(Kind.SganMasked, KPlusOneHead.GanLogit, 1e-3)]
    [InlineData(Kind.Supervised, KPlusOneHead.GanLogit, 1e-3)]
    [InlineData(Kind.BaselineLabeledOnly, KPlusOneHead.GanLogit, 1e-3)]
    [InlineData(Kind.BaselineWholeBatch, KPlusOneHead.GanLogit, 1e-3)]
    public void Measure(Kind kind, KPlusOneHead head, double lr)
    {
        int threads = int.Parse(Environment.GetEnvironmentVariable("EQ_THREADS") ?? "1");
        int seeds = int.Parse(Environment.GetEnvironmentVariable("EQ_SEEDS") ?? "24");
        using var _ = Threads.Use(threads);
        var s = Make(kind, head);
        var clean = new Dictionary<string, Dictionary<string, (double Value, string Key)>>();
        var kinks = new List<string>();
        int[] cleanCount = new int[3];
        for (int seed = 0; seed < seeds; seed++)
        {
            var fast = Train(Implementation.Fast, kind, head, lr, s, seed);
            var reference = Train(Implementation.Reference, kind, head, lr, s, seed);
            var plain = TrainPlain(kind, head, lr, s, ScalarType.Float32, seed);
            int i = 0;
            foreach (var (label, a, b) in new[] { ("fast-ref", fast, reference), ("fast-plain", fast, plain), ("ref-plain", reference, plain) })
            {
                var disagreement = FirstBranchDisagreement(a, b, kind);
                var diffs = Differences(a, b);
                if (disagreement is { } dis)
                {
                    kinks.Add($"{label} seed {seed}: {dis.Count} at {dis.Where}, max |x|/rms {dis.Size:E1}; worst {diffs.Values.Max(v => v.Value):E1}");
                    i++;
                    continue;
                }
                cleanCount[i++]++;
                var c = clean.TryGetValue(label, out var x) ? x : clean[label] = [];
                foreach (var (cat, v) in diffs)
                    if (!c.TryGetValue(cat, out var w) || v.Value > w.Value) c[cat] = (v.Value, $"{v.Key} seed {seed}");
            }
            foreach (var r in new[] { fast, reference, plain }) { foreach (var t in r.Values.Values) t.Dispose(); foreach (var t in r.Inputs) t.Dispose(); }
        }
        output.WriteLine($"{kind} {head} lr {lr} threads {threads}: branch-agreeing runs fast-ref {cleanCount[0]}, fast-plain {cleanCount[1]}, ref-plain {cleanCount[2]} of {seeds}");
        foreach (var (label, c) in clean)
            foreach (var (cat, v) in c.OrderBy(e => e.Key))
                output.WriteLine($"  {label} {cat}: {v.Value:E2} ({v.Key})");
        foreach (var k in kinks) output.WriteLine("  kink " + k);
    }
}
