using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// The fast implementation is a second, hand-tuned computation of the same networks; its kernels (oneDNN's,
/// libtorch's, ours) are chosen per CPU and thread count, and one CPU's can compute something else (an AMD Zen 5
/// did, for a 1x1 convolution's remainder channels on 2 threads). So before a run trains on it, this check runs a
/// few training steps of every method the run trains through both implementations from the same randomised state,
/// on the run's own device, thread count and batch size, on batches of both protocols' shapes, and compares losses,
/// gradients, updated weights, batch-norm statistics and eval-mode outputs. It knows methods only through
/// <see cref="MethodRun"/>: a new method is checked without being named here. Dropout is 0, so both implementations
/// draw the same random numbers.
/// </summary>
public static class FastPathCheck
{
    // Forward values (losses, outputs, batch-norm statistics, weights): summation order alone moves them
    // by about 1e-6 relative, so they are held to the tolerances of FastPathTests.
    public const double LossTolerance = 1e-5, TensorTolerance = 1e-4;
    /// <summary>
    /// Gradients are not continuous: about one ReLU or LeakyReLU input in a million lies within float32
    /// rounding of 0, and which side it falls on flips its gradient, which then moves every gradient
    /// upstream. Measured against a float64 run of the same step, that alone moved whole gradient tensors
    /// by up to 9.4e-4 of their size in the fast implementation and 4.75e-3 in the reference at batch 100
    /// (each in a state where the other was at 1e-6), and by 1.4e-2 at batch 37. A kernel that computes
    /// something else is off by the size of what it gets wrong (the Zen 5 fault: whole output channels),
    /// and forward values, held to 1e-4, show it too.
    /// </summary>
    public const double GradientTolerance = 5e-2;
    /// <summary>
    /// A bf16 run's fast path against the float32 reference. bfloat16 keeps 8 significant bits (relative rounding
    /// 2^-9 ≈ 2e-3 per value), so forward values move by about that much, and gradients, sums with heavy
    /// cancellation (biases, the generator's first layer), by much more. Measured over every registered method,
    /// both heads and protocols, at batch 37, 64, 100 and 200 (docs/performance.md): losses within 4.6e-3, forward
    /// tensors within 2.9e-3 relative, gradients within 0.137 relative. Tolerances about 2-4x those; a fault that
    /// shifts one layer's output by 0.1 (FastPathCheckTests) is still caught.
    /// </summary>
    public const double Bf16LossTolerance = 2e-2, Bf16TensorTolerance = 1e-2, Bf16GradientTolerance = 0.3;
    const int Steps = 2;
    // The steps run at learning rate 0, so both implementations keep identical weights and every gradient
    // is compared from the same state: Adam's first updates are ±lr wherever |gradient| >> eps, so a
    // near-zero gradient whose sign differs in the 7th digit flips an update, and after one step the
    // networks differ by more than any kernel error would show. The optimizer is compared on its own,
    // from identical gradients (CompareAdam).
    const double LearningRate = 2e-4;
    /// <summary>Labeled images inside a masked-protocol batch (a small odd count, as 1000 labels in 60,000 give).</summary>
    const int MaskedLabeled = 3;

    /// <summary>A method as a run trains it: its registry entry, a name for messages, and its resolved settings.</summary>
    public sealed record Subject(IMethod Method, string Name, MethodSettings Settings);

    /// <summary>Runs the check for every CNN method of <paramref name="subjects"/> (one per head): the methods a run trains.</summary>
    public static FastPathVerdict Run(Device device, int batchSize, IEnumerable<KPlusOneHead> heads, IEnumerable<Subject> subjects, ImageShape shape)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var rng = torch.random.get_rng_state().clone(); // a copy: the check must not shift the run's random stream
        try
        {
            var all = new List<FastPathComparison>();
            var list = subjects.Where(s => s.Settings.Architecture == Architecture.Cnn).ToList();
            foreach (var head in heads.Distinct())
                foreach (var subject in list.Where(s => s.Method.Heads.Contains(head.Name())))
                    foreach (var protocol in new[] { Protocol.Masked, Protocol.Streams })
                        all.AddRange(Compare(device, batchSize, head, subject, protocol, shape));
            return new FastPathVerdict(all, clock.Elapsed.TotalSeconds);
        }
        finally { torch.random.set_rng_state(rng); }
    }

    /// <summary>Every registered method at its recipe's settings (what bench checks).</summary>
    public static IEnumerable<Subject> Registered(MethodSettings common) =>
        MethodRegistry.All.Select(m => new Subject(m, m.Name, common.With(m)));

    /// <summary>One implementation's steps: named results (losses as 0-d tensors, gradients, weights, buffers, eval outputs) and its run.</summary>
    sealed record Outcome(Dictionary<string, Tensor> Values, MethodRun Run);

    static IEnumerable<FastPathComparison> Compare(Device device, int batchSize, KPlusOneHead head, Subject subject, Protocol protocol, ImageShape shape)
    {
        using var scope = NewDisposeScope();
        var settings = subject.Settings with { Dropout = 0, LearningRate = 0, Ema = 0, SampleCount = 0, LinearDecay = false, Epochs = 1 };
        var run = new RunSpec(batchSize, protocol, head, 1, subject.Method.Name);
        var outcomes = new List<Outcome>();
        try
        {
            foreach (var impl in new[] { Implementation.Fast, Implementation.Reference })
            {
                // A bf16 run's fast path (what it trains on) against the float32 reference: the check then also holds bf16 to its tolerances.
                using var precision = Autocast.Use(impl == Implementation.Fast ? subject.Settings.Precision : Precision.Fp32);
                var m = subject.Method.Start(new MethodContext(run, settings, shape, device, impl));
                outcomes.Add(new(Train(m, device, batchSize, protocol, shape), m));
            }
            string tag = $"{subject.Name} step ({head.Name()}, {protocol.Name()}, batch {batchSize})";
            var (fast, reference) = (outcomes[0], outcomes[1]);
            var list = new List<FastPathComparison>();
            var derived = reference.Run.GradientDerivedLosses.Select(l => $"{l} loss").ToHashSet();
            foreach (var (name, r) in reference.Values)
            {
                // A loss taken through a gradient moves with the gradients' rounding: their relative tolerance.
                bool loss = r.dim() == 0 && !derived.Contains(name);
                bool gradient = name.EndsWith(" gradient", StringComparison.Ordinal) || derived.Contains(name);
                double tolerance = subject.Settings.Precision == Precision.Bf16
                    ? loss ? Bf16LossTolerance : gradient ? Bf16GradientTolerance : Bf16TensorTolerance
                    : loss ? LossTolerance : gradient ? GradientTolerance : TensorTolerance;
                list.Add(new($"{tag}: {name}", fast.Values.TryGetValue(name, out var f) ? Difference(f, r, absolute: loss) : double.NaN, tolerance));
            }
            var fastNets = fast.Run.NamedNetworks.ToDictionary(n => n.Name, n => n.Module);
            foreach (var (name, net) in reference.Run.NamedNetworks)
                if (reference.Run.Optimizers.Any(o => o.Name == name))
                    list.AddRange(CompareAdam($"{tag}: {name}", fastNets[name], net));
            return list;
        }
        finally { foreach (var o in outcomes) o.Run.Dispose(); }
    }

    /// <summary>The method's steps on synthetic batches of the protocol's shape, from a randomised state; what they leave.</summary>
    static Dictionary<string, Tensor> Train(MethodRun m, Device device, int batchSize, Protocol protocol, ImageShape shape)
    {
        var needs = m.Needs;
        int unlabeled = needs.UnlabeledRatio * batchSize;
        var (images, labels) = Data(device, Steps * (unlabeled + batchSize), shape);
        torch.random.manual_seed(7);
        foreach (var (_, net) in m.NamedNetworks) Randomised(net);
        // Unlabeled images first, then a separate labeled batch (streams) or a few labeled ones inside the batch (masked).
        var steps = Enumerable.Range(0, Steps).Select(s =>
        {
            long[] real = Enumerable.Range(s * unlabeled, unlabeled).Select(i => (long)i).ToArray();
            long[] separate = Enumerable.Range(Steps * unlabeled + s * batchSize, batchSize).Select(i => (long)i).ToArray();
            if (needs.Labeled == LabeledSource.FullBatches || protocol == Protocol.Streams || real.Length == 0) return new Step(real, separate, null);
            long[] positions = Enumerable.Range(0, Math.Min(MaskedLabeled, real.Length)).Select(i => (long)i).ToArray();
            return new Step(real, positions.Select(p => real[p]).ToArray(), positions);
        }).ToList();
        torch.random.manual_seed(8); // the same latent vectors (and input noise) for both implementations
        var losses = m.Train(new EpochData(1, steps, Steps, (step, i) => new Batch(step, 1, i, Steps, 1, images, labels, device, needs), null));
        var values = losses.Losses.Items.ToDictionary(l => $"{l.Name} loss", l => tensor(l.Value ?? double.NaN));
        var comparable = m.ComparableGradients.ToHashSet();
        foreach (var (name, net) in m.NamedNetworks)
        {
            foreach (var (p, w) in net.named_parameters())
            {
                if (comparable.Contains(name)) values[$"{name} {p} gradient"] = w.grad?.clone() ?? tensor(double.NaN);
                values[$"{name} {p}"] = w.detach().clone();
            }
            foreach (var (b, buffer) in net.named_buffers()) values[$"{name} {b}"] = buffer.clone();
        }
        using (no_grad())
        {
            foreach (var (_, net) in m.NamedNetworks) net.eval();
            values["classifier eval output"] = m.Classifier.forward(images.narrow(0, 0, batchSize));
            foreach (var (name, net) in m.NamedNetworks)
                if (net is ImageGenerator g)
                {
                    torch.random.manual_seed(9);
                    values[$"{name} eval output"] = g.forward(randn(batchSize, g.LatentDim).to(device));
                }
        }
        return values;
    }

    /// <summary>|a − b| for a loss; ‖a − b‖ / ‖b‖ for a tensor (in float64; NaN when either is missing).</summary>
    static double Difference(Tensor a, Tensor b, bool absolute)
    {
        using var scope = NewDisposeScope();
        var (x, y) = (a.to_type(ScalarType.Float64), b.to_type(ScalarType.Float64));
        double gap = (x - y).norm().item<double>();
        return absolute ? gap : gap / Math.Max(y.norm().item<double>(), 1e-12);
    }

    /// <summary>
    /// Each implementation's optimizer (the fast one-pass Adam, TorchSharp's) takes three steps on its own
    /// copy of the reference network's weights, with the same gradients (the reference's last ones, scaled
    /// per step); the weights after each step are compared.
    /// </summary>
    static IEnumerable<FastPathComparison> CompareAdam(string tag, nn.Module fast, nn.Module reference)
    {
        using var scope = NewDisposeScope();
        var start = reference.parameters().Select(p => p.detach().clone()).ToList();
        var grads = reference.parameters().Select(p => p.grad?.clone() ?? zeros_like(p)).ToList();
        var weights = new[] { Implementation.Fast, Implementation.Reference }.Select(impl =>
        {
            var ps = start.Select(w => new TorchSharp.Modules.Parameter(w.clone())).ToList();
            using var opt = Kernels.Adam.For(impl, ps, LearningRate, 0.5, 0.999);
            var after = new List<Tensor[]>();
            for (int step = 1; step <= 3; step++)
            {
                foreach (var (p, g) in ps.Zip(grads)) p.grad = g * step;
                opt.step();
                after.Add(ps.Select(p => p.detach().clone()).ToArray());
            }
            return after;
        }).ToArray();
        var names = fast.named_parameters().Select(p => p.name).ToList();
        var list = new List<FastPathComparison>();
        for (int step = 0; step < 3; step++)
            for (int i = 0; i < names.Count; i++)
                list.Add(new($"{tag} {names[i]} after Adam step {step + 1}", Difference(weights[0][step][i], weights[1][step][i], absolute: false), TensorTolerance));
        return list;
    }

    /// <summary>Images in [-1,1] and labels.</summary>
    static (Tensor Images, Tensor Labels) Data(Device device, int count, ImageShape shape)
    {
        torch.random.manual_seed(6);
        return ((rand([count, shape.Channels, shape.Height, shape.Width]) * 2 - 1).to(device),
            randint(0, shape.Classes, count, dtype: ScalarType.Int64).to(device));
    }

    /// <summary>
    /// Fresh weights hide bias and batch-norm handling (biases 0, scales 1, statistics 0 and 1): move every
    /// bias, batch-norm affine parameter and running statistic away from its initial value.
    /// </summary>
    public static T Randomised<T>(T module) where T : nn.Module
    {
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
            if (p.dim() == 1) p.add_(randn_like(p) * 0.1);
        foreach (var (name, b) in module.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) b.add_(randn_like(b) * 0.1);
            else if (name.EndsWith("running_var", StringComparison.Ordinal)) b.mul_(rand_like(b) + 0.5);
        }
        return module;
    }
}
